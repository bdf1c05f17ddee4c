-- Index:freq, Index:ngrams, Index:keyness, Index:lexstats and
-- quarry.stopwords over tests/fixtures/freq (counts worked out by hand in
-- docs/frequency.md). The English index has two segments: a deleted
-- document and two speeches (en/) in the first, the third (en2/) in the
-- second.
local quarry = require "quarry"

local FIX = assert(os.getenv("QUARRY_FIXTURES"), "QUARRY_FIXTURES not set") .. "/freq"
local ART = os.getenv("QUARRY_ARTIFACTS") or "/tmp"

local function sh(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local ROOT = string.format("%s/lua-freq/run-%d-%d", ART, os.time(), math.random(1e6))
local EN, ZH = ROOT .. "/en.quarry", ROOT .. "/zh.quarry"

local function add_dir(w, dir)
  local src <close> = assert(quarry.open_sources(dir))
  assert(w:add_sources(src))
end

setup(function()
  os.execute("rm -rf " .. sh(ROOT) .. " && mkdir -p " .. sh(ROOT))
  do
    local w <close> = assert(quarry.writer(EN))
    assert(w:add({ source = "x", text = "Zebra zebra zebra.", fields = { year = 2001 } }))
    add_dir(w, FIX .. "/en")
    assert(w:commit())
    add_dir(w, FIX .. "/en2")
    assert(w:delete("x"))
    assert(w:commit())
  end
  local w <close> = assert(quarry.writer(ZH))
  add_dir(w, FIX .. "/zh")
  assert(w:commit())
end)

teardown(function() os.execute("rm -rf " .. sh(ROOT)) end)

--- "term:count/docs" of each record, joined by spaces.
local function brief(recs, key)
  local out = {}
  for _, r in ipairs(recs) do
    out[#out + 1] = string.format("%s%s:%d/%d", r.group and (r.group .. "|") or "",
                                  r[key or "term"], r.count, r.docs)
  end
  return table.concat(out, " ")
end

describe("Index:freq", function()
  it("counts normalized words with ranks, per million and documents", function()
    local idx <close> = assert(quarry.open(EN))
    local recs, meta = idx:freq()
    assert.are.equal("the:4/2 cat:3/2 a:2/1 dog:2/2 sat:2/2 bark:1/1 dogs:1/1 mat:1/1 on:1/1 ran:1/1",
                     brief(recs))
    assert.are.same({ rank = 1, term = "the", count = 4, docs = 2, per_million = 4e6 / 18 },
                    recs[1])
    assert.are.equal(10, recs[10].rank)
    assert.are.equal(18, meta.tokens)
    assert.are.equal(3, meta.docs)
    assert.are.equal(10, meta.types)
    assert.are.equal("words", meta.unit)
    local info = idx:info()
    assert.are.equal(2, info.segments)
    assert.are.equal(1, info.deleted)
  end)

  it("counts surface forms, punctuation on request, min_count and top", function()
    local idx <close> = assert(quarry.open(EN))
    assert.are.equal("The:3/2 cat:3/2 dog:2/2 sat:2/2 A:1/1 Dogs:1/1 a:1/1 bark:1/1 mat:1/1 on:1/1 ran:1/1 the:1/1",
                     brief((idx:freq({ unit = "surface" }))))
    assert.are.equal(".:4/3 the:4/2 cat:3/2", brief((idx:freq({ punct = true, top = 3 }))))
    assert.are.equal("the:4/2 cat:3/2 a:2/1 dog:2/2 sat:2/2", brief((idx:freq({ min_count = 2 }))))
  end)

  it("leaves out built-in, listed and file stop words (not from the total)", function()
    local idx <close> = assert(quarry.open(EN))
    local recs, meta = idx:freq({ stop = "en" })
    assert.are.equal("cat:3/2 dog:2/2 sat:2/2 bark:1/1 dogs:1/1 mat:1/1 ran:1/1", brief(recs))
    assert.are.equal(18, meta.tokens)
    assert.are.equal("a:2/1 dog:2/2 bark:1/1 dogs:1/1 mat:1/1 on:1/1 ran:1/1",
                     brief((idx:freq({ stop = { "The", "cat", "sat" } }))))
    assert.are.equal("the:4/2 a:2/1 dog:2/2 sat:2/2 bark:1/1 dogs:1/1 on:1/1 ran:1/1",
                     brief((idx:freq({ stop_file = FIX .. "/stop.txt" }))))
    local r, msg, code = idx:freq({ stop_file = FIX .. "/missing.txt" })
    assert.is_nil(r)
    assert.are.equal("ENOENT", code)
    assert.matches("missing.txt", msg, 1, true)
    r, msg, code = idx:freq({ stop_file = FIX .. "/bad_stop.txt" })
    assert.is_nil(r)
    assert.are.equal("EINVAL", code)
    assert.matches("bad_stop.txt:2: not UTF-8", msg, 1, true)
  end)

  it("lists per group: by value, year of a date, with totals per group", function()
    local idx <close> = assert(quarry.open(EN))
    local recs, meta = idx:freq({ by = "year", top = 2 })
    assert.are.equal("2001|the:3/1 2001|cat:2/1 2002|a:2/1 2002|dog:2/2", brief(recs))
    assert.are.same({ group = "2002", docs = 2, tokens = 9, types = 7 }, meta.groups[2])
    assert.are.equal(recs[3].count * 1e6 / 9, recs[3].per_million)
    recs = idx:freq({ by = "date", top = 1 }) -- dates default to years
    assert.are.equal("2001|the:3/1 2002|a:2/1", brief(recs))
    recs = idx:freq({ by = "date", period = "month", top = 1 })
    assert.are.equal("2001-03|the:3/1 2002-07|a:2/1 2002-11|dog:1/1", brief(recs))
    recs = idx:freq({ by = "party", top = 1 })
    assert.are.equal("Blue|a:2/1 Red|the:4/2", brief(recs))
    local r, msg, code = idx:freq({ by = "party", period = "year" })
    assert.is_nil(r)
    assert.are.equal("EINVAL", code)
    assert.matches("only be grouped by value", msg, 1, true)
  end)

  it("runs on a subcorpus given by a filter or a query", function()
    local idx <close> = assert(quarry.open(EN))
    local recs, meta = idx:freq({ filter = "year=2002" })
    assert.are.equal("a:2/1 dog:2/2 bark:1/1 cat:1/1 dogs:1/1 sat:1/1 the:1/1", brief(recs))
    assert.are.equal(9, meta.tokens)
    recs, meta = idx:freq({ query = "mat" })
    assert.are.equal(9, meta.tokens)
    assert.are.equal(1, meta.docs)
    assert.has_error(function() idx:freq({ filter = "year>=" }) end)
  end)

  it("counts Chinese by the word layer, characters as terms", function()
    local idx <close> = assert(quarry.open(ZH))
    local words = brief((idx:freq({ min_count = 2 })))
    assert.matches("发展:2/1", words, 1, true)
    assert.matches("生产力:2/1", words, 1, true)
    assert.are.equal("产:2/1 力:2/1 发:2/1", brief((idx:freq({ unit = "terms", top = 3 }))))
    local all = brief((idx:freq({ stop = "zh" })))
    assert.is_nil(all:find("的:", 1, true))
    assert.is_nil(all:find("我们:", 1, true))
  end)

  it("raises for bad options", function()
    local idx <close> = assert(quarry.open(EN))
    assert.has_error(function() idx:freq({ unit = "lemmas" }) end,
                     "option 'unit': unknown value 'lemmas' (words, terms, surface)")
    assert.has_error(function() idx:freq({ top = -1 }) end)
    assert.has_error(function() idx:freq({ stop = "fr" }) end)
    assert.has_error(function() idx:freq({ stop = 3 }) end)
    assert.has_error(function() idx:freq({ period = "year" }) end)
    assert.has_error(function() idx:freq({ n = 2 }) end, "freq: unknown option 'n'")
    assert.has_error(function() idx:freq("x") end)
  end)
end)

describe("Index:ngrams", function()
  it("keeps n-grams inside sentences and between punctuation", function()
    local idx <close> = assert(quarry.open(EN))
    local recs, meta = idx:ngrams()
    assert.are.equal("the cat:2/1 a cat:1/1 a dog:1/1 cat ran:1/1 cat sat:1/1 dog sat:1/1 "
                     .. "dogs bark:1/1 on the:1/1 sat on:1/1 the dog:1/1 the mat:1/1",
                     brief(recs, "ngram"))
    assert.are.equal(12, meta.ngrams)
    assert.are.equal(2, meta.n)
    assert.are.equal(2e6 / 18, recs[1].per_million)
  end)

  it("drops n-grams with a stop word at either end; n up to 5; groups", function()
    local idx <close> = assert(quarry.open(EN))
    assert.are.equal("cat ran:1/1 cat sat:1/1 dog sat:1/1 dogs bark:1/1",
                     brief((idx:ngrams({ stop = "en" })), "ngram"))
    assert.are.equal("cat sat on the mat:1/1 the cat sat on the:1/1",
                     brief((idx:ngrams({ n = 5 })), "ngram"))
    assert.are.equal("2001|the cat:2/1 2002|a cat:1/1",
                     brief((idx:ngrams({ by = "year", top = 1 })), "ngram"))
    assert.has_error(function() idx:ngrams({ n = 6 }) end)
    assert.has_error(function() idx:ngrams({ n = 1 }) end)
  end)

  it("joins Chinese words without spaces", function()
    local idx <close> = assert(quarry.open(ZH))
    local recs = idx:ngrams({ min_count = 2 })
    assert.is_true(#recs >= 1)
    for _, r in ipairs(recs) do assert.is_nil(r.ngram:find(" ", 1, true)) end
  end)
end)

describe("Index:keyness", function()
  it("compares a target with the rest of the index, values as quarry.stats", function()
    local idx <close> = assert(quarry.open(EN))
    local recs, meta = idx:keyness({ target = { filter = "year=2001" }, min_freq = 1, p = 1 })
    assert.are.equal(9, meta.target_tokens)
    assert.are.equal(9, meta.reference_tokens)
    assert.are.equal(1, meta.target_docs)
    assert.are.equal(2, meta.reference_docs)
    assert.are.equal(10, #recs)
    local by = {}
    for _, r in ipairs(recs) do by[r.term] = r end
    -- the: 3 of 9 in the target, 1 of 9 in the reference
    local k = quarry.stats.keyness(3, 9, 1, 9)
    local the = by.the
    assert.are.equal("+", the.direction)
    assert.are.equal(3, the.freq_target)
    assert.are.equal(1, the.freq_reference)
    assert.are.equal(k.g2, the.g2)
    assert.are.equal(k.p_g2, the.p)
    assert.are.equal(k.log_ratio, the.log_ratio)
    assert.are.equal(k.chi2, the.chi2)
    assert.are.equal(k.pct_diff, the.pct_diff)
    assert.are.equal(k.simple_maths, the.simple_maths)
    assert.are.equal(3e6 / 9, the.per_million_target)
    k = quarry.stats.keyness(0, 9, 2, 9)
    assert.are.equal("-", by.dog.direction)
    assert.are.equal(k.g2, by.dog.g2)
    assert.are.equal(k.simple_maths, by.dog.simple_maths)
    -- positives first, then negatives, each ranked from 1
    assert.are.equal("+", recs[1].direction)
    assert.are.equal(1, recs[1].rank)
    assert.are.equal("-", recs[7].direction)
    assert.are.equal(1, recs[7].rank)
    assert.are.equal("a", recs[7].term)
  end)

  it("takes a reference subcorpus, another index, measures and thresholds", function()
    local idx <close> = assert(quarry.open(EN))
    local zh <close> = assert(quarry.open(ZH))
    local recs = idx:keyness({ target = { filter = "year=2001" }, reference = { query = "dog" },
                               min_freq = 2, p = 1, measure = "log_ratio" })
    assert.are.equal("the cat a dog", (recs[1].term .. " " .. recs[2].term .. " " ..
                                      recs[3].term .. " " .. recs[4].term))
    assert.are.equal(4, #recs)
    local meta
    recs, meta = idx:keyness({ reference_index = zh, unit = "terms", min_freq = 4, p = 1 })
    assert.are.equal(18, meta.target_tokens)
    assert.are.equal(21, meta.reference_tokens)
    assert.are.equal("the", recs[1].term)
    assert.are.equal(quarry.stats.keyness(4, 18, 0, 21).g2, recs[1].g2)
    -- defaults: p <= 0.05 and min_freq 3 keep nothing in so small a corpus
    assert.are.same({}, (idx:keyness({ target = { filter = "year=2001" } })))
    recs = idx:keyness({ target = { filter = "year=2001" }, min_freq = 1, p = 1, top = 1,
                         measure = "chi2", yates = true })
    assert.are.equal(2, #recs)
    assert.are.equal("+", recs[1].direction)
    assert.are.equal(quarry.stats.keyness(recs[1].freq_target, 9, recs[1].freq_reference, 9)
                       .chi2_yates, recs[1].chi2)
  end)

  it("takes target and reference as arguments: filters, tables or an index", function()
    local idx <close> = assert(quarry.open(EN))
    local zh <close> = assert(quarry.open(ZH))
    local opts = { min_freq = 2, p = 1, measure = "log_ratio" }
    local a = idx:keyness("year=2001", { query = "dog" }, opts)
    local b = idx:keyness({ target = { filter = "year=2001" }, reference = { query = "dog" },
                            min_freq = 2, p = 1, measure = "log_ratio" })
    assert.are.same(b, a)
    assert.is_nil(opts.target) -- the caller's options are not changed
    local c = idx:keyness({}, zh, { unit = "terms", min_freq = 4, p = 1 })
    assert.are.same(idx:keyness({ reference_index = zh, unit = "terms", min_freq = 4, p = 1 }), c)
  end)

  it("fails for an empty reference and raises for bad options", function()
    local idx <close> = assert(quarry.open(EN))
    local r, msg, code = idx:keyness()
    assert.is_nil(r)
    assert.are.equal("EINVAL", code)
    assert.matches("reference is empty", msg, 1, true)
    assert.has_error(function() idx:keyness({ measure = "mi" }) end)
    assert.has_error(function() idx:keyness({ p = 2 }) end)
    assert.has_error(function() idx:keyness({ target = "year=2001" }) end)
    assert.has_error(function() idx:keyness({ target = { year = 2001 } }) end)
    assert.has_error(function() idx:keyness({ reference_index = "x" }) end)
  end)
end)

describe("Index:lexstats", function()
  it("gives tokens, types, TTR, MATTR and hapax per document", function()
    local idx <close> = assert(quarry.open(EN))
    local recs, meta = idx:lexstats({ window = 3 })
    assert.are.equal(3, #recs)
    local a = recs[1]
    assert.are.equal(2, a.doc) -- after the deleted document
    assert.are.equal("speeches.jsonl:1", a.label)
    assert.are.equal(9, a.tokens)
    assert.are.equal(6, a.types)
    assert.are.equal(4, a.hapax)
    assert.are.equal(6 / 9, a.ttr)
    assert.is_true(math.abs(a.mattr - 20 / 21) < 1e-12)
    assert.are.equal(4 / 6, a.hapax_ratio)
    assert.are.equal(18, meta.tokens)
    assert.are.equal(10, meta.types)
    assert.are.equal(5, meta.hapax)
    assert.are.equal(3, meta.window)
  end)

  it("gives group records with the documents in the totals", function()
    local idx <close> = assert(quarry.open(EN))
    local recs, meta = idx:lexstats({ by = "party" })
    assert.are.equal(2, #recs)
    assert.are.same({ group = "Blue", docs = 1, tokens = 6, types = 5, hapax = 4, ttr = 5 / 6,
                      mattr = 5 / 6, hapax_ratio = 4 / 5 }, recs[1])
    assert.are.equal("Red", recs[2].group)
    assert.are.equal(12, recs[2].tokens)
    assert.are.equal(3, #meta.documents)
    assert.are.equal("Red", meta.documents[1].group)
    recs = idx:lexstats({ filter = "party:Blue" })
    assert.are.equal(1, #recs)
    assert.has_error(function() idx:lexstats({ window = 0 }) end)
  end)
end)

describe("quarry.stopwords", function()
  it("returns the built-in lists", function()
    local en = quarry.stopwords("en")
    assert.is_true(#en >= 170)
    local set = {}
    for _, w in ipairs(en) do set[w] = true end
    assert.is_true(set.the and set["don't"] and not set.cat)
    assert.is_true(#quarry.stopwords("zh") >= 100)
    assert.has_error(function() quarry.stopwords("xx") end)
  end)
end)
