-- End-to-end tests of `quarry grep`: match counts against ripgrep on files
-- written here (English, Chinese, a long line, no final newline, CRLF),
-- output shapes, exit statuses, errors, and scans of an index.
local json = require("quarry.json")

local BIN = assert(os.getenv("QUARRY_BIN"), "QUARRY_BIN not set")
local ART = os.getenv("QUARRY_ARTIFACTS") or "/tmp"
local ROOT = string.format("%s/cli-grep/run-%d-%d", ART, os.time(), math.random(1e6))
local DIR = ROOT .. "/files"

local function q(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

local function sh(cmd)
  local p = assert(io.popen(cmd .. "; echo \"::$?\"", "r"))
  local out = p:read("a")
  p:close()
  local code = tonumber(out:match("::(%d+)\n?$"))
  return code, (out:gsub("::%d+\n?$", ""))
end

-- Runs quarry with args; returns exit status, stdout, stderr.
local function run(args)
  local parts = { q(BIN) }
  for _, a in ipairs(args) do parts[#parts + 1] = q(a) end
  local errfile = os.tmpname()
  local code, out = sh(table.concat(parts, " ") .. " 2>" .. q(errfile) .. " </dev/null")
  local f = assert(io.open(errfile, "rb"))
  local err = f:read("a")
  f:close()
  os.remove(errfile)
  return code, out, err
end

local function write(path, content)
  os.execute("mkdir -p " .. q(path:match("^(.*)/")))
  local f = assert(io.open(path, "wb"))
  f:write(content)
  f:close()
end

local ENGLISH = [[
The General Assembly met in the cat's hall. The delegates spoke of peace.
Sustainable development is the theme; sustainable development goals were set.
Colonization, decolonization and the colour of the flags: color or colour?
The end
  indented line with trailing spaces   
running, jumping and singing in 1945 and 2015; 10,000 people.
THE THE the tHe
]]

local CHINESE = [[
我们要发展新质生产力。新质生产力是创新起主导作用的先进生产力。
The cat 与 the dog 在 2024 年。
联合国大会
]]

local function long_line()
  local parts = {}
  for i = 1, 20000 do parts[i] = (i % 7 == 0) and "cat sat" or "word" .. i end
  return table.concat(parts, " ") .. "\nthe last line\n"
end

setup(function()
  os.execute("rm -rf " .. q(ROOT))
  write(DIR .. "/en.txt", ENGLISH)
  write(DIR .. "/sub/zh.txt", CHINESE)
  write(DIR .. "/sub/long.txt", long_line())
  write(DIR .. "/nofinal.txt", "no final newline here\nThe end")
  write(DIR .. "/crlf.txt", "The cat\r\nthe dog end\r\n\r\nsinging\r\n")
  write(DIR .. "/.hidden.txt", "The cat the cat\n") -- skipped by both tools
  write(DIR .. "/.hdir/x.txt", "The cat\n")
end)

teardown(function()
  os.execute("rm -rf " .. q(ROOT))
end)

describe("quarry grep --count against rg", function()
  local PATTERNS = {
    "the", "The", "sustainable development", "\\bcat\\b", "[A-Z][a-z]+", "\\d+",
    "cat|dog", "^The", "end$", "\\w+ing\\b", "\\p{Han}+", "(?i)the", "colou?r",
    "\\w+ization", "\\s+$", "新质生产力", "^", "[^a-z ]+", "\\b\\w{4}\\b", "t.e",
  }

  it("finds ripgrep (tools/packages.txt lists it)", function()
    local code = sh("command -v rg >/dev/null")
    assert(code == 0, "ripgrep (rg) is not installed: install it (tools/setup.sh, "
      .. "tools/packages.txt) to run the differential tests of quarry grep")
  end)

  for _, pat in ipairs(PATTERNS) do
    it("counts /" .. pat .. "/ as rg -P does", function()
      local code, out = sh("rg --no-ignore --no-config --count-matches --no-filename -P -e "
        .. q(pat) .. " " .. q(DIR))
      assert(code == 0 or code == 1, "rg failed: " .. out)
      local expected = 0
      for n in out:gmatch("(%d+)\n") do expected = expected + tonumber(n) end
      local qcode, qout, qerr = run({ "grep", "--count", pat, DIR })
      assert.are.equal(expected > 0 and 0 or 1, qcode, qerr)
      assert.are.equal(tostring(expected) .. "\n", qout)
    end)
  end

  it("counts fixed strings and case-insensitive words as rg -F / -i -w do", function()
    for _, case in ipairs({
      { { "-F", "cat's" }, { "-F", "cat's" } },
      { { "-F", "(" }, { "-F", "(" } },
      { { "--ignore-case", "-w", "the" }, { "-i", "-w", "the" } },
    }) do
      local rargs = {}
      for _, a in ipairs(case[2]) do rargs[#rargs + 1] = q(a) end
      local _, out = sh("rg --no-ignore --no-config --count-matches --no-filename "
        .. table.concat(rargs, " ") .. " " .. q(DIR))
      local expected = 0
      for n in out:gmatch("(%d+)\n") do expected = expected + tonumber(n) end
      local args = { "grep", "--count" }
      for _, a in ipairs(case[1]) do args[#args + 1] = a end
      args[#args + 1] = DIR
      local _, qout = run(args)
      assert.are.equal(tostring(expected) .. "\n", qout)
    end
  end)
end)

describe("quarry grep output", function()
  it("prints path:line:text once per matching line, files in name order", function()
    local code, out = run({ "grep", "cat", DIR .. "/en.txt", DIR .. "/crlf.txt" })
    assert.are.equal(0, code)
    assert.are.equal(DIR .. "/en.txt:1:The General Assembly met in the cat's hall. "
      .. "The delegates spoke of peace.\n" .. DIR .. "/crlf.txt:1:The cat\r\n", out)
  end)

  it("walks directories in name order and skips hidden entries", function()
    local _, out = run({ "grep", "-l", "The", DIR })
    assert.are.equal(table.concat({ DIR .. "/crlf.txt", DIR .. "/en.txt",
      DIR .. "/nofinal.txt", DIR .. "/sub/zh.txt" }, "\n") .. "\n", out)
  end)

  it("counts per file and highlights only when asked", function()
    local _, out = run({ "grep", "--count-by", "file", "-f", "csv", "cat", DIR })
    assert.are.equal("value,matches\r\n" .. DIR .. "/crlf.txt,1\r\n" .. DIR
      .. "/en.txt,1\r\n" .. DIR .. "/sub/long.txt,2857\r\n" .. DIR .. "/sub/zh.txt,1\r\n", out)
    local _, colored = run({ "grep", "--color", "always", "c.t", DIR .. "/crlf.txt" })
    assert.are.equal(DIR .. "/crlf.txt:1:The \27[1;31mcat\27[0m\r\n", colored)
  end)

  it("limits matching lines per file with --max-count", function()
    local _, out = run({ "grep", "-m", "1", "--count", "cat", DIR .. "/sub/long.txt" })
    assert.are.equal("2857\n", out) -- one line holds them all
    local _, lines = run({ "grep", "-m", "1", "[Tt]he", DIR .. "/en.txt" })
    assert.are.equal(1, select(2, lines:gsub("\n", "")))
  end)

  it("prints JSON records with 1-based inclusive byte spans", function()
    local _, out = run({ "grep", "-f", "json", "新质生产力", DIR .. "/sub/zh.txt" })
    local recs = json.decode(out)
    assert.are.equal(2, #recs)
    assert.are.equal(1, recs[1].line)
    assert.are.equal(16, recs[1].start)
    assert.are.equal(30, recs[1]["end"])
    assert.are.equal("新质生产力", recs[2].text)
  end)

  it("matches across lines only with --dotall", function()
    local _, a = run({ "grep", "--count", "cat.the", DIR .. "/crlf.txt" })
    local _, b = run({ "grep", "--count", "--dotall", "cat\\s+the", DIR .. "/crlf.txt" })
    assert.are.equal("0\n", a)
    assert.are.equal("1\n", b)
  end)
end)

describe("quarry grep errors", function()
  it("exits 1 when nothing matches", function()
    local code, out = run({ "grep", "zebra", DIR })
    assert.are.equal(1, code)
    assert.are.equal("", out)
  end)

  it("puts a caret under a pattern error and exits 2", function()
    local code, out, err = run({ "grep", "ab(c", DIR })
    assert.are.equal(2, code)
    assert.are.equal("", out)
    assert.truthy(err:find("bad pattern", 1, true))
    assert.truthy(err:find("  ab(c\n      ^\n", 1, true))
    assert.falsy(err:find("traceback", 1, true))
  end)

  it("reports an unreadable file, scans the others and exits 2", function()
    local code, out, err = run({ "grep", "--count", "cat", DIR .. "/missing.txt", DIR .. "/en.txt" })
    assert.are.equal(2, code)
    assert.are.equal("1\n", out)
    assert.truthy(err:find("missing.txt", 1, true))
  end)

  it("stops a catastrophic pattern with an error naming it", function()
    write(ROOT .. "/limit/a.txt", string.rep("a", 30000) .. "!\n")
    local code, _, err = run({ "grep", "(a+)+$", ROOT .. "/limit" })
    assert.are.equal(2, code)
    assert.truthy(err:find("(a+)+$", 1, true))
    assert.truthy(err:find("a.txt:1", 1, true))
  end)

  it("rejects bad usage", function()
    assert.are.equal(2, (run({ "grep" })))
    assert.are.equal(2, (run({ "grep", "x", DIR, "-i", ROOT .. "/ix" })))
    assert.are.equal(2, (run({ "grep", "--filter", "year>1", "x", DIR })))
  end)
end)

describe("quarry grep over an index", function()
  local IDX = ROOT .. "/idx.quarry"
  local CORPUS = ROOT .. "/corpus"
  setup(function()
    write(CORPUS .. "/a.txt", "The cat sat.\nA concatenation!\n")
    write(CORPUS .. "/a.json", '{"year": 2001}')
    write(CORPUS .. "/b.txt", "No match.\nNew cats here.\n")
    write(CORPUS .. "/b.json", '{"year": 2020}')
    local code, _, err = run({ "index", CORPUS, "-i", IDX })
    assert(code == 0, err)
  end)

  it("prints source:line:text with lines of the stored text", function()
    local code, out = run({ "grep", "cat", "-i", IDX })
    assert.are.equal(0, code)
    assert.truthy(out:find("a.txt:1:The cat sat.\n", 1, true))
    assert.truthy(out:find("a.txt:2:A concatenation!\n", 1, true))
    assert.truthy(out:find("b.txt:2:New cats here.\n", 1, true))
  end)

  it("honours --filter and counts by a field", function()
    local _, out = run({ "grep", "--count", "cat", "-i", IDX, "--filter", "year>=2010" })
    assert.are.equal("1\n", out)
    local _, by = run({ "grep", "--count-by", "year", "-f", "csv", "cat", "-i", IDX })
    assert.are.equal("value,matches\r\n2001,2\r\n2020,1\r\n", by)
    local code, _, err = run({ "grep", "cat", "-i", IDX, "--filter", "year>" })
    assert.are.equal(2, code)
    assert.truthy(err ~= "")
  end)
end)
