-- End-to-end tests of `quarry colloc`, `quarry dispersion` and `quarry
-- timeline` on tests/fixtures/qanalysis (token table in its README.md):
-- text, json, csv and md output, options, subcorpora and errors.
local json = require("quarry.json")

local BIN = assert(os.getenv("QUARRY_BIN"), "QUARRY_BIN not set")
local FIX = assert(os.getenv("QUARRY_FIXTURES"), "QUARRY_FIXTURES not set") .. "/qanalysis"
local ART = os.getenv("QUARRY_ARTIFACTS") or "/tmp"
local ROOT = string.format("%s/cli-qanalysis/run-%d-%d", ART, os.time(), math.random(1e6))
local IDX = ROOT .. "/idx.quarry"

local function q(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

-- Runs quarry with args; returns exit status, stdout, stderr.
local runner = require "quarry_cli_runner"

local function run(args)
  return runner.run(args, { env = "COLUMNS=120" })
end

local function quarry(...)
  local args = { ... }
  args[#args + 1] = "-i"
  args[#args + 1] = IDX
  return run(args)
end

local function lines(s)
  local t = {}
  for l in s:gmatch("[^\n]+") do t[#t + 1] = l end
  return t
end

setup(function()
  os.execute("rm -rf " .. q(ROOT) .. " && mkdir -p " .. q(ROOT))
  local code, _, err = run({ "index", FIX .. "/full", "-i", IDX })
  assert(code == 0, err)
end)

teardown(function() os.execute("rm -rf " .. q(ROOT)) end)

describe("quarry colloc", function()
  it("prints a header and a ranked table in text", function()
    local code, out, err = quarry("colloc", "node", "-L", "2", "-R", "3", "--min-freq", "1",
                                  "--min-o11", "1", "--sort", "o11")
    assert.are.equal(0, code, err)
    local ls = lines(out)
    assert.matches("^# node: 4 hits in 3 documents of all documents; window 2/3; R1 10, N 25; "
                   .. "7 of 7 collocates by o11$", ls[1])
    assert.matches("^rank%s+collocate%s+o11%s+e11%s+c1%s+left%s+right%s+log_dice%s+mi%s+t%s+g2$",
                   ls[2])
    assert.matches("^%s+1%s+x%s+4%s+4%.4%s+11%s+3%s+1%s", ls[3]) -- e11 = 10 * 11 / 25
    assert.are.equal(9, #ls)
  end)

  it("prints every field in json, csv and md", function()
    local code, out, err = quarry("colloc", "node", "-w", "2", "--min-freq", "3", "--min-o11", "1",
                                  "-f", "json")
    assert.are.equal(0, code, err)
    local r = json.decode(out)
    assert.are.equal(1, #r)
    assert.are.equal("x", r[1].collocate)
    for _, k in ipairs({ "rank", "o11", "e11", "c1", "left", "right", "mi", "mi3", "t", "z", "g2",
                         "p", "p_fisher", "chi2", "dice", "log_dice", "log_ratio" }) do
      assert.is_number(r[1][k], k)
    end
    code, out = quarry("colloc", "node", "--min-freq", "1", "--min-o11", "1", "-f", "csv")
    assert.are.equal(0, code)
    local ls = lines(out:gsub("\r", ""))
    assert.are.equal("rank,collocate,o11,e11,c1,left,right,mi,mi3,t,z,g2,p,p_fisher,chi2,dice,log_dice,"
                     .. "log_ratio", ls[1])
    code, out = quarry("colloc", "node", "-f", "md", "-n", "1")
    assert.are.equal(0, code)
    ls = lines(out)
    assert.are.equal(3, #ls)
    assert.matches("^| rank | collocate |", ls[1])
  end)

  it("takes the subcorpus from --filter and --where, and --sentence", function()
    local _, out = quarry("colloc", "node", "-L", "2", "-R", "3", "--min-freq", "1", "--min-o11",
                          "1", "--filter", "part:in", "-f", "json")
    local c = {}
    for _, r in ipairs(json.decode(out)) do c[r.collocate] = r end
    assert.are.same({ 1, 1 }, { c.x.o11, c.x.c1 })
    _, out = quarry("colloc", "node", "--min-freq", "1", "--min-o11", "1", "--where", "s")
    assert.matches("1 hits in 1 documents of documents with: s", out)
    _, out = quarry("colloc", "node", "-L", "2", "-R", "3", "--min-freq", "1", "--min-o11", "1",
                    "--sentence", "-f", "json")
    for _, r in ipairs(json.decode(out)) do c[r.collocate] = r end
    assert.are.same({ 1, 0 }, { c.v.left, c.v.right })
  end)

  it("rejects bad queries, options and filters with exit 2", function()
    local code, _, err = quarry("colloc", "(node")
    assert.are.equal(2, code)
    assert.matches("bad query", err)
    assert.matches("%^", err)
    code, _, err = quarry("colloc")
    assert.are.equal(2, code)
    assert.matches("missing QUERY", err)
    code, _, err = quarry("colloc", "node", "--sort", "bogus")
    assert.are.equal(2, code)
    assert.matches("invalid value", err)
    code, _, err = quarry("colloc", "node", "-w", "-3")
    assert.are.equal(2, code)
    code, _, err = quarry("colloc", "node", "--filter", "(year=1")
    assert.are.equal(2, code)
    assert.not_matches("traceback", err)
    code, _, err = run({ "colloc", "node", "-i", ROOT .. "/missing" })
    assert.are.equal(2, code)
    assert.matches("no index", err)
  end)
end)

describe("quarry dispersion", function()
  it("prints the measures and one row per document", function()
    local code, out, err = quarry("dispersion", "node")
    assert.are.equal(0, code, err)
    local ls = lines(out)
    assert.matches("^# node: 4 hits in 25 tokens of all documents$", ls[1])
    assert.matches("^# documents: 5; range 3; Juilland's D 0%.%d+; Gries' DP 0%.4000 %(normalized "
                   .. "0%.4348%)$", ls[2])
    assert.matches("^part%s+doc%s+label%s+start%s+tokens%s+hits%s+per_million$", ls[3])
    assert.matches("^%s+1%s+1%s+corpus%.jsonl:1%s+1%s+8%s+2%s+250000$", ls[4])
    assert.are.equal(8, #ls)
  end)

  it("cuts parts, prints positions, and json holds everything", function()
    local code, out = quarry("dispersion", "node", "--parts", "5", "-f", "csv")
    assert.are.equal(0, code)
    local ls = lines(out:gsub("\r", ""))
    assert.are.equal("part,doc,label,start,tokens,hits,per_million,range,juilland_d,gries_dp,"
                     .. "gries_dp_norm", ls[1])
    assert.are.equal(6, #ls)
    code, out = quarry("dispersion", "node", "--positions")
    assert.are.equal(0, code)
    ls = lines(out)
    assert.matches("^%s+1%s+0%.08$", ls[2])
    assert.matches("^%s+4%s+0%.96$", ls[5])
    code, out = quarry("dispersion", "node", "-f", "json", "--filter", "part:in")
    assert.are.equal(0, code)
    local r = json.decode(out)
    assert.are.same({ 3, 14, 3, 3 }, { r.hits, r.tokens, #r.parts, #r.positions })
    assert.are.equal("documents", r.unit)
    assert.is_number(r.measures.gries_dp)
  end)

  it("rejects impossible parts with exit 2", function()
    local code, _, err = quarry("dispersion", "node", "--parts", "26")
    assert.are.equal(2, code)
    assert.matches("26 parts", err)
    code = quarry("dispersion", "node", "--parts", "0")
    assert.are.equal(2, code)
    code = quarry("dispersion", "node", "x")
    assert.are.equal(2, code)
  end)
end)

describe("quarry timeline", function()
  it("prints a wide table in text with zero periods and first/last occurrences", function()
    local code, out, err = quarry("timeline", "node", "s")
    assert.are.equal(0, code, err)
    local ls = lines(out)
    assert.are.equal("# hits per year of date; all documents", ls[1])
    assert.matches("^date%s+node%s+s%s+documents%s+tokens$", ls[2])
    assert.matches("^2020%s+2%s+0%s+1%s+8$", ls[3]) -- the full stop is no token
    assert.matches("^2021%s+2%s+2%s+3%s+", ls[4])
    assert.matches("^2023%s+0%s+0%s+1%s+6$", ls[5])
    assert.matches("^query%s+hits%s+docs%s+first%s+last$", ls[6])
    assert.matches("^node%s+4%s+3%s+2020 corpus%.jsonl:1 @3%s+2021 corpus%.jsonl:2 @4$", ls[7])
    assert.matches("^s%s+2%s+2%s+2021 corpus%.jsonl:5 @1%s+2021 corpus%.jsonl:3 @3$", ls[8])
    code, out = quarry("timeline", "node", "--show", "share", "--period", "month")
    assert.are.equal(0, code)
    assert.matches("2021%-06%s+1%.000", out)
    assert.matches("2021%-07%s+0%.000", out)
  end)

  it("prints the long table in csv and md, and everything in json", function()
    local code, out = quarry("timeline", "node", "s", "-f", "csv", "--by", "year")
    assert.are.equal(0, code)
    local ls = lines(out:gsub("\r", ""))
    assert.are.equal("period,query,hits,per_million,docs,docs_total,share,tokens", ls[1])
    assert.are.equal(7, #ls)
    assert.matches("^2021,s,2,", ls[5])
    code, out = quarry("timeline", "node", "-f", "md", "--filter", "part:in")
    assert.are.equal(0, code)
    assert.are.equal(4, #lines(out))
    code, out = quarry("timeline", "node", "-f", "json")
    assert.are.equal(0, code)
    local r = json.decode(out)
    assert.are.same({ "date", "year", 3, 3 }, { r.by, r.period, #r.records, #r.periods })
    assert.are.same({ "node", 3, "2021-06-01" }, { r.queries[1].query, r.queries[1].first_position,
                                                    r.queries[1].last_value })
  end)

  it("rejects fields without periods, bad queries and missing queries with exit 2", function()
    local code, _, err = quarry("timeline", "node", "--by", "part")
    assert.are.equal(2, code)
    assert.matches("part", err)
    assert.not_matches("traceback", err)
    code, _, err = quarry("timeline", "node", "(")
    assert.are.equal(2, code)
    assert.matches("bad query", err)
    code = quarry("timeline")
    assert.are.equal(2, code)
    code = quarry("timeline", "node", "--period", "week")
    assert.are.equal(2, code)
  end)
end)
