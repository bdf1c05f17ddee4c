-- quarry.svg: the inline SVG charts of the HTML report format
-- (docs/reports.md, "HTML format"), one function per series kind:
--
--   line        one line per group with a legend, x as numbers (years) or
--               as categories in first-seen order, a <circle> per point
--   bar         a horizontal bar per point (label x, value y)
--   diverging   bars left (negative) and right (positive) of a zero axis
--   dispersion  a row per group, a tick (<line>) at each position in [0, 1]
--
-- Every element that stands for a data point carries data-x, data-y and
-- data-group and a <title> tooltip; the <svg> carries data-points, the
-- number of such elements, so that a test (or a reader's script) can
-- check the chart against its data. Nothing else in a chart has data-x.
--
-- Sizes are SVG user units in a viewBox of a fixed width; CSS scales the
-- chart to the page. Text widths are estimated from terminal columns
-- (CJK characters take two), which is close enough to lay out labels.
-- Pure functions: no I/O; the input is a series block as plain data.
local util = require "quarry.report_util"

local M = {}

--- The width of every chart in user units.
M.WIDTH = 760

-- Okabe and Ito's palette, which stays distinguishable with the common
-- colour-vision deficiencies; yellow is last because it is faint on
-- white. Lines past the eighth group also change their dash pattern.
M.PALETTE = { "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
              "#F0E442" }
local DASHES = { "", "6 3", "2 3", "8 3 2 3" }
local POSITIVE, NEGATIVE = "#0072B2", "#D55E00"

local FONT = 12
local TICK_FONT = 11
local CHAR = 0.56 -- average advance of a narrow character, in ems

--- s with the five characters that are markup in HTML and XML escaped,
--- and control characters other than tab and line breaks dropped (XML
--- does not allow them; a report string may hold anything).
function M.escape(s)
  s = tostring(s):gsub("[%z\1-\8\11\12\14-\31\127]", "")
  return (s:gsub("[&<>\"']", { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;",
                               ['"'] = "&quot;", ["'"] = "&#39;" }))
end
local esc = M.escape

local function text_px(s, size)
  return util.width(s) * (size or FONT) * CHAR
end

-- Numbers in attributes: short, locale-free, and never "nan" or "inf"
-- (the callers do not place points without a finite value).
local function num(v)
  if math.type(v) == "integer" then return string.format("%d", v) end
  local s = string.format("%.2f", v):gsub("0+$", ""):gsub("%.$", "")
  if s == "-0" then s = "0" end
  return s
end

-- A data value as written in data-x / data-y: exact enough to compare
-- with the report's numbers.
local function data_value(v)
  if type(v) == "number" then return util.raw_number(v) end
  return tostring(v)
end

local function is_finite(v)
  return type(v) == "number" and v == v and v ~= math.huge and v ~= -math.huge
end

local function group_label(g)
  if util.is_empty(g) then return nil end
  return util.format_value(g)
end

--- "Nice" tick values covering [lo, hi]: about n steps of 1, 2 or 5
--- times a power of ten. Returns ticks, the step, and the covered range.
function M.nice_ticks(lo, hi, n)
  n = n or 5
  if lo == hi then
    if lo == 0 then hi = 1 else lo, hi = math.min(0, lo), math.max(0, hi) end
    if lo == hi then hi = lo + 1 end
  end
  local raw = (hi - lo) / n
  local e = math.floor(math.log(raw, 10))
  local m = 10
  for _, c in ipairs({ 1, 2, 5, 10 }) do
    if raw <= c * 10.0 ^ e * (1 + 1e-9) then
      m = c
      break
    end
  end
  -- Tick k is k * m * 10^e, computed so that it is the nearest double to
  -- the decimal (0.6, not 0.6000000000000001) and an integer when whole.
  local function value(k)
    if e < 0 then return k * m / 10 ^ -e end
    if e > 15 then return k * m * 10.0 ^ e end
    return k * m * math.tointeger(10 ^ e)
  end
  local step = value(1)
  local k0 = math.floor(lo / step + 1e-9)
  local k1 = math.ceil(hi / step - 1e-9)
  local ticks = {}
  for k = k0, k1 do ticks[#ticks + 1] = value(k) end
  local first, last = ticks[1], ticks[#ticks]
  return ticks, step, first, last
end

-- Thousands separators for large round numbers: 12,000 reads better.
local function group_digits(s)
  local sign, int, rest = s:match("^(%-?)(%d+)(.*)$")
  if not int or #int <= 4 then return s end
  int = int:reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^,", "")
  return sign .. int .. rest
end

--- A tick label: as many decimals as the step needs, no more.
function M.tick_label(v, step)
  local decimals = 0
  if step < 1 then decimals = math.max(0, -math.floor(math.log(step, 10) + 1e-9)) end
  if step < 1 and step * 10 ^ decimals % 1 > 1e-6 then decimals = decimals + 1 end
  local s = string.format("%." .. decimals .. "f", v)
  if s:match("^%-0%.?0*$") then s = s:sub(2) end
  return group_digits(s)
end

local function value_text(block, v)
  local y = block.y or {}
  local ytype = util.is_numeric(y.type) and y.type or "number"
  return util.format_value(v, { type = ytype, digits = y.digits })
end

local function x_text(block, v)
  return util.format_value(v, { type = (block.x or {}).type or "string" })
end

--- The groups of the points in first-seen order, each { key =, label = }.
--- A point without a group belongs to a group with no label.
local function groups_of(points)
  local out, index = {}, {}
  for _, p in ipairs(points) do
    local k = util.is_empty(p.group) and "\0none" or tostring(p.group)
    if not index[k] then
      out[#out + 1] = { key = k, label = group_label(p.group), value = p.group }
      index[k] = #out
    end
  end
  return out, function(p) return index[util.is_empty(p.group) and "\0none" or tostring(p.group)] end
end

local function data_attrs(x, y, group)
  local s = string.format(' data-x="%s" data-y="%s"', esc(data_value(x)), esc(data_value(y)))
  if not util.is_empty(group) then s = s .. string.format(' data-group="%s"', esc(data_value(group))) end
  return s
end

local function tooltip(block, p)
  local parts = {}
  local g = group_label(p.group)
  if g then parts[#parts + 1] = g end
  parts[#parts + 1] = x_text(block, p.x) .. ": " .. value_text(block, p.y)
  return "<title>" .. esc(table.concat(parts, " · ")) .. "</title>"
end

local function open_svg(block, height, count, extra)
  local label = block.caption
  if util.is_empty(label) or label == "" then label = block.name end
  if util.is_empty(label) then label = block.kind .. " chart" end
  return string.format('<svg class="chart chart-%s" xmlns="http://www.w3.org/2000/svg" '
    .. 'viewBox="0 0 %d %s" width="%d" height="%s" role="img" data-kind="%s" data-points="%d"%s>'
    .. "<title>%s</title>",
    block.kind, M.WIDTH, num(height), M.WIDTH, num(height), block.kind, count, extra or "",
    esc(label))
end

local function text_el(x, y, s, anchor, class, extra)
  return string.format('<text x="%s" y="%s"%s%s%s>%s</text>', num(x), num(y),
    anchor and anchor ~= "start" and (' text-anchor="' .. anchor .. '"') or "",
    class and (' class="' .. class .. '"') or "", extra or "", esc(s))
end

-- s cut to fit px user units, with an ellipsis.
local function fit(s, px, size)
  local cols = math.floor(px / ((size or FONT) * CHAR))
  return util.truncate(s, math.max(cols, 2))
end

-- A legend of coloured swatches, wrapped into rows of width `width`
-- starting at (x0, y0). Returns the markup and its height.
local function legend(groups, x0, y0, width, swatch)
  local out, x, y = { '<g class="legend">' }, x0, y0
  for i, g in ipairs(groups) do
    local label = g.label or "(none)"
    local w = 18 + text_px(label) + 16
    if x > x0 and x + w > x0 + width then
      x, y = x0, y + 18
    end
    out[#out + 1] = swatch(i, x, y)
    out[#out + 1] = text_el(x + 18, y + 4, label)
    x = x + w
  end
  out[#out + 1] = "</g>"
  return table.concat(out), y - y0 + 18
end

local function colour(i)
  return M.PALETTE[(i - 1) % #M.PALETTE + 1]
end

local function dash(i)
  return DASHES[(i - 1) // #M.PALETTE % #DASHES + 1]
end

-- Line charts ------------------------------------------------------------

local function x_is_numeric(points)
  for _, p in ipairs(points) do
    if type(p.x) ~= "number" or not is_finite(p.x) then return false end
  end
  return #points > 0
end

--- A line chart of a series block. Returns the markup and the number of
--- points drawn (points without a finite y are left out).
function M.line(block)
  local points = block.points or {}
  local groups, group_index = groups_of(points)
  local numeric = x_is_numeric(points)

  -- x positions: numbers on a linear scale; otherwise categories.
  local categories, cat_index = {}, {}
  local xmin, xmax
  for _, p in ipairs(points) do
    if numeric then
      xmin = xmin and math.min(xmin, p.x) or p.x
      xmax = xmax and math.max(xmax, p.x) or p.x
    else
      local k = x_text(block, p.x)
      if not cat_index[k] then
        categories[#categories + 1] = k
        cat_index[k] = #categories
      end
    end
  end

  -- Dates written as text (2024-03, 2024-03-05) sort as text; other
  -- categories keep the order of the data.
  if not numeric and (block.x or {}).type == "date" then
    table.sort(categories)
    for i, c in ipairs(categories) do cat_index[c] = i end
  end

  local ymin, ymax = 0, 0
  for _, p in ipairs(points) do
    if is_finite(p.y) then
      ymin, ymax = math.min(ymin, p.y), math.max(ymax, p.y)
    end
  end
  local yticks, ystep, ylo, yhi = M.nice_ticks(ymin, ymax, 5)

  local ytick_w = 0
  for _, t in ipairs(yticks) do ytick_w = math.max(ytick_w, text_px(M.tick_label(t, ystep), TICK_FONT)) end
  local left, right = math.floor(ytick_w + 14), 20
  local plot_w = M.WIDTH - left - right

  local out = {}
  local top = 8
  local show_legend = #groups > 1 or (groups[1] and groups[1].label)
  if show_legend then
    local markup, h = legend(groups, left, top + 6, plot_w, function(i, x, y)
      local d = dash(i)
      return string.format('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2.5"%s/>',
        num(x), num(y), num(x + 14), num(y), colour(i),
        d ~= "" and (' stroke-dasharray="' .. d .. '"') or "")
    end)
    out[#out + 1] = markup
    top = top + h + 6
  end
  local ylabel = (block.y or {}).label
  if not util.is_empty(ylabel) and ylabel ~= "" then
    out[#out + 1] = text_el(8, top + 12, ylabel, "start", "axis-title")
    top = top + 22
  else
    top = top + 8
  end
  local plot_h = 240
  local bottom_y = top + plot_h

  local function sy(v) return bottom_y - (v - ylo) / (yhi - ylo) * plot_h end
  local xstep, xticks
  if numeric then
    if xmin == xmax then xmin, xmax = xmin - 1, xmax + 1 end
    local all_int = true
    for _, p in ipairs(points) do
      if p.x ~= math.floor(p.x) then all_int = false end
    end
    if all_int and xmax - xmin <= 40 then
      -- Years and other counts: a tick on whole numbers only, thinned
      -- so that labels do not run into each other.
      local label_w = text_px(M.tick_label(xmax, 1), TICK_FONT) + 10
      local every = math.max(1, math.ceil((xmax - xmin + 1) * label_w / plot_w))
      xticks, xstep = {}, 1
      for v = math.floor(xmin), math.floor(xmax), every do xticks[#xticks + 1] = v end
    else
      xticks, xstep = M.nice_ticks(xmin, xmax, 6)
      local kept = {}
      for _, t in ipairs(xticks) do
        if t >= xmin - 1e-9 and t <= xmax + 1e-9 then kept[#kept + 1] = t end
      end
      xticks = kept
    end
  end
  local pad = 12
  local function sx_num(v) return left + pad + (v - xmin) / (xmax - xmin) * (plot_w - 2 * pad) end
  local function sx_cat(i)
    if #categories == 1 then return left + plot_w / 2 end
    return left + pad + (i - 1) / (#categories - 1) * (plot_w - 2 * pad)
  end
  local function sx(p)
    if numeric then return sx_num(p.x) end
    return sx_cat(cat_index[x_text(block, p.x)])
  end

  -- Grid and axes.
  out[#out + 1] = '<g class="grid">'
  for _, t in ipairs(yticks) do
    local y = sy(t)
    out[#out + 1] = string.format('<line x1="%d" y1="%s" x2="%d" y2="%s"%s/>', left, num(y),
      left + plot_w, num(y), t == 0 and ' class="zero"' or "")
  end
  out[#out + 1] = "</g>"
  out[#out + 1] = '<g class="ticks">'
  for _, t in ipairs(yticks) do
    out[#out + 1] = text_el(left - 6, sy(t) + 4, M.tick_label(t, ystep), "end")
  end
  if numeric then
    for _, t in ipairs(xticks) do
      local x = sx_num(t)
      out[#out + 1] = string.format('<line x1="%s" y1="%s" x2="%s" y2="%s" class="tick"/>', num(x),
        num(bottom_y), num(x), num(bottom_y + 4))
      local label = (block.x or {}).type == "date" and string.format("%d", math.floor(t))
        or M.tick_label(t, xstep)
      out[#out + 1] = text_el(x, bottom_y + 17, label, "middle")
    end
  else
    local widest = 0
    for _, c in ipairs(categories) do widest = math.max(widest, text_px(c, TICK_FONT)) end
    local slot = (#categories > 1) and (plot_w - 2 * pad) / (#categories - 1) or plot_w
    local every = math.max(1, math.ceil((widest + 8) / slot))
    for i, c in ipairs(categories) do
      local x = sx_cat(i)
      out[#out + 1] = string.format('<line x1="%s" y1="%s" x2="%s" y2="%s" class="tick"/>', num(x),
        num(bottom_y), num(x), num(bottom_y + 4))
      if (i - 1) % every == 0 then
        out[#out + 1] = text_el(x, bottom_y + 17, fit(c, slot * every - 4, TICK_FONT), "middle")
      end
    end
  end
  out[#out + 1] = "</g>"
  out[#out + 1] = string.format('<line class="axis" x1="%d" y1="%s" x2="%d" y2="%s"/>', left,
    num(bottom_y), left + plot_w, num(bottom_y))
  local height = bottom_y + 26
  local xlabel = (block.x or {}).label
  if not util.is_empty(xlabel) and xlabel ~= "" then
    out[#out + 1] = text_el(left + plot_w / 2, bottom_y + 38, xlabel, "middle", "axis-title")
    height = bottom_y + 46
  end

  -- Lines, broken where a point has no finite value, then the points on top.
  local by_group = {}
  for _, p in ipairs(points) do
    local gi = group_index(p)
    by_group[gi] = by_group[gi] or {}
    table.insert(by_group[gi], p)
  end
  local count = 0
  local dots = {}
  for gi = 1, #groups do
    local list = by_group[gi]
    local order = {}
    for i, p in ipairs(list) do order[i] = { p = p, x = sx(p), i = i } end
    table.sort(order, function(a, b)
      if a.x ~= b.x then return a.x < b.x end
      return a.i < b.i
    end)
    local d, pen = {}, "M"
    for _, o in ipairs(order) do
      if is_finite(o.p.y) then
        d[#d + 1] = string.format("%s%s %s", pen, num(o.x), num(sy(o.p.y)))
        pen = "L"
        count = count + 1
        dots[#dots + 1] = string.format('<circle cx="%s" cy="%s" r="3.5" fill="%s"%s>%s</circle>',
          num(o.x), num(sy(o.p.y)), colour(gi), data_attrs(o.p.x, o.p.y, o.p.group), tooltip(block, o.p))
      else
        pen = "M"
      end
    end
    local dsh = dash(gi)
    if #d > 1 then
      out[#out + 1] = string.format('<path class="line" d="%s" stroke="%s"%s/>', table.concat(d, " "),
        colour(gi), dsh ~= "" and (' stroke-dasharray="' .. dsh .. '"') or "")
    end
  end
  out[#out + 1] = '<g class="points">' .. table.concat(dots) .. "</g>"
  return open_svg(block, height, count) .. table.concat(out) .. "</svg>", count
end

-- Bar and diverging charts -----------------------------------------------

local ROW = 24
local BAR = 15

local function label_column(labels)
  local w = 0
  for _, l in ipairs(labels) do w = math.max(w, text_px(l)) end
  return math.min(math.max(w, 24), 220)
end

-- The value axis under the bars: ticks, grid lines up through the rows,
-- and the axis title.
local function value_axis(out, block, ticks, step, sx, top, bottom_y, xmid)
  out[#out + 1] = '<g class="grid">'
  for _, t in ipairs(ticks) do
    out[#out + 1] = string.format('<line x1="%s" y1="%s" x2="%s" y2="%s"%s/>', num(sx(t)), num(top),
      num(sx(t)), num(bottom_y), t == 0 and ' class="zero"' or "")
  end
  out[#out + 1] = "</g>"
  out[#out + 1] = '<g class="ticks">'
  for _, t in ipairs(ticks) do
    out[#out + 1] = text_el(sx(t), bottom_y + 15, M.tick_label(t, step), "middle")
  end
  out[#out + 1] = "</g>"
  local ylabel = (block.y or {}).label
  if not util.is_empty(ylabel) and ylabel ~= "" then
    out[#out + 1] = text_el(xmid, bottom_y + 34, ylabel, "middle", "axis-title")
    return bottom_y + 42
  end
  return bottom_y + 24
end

--- A horizontal bar chart: a row per point, labelled by x, in the order
--- given; bars start at zero (negative values go left). Points of
--- several groups are coloured by group, with a legend.
function M.bar(block)
  local points = block.points or {}
  local groups, group_index = groups_of(points)
  local labels = {}
  for i, p in ipairs(points) do labels[i] = x_text(block, p.x) end
  local label_w = label_column(labels)
  local lo, hi = 0, 0
  local widest_value = 0
  for _, p in ipairs(points) do
    if is_finite(p.y) then
      lo, hi = math.min(lo, p.y), math.max(hi, p.y)
      widest_value = math.max(widest_value, text_px(value_text(block, p.y), TICK_FONT))
    end
  end
  local ticks, step, tlo, thi = M.nice_ticks(lo, hi, 5)
  -- Values are written beyond the bar's end: on the left of a negative
  -- bar, so that side needs room for them too, clear of the labels.
  local left = 8 + label_w + 10 + (lo < 0 and widest_value + 8 or 0)
  local right = math.max(widest_value + 12, 24)
  local plot_w = M.WIDTH - left - right
  local function sx(v) return left + (v - tlo) / (thi - tlo) * plot_w end

  local out = {}
  local top = 8
  if #groups > 1 then
    local markup, h = legend(groups, left, top + 6, plot_w, function(i, x, y)
      return string.format('<rect x="%s" y="%s" width="12" height="10" fill="%s"/>', num(x), num(y - 5),
        colour(i))
    end)
    out[#out + 1] = markup
    top = top + h + 8
  end
  local bottom_y = top + #points * ROW + 4
  local body = { '<g class="bars">' }
  local count = 0
  for i, p in ipairs(points) do
    local y = top + (i - 1) * ROW + (ROW - BAR) / 2
    local cy = y + BAR / 2 + 4
    local label = labels[i]
    body[#body + 1] = string.format('<text x="%s" y="%s" text-anchor="end" class="label">%s%s</text>',
      num(8 + label_w), num(cy), esc(fit(label, label_w)),
      util.width(label) * FONT * CHAR > label_w and ("<title>" .. esc(label) .. "</title>") or "")
    if is_finite(p.y) then
      local x0, x1 = sx(0), sx(p.y)
      local fill = #groups > 1 and colour(group_index(p)) or (p.y < 0 and NEGATIVE or POSITIVE)
      body[#body + 1] = string.format('<rect x="%s" y="%s" width="%s" height="%d" fill="%s"%s>%s</rect>',
        num(math.min(x0, x1)), num(y), num(math.max(math.abs(x1 - x0), 0.5)), BAR, fill,
        data_attrs(p.x, p.y, p.group), tooltip(block, p))
      local vx = p.y < 0 and math.min(x0, x1) - 4 or math.max(x0, x1) + 4
      body[#body + 1] = text_el(vx, cy, value_text(block, p.y), p.y < 0 and "end" or "start", "value")
      count = count + 1
    end
  end
  body[#body + 1] = "</g>"
  local height = value_axis(out, block, ticks, step, sx, top, bottom_y, left + plot_w / 2)
  out[#out + 1] = table.concat(body)
  return open_svg(block, height, count) .. table.concat(out) .. "</svg>", count
end

--- A diverging bar chart (keyness): a row per point in the order given,
--- negative values to the left of a central zero axis, positive to the
--- right, each label beside the axis on the side its bar does not use.
function M.diverging(block)
  local points = block.points or {}
  local m = 0
  local widest_label, widest_value = 0, 0
  for _, p in ipairs(points) do
    widest_label = math.max(widest_label, text_px(x_text(block, p.x)))
    if is_finite(p.y) then
      m = math.max(m, math.abs(p.y))
      widest_value = math.max(widest_value, text_px(value_text(block, p.y), TICK_FONT))
    end
  end
  local ticks, step, _, thi = M.nice_ticks(0, m, 3)
  local span = thi
  local full = {}
  for i = #ticks, 2, -1 do full[#full + 1] = -ticks[i] end
  for _, t in ipairs(ticks) do full[#full + 1] = t end
  local margin = math.max(widest_value + 12, 30)
  local plot_w = M.WIDTH - 2 * margin
  local left = margin
  local mid = left + plot_w / 2
  local function sx(v) return mid + v / span * (plot_w / 2) end
  local label_room = plot_w / 2 - 8

  local top = 10
  local bottom_y = top + #points * ROW + 4
  local out = {}
  local height = value_axis(out, block, full, step, sx, top, bottom_y, mid)
  local body = { '<g class="bars">' }
  local count = 0
  for i, p in ipairs(points) do
    local y = top + (i - 1) * ROW + (ROW - BAR) / 2
    local cy = y + BAR / 2 + 4
    local label = x_text(block, p.x)
    local negative = is_finite(p.y) and p.y < 0
    local shown = fit(label, math.min(label_room, math.max(widest_label, 40)))
    if negative then
      body[#body + 1] = text_el(mid + 6, cy, shown, "start", "label")
    else
      body[#body + 1] = text_el(mid - 6, cy, shown, "end", "label")
    end
    if is_finite(p.y) then
      local x1 = sx(p.y)
      body[#body + 1] = string.format('<rect x="%s" y="%s" width="%s" height="%d" fill="%s"%s>%s</rect>',
        num(math.min(mid, x1)), num(y), num(math.max(math.abs(x1 - mid), 0.5)), BAR,
        negative and NEGATIVE or POSITIVE, data_attrs(p.x, p.y, p.group), tooltip(block, p))
      body[#body + 1] = text_el(negative and x1 - 4 or x1 + 4, cy, value_text(block, p.y),
        negative and "end" or "start", "value")
      count = count + 1
    end
  end
  body[#body + 1] = "</g>"
  out[#out + 1] = table.concat(body)
  out[#out + 1] = string.format('<line class="axis" x1="%s" y1="%d" x2="%s" y2="%s"/>', num(mid), top - 4,
    num(mid), num(bottom_y))
  return open_svg(block, height, count) .. table.concat(out) .. "</svg>", count
end

-- Dispersion (barcode) plots ---------------------------------------------

--- A dispersion plot: a row per group (a document, a term), a thin line
--- from 0 to 1 and a tick at each position; the count at the row's end.
function M.dispersion(block)
  local rows = util.dispersion_groups(block)
  local labels = {}
  for i, g in ipairs(rows) do labels[i] = group_label(g.group) or "" end
  local label_w = label_column(labels)
  local left = 8 + label_w + 10
  local right = 64
  local plot_w = M.WIDTH - left - right
  local function sx(v) return left + v * plot_w end
  local top = 10
  local bottom_y = top + #rows * ROW + 2
  local out = { '<g class="grid">' }
  for _, t in ipairs({ 0, 0.25, 0.5, 0.75, 1 }) do
    out[#out + 1] = string.format('<line x1="%s" y1="%d" x2="%s" y2="%s"/>', num(sx(t)), top, num(sx(t)),
      num(bottom_y))
  end
  out[#out + 1] = '</g><g class="ticks">'
  for _, t in ipairs({ 0, 0.25, 0.5, 0.75, 1 }) do
    out[#out + 1] = text_el(sx(t), bottom_y + 15, string.format("%d%%", math.floor(t * 100 + 0.5)), "middle")
  end
  out[#out + 1] = "</g>"
  local height = bottom_y + 24
  local xlabel = (block.x or {}).label
  if not util.is_empty(xlabel) and xlabel ~= "" then
    out[#out + 1] = text_el(left + plot_w / 2, bottom_y + 34, xlabel, "middle", "axis-title")
    height = bottom_y + 42
  end
  local count = 0
  local points = block.points or {}
  -- The marks come from the points themselves (not the grouped
  -- positions) so that each keeps its y and group for the attributes.
  local row_of = {}
  for i, g in ipairs(rows) do row_of[util.is_empty(g.group) and "\0none" or tostring(g.group)] = i end
  out[#out + 1] = '<g class="rows">'
  for i, label in ipairs(labels) do
    local cy = top + (i - 1) * ROW + ROW / 2
    out[#out + 1] = text_el(left - 8, cy + 4, fit(label, label_w), "end", "label")
    out[#out + 1] = string.format('<line class="baseline" x1="%s" y1="%s" x2="%s" y2="%s"/>', num(sx(0)),
      num(cy), num(sx(1)), num(cy))
    local n = #rows[i].positions
    out[#out + 1] = text_el(sx(1) + 8, cy + 4, util.format_value(n, { type = "integer" }), "start", "value")
  end
  out[#out + 1] = '</g><g class="marks">'
  for _, p in ipairs(points) do
    local key = util.is_empty(p.group) and "\0none" or tostring(p.group)
    local i = row_of[key]
    local cy = top + (i - 1) * ROW + ROW / 2
    local x = sx(p.x)
    out[#out + 1] = string.format('<line x1="%s" y1="%s" x2="%s" y2="%s"%s><title>%s</title></line>', num(x),
      num(cy - 8), num(x), num(cy + 8), data_attrs(p.x, p.y, p.group),
      esc((labels[i] ~= "" and labels[i] .. " · " or "") .. string.format("%.1f%%", p.x * 100)))
    count = count + 1
  end
  out[#out + 1] = "</g>"
  return open_svg(block, height, count) .. table.concat(out) .. "</svg>", count
end

--- The chart of any series block: markup and the number of data-point
--- elements (the same as the svg's data-points).
function M.chart(block)
  local draw = ({ line = M.line, bar = M.bar, diverging = M.diverging,
                  dispersion = M.dispersion })[block.kind]
  if not draw then
    error("quarry.svg: unknown series kind '" .. tostring(block.kind) .. "'", 2)
  end
  return draw(block)
end

return M
