-- quarry_cli.plugins: `quarry plugins [NAME]`, the analyses and formats
-- quarry can find, where they come from, and the options of one of them.
local args = require "quarry_cli.args"
local util = require "quarry_cli.util"
local quarry = require "quarry"
local plugins = require "quarry.plugins"

local M = {
  summary = "list the analysis and format plugins, or show one plugin's options",
  usage = "quarry plugins [NAME] [--kind KIND] [--format text|json]",
  description = table.concat({
    "Lists every plugin quarry finds, with its kind (analysis or format), its",
    "origin and a one-line description. Plugins are searched in this order, the",
    "first of a name winning: each directory of $QUARRY_PATH (colon-separated,",
    "origin QUARRY_PATH), ${XDG_DATA_HOME:-~/.local/share}/quarry/plugins",
    "(origin user), then the Lua modules quarry.plugins.NAME on the Lua path",
    "(origin builtin for quarry's own, module for the others). A plugin that",
    "cannot be loaded is listed as broken with the reason.",
    "",
    "With NAME, shows that plugin: where it is, what it does and its options",
    "(type, default, help), as `quarry report --opt KEY=VALUE` takes them.",
    "",
    "Exit status: 0, or 2 when NAME is unknown or broken.",
  }, "\n"),
}

M.options = {
  { long = "kind", arg = "KIND", choices = { "analysis", "format" },
    help = "only analyses or only formats" },
  { long = "format", short = "f", arg = "FMT", choices = { "text", "json" }, default = "text",
    help = "output format: text or json" },
}

local function first_line(s)
  return (s:match("^[^\n]*"))
end

local function default_text(o)
  local d = o.default
  if d == nil then return "" end
  if type(d) == "table" then return table.concat(d, ",") end
  return tostring(d)
end

local function type_text(o)
  if o.type == "enum" then return table.concat(o.choices, "|") end
  return o.type
end

local function show_one(name, fmt)
  local loader = plugins.default()
  local p, info = loader:load(name)
  if not p then args.input_error("%s", info) end
  local c = loader:find(name)
  if fmt == "json" then
    local json = quarry.json
    local options = json.array()
    for _, o in ipairs(p.options) do
      options[#options + 1] = { name = o.name, type = o.type, default = o.default, help = o.help,
                                choices = o.choices and json.array({ table.unpack(o.choices) }) or nil,
                                required = o.required }
    end
    io.stdout:write(json.encode({
      name = p.name, kind = p.kind, origin = info.origin, path = c and c.path,
      description = p.description, api = p.api, extension = p.extension, options = options,
    }, { indent = true }), "\n")
    return 0
  end
  local out = {
    string.format("%s (%s, %s)", p.name, p.kind, info.origin),
    "  " .. p.description,
  }
  if c and c.path then out[#out + 1] = "  file: " .. c.path end
  if p.kind == "format" then out[#out + 1] = "  writes: *." .. p.extension end
  io.stdout:write(table.concat(out, "\n"), "\n")
  if #p.options == 0 then
    io.stdout:write("\nno options\n")
    return 0
  end
  local rows = { { "option", "type", "default", "help" } }
  for _, o in ipairs(p.options) do
    rows[#rows + 1] = { o.name, type_text(o), default_text(o),
                        (o.help or "") .. (o.required and " (required)" or "") }
  end
  io.stdout:write("\n", util.columns(rows, nil, "  "))
  return 0
end

function M.run(opts, positional)
  if #positional > 1 then
    args.usage_error("plugins", "unexpected argument '%s'", positional[2])
  end
  if positional[1] then return show_one(positional[1], opts.format) end
  local list = plugins.list(opts.kind)
  if opts.format == "json" then
    local json = quarry.json
    local arr = json.array()
    for _, t in ipairs(list) do
      arr[#arr + 1] = { name = t.name, kind = t.kind, origin = t.origin, path = t.path,
                        description = t.description, api = t.api, error = t.error,
                        shadows = t.shadows and json.array(t.shadows) or nil }
    end
    io.stdout:write(json.encode(arr, { indent = true }), "\n")
    return 0
  end
  if #list == 0 then
    io.stdout:write("no plugins found (see 'quarry help plugins' for where they are searched)\n")
    return 0
  end
  local rows = { { "NAME", "KIND", "ORIGIN", "DESCRIPTION" } }
  for _, t in ipairs(list) do
    if t.error then
      rows[#rows + 1] = { t.name, "broken", t.origin, first_line(t.error) }
    else
      rows[#rows + 1] = { t.name, t.kind, t.origin, t.description }
    end
  end
  io.stdout:write(util.columns(rows))
  return 0
end

return M
