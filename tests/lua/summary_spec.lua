-- quarry.summary on a tiny corpus whose numbers are checked by hand:
--   a.txt "The cat sat. The dog ran.\n\nA new paragraph here."
--         13 tokens, 10 words, 3 sentences, 2 paragraphs; year 2001, party Red
--   b.txt "The cat, the cat!"
--         6 tokens, 4 words, 1 sentence, 1 paragraph; year 2003, party Blue
local quarry = require "quarry"

local FIX = assert(os.getenv("QUARRY_FIXTURES"), "QUARRY_FIXTURES not set") .. "/lua"

local function check_corpus(r)
  assert.are.equal(2, r.documents)
  assert.are.equal(19, r.tokens)
  assert.are.equal(14, r.words)
  assert.are.equal(9, r.types)
  assert.are.equal(4, r.sentences)
  assert.are.equal(3, r.paragraphs)
  assert.are.equal(0, r.replaced)
  local by = {}
  for _, f in ipairs(r.fields) do by[f.name] = f end
  assert.are.same({ name = "year", type = "integer", count = 2, min = 2001, max = 2003,
                    range = "value", distinct = 2, distinct_capped = false }, by.year)
  assert.are.same({ name = "party", type = "string", count = 2, min = 3, max = 4,
                    range = "length", distinct = 2, distinct_capped = false }, by.party)
end

describe("quarry.summary", function()
  it("summarizes sources in C", function()
    local src <close> = assert(quarry.open_sources(FIX .. "/corpus"))
    local s <close> = assert(quarry.summary())
    assert.are.equal(2, s:add_sources(src))
    local r = s:result()
    check_corpus(r)
    assert.are.same({ word = "the", count = 4 }, r.top[1])
    assert.are.same({ word = "cat", count = 3 }, r.top[2])
    -- ties are ordered by bytes
    assert.are.same({ word = "a", count = 1 }, r.top[3])
    assert.are.equal(9, #r.top)
  end)

  it("gives the same numbers from Document handles and from tables", function()
    local s1 = assert(quarry.summary())
    local s2 = assert(quarry.summary())
    local src = assert(quarry.open_sources(FIX .. "/corpus"))
    while true do
      local d = src:next_document()
      if not d then break end
      s1:add(d)
      s2:add(d:totable())
      d:close()
    end
    src:close()
    check_corpus(s1:result())
    check_corpus(s2:result())
    s1:close()
    s2:close()
  end)

  it("limits top words", function()
    local s = assert(quarry.summary({ top = 2 }))
    s:add({ text = "b a b c b a" })
    assert.are.same({ { word = "b", count = 3 }, { word = "a", count = 2 } }, s:result().top)
    assert.are.equal(1, #s:result(1).top)
    assert.are.equal(0, #s:result(0).top)
  end)

  it("counts Chinese by the word layer and excludes punctuation", function()
    local s = assert(quarry.summary())
    s:add({ text = "新质生产力。" })
    local r = s:result()
    assert.are.equal(6, r.tokens)
    local t = quarry.tokenize("新质生产力。")
    assert.are.equal(#t.words.first, r.words)
    local s2 = assert(quarry.summary({ cjk_words = false }))
    s2:add({ text = "新质生产力。" })
    assert.are.equal(5, s2:result().words)
  end)

  it("unifies field types across documents", function()
    local s = assert(quarry.summary())
    s:add({ text = "x", fields = { a = 1, b = 1, c = "2020-01-02", d = "x" },
            types = { c = "date" } })
    s:add({ text = "y", fields = { a = 2.5, b = "two", c = 5, d = "longer" } })
    local by = {}
    for _, f in ipairs(s:result().fields) do by[f.name] = f end
    assert.are.equal("number", by.a.type)
    assert.are.equal(1, by.a.min)
    assert.are.equal(2.5, by.a.max)
    assert.are.equal("string", by.b.type)
    assert.are.equal("mixed", by.c.type)
    assert.are.equal("string", by.d.type)
    assert.are.equal(1, by.d.min)
    assert.are.equal(6, by.d.max)
  end)

  it("reports date ranges as ISO strings", function()
    local s = assert(quarry.summary())
    for _, d in ipairs({ "2020-05-01", "2019-12-31", "2021-01-01" }) do
      s:add({ text = "", fields = { when = d }, types = { when = "date" } })
    end
    local f = s:result().fields[1]
    assert.are.equal("date", f.type)
    assert.are.equal("2019-12-31", f.min)
    assert.are.equal("2021-01-01", f.max)
    assert.are.equal("date", f.range)
  end)

  it("counts replaced characters", function()
    local src <close> = assert(quarry.open_sources(FIX .. "/single/invalid.txt"))
    local s <close> = assert(quarry.summary())
    s:add_sources(src)
    assert.are.equal(1, s:result().replaced)
  end)

  it("returns nil, msg, code for bad input and environment failures", function()
    local s = assert(quarry.summary())
    local ok, msg, code = s:add({ text = "bad \255" })
    assert.is_nil(ok)
    assert.is_string(msg)
    assert.are.equal("EINVAL", code)
    local s2, _, code2 = quarry.summary({ lexicon = "/nonexistent/lexicon" })
    assert.is_nil(s2)
    assert.are.equal("ENOENT", code2)
  end)

  it("has the handle lifecycle", function()
    local s = assert(quarry.summary())
    assert.is_truthy(tostring(s):find("^quarry.Summary"))
    s:close()
    s:close()
    assert.are.equal("quarry.Summary (closed)", tostring(s))
    assert.has_error(function() s:add({ text = "x" }) end, "attempt to use a closed quarry.Summary")
    assert.has_error(function() s:result() end)
  end)

  it("raises on programming errors", function()
    local s = assert(quarry.summary())
    assert.has_error(function() s:add(42) end)
    assert.has_error(function() s:add({ text = 42 }) end)
    assert.has_error(function() s:add({ text = "x", fields = { a = {} } }) end)
    assert.has_error(function() s:add_sources({}) end)
    assert.has_error(function() quarry.summary({ top = -1 }) end)
    assert.has_error(function() quarry.summary({ bogus = true }) end)
  end)
end)
