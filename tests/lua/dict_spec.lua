-- quarry.dictionary: dictionaries from YAML files and Lua tables, their
-- categories and entries, lint against an index, and counts per document
-- through the search API, on the corpus of tests/fixtures/dict.
local quarry = require "quarry"

local FIX = assert(os.getenv("QUARRY_FIXTURES"), "QUARRY_FIXTURES not set") .. "/dict"
local ART = os.getenv("QUARRY_ARTIFACTS") or "/tmp"

local function sh(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local PATH = string.format("%s/lua-dict/fixture-%d-%d.quarry", ART, os.time(), math.random(1e6))

setup(function()
  os.execute("rm -rf " .. sh(PATH) .. " && mkdir -p " .. sh(PATH:match("^(.*)/")))
  local w <close> = assert(quarry.writer(PATH))
  local src <close> = assert(quarry.open_sources(FIX .. "/corpus"))
  assert(w:add_sources(src))
  assert(w:commit())
end)

teardown(function() os.execute("rm -rf " .. sh(PATH)) end)

describe("quarry.dictionary", function()
  it("loads a YAML file: categories in order, entries", function()
    local d <close> = assert(quarry.dictionary(FIX .. "/econ.yml"))
    assert.are.same({ "fiscal", "economy", "innovation" }, d:categories())
    assert.are.same({
      { category = "fiscal", pattern = "tax*" },
      { category = "fiscal", pattern = "tax cuts" },
      { category = "economy", pattern = "econom*" },
      { category = "economy", pattern = "tax cut*" },
      { category = "innovation", pattern = "新质生产力" },
    }, d:entries())
    assert.are.equal("longest", d:mode())
    assert.matches("3 categories, 5 entries", tostring(d))
  end)

  it("joins nested names with '.', merges repeated categories", function()
    local d <close> = assert(quarry.dictionary(FIX .. "/nested.yml"))
    assert.are.same({ "policy.fiscal", "policy.monetary", "mixed", "mixed.sub" }, d:categories())
    local pats = {}
    for _, e in ipairs(d:entries()) do pats[#pats + 1] = e.category .. "=" .. e.pattern end
    assert.are.same({ "policy.fiscal=budget", "policy.fiscal=deficit*",
                      "policy.monetary=interest rate*", "policy.monetary=central bank",
                      "mixed=alpha", "mixed.sub=beta", "policy.fiscal=spending" }, pats)
  end)

  it("returns nil, msg, EPARSE, line, column for a bad file", function()
    local d, msg, code, line, col = quarry.dictionary(FIX .. "/bad.yml")
    assert.is_nil(d)
    assert.are.equal("EPARSE", code)
    assert.are.equal(5, line)
    assert.are.equal(6, col)
    assert.are.equal(FIX .. "/bad.yml:5:6: category 'tax' must be a list of patterns or a "
                     .. "mapping of subcategories, got a number", msg)
  end)

  it("returns nil, msg, ENOENT for a missing file", function()
    local d, msg, code = quarry.dictionary(FIX .. "/missing.yml")
    assert.is_nil(d)
    assert.are.equal("ENOENT", code)
    assert.matches("missing.yml", msg, 1, true)
  end)

  it("builds from a table, names sorted at each level", function()
    local d <close> = quarry.dictionary({
      zeta = { "z" },
      alpha = { "a1", "a2", sub = { "s" }, deeper = { more = { "m" } } },
    }, { mode = "all" })
    assert.are.same({ "alpha", "alpha.deeper.more", "alpha.sub", "zeta" }, d:categories())
    assert.are.equal("all", d:mode())
    assert.are.equal(5, #d:entries())
    assert.are.same({ category = "alpha.deeper.more", pattern = "m" }, d:entries()[3])
  end)

  it("raises for bad arguments and bad tables", function()
    assert.has_error(function() quarry.dictionary(42) end)
    assert.has_error(function() quarry.dictionary({ a = { "x" } }, { mode = "shortest" }) end)
    assert.has_error(function() quarry.dictionary({ "x" }) end, "dictionary: the table must map "
                     .. "category names to tables of patterns (found a number key)")
    assert.has_error(function() quarry.dictionary({ a = { "" } }) end,
                     "dictionary: category 'a': empty pattern")
    assert.has_error(function() quarry.dictionary({ a = { 3 } }) end,
                     "dictionary: pattern 1 of category 'a' must be a string, got number")
    assert.has_error(function() quarry.dictionary({ a = "x" }) end,
                     "dictionary: category 'a' must be a table of patterns or "
                     .. "subcategories, got string")
  end)

  it("closes, and raises once closed", function()
    local d = quarry.dictionary({ a = { "x" } })
    d:close()
    d:close()
    assert.matches("closed", tostring(d))
    assert.has_error(function() d:categories() end, "attempt to use a closed quarry.Dictionary")
  end)

  it("lints without and with an index", function()
    local d <close> = assert(quarry.dictionary(FIX .. "/lint.yml"))
    local issues = d:lint()
    assert.are.equal(2, #issues)
    assert.are.equal(5, issues[2].entry)
    assert.is_false(issues[2].never_matches)
    assert.are.same({ entry = 2, category = "fiscal", pattern = "tax.*", never_matches = true,
                      message = "'tax.*' (category 'fiscal') can never match: the glob 'tax.*' "
                        .. "spans a token boundary (filled in, it is 3 tokens, and a glob "
                        .. "matches within one token)" }, issues[1])
    local idx <close> = assert(quarry.open(PATH))
    issues = d:lint(idx)
    local got = {}
    for _, i in ipairs(issues) do
      got[#got + 1] = string.format("%d %s %s", i.entry, i.pattern, tostring(i.never_matches))
    end
    assert.are.same({ "2 tax.* true", "3 zebra false", "5 zebra false", "5 zebra false" }, got)
    assert.are.equal("'zebra' (category 'fiscal') matches no term of the index", issues[2].message)
    assert.are.equal("'zebra' is in category 'economy' and also in 'fiscal': a match counts for "
                     .. "both", issues[4].message)
  end)

  it("counts hits per document and category (longest and all)", function()
    local idx <close> = assert(quarry.open(PATH))
    local by_source = function(rows)
      local out = {}
      for _, r in ipairs(rows) do
        local doc = assert(idx:doc(r.doc, { text = false }))
        out[doc.source:match("[^/]+$")] = { r.counts[1], r.counts[2], r.counts[3], r.total }
      end
      return out
    end
    -- fiscal, economy, innovation, total (hand-counted, docs/dictionaries.md)
    local d <close> = assert(quarry.dictionary(FIX .. "/econ.yml"))
    assert.are.same({
      ["2001a.txt"] = { 2, 2, 0, 4 },
      ["2001b.txt"] = { 2, 3, 0, 5 },
      ["2002.txt"] = { 1, 1, 1, 3 },
    }, by_source(assert(d:count(idx))))
    local all <close> = assert(quarry.dictionary(FIX .. "/econ.yml", { mode = "all" }))
    assert.are.same({
      ["2001a.txt"] = { 3, 2, 0, 5 },
      ["2001b.txt"] = { 4, 3, 0, 7 },
      ["2002.txt"] = { 1, 1, 1, 3 },
    }, by_source(assert(all:count(idx))))
    assert.are.same({ ["2002.txt"] = { 1, 1, 1, 3 } },
                    by_source(assert(d:count(idx, { filter = "year>=2002" }))))
    local r, msg, code, pos = d:count(idx, { filter = "year=1 AND" })
    assert.is_nil(r)
    assert.are.equal("ESYNTAX", code)
    assert.is_string(msg)
    assert.are.equal(11, pos)
    r, msg, code = d:count(idx, { max_expansion = 1 })
    assert.is_nil(r)
    assert.are.equal("ELIMIT", code)
    assert.matches("'tax*' (category 'fiscal')", msg, 1, true)
  end)
end)
