-- Dates in text and dated statements from Lua: quarry.dates,
-- quarry.statements (raw texts, documents) and idx:statements (an index of
-- the fixture article tests/fixtures/dates/article.txt and a short note).
local quarry = require "quarry"

local FIX = assert(os.getenv("QUARRY_FIXTURES"), "QUARRY_FIXTURES not set") .. "/dates"
local ART = os.getenv("QUARRY_ARTIFACTS") or "/tmp"

local function sh(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local PATH = string.format("%s/lua-dates/fixture-%d-%d.quarry", ART, os.time(), math.random(1e6))

local function slurp(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

local ARTICLE = slurp(FIX .. "/article.txt")
local NOTE = "On March 5 the green productive forces plan was announced. Nothing else happened."
local TERMS = { "green productive forces", "new quality productive forces", "新质生产力", "innovat*" }

-- The article's statements in date order: date (with * when the year was
-- inferred), terms, and the first words of the sentence.
local EXPECTED = {
  { "2022", "", "In 2022, the output" },
  { "2023-03", "green productive forces", "In March 2023," },
  { "2023-06-05", "green productive forces", "On June 5, 2023," },
  { "2023-06-06*", "innovat*", "On June 6, when" },
  { "2023-11-20", "new quality productive forces; innovat*", "From November 20 to 21," },
  { "2024-01-15", "新质生产力", "2024年1月15日，" },
  { "2024-01-16*", "", "1月16日，" },
  { "2024-02-02", "", "On 2 February 2024," },
  { "2024-03-05", "green productive forces", "On Tuesday, March 5, 2024," },
  { "2024-05-20", "", "Publisher: Editor" },
  { "2030", "", "The target is" },
}

local function dates_of(text, opts)
  local out = {}
  for i, d in ipairs(quarry.dates(text, opts)) do
    out[i] = d.date .. (d.inferred and "*" or "") .. (d["until"] and "/" .. d["until"] or "")
  end
  return table.concat(out, " ")
end

local function check_expected(records, expected)
  assert.are.equal(#expected, #records)
  for i, want in ipairs(expected) do
    local r = records[i]
    assert.are.equal(want[1], r.date .. (r.inferred and "*" or ""), "record " .. i)
    assert.are.equal(want[2], r.terms, "record " .. i)
    assert.are.equal(want[3], r.sentence:sub(1, #want[3]), "record " .. i)
  end
end

setup(function()
  os.execute("rm -rf " .. sh(PATH) .. " && mkdir -p " .. sh(PATH:match("^(.*)/")))
  local w <close> = assert(quarry.writer(PATH))
  assert(w:add({ source = "dir/article.txt", text = ARTICLE, fields = { date = "2024-05-20" } }))
  assert(w:add({ source = "dir/note.txt", text = NOTE, fields = { date = "2023-01-10" } }))
  assert(w:commit())
end)

teardown(function() os.execute("rm -rf " .. sh(PATH)) end)

describe("quarry.dates", function()
  it("returns records with the date at its precision and the 1-based span", function()
    local text = "Said on Tuesday, March 5, 2024, in 2023年9月7日至8日 and then May 3."
    local d = quarry.dates(text)
    assert.are.equal(3, #d)
    assert.are.same({ date = "2024-03-05", precision = "day", start = 9, ["end"] = 30,
                      text = "Tuesday, March 5, 2024", inferred = false }, d[1])
    assert.are.equal(text:sub(d[1].start, d[1]["end"]), d[1].text)
    assert.are.equal("2023-09-07", d[2].date)
    assert.are.equal("2023-09-08", d[2]["until"])
    assert.are.equal("2023年9月7日至8日", d[2].text)
    -- the last full date before it gives the year
    assert.are.equal("2023-05-03", d[3].date)
    assert.is_true(d[3].inferred)
  end)

  it("reads English and Chinese forms at day, month and year precision", function()
    assert.are.equal("2023-09-07 2023-09-08 2023-09-09 2023-09-10",
                     dates_of("September 7, 2023; Sept. 8, 2023; 9 September 2023; 2023-09-10"))
    assert.are.equal("2024-01 2023", dates_of("January 2024 and in 2023"))
    local months = quarry.dates("January 2024")
    assert.are.equal("month", months[1].precision)
    assert.are.equal("year", quarry.dates("since 1990,")[1].precision)
    assert.are.equal("2023-09-07 2023-09 2023 2023-09-07",
                     dates_of("2023年9月7日 2023年9月 2023年 ２０２３年９月７日"))
    assert.are.equal("2023-12-11/2023-12-12", dates_of("From December 11 to 12, 2023"))
  end)

  it("does not read the modal May, the verb march, versions or phone numbers", function()
    assert.are.equal("", dates_of("May I help you? They march 5 miles."))
    assert.are.equal("", dates_of("version 2.0.23, call 555-2023-0907, 2023-13-45"))
    assert.are.equal("", dates_of("February 30, 2024 and in 2000 cases"))
    assert.are.equal("", dates_of("\xff\xfe\x00 May"))
  end)

  it("takes options: numeric order, reference date, no bare years, no inference", function()
    assert.are.equal("", dates_of("09/07/2023"))
    assert.are.equal("2023-09-07", dates_of("09/07/2023", { numeric = "mdy" }))
    assert.are.equal("2023-07-09", dates_of("09/07/2023", { numeric = "eu" }))
    assert.are.equal("", dates_of("On March 5"))
    assert.are.equal("2024-03-05*", dates_of("On March 5", { reference_date = "2024-04-13" }))
    assert.are.equal("", dates_of("On March 5", { reference_date = "2024", infer = false }))
    assert.are.equal("2024-03", dates_of("in 2023 and March 2024", { years = false }))
  end)

  it("raises on bad arguments", function()
    assert.has_error(function() quarry.dates(nil) end)
    assert.has_error(function() quarry.dates("x", { numeric = "xx" }) end,
                     "dates: option 'numeric' must be none, mdy (us) or dmy (eu)")
    assert.has_error(function() quarry.dates("x", { reference_date = "2024-13-01" }) end)
    assert.has_error(function() quarry.dates("x", { reference_date = "12" }) end)
    assert.has_error(function() quarry.dates("x", { bogus = true }) end,
                     "dates: unknown option 'bogus'")
    assert.has_error(function() quarry.dates("x", 5) end)
  end)
end)

describe("quarry.statements", function()
  it("gives the fixture article's dated statements in date order", function()
    local r = quarry.statements(ARTICLE, { terms = TERMS })
    check_expected(r, EXPECTED)
    for _, s in ipairs(r) do
      assert.is_nil(s.doc)
      assert.are.equal(ARTICLE:sub(s.start, s.start + 1), s.sentence:sub(1, 2))
      assert.is_nil(s.sentence:find("\n"))
    end
    assert.are.equal("2023-11-21", r[5]["until"])
    assert.are.equal("day", r[5].precision)
    assert.are.equal("year", r[1].precision)
  end)

  it("keeps document order, a record per date, and only sentences with terms", function()
    local r = quarry.statements(ARTICLE, { terms = TERMS, order = "document" })
    assert.are.equal("2024-05-20", r[1].date)
    assert.are.equal("2023-03", r[2].date)
    for i = 2, #r do assert.is_true(r[i - 1]["end"] < r[i].start) end
    local text = "On May 1, 2024 and on May 3, 2024, we met. In 2020 it began."
    local each = quarry.statements(text, { each_date = true })
    assert.are.equal(3, #each)
    assert.are.equal("2024-05-01; 2024-05-03", each[2].dates)
    assert.are.equal("2024-05-03", each[3].date)
    assert.are.equal(2, #quarry.statements(text))
    local only = quarry.statements(ARTICLE, { terms = TERMS, require_terms = true })
    assert.are.equal(6, #only)
  end)

  it("takes several texts, tables and Documents, with labels and reference dates", function()
    local r = quarry.statements({ ARTICLE, { text = NOTE, label = "note", reference_date = "2023" } },
                                { terms = TERMS })
    assert.are.equal(12, #r)
    local note
    for _, s in ipairs(r) do if s.doc == 2 then note = s end end
    assert.are.equal("note", note.label)
    assert.are.equal("2023-03-05", note.date)
    assert.is_true(note.inferred)
    assert.are.equal("green productive forces", note.terms)
    assert.are.equal("text 1", r[1].label)

    local src <close> = assert(quarry.open_sources(FIX .. "/article.txt"))
    local doc = assert(src:next())
    local rd = quarry.statements({ doc })
    assert.are.equal(11, #rd)
    assert.are.equal("article.txt", rd[1].label)
    -- one document table alone: no doc or label
    local one = quarry.statements(assert(quarry.read(FIX .. "/article.txt")))
    assert.are.equal(11, #one)
    assert.is_nil(one[1].label)
  end)

  it("fails softly on text that is not UTF-8 and raises on bad arguments", function()
    local r, msg, code = quarry.statements("On May 1, 2024 \xff")
    assert.is_nil(r)
    assert.matches("not valid UTF%-8", msg)
    assert.are.equal("EINVAL", code)
    assert.has_error(function() quarry.statements(5) end)
    assert.has_error(function() quarry.statements({ 5 }) end)
    assert.has_error(function() quarry.statements({ label = "no text" }) end)
    assert.has_error(function() quarry.statements("x", { order = "size" }) end,
                     "statements: option 'order' must be date or document")
    assert.has_error(function() quarry.statements("x", { terms = "a" }) end)
    assert.has_error(function() quarry.statements("x", { terms = { "" } }) end)
    assert.has_error(function() quarry.statements("x", { bogus = 1 }) end)
    assert.are.same({}, quarry.statements(""))
  end)
end)

describe("idx:statements", function()
  local idx
  before_each(function() idx = assert(quarry.open(PATH)) end)
  after_each(function() idx:close() end)

  it("finds the statements of every document, with doc and label", function()
    local r = idx:statements(nil, { terms = TERMS })
    assert.are.equal(12, #r)
    local labels = {}
    for _, s in ipairs(r) do labels[s.label] = (labels[s.label] or 0) + 1 end
    assert.are.same({ ["article.txt"] = 11, ["note.txt"] = 1 }, labels)
    -- the note's "March 5" takes the year of its date field
    assert.are.equal("2023-03-05", r[3].date)
    assert.are.equal("note.txt", r[3].label)
    assert.are.equal(2, r[3].doc)
    assert.are.equal(NOTE:sub(r[3].start, r[3]["end"]),
                     "On March 5 the green productive forces plan was announced.")
  end)

  it("runs on a subcorpus and keeps the sentences with a query's hit", function()
    check_expected(idx:statements(nil, { terms = TERMS, filter = "date>=2024" }), EXPECTED)
    check_expected(idx:statements(nil, { terms = TERMS, query = "Governor" }), EXPECTED)
    local r = idx:statements("stressed OR 全会", { terms = TERMS, filter = "date>=2024" })
    local got = {}
    for i, s in ipairs(r) do got[i] = s.date end
    assert.are.same({ "2023-06-05", "2023-06-06", "2023-11-20", "2024-01-15", "2024-01-16",
                      "2024-03-05" }, got)
    local q = assert(quarry.query("announced"))
    r = idx:statements(q)
    assert.are.equal(1, #r)
    assert.are.equal("", r[1].terms)
  end)

  it("uses the reference date given over the date field, or none", function()
    local r = idx:statements(nil, { filter = "date<2024", reference_date = "2019-01-01" })
    assert.are.equal("2019-03-05", r[1].date)
    r = idx:statements(nil, { filter = "date<2024", date_field = "nothing" })
    assert.are.equal(0, #r)
  end)

  it("raises on a bad query or option", function()
    assert.has_error(function() idx:statements("(unclosed") end)
    assert.has_error(function() idx:statements(nil, { filter = "year>" }) end)
    assert.has_error(function() idx:statements(nil, { bogus = 1 }) end,
                     "statements: unknown option 'bogus'")
    assert.has_error(function() idx:statements(nil, { order = "x" }) end)
  end)
end)
