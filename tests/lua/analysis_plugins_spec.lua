-- The built-in analysis plugins (scripts/quarry/plugins/*.lua) run through
-- quarry.report.run on tests/fixtures/keyterms: nine yearly addresses of a
-- city, 2014-2022 (one document a year, a year and a title field). Terms
-- and where they are used, counted by hand from the texts:
--
--   pandemic   2020: 4, 2021: 3, 2022: 2           first: 2020, token 7
--   climate    2016: 1, 2017: 1, 2018: 2, 2019: 3, 2020: 2, 2021: 3, 2022: 3
--   broadband  2018: 2, 2019: 3, 2020: 2, 2021: 2, 2022: 3
--   cycling    2019: 3, 2021: 2, 2022: 2
--   vaccine    2021: 6, 2022: 2   (2 of the 5 documents of 2018-2022)
--   harbour    2014: 4, 2015: 4, 2016: 3, 2017: 3   factory 2014-2016
--
-- Words per document are counted here from the files themselves (runs of
-- letters and digits: the fixture has no apostrophes or hyphens), which
-- checks the per-million figures independently of the index.
local quarry = require "quarry"
local report = require "quarry.report"
local json = require "quarry.json"

local FIX = assert(os.getenv("QUARRY_FIXTURES"), "QUARRY_FIXTURES not set") .. "/keyterms"
local ART = os.getenv("QUARRY_ARTIFACTS") or "/tmp"

local function sh(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local ROOT = string.format("%s/lua-analysis-plugins/run-%d-%d", ART, os.time(), math.random(1e6))
local INDEX = ROOT .. "/fx.quarry"

-- words of each year's address, from the file (front matter skipped)
local WORDS = {}
for year = 2014, 2022 do
  local f = assert(io.open(FIX .. "/corpus/address-" .. year .. ".md", "rb"))
  local body = f:read("a"):gsub("^%-%-%-.-\n%-%-%-\n", "")
  f:close()
  local n = 0
  for _ in body:gmatch("%w+") do n = n + 1 end
  WORDS[tostring(year)] = n
end

local idx

setup(function()
  os.execute("rm -rf " .. sh(ROOT) .. " && mkdir -p " .. sh(ROOT))
  local w <close> = assert(quarry.writer(INDEX))
  local s <close> = assert(quarry.open_sources(FIX .. "/corpus"))
  assert(w:add_sources(s))
  assert(w:commit())
  idx = assert(quarry.open(INDEX))
end)

teardown(function()
  if idx then idx:close() end
  os.execute("rm -rf " .. sh(ROOT))
end)

--- Runs one analysis with options (and a spec subcorpus); returns the
--- report, or raises with the run's message.
local function run(name, options, subcorpus)
  local r, msg = report.run(idx, { title = "t", subcorpus = subcorpus,
                                   analyses = { { analysis = name, options = options or {} } } },
                            { index_path = INDEX })
  if not r then error(msg, 2) end
  assert(r:validate())
  return r
end

local function run_error(name, options)
  local r, msg, code = report.run(idx, { analyses = { { analysis = name, options = options } } })
  assert.is_nil(r)
  return msg, code
end

local function section(r, title)
  for _, s in ipairs(r.sections) do
    if s.title == title then return s end
  end
  error("no section " .. title)
end

local function block_types(s)
  local t = {}
  for i, b in ipairs(s.blocks) do t[i] = b.type .. (b.kind and ("/" .. b.kind) or "") end
  return t
end

local function rows_by(block, key)
  local t = {}
  for _, r in ipairs(block.rows) do t[r[key]] = r end
  return t
end

local function close(a, b)
  return math.abs(a - b) <= 1e-9 * math.max(1, math.abs(a), math.abs(b))
end

describe("key-terms", function()
  local r
  setup(function() r = run("key-terms", { terms = { "pandemic", "climate" }, top = 3 }) end)

  it("has the seven sections with their blocks", function()
    local titles = {}
    for i, s in ipairs(r.sections) do titles[i] = s.title end
    assert.are.same({ "Overview", "Timeline", "First appearance", "Top documents", "Collocates",
                      "Keyness", "Dispersion" }, titles)
    assert.are.same({ "text", "text", "table" }, block_types(r.sections[1]))
    assert.are.same({ "series/line", "table" }, block_types(r.sections[2]))
    assert.are.same({ "table", "kwic" }, block_types(r.sections[3]))
    assert.are.same({ "table" }, block_types(r.sections[4]))
    assert.are.same({ "table" }, block_types(r.sections[5]))
    assert.are.same({ "text", "series/diverging", "table" }, block_types(r.sections[6]))
    assert.are.same({ "table", "series/dispersion" }, block_types(r.sections[7]))
    for _, s in ipairs(r.sections) do assert.is_string(s.intro) end
  end)

  it("overview: corpus size, periods and the terms", function()
    local s = section(r, "Overview")
    local total = 0
    for _, n in pairs(WORDS) do total = total + n end
    assert.truthy(s.blocks[1].text:find("9 documents and " .. total .. " words", 1, true))
    assert.truthy(s.blocks[1].text:find("2014 to 2022", 1, true))
    assert.truthy(s.blocks[2].text:find("pandemic, climate; given with the option 'terms'", 1,
                                        true))
    local o = rows_by(s.blocks[3], "term")
    assert.are.same({ 9, 3, "2020", "Address 2020", "2020" },
                    { o.pandemic.hits, o.pandemic.docs, o.pandemic.first,
                      o.pandemic.first_document, o.pandemic.peak })
    assert.are.same({ 15, 7, "2016" }, { o.climate.hits, o.climate.docs, o.climate.first })
    assert.is_true(close(o.climate.per_million, 15 * 1e6 / total))
  end)

  it("timeline: per million words of each year, by hand", function()
    local s = section(r, "Timeline")
    local series, tbl = s.blocks[1], s.blocks[2]
    local pandemic = { ["2020"] = 4, ["2021"] = 3, ["2022"] = 2 }
    local climate = { ["2016"] = 1, ["2017"] = 1, ["2018"] = 2, ["2019"] = 3, ["2020"] = 2,
                      ["2021"] = 3, ["2022"] = 3 }
    assert.are.equal(18, #series.points)
    for _, p in ipairs(series.points) do
      assert.are.equal("integer", math.type(p.x))
      local year = tostring(p.x)
      local hits = (p.group == "pandemic" and pandemic or climate)[year] or 0
      assert.is_true(close(p.y, hits * 1e6 / WORDS[year]), p.group .. " " .. year)
    end
    assert.are.equal(9, #tbl.rows)
    assert.are.same({ "period", "docs", "tokens", "t1", "t2" },
                    { tbl.columns[1].key, tbl.columns[2].key, tbl.columns[3].key,
                      tbl.columns[4].key, tbl.columns[5].key })
    assert.are.same({ "pandemic", "climate" }, { tbl.columns[4].title, tbl.columns[5].title })
    local y2020 = rows_by(tbl, "period")["2020"]
    assert.are.same({ 1, WORDS["2020"] }, { y2020.docs, y2020.tokens })
    assert.is_true(close(y2020.t1, 4e6 / WORDS["2020"]))
    assert.are.equal(0, rows_by(tbl, "period")["2019"].t1)
  end)

  it("first appearance: the year, the document and its concordance line", function()
    local s = section(r, "First appearance")
    local t = rows_by(s.blocks[1], "term")
    assert.are.same({ "2020", "Address 2020", 7, 9, 3 },
                    { t.pandemic.period, t.pandemic.document, t.pandemic.position,
                      t.pandemic.hits, t.pandemic.docs })
    assert.are.same({ "2016", "Address 2016", 15, 7 },
                    { t.climate.period, t.climate.document, t.climate.hits, t.climate.docs })
    local lines = s.blocks[2].lines
    assert.are.equal(2, #lines)
    assert.are.equal("pandemic", lines[1].hit)
    assert.are.equal("2020 Address 2020", lines[1].label)
    assert.are.equal(7, lines[1].position)
    assert.truthy(lines[1].left:find("This was the year of the%s*$"))
    assert.truthy(lines[1].right:find("^%. On March 16"))
    assert.are.equal("climate", lines[2].hit)
    assert.truthy(lines[2].left:find("Some residents raised%s*$"))
    assert.truthy(lines[2].right:find("^%s*concerns about the floods"))
  end)

  it("top documents: most hits first, per million of the document", function()
    local rows = section(r, "Top documents").blocks[1].rows
    local pandemic = {}
    for _, row in ipairs(rows) do
      if row.term == "pandemic" then pandemic[#pandemic + 1] = row end
    end
    assert.are.equal(3, #pandemic)
    assert.are.same({ "Address 2020", "2020", 4, 1 },
                    { pandemic[1].document, pandemic[1].period, pandemic[1].hits, pandemic[1].rank })
    assert.are.same({ "Address 2021", 3 }, { pandemic[2].document, pandemic[2].hits })
    assert.are.same({ "Address 2022", 2 }, { pandemic[3].document, pandemic[3].hits })
    for _, row in ipairs(pandemic) do
      assert.is_true(close(row.per_million, row.hits * 1e6 / WORDS[row.period]))
      assert.are.equal(WORDS[row.period], row.tokens)
    end
    -- climate: three documents with 3 hits, top = 3 cuts the rest
    local climate = 0
    for _, row in ipairs(rows) do
      if row.term == "climate" then
        climate = climate + 1
        assert.are.equal(3, row.hits)
      end
    end
    assert.are.equal(3, climate)
  end)

  it("collocates: logDice order, stop words left out, counts from idx:collocates", function()
    local rows = section(r, "Collocates").blocks[1].rows
    local all = idx:collocates("climate", { window = 5 })
    local want = {}
    for _, c in ipairs(all) do
      if c.collocate == "office" then want = c end
    end
    local seen = {}
    for _, row in ipairs(rows) do
      assert.is_not.equal("the", row.collocate)
      if row.term == "climate" then seen[row.collocate] = row end
    end
    assert.is_table(seen.office)
    assert.are.same({ 3, want.e11, want.log_dice, want.g2 },
                    { seen.office.o11, seen.office.e11, seen.office.log_dice, seen.office.g2 })
    for i = 2, #rows do
      if rows[i].term == rows[i - 1].term then
        assert.is_true(rows[i].log_dice <= rows[i - 1].log_dice)
      end
    end
  end)

  it("keyness: the latest five years against the earlier ones", function()
    local s = section(r, "Keyness")
    assert.truthy(s.blocks[1].text:find("2018-2022: 5 documents", 1, true))
    assert.truthy(s.blocks[1].text:find("2014-2017: 4 documents", 1, true))
    local pts = s.blocks[2].points
    local k = rows_by(s.blocks[3], "term")
    assert.are.same({ "+", 12, 0 }, { k.broadband.direction, k.broadband.freq_target,
                                      k.broadband.freq_reference })
    assert.are.same({ "-", 0, 14 }, { k.harbour.direction, k.harbour.freq_target,
                                      k.harbour.freq_reference })
    local g = {}
    for _, p in ipairs(pts) do g[p.x] = p end
    assert.is_true(g.broadband.y > 0 and g.harbour.y < 0)
    assert.are.equal("more in 2018-2022", g.broadband.group)
    assert.are.equal("more in 2014-2017", g.harbour.group)
    local want = quarry.stats.keyness(12, k.broadband.freq_target * 1e6
                                          / k.broadband.per_million_target, 0,
                                      tonumber(s.blocks[1].text:match("2014%-2017: 4 documents, (%d+)")))
    assert.is_true(close(want.g2, k.broadband.g2))
  end)

  it("dispersion: range, D and DP per term, a tick per hit", function()
    local s = section(r, "Dispersion")
    local d = rows_by(s.blocks[1], "term")
    assert.are.same({ 9, 3, 9 }, { d.pandemic.hits, d.pandemic.range, d.pandemic.parts })
    assert.are.same({ 15, 7 }, { d.climate.hits, d.climate.range })
    local m = idx:dispersion("pandemic").measures
    assert.are.same({ m.juilland_d, m.gries_dp }, { d.pandemic.juilland_d, d.pandemic.gries_dp })
    local n = { pandemic = 0, climate = 0 }
    for _, p in ipairs(s.blocks[2].points) do
      n[p.group] = n[p.group] + 1
      assert.is_true(p.x >= 0 and p.x < 1)
    end
    assert.are.same({ pandemic = 9, climate = 15 }, n)
  end)

  it("records its queries and options in the provenance", function()
    assert.are.same({ "pandemic", "climate" }, r.provenance.queries)
    assert.are.equal("year", r.provenance.options["key-terms.by"])
    assert.are.same({ "pandemic", "climate" }, r.provenance.options["key-terms.terms"])
    assert.are.equal(9, r.provenance.documents)
  end)

  it("survives JSON and the text, markdown and html formats", function()
    local back = assert(report.from_data(json.decode(json.encode(r:data()))))
    assert.are.equal(#r.sections, #back.sections)
    for _, f in ipairs({ "text", "markdown", "html", "json", "csv" }) do
      assert.is_string(assert(report.render(r, f)))
    end
  end)
end)

describe("key-terms default terms", function()
  it("chooses the strongest keywords of the latest periods used in most recent documents",
     function()
    local r = run("key-terms", {})
    -- G² order: broadband, pandemic, vaccine, cycling, climate; vaccine is
    -- in 2 of the 5 documents of 2018-2022 (3 needed)
    assert.are.same({ "broadband", "pandemic", "cycling", "climate" },
                    r.provenance.options["key-terms.terms"])
    local text = r.sections[1].blocks[2].text
    assert.truthy(text:find("2018-2022 against 2014-2017", 1, true))
    assert.truthy(text:find("at least 3 of the 5 documents", 1, true))
  end)

  it("takes recent as a number of periods or a period label", function()
    local r = run("key-terms", { recent = "2", choose = 2 })
    -- 2021-2022 against 2014-2020: vaccine is in both documents now, and
    -- the only keyword (pandemic, 5 against 4, is not one)
    assert.are.same({ "vaccine" }, r.provenance.options["key-terms.terms"])
    assert.truthy(section(r, "Keyness").blocks[1].text:find("2021-2022: 2 documents", 1, true))
    r = run("key-terms", { recent = "2020", terms = { "pandemic" } })
    assert.truthy(section(r, "Keyness").blocks[1].text:find("^2020: 1 document, "))
  end)

  it("keeps to the subcorpus", function()
    local r = run("key-terms", { terms = { "climate" } }, { filter = "year>=2019" })
    local o = section(r, "Overview").blocks[3].rows[1]
    assert.are.same({ "2019", 11 }, { o.first, o.hits })
    assert.are.equal(4, #section(r, "Timeline").blocks[2].rows)
    -- a subcorpus query: the documents that say vaccine (2021, 2022); the
    -- latest period is 2022, the earlier one 2021
    r = run("key-terms", { terms = { "pandemic" } }, { query = "vaccine" })
    assert.truthy(section(r, "Overview").blocks[1].text:find("2 documents", 1, true))
    assert.are.same({ 5, 2 }, { section(r, "Overview").blocks[3].rows[1].hits,
                                section(r, "Overview").blocks[3].rows[1].docs })
    assert.truthy(section(r, "Keyness").blocks[1].text:find("^2022: 1 document, "))
  end)
end)

describe("key-terms on one period", function()
  it("chooses the most frequent content words and says there is nothing to compare", function()
    local r = run("key-terms", { choose = 2 }, { filter = "year=2021" })
    -- 2021: vaccine 6, then pandemic, climate 3 each (ties by text)
    assert.are.same({ "vaccine", "climate" }, r.provenance.options["key-terms.terms"])
    assert.truthy(section(r, "Overview").blocks[2].text:find("most frequent content words", 1,
                                                             true))
    local k = section(r, "Keyness")
    assert.are.same({ "text" }, block_types(k))
    assert.truthy(k.blocks[1].text:find("one year (2021)", 1, true))
    assert.truthy(section(r, "Overview").blocks[1].text:find(" in 1 periods", 1, true) == nil)
  end)
end)

describe("key-terms errors", function()
  it("names an unknown field for by, with the fields of the index", function()
    local msg, code = run_error("key-terms", { by = "date" })
    assert.are.equal("EINVAL", code)
    assert.truthy(msg:find("plugin 'key-terms', hook 'run'", 1, true))
    assert.truthy(msg:find("option 'by': the index has no field 'date' (fields: year, title)", 1,
                           true))
  end)

  it("names a term that is not a query", function()
    local msg = run_error("key-terms", { terms = { "climate", "a AND (" } })
    assert.truthy(msg:find("term 'a AND ('", 1, true))
  end)

  it("rejects a text field to cut into years, and bad numbers", function()
    assert.truthy(run_error("key-terms", { by = "title" }):find("holds text", 1, true))
    assert.truthy(run_error("key-terms", { top = 0 }):find("option 'top' must be at least 1", 1,
                                                           true))
    assert.truthy(run_error("key-terms", { recent = "soon" }):find("option 'recent'", 1, true))
  end)
end)

describe("the other analysis plugins", function()
  it("timeline: a line per query and the long table", function()
    local r = run("timeline", { queries = { "pandemic", "climate" } })
    local s = r.sections[1]
    assert.are.same({ "series/line", "table", "table" }, block_types(s))
    assert.are.equal(18, #s.blocks[1].points)
    local q = rows_by(s.blocks[3], "query")
    assert.are.same({ 9, "2020", "2022" }, { q.pandemic.hits, q.pandemic.first_period,
                                             q.pandemic.last_period })
    for _, row in ipairs(s.blocks[2].rows) do
      if row.query == "pandemic" and row.period == "2021" then
        assert.is_true(close(row.per_million, 3e6 / WORDS["2021"]))
      end
    end
    assert.truthy(run_error("timeline", {}):find("plugin 'timeline': option 'queries' is required",
                                                 1, true))
  end)

  it("kwic: a line per hit", function()
    local r = run("kwic", { query = "pandemic", limit = 5 })
    local s = r.sections[1]
    assert.are.same({ "text", "kwic" }, block_types(s))
    assert.are.equal(5, #s.blocks[2].lines)
    assert.are.equal("9 hits in 3 documents; the first 5 are shown.", s.blocks[1].text)
    assert.are.equal("address-2020.md", s.blocks[2].lines[1].label)
    r = run("kwic", { query = "pandemic" }, { filter = "year>=2021" })
    assert.are.equal(5, #r.sections[1].blocks[2].lines)
    r = run("kwic", { query = "pandemic" }, { query = "vaccine" })
    assert.are.equal(5, #r.sections[1].blocks[2].lines)
  end)

  it("freq and ngrams: bar chart and table", function()
    local r = run("freq", { stop = "all", top = 3 })
    assert.are.same({ "text", "series/bar", "table" }, block_types(r.sections[1]))
    local rows = r.sections[1].blocks[3].rows
    assert.are.same({ "climate", 15, 7 }, { rows[1].term, rows[1].count, rows[1].docs })
    assert.are.same({ "harbour", 14 }, { rows[2].term, rows[2].count })
    r = run("freq", { stop = "all", top = 1, by = "year" })
    assert.are.same({ "text", "table" }, block_types(r.sections[1]))
    assert.are.equal(9, #r.sections[1].blocks[2].rows)
    r = run("ngrams", { top = 2 })
    local g = rows_by(r.sections[1].blocks[3], "ngram")
    assert.are.equal(14, g["the harbour"].count)
    assert.truthy(run_error("ngrams", { n = 7 }):find("option 'n' must be from 2 to 5", 1, true))
  end)

  it("colloc: table and bar chart of the sort measure", function()
    local r = run("colloc", { query = "climate", stop = "all" })
    assert.are.same({ "text", "series/bar", "table" }, block_types(r.sections[1]))
    local c = rows_by(r.sections[1].blocks[3], "collocate")
    assert.are.same({ 3, 0, 3 }, { c.office.o11, c.office.left, c.office.right })
    assert.is_nil(c.the)
  end)

  it("keyness: a target filter against the rest", function()
    local r = run("keyness", { target = "year>=2020" })
    assert.are.same({ "text", "series/diverging", "table" }, block_types(r.sections[1]))
    local k = rows_by(r.sections[1].blocks[3], "term")
    assert.are.same({ "+", 9, 0 }, { k.pandemic.direction, k.pandemic.freq_target,
                                     k.pandemic.freq_reference })
    assert.are.equal("NOT (year>=2020)", r.provenance.options["keyness.reference"])
    assert.truthy(run_error("keyness", { target = "year>=" }):find("filter 'year>='", 1, true))
  end)

  it("dispersion: measures per query and the plot", function()
    local r = run("dispersion", { queries = { "climate", "harbour" } })
    assert.are.same({ "table", "series/dispersion" }, block_types(r.sections[1]))
    local d = rows_by(r.sections[1].blocks[1], "query")
    assert.are.same({ 7, 4, 9 }, { d.climate.range, d.harbour.range, d.harbour.parts })
    r = run("dispersion", { queries = { "climate" }, parts = 3 })
    assert.are.equal(3, r.sections[1].blocks[1].rows[1].parts)
  end)

  it("statements: the dated sentences in date order", function()
    local r = run("statements", { terms = { "school" } })
    local rows = r.sections[1].blocks[2].rows
    assert.are.same({ "2016-05-12", "2020-03-16" }, { rows[1].date, rows[2].date })
    assert.are.same({ "", "school" }, { rows[1].terms, rows[2].terms })
    assert.are.equal("address-2020.md", rows[2].document)
  end)

  it("lexstats: per document, or per year with a line chart", function()
    local r = run("lexstats", {})
    local rows = r.sections[1].blocks[2].rows
    assert.are.equal(9, #rows)
    assert.are.equal(WORDS["2014"], rows_by(r.sections[1].blocks[2], "label")["address-2014.md"]
                                      .tokens)
    r = run("lexstats", { by = "year" })
    assert.are.same({ "text", "series/line", "table" }, block_types(r.sections[1]))
    assert.are.equal(9, #r.sections[1].blocks[2].points)
  end)
end)

describe("key-terms over many years", function()
  it("tables the timeline by decade past 60 years; the chart keeps every year", function()
    local dir = ROOT .. "/years"
    os.execute("mkdir -p " .. sh(dir))
    local f = assert(io.open(dir .. "/years.jsonl", "wb"))
    for year = 1950, 2019 do
      -- alpha twice a year in the 1950s, once a year after; 4 words a year
      local text = year < 1960 and "alpha alpha beta gamma" or "alpha beta gamma delta"
      f:write(string.format('{"year": %d, "text": "%s"}\n', year, text))
    end
    f:close()
    local path = ROOT .. "/years.quarry"
    do
      local w <close> = assert(quarry.writer(path))
      local s <close> = assert(quarry.open_sources(dir))
      assert(w:add_sources(s))
      assert(w:commit())
    end
    local yidx <close> = assert(quarry.open(path))
    local r = assert(report.run(yidx, { analyses = { { analysis = "key-terms",
                                                       options = { terms = { "alpha" } } } } }))
    local s = section(r, "Timeline")
    assert.are.equal(70, #s.blocks[1].points)
    local t = s.blocks[2]
    assert.are.equal("decade", t.columns[1].title)
    assert.are.equal(7, #t.rows)
    assert.are.same({ "1950s", 10, 40, 500000.0 }, { t.rows[1].period, t.rows[1].docs,
                                                    t.rows[1].tokens, t.rows[1].t1 })
    assert.are.same({ "2010s", 250000.0 }, { t.rows[7].period, t.rows[7].t1 })
  end)
end)

describe("key-terms on a date field", function()
  it("cuts the first date field into months; ranges of months read 'a to b'", function()
    -- tests/fixtures/qanalysis: node in 2020-01-15 (twice), 2021-02-01, 2021-06-01
    local path = ROOT .. "/dates.quarry"
    do
      local w <close> = assert(quarry.writer(path))
      local s <close> = assert(quarry.open_sources(os.getenv("QUARRY_FIXTURES")
                                                   .. "/qanalysis/full"))
      assert(w:add_sources(s))
      assert(w:commit())
    end
    local didx <close> = assert(quarry.open(path))
    local r = assert(report.run(didx, { analyses = { { analysis = "key-terms",
      options = { terms = { "node" }, period = "month", recent = "2" } } } }))
    assert.are.equal("date", r.provenance.options["key-terms.by"])
    local first = section(r, "First appearance").blocks[1].rows[1]
    assert.are.same({ "2020-01", 4, 3 }, { first.period, first.hits, first.docs })
    local months = {}
    for _, row in ipairs(section(r, "Timeline").blocks[2].rows) do months[#months + 1] = row.period end
    assert.are.same({ "2020-01", "2021-02", "2021-06", "2021-07", "2023-03" }, months)
    local k = section(r, "Keyness").blocks[1].text
    assert.are.equal("2021-07 to 2023-03: 2 documents, 10 words; 2020-01 to 2021-06: 3 "
                     .. "documents, 15 words.", k)
    local top = section(r, "Top documents").blocks[1].rows[1]
    assert.are.same({ "2020-01", 2 }, { top.period, top.hits })
  end)
end)
