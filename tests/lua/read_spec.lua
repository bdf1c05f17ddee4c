-- quarry.read, quarry.open_sources, quarry.documents and the Sources and
-- Document handles.
local quarry = require "quarry"

local FIX = assert(os.getenv("QUARRY_FIXTURES"), "QUARRY_FIXTURES not set") .. "/lua"

describe("quarry.read", function()
  it("reads a text file with its sidecar metadata", function()
    local doc = assert(quarry.read(FIX .. "/corpus/a.txt"))
    assert.are.equal(FIX .. "/corpus/a.txt", doc.source)
    assert.are.equal(0, doc.record)
    assert.are.equal("text", doc.format)
    assert.are.equal("utf-8", doc.encoding)
    assert.are.equal(0, doc.replaced)
    assert.are.equal("The cat sat. The dog ran.\n\nA new paragraph here.\n", doc.text)
    assert.are.equal(2001, doc.fields.year)
    assert.are.equal("integer", math.type(doc.fields.year))
    assert.are.equal("Red", doc.fields.party)
    assert.are.same({ year = "integer", party = "string" }, doc.types)
  end)

  it("can leave the sidecar out", function()
    local doc = assert(quarry.read(FIX .. "/corpus/a.txt", { sidecar = false }))
    assert.is_nil(doc.fields.year)
  end)

  it("reads JSON with typed fields and dates as ISO strings", function()
    local doc = assert(quarry.read(FIX .. "/single/fromjson.json"))
    assert.are.equal("json", doc.format)
    assert.are.equal("From JSON, with love.", doc.text)
    assert.are.equal(1999, doc.fields.year)
    assert.are.equal("2024-04-13", doc.fields.when)
    assert.are.equal("date", doc.types.when)
  end)

  it("applies field type overrides", function()
    local doc = assert(quarry.read(FIX .. "/single/fromjson.json", { fields = { year = "string" } }))
    assert.are.equal("1999", doc.fields.year)
    assert.are.equal("string", doc.types.year)
  end)

  it("reads Markdown front matter", function()
    local doc = assert(quarry.read(FIX .. "/single/doc.md"))
    assert.are.equal("markdown", doc.format)
    assert.are.equal("Gamma", doc.fields.title)
    assert.are.equal(2002, doc.fields.year)
    assert.is_truthy(doc.text:find("markdown", 1, true))
  end)

  it("returns the first record of a JSONL file", function()
    local doc = assert(quarry.read(FIX .. "/single/recs.jsonl"))
    assert.are.equal(1, doc.record)
    assert.are.equal("one two", doc.text)
  end)

  it("repairs invalid UTF-8 and counts it", function()
    local doc = assert(quarry.read(FIX .. "/single/invalid.txt"))
    assert.are.equal(1, doc.replaced)
    assert.are.equal("Bad \u{FFFD} byte here.\n", doc.text)
  end)

  it("returns nil, msg, ENOENT for a missing file", function()
    local doc, msg, code = quarry.read(FIX .. "/nope.txt")
    assert.is_nil(doc)
    assert.is_truthy(msg:find("nope.txt", 1, true))
    assert.are.equal(quarry.errors.ENOENT, code)
  end)

  it("returns nil, msg, EPARSE with line and column for bad JSON", function()
    local doc, msg, code = quarry.read(FIX .. "/mixed/bad.json")
    assert.is_nil(doc)
    assert.are.equal("EPARSE", code)
    assert.is_truthy(msg:find("bad.json:2:%d+: "), msg)
  end)

  it("returns nil, msg, ESKIPPED for a file the readers skip", function()
    local doc, msg, code = quarry.read(FIX .. "/mixed/empty.txt")
    assert.is_nil(doc)
    assert.are.equal("ESKIPPED", code)
    assert.is_truthy(msg:find("empty"))
  end)

  it("returns nil, msg, EINVAL for a bad format name", function()
    local doc, _, code = quarry.read(FIX .. "/corpus/a.txt", { format = "pdf" })
    assert.is_nil(doc)
    assert.are.equal("EINVAL", code)
  end)

  it("raises on programming errors", function()
    assert.has_error(function() quarry.read(nil) end)
    assert.has_error(function() quarry.read(FIX .. "/corpus/a.txt", { bogus = 1 }) end)
    assert.has_error(function() quarry.read(FIX .. "/corpus/a.txt", { sidecar = "no" }) end)
  end)
end)

describe("quarry.open_sources", function()
  it("iterates documents and records skipped files and errors", function()
    local src = assert(quarry.open_sources(FIX .. "/mixed"))
    local docs = {}
    for doc in src:each() do docs[#docs + 1] = doc end
    assert.are.equal(1, #docs)
    assert.are.equal("The cat sat.\n", docs[1].text)
    assert.are.equal(1, src:count())
    local r = src:report()
    assert.are.equal(1, r.documents)
    assert.are.same({ binary = 1, empty = 1 }, r.skipped)
    assert.are.equal(1, #r.errors)
    assert.are.equal("error", r.errors[1].kind)
    assert.are.equal("parse", r.errors[1].reason)
    assert.are.equal("EPARSE", r.errors[1].code)
    assert.are.equal(2, r.errors[1].line)
    assert.is_truthy(r.errors[1].path:find("bad.json", 1, true))
    assert.are.equal(2, #src:events("skipped"))
    src:close()
    -- events stay readable after close
    assert.are.equal(3, #src:events())
  end)

  it("calls on_event for each event", function()
    local seen = {}
    local src = assert(quarry.open_sources(FIX .. "/mixed", {
      on_event = function(ev) seen[#seen + 1] = ev.kind end,
    }))
    while src:next() do end
    src:close()
    table.sort(seen)
    assert.are.same({ "error", "skipped", "skipped" }, seen)
  end)

  it("accepts an array of sources and reports missing ones as errors", function()
    local src = assert(quarry.open_sources({ FIX .. "/corpus/a.txt", FIX .. "/missing.txt" }))
    local n = 0
    for _ in src:each() do n = n + 1 end
    local r = src:report()
    assert.are.equal(1, n)
    assert.are.equal(1, #r.errors)
    assert.are.equal("missing", r.errors[1].reason)
    assert.are.equal("ENOENT", r.errors[1].code)
    src:close()
  end)

  it("returns nil, msg, ENOENT when no source exists", function()
    local src, msg, code = quarry.open_sources({ FIX .. "/nope1", FIX .. "/nope2" })
    assert.is_nil(src)
    assert.is_string(msg)
    assert.are.equal("ENOENT", code)
  end)

  it("yields JSONL records and per-record errors", function()
    local src = assert(quarry.open_sources(FIX .. "/single/recs.jsonl"))
    local texts = {}
    for doc in src:each() do texts[#texts + 1] = doc.text end
    assert.are.same({ "one two", "three" }, texts)
    local errs = src:events("error")
    assert.are.equal(1, #errs)
    assert.are.equal(3, errs[1].record)
    src:close()
  end)

  it("has an idempotent close, raises after close and supports <close>", function()
    local src = assert(quarry.open_sources(FIX .. "/corpus"))
    assert.is_truthy(tostring(src):find("^quarry.Sources"))
    src:close()
    src:close()
    assert.are.equal("quarry.Sources (closed)", tostring(src))
    assert.has_error(function() src:next() end, "attempt to use a closed quarry.Sources")
    assert.has_error(function() src:each() end)
    local held
    do
      local s <close> = assert(quarry.open_sources(FIX .. "/corpus"))
      held = s
      assert.is_table(s:next())
    end
    assert.are.equal("quarry.Sources (closed)", tostring(held))
  end)

  it("raises on programming errors", function()
    assert.has_error(function() quarry.open_sources(42) end)
    assert.has_error(function() quarry.open_sources({}) end)
    assert.has_error(function() quarry.open_sources({ 1 }) end)
    assert.has_error(function() quarry.open_sources(FIX, { on_event = 1 }) end)
    assert.has_error(function() quarry.open_sources(FIX, { fields = { year = 1 } }) end)
  end)
end)

describe("Document handles", function()
  it("keep the document in C until asked", function()
    local src <close> = assert(quarry.open_sources(FIX .. "/corpus/a.txt"))
    local d = src:next_document()
    assert.is_truthy(tostring(d):find("a.txt", 1, true))
    assert.are.equal(FIX .. "/corpus/a.txt", d:source())
    assert.are.equal(0, d:record())
    assert.is_truthy(d:text():find("The cat sat."))
    local v, ty = d:field("year")
    assert.are.equal(2001, v)
    assert.are.equal("integer", ty)
    assert.is_nil(d:field("nope"))
    assert.are.equal("Red", d:totable().fields.party)
    d:close()
    d:close()
    assert.are.equal("quarry.Document (closed)", tostring(d))
    assert.has_error(function() d:text() end)
    assert.is_nil(src:next_document())
  end)
end)

describe("quarry.documents", function()
  it("is a generic-for iterator", function()
    local years = {}
    for doc in quarry.documents(FIX .. "/corpus") do years[#years + 1] = doc.fields.year end
    table.sort(years)
    assert.are.same({ 2001, 2003 }, years)
  end)

  it("frees the sources on break", function()
    for doc in quarry.documents({ FIX .. "/corpus" }) do
      assert.is_table(doc)
      break
    end
  end)

  it("passes events to on_event", function()
    local skipped = 0
    for _ in quarry.documents(FIX .. "/corpus", {
      on_event = function(ev) if ev.kind == "skipped" then skipped = skipped + 1 end end,
    }) do end
    assert.are.equal(2, skipped) -- the two sidecars
  end)

  it("raises when no source exists", function()
    assert.has_error(function()
      for _ in quarry.documents(FIX .. "/does-not-exist") do end
    end)
  end)
end)
