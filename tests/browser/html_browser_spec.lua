-- The HTML report in a real browser (ctest browser.html): a small corpus
-- of work-report sentences (Chinese, one English document) is indexed,
-- real analyses fill a report with every block type, the html format
-- writes it under $QUARRY_ARTIFACTS/browser/, and headless Chromium
--   1. dumps the DOM after the page's scripts ran: every chart has as many
--      data-point elements as its data-points and its series has points,
--      every table as many body rows as its data-rows and its block has
--      rows; the title and Chinese text are there; the page recorded no
--      script error (data-errors) and its script ran to the end;
--   2. logs console messages to stderr: there must be none (the page
--      writes nothing to the console, so any message is an error, a
--      blocked fetch or a warning worth reading);
--   3. saves a screenshot, report.png, kept as the test's artefact with
--      the page (report.html), the DOM (dom.out) and the logs (*.err).
-- Every Chromium run is cut off after 60 s. Without Chromium the test
-- fails and says what to install. QUARRY_CHROMIUM names another binary
-- (default: chromium, the Debian package).
local quarry = require "quarry"
local report = require "quarry.report"

local ART = assert(os.getenv("QUARRY_ARTIFACTS"), "QUARRY_ARTIFACTS not set") .. "/browser"
local PAGE = ART .. "/report.html"
local SHOT = ART .. "/report.png"
local TIMEOUT = 60
local CHROMIUM = os.getenv("QUARRY_CHROMIUM") or "chromium"

local function sh(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

local function write(path, s)
  local f = assert(io.open(path, "wb"))
  f:write(s)
  f:close()
end

-- The corpus: one document a year; 新质生产力 first appears in 2024.
local DOCS = {
  { 2019, "2019年政府工作报告。我们坚持推动高质量发展，深化供给侧结构性改革。高质量发展是当前和今后一个时期的根本要求。" },
  { 2020, "2020年政府工作报告。面对疫情冲击，我们稳住经济基本盘，继续推动高质量发展，保障就业和民生。" },
  { 2021, "2021年政府工作报告。开局十四五，立足新发展阶段，推动高质量发展，坚持创新驱动发展。创新是第一动力。" },
  { 2022, "2022年政府工作报告。稳字当头、稳中求进，推动高质量发展，加大科技创新力度，提升产业链供应链水平。" },
  { 2023, "2023年政府工作报告。全面建设社会主义现代化国家，着力推动高质量发展，创新引领产业升级。" },
  { 2024, "2024年政府工作报告。大力推进现代化产业体系建设，加快发展新质生产力。充分发挥创新主导作用，"
    .. "以科技创新推动产业创新，加快形成新质生产力，推动高质量发展。" },
  { 2024, "Report on the Work of the Government, 2024: develop new quality productive forces and pursue "
    .. "high-quality development through innovation." },
}

local TERMS = { "新质生产力", "高质量发展", "创新" }
local WORDS = { "新质生产力", "高质量发展", "创新", "产业", "改革", "科技", "现代化", "就业", "稳", "development" }

-- The issue's flags, plus --disable-dev-shm-usage: containers (CI) often
-- give /dev/shm 64 MB, which Chromium outgrows and then crashes.
local function chromium_flags(user_dir)
  return table.concat({ "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--disable-dev-shm-usage",
                        "--user-data-dir=" .. sh(user_dir), "--enable-logging=stderr", "--v=0" }, " ")
end

--- Runs Chromium on the page (a path) with the extra arguments; returns its
--- stdout and stderr. The sanitizer runtime the ASan build preloads into
--- lua5.4 must not reach Chromium.
local function chromium(page, extra, tag)
  local user_dir = ART .. "/profile-" .. tag
  local out, err = ART .. "/" .. tag .. ".out", ART .. "/" .. tag .. ".err"
  os.execute("rm -rf " .. sh(user_dir) .. " && mkdir -p " .. sh(user_dir))
  local cmd = string.format("env -u LD_PRELOAD -u ASAN_OPTIONS -u UBSAN_OPTIONS timeout %d %s %s %s %s"
    .. " >%s 2>%s", TIMEOUT, sh(CHROMIUM), chromium_flags(user_dir), extra, sh("file://" .. page),
    sh(out), sh(err))
  local ok, how, code = os.execute(cmd)
  os.execute("rm -rf " .. sh(user_dir))
  assert(code ~= 124, "chromium " .. tag .. " did not finish within " .. TIMEOUT .. " s")
  assert(ok, string.format("chromium %s failed (%s %s); stderr in %s", tag, how, code, err))
  return read(out), read(err)
end

--- Console messages Chromium logged: lines "INFO:CONSOLE..." and any
--- "Uncaught" exception.
local function console_messages(stderr)
  local out = {}
  for line in stderr:gmatch("[^\n]+") do
    if line:find(":CONSOLE", 1, true) or line:find("Uncaught", 1, true) then out[#out + 1] = line end
  end
  return out
end

local function build_index(path)
  local w <close> = assert(quarry.writer(path))
  for i, d in ipairs(DOCS) do
    assert(w:add({ source = "report-" .. i, text = d[2], fields = { year = d[1] } }))
  end
  assert(w:commit())
end

--- A report with every block type, from real analyses of the index.
local function build_report(idx, index_path)
  local r = report.new { title = "Key terms: 新质生产力 and 高质量发展",
                         subtitle = "Browser test report · every block type", params = { terms = TERMS } }
  r:set_index(idx, index_path)
  for _, t in ipairs(TERMS) do r:add_query(t) end
  r:set_option("period", "year")

  local s = r:section("Overview", "Seven short documents, one per year, and an English summary of 2024.")
  s:text("新质生产力 (new quality productive forces) first appears in the 2024 report; "
    .. "高质量发展 appears every year.\n\nEscaping: <b>not bold</b> & \"quoted\" 'text'.")
  local counts = {}
  for i, t in ipairs(TERMS) do
    local hits, docs = idx:count(t)
    counts[i] = { term = t, hits = hits, docs = docs, share = docs / #DOCS }
  end
  s:table { name = "terms", caption = "Hits and documents per term",
            columns = { { key = "term", title = "term" }, { key = "hits", title = "hits", type = "integer" },
                        { key = "docs", title = "documents", type = "integer" },
                        { key = "share", title = "share of documents", type = "percent" } },
            rows = counts }

  local t = r:section("Timeline")
  local tl = assert(idx:timeline(TERMS, { by = "year" }))
  local points = {}
  for _, rec in ipairs(tl) do
    points[#points + 1] = { x = tonumber(rec.period), y = rec.per_million, group = rec.query }
  end
  t:series { name = "timeline", caption = "Hits per million words, per year", kind = "line",
             x = { label = "year", type = "date" }, y = { label = "per million words", digits = 0 },
             points = points }

  local f = r:section("Frequencies and keyness")
  -- Counts of chosen words by search (idx:count) rather than a frequency
  -- list: the test must not depend on how Chinese is cut into words.
  local bars = {}
  for i, word in ipairs(WORDS) do bars[i] = { x = word, y = (idx:count(word)) } end
  table.sort(bars, function(a, b) return a.y > b.y or (a.y == b.y and a.x < b.x) end)
  f:series { name = "frequencies", caption = "Occurrences of chosen words", kind = "bar",
             x = { label = "word" }, y = { label = "occurrences", type = "integer" }, points = bars }
  local function tokens(filter)
    local n = 0
    for _, id in ipairs(assert(idx:docs({ filter = filter }))) do n = n + assert(idx:doc(id, { text = false })).tokens end
    return n
  end
  local target, reference = tokens("year=2024"), tokens("year<2024")
  local kp = {}
  for _, word in ipairs(WORDS) do
    local a = idx:count(word, { filter = "year=2024" })
    local b = idx:count(word, { filter = "year<2024" })
    kp[#kp + 1] = { x = word, y = quarry.stats.keyness(a, target, b, reference).log_ratio }
  end
  table.sort(kp, function(a, b) return a.y > b.y or (a.y == b.y and a.x < b.x) end)
  f:series { name = "keyness", caption = "Keyness of 2024 against 2019–2023 (log ratio)", kind = "diverging",
             x = { label = "word" }, y = { label = "log ratio", digits = 2 }, points = kp }

  local d = r:section("Dispersion")
  local dp = {}
  for _, term in ipairs(TERMS) do
    local disp = assert(idx:dispersion(term))
    for _, pos in ipairs(disp.positions) do dp[#dp + 1] = { x = pos, y = 1, group = term } end
  end
  d:series { name = "dispersion", caption = "Where each term falls in the corpus", kind = "dispersion",
             x = { label = "position in the corpus" }, y = { label = "hit" }, points = dp }
  d:series { name = "empty", caption = "A series without points", kind = "line", points = {} }

  local k = r:section("Concordance")
  local lines = {}
  for doc, first, last in idx:search(TERMS[1]) do
    local left, hit, right = assert(idx:kwic(doc, first, last, { context = 12 }))
    local info = assert(idx:doc(doc, { text = false }))
    lines[#lines + 1] = { label = tostring(info.fields.year), position = first, doc = doc, left = left,
                          hit = hit, right = right }
  end
  k:kwic { name = "first", caption = "新质生产力 in context", lines = lines }
  return r
end

-- The dumped DOM, parsed just enough for the checks ---------------------

local function count(s, pattern)
  local n = 0
  for _ in s:gmatch(pattern) do n = n + 1 end
  return n
end

local function chart_of(html_text)
  local attrs, body = html_text:match("<svg([^>]*)>(.-)</svg>")
  if not attrs then return nil end
  return { kind = attrs:match('data%-kind="([^"]*)"'), declared = tonumber(attrs:match('data%-points="(%d+)"')),
           elements = count(body, "<%a+[^>]- data%-x=") }
end

local function tables_of(html_text)
  local out = {}
  for attrs, body in html_text:gmatch("<table([^>]*)>(.-)</table>") do
    out[#out + 1] = { class = attrs:match('class="([^"]*)"'),
                      declared = tonumber(attrs:match('data%-rows="(%d+)"')),
                      tr = count(body:match("<tbody>(.-)</tbody>") or "", "<tr[ >]") }
  end
  return out
end

--- The block elements (<figure data-block=...>) of the page in order.
local function figures_of(dom)
  local out = {}
  for attrs, inner in dom:gmatch("<figure([^>]*)>(.-)</figure>") do
    out[#out + 1] = { type = attrs:match('data%-block="([^"]*)"'), name = attrs:match('data%-name="([^"]*)"'),
                      points = tonumber(attrs:match('data%-points="(%d+)"')), chart = chart_of(inner),
                      tables = tables_of(inner) }
  end
  return out
end

--- The rows of the data table under a chart: a row per x (line, bar,
--- diverging), a row per group (dispersion).
local function data_rows(b)
  local seen, n = {}, 0
  for _, p in ipairs(b.points) do
    local k = b.kind == "dispersion" and tostring(p.group) or tostring(p.x)
    if not seen[k] then seen[k], n = true, n + 1 end
  end
  return n
end

--- Checks the dumped DOM of a rendered report against the report: a
--- figure per block in order, each chart with all of its points, each
--- table with all of its rows. Returns the numbers of charts and tables.
local function check_blocks(rep, dom)
  local blocks = {}
  for _, sec in ipairs(rep.sections) do
    for _, b in ipairs(sec.blocks) do
      if b.type ~= "text" then blocks[#blocks + 1] = b end
    end
  end
  local figures = figures_of(dom)
  assert.are.equal(#blocks, #figures)
  local charts, tables = 0, 0
  for i, f in ipairs(figures) do
    local b = blocks[i]
    local name = b.name or (b.type .. " " .. i)
    assert.are.same({ b.type, b.name or "" }, { f.type, f.name })
    for _, t in ipairs(f.tables) do assert.are.equal(t.declared, t.tr, name) end
    if b.type == "table" then
      assert.are.equal(math.min(#b.rows, 1000), f.tables[1].tr, name)
    elseif b.type == "kwic" then
      assert.are.same({ "kwic", math.min(#b.lines, 1000) }, { f.tables[1].class, f.tables[1].tr }, name)
    elseif #b.points == 0 then
      assert.are.same({ 0, 0 }, { f.points, #f.tables }, name)
      assert.is_nil(f.chart, name)
    else
      charts = charts + 1
      local drawn = 0
      for _, p in ipairs(b.points) do
        if p.y == p.y and math.abs(p.y) ~= math.huge then drawn = drawn + 1 end
      end
      assert.are.equal(b.kind, f.chart.kind, name)
      assert.are.equal(drawn, f.chart.declared, name)
      assert.are.equal(drawn, f.chart.elements, name)
      assert.are.equal(math.min(data_rows(b), 1000), f.tables[1].tr, name)
    end
    tables = tables + #f.tables
  end
  -- every table of the page is in a block
  assert.are.equal(#tables_of(dom), tables)
  return charts, tables
end

local function check_scripts(dom, console)
  assert.are.same({}, console)
  assert.truthy(dom:find("<html[^>]- data%-ready=\"1\""), "the page's script did not run to its end")
  assert.is_nil(dom:find("data%-errors="), "the page recorded a script error")
end

local function png_size(path)
  local png = read(path)
  assert.are.equal("\137PNG\r\n\26\n", png:sub(1, 8))
  local width, height = string.unpack(">I4I4", png, 17)
  return width, height
end

local function require_chromium()
  local found = os.execute("command -v " .. sh(CHROMIUM) .. " >/dev/null 2>&1")
  assert(found, "install chromium (tools/packages.txt)")
end

local INDEX = ART .. "/reports.quarry"

describe("html report in headless Chromium", function()
  local r, dom, console

  setup(function()
    require_chromium()
    os.execute("rm -rf " .. sh(ART) .. " && mkdir -p " .. sh(ART))
    build_index(INDEX)
    local idx <close> = assert(quarry.open(INDEX))
    r = build_report(idx, INDEX)
    assert(r:validate())
    -- through the plugin loader, as quarry report does
    write(PAGE, assert(report.render(r, { format = "html", options = { lang = "zh" } })))
    local stderr
    dom, stderr = chromium(PAGE, "--dump-dom", "dom")
    console = console_messages(stderr)
  end)

  it("runs the page without console messages or script errors", function()
    check_scripts(dom, console)
  end)

  it("shows the title and Chinese text", function()
    assert.truthy(dom:find("<h1>Key terms: 新质生产力 and 高质量发展</h1>", 1, true))
    assert.truthy(dom:find("<title>Key terms: 新质生产力 and 高质量发展</title>", 1, true))
    assert.truthy(dom:find("加快发展", 1, true) and dom:find("新质生产力</mark>", 1, true))
    assert.truthy(dom:find("&lt;b&gt;not bold&lt;/b&gt; &amp;", 1, true))
  end)

  it("has every block, every chart with all of its points, every table with all of its rows", function()
    local charts, tables = check_blocks(r, dom)
    -- terms, line, bar, diverging, dispersion (+ data tables), empty, kwic
    assert.are.same({ 4, 6 }, { charts, tables })
    local timeline, kwic = r.sections[2].blocks[1], r.sections[5].blocks[1]
    -- a line per term over six years; 新质生产力 twice in 2024
    assert.are.equal(#TERMS * 6, #timeline.points)
    assert.are.equal(2, #kwic.lines)
  end)

  it("saves a screenshot", function()
    os.remove(SHOT)
    local _, stderr = chromium(PAGE, "--screenshot=" .. sh(SHOT) .. " --window-size=1280,2400", "shot")
    assert.are.same({}, console_messages(stderr))
    assert.are.same({ 1280, 2400 }, { png_size(SHOT) })
  end)
end)

-- The built-in key-terms analysis, when it is installed, on the same
-- index: the page it makes passes the same checks, and its screenshot is
-- kept as key-terms.png.
describe("key-terms report in headless Chromium", function()
  local plugins = require "quarry.plugins"

  it("renders, runs and shows every point and row", function()
    if not plugins.load("key-terms", "analysis") then
      pending("the key-terms analysis is not installed")
      return
    end
    require_chromium()
    local idx <close> = assert(quarry.open(INDEX))
    local kr = assert(report.run(idx, { title = "Key terms",
      analyses = { { analysis = "key-terms", options = { terms = { TERMS[1], TERMS[2] } } } } },
      { index_path = INDEX }))
    local page = ART .. "/key-terms.html"
    write(page, assert(report.render(kr, { format = "html", options = { lang = "zh" } })))
    local dom, stderr = chromium(page, "--dump-dom", "key-terms-dom")
    check_scripts(dom, console_messages(stderr))
    check_blocks(kr, dom)
    assert.truthy(dom:find(TERMS[1], 1, true))
    local shot = ART .. "/key-terms.png"
    _, stderr = chromium(page, "--screenshot=" .. sh(shot) .. " --window-size=1280,2400", "key-terms-shot")
    assert.are.same({}, console_messages(stderr))
    assert.are.same({ 1280, 2400 }, { png_size(shot) })
  end)
end)
