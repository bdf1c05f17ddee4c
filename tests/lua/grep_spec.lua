-- quarry.regex and quarry.grep: 1-based inclusive spans, flags, the
-- iteration rule for empty matches, errors as nil, msg, code, and scans of
-- files, directories and an index built here.
local quarry = require "quarry"

local ART = os.getenv("QUARRY_ARTIFACTS") or "/tmp"
local ROOT = string.format("%s/lua-grep/run-%d-%d", ART, os.time(), math.random(1e6))

local function sh(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local function write(path, content)
  os.execute("mkdir -p " .. sh(path:match("^(.*)/")))
  local f = assert(io.open(path, "wb"))
  f:write(content)
  f:close()
end

local function spans(re, text, init)
  local out = {}
  for s, e in re:gmatch(text, init) do out[#out + 1] = s .. "-" .. e end
  return table.concat(out, " ")
end

setup(function()
  os.execute("rm -rf " .. sh(ROOT))
  write(ROOT .. "/files/a.txt", "a cat\nno\ncat cat\n")
  write(ROOT .. "/files/b/c.txt", "新质生产力 cat")
  write(ROOT .. "/files/.hidden", "cat\n")
  write(ROOT .. "/files/bin.dat", "cat\0cat\n")
end)

teardown(function()
  os.execute("rm -rf " .. sh(ROOT))
end)

describe("quarry.regex", function()
  it("finds 1-based inclusive spans, from init on", function()
    local re <close> = assert(quarry.regex("c.t"))
    assert.are.same({ 5, 7 }, { re:find("the cat cot") })
    assert.are.same({ 9, 11 }, { re:find("the cat cot", 6) })
    assert.are.same({ 9, 11 }, { re:find("the cat cot", -3) })
    assert.is_nil(re:find("the dog"))
    assert.is_nil(re:find("cat", 5))
  end)

  it("iterates like string.gmatch, empty matches included", function()
    assert.are.equal("1-3 5-7", spans(quarry.regex("cat"), "cat cat"))
    assert.are.equal("1-0 2-3 5-4", spans(quarry.regex("x*"), "axxb"))
    assert.are.equal("5-7", spans(quarry.regex("cat"), "cat cat", 2))
    assert.are.equal("5-19", spans(quarry.regex("\\p{Han}+"), "abc 新质生产力"))
  end)

  it("keeps matches on one line unless s", function()
    assert.are.equal("", spans(quarry.regex("a\\s+b"), "a\nb"))
    assert.are.equal("1-3", spans(quarry.regex("a\\s+b", "s"), "a\nb"))
  end)

  it("takes the flags i, F, w, x", function()
    assert.are.equal("1-3 5-7", spans(quarry.regex("CAT", "i"), "cat Cat"))
    assert.are.equal("5-7", spans(quarry.regex("a.c", "F"), "abc a.c"))
    assert.are.equal("1-3", spans(quarry.regex("cat", "w"), "cat cats"))
    assert.are.equal("1-3", spans(quarry.regex("c a t", "x"), "cat"))
    assert.has_error(function() quarry.regex("a", "q") end)
  end)

  it("returns nil, msg, ESYNTAX, position for a bad pattern", function()
    local re, msg, code, pos = quarry.regex("ab(c")
    assert.is_nil(re)
    assert.is_string(msg)
    assert.are.equal("ESYNTAX", code)
    assert.are.equal(5, pos)
  end)

  it("returns nil, msg, ELIMIT from a catastrophic pattern", function()
    local re <close> = assert(quarry.regex("(a+)+$"))
    local s, msg, code = re:find(string.rep("a", 30000) .. "!")
    assert.is_nil(s)
    assert.are.equal("ELIMIT", code)
    assert.truthy(msg:find("(a+)+$", 1, true))
  end)

  it("does not mind invalid UTF-8 in the text", function()
    assert.are.equal("3-5", spans(quarry.regex("cat"), "\xff\xfecat\xc3"))
  end)

  it("raises once closed", function()
    local re = assert(quarry.regex("a"))
    re:close()
    re:close()
    assert.has_error(function() re:find("a") end)
    assert.truthy(tostring(re):find("closed"))
  end)
end)

describe("quarry.grep over files", function()
  it("returns hit records in file and offset order", function()
    local hits = assert(quarry.grep("cat", ROOT .. "/files"))
    assert.are.equal(4, #hits)
    assert.are.same({ source = ROOT .. "/files/a.txt", start = 3, ["end"] = 5, line = 1,
                      line_start = 1, text = "cat", line_text = "a cat" }, hits[1])
    assert.are.equal(3, hits[2].line)
    assert.are.equal(ROOT .. "/files/b/c.txt", hits[4].source)
    assert.are.equal(17, hits[4].start)
  end)

  it("counts, limits and takes a Regex or a path list", function()
    local k = assert(quarry.grep("cat", ROOT .. "/files", { count = true }))
    assert.are.same({ hits = 4, files = 2, bytes = 36 }, k)
    local k2 = assert(quarry.grep("cat", ROOT .. "/files", { count = true, binary = true }))
    assert.are.equal(6, k2.hits)
    assert.are.equal(2, #assert(quarry.grep(quarry.regex("CAT", "i"),
                                            { ROOT .. "/files/a.txt" }, { limit = 2 })))
    assert.are.equal(1, #assert(quarry.grep("^cat", ROOT .. "/files/a.txt", { threads = 1 })))
  end)

  it("streams hits to each, and false stops", function()
    local seen = 0
    local k = assert(quarry.grep("cat", ROOT .. "/files", {
      each = function() seen = seen + 1; if seen == 2 then return false end end }))
    assert.are.equal(2, seen)
    assert.are.equal(2, k.hits)
    assert.has_error(function()
      quarry.grep("cat", ROOT .. "/files", { each = function() error("boom") end })
    end, nil)
  end)

  it("returns nil, msg, code for a missing file and raises on misuse", function()
    local hits, msg, code = quarry.grep("cat", { ROOT .. "/files/a.txt", ROOT .. "/nope" })
    assert.is_nil(hits)
    assert.are.equal("ENOENT", code)
    assert.truthy(msg:find("nope", 1, true))
    -- keep_going: the result, then the error of the files it could not read
    local k, msg2, code2 = quarry.grep("cat", { ROOT .. "/nope", ROOT .. "/files/a.txt" },
                                       { count = true, keep_going = true })
    assert.are.equal(3, k.hits)
    assert.are.equal("ENOENT", code2)
    assert.truthy(msg2:find("nope", 1, true))
    assert.has_error(function() quarry.grep("cat", 42) end)
    assert.has_error(function() quarry.grep("cat", ROOT, { bogus = 1 }) end)
    assert.has_error(function() quarry.grep("cat", ROOT, { filter = "year>1" }) end)
    local r, _, c2, pos = quarry.grep("a(", ROOT)
    assert.is_nil(r)
    assert.are.equal("ESYNTAX", c2)
    assert.are.equal(3, pos)
  end)
end)

describe("quarry.grep over an index", function()
  local PATH = ROOT .. "/ix.quarry"
  setup(function()
    local w <close> = assert(quarry.writer(PATH))
    assert(w:add({ source = "a", text = "The cat sat.\nA concatenation!", fields = { year = 2001 } }))
    assert(w:add({ source = "b", text = "新质生产力 and cats", fields = { year = 2024 } }))
    assert(w:commit())
  end)

  it("gives documents, lines and token spans", function()
    local idx <close> = assert(quarry.open(PATH))
    local hits = assert(quarry.grep("cat", idx))
    assert.are.equal(3, #hits)
    assert.are.same({ source = "a", doc = 1, first = 2, last = 2, start = 5, ["end"] = 7,
                      line = 1, line_start = 1, text = "cat", line_text = "The cat sat." },
                    hits[1])
    assert.are.equal(2, hits[2].line)
    assert.are.equal(6, hits[2].first)
    assert.are.equal(2, hits[3].doc)
    local phrase = assert(quarry.grep("生产力 and", idx))
    assert.are.equal(3, phrase[1].first)
    assert.are.equal(6, phrase[1].last)
  end)

  it("filters by fields and counts", function()
    local idx <close> = assert(quarry.open(PATH))
    local k = assert(quarry.grep("cat", idx, { filter = "year>2010", count = true }))
    assert.are.equal(1, k.hits)
    assert.are.equal(1, k.files)
    local r, _, code = quarry.grep("cat", idx, { filter = "year>" })
    assert.is_nil(r)
    assert.are.equal("ESYNTAX", code)
  end)
end)
