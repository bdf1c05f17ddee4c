-- quarry_cli.args: command-line option parsing shared by every command.
--
-- A command declares its options as a list of specs:
--   { long = "format", short = "f", arg = "FMT", help = "...",
--     default = "text", choices = { "text", "json" }, repeatable = true }
-- An option without `arg` is a flag (true when given). Long options take
-- their value as `--name VALUE` or `--name=VALUE`; `--` ends the options.
-- Mistakes raise a usage error (see M.usage_error) that quarry_cli.main
-- turns into a message, "see quarry help COMMAND" and exit status 2.
local M = {}

local UsageError = { __name = "quarry_cli.UsageError" }
UsageError.__index = UsageError
UsageError.__tostring = function(e) return e.message end

--- Raises a usage error for command (nil for the top level).
function M.usage_error(command, fmt, ...)
  error(setmetatable({ message = string.format(fmt, ...), command = command },
                     UsageError), 0)
end

function M.is_usage_error(e)
  return getmetatable(e) == UsageError
end

local InputError = { __name = "quarry_cli.InputError" }
InputError.__index = InputError
InputError.__tostring = function(e) return e.message end

--- Raises an input error: the run cannot go on (exit 2), no usage hint.
function M.input_error(fmt, ...)
  error(setmetatable({ message = string.format(fmt, ...) }, InputError), 0)
end

function M.is_input_error(e)
  return getmetatable(e) == InputError
end

--- The message of an error a library call raised, without the "FILE:LINE: "
--- of the Lua code that called it: what the user typed is at fault, not a
--- line of quarry.
function M.raised(e)
  return (tostring(e):gsub("^[^\n:]+%.lua:%d+: ", ""))
end

--- Key under which an option's value is stored: "no-sidecar" -> "no_sidecar".
function M.key(spec)
  return spec.key or spec.long:gsub("-", "_")
end

--- Parses argv[first..] against specs. Returns opts (by key, defaults
--- filled) and the positional arguments. With stop_at_positional, the first
--- positional argument and everything after it are positional (for `run`).
function M.parse(command, argv, first, specs, stop_at_positional)
  local by_long, by_short = {}, {}
  for _, s in ipairs(specs) do
    by_long[s.long] = s
    if s.short then by_short[s.short] = s end
  end
  local opts, positional = {}, {}
  for _, s in ipairs(specs) do
    if s.repeatable then opts[M.key(s)] = {} end
    if s.default ~= nil then opts[M.key(s)] = s.default end
  end

  local function set(s, value, shown)
    local k = M.key(s)
    if s.arg then
      if value == nil then
        M.usage_error(command, "option %s requires an argument %s", shown, s.arg)
      end
      if s.choices then
        local ok = false
        for _, c in ipairs(s.choices) do if c == value then ok = true end end
        if not ok then
          M.usage_error(command, "option %s: invalid value '%s' (choose from %s)",
                        shown, value, table.concat(s.choices, ", "))
        end
      end
      if s.integer then
        local n = math.tointeger(tonumber(value))
        if not n or n < 0 then
          M.usage_error(command, "option %s expects a non-negative integer, got '%s'",
                        shown, value)
        end
        value = n
      end
      if s.repeatable then
        table.insert(opts[k], value)
      else
        opts[k] = value
      end
    else
      if value ~= nil then
        M.usage_error(command, "option %s takes no argument", shown)
      end
      opts[k] = true
    end
  end

  local i = first
  while i <= #argv do
    local a = argv[i]
    if a == "--" then
      for j = i + 1, #argv do positional[#positional + 1] = argv[j] end
      break
    elseif a:sub(1, 2) == "--" then
      local name, value = a:match("^%-%-([^=]+)=(.*)$")
      name = name or a:sub(3)
      local s = by_long[name]
      if not s then M.usage_error(command, "unknown option --%s", name) end
      if s.arg and value == nil then
        i = i + 1
        value = argv[i]
      end
      set(s, value, "--" .. name)
    elseif a:sub(1, 1) == "-" and #a > 1 then
      local s = by_short[a:sub(2, 2)]
      if not s or (#a > 2 and not s.arg) then
        M.usage_error(command, "unknown option %s", a)
      end
      local value
      if s.arg then
        if #a > 2 then value = a:sub(3) else i = i + 1; value = argv[i] end
      end
      set(s, value, "-" .. s.short)
    else
      positional[#positional + 1] = a
      if stop_at_positional then
        for j = i + 1, #argv do positional[#positional + 1] = argv[j] end
        break
      end
    end
    i = i + 1
  end
  return opts, positional
end

--- Formats the option list of a command for its help text.
function M.format_options(specs)
  local rows, width = {}, 0
  for _, s in ipairs(specs) do
    local left = (s.short and ("-" .. s.short .. ", ") or "    ") .. "--" .. s.long
    if s.arg then left = left .. " " .. s.arg end
    rows[#rows + 1] = { left, s.help or "" }
    if #left > width then width = #left end
  end
  local out = {}
  for _, r in ipairs(rows) do
    out[#out + 1] = "  " .. r[1] .. string.rep(" ", width - #r[1] + 2) .. r[2]
  end
  return table.concat(out, "\n")
end

return M
