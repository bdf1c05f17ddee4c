-- quarry.report_run: report specs (docs/reports.md, "Report specs") and
-- running them: quarry.report.run(idx, spec), quarry.report.write(report,
-- formats, base), quarry.report.load_spec(text_or_path).
--
-- A spec is a YAML mapping (or the same Lua table):
--
--   title: New quality productive forces
--   index: gwr.quarry                     # optional
--   subcorpus: { filter: "year>=2015" }   # optional, default of every analysis
--   analyses:
--     - analysis: key-terms               # a plugin name
--       options: { terms: [新质生产力, 高质量发展] }
--     - word-lengths                      # no options: the name alone
--   formats: [html, markdown, json]       # or { format: text, options: {...} }
--   output: reports/nqpf                  # base path of the files
--
-- Checking a spec resolves every analysis and format to its plugin and
-- validates their options, so a mistake is reported before any index is
-- opened, with the line and column of the offending YAML node.
local quarry = require "quarry"
local plugins = require "quarry.plugins"
local report_model = require "quarry.report"

local M = {}

local TOP_KEYS = { "title", "subtitle", "index", "params", "subcorpus", "analyses", "formats",
                   "output" }
local ANALYSIS_KEYS = { "analysis", "options", "subcorpus" }
local FORMAT_KEYS = { "format", "options" }
local SUBCORPUS_KEYS = { "filter", "query" }

-- A checked spec: what check() returns and run() accepts without checking
-- again.
local Checked = { __name = "quarry.ReportSpec" }
Checked.__index = Checked

-- Spec errors travel as this table up to check(), which returns them.
local SpecError = {}

local function type_name(v)
  if type(v) == "table" then
    if next(v) == nil then return "an empty table" end
    if #v > 0 then return "a list" end
    return "a mapping"
  end
  if type(v) == "string" then return "a string ('" .. v .. "')" end
  if type(v) == "number" then return "a number (" .. tostring(v) .. ")" end
  if type(v) == "boolean" then return tostring(v) end
  return type(v)
end

local function is_list(v)
  if type(v) ~= "table" then return false end
  local n = #v
  for k in pairs(v) do
    if math.type(k) ~= "integer" or k < 1 or k > n then return false end
  end
  return true
end

local function is_mapping(v)
  if type(v) ~= "table" then return false end
  for k in pairs(v) do
    if type(k) ~= "string" then return false end
  end
  return true
end

-- The checking context: positions of the decoded YAML (may be empty) and
-- the name of the source for messages.
local Where = {}
Where.__index = Where

--- Position of tbl[key]'s value (or its key, or the table itself).
function Where:at(tbl, key, of_key)
  local p = tbl and self.positions[tbl]
  if not p then return nil end
  if key ~= nil then
    local sub = of_key and p.keys or p.values
    local at = sub and sub[key]
    if at then return at end
    if not of_key and p.keys and p.keys[key] then return p.keys[key] end
  end
  return p
end

function Where:fail(at, fmt, ...)
  error(setmetatable({ message = string.format(fmt, ...), line = at and at.line,
                       column = at and at.column }, SpecError), 0)
end

local function known_keys(keys)
  return "known keys: " .. table.concat(keys, ", ")
end

--- Raises for keys of tbl not in keys.
function Where:only_keys(tbl, keys, what)
  local allowed = {}
  for _, k in ipairs(keys) do allowed[k] = true end
  local unknown = {}
  for k in pairs(tbl) do
    if not allowed[k] then unknown[#unknown + 1] = k end
  end
  if #unknown == 0 then return end
  table.sort(unknown, function(a, b) return tostring(a) < tostring(b) end)
  -- the first one in the text is the one to point at
  local first, first_at = unknown[1], self:at(tbl, unknown[1], true)
  for _, k in ipairs(unknown) do
    local at = self:at(tbl, k, true)
    if at and first_at and (at.line < first_at.line or
                            (at.line == first_at.line and at.column < first_at.column)) then
      first, first_at = k, at
    end
  end
  self:fail(first_at, "%sunknown key '%s' (%s)", what and (what .. ": ") or "", tostring(first),
            known_keys(keys))
end

--- A string value (numbers are accepted and written as text: `title: 2024`).
function Where:string(tbl, key, what)
  local v = tbl[key]
  if v == nil then return nil end
  if type(v) == "number" then return tostring(v) end
  if type(v) ~= "string" then
    self:fail(self:at(tbl, key), "%s must be a string, got %s", what, type_name(v))
  end
  return v
end

function Where:subcorpus(tbl, key, what)
  local v = tbl[key]
  if v == nil then return nil end
  if not is_mapping(v) then
    self:fail(self:at(tbl, key), "%s must be a mapping with filter and/or query, got %s", what,
              type_name(v))
  end
  self:only_keys(v, SUBCORPUS_KEYS, what)
  local sub = { filter = self:string(v, "filter", what .. ".filter"),
                query = self:string(v, "query", what .. ".query") }
  -- where to point at if the index rejects them
  sub.at = { filter = self:at(v, "filter"), query = self:at(v, "query") }
  return sub
end

--- Resolves a plugin reference of kind; returns the plugin.
function Where:plugin(loader, name, kind, at)
  local p, msg = loader:load(name, kind)
  if not p then self:fail(at, "%s", msg) end
  return p
end

--- Validates tbl[key] (nil: no options) as the options of plugin; at is
--- where to point when the entry has no options mapping of its own.
function Where:options(plugin, tbl, key, what, at)
  local given = tbl and tbl[key]
  if given ~= nil and not is_mapping(given) then
    self:fail(self:at(tbl, key), "%s must be a mapping of option names to values, got %s", what,
              type_name(given))
  end
  local opts, msg, _, option = plugins.validate_options(plugin, given or {})
  if not opts then
    local where = given and option and (given[option] ~= nil and self:at(given, option)
                                        or self:at(given, option, true))
    self:fail(where or self:at(tbl, key) or at, "%s", msg)
  end
  return opts, given
end

local function dirname(path)
  return path:match("^(.*)/[^/]*$") or "."
end

local function resolve(dir, path)
  if not path or not dir or path:sub(1, 1) == "/" then return path end
  if dir == "." then return path end
  return dir .. "/" .. path
end

local function check(spec, where, loader, dir)
  if not is_mapping(spec) then
    where:fail(where:at(spec), "a report spec is a mapping (title, analyses, formats, ...), got %s",
               spec == nil and "nothing" or type_name(spec))
  end
  where:only_keys(spec, TOP_KEYS, nil)
  local out = setmetatable({}, Checked)
  out.title = where:string(spec, "title", "title")
  out.subtitle = where:string(spec, "subtitle", "subtitle")
  out.index = resolve(dir, where:string(spec, "index", "index"))
  out.output = resolve(dir, where:string(spec, "output", "output"))
  if spec.params ~= nil and not is_mapping(spec.params) then
    where:fail(where:at(spec, "params"), "params must be a mapping, got %s", type_name(spec.params))
  end
  for k, v in pairs(spec.params or {}) do
    -- the JSON schema: strings, numbers, booleans or arrays of them
    local ok = type(v) ~= "table" or is_list(v)
    for _, x in ipairs(type(v) == "table" and v or {}) do
      if type(x) == "table" then ok = false end
    end
    if not ok then
      where:fail(where:at(spec.params, k), "params.%s must be a string, a number, true/false or "
                 .. "a list of them, got %s", tostring(k), type_name(v))
    end
  end
  out.params = spec.params
  out.subcorpus = where:subcorpus(spec, "subcorpus", "subcorpus")

  local analyses = spec.analyses
  if analyses == nil then
    where:fail(where:at(spec), "'analyses' is missing (a list of analyses to run)")
  end
  if not is_list(analyses) or #analyses == 0 then
    where:fail(where:at(spec, "analyses"), "analyses must be a non-empty list, got %s",
               type_name(analyses))
  end
  out.analyses = {}
  for i, a in ipairs(analyses) do
    local what = "analyses[" .. i .. "]"
    local entry
    if type(a) == "string" then
      local p = where:plugin(loader, a, "analysis", where:at(analyses, i))
      local opts = where:options(p, nil, nil, what .. ".options", where:at(analyses, i))
      entry = { name = a, plugin = p, options = opts }
    elseif is_mapping(a) then
      where:only_keys(a, ANALYSIS_KEYS, what)
      local name = where:string(a, "analysis", what .. ".analysis")
      if not name then
        where:fail(where:at(analyses, i), "%s: 'analysis' (the plugin name) is missing", what)
      end
      local p = where:plugin(loader, name, "analysis", where:at(a, "analysis"))
      local opts, given = where:options(p, a, "options", what .. ".options", where:at(analyses, i))
      entry = { name = name, plugin = p, options = opts, given = given,
                subcorpus = where:subcorpus(a, "subcorpus", what .. ".subcorpus") }
    else
      where:fail(where:at(analyses, i), "%s must be a plugin name or a mapping, got %s", what,
                 type_name(a))
    end
    out.analyses[i] = entry
  end

  local formats = spec.formats
  if type(formats) == "string" then formats = { formats } end
  out.formats = {}
  if formats ~= nil then
    if not is_list(formats) then
      where:fail(where:at(spec, "formats"), "formats must be a list of format names, got %s",
                 type_name(formats))
    end
    for i, f in ipairs(formats) do
      local what = "formats[" .. i .. "]"
      local at = spec.formats == formats and where:at(formats, i) or where:at(spec, "formats")
      local entry
      if type(f) == "string" then
        local p = where:plugin(loader, f, "format", at)
        entry = { name = f, plugin = p,
                  options = where:options(p, nil, nil, what .. ".options", at) }
      elseif is_mapping(f) then
        where:only_keys(f, FORMAT_KEYS, what)
        local name = where:string(f, "format", what .. ".format")
        if not name then where:fail(at, "%s: 'format' (the plugin name) is missing", what) end
        local p = where:plugin(loader, name, "format", where:at(f, "format"))
        entry = { name = name, plugin = p,
                  options = (where:options(p, f, "options", what .. ".options", at)) }
      else
        where:fail(at, "%s must be a format name or a mapping, got %s", what, type_name(f))
      end
      out.formats[i] = entry
    end
  end
  out.dir = dir
  return out
end

local function format_error(source, e)
  local where = source or "spec"
  if e.line then where = where .. ":" .. e.line .. ":" .. e.column end
  return where .. ": " .. e.message
end

--- report.check_spec(spec [, opts]) -> checked spec | nil, msg, "EINVAL",
--- line, column. spec is the decoded table; opts: positions (from
--- quarry.yaml.decode's second result), source (a name for messages),
--- dir (relative index and output paths are resolved against it),
--- plugins (a quarry.plugins loader; default the environment's).
function M.check_spec(spec, opts)
  opts = opts or {}
  if getmetatable(spec) == Checked then return spec end
  local where = setmetatable({ positions = opts.positions or {} }, Where)
  local loader = opts.plugins or plugins.default()
  local ok, result = pcall(check, spec, where, loader, opts.dir)
  if ok then return result end
  if getmetatable(result) ~= SpecError then error(result, 0) end
  return nil, format_error(opts.source, result), "EINVAL", result.line, result.column
end

--- report.load_spec(text [, opts]) -> checked spec | nil, msg, code, line,
--- column: decodes YAML text (code "EPARSE" for malformed YAML) and checks
--- it ("EINVAL"). opts as check_spec; opts.source names the text.
function M.load_spec(text, opts)
  opts = opts or {}
  local spec, positions, code, line, column = quarry.yaml.decode(text, { positions = true })
  if spec == nil and type(positions) == "string" then
    local msg = positions:gsub("^line %d+, column %d+: ", "")
    return nil, format_error(opts.source, { message = msg, line = line, column = column }), code,
      line, column
  end
  local o = {}
  for k, v in pairs(opts) do o[k] = v end
  o.positions = positions
  return M.check_spec(spec, o)
end

--- report.load_spec_file(path [, opts]) -> as load_spec; relative paths of
--- the spec (index, output) are relative to the spec file's directory.
function M.load_spec_file(path, opts)
  local f, err = io.open(path, "rb")
  if not f then return nil, err, "ENOENT" end
  local text = f:read("a")
  f:close()
  local o = {}
  for k, v in pairs(opts or {}) do o[k] = v end
  o.source = o.source or path
  o.dir = o.dir or dirname(path)
  return M.load_spec(text, o)
end

local function copy(v)
  if type(v) ~= "table" then return v end
  local out = {}
  for k, x in pairs(v) do out[k] = copy(x) end
  return out
end

--- Checks a subcorpus against the index; returns nil or an error message
--- and the position of the offending value.
local function subcorpus_problem(idx, sub)
  if sub.filter then
    local ok, msg = idx:docs({ filter = sub.filter, limit = 1 })
    if not ok then
      return "subcorpus filter: " .. msg:gsub("^filter: ", ""), sub.at and sub.at.filter
    end
  end
  if sub.query then
    local q, msg = quarry.query(sub.query)
    if not q then
      return "subcorpus query: " .. msg:gsub("^query: ", ""), sub.at and sub.at.query
    end
    q:close()
  end
  return nil
end

--- report.run(idx, spec [, opts]) -> Report | nil, msg, code [, line,
--- column]. spec: a checked spec (load_spec, check_spec) or a table that is
--- checked here. opts: index_path (recorded in the provenance; default the
--- spec's index), plugins (a loader), source (for messages).
--- Codes: "EINVAL" for a bad spec (or a filter or query the index
--- rejects, or an analysis that gave up with plugins.fail), "EPLUGIN" when
--- an analysis fails: the message names the plugin and the hook, with a
--- traceback.
function M.run(idx, spec, opts)
  opts = opts or {}
  local checked, msg, code, line, column = M.check_spec(spec, opts)
  if not checked then return nil, msg, code, line, column end
  spec = checked

  local first = spec.analyses[1].name
  local report = report_model.new({
    title = spec.title or ("Report: " .. first),
    subtitle = spec.subtitle,
    params = copy(spec.params) or {},
  })
  local index_path = opts.index_path or spec.index
  report:set_index(idx, index_path)
  -- params and options hold scalars and arrays (the JSON schema): a
  -- subcorpus and each analysis's options are flattened into dotted keys
  local names = {}
  for i, a in ipairs(spec.analyses) do names[i] = a.name end
  report.params.analyses = names
  if spec.subcorpus then
    report.params.filter = spec.subcorpus.filter
    report.params.query = spec.subcorpus.query
  end

  local seen = {}
  for _, a in ipairs(spec.analyses) do
    local sub = a.subcorpus or spec.subcorpus or {}
    local problem, at = subcorpus_problem(idx, sub)
    if problem then
      local e = { message = a.name .. ": " .. problem, line = at and at.line,
                  column = at and at.column }
      return nil, format_error(opts.source, e), "EINVAL", e.line, e.column
    end
    seen[a.name] = (seen[a.name] or 0) + 1
    local key = seen[a.name] > 1 and (a.name .. "#" .. seen[a.name]) or a.name
    for k, v in pairs(a.options) do report:set_option(key .. "." .. k, copy(v)) end
    if a.subcorpus then
      report:set_option(key .. ".filter", a.subcorpus.filter)
      report:set_option(key .. ".query", a.subcorpus.query)
    end
    if sub.query then report:add_query(sub.query) end

    local ctx = {
      index = idx, index_path = index_path, report = report, quarry = quarry,
      subcorpus = { filter = sub.filter, query = sub.query }, analysis = key,
    }
    local ok, err, code = plugins.call(a.plugin, "run", ctx, copy(a.options))
    if not ok then return nil, err, code end
  end
  return report
end

--- Resolves a format given as a name, a plugin table or { name =/format =,
--- options = } to plugin, options; nil, msg, code when it cannot be.
local function resolve_format(f, loader)
  if type(f) == "table" and getmetatable(f) == nil and f.plugin then
    return f.plugin, f.options or {}
  end
  if type(f) == "table" and f.kind == "format" and f.render then
    local opts, msg, code = plugins.validate_options(f, {})
    if not opts then return nil, msg, code end
    return f, opts
  end
  local name, given = f, nil
  if type(f) == "table" then name, given = f.format or f.name, f.options end
  if type(name) ~= "string" then
    error("a format is a name, a format plugin or { format =, options = }", 3)
  end
  local p, msg, code = loader:load(name, "format")
  if not p then return nil, msg, code end
  local opts
  opts, msg, code = plugins.validate_options(p, given or {})
  if not opts then return nil, msg, code end
  return p, opts
end

--- report.render(report, format [, opts]) -> text | nil, msg, code: one
--- format (a name, a plugin, { format =, options = }); opts.plugins: loader.
function M.render(report, format, opts)
  opts = opts or {}
  local p, fopts, code = resolve_format(format, opts.plugins or plugins.default())
  if not p then return nil, fopts, code end
  local ok, text_or_msg, c = plugins.call(p, "render", report, fopts)
  if not ok then return nil, text_or_msg, c end
  return text_or_msg, p
end

local function write_file(path, text)
  local tmp = path .. ".tmp"
  local f, err = io.open(tmp, "wb")
  if not f then return nil, err end
  local ok, werr = f:write(text)
  local cok, cerr = f:close()
  if not ok or not cok then
    os.remove(tmp)
    return nil, tmp .. ": " .. tostring(werr or cerr)
  end
  local rok, rerr = os.rename(tmp, path)
  if not rok then
    os.remove(tmp)
    return nil, rerr
  end
  return true
end

--- report.write(report, formats, base [, opts]) -> array of the paths
--- written | nil, msg, code. Each format (a name, a plugin, { format =,
--- options = }) is rendered and written to base .. "." .. its extension;
--- a base that already ends with one format's extension is stripped first
--- ("out.html" -> out.html, out.md). Every format is rendered before any
--- file is written, so a failing format leaves no partial set; each file
--- is written to a temporary name and renamed. Codes: "EPLUGIN" (a render
--- hook failed), "ENOENT"/"EINVAL" (unknown format, bad options, a render
--- that gave up with plugins.fail), "EIO".
function M.write(report, formats, base, opts)
  opts = opts or {}
  if type(formats) ~= "table" or formats.kind or formats.format or formats.plugin then
    formats = { formats }
  end
  if type(base) ~= "string" or base == "" then
    error("bad argument #3 to 'write' (a base path expected)", 2)
  end
  local loader = opts.plugins or plugins.default()
  local outputs, exts = {}, {}
  for _, f in ipairs(formats) do
    local p, fopts, code = resolve_format(f, loader)
    if not p then return nil, fopts, code end
    outputs[#outputs + 1] = { plugin = p, options = fopts }
    exts[p.extension] = true
  end
  local stem = base
  local ext = base:match("%.([%w-]+)$")
  if ext and exts[ext] then stem = base:sub(1, -#ext - 2) end
  local seen = {}
  for _, o in ipairs(outputs) do
    o.path = stem .. "." .. o.plugin.extension
    if seen[o.path] then
      return nil, "formats '" .. seen[o.path] .. "' and '" .. o.plugin.name
        .. "' would both write " .. o.path, "EINVAL"
    end
    seen[o.path] = o.plugin.name
    local ok, text, code = plugins.call(o.plugin, "render", report, o.options)
    if not ok then return nil, text, code end
    o.text = text
  end
  local paths = {}
  for _, o in ipairs(outputs) do
    local ok, err = write_file(o.path, o.text)
    if not ok then return nil, "cannot write " .. o.path .. ": " .. tostring(err), "EIO" end
    paths[#paths + 1] = o.path
  end
  return paths
end

M.Checked = Checked

return M
