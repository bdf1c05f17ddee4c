-- End-to-end tests of `quarry plugins` and `quarry report`: plugin
-- discovery through QUARRY_PATH and the user's data directory, report
-- specs (tests/fixtures/specs) and one-off analyses, output files and
-- exit statuses (0; 1 a plugin failed; 2 a bad spec, option or plugin).
local json = require("quarry.json")

local BIN = assert(os.getenv("QUARRY_BIN"), "QUARRY_BIN not set")
local FIX = assert(os.getenv("QUARRY_FIXTURES"), "QUARRY_FIXTURES not set")
local SRC = assert(os.getenv("QUARRY_SOURCE_DIR"), "QUARRY_SOURCE_DIR not set")
local ART = os.getenv("QUARRY_ARTIFACTS") or "/tmp"
local ROOT = string.format("%s/cli-report/run-%d-%d", ART, os.time(), math.random(1e6))

local EXAMPLES = SRC .. "/scripts/examples/plugins"
local BROKEN = FIX .. "/plugins/broken"
local SHADOW = FIX .. "/plugins/shadow"
local SPECS = FIX .. "/specs"
local IDX = ROOT .. "/idx.quarry"
local XDG = ROOT .. "/xdg"

local function q(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

-- Runs quarry with args in a controlled plugin environment (opts.env:
-- more assignments; opts.cwd: directory); returns status, stdout, stderr.
local runner = require "quarry_cli_runner"

local function run(args, opts)
  opts = opts or {}
  return runner.run(args, {
    env = opts.env or ("QUARRY_PATH=" .. q(EXAMPLES .. ":" .. BROKEN .. ":" .. SHADOW)
                       .. " XDG_DATA_HOME=" .. q(XDG)),
    cwd = opts.cwd,
  })
end

local function write(path, content)
  os.execute("mkdir -p " .. q(path:match("^(.*)/")))
  local f = assert(io.open(path, "wb"))
  f:write(content)
  f:close()
end

local function read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

local function esc(s) return (s:gsub("%p", "%%%0")) end

setup(function()
  os.execute("rm -rf " .. q(ROOT))
  write(ROOT .. "/corpus/a.txt", "The cat sat on the mat.\n")
  write(ROOT .. "/corpus/a.json", '{"year": 2001}')
  write(ROOT .. "/corpus/b.txt", "Elephants never forget.\n")
  write(ROOT .. "/corpus/b.json", '{"year": 2003}')
  write(XDG .. "/quarry/plugins/mine.lua", [[
return { api = 1, name = "mine", kind = "analysis", description = "the user's own analysis",
         run = function(ctx) ctx.report:section("Mine"):text("mine ran") end }
]])
  local code, _, err = run({ "index", ROOT .. "/corpus", "-i", IDX })
  assert(code == 0, err)
end)

describe("quarry plugins", function()
  it("lists name, kind, origin and description, broken ones included", function()
    local code, out, err = run({ "plugins" })
    assert.are.equal(0, code, err)
    assert.matches("^NAME%s+KIND%s+ORIGIN%s+DESCRIPTION\n", out)
    assert.matches("\nword%-lengths%s+analysis%s+QUARRY_PATH%s+distribution of word lengths", out)
    assert.matches("\ntsv%s+format%s+QUARRY_PATH%s+the report's tables as tab%-separated values", out)
    assert.matches("\nmine%s+analysis%s+user%s+the user's own analysis", out)
    assert.matches("\njson%s+format%s+builtin%s", out)
    assert.matches("\nwrong%-api%s+broken%s+QUARRY_PATH%s+plugin 'wrong%-api' %(.-%) was written "
                   .. "for plugin API 2; this quarry provides 1", out)
    assert.matches("\nsyntax%-error%s+broken%s+QUARRY_PATH%s+plugin 'syntax%-error' cannot be "
                   .. "loaded: .*syntax%-error%.lua:4:", out)
  end)

  it("lets QUARRY_PATH come first and falls back on HOME", function()
    local env = "QUARRY_PATH=" .. q(SHADOW .. ":" .. EXAMPLES) .. " XDG_DATA_HOME= HOME="
      .. q(ROOT .. "/home")
    write(ROOT .. "/home/.local/share/quarry/plugins/homed.lua", [[
return { api = 1, name = "homed", kind = "format", description = "in HOME",
         render = function() return "" end }
]])
    local code, out, err = run({ "plugins", "--format", "json" }, { env = env })
    assert.are.equal(0, code, err)
    local by = {}
    for _, p in ipairs(json.decode(out)) do by[p.name] = p end
    assert.are.equal(SHADOW .. "/tsv.lua", by.tsv.path)
    assert.are.same({ EXAMPLES .. "/tsv.lua" }, by.tsv.shadows)
    assert.are.equal("user", by.homed.origin)
    assert.are.equal(1, by.homed.api)
    assert.is_nil(by.mine)
  end)

  it("filters by kind", function()
    local code, out = run({ "plugins", "--kind", "format", "-f", "json" })
    assert.are.equal(0, code)
    for _, p in ipairs(json.decode(out)) do
      assert.is_true(p.kind == "format" or p.kind == nil)
    end
  end)

  it("shows one plugin's options", function()
    local code, out, err = run({ "plugins", "word-lengths" })
    assert.are.equal(0, code, err)
    assert.matches("^word%-lengths %(analysis, QUARRY_PATH%)\n", out)
    assert.matches("file: " .. esc(EXAMPLES) .. "/word%-lengths%.lua", out)
    assert.matches("\n%s+max%s+integer%s+10%s+longest length", out)
    code, out = run({ "plugins", "echo", "--format", "json" })
    assert.are.equal(0, code)
    local p = json.decode(out)
    assert.are.equal("echo", p.extension)
    assert.are.same({ "plain", "fancy" }, p.options[5].choices)
  end)

  it("fails with 2 for an unknown or broken plugin", function()
    local code, out, err = run({ "plugins", "nope" })
    assert.are.equal(2, code)
    assert.are.equal("", out)
    assert.matches("^quarry: unknown plugin 'nope' %(known plugins: ", err)
    code, _, err = run({ "plugins", "missing-hook" })
    assert.are.equal(2, code)
    assert.matches("is an analysis but has no 'run' function", err)
  end)
end)

describe("quarry report SPEC.yaml", function()
  it("runs the analyses and writes every format", function()
    -- the output directory is created
    local code, out, err = run({ "report", SPECS .. "/good.yaml", "-i", IDX, "-o",
                                 ROOT .. "/good/out" })
    assert.are.equal(0, code, err)
    assert.are.equal("wrote " .. ROOT .. "/good/out.tsv\nwrote " .. ROOT .. "/good/out.json\n", out)
    local r = json.decode(read(ROOT .. "/good/out.json"))
    assert.are.equal("Word lengths by year", r.title)
    assert.are.equal(IDX, r.provenance.index)
    assert.are.equal(2, r.provenance.documents)
    assert.are.equal("year>=2000", r.params.filter)
    assert.matches("^table\tyear\twords\tmean length\t1\t2\t3\t4%+\n", read(ROOT .. "/good/out.tsv"))
  end)

  it("takes index and output from the spec, relative to its directory", function()
    write(ROOT .. "/specs/s.yaml", "title: From the spec\nindex: ../idx.quarry\noutput: out/s\n"
          .. "analyses: [mine]\nformats: [json, markdown]\n")
    local code, out, err = run({ "report", "specs/s.yaml" }, { cwd = ROOT })
    assert.are.equal(0, code, err)
    assert.are.equal("wrote specs/out/s.json\nwrote specs/out/s.md\n", out)
    local r = json.decode(read(ROOT .. "/specs/out/s.json"))
    assert.are.equal("specs/../idx.quarry", r.provenance.index)
    assert.are.equal("mine ran", r.sections[1].blocks[1].text)
  end)

  it("defaults the output to the spec's name, and -f overrides the formats", function()
    write(ROOT .. "/named/nqpf.yaml", "analyses: [mine]\nformats: [json]\n")
    local code, out, err = run({ "report", ROOT .. "/named/nqpf.yaml", "-i", IDX })
    assert.are.equal(0, code, err)
    assert.are.equal("wrote " .. ROOT .. "/named/nqpf.json\n", out)
    code, out, err = run({ "report", ROOT .. "/named/nqpf.yaml", "-i", IDX, "-f", "tsv",
                           "-f", "markdown" })
    assert.are.equal(0, code, err)
    assert.are.equal("wrote " .. ROOT .. "/named/nqpf.tsv\nwrote " .. ROOT .. "/named/nqpf.md\n",
                     out)
  end)

  it("prints text when the spec has no formats", function()
    write(ROOT .. "/plain.yaml", "title: Plain\nanalyses: [mine]\n")
    local code, out, err = run({ "report", ROOT .. "/plain.yaml", "-i", IDX })
    assert.are.equal(0, code, err)
    assert.matches("^Plain\n", out)
    assert.matches("mine ran", out)
  end)

  -- { fixture, line, column, message pattern }
  local bad = {
    { "bad-yaml", 3, 8, "did not find expected ',' or ']'" },
    { "unknown-key", 3, 1, "unknown key 'fromats' %(known keys: " },
    { "wrong-type", 4, 14, "analyses%[1%]%.options must be a mapping" },
    { "unknown-analysis", 3, 15, "unknown analysis 'word%-length' %(known analyses: .*mine" },
    { "bad-option", 6, 12, "plugin 'word%-lengths': option 'max' must be an integer, got 'many'" },
    { "unknown-option", 4, 34, "plugin 'word%-lengths': unknown option 'colour' %(known options: "
      .. "by, max%)" },
    { "unknown-format", 3, 17, "unknown format 'docx' %(known formats: .*tsv" },
    { "bad-filter", 3, 11, "word%-lengths: subcorpus filter: expected a value after 'year>='" },
  }
  for _, c in ipairs(bad) do
    it("exits 2 for " .. c[1] .. " with line and column", function()
      local path = SPECS .. "/" .. c[1] .. ".yaml"
      local code, out, err = run({ "report", path, "-i", IDX, "-o", ROOT .. "/bad/x" })
      assert.are.equal(2, code, err)
      assert.are.equal("", out)
      assert.matches("^quarry: " .. esc(path) .. ":" .. c[2] .. ":" .. c[3] .. ": " .. c[4], err)
      assert.is_nil(err:find("traceback", 1, true))
    end)
  end

  it("exits 1 when an analysis fails, naming plugin and hook, writing nothing", function()
    local code, out, err = run({ "report", SPECS .. "/failing-analysis.yaml", "-i", IDX, "-o",
                                 ROOT .. "/failing" })
    assert.are.equal(1, code)
    assert.are.equal("", out)
    assert.matches("^quarry: plugin 'runtime%-error', hook 'run': .*runtime%-error%.lua:10: "
                   .. "attempt to index a nil value", err)
    assert.matches("stack traceback:", err)
    assert.is_nil(err:find("internal error", 1, true))
    assert.is_nil(read(ROOT .. "/failing.txt"))
  end)

  it("exits 2 when the output directory cannot be made", function()
    write(ROOT .. "/plainfile", "x")
    local code, out, err = run({ "report", SPECS .. "/good.yaml", "-i", IDX, "-o",
                                 ROOT .. "/plainfile/sub/out" })
    assert.are.equal(2, code)
    assert.are.equal("", out)
    assert.matches("^quarry: cannot create the directory for .*plainfile/sub/out: ", err)
  end)

  it("exits 2 for a missing spec or index", function()
    local code, _, err = run({ "report", ROOT .. "/none.yaml", "-i", IDX })
    assert.are.equal(2, code)
    assert.matches("no such spec", err)
    code, _, err = run({ "report", SPECS .. "/good.yaml", "-i", ROOT .. "/no.quarry" })
    assert.are.equal(2, code)
    assert.matches("no index at", err)
  end)
end)

describe("quarry report --analysis", function()
  it("runs one analysis with typed options to standard output", function()
    local code, out, err = run({ "report", "--analysis", "word-lengths", "--opt", "by=year",
                                 "--opt", "max=3", "-f", "tsv", "-i", IDX })
    assert.are.equal(0, code, err)
    assert.are.equal("year\twords\tmean length\t1\t2\t3+\n"
                     .. "2001\t6\t2.8333333333333\t0\t0.16666666666667\t0.83333333333333\n"
                     .. "2003\t3\t6.6666666666667\t0\t0\t1\n", out)
  end)

  it("prints text without a format", function()
    local code, out, err = run({ "report", "-a", "word-lengths", "--title", "Lengths", "-i", IDX })
    assert.are.equal(0, code, err)
    assert.matches("^Lengths\n", out)
    assert.matches("Word lengths", out)
  end)

  it("writes -o FILE for one format, and replaces its extension for several", function()
    local code, out, err = run({ "report", "-a", "mine", "-f", "json", "-o", ROOT .. "/one.data",
                                 "-i", IDX })
    assert.are.equal(0, code, err)
    assert.are.equal("wrote " .. ROOT .. "/one.data\n", out)
    assert.are.equal("mine ran", json.decode(read(ROOT .. "/one.data")).sections[1].blocks[1].text)
    code, out, err = run({ "report", "-a", "mine", "-f", "json", "-f", "markdown", "-o",
                           ROOT .. "/several.html", "-i", IDX })
    assert.are.equal(0, code, err)
    assert.are.equal("wrote " .. ROOT .. "/several.json\nwrote " .. ROOT .. "/several.md\n", out)
  end)

  it("passes format options with --format-opt", function()
    local code, out, err = run({ "report", "-a", "mine", "-f", "echo", "--format-opt", "width=7",
                                 "--format-opt", "words=x", "--format-opt", "words=y,z", "-i", IDX })
    assert.are.equal(0, code, err)
    assert.matches("\nwidth=7 %(integer%)\n", out)
    assert.matches("\nwords=x,y,z ", out)
    code, _, err = run({ "report", "-a", "mine", "-f", "json", "--format-opt", "width=7", "-i", IDX })
    assert.are.equal(2, code)
    assert.matches("%-%-format%-opt width: no format among json has this option", err)
  end)

  it("applies --filter and --where", function()
    local code, out, err = run({ "report", "-a", "word-lengths", "--opt", "by=year", "-f", "tsv",
                                 "--where", "elephants", "-i", IDX })
    assert.are.equal(0, code, err)
    assert.is_nil(out:find("2001", 1, true))
    assert.matches("\n2003\t", out)
    code, _, err = run({ "report", "-a", "word-lengths", "--where", "(", "-i", IDX })
    assert.are.equal(2, code)
    assert.matches("subcorpus query", err)
  end)

  -- { args, pattern in stderr }
  local bad = {
    { { "report", "-a", "word-lengths", "--opt", "max=abc" },
      "^quarry: plugin 'word%-lengths': option 'max' must be an integer, got 'abc'\n$" },
    { { "report", "-a", "word-lengths", "--opt", "colour=red" },
      "unknown option 'colour' %(known options: by, max%)" },
    { { "report", "-a", "word-lengths", "--opt", "max" }, "%-%-opt expects KEY=VALUE, got 'max'" },
    { { "report", "-a", "word-lengths", "--opt", "max=1", "--opt", "max=2" },
      "%-%-opt max given 2 times" },
    { { "report", "-a", "word-lenghts" }, "unknown analysis 'word%-lenghts' %(known analyses: " },
    { { "report", "-a", "tsv" }, "'tsv' is a format, not an analysis" },
    { { "report", "-a", "mine", "-f", "docx" }, "unknown format 'docx'" },
    { { "report", "-a", "mine", "-f", "json", "-f", "tsv" }, "2 formats need %-o BASE" },
    { { "report" }, "missing SPEC%.yaml or %-%-analysis NAME" },
    { { "report", SPECS .. "/good.yaml", "-a", "mine" }, "give a spec or %-%-analysis, not both" },
    { { "report", SPECS .. "/good.yaml", "--opt", "a=b" }, "%-%-opt needs %-%-analysis" },
  }
  for _, c in ipairs(bad) do
    it("exits 2 for " .. table.concat(c[1], " ", 2), function()
      local args = c[1]
      args[#args + 1] = "-i"
      args[#args + 1] = IDX
      local code, out, err = run(args)
      assert.are.equal(2, code, err)
      assert.are.equal("", out)
      assert.matches(c[2], err)
    end)
  end

  it("exits 2 when an analysis gives up on its input, without a traceback", function()
    local code, out, err = run({ "report", "-a", "gives-up", "--opt", "share=7", "-i", IDX })
    assert.are.equal(2, code)
    assert.are.equal("", out)
    assert.are.equal("quarry: plugin 'gives-up', hook 'run': nothing to show for 7% of the "
                     .. "corpus; give other options\n", err)
  end)

  it("checks the output before opening the index or running anything", function()
    local code, _, err = run({ "report", "-a", "runtime-error", "-f", "json", "-f", "tsv", "-i",
                               ROOT .. "/no.quarry" })
    assert.are.equal(2, code)
    assert.matches("^quarry: 2 formats need %-o BASE", err)
  end)

  it("exits 1 when a format fails", function()
    local code, out, err = run({ "report", "-a", "mine", "-f", "bad-render", "-i", IDX })
    assert.are.equal(1, code)
    assert.are.equal("", out)
    assert.matches("^quarry: plugin 'bad%-render', hook 'render' returned number, not a string", err)
    code, _, err = run({ "report", "-a", "runtime-error", "-i", IDX })
    assert.are.equal(1, code)
    assert.matches("^quarry: plugin 'runtime%-error', hook 'run': ", err)
  end)
end)
