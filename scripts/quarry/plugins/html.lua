-- quarry.plugins.html: a report as one self-contained HTML file
-- (docs/reports.md, "HTML format"): inline CSS, inline SVG charts
-- (quarry.svg), no fonts, images or scripts from anywhere else; a
-- Content-Security-Policy in the page forbids the browser to fetch any.
-- A small inline script makes tables sortable and records script errors
-- in the page (data-errors) for the browser test; the report reads the
-- same without it.
--
-- Hooks for checking the page: every <table> has data-rows (the rows it
-- shows) and, when capped, data-total-rows; every chart's <svg> has
-- data-points (its data-point elements, each with data-x, data-y and
-- data-group); every block sits in an element with data-block (its type)
-- and data-name.
local util = require "quarry.report_util"
local svg = require "quarry.svg"

local esc = svg.escape

local CSS = [[
:root{color-scheme:light;--ink:#1d2430;--muted:#5b6472;--rule:#d9dde3;--tint:#f4f6f8;--hit:#fff3c4;--accent:#0072B2}
*{box-sizing:border-box}
html{font-size:16px;-webkit-text-size-adjust:100%}
body{margin:0;color:var(--ink);background:#fff;line-height:1.6;font-kerning:normal;
font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans","Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif}
.page{max-width:62rem;margin:0 auto;padding:2.5rem 1.5rem 4rem}
header h1{font-size:2rem;line-height:1.25;margin:0 0 .35rem;letter-spacing:-.01em}
header .subtitle{font-size:1.15rem;color:var(--muted);margin:0}
h2{font-size:1.45rem;line-height:1.3;margin:2.6rem 0 .8rem;padding-bottom:.3rem;border-bottom:1px solid var(--rule)}
p{margin:.6rem 0 1rem;max-width:44rem}
.provenance{margin:1.6rem 0;padding:.9rem 1.1rem;background:var(--tint);border-left:4px solid var(--accent);border-radius:4px;font-size:.9rem}
.provenance h2{font-size:.8rem;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin:0 0 .4rem;padding:0;border:0}
.provenance dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:0}
.provenance dt{color:var(--muted)}
.provenance dd{margin:0;overflow-wrap:anywhere}
nav.toc{font-size:.95rem;margin:1rem 0}
nav.toc ol{margin:.2rem 0;padding-left:1.4rem}
nav.toc a{color:var(--accent);text-decoration:none}
nav.toc a:hover{text-decoration:underline}
figure{margin:1.4rem 0 1.8rem}
figcaption{font-weight:600;margin:0 0 .5rem}
.note{color:var(--muted);font-size:.9rem;margin:.4rem 0}
.nodata{color:var(--muted);font-style:italic}
.scroll{overflow-x:auto}
table{border-collapse:collapse;font-size:.92rem;min-width:50%}
th,td{padding:.32rem .7rem;border-bottom:1px solid var(--rule);text-align:left;vertical-align:top}
thead th{border-bottom:2px solid var(--ink);font-weight:600;white-space:nowrap}
tbody tr:nth-child(even){background:#fafbfc}
th.num,td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
th[data-sort]{cursor:pointer}
th[data-sort]:hover{color:var(--accent)}
th[aria-sort=ascending]::after{content:" \25B4"}
th[aria-sort=descending]::after{content:" \25BE"}
table.kwic{width:100%;font-size:.95rem}
table.kwic td{white-space:nowrap;overflow:hidden;vertical-align:baseline;border-bottom:1px solid #eceef1}
table.kwic td.ref{width:1%;max-width:8rem;color:var(--muted);font-size:.85rem;text-overflow:ellipsis}
table.kwic td.left,table.kwic td.right{width:50%;max-width:0}
table.kwic td.left>div{display:flex;justify-content:flex-end;overflow:hidden}
table.kwic td.left>div>span{flex:none}
table.kwic td.hit{width:1%;text-align:center;padding:.32rem .25rem}
table.kwic td.hit mark{background:var(--hit);color:inherit;font-weight:650;padding:.05rem .25rem;border-radius:3px}
table.kwic td.right{text-overflow:ellipsis}
svg.chart{display:block;width:100%;height:auto;max-width:100%;font-size:12px;overflow:visible}
svg.chart text{fill:var(--ink)}
svg.chart .ticks text,svg.chart text.value{font-size:11px;fill:var(--muted);font-variant-numeric:tabular-nums}
svg.chart .axis-title{font-weight:600;fill:var(--muted)}
svg.chart .grid line{stroke:#e6e9ee;stroke-width:1}
svg.chart .grid line.zero,svg.chart line.axis{stroke:#8a93a0;stroke-width:1}
svg.chart line.tick{stroke:#8a93a0}
svg.chart path.line{fill:none;stroke-width:2.2;stroke-linejoin:round;stroke-linecap:round}
svg.chart circle{stroke:#fff;stroke-width:1.2}
svg.chart circle:hover,svg.chart rect:hover{opacity:.75}
svg.chart .baseline{stroke:#c9ced6;stroke-width:1}
svg.chart .marks line{stroke:#0072B2;stroke-width:1.6;stroke-opacity:.85}
details.data{margin:.3rem 0 0;font-size:.9rem}
details.data summary{cursor:pointer;color:var(--muted)}
footer{margin-top:3rem;padding-top:.8rem;border-top:1px solid var(--rule);color:var(--muted);font-size:.85rem}
@media print{.page{max-width:none;padding:0}figure,table.kwic tr{break-inside:avoid}details.data{display:none}}
]]

-- Installed first, so that an error anywhere later is seen: an uncaught
-- exception is written into the page (body, or html before the body
-- exists) as data-errors, which the browser test reads in the DOM.
local ERROR_HOOK = [[
window.onerror=function(m,s,l){var e=document.body||document.documentElement;e.dataset.errors=(e.dataset.errors?e.dataset.errors+"\n":"")+m+" ("+l+")";};
]]

-- Click a column heading to sort by it; numeric cells sort by data-v.
local SORT_SCRIPT = [[
(function(){
document.querySelectorAll("table.sortable").forEach(function(t){
  var ths=t.tHead?t.tHead.rows[0].cells:[];
  Array.prototype.forEach.call(ths,function(th,col){
    th.setAttribute("data-sort","");th.tabIndex=0;
    function go(){
      var asc=th.getAttribute("aria-sort")!=="ascending";
      Array.prototype.forEach.call(ths,function(o){o.removeAttribute("aria-sort");});
      th.setAttribute("aria-sort",asc?"ascending":"descending");
      var num=th.classList.contains("num"),body=t.tBodies[0];
      var rows=Array.prototype.slice.call(body.rows);
      rows.sort(function(a,b){
        var x=a.cells[col],y=b.cells[col];
        var u=num?parseFloat(x.dataset.v):x.textContent,v=num?parseFloat(y.dataset.v):y.textContent;
        if(num){if(isNaN(u))return 1;if(isNaN(v))return -1;return asc?u-v:v-u;}
        return asc?u.localeCompare(v):v.localeCompare(u);
      });
      rows.forEach(function(r){body.appendChild(r);});
    }
    th.addEventListener("click",go);
    th.addEventListener("keydown",function(e){if(e.key==="Enter"||e.key===" "){e.preventDefault();go();}});
  });
});
document.documentElement.dataset.ready="1";
})();
]]

local CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"

local function present(v)
  return not util.is_empty(v) and v ~= ""
end

-- An id fragment from any text: ASCII letters, digits, '-' and '_'.
local function slug(s)
  s = tostring(s):lower():gsub("[^%w_-]+", "-"):gsub("^-+", ""):gsub("-+$", "")
  return s
end

local function paragraphs(out, text, class)
  for para in (text .. "\n\n"):gmatch("(.-)\n%s*\n") do
    if para:find("%S") then
      para = para:gsub("^%s+", ""):gsub("%s+$", "")
      local lines = {}
      for line in (para .. "\n"):gmatch("(.-)\n") do lines[#lines + 1] = esc(line) end
      out[#out + 1] = string.format("<p%s>%s</p>", class and (' class="' .. class .. '"') or "",
        table.concat(lines, "<br>"))
    end
  end
end

local function caption(b)
  return present(b.caption) and b.caption or nil
end

local function cell_attrs(value, column)
  if util.is_numeric(column.type) then
    local attrs = ' class="num"'
    if type(value) == "number" then attrs = attrs .. ' data-v="' .. esc(util.raw_number(value)) .. '"' end
    return attrs
  end
  return ""
end

--- A table of typed columns: numbers right-aligned and formatted by type,
--- at most max_rows rows (0: all) with a note saying how many are left out.
local function typed_table(out, columns, rows, max_rows, class)
  local total = #rows
  local shown = (max_rows > 0 and total > max_rows) and max_rows or total
  local attrs = string.format(' data-rows="%d"', shown)
  if shown < total then attrs = attrs .. string.format(' data-total-rows="%d"', total) end
  out[#out + 1] = string.format('<div class="scroll"><table class="%s"%s><thead><tr>', class or "sortable",
    attrs)
  for _, c in ipairs(columns) do
    local title = c.title
    if not present(title) then title = c.key end
    out[#out + 1] = string.format('<th scope="col"%s>%s</th>',
      util.is_numeric(c.type) and ' class="num"' or "", esc(title))
  end
  out[#out + 1] = "</tr></thead><tbody>"
  for r = 1, shown do
    local row = rows[r]
    out[#out + 1] = "<tr>"
    for _, c in ipairs(columns) do
      out[#out + 1] = string.format("<td%s>%s</td>", cell_attrs(row[c.key], c),
        esc(util.format_value(row[c.key], c)))
    end
    out[#out + 1] = "</tr>"
  end
  out[#out + 1] = "</tbody></table></div>"
  if total == 0 then
    out[#out + 1] = '<p class="nodata">No rows.</p>'
  elseif shown < total then
    out[#out + 1] = string.format('<p class="note">Showing the first %s of %s rows; the CSV and JSON '
      .. "formats hold them all.</p>", util.format_value(shown, { type = "integer" }),
      util.format_value(total, { type = "integer" }))
  end
end

local function dispersion_data(b)
  local columns = {
    { key = "group", title = "group", type = "string" },
    { key = "hits", title = "hits", type = "integer" },
    { key = "positions", title = present((b.x or {}).label) and b.x.label or "positions", type = "string" },
  }
  local rows = {}
  for i, g in ipairs(util.dispersion_groups(b)) do
    local xs = {}
    for j, x in ipairs(g.positions) do xs[j] = string.format("%.3f", x) end
    rows[i] = { group = g.group, hits = #g.positions, positions = table.concat(xs, " ") }
  end
  return columns, rows
end

local function series_block(out, b, opts)
  local cap = caption(b)
  local n = #(b.points or {})
  out[#out + 1] = string.format('<figure data-block="series" data-kind="%s" data-name="%s"%s>',
    esc(b.kind), esc(present(b.name) and b.name or ""), n == 0 and ' data-points="0"' or "")
  if cap then out[#out + 1] = "<figcaption>" .. esc(cap) .. "</figcaption>" end
  if n == 0 then
    out[#out + 1] = '<p class="nodata">No data.</p></figure>'
    return
  end
  local markup, drawn = svg.chart(b)
  out[#out + 1] = markup
  if drawn < n then
    out[#out + 1] = string.format('<p class="note">%d of %d points have no value and are not drawn.</p>',
      n - drawn, n)
  end
  if opts.data_tables then
    out[#out + 1] = '<details class="data"><summary>Data</summary>'
    local columns, rows
    if b.kind == "dispersion" then
      columns, rows = dispersion_data(b)
    else
      columns, rows = util.series_wide(b)
    end
    typed_table(out, columns, rows, opts.max_rows)
    out[#out + 1] = "</details>"
  end
  out[#out + 1] = "</figure>"
end

--- Concordance lines aligned on the hit: the left context right-aligned
--- and cut at its start, the hit highlighted, the right context cut at its
--- end; a leading reference column when lines have labels.
local function kwic_block(out, b, opts)
  local lines = b.lines or {}
  local has_label = false
  for _, l in ipairs(lines) do
    if present(l.label) then has_label = true end
  end
  local total = #lines
  local shown = (opts.max_rows > 0 and total > opts.max_rows) and opts.max_rows or total
  local cap = caption(b)
  out[#out + 1] = string.format('<figure data-block="kwic" data-name="%s">',
    esc(present(b.name) and b.name or ""))
  if cap then out[#out + 1] = "<figcaption>" .. esc(cap) .. "</figcaption>" end
  out[#out + 1] = string.format('<table class="kwic" data-rows="%d"%s>', shown,
    shown < total and string.format(' data-total-rows="%d"', total) or "")
  out[#out + 1] = "<tbody>"
  for i = 1, shown do
    local l = lines[i]
    local where = {}
    if present(l.doc) then where[#where + 1] = "document " .. util.format_value(l.doc) end
    if present(l.position) then
      where[#where + 1] = "token " .. util.format_value(l.position, { type = "integer" })
    end
    out[#out + 1] = #where > 0 and ('<tr title="' .. esc(table.concat(where, ", ")) .. '">') or "<tr>"
    if has_label then
      local label = present(l.label) and util.format_value(l.label) or ""
      out[#out + 1] = '<td class="ref">' .. esc(label) .. "</td>"
    end
    out[#out + 1] = string.format('<td class="left"><div><span>%s</span></div></td>'
      .. '<td class="hit"><mark>%s</mark></td><td class="right">%s</td></tr>',
      esc(present(l.left) and l.left or ""), esc(l.hit), esc(present(l.right) and l.right or ""))
  end
  out[#out + 1] = "</tbody></table>"
  if total == 0 then
    out[#out + 1] = '<p class="nodata">No lines.</p>'
  elseif shown < total then
    out[#out + 1] = string.format('<p class="note">Showing the first %d of %d lines.</p>', shown, total)
  end
  out[#out + 1] = "</figure>"
end

local function table_block(out, b, opts)
  local cap = caption(b)
  out[#out + 1] = string.format('<figure data-block="table" data-name="%s">',
    esc(present(b.name) and b.name or ""))
  if cap then out[#out + 1] = "<figcaption>" .. esc(cap) .. "</figcaption>" end
  typed_table(out, b.columns, b.rows, opts.max_rows)
  out[#out + 1] = "</figure>"
end

local function block(out, b, opts)
  if b.type == "text" then
    out[#out + 1] = '<div class="text" data-block="text">'
    paragraphs(out, b.text)
    out[#out + 1] = "</div>"
  elseif b.type == "table" then
    table_block(out, b, opts)
  elseif b.type == "series" then
    series_block(out, b, opts)
  elseif b.type == "kwic" then
    kwic_block(out, b, opts)
  end
end

local function options(opts)
  opts = opts or {}
  local max_rows = opts.max_rows
  if max_rows == nil then max_rows = 1000 end
  if math.type(max_rows) ~= "integer" or max_rows < 0 then
    error("html: max_rows must be an integer, 0 or more (0 shows every row), not " .. tostring(max_rows), 0)
  end
  local data_tables = opts.data_tables
  if data_tables == nil then data_tables = true end
  local script = opts.script
  if script == nil then script = true end
  return { max_rows = max_rows, data_tables = data_tables, script = script, lang = opts.lang or "en" }
end

local function render(report, opts)
  opts = options(opts)
  local out = {
    "<!doctype html>",
    string.format('<html lang="%s">', esc(opts.lang)),
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    string.format('<meta http-equiv="Content-Security-Policy" content="%s">', CSP),
  }
  local prov = report.provenance or {}
  if present(prov.quarry) then
    out[#out + 1] = string.format('<meta name="generator" content="%s">', esc(prov.quarry))
  end
  out[#out + 1] = "<title>" .. esc(report.title) .. "</title>"
  out[#out + 1] = "<style>" .. CSS .. "</style>"
  if opts.script then out[#out + 1] = "<script>" .. ERROR_HOOK .. "</script>" end
  out[#out + 1] = '</head>\n<body>\n<div class="page">'
  out[#out + 1] = "<header><h1>" .. esc(report.title) .. "</h1>"
  if present(report.subtitle) then
    out[#out + 1] = '<p class="subtitle">' .. esc(report.subtitle) .. "</p>"
  end
  out[#out + 1] = "</header>"

  local lines = util.provenance_lines(report)
  if #lines > 0 then
    out[#out + 1] = '<aside class="provenance" aria-label="Provenance"><h2>Provenance</h2><dl>'
    for _, l in ipairs(lines) do
      out[#out + 1] = string.format('<dt>%s</dt><dd data-field="%s">%s</dd>', esc(l.label), esc(l.label),
        esc(l.value))
    end
    out[#out + 1] = "</dl></aside>"
  end

  local sections = report.sections or {}
  if #sections > 2 then
    out[#out + 1] = '<nav class="toc" aria-label="Contents"><ol>'
    for i, s in ipairs(sections) do
      out[#out + 1] = string.format('<li><a href="#s%d">%s</a></li>', i, esc(s.title))
    end
    out[#out + 1] = "</ol></nav>"
  end

  out[#out + 1] = "<main>"
  for i, s in ipairs(sections) do
    local sid = slug(s.title)
    out[#out + 1] = string.format('<section id="s%d"%s><h2>%s</h2>', i,
      sid ~= "" and (' data-slug="' .. esc(sid) .. '"') or "", esc(s.title))
    if present(s.intro) then paragraphs(out, s.intro, "intro") end
    local blocks = s.blocks or {}
    for _, b in ipairs(blocks) do block(out, b, opts) end
    if #blocks == 0 and not present(s.intro) then
      out[#out + 1] = '<p class="nodata">Nothing to show.</p>'
    end
    out[#out + 1] = "</section>"
  end
  out[#out + 1] = "</main>"
  local made = present(prov.quarry) and ("Made with " .. prov.quarry) or "Made with quarry"
  if present(prov.created) then made = made .. " · " .. prov.created end
  out[#out + 1] = "<footer>" .. esc(made) .. "</footer>"
  out[#out + 1] = "</div>"
  if opts.script then out[#out + 1] = "<script>" .. SORT_SCRIPT .. "</script>" end
  out[#out + 1] = "</body>\n</html>\n"
  return table.concat(out, "\n")
end

return {
  api = 1,
  name = "html",
  kind = "format",
  description = "one self-contained HTML file: typeset tables, concordances and inline SVG charts",
  options = {
    { name = "max_rows", type = "integer", default = 1000,
      help = "rows shown per table or concordance (0: all); a note says how many are left out" },
    { name = "data_tables", type = "boolean", default = true,
      help = "a collapsed table of each chart's data under the chart" },
    { name = "script", type = "boolean", default = true,
      help = "a small inline script: sortable tables, script errors recorded in the page" },
    { name = "lang", type = "string", default = "en",
      help = "the page language (html lang), e.g. zh for a Chinese report" },
  },
  extension = "html",
  render = render,
}
