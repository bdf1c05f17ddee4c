-- quarry.tokenize: parallel arrays, 1-based inclusive positions, options,
-- error conventions.
local quarry = require "quarry"

local function span(t, i) return t.first[i], t.last[i] end

describe("quarry.tokenize", function()
  it("returns one table of parallel arrays for English", function()
    local text = "Hello, Fellow-Citizens! Britain's 1,000.5 dollars."
    local t = assert(quarry.tokenize(text))
    assert.are.equal(8, t.n)
    assert.are.same({ "Hello", ",", "Fellow-Citizens", "!", "Britain's", "1,000.5",
                      "dollars", "." }, { table.unpack(t.text, 1, 8) })
    assert.are.same({ "word", "punct", "word", "punct", "word", "number", "word", "punct" },
                    { table.unpack(t.kind, 1, 8) })
    assert.are.equal("hello", t.norm[1])
    for i = 1, t.n do
      -- positions are 1-based and inclusive: string.sub gives the token back
      assert.are.equal(t.text[i], text:sub(t.first[i], t.last[i]))
    end
    assert.are.same({ 1, 5 }, { span(t, 1) })
    assert.are.equal(t.n, #t.text)
    assert.are.equal(t.n, #t.norm)
    assert.are.equal(t.n, #t.sentence)
  end)

  it("numbers sentences and paragraphs with inclusive token ranges", function()
    local t = assert(quarry.tokenize("One two. Three four.\n\nFive six."))
    assert.are.same({ 1, 1, 1, 2, 2, 2, 3, 3, 3 }, t.sentence)
    assert.are.same({ 1, 4, 7 }, t.sentences.first)
    assert.are.same({ 3, 6, 9 }, t.sentences.last)
    assert.are.same({ 1, 7 }, t.paragraphs.first)
    assert.are.same({ 6, 9 }, t.paragraphs.last)
  end)

  it("tokenizes Chinese by character with a word layer", function()
    local text = "新质生产力是重要的。"
    local t = assert(quarry.tokenize(text))
    assert.are.equal(10, t.n)
    for i = 1, 9 do assert.are.equal("cjk", t.kind[i]) end
    assert.are.equal("punct", t.kind[10])
    assert.are.equal("新", t.text[1])
    assert.are.same({ 1, 3 }, { span(t, 1) })
    -- the word layer covers the CJK characters, in order, without gaps
    local w = t.words
    assert.is_true(#w.first >= 1)
    assert.are.equal(1, w.first[1])
    for i = 2, #w.first do assert.are.equal(w.last[i - 1] + 1, w.first[i]) end
    assert.are.equal(9, w.last[#w.last])
    local joined = table.concat(w.norm)
    assert.are.equal("新质生产力是重要的", joined)
  end)

  it("handles mixed English and Chinese text", function()
    local text = "GDP grew 5.2% in 2024，新质生产力 matters."
    local t = assert(quarry.tokenize(text))
    local kinds = {}
    for i = 1, t.n do kinds[t.kind[i]] = (kinds[t.kind[i]] or 0) + 1 end
    assert.are.equal(5, kinds.cjk)
    assert.is_true(kinds.word >= 3)
    assert.are.equal(2, kinds.number)
    for i = 1, t.n do assert.are.equal(t.text[i], text:sub(t.first[i], t.last[i])) end
  end)

  it("returns empty arrays for empty text", function()
    local t = assert(quarry.tokenize(""))
    assert.are.equal(0, t.n)
    assert.are.same({}, t.text)
    assert.are.same({}, t.sentences.first)
  end)

  it("applies the options", function()
    local t = assert(quarry.tokenize("Fellow-Citizens don't", { split_hyphens = true }))
    assert.are.equal("Fellow", t.text[1])
    assert.are.equal("-", t.text[2])
    t = assert(quarry.tokenize("Don't", { split_apostrophes = true }))
    assert.is_true(t.n >= 3)
    t = assert(quarry.tokenize("Hello", { case_sensitive = true }))
    assert.are.equal("Hello", t.norm[1])
    t = assert(quarry.tokenize("1,000.5", { split_numbers = true }))
    assert.is_true(t.n > 1)
    t = assert(quarry.tokenize("ＡＢＣ", { nfkc = false }))
    assert.are_not.equal("abc", t.norm[1])
    t = assert(quarry.tokenize("ＡＢＣ"))
    assert.are.equal("abc", t.norm[1])
    t = assert(quarry.tokenize("新质生产力", { cjk_words = false }))
    assert.are.equal(0, #t.words.first)
  end)

  it("uses user lexicon words in the word layer", function()
    local t = assert(quarry.tokenize("新质生产力", { words = { "新质生产力" } }))
    assert.are.same({ "新质生产力" }, t.words.norm)
  end)

  it("returns nil, msg, EINVAL for invalid UTF-8", function()
    local t, msg, code = quarry.tokenize("abc\255def")
    assert.is_nil(t)
    assert.is_string(msg)
    assert.are.equal(quarry.errors.EINVAL, code)
  end)

  it("returns nil, msg, ENOENT for a missing lexicon file", function()
    local t, msg, code = quarry.tokenize("abc", { lexicon = "/nonexistent/lexicon.txt" })
    assert.is_nil(t)
    assert.is_string(msg)
    assert.are.equal("ENOENT", code)
  end)

  it("raises on programming errors", function()
    assert.has_error(function() quarry.tokenize(42) end)
    assert.has_error(function() quarry.tokenize(nil) end)
    assert.has_error(function() quarry.tokenize("x", "opts") end)
    assert.has_error(function() quarry.tokenize("x", { no_such_option = true }) end)
    assert.has_error(function() quarry.tokenize("x", { nfkc = "yes" }) end)
    assert.has_error(function() quarry.tokenize("x", { words = { 1 } }) end)
  end)

  it("gives the same result from a cached tokenizer", function()
    local a = quarry.tokenize("Same text, same tokens.", { split_hyphens = true })
    local b = quarry.tokenize("Same text, same tokens.", { split_hyphens = true })
    assert.are.same(a, b)
  end)
end)
