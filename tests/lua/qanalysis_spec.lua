-- Query analyses from Lua: idx:collocates, idx:dispersion and idx:timeline
-- on tests/fixtures/qanalysis (token table in its README.md; Lua document
-- ids and positions are 1-based):
--   1  x y node z w . v node u   2020-01-15  part in
--   2  x x x node x              2021-06-01  part out
--   3  q r s t                   2021-07-01  part in
--   4  x x x x x x               2023-03-01  part out
--   5  s node                    2021-02-01  part in
local quarry = require "quarry"

local FIX = assert(os.getenv("QUARRY_FIXTURES"), "QUARRY_FIXTURES not set") .. "/qanalysis"
local ART = os.getenv("QUARRY_ARTIFACTS") or "/tmp"

local function sh(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local ROOT = string.format("%s/lua-qanalysis/run-%d-%d", ART, os.time(), math.random(1e6))
local FULL, IN, ZH = ROOT .. "/full.quarry", ROOT .. "/in.quarry", ROOT .. "/zh.quarry"

local function build(path, src)
  local w <close> = assert(quarry.writer(path))
  local s <close> = assert(quarry.open_sources(src))
  assert(w:add_sources(s))
  assert(w:commit())
end

setup(function()
  os.execute("rm -rf " .. sh(ROOT) .. " && mkdir -p " .. sh(ROOT))
  build(FULL, FIX .. "/full")
  build(IN, FIX .. "/in")
  build(ZH, FIX .. "/zh")
end)

teardown(function() os.execute("rm -rf " .. sh(ROOT)) end)

local function by_collocate(r)
  local t = {}
  for _, rec in ipairs(r) do t[rec.collocate] = rec end
  return t
end

local function close(a, b)
  if a ~= a then return b ~= b end
  return a == b or math.abs(a - b) <= 1e-12 * (math.abs(a) + math.abs(b))
end

local EVERY = { left = 2, right = 3, min_freq = 1, min_o11 = 1 }

local function with(t, extra)
  local o = {}
  for k, v in pairs(t) do o[k] = v end
  for k, v in pairs(extra or {}) do o[k] = v end
  return o
end

describe("idx:collocates", function()
  it("counts windows by hand: punctuation skipped, positions once, node left out", function()
    local idx <close> = assert(quarry.open(FULL))
    local r = idx:collocates("node", EVERY)
    assert.are.same({ 4, 3, 10, 25, 7 }, { r.hits, r.docs, r.window_tokens, r.tokens, r.collocates })
    assert.are.equal(7, #r)
    local c = by_collocate(r)
    assert.is_nil(c.node)
    assert.is_nil(c["."])
    assert.are.same({ 4, 3, 1, 11 }, { c.x.o11, c.x.left, c.x.right, c.x.c1 })
    assert.are.same({ 1, 0, 1, 1 }, { c.v.o11, c.v.left, c.v.right, c.v.c1 })
    assert.are.same({ 1, 1, 0, 2 }, { c.s.o11, c.s.left, c.s.right, c.s.c1 })
    -- every measure is quarry.stats.association of docs/statistics.md's table
    for _, rec in ipairs(r) do
      local a = quarry.stats.association(rec.o11, r.window_tokens - rec.o11, rec.c1 - rec.o11,
                                         r.tokens - r.window_tokens - rec.c1 + rec.o11)
      for _, k in ipairs({ "e11", "mi", "mi3", "t", "z", "g2", "chi2", "dice", "log_dice",
                           "log_ratio" }) do
        assert(close(a[k], rec[k]), rec.collocate .. " " .. k)
      end
      assert(close(a.p_g2, rec.p))
      assert(close(a.p_fisher, rec.p_fisher))
      assert(close(rec.e11, r.window_tokens * rec.c1 / r.tokens))
    end
    -- ranks follow the default order, logDice
    assert.are.equal("log_dice", r.sort)
    for i = 2, #r do
      assert.are.equal(i, r[i].rank)
      assert.is_true(r[i - 1].log_dice >= r[i].log_dice)
    end
  end)

  it("stops windows at the sentence with sentence = true", function()
    local idx <close> = assert(quarry.open(FULL))
    local c = by_collocate(idx:collocates("node", with(EVERY, { sentence = true })))
    assert.are.same({ 1, 0 }, { c.v.left, c.v.right })
    c = by_collocate(idx:collocates("node", EVERY))
    assert.are.same({ 0, 1 }, { c.v.left, c.v.right })
  end)

  it("takes C1 and N from the subcorpus: collocates frequent outside it change nothing", function()
    local full <close> = assert(quarry.open(FULL))
    local inside <close> = assert(quarry.open(IN))
    local a = full:collocates("node", with(EVERY, { filter = "part:in" }))
    local b = inside:collocates("node", EVERY)
    assert.are.same({ 3, 2, 7, 14 }, { a.hits, a.docs, a.window_tokens, a.tokens })
    assert.are.equal(#b, #a)
    for i = 1, #a do
      for k, v in pairs(a[i]) do assert(close(v, b[i][k]) or v == b[i][k], k) end
    end
    assert.are.equal(1, by_collocate(a).x.c1) -- 11 in the whole index
    assert.are.equal(1.0, by_collocate(a).s.e11) -- 7 * 2 / 14
    -- a query subcorpus: documents with an s are 3 and 5
    local q = full:collocates("node", with(EVERY, { query = "s" }))
    assert.are.same({ 1, 6 }, { q.hits, q.tokens })
  end)

  it("applies thresholds, sort and limit; defaults are 5/5, min_freq 3, min_o11 2", function()
    local idx <close> = assert(quarry.open(FULL))
    assert.are.equal(2, #idx:collocates("node", with(EVERY, { min_freq = 2 })))
    -- the two nodes of document 1 are in each other's 5-token windows, but
    -- hits are in no window: node is not its own collocate
    local d = idx:collocates("node")
    assert.are.equal(1, #d)
    assert.are.same({ "x", 5, 4, 1 }, { d[1].collocate, d[1].o11, d[1].left, d[1].right })
    local r = idx:collocates("node", with(EVERY, { sort = "c1", limit = 2 }))
    assert.are.equal(2, #r)
    assert.are.equal(7, r.collocates)
    assert.are.equal("x", r[1].collocate)
    r = idx:collocates(quarry.query("node"), { window = 1, left = 0, min_freq = 1 })
    assert.are.equal(3, r.window_tokens) -- z; u; x
  end)

  it("raises for programming errors", function()
    local idx <close> = assert(quarry.open(FULL))
    assert.has_error(function() idx:collocates("node", { sort = "bogus" }) end)
    assert.has_error(function() idx:collocates("node", { windw = 3 }) end)
    assert.has_error(function() idx:collocates("node", { left = -1 }) end)
    assert.has_error(function() idx:collocates("node", { left = "3" }) end)
    assert.has_error(function() idx:collocates("(node") end)
    assert.has_error(function() idx:collocates("node", { filter = "(year=1" }) end)
    assert.has_error(function() idx:collocates() end)
  end)
end)

-- The units of a text as docs/query-analyses.md defines them: word-layer
-- words for CJK runs, other words and numbers as themselves, no
-- punctuation. Positions are 1-based inclusive, as quarry.tokenize gives.
local function units_of(text)
  local t = quarry.tokenize(text)
  local word_at, units, p = {}, {}, 1
  for i = 1, #t.words.first do word_at[t.words.first[i]] = i end
  while p <= t.n do
    local w = word_at[p]
    if w then
      units[#units + 1] = { first = p, last = t.words.last[w], text = t.words.norm[w] }
      p = t.words.last[w] + 1
    else
      local k = t.kind[p]
      if k == "word" or k == "number" or k == "cjk" then
        units[#units + 1] = { first = p, last = p, text = t.norm[p] }
      end
      p = p + 1
    end
  end
  return units
end

-- Collocates of node counted naively from units_of and idx:search.
local function oracle(idx, texts, node, left, right)
  local o11, l, r, c1, n, r1 = {}, {}, {}, {}, 0, 0
  local hits = {}
  for doc, first, last in idx:search(node) do
    hits[doc] = hits[doc] or {}
    table.insert(hits[doc], { first, last })
  end
  for doc, text in ipairs(texts) do
    local units = units_of(text)
    for _, u in ipairs(units) do c1[u.text] = (c1[u.text] or 0) + 1 end
    n = n + #units
    local claimed = {}
    for _, h in ipairs(hits[doc] or {}) do
      for i, u in ipairs(units) do
        if u.last >= h[1] and u.first <= h[2] then claimed[i] = true end
      end
    end
    for _, h in ipairs(hits[doc] or {}) do
      local before, after = {}, {}
      for i, u in ipairs(units) do
        if u.last < h[1] then before[#before + 1] = i end
        if u.first > h[2] and #after < right then after[#after + 1] = i end
      end
      local function take(i, side)
        if claimed[i] then return end
        claimed[i] = true
        local w = units[i].text
        o11[w] = (o11[w] or 0) + 1
        side[w] = (side[w] or 0) + 1
        r1 = r1 + 1
      end
      for k = #before, math.max(1, #before - left + 1), -1 do take(before[k], l) end
      for _, i in ipairs(after) do take(i, r) end
    end
  end
  return o11, l, r, c1, n, r1
end

describe("idx:collocates on Chinese", function()
  it("counts CJK runs by word-layer words, as an oracle from quarry.tokenize does", function()
    local texts = {}
    for line in io.lines(FIX .. "/zh/corpus.jsonl") do
      texts[#texts + 1] = require("quarry.json").decode(line).text
    end
    local idx <close> = assert(quarry.open(ZH))
    for _, case in ipairs({ { "新质生产力", 2, 2 }, { "发展", 3, 1 }, { "AI", 5, 5 } }) do
      local node, left, right = case[1], case[2], case[3]
      local o11, l, r, c1, n, r1 = oracle(idx, texts, node, left, right)
      local got = idx:collocates(node, { left = left, right = right, min_freq = 1, min_o11 = 1 })
      assert.are.same({ n, r1 }, { got.tokens, got.window_tokens }, node)
      local count = 0
      for _ in pairs(o11) do count = count + 1 end
      assert.are.equal(count, #got, node)
      for _, rec in ipairs(got) do
        assert.are.same({ o11[rec.collocate], l[rec.collocate] or 0, r[rec.collocate] or 0,
                          c1[rec.collocate] },
                        { rec.o11, rec.left, rec.right, rec.c1 }, node .. " " .. rec.collocate)
      end
    end
    -- words, not characters: 因地制宜 and 加快 are collocates of 新质生产力
    local c = by_collocate(idx:collocates("新质生产力", { min_freq = 1, min_o11 = 1 }))
    assert.is_table(c["因地制宜"])
    assert.is_table(c["加快"])
    assert.is_nil(c["加"])
  end)
end)

describe("idx:dispersion", function()
  it("gives per-document records, measures and plot positions", function()
    local idx <close> = assert(quarry.open(FULL))
    local r = idx:dispersion("node")
    assert.are.equal(5, #r)
    assert.are.same({ 4, 25, "documents" }, { r.hits, r.tokens, r.unit })
    assert.are.same({ part = 1, doc = 1, label = "corpus.jsonl:1", start = 1, tokens = 8, hits = 2,
                      per_million = 250000.0 }, r[1])
    assert.are.same({ 5, 2, 1 }, { r[5].doc, r[5].tokens, r[5].hits })
    local m = r.measures
    assert.are.same({ 5, 3 }, { m.parts, m.range })
    assert(math.abs(m.gries_dp - 0.4) < 1e-12)
    local s = quarry.stats.dispersion({ 2, 1, 0, 0, 1 }, { 8, 5, 4, 6, 2 })
    for _, k in ipairs({ "juilland_d", "gries_dp", "gries_dp_norm" }) do
      assert(close(s[k], m[k]), k)
    end
    assert.are.equal(4, #r.positions)
    for i, p in ipairs({ 2, 6, 11, 24 }) do assert(close(p / 25, r.positions[i])) end
  end)

  it("cuts equal parts with parts = N and follows the subcorpus", function()
    local idx <close> = assert(quarry.open(FULL))
    local r = idx:dispersion("node", { parts = 5, positions = false })
    assert.are.equal("parts", r.unit)
    assert.is_nil(r.positions)
    local hits, docs = {}, {}
    for i, p in ipairs(r) do hits[i], docs[i] = p.hits, p.doc end
    assert.are.same({ 1, 1, 1, 0, 1 }, hits)
    assert.are.same({ 1, 1, 2, 3, 4 }, docs)
    assert.are.equal(21, r[5].start)
    local sub = idx:dispersion("node", { filter = "part:in" })
    assert.are.same({ 3, 14, 3 }, { #sub, sub.tokens, sub.hits })
  end)

  it("returns nil, message, code for impossible parts; raises for bad options", function()
    local idx <close> = assert(quarry.open(FULL))
    local r, msg, code = idx:dispersion("node", { parts = 26 })
    assert.is_nil(r)
    assert.matches("26 parts", msg)
    assert.are.equal("EINVAL", code)
    assert.has_error(function() idx:dispersion("node", { parts = 1.5 }) end)
    assert.has_error(function() idx:dispersion("node", { slices = 2 }) end)
  end)
end)

describe("idx:timeline", function()
  it("counts queries per year with empty periods and first/last occurrences", function()
    local idx <close> = assert(quarry.open(FULL))
    local r = idx:timeline({ "node", quarry.query("s") })
    assert.are.same({ "date", "year" }, { r.by, r.period })
    assert.are.equal(6, #r) -- 3 periods x 2 queries
    assert.are.same({ "2020", "2021", "2023" },
                    { r.periods[1].period, r.periods[2].period, r.periods[3].period })
    local rec = r[3] -- 2021, node
    assert.are.same({ "2021", "node", 2, 2, 3 }, { rec.period, rec.query, rec.hits, rec.docs,
                                                    rec.docs_total })
    assert(close(rec.share, 2 / 3))
    assert(close(rec.per_million, rec.hits * 1e6 / rec.tokens))
    assert.are.same({ "2023", "node", 0, 0, 0.0 }, { r[5].period, r[5].query, r[5].hits, r[5].docs,
                                                    r[5].per_million })
    assert.are.equal("s", r[6].query)
    local node, s = r.queries[1], r.queries[2]
    assert.are.same({ "node", 4, 3 }, { node.query, node.hits, node.docs })
    assert.are.same({ "2020", 1, "corpus.jsonl:1", 3, "2020-01-15" },
                    { node.first_period, node.first_doc, node.first_label, node.first_position,
                      node.first_value })
    assert.are.same({ "2021", 2, 4, "2021-06-01" },
                    { node.last_period, node.last_doc, node.last_position, node.last_value })
    -- by date inside the period, not by document order
    assert.are.same({ 5, 1, 3, 3 }, { s.first_doc, s.first_position, s.last_doc, s.last_position })
  end)

  it("takes one query, months, a year field and a subcorpus", function()
    local idx <close> = assert(quarry.open(FULL))
    local r = idx:timeline("node", { period = "month" })
    assert.are.equal(5, #r)
    assert.are.same({ "2020-01", "2021-02", "2021-06", "2021-07", "2023-03" },
                    { r[1].period, r[2].period, r[3].period, r[4].period, r[5].period })
    assert.are.same({ 2, 1, 1, 0, 0 }, { r[1].hits, r[2].hits, r[3].hits, r[4].hits, r[5].hits })
    r = idx:timeline({ "node" }, { by = "year", filter = "part:in" })
    assert.are.equal(2, #r)
    assert.are.same({ 1, 2 }, { r[2].hits, r[2].docs_total })
    assert.are.same({ "2021", 5 }, { r.queries[1].last_period, r.queries[1].last_doc })
  end)

  it("returns nil, message, code for a field that has no periods; raises otherwise", function()
    local idx <close> = assert(quarry.open(FULL))
    local r, msg, code = idx:timeline("node", { by = "part" })
    assert.is_nil(r)
    assert.matches("part", msg)
    assert.are.equal("EINVAL", code)
    assert.has_error(function() idx:timeline({}) end)
    assert.has_error(function() idx:timeline("node", { period = "week" }) end)
    assert.has_error(function() idx:timeline("node", { by = 3 }) end)
    assert.has_error(function() idx:timeline({ "node", "(" }) end)
    assert.has_error(function() idx:timeline({ "node", 42 }) end)
  end)
end)
