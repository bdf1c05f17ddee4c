-- End-to-end tests of `quarry dict` on the corpus and dictionaries of
-- tests/fixtures/dict: counts per document and per --by field checked
-- against hand-computed values, --all-matches, --filter, every --format,
-- --lint, and bad input (exit 2).
local json = require("quarry.json")

local BIN = assert(os.getenv("QUARRY_BIN"), "QUARRY_BIN not set")
local FIX = assert(os.getenv("QUARRY_FIXTURES"), "QUARRY_FIXTURES not set") .. "/dict"
local ART = os.getenv("QUARRY_ARTIFACTS") or "/tmp"
local ROOT = string.format("%s/cli-dict/run-%d-%d", ART, os.time(), math.random(1e6))
local IDX = ROOT .. "/idx.quarry"

local function q(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

-- Runs quarry with args; returns exit status, stdout, stderr.
local runner = require "quarry_cli_runner"

local function run(args)
  return runner.run(args, { env = "QUARRY_INDEX=" })
end

local ECON = FIX .. "/econ.yml"
local C = FIX .. "/corpus/"

setup(function()
  os.execute("rm -rf " .. q(ROOT) .. " && mkdir -p " .. q(ROOT))
  local code, _, err = run({ "index", FIX .. "/corpus", "-i", IDX })
  assert(code == 0, err)
end)

teardown(function() os.execute("rm -rf " .. q(ROOT)) end)

describe("quarry dict", function()
  -- Hand-counted (docs/dictionaries.md walks through 2001a.txt):
  -- 2001a "Tax cuts and new taxes. The economy grows."
  --   longest: [tax cuts] fiscal+economy, taxes fiscal, economy economy
  --   all: tax fiscal, tax cuts fiscal, tax cuts economy, taxes, economy
  -- 2001b "Economic policy: tax cuts, tax cuts!"
  -- 2002 "新质生产力 and the economy. No taxation without representation."
  it("counts per document and category", function()
    local code, out, err = run({ "dict", ECON, "-i", IDX })
    assert.are.equal(0, code, err)
    local w = #(C .. "2001a.txt")
    local function line(a, b, c, d, e)
      return string.format("%-" .. w .. "s  %6s  %7s  %10s  %5s", a, b, c, d, e)
    end
    assert.are.equal(table.concat({
      line("document", "fiscal", "economy", "innovation", "total"),
      line(C .. "2001a.txt", 2, 2, 0, 4),
      line(C .. "2001b.txt", 2, 3, 0, 5),
      line(C .. "2002.txt", 1, 1, 1, 3),
    }, "\n") .. "\n", out)
  end)

  it("prints JSON that parses back, with --all-matches", function()
    local code, out, err = run({ "dict", ECON, "-i", IDX, "--all-matches", "--format", "json" })
    assert.are.equal(0, code, err)
    local rows = json.decode(out)
    assert.are.equal(3, #rows)
    local by = {}
    for _, r in ipairs(rows) do by[r.document:match("[^/]+$")] = r end
    assert.are.same({ document = C .. "2001a.txt", fiscal = 3, economy = 2, innovation = 0,
                      total = 5 }, by["2001a.txt"])
    assert.are.same({ document = C .. "2001b.txt", fiscal = 4, economy = 3, innovation = 0,
                      total = 7 }, by["2001b.txt"])
    assert.are.same({ document = C .. "2002.txt", fiscal = 1, economy = 1, innovation = 1,
                      total = 3 }, by["2002.txt"])
  end)

  it("sums per field value with --by", function()
    local code, out, err = run({ "dict", ECON, "-i", IDX, "--by", "year", "-f", "json" })
    assert.are.equal(0, code, err)
    assert.are.same({
      { year = 2001, documents = 2, fiscal = 4, economy = 5, innovation = 0, total = 9 },
      { year = 2002, documents = 1, fiscal = 1, economy = 1, innovation = 1, total = 3 },
    }, json.decode(out))
    code, out = run({ "dict", ECON, "-i", IDX, "--by", "party", "-f", "csv" })
    assert.are.equal(0, code)
    assert.are.equal("party,documents,fiscal,economy,innovation,total\r\n"
                     .. "Blue,1,2,3,0,5\r\nRed,2,3,3,1,7\r\n", out)
  end)

  it("filters documents by field", function()
    local code, out, err = run({ "dict", ECON, "-i", IDX, "--filter", "party:Red", "-f", "md" })
    assert.are.equal(0, code, err)
    assert.are.equal(table.concat({
      "| document | fiscal | economy | innovation | total |",
      "| --- | ---: | ---: | ---: | ---: |",
      "| " .. C .. "2001a.txt | 2 | 2 | 0 | 4 |",
      "| " .. C .. "2002.txt | 1 | 1 | 1 | 3 |",
    }, "\n") .. "\n", out)
    code, out, err = run({ "dict", ECON, "-i", IDX, "--filter", "year=1 AND" })
    assert.are.equal(2, code)
    assert.are.equal("", out)
    assert.matches("^quarry: .*\n  year=1 AND\n            %^\n$", err)
  end)

  it("lints, exit 1 when an entry can never match", function()
    local code, out = run({ "dict", FIX .. "/lint.yml", "--lint", "-i", IDX })
    assert.are.equal(1, code)
    assert.are.equal(table.concat({
      FIX .. "/lint.yml: entry 2: error: 'tax.*' (category 'fiscal') can never match: the glob "
        .. "'tax.*' spans a token boundary (filled in, it is 3 tokens, and a glob matches "
        .. "within one token)",
      FIX .. "/lint.yml: entry 3: warning: 'zebra' (category 'fiscal') matches no term of the index",
      FIX .. "/lint.yml: entry 5: warning: 'zebra' (category 'economy') matches no term of the index",
      FIX .. "/lint.yml: entry 5: warning: 'zebra' is in category 'economy' and also in 'fiscal': "
        .. "a match counts for both",
      "5 entries checked against " .. IDX .. ", 4 issues",
    }, "\n") .. "\n", out)
    code, out = run({ "dict", ECON, "--lint", "-i", IDX, "-f", "json" })
    assert.are.equal(0, code)
    assert.are.same({}, json.decode(out))
  end)

  it("reports a bad dictionary as FILE:LINE:COLUMN, exit 2", function()
    local code, out, err = run({ "dict", FIX .. "/bad.yml", "-i", IDX })
    assert.are.equal(2, code)
    assert.are.equal("", out)
    assert.are.equal("quarry: " .. FIX .. "/bad.yml:5:6: category 'tax' must be a list of "
                     .. "patterns or a mapping of subcategories, got a number\n", err)
    code, _, err = run({ "dict", ROOT .. "/missing.yml", "-i", IDX })
    assert.are.equal(2, code)
    assert.matches("missing.yml", err, 1, true)
    assert.matches("ENOENT", err, 1, true)
  end)

  it("rejects usage errors and a missing index with exit 2", function()
    local code, _, err = run({ "dict" })
    assert.are.equal(2, code)
    assert.matches("missing the dictionary file", err, 1, true)
    code, _, err = run({ "dict", ECON, "extra", "-i", IDX })
    assert.are.equal(2, code)
    assert.matches("unexpected argument 'extra'", err, 1, true)
    code, _, err = run({ "dict", ECON, "-i", ROOT .. "/nope" })
    assert.are.equal(2, code)
    assert.matches("no index at", err, 1, true)
    assert.is_nil(err:find("traceback"))
  end)
end)
