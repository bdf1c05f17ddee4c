-- tsv: an example third-party FORMAT plugin for quarry.
--
-- It writes the tables of a report as tab-separated values, the format
-- spreadsheets and `cut`/`awk` read without quoting rules. Written only
-- against the plugin contract (docs/reports.md): render receives the
-- report (a quarry.report Report or its plain data, which have the same
-- fields) and the validated options, and returns the document as a string.
-- It does no I/O: the host writes the file (`quarry report ... --format
-- tsv -o out.tsv`).
--
-- With several tables and no `table` option, the tables follow one
-- another, each with its header row, under a first column `table` naming
-- each row's table; with `table = NAME`, that table alone, without it.

--- Escapes what TSV cannot hold in a field (tab, line breaks, backslash).
local function field(v)
  if v == nil then return "" end
  if type(v) == "number" then
    if math.type(v) == "float" and v == math.floor(v) and math.abs(v) < 2 ^ 53 then
      return string.format("%d", math.tointeger(v))
    end
    return tostring(v)
  end
  -- a decoded JSON report has a null sentinel (a table or userdata)
  if type(v) ~= "string" then return type(v) == "boolean" and tostring(v) or "" end
  return (v:gsub("[\\\t\n\r]", { ["\\"] = "\\\\", ["\t"] = "\\t", ["\n"] = "\\n",
                                 ["\r"] = "\\r" }))
end

local function tables_of(report)
  local out = {}
  for si, s in ipairs(report.sections or {}) do
    for bi, b in ipairs(s.blocks or {}) do
      if b.type == "table" then
        out[#out + 1] = { name = b.name or ("section" .. si .. "-table" .. bi), block = b }
      end
    end
  end
  return out
end

local function render(report, opts)
  local tables = tables_of(report)
  if opts.table then
    local chosen
    for _, t in ipairs(tables) do
      if t.name == opts.table then chosen = t end
    end
    if not chosen then
      local names = {}
      for _, t in ipairs(tables) do names[#names + 1] = t.name end
      error("no table named '" .. opts.table .. "' (tables: " .. table.concat(names, ", ") .. ")", 0)
    end
    tables = { chosen }
  end
  local with_name = #tables > 1
  local lines = {}
  local header_done = false
  for _, t in ipairs(tables) do
    local cols = t.block.columns
    if opts.header and (not header_done or with_name) then
      local h = {}
      if with_name then h[1] = "table" end
      for _, c in ipairs(cols) do h[#h + 1] = field(c.title or c.key) end
      lines[#lines + 1] = table.concat(h, "\t")
      header_done = true
    end
    for _, row in ipairs(t.block.rows) do
      local r = {}
      if with_name then r[1] = field(t.name) end
      for _, c in ipairs(cols) do r[#r + 1] = field(row[c.key]) end
      lines[#lines + 1] = table.concat(r, "\t")
    end
  end
  if #lines == 0 then return "" end
  return table.concat(lines, "\n") .. "\n"
end

return {
  api = 1,
  name = "tsv",
  kind = "format",
  description = "the report's tables as tab-separated values",
  extension = "tsv",
  options = {
    { name = "table", type = "string", help = "write only the table with this name" },
    { name = "header", type = "boolean", default = true, help = "write a header row per table" },
  },
  render = render,
}
