-- quarry.open: reading an index snapshot from Lua. The corpus is the
-- summary fixture (a.txt: year 2001, party Red; b.txt: year 2003, party
-- Blue) plus one Chinese document added as a table.
local quarry = require "quarry"

local FIX = assert(os.getenv("QUARRY_FIXTURES"), "QUARRY_FIXTURES not set") .. "/lua"
local ART = os.getenv("QUARRY_ARTIFACTS") or "/tmp"

local function sh(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local PATH = string.format("%s/lua-index/fixture-%d.quarry", ART, os.time())

local ZH = "新质生产力是创新。新的力量。"

setup(function()
  os.execute("rm -rf " .. sh(PATH) .. " && mkdir -p " .. sh(PATH:match("^(.*)/")))
  local w <close> = assert(quarry.writer(PATH))
  local src <close> = assert(quarry.open_sources(FIX .. "/corpus"))
  assert(w:add_sources(src))
  assert(w:add({ source = "zh", text = ZH, fields = { year = 2024, party = "Green" } }))
  assert(w:commit())
end)

describe("quarry.open", function()
  it("returns nil, msg, ENOENT for a missing index", function()
    local idx, msg, code = quarry.open(ART .. "/lua-index/does-not-exist")
    assert.is_nil(idx)
    assert.are.equal("ENOENT", code)
    assert.is_string(msg)
  end)

  it("raises for a non-string path", function()
    assert.has_error(function() quarry.open(nil) end)
  end)

  it("reports info", function()
    local idx <close> = assert(quarry.open(PATH))
    local info = idx:info()
    assert.are.equal(3, info.documents)
    assert.are.equal(0, info.deleted)
    assert.is_true(info.tokens >= 19)
    assert.is_true(info.types > 0)
    assert.is_true(info.segments >= 1)
    assert.is_true(info.format_version >= 1)
    assert.is_true(info.bytes_total > 0)
    local sum = 0
    for _, p in ipairs(info.parts) do sum = sum + info.bytes[p] end
    assert.is_true(sum > 0)
    assert.is_true(info.bytes.postings >= 0)
    local by = {}
    for _, f in ipairs(info.fields) do by[f.name] = f end
    assert.are.equal("integer", by.year.type)
    assert.are.equal(2001, by.year.min)
    assert.are.equal(2024, by.year.max)
    assert.are.equal(3, by.year.count)
    assert.are.equal("string", by.party.type)
    assert.is_true(info.tokenizer.nfkc)
    assert.is_false(info.tokenizer.case_sensitive)
    assert.is_truthy(tostring(idx):find("3 documents"))
  end)

  it("returns documents with source, fields and text", function()
    local idx <close> = assert(quarry.open(PATH))
    local ids = idx:docs()
    assert.are.same({ 1, 2, 3 }, ids)
    local d = assert(idx:doc(1))
    assert.is_truthy(d.source:find("a%.txt$"))
    assert.are.equal(0, d.record)
    assert.are.equal("The cat sat. The dog ran.\n\nA new paragraph here.", (d.text:gsub("\n$", "")))
    assert.are.equal(2001, d.fields.year)
    assert.are.equal("Red", d.fields.party)
    assert.are.equal("integer", d.types.year)
    assert.are.equal(13, d.tokens)
    assert.are.equal(3, d.sentences)
    assert.are.equal(2, d.paragraphs)
    assert.is_nil(assert(idx:doc(1, { text = false })).text)
    assert.are.equal(d.text, idx:text(1))
    local none, msg, code = idx:doc(99)
    assert.is_nil(none)
    assert.are.equal("ENOENT", code)
    assert.is_truthy(msg:find("99"))
    assert.are.equal("ENOENT", select(3, idx:doc(0)))
    assert.is_true(idx:live(1))
    assert.is_false(idx:live(99))
    assert.are.equal(3, idx:doc_limit())
  end)

  it("selects documents with field filters", function()
    local idx <close> = assert(quarry.open(PATH))
    assert.are.same({ 2, 3 }, idx:docs({ filter = "year>2002" }))
    assert.are.same({ 1 }, idx:docs({ filter = "party:Red" }))
    assert.are.same({ 1, 3 }, idx:docs({ filter = "party:Red OR year>=2024" }))
    assert.are.same({ 2 }, idx:docs({ filter = "NOT party:Red year<2024" }))
    assert.are.same({}, idx:docs({ filter = "missing=1" }))
    assert.are.same({ 1 }, idx:docs({ filter = "year>0", limit = 1 }))
    local ids, msg, code, pos = idx:docs({ filter = "year>" })
    assert.is_nil(ids)
    assert.are.equal("ESYNTAX", code)
    assert.are.equal(6, pos)
    assert.is_truthy(msg:find("position"))
    local got = {}
    for id in idx:each_doc({ filter = "year<2024" }) do got[#got + 1] = id end
    assert.are.same({ 1, 2 }, got)
    assert.has_error(function() idx:each_doc({ filter = "(" }) end)
    assert.has_error(function() idx:docs({ filter = 5 }) end)
  end)

  it("looks up normalized terms", function()
    local idx <close> = assert(quarry.open(PATH))
    local t = assert(idx:term("Cat"))
    assert.are.equal("cat", t.term)
    assert.are.equal(3, t.count)
    assert.are.equal(2, t.docs)
    assert.are.equal("cat", (idx:term_text(t.id)))
    local text, count, docs = idx:term_text(t.id)
    assert.are.same({ "cat", 3, 2 }, { text, count, docs })
    local z = assert(idx:term("zebra"))
    assert.are.same({ term = "zebra", count = 0, docs = 0 }, z)
    local no, msg, code = idx:term("two words")
    assert.is_nil(no)
    assert.are.equal("EINVAL", code)
    assert.is_truthy(msg:find("2 tokens"))
    assert.are.equal(0, idx:term("CAT", { raw = true }).count)
    assert.is_nil(idx:term_text(0))
    assert.is_nil(idx:term_text(idx:term_count() + 1))
    -- CJK: characters are terms
    local x = assert(idx:term("新"))
    assert.are.equal(3, x.count)
    assert.are.equal(1, x.docs)
    assert.has_error(function() idx:term(5) end)
  end)

  it("walks the vocabulary in batches", function()
    local idx <close> = assert(quarry.open(PATH))
    local all = {}
    for batch in idx:vocab({ batch = 3 }) do
      assert.is_true(batch.n <= 3)
      assert.are.equal(batch.n, #batch.ids)
      for i = 1, batch.n do
        all[#all + 1] = batch.terms[i]
        assert.are.equal(batch.terms[i], (idx:term_text(batch.ids[i])))
        assert.is_true(batch.counts[i] >= batch.docs[i])
      end
    end
    assert.are.equal(idx:info().types, #all)
    for i = 2, #all do assert.is_true(all[i - 1] < all[i]) end

    local function terms(opts)
      local out = {}
      for b in idx:vocab(opts) do
        for i = 1, b.n do out[#out + 1] = b.terms[i] end
      end
      return out
    end
    assert.are.same({ "cat" }, terms({ prefix = "ca" }))
    assert.are.same({ "cat", "sat" }, terms({ regex = "[cs]at" }))
    assert.are.same({ "cat" }, terms({ regex = "[cs]at", min = 2 }))
    assert.are.same({ "the" }, terms({ min = 4 }))
    assert.are.same({ "cat" }, terms({ regex = "C.T", caseless = true }))
    assert.are.same({}, terms({ regex = "c" })) -- full match, not search
    assert.are.same({ "力", "新" }, terms({ regex = "[\\x{4e00}-\\x{9fff}]", min = 2 }))

    local s, msg, code, pos = idx:vocab_scan({ regex = "ab(c" })
    assert.is_nil(s)
    assert.are.equal("ESYNTAX", code)
    assert.are.equal(5, pos)
    assert.is_truthy(msg:find("regex"))
    assert.has_error(function() idx:vocab({ regex = "(" }) end)
    assert.has_error(function() idx:vocab({ frob = 1 }) end)
  end)

  it("returns token ids and byte spans", function()
    local idx <close> = assert(quarry.open(PATH))
    local d = assert(idx:doc(1))
    local t = assert(idx:tokens(1))
    assert.are.equal(13, t.n)
    assert.are.equal("The", d.text:sub(t.first[1], t.last[1]))
    assert.are.equal("the", (idx:term_text(t.ids[1])))
    assert.are.equal("cat", (idx:term_text(t.ids[2])))
    assert.are.equal(".", d.text:sub(t.first[4], t.last[4]))
    local part = assert(idx:tokens(1, 2, 2))
    assert.are.equal(2, part.n)
    assert.are.same({ t.ids[2], t.ids[3] }, part.ids)
    assert.are.same({ t.first[2], t.first[3] }, part.first)
    assert.are.equal(0, assert(idx:tokens(1, 100)).n)
    -- CJK spans are whole characters
    local z = assert(idx:doc(3))
    local zt = assert(idx:tokens(3, 1, 1))
    assert.are.equal("新", z.text:sub(zt.first[1], zt.last[1]))
    assert.are.equal("ENOENT", select(3, idx:tokens(42)))
    assert.has_error(function() idx:tokens(1, 0) end)
  end)

  it("keeps the snapshot alive for a running scan after close", function()
    local idx = assert(quarry.open(PATH))
    local scan = assert(idx:vocab_scan({ batch = 2 }))
    idx:close()
    assert.are.equal("quarry.Index (closed)", tostring(idx))
    assert.has_error(function() idx:info() end)
    local b = assert(scan:next())
    assert.are.equal(2, b.n)
    scan:close()
    scan:close()
    assert.has_error(function() scan:next() end)
    idx:close() -- idempotent
  end)

  it("does not see commits made after it was opened", function()
    local idx <close> = assert(quarry.open(PATH))
    local n = idx:info().documents
    do
      local w <close> = assert(quarry.writer(PATH))
      assert(w:add({ source = "later", text = "later" }))
      assert(w:commit())
    end
    assert.are.equal(n, idx:info().documents)
    local idx2 <close> = assert(quarry.open(PATH))
    assert.are.equal(n + 1, idx2:info().documents)
    do
      local w <close> = assert(quarry.writer(PATH))
      assert.are.equal(1, w:delete("later"))
      assert(w:commit())
    end
  end)

  it("verifies an index with check()", function()
    local idx <close> = assert(quarry.open(PATH))
    assert.is_true(idx:check())
  end)
end)
