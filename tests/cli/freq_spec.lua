-- End-to-end tests of quarry freq, ngrams, keyness and lexstats over
-- tests/fixtures/freq (hand counts in docs/frequency.md): text, json, csv
-- and md output, groups, stop lists, subcorpora, another index as the
-- reference, and exit status 2 with a clear message for bad input.
local json = require("quarry.json")

local BIN = assert(os.getenv("QUARRY_BIN"), "QUARRY_BIN not set")
local FIX = assert(os.getenv("QUARRY_FIXTURES"), "QUARRY_FIXTURES not set") .. "/freq"
local ART = os.getenv("QUARRY_ARTIFACTS") or "/tmp"
local ROOT = string.format("%s/cli-freq/run-%d-%d", ART, os.time(), math.random(1e6))
local EN, ZH = ROOT .. "/en.quarry", ROOT .. "/zh.quarry"

local function q(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

-- Runs quarry with args; returns exit status, stdout, stderr.
local runner = require "quarry_cli_runner"

local function run(args)
  return runner.run(args)
end

local function ok_json(args)
  local code, out, err = run(args)
  assert.are.equal(0, code, err)
  return json.decode(out)
end

setup(function()
  os.execute("rm -rf " .. q(ROOT) .. " && mkdir -p " .. q(ROOT))
  local code, _, err = run({ "index", FIX .. "/en", FIX .. "/en2", "-i", EN })
  assert(code == 0, err)
  code, _, err = run({ "index", FIX .. "/zh", "-i", ZH })
  assert(code == 0, err)
end)

teardown(function() os.execute("rm -rf " .. q(ROOT)) end)

describe("quarry freq", function()
  it("prints an aligned table with a header line", function()
    local code, out = run({ "freq", "-i", EN, "--top", "3" })
    assert.are.equal(0, code)
    assert.are.equal(table.concat({
      "# 18 tokens in 3 documents; all documents (words)",
      "rank  term  count  per_million  docs",
      "   1  the       4       222222     2",
      "   2  cat       3       166667     2",
      "   3  a         2       111111     1",
      "" }, "\n"), out)
  end)

  it("prints json, csv and md with the same records", function()
    local recs = ok_json({ "freq", "-i", EN, "-f", "json", "--min", "2" })
    assert.are.equal(5, #recs)
    assert.are.same({ rank = 4, term = "dog", count = 2, per_million = 2e6 / 18, docs = 2 }, recs[4])
    local code, out = run({ "freq", "-i", EN, "-f", "csv", "--top", "1" })
    assert.are.equal(0, code)
    assert.are.equal("rank,term,count,per_million,docs\r\n1,the,4,222222,2\r\n", out)
    code, out = run({ "freq", "-i", EN, "-f", "md", "--top", "1", "--unit", "surface" })
    assert.are.equal(0, code)
    assert.are.equal("| rank | term | count | per_million | docs |\n| ---: | --- | ---: | ---: | ---: |\n"
                     .. "| 1 | The | 3 | 166667 | 2 |\n", out)
  end)

  it("groups by a field and a period, with stop words and a filter", function()
    local recs = ok_json({ "freq", "-i", EN, "--by", "date", "--period", "month", "--top", "1",
                           "--stop", "en", "-f", "json" })
    local got = {}
    for _, r in ipairs(recs) do got[#got + 1] = r.group .. "=" .. r.term end
    assert.are.equal("2001-03=cat 2002-07=bark 2002-11=dog", table.concat(got, " "))
    recs = ok_json({ "freq", "-i", EN, "--stop", FIX .. "/stop.txt", "--where", "mat", "-f", "json" })
    assert.are.equal("the", recs[1].term)
    for _, r in ipairs(recs) do assert.are_not.equal("cat", r.term) end
    recs = ok_json({ "freq", "-i", EN, "--filter", "party:Blue", "--punct", "-f", "json" })
    assert.are.equal(".", recs[1].term)
    assert.are.equal(2, recs[1].count)
  end)

  it("counts Chinese words", function()
    local recs = ok_json({ "freq", "-i", ZH, "--min", "2", "-f", "json" })
    local set = {}
    for _, r in ipairs(recs) do set[r.term] = r.count end
    assert.are.equal(2, set["生产力"])
    assert.are.equal(2, set["发展"])
    assert.is_nil(set["发"])
  end)

  it("exits 2 with a message for bad input", function()
    local cases = {
      { { "freq", "-i", EN, "--stop", FIX .. "/missing.txt" }, "missing.txt" },
      { { "freq", "-i", EN, "--stop", FIX .. "/bad_stop.txt" }, "bad_stop.txt:2: not UTF-8" },
      { { "freq", "-i", EN, "--unit", "lemma" }, "invalid value 'lemma'" },
      { { "freq", "-i", EN, "--period", "year" }, "--period needs --by" },
      { { "freq", "-i", EN, "--by", "party", "--period", "year" }, "only be grouped by value" },
      { { "freq", "-i", EN, "--filter", "year>=" }, "filter" },
      { { "freq", "-i", EN, "--where", "\"open" }, "--where" },
      { { "freq", "-i", EN, "--top", "-3" }, "non-negative integer" },
      { { "freq", "-i", ROOT .. "/nothing" }, "no index" },
      { { "freq", "-i", EN, "extra" }, "unexpected argument" },
    }
    for _, c in ipairs(cases) do
      local code, out, err = run(c[1])
      assert.are.equal(2, code, table.concat(c[1], " "))
      assert.are.equal("", out)
      assert.matches(c[2], err, 1, true)
      assert.is_nil(err:find("traceback", 1, true))
    end
  end)
end)

describe("quarry ngrams", function()
  it("counts n-grams within sentences, drops stop-word edges", function()
    local code, out = run({ "ngrams", "-i", EN, "--top", "2" })
    assert.are.equal(0, code)
    assert.are.equal(table.concat({
      "# 12 2-grams, 18 tokens in 3 documents; all documents (words)",
      "rank  ngram    count  per_million  docs",
      "   1  the cat      2       111111     1",
      "   2  a cat        1      55555.6     1",
      "" }, "\n"), out)
    local recs = ok_json({ "ngrams", "-i", EN, "--stop", "en", "-f", "json" })
    assert.are.equal(4, #recs)
    recs = ok_json({ "ngrams", "-i", EN, "-n", "5", "-f", "json" })
    assert.are.equal("cat sat on the mat", recs[1].ngram)
    recs = ok_json({ "ngrams", "-i", EN, "--by", "party", "--top", "1", "-f", "json" })
    assert.are.equal("Blue", recs[1].group)
    assert.are.equal("Red", recs[2].group)
    assert.are.equal("the cat", recs[2].ngram)
    code, _, err = run({ "ngrams", "-i", EN, "-n", "6" })
    assert.are.equal(2, code)
    assert.matches("-n must be 2 to 5", err, 1, true)
  end)
end)

describe("quarry keyness", function()
  it("lists positive then negative keywords against the rest", function()
    local recs = ok_json({ "keyness", "-i", EN, "--target", "year=2001", "--min", "1", "--p", "1",
                           "-f", "json" })
    assert.are.equal(10, #recs)
    assert.are.equal("+", recs[1].direction)
    assert.are.equal("-", recs[10].direction)
    local the
    for _, r in ipairs(recs) do if r.term == "the" then the = r end end
    assert.are.equal(3, the.freq_target)
    assert.are.equal(1, the.freq_reference)
    assert.is_true(math.abs(the.g2 - 1.0465) < 1e-4)
    local code, out = run({ "keyness", "-i", EN, "--target", "year=2001", "--min", "2", "--p", "1",
                            "--measure", "log_ratio" })
    assert.are.equal(0, code)
    assert.matches("^# target year=2001: 9 tokens in 1 document; reference the rest of the index: "
                   .. "9 tokens in 2 documents; log_ratio %(words%)\n", out)
    assert.matches("\n   1  %+    the ", out)
    assert.matches("\n   1  %-    a ", out)
  end)

  it("takes a reference subcorpus or index, csv keeps every measure", function()
    local code, out = run({ "keyness", "-i", EN, "--filter", "year=2001", "--reference-where", "dog",
                            "--min", "2", "--p", "1", "-f", "csv" })
    assert.are.equal(0, code)
    assert.matches("^rank,direction,term,freq_target,freq_reference,per_million_target,"
                   .. "per_million_reference,g2,p,log_ratio,chi2,pct_diff,simple_maths\r\n1,%+,the,3,1,",
                   out)
    local recs = ok_json({ "keyness", "-i", EN, "--reference-index", ZH, "--unit", "terms",
                           "--min", "4", "--p", "1", "-f", "json" })
    assert.are.equal(1, #recs)
    assert.are.equal("the", recs[1].term)
  end)

  it("exits 2 for an empty reference, bad measure, p or query", function()
    local cases = {
      { { "keyness", "-i", EN }, "reference is empty" },
      { { "keyness", "-i", EN, "--target", "year=2001", "--measure", "mi" }, "invalid value 'mi'" },
      { { "keyness", "-i", EN, "--target", "year=2001", "--p", "2" }, "--p expects a number" },
      { { "keyness", "-i", EN, "--target-where", "(dog" }, "--target-where" },
      { { "keyness", "-i", EN, "--target", "a", "--filter", "b" }, "give the target once" },
      { { "keyness", "-i", EN, "--target", "year=1990" }, "target has no counted tokens" },
      { { "keyness", "-i", EN, "--target", "year=2001", "--reference-index", ROOT .. "/none" },
        "no index" },
    }
    for _, c in ipairs(cases) do
      local code, out, err = run(c[1])
      assert.are.equal(2, code, table.concat(c[1], " "))
      assert.are.equal("", out)
      assert.matches(c[2], err, 1, true)
    end
  end)
end)

describe("quarry lexstats", function()
  it("prints documents, or groups with --by", function()
    local code, out = run({ "lexstats", "-i", EN, "--window", "3" })
    assert.are.equal(0, code)
    assert.are.equal(table.concat({
      "# 18 tokens in 3 documents; 10 types, TTR 0.5556, MATTR 0.9444 (window 3), 5 hapax; "
        .. "all documents (words)",
      "doc  label             tokens  types     ttr   mattr  hapax  hapax_ratio",
      "  1  speeches.jsonl:1       9      6  0.6667  0.9524      4       0.6667",
      "  2  speeches.jsonl:2       6      5  0.8333  0.9167      4          0.8",
      "  3  more.jsonl:1           3      3       1       1      3            1",
      "" }, "\n"), out)
    local recs = ok_json({ "lexstats", "-i", EN, "--by", "year", "-f", "json" })
    assert.are.equal(2, #recs)
    assert.are.same({ group = "2002", docs = 2, tokens = 9, types = 7, hapax = 5, ttr = 7 / 9,
                      mattr = (5 / 6 + 1) / 2, hapax_ratio = 5 / 7 }, recs[2])
    code, _, err = run({ "lexstats", "-i", EN, "--window", "0" })
    assert.are.equal(2, code)
    assert.matches("--window", err, 1, true)
  end)
end)
