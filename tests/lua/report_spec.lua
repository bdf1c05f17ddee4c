-- quarry.report: building a report, the validation of every block type,
-- validating plain data, and the JSON round trip through from_data.
local quarry = require "quarry"
local report = require "quarry.report"
local json = quarry.json

local FIX = assert(os.getenv("QUARRY_FIXTURES"), "QUARRY_FIXTURES not set") .. "/reports"
local sample = dofile(FIX .. "/sample.lua")

local function section()
  return report.new({ title = "t" }):section("s")
end

describe("quarry.report", function()
  it("builds a report with provenance and typed blocks", function()
    local r = report.new { title = "Title", subtitle = "sub", params = { top = 5 } }
    assert.are.equal(report.SCHEMA, r.schema)
    assert.are.equal(quarry._VERSION, r.provenance.quarry)
    assert.truthy(r.provenance.created:match("^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%dZ$"))
    r:add_query("a NEAR b"):set_option("limit", 3)
    local s = r:section("One", "intro")
    s:text("hello"):table { name = "t", columns = { { key = "k" } }, rows = { { k = "v" } } }
    assert.are.same({ "a NEAR b" }, r.provenance.queries)
    assert.are.equal(3, r.provenance.options.limit)
    assert.are.equal("string", s.blocks[2].columns[1].type) -- default column type
    assert.are.equal(1, #r:tables())
    assert.are.equal("One", r:tables()[1].section)
    assert.is_true(r:validate())
  end)

  it("requires a title", function()
    assert.has_error(function() report.new {} end, "quarry.report.new: a title (string) is required")
    assert.has_error(function() report.new { title = "" } end)
    assert.has_error(function() report.new { title = "t", subtitle = 3 } end)
  end)

  it("rejects malformed tables", function()
    local s = section()
    assert.has_error(function() s:table { rows = {} } end, "table block: columns and rows are required")
    assert.has_error(function() s:table { columns = {}, rows = {} } end,
                     "table block: at least one column is required")
    assert.has_error(function() s:table { columns = { { title = "x" } }, rows = {} } end,
                     "table block: column 1 has no key")
    assert.has_error(function() s:table { columns = { { key = "a", type = "money" } }, rows = {} } end,
                     "table block: column 'a' has unknown type 'money'")
    assert.has_error(function() s:table { columns = { { key = "a" }, { key = "a" } }, rows = {} } end,
                     "table block: column 'a' appears twice")
    assert.has_error(function()
      s:table { columns = { { key = "a", type = "number", digits = 2.5 } }, rows = {} }
    end, "table block: column 'a' digits must be an integer from 0 to 15")
    assert.has_error(function()
      s:table { columns = { { key = "n", type = "integer" } }, rows = { { n = 1 }, { n = "many" } } }
    end, "table block: row 2 column 'n' (integer) holds a string, not a number")
    assert.has_error(function() s:table { columns = { { key = "a", title = 1 } }, rows = {} } end,
                     "table block: column 'a' title must be a string")
    assert.has_error(function() s:table { columns = { { key = "a" } }, rows = { "x" } } end,
                     "table block: row 1 is not a table")
    assert.has_error(function() s:table { name = 3, columns = { { key = "a" } }, rows = {} } end,
                     "table name must be a string")
    assert.are.equal(0, #s.blocks)
  end)

  it("rejects malformed series", function()
    local s = section()
    assert.has_error(function() s:series { kind = "line" } end, "series block: points are required")
    assert.has_error(function() s:series { kind = "pie", points = {} } end,
                     "series block: kind must be line, bar, diverging or dispersion")
    assert.has_error(function() s:series { kind = "line", points = { { x = 1, y = 2 }, { x = 2, y = "3" } } } end,
                     "series block: point 2 needs x and a numeric y")
    assert.has_error(function() s:series { kind = "bar", points = { { y = 2 } } } end,
                     "series block: point 1 needs x and a numeric y")
    assert.has_error(function() s:series { kind = "dispersion", points = { { x = 1.5, y = 1 } } } end,
                     "series block: dispersion point 1 needs x in [0, 1]")
    assert.has_error(function() s:series { kind = "line", x = { type = "money" }, points = {} } end,
                     "series block: x has unknown type 'money'")
    assert.has_error(function() s:series { kind = "line", y = { digits = -1 }, points = {} } end,
                     "series block: y digits must be an integer from 0 to 15")
    assert.has_error(function() s:series { kind = "line", y = { label = 2 }, points = {} } end,
                     "series block: y label must be a string")
    assert.has_error(function() s:series { kind = "line", points = { { x = 1, y = 1, group = {} } } } end,
                     "series block: point 1 group must be a string or a number")
    assert.are.equal(0, #s.blocks)
  end)

  it("rejects malformed kwic and text blocks", function()
    local s = section()
    assert.has_error(function() s:kwic {} end, "kwic block: lines are required")
    assert.has_error(function() s:kwic { lines = { { left = "a", right = "b" } } } end,
                     "kwic block: line 1 needs a hit (string)")
    assert.has_error(function() s:kwic { lines = { { hit = "h", left = 1 } } } end,
                     "kwic block: line 1 left must be a string")
    assert.has_error(function() s:kwic { lines = { { hit = "h", position = 1.5 } } } end,
                     "kwic block: line 1 position must be an integer")
    assert.has_error(function() s:text(42) end, "text block: a string is required")
    assert.has_error(function() report.new({ title = "t" }):section(1) end)
  end)

  it("validates plain data, naming the section and block", function()
    local data = sample():data()
    assert.is_true(report.validate(data))
    data.sections[2].blocks[1].points[3].y = "high"
    local ok, msg = report.validate(data)
    assert.is_nil(ok)
    assert.are.equal("section 2 (Over time) block 1: series block: point 3 needs x and a numeric y", msg)
    data = sample():data()
    data.sections[1].blocks[1] = { type = "chart" }
    assert.are.equal("section 1 (Overview) block 1: unknown block type 'chart'",
                     select(2, report.validate(data)))
    data = sample():data()
    data.sections[3].blocks[1].caption = {}
    assert.are.equal("section 3 (First appearance) block 1: kwic block caption must be a string",
                     select(2, report.validate(data)))
    data = sample():data()
    data.sections[3].blocks[1].lines[1].left = json.null
    assert.are.equal("section 3 (First appearance) block 1: kwic block: line 1 left must be a string",
                     select(2, report.validate(data)))
    assert.are.equal("not a quarry report (schema quarry.report/1)",
                     select(2, report.validate({ schema = "other/1" })))
    assert.are.equal("report: a title is required",
                     select(2, report.validate({ schema = report.SCHEMA, sections = {} })))
    assert.are.equal("report: sections are required",
                     select(2, report.validate({ schema = report.SCHEMA, title = "t" })))
  end)

  it("data() is plain: no metatables, a copy", function()
    local r = sample()
    local d = r:data()
    assert.is_nil(getmetatable(d))
    assert.is_nil(getmetatable(d.sections[1]))
    d.sections[1].title = "changed"
    assert.are.equal("Overview", r.sections[1].title)
  end)

  it("round-trips through JSON: from_data(json.decode(json format))", function()
    local fmt = require "quarry.plugins.json"
    local r = sample()
    local text = fmt.render(r, {})
    local back = assert(report.from_data(json.decode(text)))
    assert.are.equal(report.Report, getmetatable(back))
    assert.are.equal(report.Section, getmetatable(back.sections[1]))
    assert.are.same(r:data(), back:data())
    -- the reread report renders to the same bytes, and accepts new sections
    assert.are.equal(text, fmt.render(back, {}))
    back:section("added"):text("more")
    assert.are.equal("added", back.sections[#back.sections].title)
  end)

  it("reads a NaN y written as JSON null back as NaN", function()
    local r = report.new { title = "t" }
    r:section("s"):series { kind = "line", points = { { x = 1, y = 0 / 0 } } }
    local text = require("quarry.plugins.json").render(r, { compact = true })
    assert.truthy(text:find('"y":null', 1, true))
    local back = assert(report.from_data(json.decode(text)))
    local y = back.sections[1].blocks[1].points[1].y
    assert.is_true(y ~= y)
  end)

  it("from_data refuses what is not a valid report", function()
    local ok, msg = report.from_data({ schema = "x" })
    assert.is_nil(ok)
    assert.are.equal("not a quarry report (schema quarry.report/1)", msg)
    ok, msg = report.from_data("text")
    assert.is_nil(ok)
    local d = sample():data()
    d.sections[1].blocks[2].columns[1].type = "money"
    ok, msg = report.from_data(d)
    assert.is_nil(ok)
    assert.are.equal("section 1 (Overview) block 2: table block: column 'title' has unknown type 'money'", msg)
  end)
end)
