-- quarry.plugins: finding, loading, validating and calling plugins
-- (docs/reports.md, "Plugins").
--
-- A plugin is a Lua chunk returning a table (api, name, kind, description,
-- options and the hook of its kind: render for a format, run for an
-- analysis). Plugins are found, in this order, the first of a name winning:
--
--   1. QUARRY_PATH   every *.lua file of each directory of $QUARRY_PATH
--                    (colon-separated)
--   2. user          ${XDG_DATA_HOME:-$HOME/.local/share}/quarry/plugins/*.lua
--   3. builtin and   the Lua modules quarry.plugins.NAME found through the
--      module        "?.lua" templates of package.path (.../?.lua ->
--                    .../quarry/plugins/*.lua); those next to quarry's own
--                    modules (or in the source tree's scripts/) are
--                    "builtin", the others "module"
--
-- The name of a plugin is the name of its file, and the table must declare
-- the same name: a plugin is found without running every other one.
--
-- A plugin runs in the host's Lua state: it is trusted code, like a script
-- given to `quarry run`. What this module guarantees is that a broken plugin
-- (syntax error, wrong API level, malformed declaration, error in a hook)
-- is reported with the plugin, the hook and a traceback, and never ends the
-- host.
local quarry = require "quarry"

local M = {}

M.KINDS = { format = "render", analysis = "run" }
M.OPTION_TYPES = { string = true, integer = true, number = true, boolean = true,
                   list = true, enum = true }
-- What a hook must return; hooks not listed may return anything.
M.HOOK_RESULTS = { render = "string" }

local NAME_PATTERN = "^[a-z][a-z0-9-]*$"

local function shown(v)
  if type(v) == "string" then return "'" .. v .. "'" end
  if type(v) == "table" then return "a table" end
  return tostring(v)
end

local function is_dir(path)
  return quarry._sys.path_kind(path) == "directory"
end

--- The *.lua files of dir as { name =, path = }, sorted by name; none when
--- dir does not exist.
local function lua_files(dir)
  local names = quarry._sys.list_dir(dir)
  if not names then return {} end
  table.sort(names)
  local out = {}
  for _, f in ipairs(names) do
    -- a file whose name cannot be a plugin's (a busted spec, a helper) is
    -- not one: it is not even run
    local name = f:match("^(.+)%.lua$")
    if name and name:match(NAME_PATTERN) and quarry._sys.path_kind(dir .. "/" .. f) == "file" then
      out[#out + 1] = { name = name, path = dir .. "/" .. f }
    end
  end
  return out
end

local function split(s, sep)
  local out = {}
  for part in (s .. sep):gmatch("(.-)" .. sep:gsub("%p", "%%%0")) do
    if part ~= "" then out[#out + 1] = part end
  end
  return out
end

local function strip_slash(d)
  return (d:gsub("/+$", ""))
end

--- The user's plugin directory: ${XDG_DATA_HOME:-$HOME/.local/share}/quarry/plugins.
function M.user_dir()
  local data = os.getenv("XDG_DATA_HOME")
  if not data or data == "" then
    local home = os.getenv("HOME")
    if not home or home == "" then return nil end
    data = home .. "/.local/share"
  end
  return strip_slash(data) .. "/quarry/plugins"
end

--- "./a/./b/" -> "a/b", "/x//y" -> "/x/y": directories compare as strings.
local function normalize(dir)
  local parts = {}
  for part in dir:gmatch("[^/]+") do
    if part ~= "." then parts[#parts + 1] = part end
  end
  local s = table.concat(parts, "/")
  if dir:sub(1, 1) == "/" then return "/" .. s end
  return s == "" and "." or s
end

--- The directories where quarry's own plugins live: next to quarry's
--- modules (an install) and scripts/quarry/plugins of a source tree.
local function builtin_dirs(package_path)
  local init = package.searchpath("quarry", package_path)
  local dirs = {}
  if not init then return dirs end
  local root = init:match("^(.*)/quarry/init%.lua$") or init:match("^(.*)/quarry%.lua$")
  if not root then return dirs end
  dirs[normalize(root .. "/quarry/plugins")] = true
  local source = ("/" .. root):match("^(.*)/bindings/lua$")
  if source then
    dirs[normalize((source == "" and "." or source:sub(2)) .. "/scripts/quarry/plugins")] = true
  end
  return dirs
end

--- The plugin directories of the package.path templates "DIR/?.lua".
local function module_dirs(package_path)
  local out, seen = {}, {}
  for template in package_path:gmatch("[^;]+") do
    local dir = template:match("^(.*)/%?%.lua$")
    if template == "?.lua" then dir = "." end
    if dir and not dir:find("?", 1, true) then
      dir = strip_slash(dir) .. "/quarry/plugins"
      if not seen[dir] then
        seen[dir] = true
        out[#out + 1] = dir
      end
    end
  end
  return out
end

local Loader = {}
Loader.__index = Loader

--- plugins.loader([config]) -> Loader: a plugin search of its own.
--- config (every field optional, defaults from the environment):
---   path         array of directories, instead of $QUARRY_PATH
---   user_dir     the user's plugin directory (false: none)
---   package_path the templates to scan for quarry.plugins.* modules
---                (default package.path; false: no modules)
function M.loader(config)
  config = config or {}
  local path = config.path
  if path == nil then path = split(os.getenv("QUARRY_PATH") or "", ":") end
  local user = config.user_dir
  if user == nil then user = M.user_dir() end
  local ppath = config.package_path
  if ppath == nil then ppath = package.path end
  return setmetatable({
    path = path, user = user or nil, package_path = ppath or nil,
    cache = {},         -- path -> { plugin = } or { error = }
  }, Loader)
end

--- Every plugin file in search order: { name, origin, path [, module] },
--- several entries of a name included (the first wins).
function Loader:candidates()
  local out = {}
  for _, dir in ipairs(self.path) do
    for _, f in ipairs(lua_files(strip_slash(dir))) do
      out[#out + 1] = { name = f.name, origin = "QUARRY_PATH", path = f.path }
    end
  end
  if self.user then
    for _, f in ipairs(lua_files(self.user)) do
      out[#out + 1] = { name = f.name, origin = "user", path = f.path }
    end
  end
  if self.package_path then
    local builtin = builtin_dirs(self.package_path)
    for _, dir in ipairs(module_dirs(self.package_path)) do
      if is_dir(dir) then
        local origin = builtin[normalize(dir)] and "builtin" or "module"
        for _, f in ipairs(lua_files(dir)) do
          out[#out + 1] = { name = f.name, origin = origin, path = f.path,
                            module = "quarry.plugins." .. f.name }
        end
      end
    end
  end
  return out
end

--- Checks a plugin table; returns nil or what is wrong with it.
local function declaration_problem(p, name)
  if type(p) ~= "table" then
    return "does not return a table (got " .. type(p) .. ")"
  end
  if p.api == nil then
    return "does not declare its plugin API level (api = " .. quarry.api_level .. ")"
  end
  if p.api ~= quarry.api_level then
    return "was written for plugin API " .. tostring(p.api) .. "; this quarry provides "
      .. quarry.api_level
  end
  if type(p.name) ~= "string" or p.name == "" then return "has no name" end
  if name and p.name ~= name then
    return "declares the name '" .. p.name .. "' but its file is " .. name
      .. ".lua (they must agree)"
  end
  if not p.name:match(NAME_PATTERN) then
    return "has an invalid name (lower-case letters, digits and '-')"
  end
  local hook = M.KINDS[p.kind]
  if not hook then
    return "has kind " .. shown(p.kind) .. "; a plugin is a 'format' or an 'analysis'"
  end
  if type(p.description) ~= "string" or p.description == "" then
    return "has no description"
  end
  if type(p[hook]) ~= "function" then
    return "is " .. (p.kind == "format" and "a format" or "an analysis")
      .. " but has no '" .. hook .. "' function"
  end
  if p.kind == "format" and p.extension ~= nil and
     (type(p.extension) ~= "string" or not p.extension:match("^[%w.-]+$")) then
    return "has an invalid extension " .. shown(p.extension)
  end
  if p.options == nil then return nil end
  if type(p.options) ~= "table" then return "options must be a list of tables" end
  local seen = {}
  for i, o in ipairs(p.options) do
    if type(o) ~= "table" then return "option " .. i .. " is not a table" end
    if type(o.name) ~= "string" or not o.name:match("^[%a_][%w_-]*$") then
      return "option " .. i .. " has no valid name"
    end
    local what = "option '" .. o.name .. "'"
    if seen[o.name] then return what .. " is declared twice" end
    seen[o.name] = true
    if not M.OPTION_TYPES[o.type] then
      return what .. " has type " .. shown(o.type)
        .. " (string, integer, number, boolean, list or enum)"
    end
    if o.help ~= nil and type(o.help) ~= "string" then return what .. ": help must be a string" end
    if o.type == "enum" then
      if type(o.choices) ~= "table" or #o.choices == 0 then
        return what .. " is an enum without choices"
      end
      for _, c in ipairs(o.choices) do
        if type(c) ~= "string" then return what .. ": choices must be strings" end
      end
    end
  end
  for k in pairs(p.options) do
    if math.type(k) ~= "integer" then return "options must be a list (found key " .. shown(k) .. ")" end
  end
  -- defaults are checked last: the conversion below needs sane declarations
  for _, o in ipairs(p.options) do
    if o.default ~= nil then
      local _, msg = M.convert_option(o, o.default)
      if msg then return "option '" .. o.name .. "': its default " .. msg end
    end
  end
  return nil
end

--- debug.traceback without the frames of the host below the xpcall that
--- ran the plugin: the user's bug is above it. Called from a message
--- handler (levels: this function, the handler, where the error was).
local function plugin_traceback(e)
  local tb = debug.traceback(e, 3)
  local cut = tb:find("\n\t%[C%]: in function 'xpcall'")
  return cut and tb:sub(1, cut - 1) or tb
end

local function load_file(c)
  local chunk, msg = loadfile(c.path, "t")
  if not chunk then
    -- loadfile's message is "PATH:LINE: problem", with PATH cut to "...end"
    -- when long: name the whole path
    local line, problem = msg:match(":(%d+): (.*)$")
    if line then msg = c.path .. ":" .. line .. ": " .. problem end
    return nil, "plugin '" .. c.name .. "' cannot be loaded: " .. msg
  end
  local ok, result = xpcall(chunk, function(e)
    local tb = plugin_traceback(tostring(e)) -- not a tail call: level 3 is the error
    return tb
  end, c.module or c.name, c.path)
  if not ok then
    return nil, "plugin '" .. c.name .. "' (" .. c.path .. ") failed while loading: " .. result
  end
  return result
end

--- Loads candidate c (cached by path); returns plugin or nil, msg.
function Loader:load_candidate(c)
  local hit = self.cache[c.path]
  if not hit then
    local p, msg
    -- a module already required is that module: one copy of its state
    if c.module and type(package.loaded[c.module]) == "table" then
      p = package.loaded[c.module]
    else
      p, msg = load_file(c)
    end
    if p ~= nil or not msg then
      local problem = declaration_problem(p, c.name)
      if problem then
        msg = "plugin '" .. c.name .. "' (" .. c.path .. ") " .. problem
        p = nil
      end
    end
    if p then
      if p.kind == "format" and p.extension == nil then p.extension = p.name end
      p.options = p.options or {}
      hit = { plugin = p }
      if c.module and package.loaded[c.module] == nil then package.loaded[c.module] = p end
    else
      hit = { error = msg }
    end
    self.cache[c.path] = hit
  end
  return hit.plugin, hit.error
end

local function describe(c, p, err)
  local t = { name = c.name, origin = c.origin, path = c.path }
  if p then
    t.kind, t.description, t.api = p.kind, p.description, p.api
  else
    t.error = err
  end
  return t
end

--- loader:list([kind]) -> array of { name, kind, origin, path,
--- description, api } sorted by name; a plugin that fails to load has
--- `error` (and no kind) instead. Plugins hidden by an earlier one of the
--- same name are listed under `shadows` (their paths) of the winner.
function Loader:list(kind)
  local by_name, out = {}, {}
  for _, c in ipairs(self:candidates()) do
    local first = by_name[c.name]
    if first then
      first.shadows = first.shadows or {}
      first.shadows[#first.shadows + 1] = c.path
    else
      local p, err = self:load_candidate(c)
      local t = describe(c, p, err)
      by_name[c.name] = t
      if not kind or t.kind == kind then out[#out + 1] = t end
    end
  end
  table.sort(out, function(a, b) return a.name < b.name end)
  return out
end

--- loader:find(name) -> the winning candidate of name, or nil.
function Loader:find(name)
  for _, c in ipairs(self:candidates()) do
    if c.name == name then return c end
  end
  return nil
end

--- loader:load(name [, kind]) -> plugin, info | nil, msg, code. code is
--- "ENOENT" when no plugin has that name (or not of that kind), "EINVAL"
--- when it is broken.
function Loader:load(name, kind)
  if type(name) ~= "string" then
    error("bad argument #1 to 'load' (string expected, got " .. type(name) .. ")", 2)
  end
  local c = self:find(name)
  local p, err
  if c then
    p, err = self:load_candidate(c)
    if not p then return nil, err, "EINVAL" end
  elseif self.package_path and package.preload["quarry.plugins." .. name] then
    -- a module that only a searcher knows (package.preload)
    c = { name = name, origin = "module", module = "quarry.plugins." .. name }
    local ok, mod = pcall(require, c.module)
    if not ok then return nil, "plugin '" .. name .. "' failed while loading: " .. tostring(mod), "EINVAL" end
    local problem = declaration_problem(mod, name)
    if problem then return nil, "plugin '" .. name .. "' " .. problem, "EINVAL" end
    p = mod
    p.options = p.options or {}
    if p.kind == "format" and p.extension == nil then p.extension = p.name end
  end
  if not p then
    return nil, self:unknown_message(name, kind), "ENOENT"
  end
  if kind and p.kind ~= kind then
    return nil, "'" .. name .. "' is " .. (p.kind == "format" and "a format" or "an analysis")
      .. ", not " .. (kind == "format" and "a format" or "an analysis") .. "; "
      .. self:known_text(kind), "ENOENT"
  end
  return p, describe(c, p)
end

--- "known: a, b, c" for the working plugins of kind.
function Loader:known_text(kind)
  local names = {}
  for _, t in ipairs(self:list(kind)) do
    if not t.error then names[#names + 1] = t.name end
  end
  local what = kind == "format" and "formats" or kind == "analysis" and "analyses" or "plugins"
  if #names == 0 then return "no " .. what .. " are installed" end
  return "known " .. what .. ": " .. table.concat(names, ", ")
end

function Loader:unknown_message(name, kind)
  local what = kind == "format" and "format" or kind == "analysis" and "analysis" or "plugin"
  return "unknown " .. what .. " '" .. name .. "' (" .. self:known_text(kind) .. ")"
end

-- Option values -----------------------------------------------------------

local TRUE_WORDS = { ["true"] = true, yes = true, on = true, ["1"] = true }
local FALSE_WORDS = { ["false"] = true, no = true, off = true, ["0"] = true }

--- Converts v (a string from the command line, or a typed value from a
--- spec or a script) to the type of option o. Returns the value, or nil
--- and "must be ..., got ..." (without the plugin and option names).
function M.convert_option(o, v)
  local t = o.type
  if t == "string" then
    if type(v) == "string" then return v end
    if type(v) == "number" then return tostring(v) end
    return nil, "must be a string, got " .. shown(v)
  elseif t == "integer" then
    local n = type(v) == "number" and v or type(v) == "string" and tonumber(v) or nil
    n = n and math.tointeger(n)
    if not n then return nil, "must be an integer, got " .. shown(v) end
    return n
  elseif t == "number" then
    local n = type(v) == "number" and v or type(v) == "string" and tonumber(v) or nil
    if not n then return nil, "must be a number, got " .. shown(v) end
    return n
  elseif t == "boolean" then
    if type(v) == "boolean" then return v end
    if type(v) == "string" then
      local w = v:lower()
      if TRUE_WORDS[w] then return true end
      if FALSE_WORDS[w] then return false end
    end
    return nil, "must be true or false, got " .. shown(v)
  elseif t == "list" then
    local out = {}
    if type(v) == "string" then
      -- the command line's form: comma-separated
      for item in (v .. ","):gmatch("([^,]*),") do
        item = item:match("^%s*(.-)%s*$")
        if item ~= "" then out[#out + 1] = item end
      end
      return out
    end
    if type(v) ~= "table" then return nil, "must be a list of strings, got " .. shown(v) end
    for k, item in pairs(v) do
      if math.type(k) ~= "integer" or k < 1 or k > #v then
        return nil, "must be a list of strings, got a table with key " .. shown(k)
      end
      if type(item) == "number" then item = tostring(item) end
      if type(item) ~= "string" then
        return nil, "must be a list of strings, got " .. shown(item) .. " in it"
      end
      out[k] = item
    end
    return out
  elseif t == "enum" then
    if type(v) == "string" then
      for _, c in ipairs(o.choices) do
        if c == v then return v end
      end
    end
    return nil, "must be one of " .. table.concat(o.choices, ", ") .. ", got " .. shown(v)
  end
  return nil, "has an unknown type"
end

local function copy(v)
  if type(v) ~= "table" then return v end
  local out = {}
  for k, x in pairs(v) do out[k] = copy(x) end
  return out
end

--- plugins.validate_options(plugin, given) -> opts | nil, msg, "EINVAL",
--- option name. given maps option names to values (strings are converted
--- by type, so command-line values work); defaults fill what is not given.
function M.validate_options(plugin, given)
  given = given or {}
  if type(given) ~= "table" then
    return nil, "plugin '" .. plugin.name .. "': options must be a table, got " .. shown(given),
      "EINVAL"
  end
  local decl = {}
  local names = {}
  for _, o in ipairs(plugin.options or {}) do
    decl[o.name] = o
    names[#names + 1] = o.name
  end
  local unknown = {}
  for k in pairs(given) do
    if type(k) ~= "string" or not decl[k] then unknown[#unknown + 1] = tostring(k) end
  end
  if #unknown > 0 then
    table.sort(unknown)
    local known = #names > 0 and ("known options: " .. table.concat(names, ", "))
      or "it takes no options"
    return nil, string.format("plugin '%s': unknown option%s %s (%s)", plugin.name,
      #unknown > 1 and "s" or "", "'" .. table.concat(unknown, "', '") .. "'", known),
      "EINVAL", unknown[1]
  end
  local opts = {}
  for _, o in ipairs(plugin.options or {}) do
    local v = given[o.name]
    if v == nil then
      if o.required then
        return nil, string.format("plugin '%s': option '%s' is required", plugin.name, o.name),
          "EINVAL", o.name
      end
      opts[o.name] = copy(o.default)
    else
      local value, msg = M.convert_option(o, v)
      if msg then
        return nil, string.format("plugin '%s': option '%s' %s", plugin.name, o.name, msg),
          "EINVAL", o.name
      end
      opts[o.name] = value
    end
  end
  return opts
end

-- An expected failure a plugin raises on purpose (plugins.fail): a
-- problem of the input, which the message explains; no traceback.
local Failure = { __name = "quarry.plugins.Failure" }
Failure.__index = Failure
Failure.__tostring = function(e) return e.message end

--- plugins.fail(fmt, ...) raises an expected failure from a hook: "these
--- options cannot work on this corpus" rather than a bug. plugins.call
--- returns it as nil, "plugin 'NAME', hook 'HOOK': message", "EINVAL"
--- (no traceback; `quarry report` exits with 2, as for a bad option).
function M.fail(fmt, ...)
  local msg = select("#", ...) > 0 and string.format(fmt, ...) or tostring(fmt)
  error(setmetatable({ message = msg }, Failure), 0)
end

local function error_text(e)
  if type(e) == "table" and type(e.message) == "string" then return e.message end
  return tostring(e)
end

--- plugins.call(plugin, hook, ...) -> true, the hook's results | nil, msg,
--- code (as pcall: a hook may return nothing). The hook runs under xpcall:
--- an error becomes "plugin 'NAME', hook 'HOOK': message" and the
--- traceback, code "EPLUGIN"; a hook that returns the wrong type (render
--- must return a string) is an error too; plugins.fail gives "EINVAL" and
--- no traceback.
function M.call(plugin, hook, ...)
  local name = type(plugin) == "table" and tostring(plugin.name) or "?"
  local fn = type(plugin) == "table" and plugin[hook] or nil
  if type(fn) ~= "function" then
    return nil, string.format("plugin '%s' has no hook '%s'", name, hook), "EPLUGIN"
  end
  local results = table.pack(xpcall(fn, function(e)
    if getmetatable(e) == Failure then return e end
    local tb = plugin_traceback(error_text(e)) -- not a tail call: level 3 is the error
    return tb
  end, ...))
  if not results[1] then
    local e = results[2]
    if getmetatable(e) == Failure then
      return nil, string.format("plugin '%s', hook '%s': %s", name, hook, e.message), "EINVAL"
    end
    return nil, string.format("plugin '%s', hook '%s': %s", name, hook, e), "EPLUGIN"
  end
  local want = M.HOOK_RESULTS[hook]
  if want and type(results[2]) ~= want then
    return nil, string.format("plugin '%s', hook '%s' returned %s, not a %s", name, hook,
                              type(results[2]), want), "EPLUGIN"
  end
  return true, table.unpack(results, 2, results.n)
end

-- The default loader, from the environment, made on first use.
local default

--- plugins.default() -> the Loader of the environment ($QUARRY_PATH, the
--- user's directory, package.path).
function M.default()
  default = default or M.loader()
  return default
end

--- Forgets the default loader (and its cache): the next call reads the
--- environment again.
function M.reset()
  default = nil
end

function M.list(kind) return M.default():list(kind) end
function M.load(name, kind) return M.default():load(name, kind) end

M.Loader = Loader

return M
