-- quarry.report: the report model every analysis fills and every format
-- renders (docs/reports.md).
--
-- A report is plain data, so that it can be written as JSON and read back,
-- and so that a format plugin needs nothing but the table:
--
--   { schema = "quarry.report/1", title =, subtitle =, params = {k = v},
--     provenance = { quarry =, index =, generation =, documents =, tokens =,
--                    created =, queries = {...}, options = {...} },
--     sections = { { title =, intro =, blocks = { block, ... } }, ... } }
--
-- Blocks have a `type`:
--   text    { text = "a paragraph" }
--   table   { name =, caption =, columns = { { key =, title =, type = } },
--             rows = { { [key] = value, ... }, ... } }  -- type: "string",
--             "integer", "number", "date", "percent"; digits = for numbers
--   series  { name =, caption =, kind = "line" | "bar" | "diverging" |
--             "dispersion", x = { label =, type = },
--             y = { label =, type =, digits = },
--             points = { { x =, y =, group = }, ... } }
--             (dispersion: x is a position in [0, 1], group the row label)
--   kwic    { name =, caption =, lines = { { label =, position =, left =,
--             hit =, right =, doc = }, ... } }
--
-- Section methods raise on a malformed block; report.validate(data) and
-- report.from_data(data) check plain data and return nil, message.
local M = {}

M.SCHEMA = "quarry.report/1"

local Report = {}
Report.__index = Report
local Section = {}
Section.__index = Section

local COLUMN_TYPES = { string = true, integer = true, number = true, date = true, percent = true }
local NUMERIC_TYPES = { integer = true, number = true, percent = true }
local SERIES_KINDS = { line = true, bar = true, diverging = true, dispersion = true }

local json_null = require("quarry.json").null

local function check_name(v, what)
  if v ~= nil and type(v) ~= "string" then
    error(what .. " must be a string", 3)
  end
end

local function is_empty(v)
  return v == nil or v == json_null
end

local function digits_ok(d)
  return d == nil or (math.type(d) == "integer" and d >= 0 and d <= 15)
end

-- The validators return nil when a block is well formed, else a message;
-- Section methods raise it at the caller, from_data returns it.

local function table_problem(t)
  if type(t) ~= "table" or type(t.columns) ~= "table" or type(t.rows) ~= "table" then
    return "table block: columns and rows are required"
  end
  if #t.columns == 0 then return "table block: at least one column is required" end
  local keys = {}
  for i, c in ipairs(t.columns) do
    if type(c) ~= "table" or type(c.key) ~= "string" then
      return "table block: column " .. i .. " has no key"
    end
    if keys[c.key] then return "table block: column '" .. c.key .. "' appears twice" end
    keys[c.key] = true
    if not COLUMN_TYPES[c.type or "string"] then
      return "table block: column '" .. c.key .. "' has unknown type '" .. tostring(c.type) .. "'"
    end
    if c.title ~= nil and type(c.title) ~= "string" then
      return "table block: column '" .. c.key .. "' title must be a string"
    end
    if not digits_ok(c.digits) then
      return "table block: column '" .. c.key .. "' digits must be an integer from 0 to 15"
    end
  end
  for r, row in ipairs(t.rows) do
    if type(row) ~= "table" then return "table block: row " .. r .. " is not a table" end
    for _, c in ipairs(t.columns) do
      local v = row[c.key]
      if NUMERIC_TYPES[c.type or "string"] and not is_empty(v) and type(v) ~= "number" then
        return "table block: row " .. r .. " column '" .. c.key .. "' (" .. c.type
          .. ") holds a " .. type(v) .. ", not a number"
      end
    end
  end
  return nil
end

local function series_problem(t)
  if type(t) ~= "table" or type(t.points) ~= "table" then
    return "series block: points are required"
  end
  if not SERIES_KINDS[t.kind] then
    return "series block: kind must be line, bar, diverging or dispersion"
  end
  if t.x ~= nil and type(t.x) ~= "table" then return "series block: x must be a table" end
  if t.y ~= nil and type(t.y) ~= "table" then return "series block: y must be a table" end
  for _, axis in ipairs({ "x", "y" }) do
    local a = t[axis]
    if a then
      if a.type ~= nil and not COLUMN_TYPES[a.type] then
        return "series block: " .. axis .. " has unknown type '" .. tostring(a.type) .. "'"
      end
      if a.label ~= nil and type(a.label) ~= "string" then
        return "series block: " .. axis .. " label must be a string"
      end
      if not digits_ok(a.digits) then
        return "series block: " .. axis .. " digits must be an integer from 0 to 15"
      end
    end
  end
  for i, p in ipairs(t.points) do
    if type(p) ~= "table" or is_empty(p.x) or type(p.y) ~= "number" then
      return "series block: point " .. i .. " needs x and a numeric y"
    end
    if t.kind == "dispersion" and (type(p.x) ~= "number" or p.x < 0 or p.x > 1) then
      return "series block: dispersion point " .. i .. " needs x in [0, 1]"
    end
    local g = p.group
    if not is_empty(g) and type(g) ~= "string" and type(g) ~= "number" then
      return "series block: point " .. i .. " group must be a string or a number"
    end
  end
  return nil
end

local function kwic_problem(t)
  if type(t) ~= "table" or type(t.lines) ~= "table" then
    return "kwic block: lines are required"
  end
  for i, l in ipairs(t.lines) do
    if type(l) ~= "table" or type(l.hit) ~= "string" then
      return "kwic block: line " .. i .. " needs a hit (string)"
    end
    for _, k in ipairs({ "left", "right" }) do
      if l[k] ~= nil and type(l[k]) ~= "string" then
        return "kwic block: line " .. i .. " " .. k .. " must be a string"
      end
    end
    if not is_empty(l.position) and math.type(l.position) ~= "integer" then
      return "kwic block: line " .. i .. " position must be an integer"
    end
  end
  return nil
end

local function name_problem(b, what)
  for _, k in ipairs({ "name", "caption" }) do
    if not is_empty(b[k]) and type(b[k]) ~= "string" then
      return what .. " " .. k .. " must be a string"
    end
  end
  return nil
end

--- report.new{ title =, subtitle =, params = {} } -> Report
function M.new(t)
  t = t or {}
  if type(t.title) ~= "string" or t.title == "" then
    error("quarry.report.new: a title (string) is required", 2)
  end
  check_name(t.subtitle, "subtitle")
  return setmetatable({
    schema = M.SCHEMA,
    title = t.title,
    subtitle = t.subtitle,
    params = t.params or {},
    provenance = { quarry = require("quarry")._VERSION, created = os.date("!%Y-%m-%dT%H:%M:%SZ"),
                   queries = {}, options = {} },
    sections = {},
  }, Report)
end

--- report:set_index(idx [, path]) records what the report was made from:
--- the index path, its snapshot (generation), documents and tokens.
function Report:set_index(idx, path)
  local info = assert(idx:info())
  local p = self.provenance
  p.index = path or p.index
  p.generation = info.generation
  p.documents = info.documents
  p.tokens = info.tokens
  return self
end

--- Records a query or an option in the provenance.
function Report:add_query(q)
  local t = self.provenance.queries
  t[#t + 1] = type(q) == "string" and q or tostring(q)
  return self
end

function Report:set_option(k, v)
  self.provenance.options[k] = v
  return self
end

--- report:section(title [, intro]) -> Section (appended)
function Report:section(title, intro)
  if type(title) ~= "string" then error("section title must be a string", 2) end
  check_name(intro, "section intro")
  local s = setmetatable({ title = title, intro = intro, blocks = {} }, Section)
  self.sections[#self.sections + 1] = s
  return s
end

function Section:text(text)
  if type(text) ~= "string" then error("text block: a string is required", 2) end
  self.blocks[#self.blocks + 1] = { type = "text", text = text }
  return self
end

function Section:table(t)
  local problem = table_problem(t)
  if problem then error(problem, 2) end
  for _, c in ipairs(t.columns) do c.type = c.type or "string" end
  check_name(t.name, "table name")
  check_name(t.caption, "table caption")
  self.blocks[#self.blocks + 1] = { type = "table", name = t.name, caption = t.caption,
                                    columns = t.columns, rows = t.rows }
  return self
end

function Section:series(t)
  local problem = series_problem(t)
  if problem then error(problem, 2) end
  check_name(t.name, "series name")
  check_name(t.caption, "series caption")
  self.blocks[#self.blocks + 1] = { type = "series", name = t.name, caption = t.caption,
                                    kind = t.kind, x = t.x or {}, y = t.y or {},
                                    points = t.points }
  return self
end

function Section:kwic(t)
  local problem = kwic_problem(t)
  if problem then error(problem, 2) end
  check_name(t.name, "kwic name")
  check_name(t.caption, "kwic caption")
  self.blocks[#self.blocks + 1] = { type = "kwic", name = t.name, caption = t.caption,
                                    lines = t.lines }
  return self
end

--- The report as plain tables (no metatables), e.g. for JSON. JSON null
--- (in a report read back from JSON) stays quarry.json.null.
function Report:data()
  local function plain(v)
    if type(v) ~= "table" or v == json_null then return v end
    local out = {}
    for k, x in pairs(v) do out[k] = plain(x) end
    return out
  end
  return plain(self)
end

--- Every table block of the report, in order, with its section title.
function Report:tables()
  local out = {}
  for _, s in ipairs(self.sections) do
    for _, b in ipairs(s.blocks) do
      if b.type == "table" then out[#out + 1] = { section = s.title, block = b } end
    end
  end
  return out
end

local BLOCK_PROBLEM = { table = table_problem, series = series_problem, kwic = kwic_problem,
                       text = function(b)
                         if type(b.text) ~= "string" then return "text block: a string is required" end
                       end }

--- report.validate(data) -> true | nil, message: checks plain report data
--- (or a Report) against the shape above, naming the section and block.
function M.validate(t)
  if type(t) ~= "table" or t.schema ~= M.SCHEMA then
    return nil, "not a quarry report (schema " .. M.SCHEMA .. ")"
  end
  if type(t.title) ~= "string" or t.title == "" then return nil, "report: a title is required" end
  if not is_empty(t.subtitle) and type(t.subtitle) ~= "string" then
    return nil, "report: subtitle must be a string"
  end
  for _, k in ipairs({ "params", "provenance" }) do
    if not is_empty(t[k]) and type(t[k]) ~= "table" then return nil, "report: " .. k .. " must be a table" end
  end
  if type(t.sections) ~= "table" then return nil, "report: sections are required" end
  for i, s in ipairs(t.sections) do
    if type(s) ~= "table" or type(s.title) ~= "string" or type(s.blocks) ~= "table" then
      return nil, "section " .. i .. ": a title and blocks are required"
    end
    for j, b in ipairs(s.blocks) do
      local check = type(b) == "table" and BLOCK_PROBLEM[b.type]
      local problem
      if not check then
        problem = "unknown block type '" .. tostring(type(b) == "table" and b.type or b) .. "'"
      else
        problem = check(b) or name_problem(b, b.type .. " block")
      end
      if problem then
        return nil, string.format("section %d (%s) block %d: %s", i, s.title, j, problem)
      end
    end
  end
  return true
end

--- report:validate() -> true | nil, message
function Report:validate()
  return M.validate(self)
end

--- Wraps plain data (a decoded JSON report) as a Report again, after
--- validating it. JSON has no NaN: a series y read back as null becomes
--- NaN again. Returns nil, message when t is not a valid report.
function M.from_data(t)
  if type(t) == "table" and type(t.sections) == "table" then
    for _, s in ipairs(t.sections) do
      for _, b in ipairs(type(s) == "table" and type(s.blocks) == "table" and s.blocks or {}) do
        if type(b) == "table" and b.type == "series" and type(b.points) == "table" then
          for _, p in ipairs(b.points) do
            if type(p) == "table" and p.y == json_null then p.y = 0 / 0 end
          end
        end
      end
    end
  end
  local ok, msg = M.validate(t)
  if not ok then return nil, msg end
  setmetatable(t, Report)
  for _, s in ipairs(t.sections) do setmetatable(s, Section) end
  return t
end

M.Report = Report
M.Section = Section

-- Report specs and writing files (quarry.report_run, loaded on first use)
for _, f in ipairs({ "run", "write", "render", "load_spec", "load_spec_file", "check_spec" }) do M[f] = function(...) return require("quarry.report_run")[f](...) end end

return M
