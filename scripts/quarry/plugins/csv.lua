-- quarry.plugins.csv: the tabular blocks of a report as RFC 4180 CSV
-- (docs/reports.md). Tables keep their columns; a series is x, group, y,
-- one row per point; concordance lines are label, position, left, hit,
-- right, doc. Values are written for machines: numbers in full precision,
-- percents as the fraction they hold, empty cells for missing values.
--
-- With `table = NAME` the output is that one block: a header row (column
-- keys) and its rows. Without it, every tabular block in report order;
-- when there is more than one, each starts with a one-field record
-- "# NAME" and they are separated by an empty line.
local util = require "quarry.report_util"

local CRLF = "\r\n"

local function field(v)
  if util.is_empty(v) then return "" end
  local s
  if type(v) == "number" then
    s = util.raw_number(v)
  else
    s = tostring(v)
  end
  if s:find('[,"\r\n]') then s = '"' .. s:gsub('"', '""') .. '"' end
  return s
end

local function record(values, n)
  local out = {}
  for i = 1, n do out[i] = field(values[i]) end
  return table.concat(out, ",") .. CRLF
end

local function columns_and_rows(b)
  if b.type == "table" then return b.columns, b.rows end
  if b.type == "series" then return util.series_long(b) end
  return util.KWIC_COLUMNS, b.lines or {}
end

local function block_csv(b)
  local columns, rows = columns_and_rows(b)
  local out, keys = {}, {}
  for c, col in ipairs(columns) do keys[c] = col.key end
  out[1] = record(keys, #keys)
  for _, row in ipairs(rows) do
    local values = {}
    for c, key in ipairs(keys) do values[c] = row[key] end
    out[#out + 1] = record(values, #keys)
  end
  return table.concat(out)
end

local function render(report, opts)
  opts = opts or {}
  local blocks = util.tabular_blocks(report)
  if opts.table ~= nil then
    local names = {}
    for _, t in ipairs(blocks) do
      if t.name == opts.table then return block_csv(t.block) end
      names[#names + 1] = t.name
    end
    error(string.format("no table named '%s' in the report (tables: %s)", tostring(opts.table),
                        #names > 0 and table.concat(names, ", ") or "none"), 0)
  end
  if #blocks == 1 then return block_csv(blocks[1].block) end
  local out = {}
  for i, t in ipairs(blocks) do
    if i > 1 then out[#out + 1] = CRLF end
    out[#out + 1] = record({ "# " .. t.name }, 1)
    out[#out + 1] = block_csv(t.block)
  end
  return table.concat(out)
end

return {
  api = 1,
  name = "csv",
  kind = "format",
  description = "CSV (RFC 4180): every table, series and concordance of the report, or one of them",
  options = {
    { name = "table", type = "string",
      help = "write only the table, series or concordance of this name (unnamed ones are table1, series1, kwic1, ...)" },
  },
  extension = "csv",
  render = render,
}
