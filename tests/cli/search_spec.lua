-- End-to-end tests of `quarry search` on tests/fixtures/search (the token
-- positions of its documents are listed at the top of
-- tests/lua/search_spec.lua): concordance lines, counts, output formats,
-- sorting, context units, filters, labels, --explain, --dict and the exit
-- statuses.
local json = require("quarry.json")

local BIN = assert(os.getenv("QUARRY_BIN"), "QUARRY_BIN not set")
local FIX = assert(os.getenv("QUARRY_FIXTURES"), "QUARRY_FIXTURES not set") .. "/search"
local ART = os.getenv("QUARRY_ARTIFACTS") or "/tmp"
local ROOT = string.format("%s/cli-search/run-%d-%d", ART, os.time(), math.random(1e6))
local IDX = ROOT .. "/idx.quarry"
local DICT = FIX .. "/econ.yml"

local function q(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

-- Runs quarry with args (stdout is a pipe, so never a terminal); returns
-- exit status, stdout, stderr.
local runner = require "quarry_cli_runner"

local function run(args)
  return runner.run(args, { env = "COLUMNS=120" })
end

-- quarry search QUERY -i IDX extra...
local function search(query, ...)
  local args = { "search" }
  if query then args[#args + 1] = query end
  for _, a in ipairs({ ... }) do args[#args + 1] = a end
  args[#args + 1] = "-i"
  args[#args + 1] = IDX
  return run(args)
end

local function lines(s)
  local t = {}
  for l in s:gmatch("[^\n]+") do t[#t + 1] = l end
  return t
end

-- The hits of a --format json run as "doc:first" strings, in output order.
local function order(query, ...)
  local code, out, err = search(query, "--format", "json", ...)
  assert.are.equal(0, code, err)
  local t = {}
  for _, r in ipairs(json.decode(out)) do t[#t + 1] = r.doc .. ":" .. r.first end
  return t
end

setup(function()
  os.execute("rm -rf " .. q(ROOT) .. " && mkdir -p " .. q(ROOT))
  local code, _, err = run({ "index", FIX .. "/corpus", "-i", IDX })
  assert(code == 0, err)
end)

teardown(function() os.execute("rm -rf " .. q(ROOT)) end)

describe("quarry search", function()
  it("prints one concordance line per hit, aligned on the bracketed hit", function()
    local code, out, err = search("tax")
    assert.are.equal(0, code, err)
    assert.are.equal("", err)
    local ls = lines(out)
    assert.are.equal(3, #ls)
    -- label, position, left context, [hit], right context (8 tokens a side)
    local expected = {
      { "english.jsonl:1", 1, "", "Tax", " reform now. We cut the tax on" },
      { "english.jsonl:1", 8, "Tax reform now. We cut the", "tax", " on work. New quality forces grow." },
      { "english.jsonl:3", 2, "No", "tax", " today. The Party met and the party" },
    }
    local column
    for i, l in ipairs(ls) do
      local label, pos, left, hit, right = l:match("^(%S+)%s+(%d+)  (.-)%[(.-)%](.*)$")
      assert.is_truthy(label, l)
      local e = expected[i]
      assert.are.equal(e[1], label)
      assert.are.equal(e[2], tonumber(pos))
      assert.are.equal(e[3], (left:gsub("^%s+", ""):gsub("%s+$", "")))
      assert.are.equal(e[4], hit)
      assert.are.equal(e[5], right)
      column = column or l:find("[", 1, true)
      assert.are.equal(column, l:find("[", 1, true), "hits are aligned")
    end
    assert.is_nil(out:find("\27", 1, true)) -- no colour on a pipe
  end)

  it("highlights with --color always", function()
    local code, out = search("=Party", "--color", "always")
    assert.are.equal(0, code)
    assert.is_truthy(out:find("\27[1;31mParty\27[0m", 1, true), out)
    assert.is_nil(out:find("[Party]", 1, true))
  end)

  it("finds Chinese across a line break", function()
    local code, out = search("新质生产力")
    assert.are.equal(0, code)
    local ls = lines(out)
    assert.are.equal(4, #ls)
    assert.is_truthy(ls[3]:find("^zh%.jsonl:2%s+5 .*%[新质生产 力%]"), ls[3])
  end)

  it("--count prints exactly one line with the number of hits", function()
    local code, out = search("tax*", "--count")
    assert.are.equal(0, code)
    assert.are.equal("5\n", out)
    code, out = search("新质生产力", "--count")
    assert.are.equal(0, code)
    assert.are.equal("4\n", out)
    code, out = search("tax*", "--count", "--filter", "year>=2001")
    assert.are.equal(0, code)
    assert.are.equal("3\n", out)
  end)

  it("--count-by year prints a table with a total", function()
    local code, out, err = search("tax*", "--count-by", "year")
    assert.are.equal(0, code, err)
    local ls = lines(out)
    assert.are.equal(5, #ls)
    assert.are.same({ "year", "hits", "documents" }, { ls[1]:match("^(%S+)%s+(%S+)%s+(%S+)$") })
    local rows = {}
    for i = 2, 5 do rows[#rows + 1] = { ls[i]:match("^(%S+)%s+(%d+)%s+(%d+)$") } end
    assert.are.same({ { "1990", "2", "1" }, { "2001", "2", "1" }, { "2015", "1", "1" },
                      { "total", "5", "3" } }, rows)
    code, out = search("tax*", "--count-by", "year", "--format", "json")
    assert.are.equal(0, code)
    assert.are.same({ { value = 1990, hits = 2, docs = 1 }, { value = 2001, hits = 2, docs = 1 },
                      { value = 2015, hits = 1, docs = 1 } }, json.decode(out))
  end)

  it("--count-by source counts per file, --count-by party shows (none)", function()
    local code, out = search("tax OR 新质生产力", "--count-by", "source")
    assert.are.equal(0, code)
    local ls = lines(out)
    assert.are.equal(4, #ls)
    assert.is_truthy(ls[2]:find("english%.jsonl%s+3%s+2$"), ls[2])
    assert.is_truthy(ls[3]:find("zh%.jsonl%s+4%s+2$"), ls[3])
    assert.is_truthy(ls[4]:find("^total%s+7%s+4$"), ls[4])
    code, out = search("tax OR 新质生产力", "--count-by", "party")
    assert.are.equal(0, code)
    ls = lines(out)
    assert.is_truthy(ls[2]:find("^Red%s+3%s+2$"), ls[2])
    assert.is_truthy(ls[3]:find("^%(none%)%s+4%s+2$"), ls[3])
  end)

  it("--format json has every field", function()
    local code, out, err = search("tax", "--format", "json")
    assert.are.equal(0, code, err)
    local rows = json.decode(out)
    assert.are.equal(3, #rows)
    -- "Tax reform now. We cut the tax on work.": tax(8) is bytes 28-30
    assert.are.same({ doc = 1, label = "english.jsonl:1", first = 8, last = 8, start = 28,
                      ["end"] = 30, left = "Tax reform now. We cut the ", hit = "tax",
                      right = " on work. New quality forces grow." }, rows[2])
    assert.are.same({ 3, 2, 2, 4, 6, "No ", "tax" },
                    { rows[3].doc, rows[3].first, rows[3].last, rows[3].start, rows[3]["end"],
                      rows[3].left, rows[3].hit })
  end)

  it("--format csv has a header and one row per hit", function()
    local code, out = search("tax*", "--format", "csv")
    assert.are.equal(0, code)
    local ls = lines(out:gsub("\r\n", "\n")) -- RFC 4180 line ends
    assert.is_nil(out:find("[^\r]\n"))
    assert.are.equal("doc,label,first,last,start,end,left,hit,right", ls[1])
    assert.are.equal(6, #ls)
    assert.is_truthy(ls[5]:find("^2,english%.jsonl:2,8,8,34,41,"), ls[5])
  end)

  it("--format md prints a table", function()
    local code, out = search("tax", "--format", "md")
    assert.are.equal(0, code)
    local ls = lines(out)
    assert.are.equal(5, #ls)
    assert.is_truthy(ls[1]:find("^| doc | label | first |"), ls[1])
    assert.is_truthy(ls[2]:find("^| %-%-%-:"), ls[2])
    assert.is_truthy(ls[5]:find("| 3 | english.jsonl:3 | 2 |", 1, true), ls[5])
  end)

  it("--sort orders by the context or a field", function()
    -- preceding tokens, nearest first: (none) 1:1, (none) 2:1, "for" 2:8,
    -- "no" 3:2, "the" 1:8
    assert.are.same({ "1:1", "2:1", "2:8", "3:2", "1:8" }, order("tax*", "--sort", "left"))
    -- following tokens: "." 2:8, "are" 2:1, "on" 1:8, "reform" 1:1, "today" 3:2
    assert.are.same({ "2:8", "2:1", "1:8", "1:1", "3:2" }, order("tax*", "--sort", "right"))
    -- party: Blue (doc 2) < Green (doc 4) < Red (docs 1, 3); none last
    assert.are.same({ "2:5", "4:17", "1:1", "1:2", "1:8", "3:2", "5:1" },
                    order("tax OR reform OR 新质生产力", "--sort", "party", "--limit", "7"))
    assert.are.same({ "1:1", "1:2", "1:8", "2:5", "3:2", "4:17" }, order("tax OR reform", "--sort", "year"))
    local code, out = search("新质生产力 OR party", "--sort", "year", "--label", "year")
    assert.are.equal(0, code)
    local years = {}
    for _, l in ipairs(lines(out)) do years[#years + 1] = l:match("^(%d+) ") end
    assert.are.same({ "2015", "2015", "2023", "2023", "2024", "2024" }, years)
  end)

  it("--limit prints at most N lines, after sorting", function()
    assert.are.same({ "1:1", "1:8" }, order("tax*", "--limit", "2"))
    assert.are.same({ "2:8", "2:1" }, order("tax*", "--sort", "right", "--limit", "2"))
    local code, out = search("tax*", "--limit", "0")
    assert.are.equal(1, code)
    assert.are.equal("", out)
  end)

  it("--chars N and --sentence change the context", function()
    local code, out = search("tax", "--chars", "5", "--format", "json")
    assert.are.equal(0, code)
    local rows = json.decode(out)
    assert.are.same({ "", "Tax", " refo" }, { rows[1].left, rows[1].hit, rows[1].right })
    assert.are.same({ " the ", "tax", " on w" }, { rows[2].left, rows[2].hit, rows[2].right })
    code, out = search("tax", "--sentence", "--format", "json")
    assert.are.equal(0, code)
    rows = json.decode(out)
    assert.are.same({ "", "Tax", " reform now." }, { rows[1].left, rows[1].hit, rows[1].right })
    assert.are.same({ "We cut the ", "tax", " on work." }, { rows[2].left, rows[2].hit, rows[2].right })
    assert.are.same({ "No ", "tax", " today." }, { rows[3].left, rows[3].hit, rows[3].right })
    code, out = search("tax", "--sentence")
    assert.are.equal(0, code)
    assert.is_truthy(lines(out)[2]:find("We cut the [tax] on work.", 1, true))
    code, out = search("tax", "-C", "1", "--format", "json")
    assert.are.equal(0, code)
    assert.are.same({ "the ", " on" }, { json.decode(out)[2].left, json.decode(out)[2].right })
  end)

  it("--filter keeps the matching documents", function()
    assert.are.same({ "2:1", "2:8" }, order("tax*", "--filter", "party=Blue"))
    assert.are.same({ "2:1", "2:8", "3:2" }, order("tax*", "--filter", "year>=2001 year<2020"))
    local code, out = search("tax*", "--filter", "party=Nobody")
    assert.are.equal(1, code)
    assert.are.equal("", out)
  end)

  it("exits 2 with a caret for a --filter that does not parse", function()
    for _, extra in ipairs({ {}, { "--count" }, { "--count-by", "year" } }) do
      local code, out, err = search("tax", "--filter", "(year", table.unpack(extra))
      assert.are.equal(2, code, err)
      assert.are.equal("", out)
      assert.is_nil(err:find("traceback", 1, true), err)
      assert.is_truthy(err:find("\n  %(year\n       %^"), err)
    end
  end)

  it("--label FIELD labels lines with the field", function()
    local code, out = search("tax", "--label", "year")
    assert.are.equal(0, code)
    local labels = {}
    for _, l in ipairs(lines(out)) do labels[#labels + 1] = l:match("^(%S+)") end
    assert.are.same({ "1990", "1990", "2015" }, labels)
    code, out = search("tax", "--label", "party", "--format", "json")
    assert.are.equal(0, code)
    assert.are.equal("Red", json.decode(out)[3].label)
  end)

  it("--explain prints the parsed query without an index", function()
    local code, out, err = run({ "search", '"new" []{0,2} "forces" within s', "--explain",
                                 "-i", ROOT .. "/no-such.quarry" })
    assert.are.equal(0, code, err)
    assert.are.equal('(within s (seq (tok 1 1 phrase (norm= "new")) (tok 0 2) '
                     .. '(tok 1 1 phrase (norm= "forces"))))\n', out)
    code, out = run({ "search", "(tax* OR /colou?r/i) year>=2001", "--explain" })
    assert.are.equal(0, code)
    assert.are.equal('(and (or (wild "tax*") (regex/i "colou?r")) (filter "year>=2001"))\n', out)
  end)

  it("--dict FILE searches the dictionary's matches, with their category", function()
    local code, out, err = search(nil, "--dict", DICT)
    assert.are.equal(0, code, err)
    assert.are.equal(7, #lines(out)) -- tax* 5, econom* 2
    code, out = search(nil, "--dict", DICT, "--format", "json")
    assert.are.equal(0, code)
    local cats = {}
    for _, r in ipairs(json.decode(out)) do cats[#cats + 1] = r.doc .. ":" .. r.first .. " " .. r.category end
    assert.are.same({ "1:1 fiscal", "1:8 fiscal", "2:1 fiscal", "2:8 fiscal", "3:2 fiscal",
                      "4:2 growth", "4:4 growth" }, cats)
    code, out = search(nil, "--dict", DICT, "--count")
    assert.are.equal(0, code)
    assert.are.equal("7\n", out)
    code = search("tax", "--dict", DICT)
    assert.are.equal(2, code)
    local err2
    code, _, err2 = search(nil, "--dict", ROOT .. "/missing.yml")
    assert.are.equal(2, code)
    assert.is_truthy(err2:find("missing.yml", 1, true), err2)
  end)

  it("exits 1 when nothing matches", function()
    local code, out, err = search("zebra")
    assert.are.equal(1, code)
    assert.are.equal("", out)
    assert.are.equal("", err)
    code, out = search("zebra", "--count")
    assert.are.equal(1, code)
    assert.are.equal("0\n", out)
    code = search("/COLOU?R/") -- normalized terms are lower case
    assert.are.equal(1, code)
  end)

  it("exits 2 for a bad query, echoing it with a caret under the error", function()
    local code, out, err = search("tax (reform")
    assert.are.equal(2, code)
    assert.are.equal("", out)
    assert.are.equal("  tax (reform\n      ^\n", err:sub(1, #"  tax (reform\n      ^\n"))
    assert.is_truthy(err:find("bad query: expected ')'", 1, true), err)
    -- the caret counts columns: CJK characters are two wide
    code, out, err = search("新质生产力 OR")
    assert.are.equal(2, code)
    assert.is_truthy(err:find("  新质生产力 OR\n" .. string.rep(" ", 2 + 11) .. "^\n", 1, true), err)
    assert.is_truthy(err:find("bad query: OR needs an operand", 1, true), err)
    code, _, err = search("tax", "--explain")
    assert.are.equal(0, code, err)
    code, _, err = run({ "search", "NOT tax", "--explain" })
    assert.are.equal(2, code)
    assert.is_truthy(err:find("  NOT tax\n  ^\n", 1, true), err)
  end)

  it("exits 2 for a missing index, --chars with --sentence, two arguments", function()
    local code, out, err = run({ "search", "tax", "-i", ROOT .. "/no-such.quarry" })
    assert.are.equal(2, code)
    assert.are.equal("", out)
    assert.is_truthy(err:find("no index", 1, true), err)
    code, _, err = search("tax", "--chars", "5", "--sentence")
    assert.are.equal(2, code)
    assert.is_truthy(err:find("--chars and --sentence", 1, true), err)
    code, _, err = search("tax", "reform")
    assert.are.equal(2, code)
    assert.is_truthy(err:find("unexpected argument 'reform'", 1, true), err)
    code = search(nil)
    assert.are.equal(2, code)
    code = search("tax", "--limit", "-1")
    assert.are.equal(2, code)
  end)

  it("reports a damaged index as an input error (exit 2), never an internal one", function()
    -- flip 200 bytes at nine places of the segment file in turn: whatever part
    -- they hit, a search gives its answer (the part was not read) or exit 2
    local dir = ROOT .. "/damaged.quarry"
    local seen2 = false
    for k = 1, 9 do
      os.execute("rm -rf " .. q(dir) .. " && cp -r " .. q(IDX) .. " " .. q(dir))
      local p = assert(io.popen("ls " .. q(dir) .. "/*.qseg"))
      local seg = p:read("l")
      p:close()
      local f = assert(io.open(seg, "r+b"))
      local size = f:seek("end")
      local at = math.floor(size * k / 10)
      f:seek("set", at)
      local bytes = f:read(200)
      f:seek("set", at)
      f:write((bytes:gsub(".", function(c) return string.char(c:byte() ~ 0x5a) end)))
      f:close()
      for _, query in ipairs({ '"new quality"', "NEAR/3(tax, reform)", '[norm="tax*"] []{0,2} "reform"' }) do
        local code, _, err = run({ "search", query, "--count", "-i", dir })
        assert.is_true(code == 0 or code == 1 or code == 2, query .. ": exit " .. tostring(code) .. "\n" .. err)
        assert.is_nil(err:find("internal error", 1, true), err)
        if code == 2 then
          seen2 = true
          assert.truthy(err:find(dir, 1, true), err) -- the message names the file
        end
      end
    end
    assert.is_true(seen2, "no damage was ever detected")
  end)
end)

