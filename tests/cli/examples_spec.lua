-- The example scripts in scripts/examples/ run through `quarry run` on the
-- fixture corpus (two speeches with sidecar years) and print what a reader
-- can check by hand.
local BIN = assert(os.getenv("QUARRY_BIN"), "QUARRY_BIN not set")
local SRC = assert(os.getenv("QUARRY_SOURCE_DIR"), "QUARRY_SOURCE_DIR not set")
local FIX = assert(os.getenv("QUARRY_FIXTURES"), "QUARRY_FIXTURES not set")
local ART = os.getenv("QUARRY_ARTIFACTS") or "/tmp"

local function q(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

local function run(...)
  local parts = { q(BIN) }
  for _, a in ipairs { ... } do parts[#parts + 1] = q(a) end
  local p = assert(io.popen(table.concat(parts, " ") .. " 2>&1 </dev/null; echo \"::$?\""))
  local out = p:read("a")
  p:close()
  local code = tonumber(out:match("::(%d+)\n?$"))
  return code, (out:gsub("::%d+\n?$", ""))
end

local corpus = FIX .. "/lua/corpus"
local example = SRC .. "/scripts/examples/"

describe("scripts/examples", function()
  it("summary.lua counts the corpus", function()
    local code, out = run("run", example .. "summary.lua", corpus)
    assert.are.equal(0, code)
    assert.truthy(out:find("2 documents, 14 words, 9 types", 1, true))
    assert.truthy(out:match("1%s+the%s+4"))
    assert.falsy(out:find("sidecar", 1, true))
  end)

  it("summary.lua without sources is a usage error", function()
    local code, out = run("run", example .. "summary.lua")
    assert.are.equal(2, code)
    assert.truthy(out:find("usage", 1, true))
  end)

  it("term-by-year.lua counts a term per year and finds its first use", function()
    local index = ("%s/examples-%d-%d.quarry"):format(ART, os.time(), math.random(1e6))
    os.execute("mkdir -p " .. q(ART))
    assert.are.equal(0, (run("index", "--quiet", corpus, "-i", index)))
    local code, out = run("run", example .. "term-by-year.lua", index, "Cat")
    assert.are.equal(0, code)
    assert.truthy(out:find("cat: 3 occurrences in 2 documents", 1, true))
    assert.truthy(out:match("2001%s+1"))
    assert.truthy(out:match("2003%s+2"))
    assert.truthy(out:find("first: year=2001", 1, true))
    assert.truthy(out:find("The cat sat", 1, true))
    code = run("run", example .. "term-by-year.lua", index, "zebra")
    assert.are.equal(1, code)
    code = run("run", example .. "term-by-year.lua", ART .. "/no-such.quarry", "cat")
    assert.are.equal(2, code)
    os.execute("rm -rf " .. q(index))
  end)
end)
