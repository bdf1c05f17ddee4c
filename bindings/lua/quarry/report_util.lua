-- quarry.report_util: what the report formats share (docs/reports.md):
-- how a value of each column type is written, terminal widths of UTF-8
-- text, word wrapping that also breaks between CJK characters, and the
-- tabular views of series and KWIC blocks.
--
-- Everything here is pure: no I/O, and it works on a report's plain data
-- as well as on a quarry.report Report.
local M = {}

local json_null
do
  local ok, json = pcall(require, "quarry.json")
  if ok then json_null = json.null end
end

-- Terminal columns come from the C core so that every format and the CLI
-- agree on East Asian widths; without the core (a format used from plain
-- Lua), every character counts as one column.
local core_width
do
  local ok, quarry = pcall(require, "quarry")
  if ok and quarry.text_width then core_width = quarry.text_width end
end

--- Terminal columns s takes (CJK characters take 2).
function M.width(s)
  if core_width then return core_width(s) end
  return utf8.len(s) or #s
end

--- True for nil and the JSON null of a decoded report: an empty cell.
function M.is_empty(v)
  return v == nil or (json_null ~= nil and v == json_null)
end

M.NUMERIC = { integer = true, number = true, percent = true }

--- True when a column (or series axis) of this type holds numbers, which
--- the text formats align to the right.
function M.is_numeric(column_type)
  return M.NUMERIC[column_type] == true
end

local function special_number(x)
  if x ~= x then return "NaN" end
  if x == math.huge then return "inf" end
  if x == -math.huge then return "-inf" end
  return nil
end

local function round_to_integer(x)
  if math.type(x) == "integer" then return x end
  local r = x >= 0 and math.floor(x + 0.5) or -math.floor(-x + 0.5)
  return math.tointeger(r) or r
end

-- Without `digits`, two decimals for ordinary magnitudes, three
-- significant digits for small values so that 0.00123 does not print as
-- 0.00, and scientific notation below 1e-4 where decimals stop helping.
local function default_number(x)
  local a = math.abs(x)
  if a == 0 or a >= 0.01 then return string.format("%.2f", x) end
  if a >= 1e-4 then
    local decimals = 2 - math.floor(math.log(a, 10))
    return string.format("%." .. decimals .. "f", x)
  end
  return string.format("%.2e", x)
end

--- The display text of value in a column { type =, digits = }:
---   integer  rounded, no decimals         1234
---   number   `digits` decimals, or the default above
---   percent  a fraction shown times 100 with `digits` (default 1) and %
---   date, string  as written (integral numbers without ".0")
--- nil and JSON null give ""; a non-number in a numeric column is shown
--- as written.
function M.format_value(value, column)
  if M.is_empty(value) then return "" end
  local ctype = column and column.type or "string"
  local digits = column and column.digits
  if type(value) == "number" then
    local special = special_number(value)
    if special then return special end
    if ctype == "integer" then
      local r = round_to_integer(value)
      return math.type(r) == "integer" and string.format("%d", r) or string.format("%.0f", r)
    elseif ctype == "number" then
      if digits then return string.format("%." .. digits .. "f", value) end
      return default_number(value)
    elseif ctype == "percent" then
      return string.format("%." .. (digits or 1) .. "f%%", value * 100)
    end
    if math.type(value) == "float" and value == math.floor(value) and math.abs(value) < 2 ^ 53 then
      return string.format("%d", math.tointeger(value))
    end
    return tostring(value)
  end
  return tostring(value)
end

--- A number as exactly as JSON writes it (shortest text that reads back
--- the same value), for machine-readable formats such as CSV.
function M.raw_number(x)
  if math.type(x) == "integer" then return string.format("%d", x) end
  local special = special_number(x)
  if special then return special end
  local s = string.format("%.14g", x)
  if tonumber(s) ~= x then s = string.format("%.17g", x) end
  return s
end

--- The characters of s as an array of strings.
function M.chars(s)
  local out = {}
  for _, c in utf8.codes(s) do out[#out + 1] = utf8.char(c) end
  return out
end

--- s cut to at most w columns with an ellipsis marking the cut; keep_end
--- keeps the end of s (a left context) instead of its start.
function M.truncate(s, w, keep_end)
  if M.width(s) <= w then return s end
  if w <= 0 then return "" end
  local cps = M.chars(s)
  local out, used = {}, 1 -- one column for the ellipsis
  if keep_end then
    for i = #cps, 1, -1 do
      local cw = M.width(cps[i])
      if used + cw > w then break end
      table.insert(out, 1, cps[i])
      used = used + cw
    end
    return "…" .. table.concat(out)
  end
  for i = 1, #cps do
    local cw = M.width(cps[i])
    if used + cw > w then break end
    out[#out + 1] = cps[i]
    used = used + cw
  end
  return table.concat(out) .. "…"
end

--- s padded with spaces to w columns, on the left when right_align.
function M.pad(s, w, right_align)
  local fill = w - M.width(s)
  if fill <= 0 then return s end
  if right_align then return string.rep(" ", fill) .. s end
  return s .. string.rep(" ", fill)
end

-- Splits text into the units a line may break between: runs of narrow
-- characters without spaces are words, each wide (CJK) character is a
-- unit of its own, and spaces separate units. Each unit records whether
-- a space preceded it, so that a break never joins two words.
local NO_BREAK_BEFORE = {}
for _, c in utf8.codes("，。、；：？！）」』》〉】”’…・") do NO_BREAK_BEFORE[utf8.char(c)] = true end

local function wrap_units(text)
  local units, word, space_before = {}, {}, false
  local function flush()
    if #word > 0 then
      units[#units + 1] = { text = table.concat(word), space = space_before }
      word, space_before = {}, false
    end
  end
  for _, cp in utf8.codes(text) do
    local c = utf8.char(cp)
    if c == " " or c == "\t" or c == "\n" or c == "\r" then
      flush()
      space_before = true
    elseif NO_BREAK_BEFORE[c] and #word == 0 and #units > 0 and not space_before then
      -- Chinese punctuation that may not start a line stays with the
      -- character before it.
      units[#units].text = units[#units].text .. c
    elseif M.width(c) >= 2 then
      flush()
      units[#units + 1] = { text = c, space = space_before }
      space_before = false
    else
      word[#word + 1] = c
    end
  end
  flush()
  return units
end

-- A unit wider than the line is cut into pieces of at most width
-- columns, the first keeping the unit's space before it.
local function split_long(u, width)
  if M.width(u.text) <= width then return { u } end
  local pieces, cur, used = {}, {}, 0
  for _, c in ipairs(M.chars(u.text)) do
    local w = M.width(c)
    if used + w > width and #cur > 0 then
      pieces[#pieces + 1] = { text = table.concat(cur), space = #pieces == 0 and u.space }
      cur, used = {}, 0
    end
    cur[#cur + 1] = c
    used = used + w
  end
  pieces[#pieces + 1] = { text = table.concat(cur), space = #pieces == 0 and u.space }
  return pieces
end

--- text wrapped to lines of at most width columns; a word longer than
--- the width is cut across lines. Whitespace runs become one space.
function M.wrap(text, width)
  width = math.max(width, 2) -- room for one wide character
  local lines, line, used = {}, {}, 0
  for _, whole in ipairs(wrap_units(text)) do
    for _, u in ipairs(split_long(whole, width)) do
      local w = M.width(u.text)
      local sep = (#line > 0 and u.space) and 1 or 0
      if #line > 0 and used + sep + w > width then
        lines[#lines + 1] = table.concat(line)
        line, used, sep = {}, 0, 0
      end
      if sep == 1 then line[#line + 1] = " " end
      line[#line + 1] = u.text
      used = used + sep + w
    end
  end
  if #line > 0 then lines[#lines + 1] = table.concat(line) end
  return lines
end

-- Tabular views ----------------------------------------------------------

-- Stands for "no value" where nil cannot: as a table key or array item.
local NONE = setmetatable({}, { __name = "quarry.report_util.none" })

local function key_of(v)
  if M.is_empty(v) then return NONE end
  return v
end

--- The distinct values of key in the array items, in first-seen order,
--- with NONE standing for an absent value.
local function distinct(items, key)
  local out, seen = {}, {}
  for _, it in ipairs(items) do
    local k = key_of(it[key])
    if not seen[k] then
      seen[k] = true
      out[#out + 1] = k
    end
  end
  return out
end

local function y_column_type(block)
  local y = block.y or {}
  if y.type and M.NUMERIC[y.type] then return y.type end
  return "number"
end

--- A line, bar or diverging series as a wide table for reading: one row
--- per x (in first-seen order), one column per group holding y, or a
--- single column titled by y.label when no point has a group.
--- Returns columns, rows like a table block.
function M.series_wide(block)
  local x = block.x or {}
  local points = block.points or {}
  local columns = { { key = "x", title = x.label or "x", type = x.type or "string" } }
  local ytype, ydigits = y_column_type(block), (block.y or {}).digits
  local groups = distinct(points, "group")
  local ungrouped = #groups == 1 and groups[1] == NONE
  local group_key = {}
  for i, g in ipairs(groups) do
    local title = ungrouped and ((block.y or {}).label or "y")
      or (g == NONE and "(none)" or M.format_value(g))
    group_key[g] = "g" .. i
    columns[#columns + 1] = { key = "g" .. i, title = title, type = ytype, digits = ydigits }
  end
  local rows, row_of = {}, {}
  for _, xv in ipairs(distinct(points, "x")) do
    local row = { x = xv ~= NONE and xv or nil }
    rows[#rows + 1] = row
    row_of[xv] = row
  end
  for _, p in ipairs(points) do
    row_of[key_of(p.x)][group_key[key_of(p.group)]] = p.y
  end
  return columns, rows
end

--- The groups of a dispersion series, in first-seen order, each with
--- its positions in [0, 1] in the order given: { { group =, positions = } }.
function M.dispersion_groups(block)
  local out, by = {}, {}
  for _, p in ipairs(block.points or {}) do
    local k = key_of(p.group)
    local g = by[k]
    if not g then
      g = { group = p.group, positions = {} }
      by[k] = g
      out[#out + 1] = g
    end
    g.positions[#g.positions + 1] = p.x
  end
  return out
end

--- A series in long form, one row per point: columns x, group, y.
function M.series_long(block)
  local x = block.x or {}
  local columns = {
    { key = "x", title = x.label or "x", type = x.type or "string" },
    { key = "group", title = "group", type = "string" },
    { key = "y", title = (block.y or {}).label or "y", type = y_column_type(block) },
  }
  local rows = {}
  for i, p in ipairs(block.points or {}) do
    rows[i] = { x = p.x, group = p.group, y = p.y }
  end
  return columns, rows
end

M.KWIC_COLUMNS = {
  { key = "label", title = "label", type = "string" },
  { key = "position", title = "position", type = "integer" },
  { key = "left", title = "left", type = "string" },
  { key = "hit", title = "hit", type = "string" },
  { key = "right", title = "right", type = "string" },
  { key = "doc", title = "doc", type = "string" },
}

--- Every block of the report with a tabular view (tables, series, KWIC),
--- in report order: { { name =, section =, block = } }. Blocks without a
--- name are called <type><n>, n counting blocks of that type from 1
--- (table1, series2, kwic1), so that every one can be chosen by name.
function M.tabular_blocks(report)
  local out, counts = {}, { table = 0, series = 0, kwic = 0 }
  for _, s in ipairs(report.sections or {}) do
    for _, b in ipairs(s.blocks or {}) do
      if counts[b.type] then
        counts[b.type] = counts[b.type] + 1
        local name = b.name
        if M.is_empty(name) or name == "" then name = b.type .. counts[b.type] end
        out[#out + 1] = { name = name, section = s.title, block = b }
      end
    end
  end
  return out
end

--- The provenance as label/value pairs in a fixed order, for the
--- human-readable formats; values already written as text. Absent fields
--- are left out.
function M.provenance_lines(report)
  local p = report.provenance or {}
  local out = {}
  local function add(label, v)
    if not M.is_empty(v) and v ~= "" then out[#out + 1] = { label = label, value = v } end
  end
  add("quarry", p.quarry)
  add("index", p.index)
  add("generation", not M.is_empty(p.generation) and M.format_value(p.generation, { type = "integer" }) or nil)
  add("documents", not M.is_empty(p.documents) and M.format_value(p.documents, { type = "integer" }) or nil)
  add("tokens", not M.is_empty(p.tokens) and M.format_value(p.tokens, { type = "integer" }) or nil)
  add("created", p.created)
  if type(p.queries) == "table" and #p.queries > 0 then
    local q = {}
    for i, v in ipairs(p.queries) do q[i] = tostring(v) end
    add("queries", table.concat(q, "; "))
  end
  add("options", M.key_values(p.options))
  add("parameters", M.key_values(report.params))
  return out
end

--- A table of scalars as "k=v, k=v" with sorted keys, or nil when empty.
function M.key_values(t)
  if type(t) ~= "table" or (json_null and t == json_null) then return nil end
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  if #keys == 0 then return nil end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  local parts = {}
  for i, k in ipairs(keys) do
    local v = t[k]
    if type(v) == "table" and not (json_null and v == json_null) then
      local items = {}
      for j, x in ipairs(v) do items[j] = M.format_value(x) end
      v = table.concat(items, ",")
    else
      v = M.format_value(v)
    end
    parts[i] = tostring(k) .. "=" .. v
  end
  return table.concat(parts, ", ")
end

return M
