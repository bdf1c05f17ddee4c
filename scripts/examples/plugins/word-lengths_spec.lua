-- The spec of the example plugins word-lengths (analysis) and tsv (format),
-- as a third party would write it: only quarry's public API, a corpus made
-- here, the plugins found through a loader searching this directory (as
-- QUARRY_PATH would). Run: busted scripts/examples/plugins (ctest
-- lua.examples).
local quarry = require "quarry"
local plugins = require "quarry.plugins"
local report = require "quarry.report"

local HERE = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
local ART = os.getenv("QUARRY_ARTIFACTS") or os.getenv("TMPDIR") or "/tmp"
local INDEX = string.format("%s/examples-plugins/run-%d-%d.quarry", ART, os.time(),
                            math.random(1e6))

local function sh(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local loader = plugins.loader({ path = { HERE }, user_dir = false })

setup(function()
  os.execute("mkdir -p " .. sh(INDEX:match("^(.*)/")))
  local w <close> = assert(quarry.writer(INDEX))
  -- word lengths: a 1, cat 3, sat 3 | elephants 9, run 3 | 新质生产力 (one
  -- word or several, as the tokenizer splits it) | no words at all
  assert(w:add({ source = "en1", text = "A cat sat.", fields = { year = 2001 } }))
  assert(w:add({ source = "en2", text = "Elephants run!", fields = { year = 2002 } }))
  assert(w:add({ source = "zh", text = "新质生产力。", fields = { year = 2024 } }))
  assert(w:add({ source = "punct", text = "... !!! —", fields = {} }))
  assert(w:commit())
end)

teardown(function() os.execute("rm -rf " .. sh(INDEX)) end)

local function run(options, subcorpus)
  local idx <close> = assert(quarry.open(INDEX))
  local r = assert(report.run(idx, {
    title = "Word lengths",
    analyses = { { analysis = "word-lengths", options = options, subcorpus = subcorpus } },
  }, { plugins = loader }))
  return r
end

local function rows_by_group(r)
  local t = {}
  for _, row in ipairs(r.sections[1].blocks[1].rows) do t[row.group] = row end
  return t
end

describe("word-lengths", function()
  it("is found, listed and valid", function()
    local found
    for _, p in ipairs(loader:list("analysis")) do
      if p.name == "word-lengths" then found = p end
    end
    assert.is_table(found)
    assert.are.equal("QUARRY_PATH", found.origin)
    assert.are.equal(HERE .. "/word-lengths.lua", found.path)
    assert.is_nil(found.error)
    local p = assert(loader:load("word-lengths", "analysis"))
    assert.are.same({ max = 10 }, assert(plugins.validate_options(p, {})))
    local opts, msg = plugins.validate_options(p, { max = "ten" })
    assert.is_nil(opts)
    assert.are.equal("plugin 'word-lengths': option 'max' must be an integer, got 'ten'", msg)
  end)

  it("counts words per group, without punctuation", function()
    local g = rows_by_group(run({ by = "year", max = 4 }))
    assert.are.equal(3, g["2001"].words)
    assert.are.equal(7 / 3, g["2001"].mean)
    assert.are.equal(1 / 3, g["2001"].len1)
    assert.are.equal(2 / 3, g["2001"].len3)
    assert.are.equal(0, g["2001"].len4)
    assert.are.equal(2, g["2002"].words)
    assert.are.equal(1 / 2, g["2002"].len4) -- elephants, 9 characters, in the last bin
    assert.are.equal(0, g["(no year)"].words) -- only punctuation
  end)

  it("counts Chinese words in characters", function()
    local g = rows_by_group(run({ by = "year" }))
    local zh = g["2024"]
    -- however the tokenizer splits 新质生产力, its words hold 5 characters
    assert.is_true(zh.words >= 1)
    assert.are.equal(5, zh.mean * zh.words)
  end)

  it("makes one group without 'by', and a bar chart", function()
    local r = run({})
    local rows = r.sections[1].blocks[1].rows
    assert.are.equal(1, #rows)
    assert.are.equal("all documents", rows[1].group)
    local series = r.sections[1].blocks[2]
    assert.are.equal("series", series.type)
    assert.are.equal("bar", series.kind)
    assert.are.equal(10, #series.points)
  end)

  it("honours the subcorpus", function()
    local g = rows_by_group(run({ by = "year" }, { filter = "year<2024", query = "cat" }))
    assert.is_truthy(g["2001"])
    assert.is_nil(g["2002"])
    assert.is_nil(g["2024"])
  end)

  it("says so when no document matched", function()
    local r = run({}, { filter = "year>3000" })
    assert.are.equal("text", r.sections[1].blocks[1].type)
  end)

  it("fails cleanly for max < 1, naming itself", function()
    local idx <close> = assert(quarry.open(INDEX))
    local r, msg, code = report.run(idx, {
      analyses = { { analysis = "word-lengths", options = { max = 0 } } },
    }, { plugins = loader })
    assert.is_nil(r)
    assert.are.equal("EPLUGIN", code)
    assert.matches("^plugin 'word%-lengths', hook 'run': option 'max' must be at least 1", msg)
  end)
end)

describe("tsv", function()
  local function sample()
    local r = report.new({ title = "t" })
    local s = r:section("s")
    s:table({ name = "one", columns = { { key = "w", title = "word" }, { key = "n", type = "integer" } },
              rows = { { w = "a\tb", n = 1 }, { w = "新\n质", n = 2.0 }, { n = 3 } } })
    s:table({ name = "two", columns = { { key = "x" } }, rows = { { x = "back\\slash" } } })
    return r
  end

  it("writes one table", function()
    local text = assert(report.render(sample(), { format = "tsv", options = { table = "one" } },
                                      { plugins = loader }))
    assert.are.equal("word\tn\na\\tb\t1\n新\\n质\t2\n\t3\n", text)
  end)

  it("writes every table with a table column", function()
    local text = assert(report.render(sample(), "tsv", { plugins = loader }))
    assert.are.equal("table\tword\tn\none\ta\\tb\t1\none\t新\\n质\t2\none\t\t3\n"
                     .. "table\tx\ntwo\tback\\\\slash\n", text)
  end)

  it("leaves the header out on request and names a missing table", function()
    local text = assert(report.render(sample(), { format = "tsv",
                                                  options = { table = "two", header = "no" } },
                                      { plugins = loader }))
    assert.are.equal("back\\\\slash\n", text)
    local none, msg = report.render(sample(), { format = "tsv", options = { table = "three" } },
                                    { plugins = loader })
    assert.is_nil(none)
    assert.matches("no table named 'three' %(tables: one, two%)", msg)
  end)

  it("renders the plain data of a report (as decoded from JSON)", function()
    local data = quarry.json.decode(quarry.json.encode(sample():data()))
    local text = assert(report.render(data, { format = "tsv", options = { table = "one" } },
                                      { plugins = loader }))
    assert.are.equal("word\tn\na\\tb\t1\n新\\n质\t2\n\t3\n", text)
  end)
end)
