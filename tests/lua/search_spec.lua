-- Queries from Lua: quarry.query, idx:search / cursor / count / kwic, a
-- dictionary as a query, and quarry.text_width, on tests/fixtures/search.
--
-- The corpus (punctuation marks are tokens; positions are 1-based):
--   doc 1 english.jsonl:1 year 1990 party Red
--     Tax(1) reform(2) now(3) .(4) We(5) cut(6) the(7) tax(8) on(9) work(10)
--     .(11) New(12) quality(13) forces(14) grow(15) .(16)
--   doc 2 english.jsonl:2 year 2001 party Blue
--     Taxes(1) are(2) high(3) .(4) Reform(5) waits(6) for(7) taxation(8) .(9)
--     The(10) colour(11) of(12) money(13) is(14) grey(15) .(16)
--   doc 3 english.jsonl:3 year 2015 party Red
--     No(1) tax(2) today(3) .(4) The(5) Party(6) met(7) and(8) the(9)
--     party(10) voted(11) .(12) New(13) productive(14) forces(15) and(16)
--     new(17) forces(18) .(19)
--   doc 4 english.jsonl:4 year 2020 party Green
--     The(1) economy(2) needs(3) economic(4) growth(5) .(6) A(7) woman(8)
--     and(9) two(10) women(11) spoke(12) .(13) Color(14) matters(15) ,(16)
--     reform(17) too(18) .(19)
--   docs 5-7 zh.jsonl:1-3, years 2023, 2024, 2024, no party; one token per
--     character: 新质生产力 at 1 and 15 in doc 5, at 5 (across a line
--     break) and 19 in doc 6, never in doc 7.
local quarry = require "quarry"
local json = require "quarry.json"

local FIX = assert(os.getenv("QUARRY_FIXTURES"), "QUARRY_FIXTURES not set") .. "/search"
local ART = os.getenv("QUARRY_ARTIFACTS") or "/tmp"

local function sh(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local PATH = string.format("%s/lua-search/fixture-%d-%d.quarry", ART, os.time(), math.random(1e6))

setup(function()
  os.execute("rm -rf " .. sh(PATH) .. " && mkdir -p " .. sh(PATH:match("^(.*)/")))
  local w <close> = assert(quarry.writer(PATH))
  local src <close> = assert(quarry.open_sources(FIX .. "/corpus"))
  assert(w:add_sources(src))
  assert(w:commit())
end)

teardown(function() os.execute("rm -rf " .. sh(PATH)) end)

local function open() return assert(quarry.open(PATH)) end

-- Every hit of q as {doc, first, last}, through the generic for.
local function hits(idx, q, opts)
  local out = {}
  for doc, first, last in idx:search(q, opts) do out[#out + 1] = { doc, first, last } end
  return out
end

describe("quarry.query", function()
  it("compiles a query into a Query handle", function()
    local q = assert(quarry.query("tax reform within s"))
    assert.are.equal("tax reform within s", q:text())
    assert.are.equal('(within s (and (term "tax") (term "reform")))', q:explain())
    assert.are.equal("quarry.Query (tax reform within s)", tostring(q))
    q:close()
    assert.are.equal("quarry.Query (closed)", tostring(q))
    assert.has_error(function() q:text() end, "attempt to use a closed quarry.Query")
    assert.has_error(function() q:explain() end)
    q:close() -- twice is fine
  end)

  it("closes with <close>", function()
    local keep
    do
      local q <close> = assert(quarry.query("tax"))
      keep = q
    end
    assert.are.equal("quarry.Query (closed)", tostring(keep))
  end)

  it("returns nil, msg, ESYNTAX, a 1-based position for a bad query", function()
    local cases = {
      { "tax (reform", 5, "expected ')'" },        -- the unclosed '('
      { "tax OR", 5, "OR needs an operand" },      -- the OR
      { "NOT tax", 1, "NOT needs a positive operand" },
      { "/colou?r/g", 10, "unknown flag 'g'" },    -- the flag
      { '"new" forces []', 7, "write words in quotes" }, -- the bare word
      { "tax OR year=2015", 8, "field filter" },    -- the filter
      { "", 1, "empty query" },
    }
    for _, c in ipairs(cases) do
      local q, msg, code, pos = quarry.query(c[1])
      assert.is_nil(q, c[1])
      assert.are.equal("ESYNTAX", code, c[1])
      assert.are.equal(c[2], pos, c[1])
      assert.is_truthy(msg:find(c[3], 1, true), msg)
    end
  end)

  it("raises for a non-string", function()
    assert.has_error(function() quarry.query(nil) end)
    assert.has_error(function() quarry.query({}) end)
  end)
end)

describe("idx:search", function()
  it("checks the fixture's document order", function()
    local idx <close> = open()
    for id = 1, 7 do
      local d = assert(idx:doc(id, { text = false }))
      local file = id <= 4 and "english.jsonl" or "zh.jsonl"
      assert.is_truthy(d.source:find(file, 1, true), d.source)
      assert.are.equal(id <= 4 and id or id - 4, d.record)
    end
  end)

  it("yields doc, first, last in document then position order", function()
    local idx <close> = open()
    assert.are.same({ { 1, 1, 1 }, { 1, 8, 8 }, { 3, 2, 2 } }, hits(idx, "tax"))
    assert.are.same({ { 1, 1, 1 }, { 1, 8, 8 }, { 2, 1, 1 }, { 2, 8, 8 }, { 3, 2, 2 } },
                    hits(idx, assert(quarry.query("tax*"))))
  end)

  it("closes the cursor when the loop breaks", function()
    local idx <close> = open()
    local captured, n = nil, 0
    do
      local iter, state, init, closing = idx:search("tax*")
      captured = closing
      assert.are.equal(state, closing)
      assert.is_nil(init)
      for doc in iter, state, init, closing do
        n = n + 1
        assert.are.equal(1, doc)
        if n == 2 then break end
      end
    end
    assert.are.equal(2, n)
    assert.are.equal("quarry.Cursor (closed)", tostring(captured))
    assert.has_error(function() captured:next() end, "attempt to use a closed quarry.Cursor")
  end)

  it("applies limit and filter options", function()
    local idx <close> = open()
    assert.are.same({ { 1, 1, 1 }, { 1, 8, 8 } }, hits(idx, "tax*", { limit = 2 }))
    assert.are.same({}, hits(idx, "tax*", { limit = 0 }))
    assert.are.same({ { 2, 1, 1 }, { 2, 8, 8 } }, hits(idx, "tax*", { filter = "party=Blue" }))
    assert.are.same({ { 3, 2, 2 } }, hits(idx, "tax*", { filter = "year>=2002 year<=2019" }))
  end)

  it("raises for a bad query string, option or filter", function()
    local idx <close> = open()
    assert.has_error(function() idx:search("tax (") end)
    assert.has_error(function() idx:search("tax", { limt = 1 }) end)
    assert.has_error(function() idx:search("tax", { limit = -1 }) end)
    assert.has_error(function() idx:search("tax", { filter = "(year=1990" }) end)
    assert.has_error(function() idx:search(42) end)
  end)

  -- Every form of docs/query.md, expected hits worked out from the table at
  -- the top of this file.
  local forms = {
    { "term", "party", { { 3, 6, 6 }, { 3, 10, 10 } } },
    { "phrase", '"new quality forces"', { { 1, 12, 14 } } },
    { "phrase of two", '"new forces"', { { 3, 17, 18 } } },
    { "wildcard *", "econom*", { { 4, 2, 2 }, { 4, 4, 4 } } },
    { "wildcard ?", "wom?n", { { 4, 8, 8 }, { 4, 11, 11 } } },
    { "regex /i", "/COLOU?R/i", { { 2, 11, 11 }, { 4, 14, 14 } } },
    -- normalized terms are lower case: without /i the pattern finds nothing
    { "regex", "/COLOU?R/", {} },
    { "case-sensitive word", "=Party", { { 3, 6, 6 } } },
    { "case-sensitive phrase", '="Tax reform"', { { 1, 1, 2 } } },
    { "case-sensitive phrase, other case", '="tax reform"', {} },
    { "AND", "tax AND reform", { { 1, 1, 1 }, { 1, 2, 2 }, { 1, 8, 8 } } },
    { "juxtaposition", "tax reform", { { 1, 1, 1 }, { 1, 2, 2 }, { 1, 8, 8 } } },
    { "OR", "tax OR reform",
      { { 1, 1, 1 }, { 1, 2, 2 }, { 1, 8, 8 }, { 2, 5, 5 }, { 3, 2, 2 }, { 4, 17, 17 } } },
    { "NOT", "tax NOT reform", { { 3, 2, 2 } } },
    { "grouping", "(tax OR money) reform",
      { { 1, 1, 1 }, { 1, 2, 2 }, { 1, 8, 8 }, { 2, 5, 5 }, { 2, 13, 13 } } },
    -- the windows: tax(1)-reform(2) has 0 tokens between, reform(2)-tax(8) 5
    { "NEAR/1", "NEAR/1(tax, reform)", { { 1, 1, 2 } } },
    { "NEAR/5", "NEAR/5(reform, tax)", { { 1, 1, 2 }, { 1, 2, 8 } } },
    { "NEAR default 10", "NEAR(reform, tax)", { { 1, 1, 2 }, { 1, 2, 8 } } },
    { "ONEAR in order", "ONEAR/1(tax, reform)", { { 1, 1, 2 } } },
    { "ONEAR out of order", "ONEAR/1(reform, tax)", {} },
    { "sequence with a gap", '"new" []{0,2} "forces"', { { 1, 12, 14 }, { 3, 13, 15 }, { 3, 17, 18 } } },
    { "token test wildcard", '[norm="tax*"] "reform"', { { 1, 1, 2 } } },
    { "surface wildcard", '[word="Tax*"]', { { 1, 1, 1 }, { 2, 1, 1 } } },
    { "token test and/not", '[word!="Tax" & norm="tax*"]',
      { { 1, 8, 8 }, { 2, 1, 1 }, { 2, 8, 8 }, { 3, 2, 2 } } },
    { "token test regex", '"the" [word=/[A-Z].*/]', { { 3, 5, 6 } } },
    { "within s", "tax reform within s", { { 1, 1, 1 }, { 1, 2, 2 } } },
    { "within doc", "tax reform within doc", { { 1, 1, 1 }, { 1, 2, 2 }, { 1, 8, 8 } } },
    { "field filter", "party year>=2015", { { 3, 6, 6 }, { 3, 10, 10 } } },
    { "year range", "reform year>=2001 year<=2020", { { 2, 5, 5 }, { 4, 17, 17 } } },
    { "year below", "tax year<2001", { { 1, 1, 1 }, { 1, 8, 8 } } },
    { "string field", "tax* party:Red", { { 1, 1, 1 }, { 1, 8, 8 }, { 3, 2, 2 } } },
    { "filter group", "tax* (party:Blue OR party:Green)", { { 2, 1, 1 }, { 2, 8, 8 } } },
    { "NOT filter", "tax* NOT party=Red", { { 2, 1, 1 }, { 2, 8, 8 } } },
    { "CJK word", "新质生产力", { { 5, 1, 5 }, { 5, 15, 19 }, { 6, 5, 9 }, { 6, 19, 23 } } },
    { "CJK NOT within s", "新质生产力 NOT 关键 within s", { { 5, 15, 19 }, { 6, 5, 9 }, { 6, 19, 23 } } },
    { "CJK NOT in every sentence", "力 NOT 新质生产力 within s", {} },
    { "sequence from every start", '[]{1,2} "forces"',
      { { 1, 12, 14 }, { 1, 13, 14 }, { 3, 13, 15 }, { 3, 14, 15 }, { 3, 16, 18 }, { 3, 17, 18 } } },
    { "OR of the same term", "(tax OR taxes) tax", { { 1, 1, 1 }, { 1, 8, 8 }, { 3, 2, 2 } } },
    { "CJK in a year range", "新质生产力 year>=2024", { { 6, 5, 9 }, { 6, 19, 23 } } },
  }
  for _, f in ipairs(forms) do
    it("finds " .. f[1] .. ": " .. f[2], function()
      local idx <close> = open()
      assert.are.same(f[3], hits(idx, f[2]))
    end)
  end

  it("rejects a sequence gap of {0}", function()
    local q, _, code, pos = quarry.query('"new" []{0} "forces"')
    assert.is_nil(q)
    assert.are.equal("ESYNTAX", code)
    assert.are.equal(9, pos) -- the '{'
  end)
end)

describe("idx:cursor", function()
  it("returns hits with next and nil at the end", function()
    local idx <close> = open()
    local c = assert(idx:cursor("tax"))
    assert.are.same({ 1, 1, 1 }, { c:next() })
    assert.are.same({ 1, 8, 8 }, { c:next() })
    assert.are.same({ 3, 2, 2 }, { c:next() })
    assert.is_nil(c:next())
    assert.is_nil(c:next())
    c:close()
  end)

  it("fetches into the caller's tables", function()
    local idx <close> = open()
    local c <close> = assert(idx:cursor("tax*"))
    local docs, firsts, lasts, tags = {}, {}, {}, {}
    assert.are.equal(2, c:fetch(2, docs, firsts, lasts, tags))
    assert.are.same({ 1, 1 }, docs)
    assert.are.same({ 1, 8 }, firsts)
    assert.are.same({ 1, 8 }, lasts)
    assert.are.same({ 0, 0 }, tags)
    assert.are.equal(3, c:fetch(10, docs, firsts, lasts))
    assert.are.same({ 2, 2, 3 }, docs)
    assert.are.same({ 1, 8, 2 }, firsts)
    assert.are.same({ 1, 8, 2 }, lasts)
    assert.are.equal(0, c:fetch(10, docs, firsts, lasts))
    assert.has_error(function() c:fetch(-1, docs, firsts, lasts) end)
    assert.has_error(function() c:fetch(1, docs, nil, lasts) end)
  end)

  it("counts what is left", function()
    local idx <close> = open()
    local c = assert(idx:cursor("tax*"))
    assert.are.same({ 5, 3 }, { c:count() })
    c:close()
    -- after one hit: doc 1 still has one, docs 2 and 3 follow
    c = assert(idx:cursor("tax*"))
    c:next()
    assert.are.same({ 4, 3 }, { c:count() })
    assert.is_nil(c:next()) -- count used it up
    c:close()
    c = assert(idx:cursor("tax*"))
    assert.are.equal(2, c:fetch(2, {}, {}, {}))
    assert.are.same({ 3, 2 }, { c:count() })
    c:close()
  end)

  it("raises after close", function()
    local idx <close> = open()
    local c = assert(idx:cursor("tax"))
    c:close()
    c:close()
    assert.are.equal("quarry.Cursor (closed)", tostring(c))
    assert.has_error(function() c:next() end, "attempt to use a closed quarry.Cursor")
    assert.has_error(function() c:fetch(1, {}, {}, {}) end, "attempt to use a closed quarry.Cursor")
    assert.has_error(function() c:count() end, "attempt to use a closed quarry.Cursor")
  end)

  it("outlives a closed Query", function()
    local idx <close> = open()
    local q = assert(quarry.query("tax"))
    local c <close> = assert(idx:cursor(q))
    q:close()
    assert.are.same({ 3, 2 }, { c:count() })
  end)
end)

describe("idx:count", function()
  it("returns hits and documents", function()
    local idx <close> = open()
    assert.are.same({ 3, 2 }, { idx:count("tax") })
    assert.are.same({ 5, 3 }, { idx:count(assert(quarry.query("tax*"))) })
    assert.are.same({ 0, 0 }, { idx:count("zebra") })
    assert.are.same({ 2, 1 }, { idx:count("tax*", { filter = "party=Blue" }) })
  end)

  it("groups by a field in order of first appearance", function()
    local idx <close> = open()
    assert.are.same({
      { value = 1990, hits = 2, docs = 1 },
      { value = 2001, hits = 2, docs = 1 },
      { value = 2015, hits = 1, docs = 1 },
    }, idx:count("tax*", { by = "year" }))
    assert.are.same({
      { value = "Red", hits = 4, docs = 2 },
      { value = "Blue", hits = 1, docs = 1 },
      { value = "Green", hits = 1, docs = 1 },
    }, idx:count("tax OR reform", { by = "party" }))
    -- the Chinese documents have no party
    assert.are.same({ { value = false, hits = 4, docs = 2 } }, idx:count("新质生产力", { by = "party" }))
    assert.are.same({ { value = 2024, hits = 2, docs = 1 } },
                    idx:count("新质生产力", { by = "year", filter = "year>=2024" }))
    assert.are.same({}, idx:count("zebra", { by = "year" }))
    assert.has_error(function() idx:count("tax", { by = 1 }) end)
  end)

  it("groups by source", function()
    local idx <close> = open()
    local g = idx:count("tax OR 新质生产力", { by = "source" })
    assert.are.equal(2, #g)
    assert.is_truthy(g[1].value:find("english.jsonl", 1, true))
    assert.are.equal(3, g[1].hits)
    assert.are.equal(2, g[1].docs)
    assert.is_truthy(g[2].value:find("zh.jsonl", 1, true))
    assert.are.equal(4, g[2].hits)
    assert.are.equal(2, g[2].docs)
  end)
end)

describe("idx:kwic", function()
  it("cuts context by tokens", function()
    local idx <close> = open()
    -- "Tax reform now. We cut the tax on work.\n...": tax(8) is bytes 28-30
    assert.are.same({ "cut the ", "tax", " on work", 28, 30 },
                    { idx:kwic(1, 8, 8, { unit = "tokens", context = 2 }) })
    assert.are.same({ "the ", "tax", " on work", 28, 30 },
                    { idx:kwic(1, 8, 8, { left = 1, right = 2 }) })
    -- the default is 8 tokens a side; the line break becomes a space
    assert.are.same({ "Tax reform now. We cut the ", "tax", " on work. New quality forces grow.", 28, 30 },
                    { idx:kwic(1, 8, 8) })
    assert.are.same({ "", "Tax reform", " now", 1, 10 }, { idx:kwic(1, 1, 2, { context = 1 }) })
  end)

  it("cuts context by characters", function()
    local idx <close> = open()
    assert.are.same({ " the ", "tax", " on w", 28, 30 },
                    { idx:kwic(1, 8, 8, { unit = "chars", context = 5 }) })
    -- code points, not bytes
    assert.are.same({ "形成", "新质生产 力", "，推", 13, 28 },
                    { idx:kwic(6, 5, 9, { unit = "chars", left = 2, right = 2 }) })
  end)

  it("shows the sentence around the hit", function()
    local idx <close> = open()
    assert.are.same({ "We cut the ", "tax", " on work.", 28, 30 },
                    { idx:kwic(1, 8, 8, { unit = "sentence" }) })
    assert.are.same({ "加快形成", "新质生产 力", "，推动高质量发展。", 13, 28 },
                    { idx:kwic(6, 5, 9, { unit = "sentence" }) })
  end)

  it("agrees with idx:tokens on every hit", function()
    local idx <close> = open()
    local n = 0
    for doc, first, last in idx:search("tax* OR 新质生产力 OR \"new quality forces\"") do
      local t = assert(idx:tokens(doc, first, last - first + 1))
      local text = idx:text(doc)
      local _, hit, _, s, e = idx:kwic(doc, first, last)
      assert.are.equal(t.first[1], s)
      assert.are.equal(t.last[t.n], e)
      assert.are.equal((text:sub(s, e):gsub("%s+", " ")), hit)
      n = n + 1
    end
    assert.are.equal(10, n) -- 5 + 4 + 1
  end)

  it("returns nil, msg, EINVAL outside the document", function()
    local idx <close> = open()
    for _, r in ipairs({ { 1, 17, 17 }, { 1, 16, 17 }, { 99, 1, 1 }, { 1, 0, 1 }, { 1, 3, 2 }, { 0, 1, 1 } }) do
      local l, msg, code = idx:kwic(r[1], r[2], r[3])
      assert.is_nil(l, table.concat(r, ","))
      assert.is_string(msg)
      assert.are.equal("EINVAL", code)
    end
    assert.are.same({ "grow", ".", "", 64, 64 }, { idx:kwic(1, 16, 16, { context = 1 }) })
  end)

  it("raises for bad options", function()
    local idx <close> = open()
    assert.has_error(function() idx:kwic(1, 1, 1, { unit = "words" }) end)
    assert.has_error(function() idx:kwic(1, 1, 1, { context = -1 }) end)
    assert.has_error(function() idx:kwic(1, "x", 1) end)
  end)
end)

describe("a dictionary as a query", function()
  it("tags each hit with its category", function()
    local idx <close> = open()
    local d <close> = quarry.dictionary({ fiscal = { "tax*" }, growth = { "econom*" } })
    local got = {}
    for doc, first, last, cat in idx:search(d) do got[#got + 1] = { doc, first, last, cat } end
    assert.are.same({
      { 1, 1, 1, "fiscal" }, { 1, 8, 8, "fiscal" }, { 2, 1, 1, "fiscal" }, { 2, 8, 8, "fiscal" },
      { 3, 2, 2, "fiscal" }, { 4, 2, 2, "growth" }, { 4, 4, 4, "growth" },
    }, got)
    assert.are.same({ 7, 4 }, { idx:count(d) })
    local c <close> = assert(idx:cursor(d))
    local docs, firsts, lasts, tags = {}, {}, {}, {}
    assert.are.equal(7, c:fetch(10, docs, firsts, lasts, tags))
    assert.are.same({ 1, 1, 1, 1, 1, 2, 2 }, tags) -- indexes into d:categories()
    assert.are.same({ "fiscal", "growth" }, d:categories())
  end)
end)

describe("Chinese", function()
  it("counts 新质生产力 as often as the texts contain it", function()
    local WORD = "新质生产力"
    local expected = 0
    for line in io.lines(FIX .. "/corpus/zh.jsonl") do
      local text = json.decode(line).text
      -- a line break between two CJK characters does not break the word
      text = text:gsub("([\228-\233][\128-\191][\128-\191])\n([\228-\233][\128-\191][\128-\191])", "%1%2")
      local at = 1
      while true do
        local s, e = text:find(WORD, at, true)
        if not s then break end
        expected, at = expected + 1, e + 1
      end
    end
    assert.are.equal(4, expected) -- the fixture's own promise
    local idx <close> = open()
    local hits_, docs = idx:count(WORD)
    assert.are.equal(expected, hits_)
    assert.are.equal(2, docs)
  end)
end)

describe("quarry.text_width", function()
  it("counts terminal columns", function()
    assert.are.equal(0, quarry.text_width(""))
    assert.are.equal(3, quarry.text_width("tax"))
    assert.are.equal(10, quarry.text_width("新质生产力"))
    assert.are.equal(5, quarry.text_width("新质a"))
    assert.are.equal(5, quarry.text_width("nai\204\136ve")) -- combining diaeresis: 0
    assert.has_error(function() quarry.text_width(nil) end)
  end)
end)
