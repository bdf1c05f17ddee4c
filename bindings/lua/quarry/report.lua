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
--             "dispersion", x = { label =, type = }, y = { label = },
--             points = { { x =, y =, group = }, ... } }
--             (dispersion: x is a position in [0, 1], group the row label)
--   kwic    { name =, caption =, lines = { { label =, position =, left =,
--             hit =, right =, doc = }, ... } }
local M = {}

M.SCHEMA = "quarry.report/1"

local Report = {}
Report.__index = Report
local Section = {}
Section.__index = Section

local COLUMN_TYPES = { string = true, integer = true, number = true, date = true, percent = true }
local SERIES_KINDS = { line = true, bar = true, diverging = true, dispersion = true }

local function check_name(v, what)
  if v ~= nil and type(v) ~= "string" then
    error(what .. " must be a string", 3)
  end
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
  if type(t) ~= "table" or type(t.columns) ~= "table" or type(t.rows) ~= "table" then
    error("table block: columns and rows are required", 2)
  end
  for i, c in ipairs(t.columns) do
    if type(c.key) ~= "string" then error("table block: column " .. i .. " has no key", 2) end
    c.type = c.type or "string"
    if not COLUMN_TYPES[c.type] then
      error("table block: column '" .. c.key .. "' has unknown type '" .. tostring(c.type) .. "'", 2)
    end
  end
  check_name(t.name, "table name")
  self.blocks[#self.blocks + 1] = { type = "table", name = t.name, caption = t.caption,
                                    columns = t.columns, rows = t.rows }
  return self
end

function Section:series(t)
  if type(t) ~= "table" or type(t.points) ~= "table" then
    error("series block: points are required", 2)
  end
  if not SERIES_KINDS[t.kind] then
    error("series block: kind must be line, bar, diverging or dispersion", 2)
  end
  for i, p in ipairs(t.points) do
    if p.x == nil or type(p.y) ~= "number" then
      error("series block: point " .. i .. " needs x and a numeric y", 2)
    end
  end
  check_name(t.name, "series name")
  self.blocks[#self.blocks + 1] = { type = "series", name = t.name, caption = t.caption,
                                    kind = t.kind, x = t.x or {}, y = t.y or {},
                                    points = t.points }
  return self
end

function Section:kwic(t)
  if type(t) ~= "table" or type(t.lines) ~= "table" then
    error("kwic block: lines are required", 2)
  end
  check_name(t.name, "kwic name")
  self.blocks[#self.blocks + 1] = { type = "kwic", name = t.name, caption = t.caption,
                                    lines = t.lines }
  return self
end

--- The report as plain tables (no metatables), e.g. for JSON.
function Report:data()
  local function plain(v)
    if type(v) ~= "table" then return v end
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

--- Wraps plain data (a decoded JSON report) as a Report again.
function M.from_data(t)
  if type(t) ~= "table" or t.schema ~= M.SCHEMA then
    return nil, "not a quarry report (schema " .. M.SCHEMA .. ")"
  end
  setmetatable(t, Report)
  for _, s in ipairs(t.sections or {}) do setmetatable(s, Section) end
  return t
end

M.Report = Report
M.Section = Section

return M
