-- quarry.plugins.markdown: a report as GitHub-flavoured Markdown
-- (docs/reports.md). Tables, series and concordance lines all become
-- pipe tables with alignment rows; report text is escaped so that it
-- reads as written rather than as Markdown.
local util = require "quarry.report_util"

-- Characters Markdown would take as syntax anywhere in a line.
local function escape_inline(s)
  s = s:gsub("[\r\n\t]+", " ")
  return (s:gsub("[\\`*_%[%]<>|~]", "\\%0"))
end

-- A paragraph additionally must not start like a heading, a list item,
-- a quote or a rule.
local function escape_paragraph(s)
  s = escape_inline((s:gsub("^%s+", ""):gsub("%s+$", "")))
  s = s:gsub("^([#+%-=])", "\\%1")
  s = s:gsub("^(%d+)([.)])", "%1\\%2")
  return s
end

local function cell(s)
  return escape_inline(s)
end

local ALIGN = { left = ":---", right = "---:", center = ":---:" }

--- A pipe table: columns { { title =, align = } }, rows of cell strings
--- (already escaped).
local function pipe_table(out, titles, aligns, rows)
  local head, rule = {}, {}
  for c, t in ipairs(titles) do
    head[c] = t
    rule[c] = ALIGN[aligns[c]]
  end
  out[#out + 1] = "| " .. table.concat(head, " | ") .. " |"
  out[#out + 1] = "| " .. table.concat(rule, " | ") .. " |"
  for _, r in ipairs(rows) do
    local cells = {}
    for c = 1, #titles do cells[c] = r[c] or "" end
    out[#out + 1] = "| " .. table.concat(cells, " | ") .. " |"
  end
end

local function typed_table(out, columns, rows)
  local titles, aligns, cells = {}, {}, {}
  for c, col in ipairs(columns) do
    titles[c] = cell(col.title or col.key)
    aligns[c] = util.is_numeric(col.type) and "right" or "left"
  end
  for r, row in ipairs(rows) do
    local line = {}
    for c, col in ipairs(columns) do line[c] = cell(util.format_value(row[col.key], col)) end
    cells[r] = line
  end
  pipe_table(out, titles, aligns, cells)
end

local function dispersion_table(out, b)
  local rows = {}
  for i, g in ipairs(util.dispersion_groups(b)) do
    local xs = {}
    for j, x in ipairs(g.positions) do xs[j] = string.format("%.3f", x) end
    rows[i] = { cell(util.format_value(g.group)), tostring(#g.positions), table.concat(xs, ", ") }
  end
  pipe_table(out, { "group", "hits", cell((b.x or {}).label or "positions") },
             { "left", "right", "left" }, rows)
end

local function kwic_table(out, b)
  local has_label, has_pos = false, false
  for _, l in ipairs(b.lines or {}) do
    if not util.is_empty(l.label) and l.label ~= "" then has_label = true end
    if not util.is_empty(l.position) then has_pos = true end
  end
  local titles, aligns = {}, {}
  if has_label then titles[#titles + 1], aligns[#aligns + 1] = "label", "left" end
  if has_pos then titles[#titles + 1], aligns[#aligns + 1] = "position", "right" end
  for _, t in ipairs({ { "left", "right" }, { "hit", "center" }, { "right", "left" } }) do
    titles[#titles + 1], aligns[#aligns + 1] = t[1], t[2]
  end
  local rows = {}
  for i, l in ipairs(b.lines or {}) do
    local r = {}
    if has_label then r[#r + 1] = cell(util.format_value(l.label)) end
    if has_pos then r[#r + 1] = util.format_value(l.position, { type = "integer" }) end
    r[#r + 1] = cell(l.left or "")
    r[#r + 1] = l.hit ~= "" and "**" .. cell(l.hit) .. "**" or ""
    r[#r + 1] = cell(l.right or "")
    rows[i] = r
  end
  pipe_table(out, titles, aligns, rows)
end

local function paragraphs(out, text)
  for para in (text .. "\n\n"):gmatch("(.-)\n%s*\n") do
    if para:find("%S") then
      out[#out + 1] = ""
      out[#out + 1] = escape_paragraph(para)
    end
  end
end

local function block(out, b)
  if b.type == "text" then
    paragraphs(out, b.text)
    return
  end
  if type(b.caption) == "string" and b.caption ~= "" then
    out[#out + 1] = ""
    out[#out + 1] = "**" .. escape_inline(b.caption) .. "**"
  end
  out[#out + 1] = ""
  if b.type == "table" then
    typed_table(out, b.columns, b.rows)
  elseif b.type == "series" then
    if b.kind == "dispersion" then
      dispersion_table(out, b)
    else
      typed_table(out, util.series_wide(b))
    end
  elseif b.type == "kwic" then
    kwic_table(out, b)
  end
end

local function render(report)
  local out = { "# " .. escape_inline(report.title) }
  if type(report.subtitle) == "string" and report.subtitle ~= "" then
    out[#out + 1] = ""
    out[#out + 1] = "*" .. escape_inline(report.subtitle) .. "*"
  end
  local prov = util.provenance_lines(report)
  if #prov > 0 then
    out[#out + 1] = ""
    for _, p in ipairs(prov) do
      out[#out + 1] = "- **" .. p.label .. ":** " .. escape_inline(p.value)
    end
  end
  for _, s in ipairs(report.sections or {}) do
    out[#out + 1] = ""
    out[#out + 1] = "## " .. escape_inline(s.title)
    if type(s.intro) == "string" and s.intro ~= "" then paragraphs(out, s.intro) end
    for _, b in ipairs(s.blocks or {}) do block(out, b) end
  end
  return table.concat(out, "\n") .. "\n"
end

return {
  api = 1,
  name = "markdown",
  kind = "format",
  description = "GitHub-flavoured Markdown: pipe tables for tables, series and concordances",
  options = {},
  extension = "md",
  render = render,
}
