-- End-to-end tests of the index commands: quarry index, info, check, rm,
-- optimize, on a small corpus written here (so files can be changed and
-- deleted), plus a busy lock and a corrupted segment.
local json = require("quarry.json")

local BIN = assert(os.getenv("QUARRY_BIN"), "QUARRY_BIN not set")
local ART = os.getenv("QUARRY_ARTIFACTS") or "/tmp"
local ROOT = string.format("%s/cli-index/run-%d-%d", ART, os.time(), math.random(1e6))

local function q(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

-- Runs quarry with args (opts.env: prefix assignments, opts.cwd: directory);
-- returns exit status, stdout, stderr.
local runner = require "quarry_cli_runner"

local function run(args, opts)
  return runner.run(args, opts)
end

local function write(path, content)
  os.execute("mkdir -p " .. q(path:match("^(.*)/")))
  local f = assert(io.open(path, "wb"))
  f:write(content)
  f:close()
end

local CORPUS = ROOT .. "/corpus"
local IDX = ROOT .. "/idx.quarry"

local SPEECHES = {
  { "1790.txt", 1790, "Federalist", "Fellow-Citizens of the Senate and House of Representatives." },
  { "1862.txt", 1862, "Republican", "The dogmas of the quiet past are inadequate to the stormy present." },
  { "1941.txt", 1941, "Democratic", "We look forward to a world founded upon four essential freedoms." },
  { "2010.txt", 2010, "Democratic", "Our union is strong. We do not quit." },
}

setup(function()
  os.execute("rm -rf " .. q(ROOT))
  for _, s in ipairs(SPEECHES) do
    write(CORPUS .. "/" .. s[1], s[4] .. "\n")
    write(CORPUS .. "/" .. s[1]:gsub("%.txt$", ".json"),
          string.format('{"year": %d, "party": "%s"}', s[2], s[3]))
  end
end)

local function index_json(extra)
  local args = { "index", CORPUS, "-i", IDX, "--format", "json" }
  for _, a in ipairs(extra or {}) do args[#args + 1] = a end
  local code, out, err = run(args)
  assert.are.equal(0, code, err)
  return json.decode(out), err
end

describe("quarry index", function()
  it("builds an index and prints a summary", function()
    local code, out, err = run({ "index", CORPUS, "-i", IDX })
    assert.are.equal(0, code, err)
    assert.is_truthy(out:find("index " .. IDX:gsub("%p", "%%%0") .. ": generation"), out)
    assert.is_truthy(out:find("added%s+4"), out)
    assert.is_truthy(out:find("documents%s+4"), out)
    assert.is_truthy(out:find("skipped 4 files %(sidecar 4%)"), out)
    -- stderr is not a terminal: no progress bar
    assert.is_nil(err:find("\r", 1, true))
  end)

  it("leaves everything unchanged on a second run (json summary)", function()
    local r = index_json()
    assert.are.equal(0, r.added)
    assert.are.equal(4, r.unchanged)
    assert.are.equal(0, r.replaced)
    assert.are.equal(4, r.documents)
    assert.are.equal(4, r.read)
    assert.is_number(r.generation)
    assert.is_number(r.segments)
    assert.is_number(r.seconds)
    assert.is_number(r.mb)
    assert.are.equal(4, r.skipped)
    assert.are.equal(0, r.errors)
    assert.are.equal(0, r.warnings)
  end)

  it("replaces a modified file", function()
    write(CORPUS .. "/2010.txt", "Our union is strong. We do not give up.\n")
    local r = index_json()
    assert.are.equal(1, r.replaced)
    assert.are.equal(3, r.unchanged)
    assert.are.equal(4, r.documents)
  end)

  it("prunes documents of deleted files with --prune", function()
    os.remove(CORPUS .. "/1862.txt")
    os.remove(CORPUS .. "/1862.json")
    local r = index_json()
    assert.are.equal(4, r.documents) -- without --prune the document stays
    r = index_json({ "--prune" })
    assert.are.equal(1, r.pruned)
    assert.are.equal(1, r.deleted)
    assert.are.equal(3, r.documents)
    assert.are.equal(3, r.unchanged)
  end)

  it("reports per-file errors on stderr and still commits", function()
    write(CORPUS .. "/broken.json", '{"text": "unfinished')
    local code, out, err = run({ "index", CORPUS, "-i", IDX })
    assert.are.equal(0, code, err)
    assert.is_truthy(err:find("quarry: error: .*broken%.json"), err)
    assert.is_truthy(out:find("1 error, 0 warnings"), out)
    os.remove(CORPUS .. "/broken.json")
  end)

  it("exits 2 for missing sources and usage errors", function()
    local code, _, err = run({ "index", ROOT .. "/nope", "-i", IDX })
    assert.are.equal(2, code)
    assert.is_truthy(err:find("nope"), err)
    code, _, err = run({ "index", "-i", IDX })
    assert.are.equal(2, code)
    assert.is_truthy(err:find("missing SOURCES"), err)
    code, _, err = run({ "index", CORPUS, "-i", IDX, "--memory", "lots" })
    assert.are.equal(2, code)
    assert.is_truthy(err:find("%-%-memory"), err)
    code, _, err = run({ "index", CORPUS, "-i", IDX, "--case-sensitive" })
    assert.are.equal(2, code) -- differs from how the index was built
    assert.is_truthy(err:find("EINVAL"), err)
  end)

  it("uses QUARRY_INDEX, else ./.quarry, which a later 'index .' does not read", function()
    local dir = ROOT .. "/cwd"
    write(dir .. "/a.txt", "alpha beta\n")
    write(dir .. "/b.txt", "gamma\n")
    local code, out, err = run({ "index", ".", "--format", "json" }, { cwd = dir })
    assert.are.equal(0, code, err)
    assert.are.equal(2, json.decode(out).added)
    code, out, err = run({ "index", ".", "--format", "json" }, { cwd = dir })
    assert.are.equal(0, code, err)
    local r = json.decode(out)
    assert.are.equal(2, r.unchanged)
    assert.are.equal(0, r.added)
    assert.are.equal(0, r.errors)
    code, out = run({ "info", "--format", "json" }, { cwd = dir })
    assert.are.equal(0, code)
    assert.are.equal(2, json.decode(out).documents)
    code, out = run({ "info", "--format", "json" }, { env = "QUARRY_INDEX=" .. q(IDX) })
    assert.are.equal(0, code)
    assert.are.equal(3, json.decode(out).documents)
  end)
end)

describe("quarry index on a terminal", function()
  -- script(1) runs the command under a pseudo-terminal
  local has_script = os.execute("command -v script >/dev/null 2>&1")

  local function on_tty(args)
    local parts = { q(BIN) }
    for _, a in ipairs(args) do parts[#parts + 1] = q(a) end
    local p = assert(io.popen("script -qec " .. q(table.concat(parts, " ")) .. " /dev/null </dev/null"))
    local out = p:read("a")
    p:close()
    return out
  end

  it("draws a progress bar on stderr, unless --quiet", function()
    if not has_script then return end
    local tty = ROOT .. "/tty.quarry"
    local out = on_tty({ "index", CORPUS, "-i", tty })
    assert.is_truthy(out:find("\rindexing: %d+ docs"), out)
    assert.is_truthy(out:find("MB/s"), out)
    assert.is_truthy(out:find("added%s+3"), out)
    out = on_tty({ "index", CORPUS, "-i", tty, "--quiet" })
    assert.is_nil(out:find("indexing:"), out)
    assert.is_nil(out:find("added"), out)
  end)
end)

describe("quarry info", function()
  it("prints documents, tokens, types, segments, sizes and fields", function()
    local code, out, err = run({ "info", "-i", IDX })
    assert.are.equal(0, code, err)
    assert.is_truthy(out:find("documents%s+3"), out)
    assert.is_truthy(out:find("tokens%s+%d+"), out)
    assert.is_truthy(out:find("types%s+%d+"), out)
    assert.is_truthy(out:find("segments%s+%d+"), out)
    assert.is_truthy(out:find("format%s+1"), out)
    assert.is_truthy(out:find("postings"), out)
    assert.is_truthy(out:find("year%s+integer%s+3%s+3%s+1790 %.%. 2010"), out)
    assert.is_truthy(out:find("tokenizer: defaults"), out)
  end)

  it("prints json", function()
    local code, out = run({ "info", "-i", IDX, "--format", "json" })
    assert.are.equal(0, code)
    local r = json.decode(out)
    assert.are.equal(3, r.documents)
    assert.is_true(r.tokens > 20)
    assert.is_true(r.types > 10)
    assert.is_true(r.segments >= 1)
    assert.are.equal(1, r.format_version)
    assert.is_true(r.bytes_total > 0)
    assert.is_number(r.bytes.terms)
    local by = {}
    for _, f in ipairs(r.fields) do by[f.name] = f end
    assert.are.equal("integer", by.year.type)
    assert.are.equal(1790, by.year.min)
    assert.are.equal("string", by.party.type)
  end)

  it("exits 2 for a missing index", function()
    local code, out, err = run({ "info", "-i", ROOT .. "/missing.quarry" })
    assert.are.equal(2, code)
    assert.are.equal("", out)
    assert.is_truthy(err:find("no index at"), err)
    assert.is_nil(err:find("traceback"))
  end)
end)

describe("quarry check", function()
  it("passes a sound index", function()
    local code, out, err = run({ "check", "-i", IDX })
    assert.are.equal(0, code, err)
    assert.is_truthy(out:find("^ok: "), out)
  end)

  it("exits 2 for a missing index", function()
    local code, _, err = run({ "check", "-i", ROOT .. "/missing.quarry" })
    assert.are.equal(2, code)
    assert.is_truthy(err:find("no index at"), err)
  end)
end)

describe("quarry rm", function()
  it("removes by source", function()
    local code, out, err = run({ "rm", CORPUS .. "/1790.txt", "-i", IDX })
    assert.are.equal(0, code, err)
    assert.is_truthy(out:find("removed 1 document from"), out)
    assert.is_truthy(out:find("2 left"), out)
  end)

  it("removes every source under a directory prefix", function()
    local sub = CORPUS .. "/sub"
    write(sub .. "/x.txt", "x one\n")
    write(sub .. "/y.txt", "y two\n")
    local code, _, err = run({ "index", sub, "-i", IDX, "-q" })
    assert.are.equal(0, code, err)
    local out
    code, out, err = run({ "rm", sub .. "/", "-i", IDX })
    assert.are.equal(0, code, err)
    assert.is_truthy(out:find("removed 2 documents"), out)
    os.execute("rm -rf " .. q(sub))
  end)

  it("exits 1 when nothing matches", function()
    local code, out, err = run({ "rm", CORPUS .. "/nothing.txt", "-i", IDX })
    assert.are.equal(1, code)
    assert.is_truthy(out:find("removed 0 documents"), out)
    assert.is_truthy(err:find("no document with source"), err)
  end)

  it("removes by field filter", function()
    local code, out, err = run({ "rm", "--where", "year<2000 party:Democratic", "-i", IDX,
                                 "--format", "json" })
    assert.are.equal(0, code, err)
    local r = json.decode(out)
    assert.are.equal(1, r.removed)
    assert.are.equal(1, r.documents)
  end)

  it("shows where a filter fails to parse", function()
    local code, _, err = run({ "rm", "--where", "year>=", "-i", IDX })
    assert.are.equal(2, code)
    assert.is_truthy(err:find("position 7"), err) -- messages count from 1
    assert.is_truthy(err:find("year>=\n%s+%^"), err)
  end)

  it("needs SOURCE or --where, and an existing index", function()
    assert.are.equal(2, (run({ "rm", "-i", IDX })))
    local code, _, err = run({ "rm", "x", "-i", ROOT .. "/missing.quarry" })
    assert.are.equal(2, code)
    assert.is_truthy(err:find("no index at"), err)
  end)
end)

describe("quarry optimize", function()
  it("merges into one segment", function()
    index_json() -- brings the removed documents back, in new segments
    local code, out, err = run({ "optimize", "-i", IDX, "--format", "json" })
    assert.are.equal(0, code, err)
    local r = json.decode(out)
    assert.are.equal(1, r.segments)
    assert.are.equal(3, r.documents)
    code, out = run({ "info", "-i", IDX, "--format", "json" })
    assert.are.equal(0, code)
    r = json.decode(out)
    assert.are.equal(1, r.segments)
    assert.are.equal(0, r.deleted)
    assert.are.equal(0, (run({ "check", "-i", IDX })))
  end)
end)

describe("a second writer", function()
  it("fails with a clear error naming the holder", function()
    local script = ROOT .. "/hold.lua"
    local ready = ROOT .. "/hold.ready"
    write(script, string.format([[
local quarry = require "quarry"
local w = assert(quarry.writer(%q))
local f = assert(io.open(%q, "w")); f:write("ready"); f:close()
io.read("a")
w:close()
]], IDX, ready))
    os.remove(ready)
    local holder = assert(io.popen(q(BIN) .. " run " .. q(script) .. " >/dev/null 2>&1", "w"))
    local t0 = os.time()
    while not io.open(ready, "r") do
      assert(os.time() - t0 < 20, "the lock holder did not start")
      os.execute("sleep 0.05")
    end
    local code, _, err = run({ "index", CORPUS, "-i", IDX })
    local code2, _, err2 = run({ "rm", CORPUS .. "/2010.txt", "-i", IDX })
    holder:close() -- EOF on its stdin: it releases the lock and exits
    assert.are.equal(2, code)
    assert.is_truthy(err:find("busy"), err)
    assert.is_truthy(err:find("pid"), err)
    assert.are.equal(2, code2)
    assert.is_truthy(err2:find("busy"), err2)
    -- and it works again once the lock is gone
    assert.are.equal(0, (run({ "index", CORPUS, "-i", IDX, "-q" })))
  end)
end)

describe("a corrupted index", function()
  it("is named by check, which exits non-zero", function()
    local bad = ROOT .. "/bad.quarry"
    os.execute("cp -r " .. q(IDX) .. " " .. q(bad))
    -- the largest file is a segment: flip bytes in its middle
    local p = assert(io.popen("ls -S " .. q(bad) .. " | head -n 1"))
    local name = p:read("l")
    p:close()
    local path = bad .. "/" .. name
    local f = assert(io.open(path, "r+b"))
    local size = f:seek("end")
    f:seek("set", size // 2)
    local chunk = f:read(16)
    f:seek("set", size // 2)
    f:write((chunk:gsub(".", function(c) return string.char(c:byte() ~ 0xff) end)))
    f:close()
    local code, out, err = run({ "check", "-i", bad })
    assert.are.equal(2, code, out)
    assert.are.equal("", out)
    assert.is_truthy(err:find(name, 1, true), err)
    assert.is_truthy(err:find("ECORRUPT"), err)
  end)
end)

describe("quarry --help", function()
  it("lists the index commands", function()
    local code, out = run({ "--help" })
    assert.are.equal(0, code)
    for _, c in ipairs({ "index", "info", "check", "rm", "optimize" }) do
      assert.is_truthy(out:find("\n  " .. c .. " "), c)
    end
    assert.is_truthy(out:find("QUARRY_INDEX"))
    code, out = run({ "help", "index" })
    assert.are.equal(0, code)
    assert.is_truthy(out:find("%-%-prune"))
    assert.is_truthy(out:find("%-%-memory SIZE"))
  end)
end)
