-- End to end: `quarry report --analysis key-terms` on tests/fixtures/keyterms
-- (nine yearly addresses, 2014-2022; counts by hand in
-- tests/lua/analysis_plugins_spec.lua): the files written, the JSON read
-- back, the terminal text, options from the command line and errors.
local json = require("quarry.json")

local BIN = assert(os.getenv("QUARRY_BIN"), "QUARRY_BIN not set")
local FIX = assert(os.getenv("QUARRY_FIXTURES"), "QUARRY_FIXTURES not set") .. "/keyterms"
local ART = os.getenv("QUARRY_ARTIFACTS") or "/tmp"
local ROOT = string.format("%s/cli-key-terms/run-%d-%d", ART, os.time(), math.random(1e6))
local IDX = ROOT .. "/fx.quarry"

local function q(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

-- Runs quarry with args; returns exit status, stdout, stderr.
local runner = require "quarry_cli_runner"

local function run(args)
  return runner.run(args, { env = "COLUMNS=120" })
end

local function report(...)
  local args = { "report", "--analysis", "key-terms", "-i", IDX }
  for _, a in ipairs({ ... }) do args[#args + 1] = a end
  return run(args)
end

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

local function section(data, title)
  for _, s in ipairs(data.sections) do
    if s.title == title then return s end
  end
  error("no section " .. title)
end

setup(function()
  os.execute("rm -rf " .. q(ROOT) .. " && mkdir -p " .. q(ROOT))
  local code, _, err = run({ "index", FIX .. "/corpus", "-i", IDX })
  assert(code == 0, err)
end)

teardown(function() os.execute("rm -rf " .. q(ROOT)) end)

describe("quarry report --analysis key-terms", function()
  it("is listed by quarry plugins with its options", function()
    local code, out = run({ "plugins" })
    assert.are.equal(0, code)
    assert.truthy(out:find("\nkey%-terms +analysis +builtin"))
    code, out = run({ "plugins", "key-terms" })
    assert.are.equal(0, code)
    for _, o in ipairs({ "terms", "by", "period", "recent", "top", "window" }) do
      assert.truthy(out:find(o, 1, true), o)
    end
  end)

  it("writes HTML, Markdown and JSON; the JSON reads back as the report", function()
    local base = ROOT .. "/out/fx-key-terms"
    local code, out, err = report("--format", "html", "--format", "markdown", "--format", "json",
                                  "-o", base)
    assert.are.equal(0, code, err)
    for _, ext in ipairs({ "html", "md", "json" }) do
      assert.truthy(out:find("wrote " .. base .. "." .. ext, 1, true), ext)
    end
    local data = json.decode(read(base .. ".json"))
    assert.are.equal("quarry.report/1", data.schema)
    assert.is_true(require("quarry.report").validate(data))
    assert.are.same({ "broadband", "pandemic", "cycling", "climate" },
                    data.provenance.options["key-terms.terms"])
    assert.are.equal(7, #data.sections)
    local first = {}
    for _, r in ipairs(section(data, "First appearance").blocks[1].rows) do
      first[r.term] = r.period
    end
    assert.are.same({ broadband = "2018", pandemic = "2020", cycling = "2019",
                      climate = "2016" }, first)
    local html = read(base .. ".html")
    assert.truthy(html:find('data-kind="line"', 1, true))
    assert.truthy(html:find('data-kind="dispersion"', 1, true))
    assert.truthy(read(base .. ".md"):find("## First appearance", 1, true))
  end)

  it("takes terms, by and top from --opt", function()
    local code, out, err = report("--opt", "terms=pandemic", "--opt", "terms=climate",
                                  "--opt", "by=year", "--opt", "top=1", "--format", "json")
    assert.are.equal(0, code, err)
    local data = json.decode(out)
    assert.are.same({ "pandemic", "climate" }, data.provenance.queries)
    local tops = section(data, "Top documents").blocks[1].rows
    assert.are.equal(2, #tops)
    assert.are.same({ "pandemic", "Address 2020", 4 }, { tops[1].term, tops[1].document,
                                                        tops[1].hits })
  end)

  it("prints the text report on the terminal", function()
    local code, out, err = report("--opt", "terms=pandemic")
    assert.are.equal(0, code, err)
    assert.truthy(out:find("First appearance", 1, true))
    assert.truthy(out:find("[pandemic]", 1, true))
  end)

  it("keeps to --filter", function()
    local code, out, err = report("--opt", "terms=climate", "--filter", "year>=2019",
                                  "--format", "json")
    assert.are.equal(0, code, err)
    local data = json.decode(out)
    assert.are.equal("2019", section(data, "Overview").blocks[3].rows[1].first)
  end)

  it("fails cleanly (exit 2, no traceback) on an unknown field or a bad term", function()
    local code, out, err = report("--opt", "by=date")
    assert.are.equal(2, code)
    assert.are.equal("", out)
    assert.truthy(err:find("plugin 'key-terms', hook 'run': option 'by': the index has no "
                           .. "field 'date' (fields: year, title)", 1, true), err)
    assert.is_nil(err:find("traceback", 1, true))
    code, _, err = report("--opt", "terms=a AND (")
    assert.are.equal(2, code)
    assert.truthy(err:find("term 'a AND ('", 1, true), err)
    code, _, err = report("--opt", "top=many")
    assert.are.equal(2, code)
    assert.truthy(err:find("option 'top' must be an integer", 1, true), err)
  end)
end)
