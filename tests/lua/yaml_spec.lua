-- quarry.yaml.decode: YAML 1.2 core-schema typing of scalars, collections,
-- aliases, the errors (EPARSE with line and column) and the positions
-- report specs are checked with.
local yaml = require("quarry").yaml

local function decode1(text)
  local v, msg = yaml.decode(text)
  assert(msg == nil, msg)
  return v
end

describe("quarry.yaml.decode scalars", function()
  -- { YAML text of the value, expected Lua value, expected math.type or type }
  local cases = {
    { "42", 42, "integer" },
    { "-17", -17, "integer" },
    { "+5", 5, "integer" },
    { "0", 0, "integer" },
    { "0x1F", 31, "integer" },
    { "0o17", 15, "integer" },
    { "1.5", 1.5, "float" },
    { "-0.25", -0.25, "float" },
    { "1e3", 1000.0, "float" },
    { "2.5E-1", 0.25, "float" },
    { ".5", 0.5, "float" },
    { "1.", 1.0, "float" },
    { ".inf", math.huge, "float" },
    { "-.Inf", -math.huge, "float" },
    { "+.INF", math.huge, "float" },
    { "99999999999999999999", 1e20, "float" },
    { "true", true, "boolean" },
    { "True", true, "boolean" },
    { "FALSE", false, "boolean" },
    -- YAML 1.1's booleans are strings in 1.2
    { "yes", "yes", "string" },
    { "no", "no", "string" },
    { "on", "on", "string" },
    { "off", "off", "string" },
    -- looks like a number, is not one
    { "1_000", "1_000", "string" },
    { "0x", "0x", "string" },
    { "0o8", "0o8", "string" },
    { "1.2.3", "1.2.3", "string" },
    { "1e", "1e", "string" },
    { "2015-01-01", "2015-01-01", "string" },
    { "year>=2015", "year>=2015", "string" },
    -- quoted scalars stay strings
    { '"10"', "10", "string" },
    { "'1.5'", "1.5", "string" },
    { '"true"', "true", "string" },
    { "'~'", "~", "string" },
    { '"新质生产力"', "新质生产力", "string" },
    { "新质生产力", "新质生产力", "string" },
    { '"a\\tb\\u00e9"', "a\tbé", "string" },
    -- tags
    { "!!str 10", "10", "string" },
    { "! 10", "10", "string" },
    { '!!int "12"', 12, "integer" },
    { "!!float 1", 1.0, "float" },
    { "!!bool true", true, "boolean" },
  }
  for _, c in ipairs(cases) do
    it(c[1] .. " -> " .. tostring(c[2]) .. " (" .. c[3] .. ")", function()
      local v = decode1("v: " .. c[1] .. "\n").v
      assert.are.equal(c[2], v)
      assert.are.equal(c[3], math.type(v) or type(v))
    end)
  end

  it("reads .nan as NaN", function()
    local v = decode1("v: .nan").v
    assert.is_true(v ~= v)
  end)

  it("reads null, ~, Null and an empty value as nil", function()
    local t = decode1("a: null\nb: ~\nc: Null\nd:\ne: 1\n")
    assert.are.same({ e = 1 }, t)
  end)

  it("keeps a NUL written as an escape in a string", function()
    assert.are.equal("a\0b", decode1('v: "a\\0b"').v)
  end)

  it("reads block scalars as strings", function()
    assert.are.equal("line 1\nline 2\n", decode1("v: |\n  line 1\n  line 2\n").v)
    assert.are.equal("10\n", decode1("v: |\n  10\n").v)
    assert.are.equal("folded text\n", decode1("v: >\n  folded\n  text\n").v)
  end)

  it("reads a document that is a bare scalar", function()
    assert.are.equal(7, decode1("7"))
    assert.are.equal("x", decode1("--- x\n"))
  end)
end)

describe("quarry.yaml.decode collections", function()
  it("reads mappings and sequences, block and flow, nested", function()
    local t = decode1([[
title: New quality productive forces
subcorpus: { filter: "year>=2015" }
analyses:
  - analysis: key-terms
    options: { terms: [新质生产力, 高质量发展] }
  - analysis: word-lengths
formats: [html, markdown, json]
]])
    assert.are.same({
      title = "New quality productive forces",
      subcorpus = { filter = "year>=2015" },
      analyses = {
        { analysis = "key-terms", options = { terms = { "新质生产力", "高质量发展" } } },
        { analysis = "word-lengths" },
      },
      formats = { "html", "markdown", "json" },
    }, t)
  end)

  it("types keys as scalars are typed", function()
    local t = decode1("1: one\ntrue: yes\n'2': two\n1.5: x\n")
    assert.are.equal("one", t[1])
    assert.are.equal("yes", t[true])
    assert.are.equal("two", t["2"])
    assert.is_nil(t[2])
    assert.are.equal("x", t[1.5])
  end)

  it("reads empty collections as empty tables", function()
    assert.are.same({ a = {}, b = {} }, decode1("a: {}\nb: []\n"))
  end)

  it("leaves a hole for a null in a sequence, or opts.null", function()
    local t = decode1("- 1\n- ~\n- 3\n")
    assert.are.equal(1, t[1])
    assert.is_nil(t[2])
    assert.are.equal(3, t[3])
    local sentinel = {}
    local u = assert(yaml.decode("- 1\n- ~\n- 3\n", { null = false }))
    assert.are.same({ 1, false, 3 }, u)
    local m = assert(yaml.decode("a: ~\nb: [~]\n", { null = sentinel }))
    assert.are.equal(sentinel, m.a)
    assert.are.equal(sentinel, m.b[1])
  end)

  it("reads CRLF line ends", function()
    assert.are.same({ a = 1, b = { "x" } }, decode1("a: 1\r\nb:\r\n  - x\r\n"))
  end)

  it("returns nil and nothing else for an empty document", function()
    assert.are.equal(1, select("#", yaml.decode("")))
    assert.is_nil(yaml.decode(""))
    assert.is_nil(yaml.decode("# only a comment\n"))
  end)
end)

describe("quarry.yaml.decode aliases", function()
  it("resolves an alias to the anchored value, the same table", function()
    local t = decode1("base: &b { width: 80 }\ntext: *b\nn: &n 5\nm: *n\n")
    assert.are.equal(t.base, t.text)
    assert.are.equal(80, t.text.width)
    assert.are.equal(5, t.m)
  end)

  it("resolves an alias to a null", function()
    local t = assert(yaml.decode("a: &x ~\nb: *x\n", { null = false }))
    assert.is_false(t.b)
  end)

  it("rejects an unknown anchor and a node that aliases itself", function()
    local v, msg, code, line, col = yaml.decode("a: 1\nb: *nope\n")
    assert.is_nil(v)
    assert.are.equal("EPARSE", code)
    assert.are.same({ 2, 4 }, { line, col })
    assert.matches("unknown anchor 'nope'", msg)
    v, msg = yaml.decode("a: &x [1, *x]\n")
    assert.is_nil(v)
    assert.matches("unknown anchor 'x'", msg)
  end)
end)

describe("quarry.yaml.decode errors", function()
  local function fails(text, line, col, pattern)
    local v, msg, code, l, c = yaml.decode(text)
    assert.is_nil(v)
    assert.are.equal("EPARSE", code)
    assert.are.same({ line, col }, { l, c })
    assert.matches("^line " .. line .. ", column " .. col .. ": ", msg)
    if pattern then assert.matches(pattern, msg) end
  end

  it("reports malformed YAML with line and column", function()
    fails("a: [1, 2\nb: 3\n", 2, 2, "flow sequence")
    fails("a: 1\n  b: 2\n", 2, 4)
    fails('a: "unterminated\n', 2, 1, "quoted scalar")
    fails("a:\n\t- tab\n", 2, 1)
  end)

  it("rejects duplicate keys, also after a null value", function()
    fails("a: 1\nb: 2\na: 3\n", 3, 1, "duplicate key 'a'")
    fails("a:\na: 3\n", 2, 1, "duplicate key 'a'")
    fails("{x: 1, x: 2}", 1, 8, "duplicate key 'x'")
  end)

  it("rejects keys that are collections or null", function()
    fails("? [a, b]\n: 1\n", 1, 3, "must be a scalar")
    fails("~: 1\n", 1, 1, "must not be null")
  end)

  it("rejects a tagged scalar that does not match its tag", function()
    fails("a: !!int 1.5\n", 1, 4, "!!int")
    fails("a: !!bool yes\n", 1, 4, "!!bool")
  end)

  it("reads one document only", function()
    fails("a: 1\n---\nb: 2\n", 2, 1, "second YAML document")
  end)

  it("limits nesting", function()
    local deep = string.rep("[", 300) .. string.rep("]", 300)
    local v, msg = yaml.decode(deep)
    assert.is_nil(v)
    assert.matches("nested deeper than 256", msg)
    assert.is_table(yaml.decode(string.rep("[", 200) .. string.rep("]", 200)))
  end)

  it("rejects invalid UTF-8", function()
    local v, msg, code = yaml.decode("a: \xc3\x28\n")
    assert.is_nil(v)
    assert.are.equal("EPARSE", code)
    assert.matches("UTF%-8", msg)
  end)

  it("raises for programming errors", function()
    assert.has_error(function() yaml.decode(nil) end)
    assert.has_error(function() yaml.decode("a: 1", { nope = true }) end,
                     "yaml.decode: unknown option 'nope'")
    assert.has_error(function() yaml.decode("a: 1", { positions = 1 }) end)
  end)
end)

describe("quarry.yaml.decode positions", function()
  it("maps every table to where it and its entries are (1-based)", function()
    local text = "title: x\nanalyses:\n  - analysis: word-lengths\n    options: {max: 5}\n"
    local t, pos = yaml.decode(text, { positions = true })
    assert.are.same({ line = 1, column = 1 }, { line = pos[t].line, column = pos[t].column })
    assert.are.same({ line = 2, column = 1 }, pos[t].keys.analyses)
    assert.are.same({ line = 3, column = 3 }, pos[t].values.analyses)
    local entry = t.analyses[1]
    assert.are.same({ line = 3, column = 5 }, pos[t.analyses].values[1])
    assert.are.same({ line = 3, column = 15 }, pos[entry].values.analysis)
    assert.are.same({ line = 4, column = 15 }, pos[entry.options].keys.max)
    assert.are.same({ line = 4, column = 20 }, pos[entry.options].values.max)
  end)

  it("counts columns in characters", function()
    local t, pos = yaml.decode("键: [甲, 乙]\n", { positions = true })
    assert.are.same({ line = 1, column = 4 }, pos[t].values["键"])
    assert.are.same({ line = 1, column = 8 }, pos[t["键"]].values[2])
  end)

  it("records the key of a null value", function()
    local t, pos = yaml.decode("a:\nb: 1\n", { positions = true })
    assert.is_nil(t.a)
    assert.are.same({ line = 1, column = 1 }, pos[t].keys.a)
  end)
end)
