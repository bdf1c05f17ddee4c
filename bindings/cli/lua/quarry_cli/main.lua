-- quarry_cli.main: the command line. It parses the global options, finds
-- the command (one module per command: quarry_cli.<name>), runs it and maps
-- the outcome to the exit status: 0 success, 1 a failing user script, 2 a
-- usage or input error. A bug in quarry itself is reported as an internal
-- error with a traceback (exit 70); a user mistake never shows one.
local quarry = require "quarry"
local args = require "quarry_cli.args"

local M = {}

--- Commands in the order `quarry --help` lists them.
M.commands = { "index", "info", "check", "rm", "optimize", "search", "grep", "dict", "freq",
               "ngrams", "colloc", "keyness", "dispersion", "timeline", "statements", "lexstats",
               "report", "plugins", "tokens", "stats", "run", "help" }

local function load_command(name)
  for _, c in ipairs(M.commands) do
    if c == name then return require("quarry_cli." .. name) end
  end
  return nil
end

M.load_command = load_command

function M.overview()
  local lines = {
    "usage: quarry COMMAND [OPTIONS] [ARGS...]",
    "",
    "quarry is a text-corpus engine: it reads documents (text, Markdown, JSON,",
    "JSONL, CSV), tokenizes English and Chinese, indexes them and counts what",
    "they say.",
    "",
    "commands:",
  }
  local w = 0
  for _, name in ipairs(M.commands) do w = math.max(w, #name) end
  for _, name in ipairs(M.commands) do
    local c = load_command(name)
    lines[#lines + 1] = string.format("  %-" .. w .. "s  %s", name, c.summary)
  end
  lines[#lines + 1] = ""
  lines[#lines + 1] = "global options:"
  lines[#lines + 1] = "  -h, --help     show this help"
  lines[#lines + 1] = "      --version  show the version"
  lines[#lines + 1] = ""
  lines[#lines + 1] = "The index commands work on -i INDEX, else $QUARRY_INDEX, else ./.quarry."
  lines[#lines + 1] = "Exit status: 0 success, 1 nothing matched (rm, search, grep) or a failing"
  lines[#lines + 1] = "script or plugin (run, report), 2 usage or input error (missing, corrupt or"
  lines[#lines + 1] = "busy index included)."
  lines[#lines + 1] = ""
  lines[#lines + 1] = "Run 'quarry help COMMAND' for the options of a command."
  return table.concat(lines, "\n") .. "\n"
end

--- The help text of a command.
function M.command_help(name)
  local c = load_command(name)
  local out = { "usage: " .. c.usage, "", c.summary .. "." }
  if c.description then
    out[#out + 1] = ""
    out[#out + 1] = c.description
  end
  if c.options and #c.options > 0 then
    out[#out + 1] = ""
    out[#out + 1] = "options:"
    out[#out + 1] = args.format_options(c.options)
  end
  return table.concat(out, "\n") .. "\n"
end

local function has_help_flag(argv)
  for i = 2, #argv do
    if argv[i] == "--" then return false end
    if argv[i] == "--help" or argv[i] == "-h" then return true end
  end
  return false
end

local function dispatch(argv)
  local first = argv[1]
  if first == nil then
    io.stderr:write(M.overview())
    return 2
  end
  if first == "--help" or first == "-h" then
    io.stdout:write(M.overview())
    return 0
  end
  if first == "--version" then
    io.stdout:write(quarry._VERSION, "\n")
    return 0
  end
  if first:sub(1, 1) == "-" then
    args.usage_error(nil, "unknown option %s", first)
  end
  local c = load_command(first)
  if not c then args.usage_error(nil, "unknown command '%s'", first) end
  -- `quarry run SCRIPT --help` passes --help to the script
  if has_help_flag(argv) and not (c.stop_at_positional and argv[2] ~= "--help"
                                  and argv[2] ~= "-h") then
    io.stdout:write(M.command_help(first))
    return 0
  end
  local opts, positional = args.parse(first, argv, 2, c.options or {}, c.stop_at_positional)
  return c.run(opts, positional, { argv = argv, main = M })
end

function M.main(argv)
  local ok, result = xpcall(dispatch, function(e)
    if args.is_usage_error(e) or args.is_input_error(e) then return e end
    -- The library raises "... (ECORRUPT)" and the like when the data is at
    -- fault (a damaged index, a file gone, memory): an input error, exit 2,
    -- not a bug of quarry's.
    local code = type(e) == "string" and e:match("%((E[A-Z]+)%)%s*$")
    if code and code ~= "EINVAL" then
      return select(2, pcall(args.input_error, "%s", args.raised(e)))
    end
    return debug.traceback(tostring(e), 2)
  end, argv)
  io.stdout:flush()
  if ok then
    return math.tointeger(result) or 0
  end
  if args.is_usage_error(result) then
    io.stderr:write("quarry: ", result.message, "\n")
    if result.command then
      io.stderr:write("see 'quarry help ", result.command, "'\n")
    else
      io.stderr:write("see 'quarry --help'\n")
    end
    return 2
  end
  if args.is_input_error(result) then
    io.stderr:write("quarry: ", result.message, "\n")
    return 2
  end
  io.stderr:write("quarry: internal error: ", tostring(result), "\n")
  return 70
end

return M
