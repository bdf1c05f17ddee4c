-- End-to-end tests of quarry statements: the fixture article
-- (tests/fixtures/dates/article.txt) read from files and from an index built
-- here, the formats, the options and the errors.
local json = require("quarry.json")

local BIN = assert(os.getenv("QUARRY_BIN"), "QUARRY_BIN not set")
local FIX = assert(os.getenv("QUARRY_FIXTURES"), "QUARRY_FIXTURES not set") .. "/dates"
local ART = os.getenv("QUARRY_ARTIFACTS") or "/tmp"
local ROOT = string.format("%s/cli-statements/run-%d-%d", ART, os.time(), math.random(1e6))
local ARTICLE = FIX .. "/article.txt"
local IDX = ROOT .. "/idx.quarry"
local NOTE = ROOT .. "/corpus/note.txt"

local function q(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

-- Runs quarry with args; returns exit status, stdout, stderr.
local runner = require "quarry_cli_runner"

local function run(args)
  return runner.run(args)
end

local function write(path, content)
  os.execute("mkdir -p " .. q(path:match("^(.*)/")))
  local f = assert(io.open(path, "wb"))
  f:write(content)
  f:close()
end

local TERMS = "green productive forces, new quality productive forces,新质生产力,innovat*"

-- The article's statements in date order (date, inferred, terms).
local EXPECTED = {
  { "2022", false, "" },
  { "2023-03", false, "green productive forces" },
  { "2023-06-05", false, "green productive forces" },
  { "2023-06-06", true, "innovat*" },
  { "2023-11-20", false, "new quality productive forces; innovat*" },
  { "2024-01-15", false, "新质生产力" },
  { "2024-01-16", true, "" },
  { "2024-02-02", false, "" },
  { "2024-03-05", false, "green productive forces" },
  { "2024-05-20", false, "" },
  { "2030", false, "" },
}

setup(function()
  os.execute("rm -rf " .. q(ROOT))
  write(NOTE, "On March 5 the green productive forces plan was announced.\n")
  write(NOTE:gsub("%.txt$", ".json"), '{"date": "2023-01-10"}')
  write(ROOT .. "/corpus/article.json", '{"date": "2024-05-20"}')
  os.execute("cp " .. q(ARTICLE) .. " " .. q(ROOT .. "/corpus/article.txt"))
  local code, _, err = run({ "index", ROOT .. "/corpus", "-i", IDX, "-q" })
  assert(code == 0, err)
end)

teardown(function() os.execute("rm -rf " .. q(ROOT)) end)

describe("quarry statements FILE", function()
  it("prints the article's statements in date order as json", function()
    local code, out, err = run({ "statements", ARTICLE, "--terms", TERMS, "-f", "json" })
    assert.are.equal(0, code, err)
    local r = json.decode(out)
    assert.are.equal(#EXPECTED, #r)
    for i, want in ipairs(EXPECTED) do
      assert.are.equal(want[1], r[i].date, "record " .. i)
      assert.are.equal(want[2], r[i].inferred, "record " .. i)
      assert.are.equal(want[3], r[i].terms, "record " .. i)
      assert.are.equal(1, r[i].doc)
      assert.are.equal("article.txt", r[i].label)
    end
    assert.are.equal("2023-11-21", r[5]["until"])
    assert.are.equal(json.null, r[1]["until"])
    assert.matches("^From November 20 to 21, 2023, the Economic Work Conference", r[5].sentence)
  end)

  it("prints text blocks: date, terms, then the sentence", function()
    local code, out = run({ "statements", ARTICLE, "--terms", TERMS })
    assert.are.equal(0, code)
    local lines = {}
    for l in out:gmatch("[^\n]+") do lines[#lines + 1] = l end
    assert.are.equal("# 11 dated statements, in date order; * year inferred", lines[1])
    assert.are.equal("2022", lines[2])
    assert.matches("^    In 2022, the output", lines[3])
    assert.are.equal("2023-06-06*  [innovat*]", lines[8])
    assert.are.equal("2023-11-20/2023-11-21  [new quality productive forces; innovat*]", lines[10])
    assert.are.equal(23, #lines)
  end)

  it("writes csv and markdown with every column", function()
    local code, out = run({ "statements", ARTICLE, "-f", "csv", "--order", "document" })
    assert.are.equal(0, code)
    local first = out:match("^[^\r\n]+")
    assert.are.equal("date,precision,inferred,until,doc,label,start,end,terms,dates,sentence", first)
    -- false is an empty cell, as in every csv of quarry
    assert.matches("\r\n2024%-05%-20,day,,,1,article.txt,106,174,,2024%-05%-20,Publisher:", out)
    assert.matches("\r\n2023%-06%-06,day,true,,1,", out)
    code, out = run({ "statements", ARTICLE, "-f", "md", "--with-terms", "--terms", TERMS })
    assert.are.equal(0, code)
    local rows = 0
    for _ in out:gmatch("\n| 20") do rows = rows + 1 end
    assert.are.equal(6, rows)
    assert.matches("^| date | precision |", out)
  end)

  it("takes a reference date, numeric orders, each date and no bare years", function()
    local one = ROOT .. "/one.txt"
    write(one, "On March 5 we met. On 09/07/2023 and 10/07/2023 we met again. In 2020 it began.\n")
    local code, out = run({ "statements", one, "-f", "json", "--reference-date", "2019-12-31" })
    assert.are.equal(0, code)
    local r = json.decode(out)
    assert.are.equal(2, #r)
    -- the year that puts March 5 closest to the reference; a year sorts
    -- before its days
    assert.are.equal("2020", r[1].date)
    assert.are.equal("2020-03-05", r[2].date)
    assert.is_true(r[2].inferred)
    code, out = run({ "statements", one, "-f", "json", "--numeric", "dmy", "--each-date",
                      "--no-years" })
    r = json.decode(out)
    assert.are.equal(0, code)
    assert.are.equal(2, #r)
    assert.are.equal("2023-07-09", r[1].date)
    assert.are.equal("2023-07-10", r[2].date)
    assert.are.equal("2023-07-09; 2023-07-10", r[2].dates)
  end)

  it("labels statements of several files", function()
    local code, out = run({ "statements", ARTICLE, NOTE, "--reference-date", "2021" })
    assert.are.equal(0, code)
    assert.matches("\n2021%-03%-05%*  note%.txt\n", out)
    assert.matches("\n2024%-05%-20  article%.txt\n", out)
  end)

  it("rejects bad options and unreadable input with status 2", function()
    local code, _, err = run({ "statements", ARTICLE, "--reference-date", "2024-13-01" })
    assert.are.equal(2, code)
    assert.matches("%-%-reference%-date", err)
    code, _, err = run({ "statements", ARTICLE, "--query", "stressed" })
    assert.are.equal(2, code)
    assert.matches("%-%-query works on an index", err)
    code, _, err = run({ "statements", ROOT .. "/missing.txt" })
    assert.are.equal(2, code)
    assert.matches("missing%.txt", err)
    code, _, err = run({ "statements", ARTICLE, "--order", "size" })
    assert.are.equal(2, code)
    code, _, err = run({ "statements", ARTICLE, "--terms", " , " })
    assert.are.equal(2, code)
    assert.matches("no term", err)
    assert.is_nil(err:find("traceback"))
  end)
end)

describe("quarry statements -i INDEX", function()
  it("lists the statements of every document with labels", function()
    local code, out, err = run({ "statements", "-i", IDX, "-f", "json", "--terms", TERMS })
    assert.are.equal(0, code, err)
    local r = json.decode(out)
    assert.are.equal(12, #r)
    assert.are.equal("2023-03-05", r[3].date)
    assert.are.equal("note.txt", r[3].label)
    assert.is_true(r[3].inferred)
  end)

  it("keeps sentences with a hit of --query, in a --filter subcorpus", function()
    local code, out = run({ "statements", "-i", IDX, "-f", "json", "--query", "stressed",
                            "--filter", "date>=2024" })
    assert.are.equal(0, code)
    local dates = {}
    for i, s in ipairs(json.decode(out)) do dates[i] = s.date end
    assert.are.same({ "2023-06-05", "2023-06-06", "2023-11-20", "2024-03-05" }, dates)
    code, out = run({ "statements", "-i", IDX, "--where", "announced" })
    assert.are.equal(0, code)
    assert.are.equal("# 1 dated statement, in date order; * year inferred\n2023-03-05*  note.txt\n"
                     .. "    On March 5 the green productive forces plan was announced.\n", out)
  end)

  it("reports bad queries, filters and indexes with status 2", function()
    local code, _, err = run({ "statements", "-i", IDX, "--query", "(stressed" })
    assert.are.equal(2, code)
    assert.matches("bad query", err)
    code, _, err = run({ "statements", "-i", IDX, "--filter", "date>" })
    assert.are.equal(2, code)
    code, _, err = run({ "statements", "-i", ROOT .. "/nothing" })
    assert.are.equal(2, code)
    assert.matches("no index at", err)
    code, _, err = run({ "statements", "-i", IDX, "--no-cjk-words" })
    assert.are.equal(2, code)
    assert.matches("tokenizer options", err)
    assert.is_nil(err:find("traceback"))
  end)
end)
