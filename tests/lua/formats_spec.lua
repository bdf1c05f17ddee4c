-- The report formats text, markdown, csv and json: golden files for a
-- fixed report with every block type (tests/fixtures/reports/), the
-- plugin contract, CSV read back with an RFC 4180 reader, Markdown table
-- rows, and text that fits the width.
--
-- After an intended change of output, rewrite the golden files with
--   QUARRY_UPDATE_GOLDEN=1 ctest -R lua.api
-- and review the diff of tests/fixtures/reports/ before committing it.
local quarry = require "quarry"
local report = require "quarry.report"
local util = require "quarry.report_util"

local FIX = assert(os.getenv("QUARRY_FIXTURES"), "QUARRY_FIXTURES not set") .. "/reports"
local UPDATE = os.getenv("QUARRY_UPDATE_GOLDEN") == "1"
local sample = dofile(FIX .. "/sample.lua")

local formats = {}
for _, name in ipairs({ "text", "markdown", "csv", "json" }) do
  formats[name] = require("quarry.plugins." .. name)
end

local function read_file(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

local function golden(file, got)
  local path = FIX .. "/" .. file
  if UPDATE then
    local f = assert(io.open(path, "wb"))
    f:write(got)
    f:close()
  end
  local want = read_file(path)
  assert(want, "missing golden file " .. path .. " (QUARRY_UPDATE_GOLDEN=1 writes it)")
  -- compare line by line first so a failure names the line
  local i = 0
  local wl = {}
  for l in (want .. "\n"):gmatch("(.-)\n") do wl[#wl + 1] = l end
  for l in (got .. "\n"):gmatch("(.-)\n") do
    i = i + 1
    assert.are.equal(wl[i], l, file .. " line " .. i)
  end
  assert.are.equal(want, got, file .. " differs")
end

--- A tiny RFC 4180 reader: records of fields, CRLF record ends, quoted
--- fields with doubled quotes and line breaks. Raises on malformed input.
local function read_csv(s)
  local records, fields, pos = {}, {}, 1
  while pos <= #s do
    local value
    if s:sub(pos, pos) == '"' then
      local parts = {}
      pos = pos + 1
      while true do
        local q = s:find('"', pos, true)
        assert(q, "unterminated quoted field")
        parts[#parts + 1] = s:sub(pos, q - 1)
        if s:sub(q + 1, q + 1) == '"' then
          parts[#parts + 1] = '"'
          pos = q + 2
        else
          pos = q + 1
          break
        end
      end
      value = table.concat(parts)
    else
      local e = s:find("[,\r\n]", pos) or #s + 1
      value = s:sub(pos, e - 1)
      assert(not value:find('"', 1, true), "quote inside an unquoted field")
      pos = e
    end
    fields[#fields + 1] = value
    local c = s:sub(pos, pos)
    if c == "," then
      pos = pos + 1
    elseif s:sub(pos, pos + 1) == "\r\n" then
      records[#records + 1] = fields
      fields = {}
      pos = pos + 2
    else
      error("expected , or CRLF at byte " .. pos .. ", got " .. string.format("%q", c))
    end
  end
  assert(#fields == 0, "last record without CRLF")
  return records
end

describe("report formats", function()
  it("follow the plugin contract", function()
    for name, f in pairs(formats) do
      assert.are.equal(1, f.api)
      assert.are.equal(name, f.name)
      assert.are.equal("format", f.kind)
      assert.are.equal("string", type(f.description))
      assert.are.equal("string", type(f.extension))
      assert.are.equal("function", type(f.render))
      assert.are.equal("table", type(f.options))
      for _, o in ipairs(f.options) do
        assert.are.equal("string", type(o.name))
        assert.are.equal("string", type(o.help))
        assert.truthy(({ string = 1, integer = 1, number = 1, boolean = 1, list = 1, enum = 1 })[o.type])
      end
    end
  end)

  describe("golden files", function()
    it("text at 72 and 40 columns", function()
      golden("sample-72.txt", formats.text.render(sample(), { width = 72 }))
      golden("sample-40.txt", formats.text.render(sample(), { width = 40 }))
    end)
    it("markdown", function()
      golden("sample.md", formats.markdown.render(sample(), {}))
    end)
    it("csv: every table, and one chosen", function()
      golden("sample.csv", formats.csv.render(sample(), {}))
      golden("sample-first.csv", formats.csv.render(sample(), { table = "first" }))
    end)
    it("json", function()
      golden("sample.json", formats.json.render(sample(), {}))
    end)
  end)

  it("render plain data as they render the Report", function()
    local r = sample()
    for name, f in pairs(formats) do
      assert.are.equal(f.render(r, { width = 72 }), f.render(r:data(), { width = 72 }), name)
    end
  end)

  describe("text", function()
    it("fits the width when text columns can shrink, and aligns numbers right", function()
      for _, width in ipairs({ 60, 72, 100 }) do
        local out = formats.text.render(sample(), { width = width })
        for line in out:gmatch("[^\n]+") do
          assert.is_true(quarry.text_width(line) <= width, width .. ": " .. line)
        end
      end
      local out = formats.text.render(sample(), { width = 72 })
      -- the long title is cut with an ellipsis; numbers end in one column
      assert.truthy(out:find("Report on the work of the gov…", 1, true))
      local ends = {}
      for line in out:gmatch("[^\n]+") do
        local s, e = line:find("%d+%.%d%%")
        if s then ends[#ends + 1] = quarry.text_width(line:sub(1, e)) end
      end
      assert.are.equal(3, #ends)
      assert.are.equal(ends[1], ends[2])
      assert.are.equal(ends[1], ends[3])
    end)

    it("aligns concordance hits in one column, CJK included", function()
      for _, width in ipairs({ 40, 72 }) do
        local out = formats.text.render(sample(), { width = width })
        local after = out:match("Concordance lines\n(.-)\n\n")
        local cols = {}
        for line in after:gmatch("[^\n]+") do
          cols[#cols + 1] = quarry.text_width(line:sub(1, line:find("[", 1, true) - 1))
        end
        assert.are.equal(2, #cols)
        assert.are.equal(cols[1], cols[2])
      end
    end)

    it("never goes below 20 columns", function()
      local r = sample()
      assert.are.equal(formats.text.render(r, { width = 20 }), formats.text.render(r, { width = 5 }))
    end)
  end)

  describe("markdown", function()
    it("has a header, an alignment row and one row per table row", function()
      local out = formats.markdown.render(sample(), {})
      local tables, current = {}, nil
      for line in (out .. "\n"):gmatch("(.-)\n") do
        if line:sub(1, 1) == "|" then
          if not current then
            current = {}
            tables[#tables + 1] = current
          end
          current[#current + 1] = line
        else
          current = nil
        end
      end
      -- top_docs, timeline, frequencies, keyness, dispersion, kwic
      local want = { 4, 3, 3, 2, 2, 2 }
      assert.are.equal(#want, #tables)
      for i, t in ipairs(tables) do
        assert.are.equal(want[i] + 2, #t, "table " .. i)
        assert.truthy(t[2]:match("^|[ :%-|]+|$"), t[2])
        -- every row has as many cells as the header: no unescaped pipe
        local function cells(l) return select(2, l:gsub("\\|", ""):gsub("|", "")) end
        for _, l in ipairs(t) do assert.are.equal(cells(t[1]), cells(l), l) end
      end
      assert.truthy(out:find("pipes \\| commas", 1, true))
      assert.truthy(out:find("**新质生产力**", 1, true))
    end)

    it("escapes Markdown syntax in text", function()
      local r = report.new { title = "a *b* [c]" }
      r:section("s"):text("# not a heading\n\n- not a list\n\n2024. not a list")
      local out = formats.markdown.render(r, {})
      assert.truthy(out:find("# a \\*b\\* \\[c\\]", 1, true))
      assert.truthy(out:find("\n\\# not a heading\n", 1, true))
      assert.truthy(out:find("\n\\- not a list\n", 1, true))
      assert.truthy(out:find("\n2024\\. not a list\n", 1, true))
    end)
  end)

  describe("csv", function()
    it("parses back as RFC 4180 with every value", function()
      local records = read_csv(formats.csv.render(sample(), { table = "top_docs" }))
      assert.are.equal(5, #records)
      assert.are.same({ "title", "year", "hits", "per_million", "share", "p" }, records[1])
      assert.are.same({ "2024年国务院政府工作报告", "2024", "12", "1234.5678", "0.5", "0.00123" }, records[2])
      assert.are.same({ 'pipes | commas, "quotes"\nand a line break', "2022", "5", "0", "0.2083", "12.5" },
                      records[4])
      assert.are.same({ "missing values", "", "", "", "", "" }, records[5])
    end)

    it("writes every tabular block, each after a '# NAME' record", function()
      local records = read_csv(formats.csv.render(sample(), {}))
      local names = {}
      for i, rec in ipairs(records) do
        if #rec == 1 and rec[1]:sub(1, 2) == "# " then
          names[#names + 1] = rec[1]:sub(3)
          if i > 1 then assert.are.same({ "" }, records[i - 1]) end
        end
      end
      assert.are.same({ "top_docs", "timeline", "series2", "keyness", "dispersion", "first" }, names)
      local series = read_csv(formats.csv.render(sample(), { table = "timeline" }))
      assert.are.same({ "x", "group", "y" }, series[1])
      assert.are.same({ "2024", "新质生产力", "52.5" }, series[6])
      local kwic = read_csv(formats.csv.render(sample(), { table = "first" }))
      assert.are.same({ "label", "position", "left", "hit", "right", "doc" }, kwic[1])
      assert.are.same({ "2024", "1234", "加快发展", "新质生产力", "。充分发挥创新主导作用", "3" }, kwic[2])
    end)

    it("writes a single table without a name record, and names unknown tables", function()
      local r = report.new { title = "t" }
      r:section("s"):table { columns = { { key = "a", type = "integer" } }, rows = { { a = 1 } } }
      assert.are.equal("a\r\n1\r\n", formats.csv.render(r, {}))
      assert.has_error(function() formats.csv.render(r, { table = "nope" }) end,
                       "no table named 'nope' in the report (tables: table1)")
    end)
  end)

  describe("json", function()
    it("keeps empty objects as objects and can be compact", function()
      local r = report.new { title = "t" }
      r:section("s"):table { columns = { { key = "a" } }, rows = { {} } }
      local out = formats.json.render(r, { compact = true })
      assert.truthy(out:find('"params":{}', 1, true))
      assert.truthy(out:find('"options":{}', 1, true))
      assert.truthy(out:find('"queries":[]', 1, true))
      assert.truthy(out:find('"rows":[{}]', 1, true))
      assert.are.equal(1, select(2, out:gsub("\n", "")))
      local back = assert(report.from_data(quarry.json.decode(out)))
      assert.are.equal("t", back.title)
    end)
  end)

  describe("any text", function()
    -- Cells built from the characters each format must escape, with a
    -- fixed seed so that a failure can be reproduced.
    local PIECES = { "a", "Zz", "新", "质", "，", "|", ",", '"', "\n", "\r\n", " ", "*", "_", "\\",
                     "#", "-", "`", "<", "[", "]", "~", "1." }
    local function random_text(rng)
      local t = {}
      for i = 1, rng(0, 8) do t[i] = PIECES[rng(1, #PIECES)] end
      return table.concat(t)
    end

    local function random_report(seed)
      math.randomseed(seed)
      local rng = math.random
      local r = report.new { title = "random " .. seed }
      local columns, rows = {}, {}
      for c = 1, 4 do columns[c] = { key = "c" .. c, title = random_text(rng) } end
      for i = 1, 12 do
        local row = {}
        for c = 1, 4 do row["c" .. c] = random_text(rng) end
        rows[i] = row
      end
      r:section(random_text(rng) .. "s"):table { name = "t", columns = columns, rows = rows }
      return r, rows
    end

    -- Splits a Markdown table row at its unescaped pipes and removes the
    -- escapes, as a GFM reader does.
    local function md_cells(line)
      local cells, cur, i = {}, {}, 2
      while i <= #line do
        local c = line:sub(i, i)
        if c == "\\" then
          cur[#cur + 1] = line:sub(i + 1, i + 1)
          i = i + 2
        else
          if c == "|" then
            cells[#cells + 1] = table.concat(cur):gsub("^ ", ""):gsub(" $", "")
            cur = {}
          else
            cur[#cur + 1] = c
          end
          i = i + 1
        end
      end
      return cells
    end

    it("comes back from CSV and Markdown as it went in", function()
      for seed = 1, 20 do
        local r, rows = random_report(seed)
        local records = read_csv(formats.csv.render(r, {}))
        assert.are.equal(#rows + 1, #records)
        for i, row in ipairs(rows) do
          assert.are.same({ row.c1, row.c2, row.c3, row.c4 }, records[i + 1], "seed " .. seed)
        end
        local md = formats.markdown.render(r, {})
        local lines = {}
        for line in md:gmatch("[^\n]+") do
          if line:sub(1, 1) == "|" then lines[#lines + 1] = line end
        end
        assert.are.equal(#rows + 2, #lines, "seed " .. seed)
        for i, row in ipairs(rows) do
          local want = {}
          for c = 1, 4 do
            want[c] = row["c" .. c]:gsub("[\r\n\t]+", " "):gsub("^ ", ""):gsub(" $", "")
          end
          local got = md_cells(lines[i + 2])
          for c = 1, 4 do got[c] = got[c]:gsub("^ +", ""):gsub(" +$", "") end
          for c = 1, 4 do want[c] = want[c]:gsub("^ +", ""):gsub(" +$", "") end
          assert.are.same(want, got, "seed " .. seed .. " row " .. i)
        end
      end
    end)

    it("keeps every text line within the width", function()
      for seed = 1, 20 do
        local r = random_report(seed)
        for _, width in ipairs({ 30, 50 }) do
          for line in formats.text.render(r, { width = width }):gmatch("[^\n]+") do
            assert.is_true(quarry.text_width(line) <= width, seed .. "/" .. width .. ": " .. line)
          end
        end
      end
    end)
  end)

  describe("value formatting", function()
    local f = util.format_value
    it("formats each column type", function()
      assert.are.equal("12", f(12, { type = "integer" }))
      assert.are.equal("13", f(12.5, { type = "integer" }))
      assert.are.equal("-13", f(-12.5, { type = "integer" }))
      assert.are.equal("3.14", f(3.14159, { type = "number" }))
      assert.are.equal("3.1416", f(3.14159, { type = "number", digits = 4 }))
      assert.are.equal("0.00123", f(0.00123, { type = "number" }))
      assert.are.equal("1.20e-06", f(0.0000012, { type = "number" }))
      assert.are.equal("0.00", f(0, { type = "number" }))
      assert.are.equal("12.5%", f(0.125, { type = "percent" }))
      assert.are.equal("13%", f(0.126, { type = "percent", digits = 0 }))
      assert.are.equal("2024", f(2024.0, { type = "date" }))
      assert.are.equal("2024-03-05", f("2024-03-05", { type = "date" }))
      assert.are.equal("", f(nil, { type = "number" }))
      assert.are.equal("", f(quarry.json.null, { type = "integer" }))
      assert.are.equal("NaN", f(0 / 0, { type = "number" }))
      assert.are.equal("inf", f(math.huge, { type = "integer" }))
      assert.are.equal("n/a", f("n/a", { type = "number" }))
    end)

    it("wraps between words and between CJK characters, never before closing punctuation", function()
      assert.are.same({ "one two", "three" }, util.wrap("one two three", 8))
      assert.are.same({ "新质生", "产力。" }, util.wrap("新质生产力。", 6))
      assert.are.same({ "abcd", "efgh", "ij x" }, util.wrap("abcdefghij x", 4))
      assert.are.same({ "a 新", "质生" }, util.wrap("a 新质生", 4))
      assert.are.equal("新质…", util.truncate("新质生产力", 5))
      assert.are.equal("…产力", util.truncate("新质生产力", 5, true))
    end)
  end)
end)
