-- quarry.plugins.text: a report as plain text for the terminal
-- (docs/reports.md). Tables are aligned in columns that fit the width,
-- numbers to the right; series become small tables (dispersion a strip
-- per group); concordance lines are aligned on the hit. Widths are
-- terminal columns, so Chinese text lines up as well.
local util = require "quarry.report_util"

local DEFAULT_WIDTH = 100
local MIN_WIDTH = 20
local GAP = "  "
-- A text column is never cut below this many columns, however wide the
-- table: an ellipsis and a few characters still say what the cell held.
local MIN_COLUMN = 6
local LABEL_MAX = 24

local function heading(lines, title, rule, width)
  local w = 0
  for _, l in ipairs(util.wrap(title, width)) do
    lines[#lines + 1] = l
    w = math.max(w, util.width(l))
  end
  lines[#lines + 1] = string.rep(rule, math.max(w, 1))
end

-- Blank lines separate paragraphs; other line breaks are spaces.
local function paragraphs(lines, text, width)
  local first = true
  for para in (text .. "\n\n"):gmatch("(.-)\n%s*\n") do
    if para:find("%S") then
      if not first then lines[#lines + 1] = "" end
      first = false
      for _, l in ipairs(util.wrap(para, width)) do lines[#lines + 1] = l end
    end
  end
end

local function one_line(s)
  return (s:gsub("[\r\n\t]", " "))
end

--- columns, rows -> lines of an aligned table at most width columns wide
--- when its text columns can shrink that far.
local function table_lines(columns, rows, width)
  local cells, widths, right = {}, {}, {}
  for c, col in ipairs(columns) do
    right[c] = util.is_numeric(col.type)
    widths[c] = util.width(one_line(col.title or col.key))
  end
  for r, row in ipairs(rows) do
    local line = {}
    for c, col in ipairs(columns) do
      local s = one_line(util.format_value(row[col.key], col))
      line[c] = s
      widths[c] = math.max(widths[c], util.width(s))
    end
    cells[r] = line
  end
  local total = #GAP * (#columns - 1)
  for _, w in ipairs(widths) do total = total + w end
  -- Shrink the widest text column, one column at a time, so that the
  -- cut is shared when several text columns are equally wide.
  while total > width do
    local widest
    for c, col in ipairs(columns) do
      if (col.type or "string") == "string" and widths[c] > MIN_COLUMN
        and (not widest or widths[c] > widths[widest]) then
        widest = c
      end
    end
    if not widest then break end
    widths[widest] = widths[widest] - 1
    total = total - 1
  end
  local function render(values)
    local parts = {}
    for c, v in ipairs(values) do
      parts[c] = util.pad(util.truncate(v, widths[c], false), widths[c], right[c])
    end
    return (table.concat(parts, GAP):gsub(" +$", ""))
  end
  local out, titles, rules = {}, {}, {}
  for c, col in ipairs(columns) do
    titles[c] = one_line(col.title or col.key)
    rules[c] = string.rep("-", widths[c])
  end
  out[1] = render(titles)
  out[2] = table.concat(rules, GAP)
  for _, line in ipairs(cells) do out[#out + 1] = render(line) end
  return out
end

local function caption(lines, b, width)
  if type(b.caption) == "string" and b.caption ~= "" then
    for _, l in ipairs(util.wrap(b.caption, width)) do lines[#lines + 1] = l end
  end
end

local function append(lines, more)
  for _, l in ipairs(more) do lines[#lines + 1] = l end
end

-- One line per group: its label, a strip where '|' marks each hit at its
-- relative position, and the number of hits.
local function dispersion_lines(b, width)
  local groups = util.dispersion_groups(b)
  local labels, label_w, count_w = {}, 0, 1
  for i, g in ipairs(groups) do
    labels[i] = util.truncate(one_line(util.format_value(g.group)), LABEL_MAX, false)
    label_w = math.max(label_w, util.width(labels[i]))
    count_w = math.max(count_w, #tostring(#g.positions))
  end
  local strip_w = math.max(10, math.min(60, width - label_w - count_w - 2 * #GAP - 2))
  local out = {}
  for i, g in ipairs(groups) do
    local strip = {}
    for k = 1, strip_w do strip[k] = "." end
    for _, x in ipairs(g.positions) do
      local k = math.floor(x * (strip_w - 1) + 0.5) + 1
      strip[math.max(1, math.min(strip_w, k))] = "|"
    end
    out[i] = util.pad(labels[i], label_w) .. GAP .. "[" .. table.concat(strip) .. "]" .. GAP
      .. util.pad(tostring(#g.positions), count_w, true)
  end
  return out
end

local BAR = "█"
local AXIS = "│"
local MIN_BAR, MAX_BAR = 10, 40

-- A bar or diverging series with one y column gets a bar of block
-- characters beside each row, scaled to the largest |y|, when at least
-- MIN_BAR columns are left: diverging bars grow left and right of an axis.
local function with_bars(b, columns, rows, lines, width)
  if (b.kind ~= "bar" and b.kind ~= "diverging") or #columns ~= 2 then return lines end
  local table_w = 0
  for _, l in ipairs(lines) do table_w = math.max(table_w, util.width(l)) end
  local bar_w = math.min(MAX_BAR, width - table_w - #GAP)
  if bar_w < MIN_BAR then return lines end
  local key, max = columns[2].key, 0
  for _, row in ipairs(rows) do
    local y = row[key]
    if type(y) == "number" and y == y and math.abs(y) ~= math.huge then max = math.max(max, math.abs(y)) end
  end
  if max == 0 then return lines end
  local half = (bar_w - 1) // 2
  for r, row in ipairs(rows) do
    local y = row[key]
    local bar = ""
    if type(y) == "number" and y == y and math.abs(y) ~= math.huge then
      if b.kind == "bar" then
        bar = string.rep(BAR, math.floor(math.max(y, 0) / max * bar_w + 0.5))
      else
        local n = math.floor(math.abs(y) / max * half + 0.5)
        bar = y < 0 and string.rep(" ", half - n) .. string.rep(BAR, n) .. AXIS
          or string.rep(" ", half) .. AXIS .. string.rep(BAR, n)
      end
    end
    if bar ~= "" then lines[r + 2] = util.pad(lines[r + 2], table_w) .. GAP .. bar end
  end
  return lines
end

-- Left contexts are cut at their start and right-aligned so that every
-- hit starts in the same column; right contexts are cut at their end.
local function kwic_lines(b, width)
  local lines = b.lines or {}
  local has_label, has_pos = false, false
  for _, l in ipairs(lines) do
    if not util.is_empty(l.label) and l.label ~= "" then has_label = true end
    if not util.is_empty(l.position) then has_pos = true end
  end
  local label_w, pos_w, left_w, hit_w = 0, 0, 0, 0
  local labels = {}
  for i, l in ipairs(lines) do
    if has_label then
      labels[i] = util.truncate(one_line(util.format_value(l.label)), LABEL_MAX, false)
      label_w = math.max(label_w, util.width(labels[i]))
    end
    if has_pos then pos_w = math.max(pos_w, #util.format_value(l.position, { type = "integer" })) end
    left_w = math.max(left_w, util.width(one_line(l.left or "")))
    hit_w = math.max(hit_w, util.width(one_line(l.hit)) + 2)
  end
  local prefix_w = (has_label and label_w + #GAP or 0) + (has_pos and pos_w + #GAP or 0)
  local room = width - prefix_w - hit_w - 2
  left_w = math.max(4, math.min(left_w, room // 2))
  local out = {}
  for i, l in ipairs(lines) do
    local parts = {}
    if has_label then parts[#parts + 1] = util.pad(labels[i], label_w) .. GAP end
    if has_pos then
      parts[#parts + 1] = util.pad(util.format_value(l.position, { type = "integer" }), pos_w, true) .. GAP
    end
    parts[#parts + 1] = util.pad(util.truncate(one_line(l.left or ""), left_w, true), left_w, true)
    local hit = "[" .. one_line(l.hit) .. "]"
    parts[#parts + 1] = " " .. hit .. " "
    local used = prefix_w + left_w + util.width(hit) + 2
    parts[#parts + 1] = util.truncate(one_line(l.right or ""), math.max(4, width - used), false)
    out[i] = (table.concat(parts):gsub(" +$", ""))
  end
  return out
end

local function block_lines(b, width)
  local lines = {}
  if b.type == "text" then
    paragraphs(lines, b.text, width)
  elseif b.type == "table" then
    caption(lines, b, width)
    append(lines, table_lines(b.columns, b.rows, width))
  elseif b.type == "series" then
    caption(lines, b, width)
    if b.kind == "dispersion" then
      append(lines, dispersion_lines(b, width))
    else
      local columns, rows = util.series_wide(b)
      append(lines, with_bars(b, columns, rows, table_lines(columns, rows, width), width))
    end
  elseif b.type == "kwic" then
    caption(lines, b, width)
    append(lines, kwic_lines(b, width))
  end
  return lines
end

local function render(report, opts)
  opts = opts or {}
  local width = opts.width or tonumber(os.getenv("COLUMNS") or "") or DEFAULT_WIDTH
  width = math.max(MIN_WIDTH, math.tointeger(width) or DEFAULT_WIDTH)
  local lines = {}
  heading(lines, report.title, "=", width)
  if type(report.subtitle) == "string" and report.subtitle ~= "" then
    append(lines, util.wrap(report.subtitle, width))
  end
  local prov = util.provenance_lines(report)
  if #prov > 0 then
    lines[#lines + 1] = ""
    local label_w = 0
    for _, p in ipairs(prov) do label_w = math.max(label_w, util.width(p.label)) end
    local indent = string.rep(" ", 2 + label_w + #GAP)
    for _, p in ipairs(prov) do
      for k, l in ipairs(util.wrap(one_line(p.value), width - #indent)) do
        lines[#lines + 1] = (k == 1 and "  " .. util.pad(p.label, label_w) .. GAP or indent) .. l
      end
    end
  end
  for _, s in ipairs(report.sections or {}) do
    lines[#lines + 1] = ""
    heading(lines, s.title, "-", width)
    if type(s.intro) == "string" and s.intro ~= "" then
      lines[#lines + 1] = ""
      paragraphs(lines, s.intro, width)
    end
    for _, b in ipairs(s.blocks or {}) do
      local more = block_lines(b, width)
      if #more > 0 then
        lines[#lines + 1] = ""
        append(lines, more)
      end
    end
  end
  return table.concat(lines, "\n") .. "\n"
end

return {
  api = 1,
  name = "text",
  kind = "format",
  description = "plain text for the terminal: aligned tables that fit the width",
  options = {
    { name = "width", type = "integer",
      help = "line width in terminal columns (default: $COLUMNS, else 100; at least 20)" },
  },
  extension = "txt",
  render = render,
}
