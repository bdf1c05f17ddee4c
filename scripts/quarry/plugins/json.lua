-- quarry.plugins.json: a report as JSON, schema "quarry.report/1"
-- (docs/reports.md, "JSON schema"). The document is the report's plain
-- data with object keys sorted, so the same report always gives the same
-- bytes; report.from_data(json.decode(text)) reads it back.
local json = require "quarry.json"

local function is_null(v) return v == json.null end

-- A copy of v without metatables (json.null kept as is).
local function plain(v)
  if type(v) ~= "table" or is_null(v) then return v end
  local out = {}
  for k, x in pairs(v) do out[k] = plain(x) end
  return out
end

-- Lua cannot tell an empty object from an empty array: mark the tables
-- the schema defines as objects so that they stay objects when empty.
local function object(t)
  if type(t) ~= "table" or is_null(t) then return t end
  return json.object(t)
end

local function array(t)
  if type(t) ~= "table" or is_null(t) then return t end
  return json.array(t)
end

local function each(t, f)
  if type(t) ~= "table" or is_null(t) then return end
  for _, v in ipairs(t) do f(v) end
end

local function shape(data)
  object(data)
  data.params = object(data.params or {})
  for k, v in pairs(data.params) do
    -- a list parameter stays a list even when empty
    if type(v) == "table" and not is_null(v) and next(v) == nil then data.params[k] = array(v) end
  end
  data.provenance = object(data.provenance or {})
  data.provenance.queries = array(data.provenance.queries or {})
  data.provenance.options = object(data.provenance.options or {})
  data.sections = array(data.sections or {})
  each(data.sections, function(s)
    object(s)
    s.blocks = array(s.blocks or {})
    each(s.blocks, function(b)
      object(b)
      if b.type == "table" then
        b.columns = array(b.columns)
        each(b.columns, object)
        b.rows = array(b.rows)
        each(b.rows, object)
      elseif b.type == "series" then
        b.x = object(b.x or {})
        b.y = object(b.y or {})
        b.points = array(b.points)
        each(b.points, object)
      elseif b.type == "kwic" then
        b.lines = array(b.lines)
        each(b.lines, object)
      end
    end)
  end)
  return data
end

local function render(report, opts)
  opts = opts or {}
  local data = shape(plain(report))
  return json.encode(data, { indent = not opts.compact }) .. "\n"
end

return {
  api = 1,
  name = "json",
  kind = "format",
  description = 'the report as JSON (schema "quarry.report/1"), keys sorted for stable output',
  options = {
    { name = "compact", type = "boolean", default = false,
      help = "one line without indentation instead of two-space indents" },
  },
  extension = "json",
  render = render,
}
