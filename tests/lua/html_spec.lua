-- quarry.plugins.html and quarry.svg without a browser: the page is one
-- self-contained, balanced document; every table's rows and every chart's
-- points match the report and the data-rows / data-points hooks; text is
-- escaped; empty, capped and partly missing data are said so.
-- tests/browser/ renders the same kind of page in Chromium.
local report = require "quarry.report"
local html = require "quarry.plugins.html"
local svg = require "quarry.svg"
local json = require("quarry").json

local FIX = assert(os.getenv("QUARRY_FIXTURES"), "QUARRY_FIXTURES not set") .. "/reports"
local sample = dofile(FIX .. "/sample.lua")

-- Elements HTML closes by itself; everything else must be closed.
local VOID = { meta = true, br = true, col = true, link = true, img = true, input = true, hr = true }

local function strip_raw_text(page)
  return (page:gsub("<script>.-</script>", "<script></script>"):gsub("<style>.-</style>", "<style></style>"))
end

--- nil when every tag is closed in order, else a message.
local function unbalanced(page)
  local stack = {}
  for close, name, rest in strip_raw_text(page):gmatch("<(/?)([%a][%w]*)([^>]*)>") do
    name = name:lower()
    if close == "/" then
      local top = table.remove(stack)
      if top ~= name then return "</" .. name .. "> closes <" .. tostring(top) .. ">" end
    elseif not VOID[name] and not rest:match("/$") then
      stack[#stack + 1] = name
    end
  end
  if #stack > 0 then return "unclosed <" .. stack[#stack] .. ">" end
  return nil
end

local function count(s, pattern)
  local n = 0
  for _ in s:gmatch(pattern) do n = n + 1 end
  return n
end

--- Every <table> with its data-rows and the <tr> of its <tbody>.
local function tables_of(page)
  local out = {}
  for attrs, body in page:gmatch("<table([^>]*)>(.-)</table>") do
    local tbody = body:match("<tbody>(.-)</tbody>") or ""
    out[#out + 1] = { rows = tonumber(attrs:match('data%-rows="(%d+)"')),
                      total = tonumber(attrs:match('data%-total%-rows="(%d+)"')),
                      tr = count(tbody, "<tr[ >]"), head = body:match("<thead>") ~= nil, attrs = attrs }
  end
  return out
end

--- Every <svg> with its data-points, kind and the elements carrying data-x.
local function charts_of(page)
  local out = {}
  for attrs, body in page:gmatch("<svg([^>]*)>(.-)</svg>") do
    local points = {}
    for tag, a in body:gmatch("<(%a+)([^>]*data%-x=[^>]*)>") do
      points[#points + 1] = { tag = tag, x = a:match('data%-x="([^"]*)"'), y = a:match('data%-y="([^"]*)"'),
                              group = a:match('data%-group="([^"]*)"'), attrs = a }
    end
    out[#out + 1] = { kind = attrs:match('data%-kind="([^"]*)"'),
                      declared = tonumber(attrs:match('data%-points="(%d+)"')), points = points,
                      body = body }
  end
  return out
end

local function series_blocks(r)
  local out = {}
  for _, s in ipairs(r.sections) do
    for _, b in ipairs(s.blocks) do
      if b.type == "series" then out[#out + 1] = b end
    end
  end
  return out
end

local function small_report()
  return report.new { title = "t" }
end

describe("html format", function()
  local r = sample()
  local page = html.render(r, {})

  it("is a plugin of the format kind", function()
    assert.are.equal(1, html.api)
    assert.are.equal("html", html.name)
    assert.are.equal("format", html.kind)
    assert.are.equal("html", html.extension)
    for _, o in ipairs(html.options) do
      assert.is_string(o.help)
      assert.is_not_nil(o.default)
    end
  end)

  it("is one self-contained UTF-8 document", function()
    assert.truthy(page:match("^<!doctype html>\n<html lang=\"en\">"))
    assert.truthy(page:find('<meta charset="utf-8">', 1, true))
    assert.truthy(page:find("Content-Security-Policy\" content=\"default-src 'none'", 1, true))
    assert.is_nil(unbalanced(page))
    -- Nothing is fetched: no links, no sources, no URLs in the CSS.
    assert.is_nil(page:find("<link", 1, true))
    assert.is_nil(page:find("src=", 1, true))
    assert.is_nil(page:find("url(", 1, true))
    assert.is_nil(page:find("@import", 1, true))
    assert.is_nil(page:find("https?://[^\"]*\"[^>]*>") and page:find("href=\"http", 1, true))
    assert.truthy(page:find("\"Noto Sans CJK SC\",\"Source Han Sans SC\",\"PingFang SC\",\"Microsoft YaHei\",sans-serif",
      1, true))
  end)

  it("has the header, provenance and every section", function()
    assert.truthy(page:find("<h1>Key terms: 新质生产力 and quality growth</h1>", 1, true))
    assert.truthy(page:find('<p class="subtitle">A fixed report for the format tests | every block type</p>', 1, true))
    assert.truthy(page:find('<dd data-field="tokens">123456</dd>', 1, true))
    assert.truthy(page:find('<dd data-field="queries">新质生产力; quality NEAR/3 growth</dd>', 1, true))
    for i, s in ipairs(r.sections) do
      assert.truthy(page:find(string.format('<section id="s%d"[^>]*><h2>%s</h2>', i, s.title)))
    end
    assert.truthy(page:find('<p class="nodata">Nothing to show.</p>', 1, true)) -- the empty section
  end)

  it("gives every table data-rows equal to its body rows and the block's rows", function()
    local tables = tables_of(page)
    -- top_docs, four series data tables, the concordance
    assert.are.equal(6, #tables)
    for _, t in ipairs(tables) do assert.are.equal(t.rows, t.tr) end
    assert.are.equal(#r.sections[1].blocks[2].rows, tables[1].rows)
    assert.is_true(tables[1].head)
    assert.are.equal(#r.sections[3].blocks[1].lines, tables[6].rows)
  end)

  it("writes cells by column type, numbers right-aligned", function()
    assert.truthy(page:find('<th scope="col" class="num">per million</th>', 1, true))
    assert.truthy(page:find('<td class="num" data-v="1234.5678">1234.6</td>', 1, true))
    assert.truthy(page:find('<td class="num" data-v="0.5">50.0%</td>', 1, true))
    assert.truthy(page:find('<td class="num" data-v="4.2e-06">4.20e-06</td>', 1, true))
    assert.truthy(page:find('<td class="num" data-v="7">7</td>', 1, true))
    assert.truthy(page:find("<td>pipes | commas, &quot;quotes&quot;\nand a line break</td>", 1, true))
    assert.truthy(page:find('<td class="num"></td>', 1, true)) -- missing value
  end)

  it("draws every series point as one element with data-x, data-y and data-group", function()
    local charts = charts_of(page)
    local blocks = series_blocks(r)
    assert.are.equal(#blocks, #charts)
    local tags = { line = "circle", bar = "rect", diverging = "rect", dispersion = "line" }
    for i, c in ipairs(charts) do
      local b = blocks[i]
      assert.are.equal(b.kind, c.kind)
      assert.are.equal(#b.points, c.declared)
      assert.are.equal(#b.points, #c.points)
      for _, p in ipairs(c.points) do assert.are.equal(tags[b.kind], p.tag) end
    end
    -- The timeline: two lines with a legend, points in data order.
    local line = charts[1]
    assert.are.equal(2, count(line.body, '<path class="line"'))
    assert.truthy(line.body:find('<g class="legend">', 1, true))
    local found
    for _, p in ipairs(line.points) do
      if p.group == "高质量发展" and p.x == "2022" then found = p end
    end
    assert.are.equal("35.25", found.y)
    assert.truthy(line.body:find("<title>高质量发展 · 2022: 35.25</title>", 1, true))
    -- Years are labelled as years.
    assert.truthy(line.body:find(">2023</text>", 1, true))
    assert.is_nil(line.body:find("2,023", 1, true))
    -- Diverging: the negative bar lies left of the positive one.
    local div = charts[3]
    local neg = tonumber(div.points[2].attrs:match(' x="([%d.]+)"'))
    local pos = tonumber(div.points[1].attrs:match(' x="([%d.]+)"'))
    assert.are.equal("-1.5", div.points[2].y)
    assert.is_true(neg < pos)
    -- Dispersion: ticks in order of position within a row.
    local disp = charts[4]
    local x0 = tonumber(disp.points[1].attrs:match(' x1="([%d.]+)"'))
    local x1 = tonumber(disp.points[3].attrs:match(' x1="([%d.]+)"'))
    assert.are.equal("2024", disp.points[1].group)
    assert.is_true(x0 < x1)
  end)

  it("aligns concordance lines on a highlighted hit", function()
    assert.truthy(page:find('<td class="left"><div><span>加快发展</span></div></td><td class="hit"><mark>新质生产力</mark></td>'
      .. "<td class=\"right\">。充分发挥创新主导作用</td>", 1, true))
    assert.truthy(page:find('<tr title="document 3, token 1234">\n<td class="ref">2024</td>', 1, true))
  end)

  it("renders plain data and a JSON round trip as it renders the Report", function()
    assert.are.equal(page, html.render(r:data(), {}))
    local back = assert(report.from_data(json.decode(json.encode(r:data()))))
    assert.are.equal(page, html.render(back, {}))
  end)

  it("escapes every piece of report text", function()
    local x = small_report()
    x.title = [[<script>alert("x")</script> & 'q']]
    x.provenance.index = "<i>"
    local s = x:section("<b>section</b>", "intro <br>")
    s:text("a < b & c > d")
    s:table { name = '"n"', caption = "<cap>", columns = { { key = "k", title = "<k>" } },
              rows = { { k = "</td>" } } }
    s:series { kind = "bar", x = { label = "<x>" }, y = { label = "<y>" },
               points = { { x = "<a>", y = 1, group = "'g'" }, { x = "b", y = 2, group = "&" } } }
    s:kwic { lines = { { left = "<l>", hit = "<h>", right = "<r>", label = "<lab>" } } }
    local out = html.render(x)
    assert.is_nil(unbalanced(out))
    local body = strip_raw_text(out)
    for _, raw in ipairs({ "<script>alert", "<i>", "<b>", "<br>", "<cap>", "<k>", "<x>", "<y>", "<a>",
                           "<l>", "<h>", "<r>", "<lab>", "< b" }) do
      assert.is_nil(body:find(raw, 1, true), raw)
    end
    assert.truthy(out:find("<h1>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;</h1>", 1, true))
    assert.truthy(out:find('data-group="&#39;g&#39;"', 1, true))
    assert.truthy(out:find('data-name="&quot;n&quot;"', 1, true))
    assert.truthy(out:find("<p>a &lt; b &amp; c &gt; d</p>", 1, true))
  end)

  it("says when there is no data", function()
    local x = small_report()
    local s = x:section("empty")
    s:table { columns = { { key = "a", type = "integer" } }, rows = {} }
    for _, kind in ipairs({ "line", "bar", "diverging", "dispersion" }) do
      s:series { kind = kind, points = {} }
    end
    s:kwic { lines = {} }
    local out = html.render(x)
    assert.is_nil(unbalanced(out))
    assert.are.equal(1, count(out, '<p class="nodata">No rows.</p>'))
    assert.are.equal(4, count(out, '<p class="nodata">No data.</p>'))
    assert.are.equal(1, count(out, '<p class="nodata">No lines.</p>'))
    assert.are.equal(0, #charts_of(out))
    for _, t in ipairs(tables_of(out)) do assert.are.equal(0, t.rows) end
  end)

  it("caps long tables and concordances at max_rows and says so", function()
    local x = small_report()
    local rows, lines = {}, {}
    for i = 1, 25 do
      rows[i] = { n = i }
      lines[i] = { hit = "h" .. i }
    end
    x:section("big"):table { columns = { { key = "n", type = "integer" } }, rows = rows }
      :kwic { lines = lines }
    local out = html.render(x, { max_rows = 10 })
    local t = tables_of(out)
    assert.are.same({ 10, 25, 10 }, { t[1].rows, t[1].total, t[1].tr })
    assert.are.same({ 10, 25, 10 }, { t[2].rows, t[2].total, t[2].tr })
    assert.truthy(out:find("Showing the first 10 of 25 rows", 1, true))
    assert.truthy(out:find("Showing the first 10 of 25 lines", 1, true))
    local all = tables_of(html.render(x, { max_rows = 0 }))
    assert.are.same({ 25, 25 }, { all[1].tr, all[2].tr })
    assert.is_nil(all[1].total)
    assert.has_error(function() html.render(x, { max_rows = -1 }) end,
                     "html: max_rows must be an integer, 0 or more (0 shows every row), not -1")
  end)

  it("leaves out points without a value and says how many", function()
    local x = small_report()
    x:section("gaps"):series { kind = "line", x = { type = "date" },
      points = { { x = 2020, y = 1 }, { x = 2021, y = 0 / 0 }, { x = 2022, y = 3 }, { x = 2023, y = 2 } } }
    local out = html.render(x)
    local c = charts_of(out)[1]
    assert.are.equal(3, c.declared)
    assert.are.equal(3, #c.points)
    assert.truthy(out:find("1 of 4 points have no value and are not drawn.", 1, true))
    -- The line breaks at the gap: it restarts with a move.
    assert.truthy(c.body:match('<path class="line" d="M[^"]*M[^"]*"'))
    assert.is_nil(out:find('="%-?nan'))
  end)

  it("lays out categories, many groups and negative bars", function()
    local x = small_report()
    local pts, bars = {}, {}
    for g = 1, 10 do
      for _, m in ipairs({ "2024-01", "2024-02", "2024-03" }) do
        pts[#pts + 1] = { x = m, y = g, group = "term " .. g }
      end
      bars[g] = { x = "w" .. g, y = g - 5 }
    end
    x:section("c"):series { kind = "line", points = pts }:series { kind = "bar", points = bars }
    local out = html.render(x)
    local c = charts_of(out)
    assert.are.equal(30, #c[1].points)
    assert.are.equal(10, count(c[1].body, '<path class="line"'))
    -- Groups past the palette's eight colours differ by their dash.
    assert.truthy(c[1].body:find('stroke-dasharray="6 3"', 1, true))
    assert.truthy(c[1].body:find(">2024-02</text>", 1, true))
    assert.are.equal(10, #c[2].points)
    assert.truthy(c[2].points[1].attrs:find('fill="#D55E00"', 1, true)) -- negative
    assert.truthy(c[2].points[10].attrs:find('fill="#0072B2"', 1, true))
  end)

  it("puts dates written as text in order, other categories as given", function()
    local x = small_report()
    local pts = { { x = "2024-03", y = 1, group = "a" }, { x = "2024-01", y = 2, group = "b" },
                  { x = "2024-02", y = 3, group = "b" } }
    x:section("d"):series { kind = "line", x = { type = "date" }, points = pts }
      :series { kind = "line", points = pts }
    local c = charts_of(html.render(x))
    local function cx(chart, i) return tonumber(chart.points[i].attrs:match(' cx="([%d.]+)"')) end
    -- group a (2024-03) is drawn first, then b (2024-01, 2024-02)
    assert.is_true(cx(c[1], 2) < cx(c[1], 3) and cx(c[1], 3) < cx(c[1], 1))
    assert.is_true(cx(c[2], 1) < cx(c[2], 2) and cx(c[2], 2) < cx(c[2], 3))
  end)

  it("honours the options", function()
    local x = sample()
    local out = html.render(x, { script = false, data_tables = false, lang = "zh" })
    assert.is_nil(out:find("<script", 1, true))
    assert.is_nil(out:find("<details", 1, true))
    assert.truthy(out:find('<html lang="zh">', 1, true))
    assert.are.equal(2, #tables_of(out))
    assert.truthy(page:find("window.onerror", 1, true))
    assert.truthy(page:find("dataset.ready", 1, true))
  end)
end)

describe("quarry.svg", function()
  it("escapes markup characters and drops control characters", function()
    assert.are.equal("&lt;a href=&quot;x&quot;&gt;&amp;&#39;", svg.escape([[<a href="x">&']]))
    assert.are.equal("ab\tc\n", svg.escape("a\0b\1\tc\n\27"))
    assert.are.equal("12", svg.escape(12))
  end)

  it("chooses nice ticks", function()
    assert.are.same({ 0, 20, 40, 60 }, (svg.nice_ticks(0, 52.5, 5)))
    assert.are.same({ 0, 10, 20, 30, 40, 50, 60 }, (svg.nice_ticks(0, 52.5, 6)))
    assert.are.same({ 0, 0.2, 0.4, 0.6, 0.8, 1 }, (svg.nice_ticks(0, 0, 5)))
    local t, step = svg.nice_ticks(-1.5, 2.345, 4)
    assert.are.equal(1, step)
    assert.are.same({ -2, -1, 0, 1, 2, 3 }, t)
    assert.are.equal("0.2", svg.tick_label(0.2, 0.2))
    assert.are.equal("0.25", svg.tick_label(0.25, 0.25))
    assert.are.equal("12,000", svg.tick_label(12000, 2000))
    assert.are.equal("2000", svg.tick_label(2000, 500))
    assert.are.equal("0", svg.tick_label(-0.0, 1))
  end)

  it("refuses an unknown kind", function()
    assert.has_error(function() svg.chart({ kind = "pie", points = {} }) end,
                     "quarry.svg: unknown series kind 'pie'")
  end)
end)
