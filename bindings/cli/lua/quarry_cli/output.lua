-- quarry_cli.output: one table printed in the format the user asked for:
-- aligned text, JSON (an array of objects), CSV (RFC 4180) or Markdown.
-- Every command that prints records goes through it, so the formats agree.
local quarry = require "quarry"
local util = require "quarry_cli.util"

local M = {}

--- The --format option the table commands share.
M.format_option = {
  long = "format", short = "f", arg = "FMT", choices = { "text", "json", "csv", "md" },
  default = "text", help = "output format: text, json, csv or md",
}

local function cell_text(v)
  if v == nil or v == false then return "" end
  if math.type(v) == "float" then
    return (string.format("%.6g", v))
  end
  return tostring(v)
end

local function csv_cell(s)
  if s:find('[",\r\n]') then return '"' .. s:gsub('"', '""') .. '"' end
  return s
end

local function md_cell(s)
  return (s:gsub("\\", "\\\\"):gsub("|", "\\|"):gsub("[\r\n]+", " "))
end

--- Writes rows (arrays of values, or records keyed by column key) with
--- columns {key =, title =, align = "r"} to out in format fmt.
function M.table(out, fmt, columns, rows)
  local function value(r, i)
    local v = r[columns[i].key]
    if v == nil then v = r[i] end
    return v
  end
  if fmt == "json" then
    local arr = quarry.json.array()
    for _, r in ipairs(rows) do
      local o = quarry.json.object()
      for i, c in ipairs(columns) do
        local v = value(r, i)
        if v == nil then v = quarry.json.null end
        o[c.key] = v
      end
      arr[#arr + 1] = o
    end
    out:write(quarry.json.encode(arr, { indent = true }), "\n")
  elseif fmt == "csv" then
    local head = {}
    for i, c in ipairs(columns) do head[i] = csv_cell(c.key) end
    out:write(table.concat(head, ","), "\r\n")
    for _, r in ipairs(rows) do
      local cells = {}
      for i = 1, #columns do cells[i] = csv_cell(cell_text(value(r, i))) end
      out:write(table.concat(cells, ","), "\r\n")
    end
  elseif fmt == "md" then
    local head, rule = {}, {}
    for i, c in ipairs(columns) do
      head[i] = md_cell(c.title or c.key)
      rule[i] = c.align == "r" and "---:" or "---"
    end
    out:write("| ", table.concat(head, " | "), " |\n| ", table.concat(rule, " | "), " |\n")
    for _, r in ipairs(rows) do
      local cells = {}
      for i = 1, #columns do cells[i] = md_cell(cell_text(value(r, i))) end
      out:write("| ", table.concat(cells, " | "), " |\n")
    end
  else
    local lines, align = { {} }, {}
    for i, c in ipairs(columns) do
      lines[1][i] = c.title or c.key
      align[i] = c.align
    end
    for _, r in ipairs(rows) do
      local cells = {}
      for i = 1, #columns do cells[i] = cell_text(value(r, i)) end
      lines[#lines + 1] = cells
    end
    out:write(util.columns(lines, align))
  end
end

return M
