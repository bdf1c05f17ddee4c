-- quarry.writer: building and updating an index from Lua.
local quarry = require "quarry"

local FIX = assert(os.getenv("QUARRY_FIXTURES"), "QUARRY_FIXTURES not set") .. "/lua"
local ART = os.getenv("QUARRY_ARTIFACTS") or "/tmp"

local function sh(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local counter = 0
-- A fresh, not yet existing index path.
local function fresh(name)
  counter = counter + 1
  local dir = string.format("%s/lua-writer/%s-%d-%d.quarry", ART, name, counter, os.time())
  os.execute("rm -rf " .. sh(dir) .. " && mkdir -p " .. sh(dir:match("^(.*)/")))
  return dir
end

describe("quarry.writer", function()
  it("creates an index, adds document tables and commits", function()
    local path = fresh("tables")
    local w <close> = assert(quarry.writer(path))
    assert.are.equal("quarry.Writer", tostring(w):match("^quarry%.Writer"))
    assert.are.same({ "added", 17 }, { w:add({ source = "mem:a", text = "The cat sat here.",
                                               fields = { year = 2001, party = "Red" } }) })
    assert.are.equal("added", (w:add({ source = "mem:b", record = 2, text = "A dog.",
                                       fields = { year = "2003", date = "2024-03-15" } })))
    local st = assert(w:commit())
    assert.are.equal(2, st.added)
    assert.are.equal(0, st.replaced)
    assert.are.equal(2, st.documents)
    assert.is_true(st.generation >= 1)
    assert.is_true(st.segments >= 1)
    w:close()

    local idx <close> = assert(quarry.open(path))
    assert.are.equal(2, idx:info().documents)
    local d = assert(idx:doc(2))
    assert.are.equal("mem:b", d.source)
    assert.are.equal(2, d.record)
    assert.are.equal("A dog.", d.text)
    -- string values are typed by inference, as the readers do
    assert.are.equal(2003, d.fields.year)
    assert.are.equal("integer", d.types.year)
    assert.are.equal("date", d.types.date)
    assert.are.equal("2024-03-15", d.fields.date)
  end)

  it("keeps string types given in doc.types", function()
    local path = fresh("types")
    local w <close> = assert(quarry.writer(path))
    assert(w:add({ source = "s", text = "x", fields = { zip = "01234", n = 5 },
                   types = { zip = "string", n = "number" } }))
    assert(w:commit())
    w:close()
    local idx <close> = assert(quarry.open(path))
    local d = assert(idx:doc(1))
    assert.are.equal("01234", d.fields.zip)
    assert.are.equal("string", d.types.zip)
    assert.are.equal("number", d.types.n)
  end)

  it("takes Document handles from open_sources and closes them", function()
    local path = fresh("handles")
    local w <close> = assert(quarry.writer(path))
    local src <close> = assert(quarry.open_sources(FIX .. "/corpus"))
    local n = 0
    while true do
      local doc = src:next_document()
      if not doc then break end
      local outcome = assert(w:add(doc))
      assert.are.equal("added", outcome)
      assert.are.equal("quarry.Document (closed)", tostring(doc))
      assert.has_error(function() doc:text() end)
      n = n + 1
    end
    assert.are.equal(2, n)
    assert.are.equal(2, assert(w:commit()).documents)
  end)

  it("adds whole Sources in C with a progress callback", function()
    local path = fresh("sources")
    local w <close> = assert(quarry.writer(path))
    local src <close> = assert(quarry.open_sources(FIX .. "/corpus"))
    local seen = {}
    local c = assert(w:add_sources(src, function(outcome, bytes, source)
      seen[#seen + 1] = { outcome, bytes > 0, source:match("[^/]+$") }
    end))
    assert.are.same({ added = 2, replaced = 0, unchanged = 0, documents = 2, bytes = c.bytes }, c)
    assert.are.same({ { "added", true, "a.txt" }, { "added", true, "b.txt" } }, seen)
    assert(w:commit())
  end)

  it("leaves unchanged documents alone and replaces changed ones", function()
    local path = fresh("update")
    do
      local w <close> = assert(quarry.writer(path))
      assert(w:add({ source = "a", text = "one" }))
      assert(w:add({ source = "b", text = "two" }))
      assert(w:commit())
    end
    local w <close> = assert(quarry.writer(path))
    assert.are.equal("unchanged", (w:add({ source = "a", text = "one" })))
    assert.are.equal("replaced", (w:add({ source = "b", text = "two, changed" })))
    local st = assert(w:commit())
    assert.are.equal(1, st.unchanged)
    assert.are.equal(1, st.replaced)
    assert.are.equal(2, st.documents)
    w:close()
    local idx <close> = assert(quarry.open(path))
    local texts = {}
    for _, id in ipairs(idx:docs()) do texts[#texts + 1] = idx:doc(id).text end
    table.sort(texts)
    assert.are.same({ "one", "two, changed" }, texts)
  end)

  it("deletes by source and by (source, record)", function()
    local path = fresh("delete")
    local w <close> = assert(quarry.writer(path))
    assert(w:add({ source = "f.jsonl", record = 1, text = "r1" }))
    assert(w:add({ source = "f.jsonl", record = 2, text = "r2" }))
    assert(w:add({ source = "g", text = "g" }))
    assert(w:commit())
    assert.are.equal(1, w:delete("f.jsonl", 2))
    assert.are.equal(0, w:delete("nope"))
    assert(w:commit())
    local idx = assert(quarry.open(path))
    assert.are.equal(2, idx:info().documents)
    idx:close()
    assert.are.equal(1, w:delete("f.jsonl"))
    local st = assert(w:commit())
    assert.are.equal(1, st.documents)
  end)

  it("discards uncommitted work on close", function()
    local path = fresh("discard")
    do
      local w <close> = assert(quarry.writer(path))
      assert(w:add({ source = "kept", text = "kept" }))
      assert(w:commit())
    end
    do
      local w <close> = assert(quarry.writer(path))
      assert(w:add({ source = "lost", text = "lost" }))
      assert.are.equal(1, w:delete("kept"))
    end -- closed without commit
    local idx <close> = assert(quarry.open(path))
    local ids = idx:docs()
    assert.are.equal(1, #ids)
    assert.are.equal("kept", idx:doc(ids[1]).source)
  end)

  it("refuses a second writer with EBUSY and a message naming the holder", function()
    local path = fresh("busy")
    local w1 <close> = assert(quarry.writer(path))
    local w2, msg, code = quarry.writer(path)
    assert.is_nil(w2)
    assert.are.equal("EBUSY", code)
    assert.are.equal(quarry.errors.EBUSY, code)
    assert.is_truthy(msg:find("pid"), msg)
    w1:close()
    local w3 <close> = assert(quarry.writer(path)) -- the lock is released
  end)

  it("optimizes into one segment", function()
    local path = fresh("optimize")
    local w <close> = assert(quarry.writer(path))
    for i = 1, 3 do
      assert(w:add({ source = "s" .. i, text = "text " .. i }))
      assert(w:commit())
    end
    assert(w:delete("s2"))
    local st = assert(w:optimize())
    assert.are.equal(1, st.segments)
    assert.are.equal(2, st.documents)
  end)

  it("checks tokenizer options against an existing index", function()
    local path = fresh("tokopts")
    do
      local w <close> = assert(quarry.writer(path, { tokenizer = { case_sensitive = true } }))
      assert(w:add({ source = "a", text = "Cat cat" }))
      assert(w:commit())
    end
    local w, msg, code = quarry.writer(path, { tokenizer = {} })
    assert.is_nil(w)
    assert.are.equal("EINVAL", code, msg)
    local w2 <close> = assert(quarry.writer(path)) -- nil: as built
    w2:close()
    local idx <close> = assert(quarry.open(path))
    assert.is_true(idx:info().tokenizer.case_sensitive)
    assert.are.equal(1, idx:term("Cat").count)
  end)

  it("accepts memory sizes and threads", function()
    local w <close> = assert(quarry.writer(fresh("opts"), { memory = "8M", threads = 1 }))
    local w2 <close> = assert(quarry.writer(fresh("opts"), { memory = 16 * 1024 * 1024 }))
  end)

  it("raises on programming errors", function()
    local path = fresh("raises")
    assert.has_error(function() quarry.writer(path, { frob = 1 }) end)
    assert.has_error(function() quarry.writer(path, { memory = "64Q" }) end)
    assert.has_error(function() quarry.writer(path, { threads = -1 }) end)
    assert.has_error(function() quarry.writer(path, { tokenizer = { words = { "x" } } }) end)
    local w <close> = assert(quarry.writer(path))
    assert.has_error(function() w:add({ text = "no source" }) end)
    assert.has_error(function() w:add({ source = "s", text = 5 }) end)
    assert.has_error(function() w:add({ source = "s", fields = { x = {} } }) end)
    assert.has_error(function() w:add({ source = "s", fields = { d = "x" }, types = { d = "date" } }) end)
    assert.has_error(function() w:add(42) end)
    w:close()
    w:close() -- idempotent
    assert.are.equal("quarry.Writer (closed)", tostring(w))
    assert.has_error(function() w:add({ source = "s" }) end)
  end)

  it("returns nil, msg, EINVAL for a document that is not valid UTF-8", function()
    local w <close> = assert(quarry.writer(fresh("utf8")))
    local ok, msg, code = w:add({ source = "s", text = "bad \255 byte" })
    assert.is_nil(ok)
    assert.are.equal("EINVAL", code)
    assert.is_truthy(msg:find("UTF%-8"))
  end)
end)
