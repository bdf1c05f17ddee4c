-- quarry.stats: the Lua surface of the statistics core (docs/statistics.md),
-- argument checking, and differential tests against R (chisq.test with and
-- without Yates' correction, G2 by its formula, one-sided fisher.test,
-- pchisq) over seeded random tables. R comes from the r-base-core package
-- (tools/packages.txt, tests); without Rscript the differential tests fail
-- and say so.
local quarry = require "quarry"
local stats = quarry.stats

local FIX = assert(os.getenv("QUARRY_FIXTURES"), "QUARRY_FIXTURES not set") .. "/stats"

local function near(want, got, rel, abs)
  local tol = (abs or 0) + (rel or 1e-12) * math.abs(want)
  if not (math.abs(want - got) <= tol) then
    error(string.format("expected %.17g, got %.17g (tolerance %g)", want, got, tol), 2)
  end
end

local function isnan(x) return x ~= x end

local ASSOC_FIELDS = { "o11", "o12", "o21", "o22", "n", "e11", "mi", "mi3", "t", "z", "g2",
                       "chi2", "chi2_yates", "dice", "log_dice", "log_ratio", "p_g2", "p_chi2",
                       "p_fisher" }
local KEYNESS_FIELDS = { "a", "b", "n1", "n2", "e1", "e2", "g2", "chi2", "chi2_yates",
                         "log_ratio", "pct_diff", "simple_maths", "smooth", "p_g2", "p_chi2" }
local DISPERSION_FIELDS = { "parts", "range", "juilland_d", "gries_dp", "gries_dp_norm" }

describe("quarry.stats.association", function()
  it("returns every measure as a number", function()
    local r = stats.association(8, 15820, 4667, 14287173)
    for _, k in ipairs(ASSOC_FIELDS) do assert.are.equal("number", type(r[k]), k) end
    local n = 0
    for _ in pairs(r) do n = n + 1 end
    assert.are.equal(#ASSOC_FIELDS, n)
    -- Manning & Schuetze (1999), 5.3.1 and 5.3.3: "new companies"
    near(0.999932, r.t, 0, 5e-7)
    near(1.55, r.chi2, 0, 0.005)
    assert.are.equal(14307668, r.n)
    -- whole counts come back as integers
    assert.are.equal("integer", math.type(r.o11))
    assert.are.equal("integer", math.type(r.n))
    assert.are.equal("float", math.type(stats.association(0.5, 1, 1, 1).o11))
  end)

  it("keeps the documented limits for empty cells", function()
    local r = stats.association(0, 10, 20, 970)
    assert.are.equal(-math.huge, r.mi)
    assert.is_true(r.g2 < 0)
    local e = stats.association(0, 0, 10, 90)
    assert.is_true(isnan(e.mi))
    assert.are.equal(0, e.g2)
    assert.are.equal(1, e.p_g2)
  end)

  it("raises on bad counts", function()
    assert.has_error(function() stats.association(-1, 2, 3, 4) end)
    assert.has_error(function() stats.association(1, 2, 3) end)
    assert.has_error(function() stats.association(1, "2", 3, 4) end)
    assert.has_error(function() stats.association(1, 2, 0/0, 4) end)
    assert.has_error(function() stats.association(1, 2, math.huge, 4) end)
  end)
end)

describe("quarry.stats.keyness", function()
  it("reproduces the Lancaster log-likelihood example", function()
    -- 52 in 50,000 tokens against 57 in 75,000: "+ 2.65"
    local k = stats.keyness(52, 50000, 57, 75000)
    for _, f in ipairs(KEYNESS_FIELDS) do assert.are.equal("number", type(k[f]), f) end
    near(2.65, k.g2, 0, 0.005)
    assert.are.equal(1, k.smooth)
    near(1041 / 761, k.simple_maths)
    near((1040 - 760) / 760 * 100, k.pct_diff, 1e-12)
  end)

  it("signs by direction and takes Kilgarriff's N from opts.smooth", function()
    local k = stats.keyness(40, 150000, 120, 100000, { smooth = 100 })
    assert.is_true(k.g2 < 0 and k.chi2 < 0 and k.log_ratio < 0 and k.pct_diff < 0)
    assert.are.equal(100, k.smooth)
    near((40 / 0.15 + 100) / (1200 + 100), k.simple_maths)
    local z = stats.keyness(8, 1000, 0, 1000)
    near(4, z.log_ratio) -- log2(8 / 0.5): Hardie's 0.5 for a zero
    assert.are.equal(math.huge, z.pct_diff)
  end)

  it("raises on bad arguments", function()
    assert.has_error(function() stats.keyness(1, 0, 1, 10) end)
    assert.has_error(function() stats.keyness(11, 10, 1, 10) end)
    assert.has_error(function() stats.keyness(1, 10, 11, 10) end)
    assert.has_error(function() stats.keyness(-1, 10, 1, 10) end)
    assert.has_error(function() stats.keyness(1, 10, 1, 10, { smooth = -1 }) end)
    assert.has_error(function() stats.keyness(1, 10, 1, 10, { smooth = "1" }) end)
    assert.has_error(function() stats.keyness(1, 10, 1, 10, 5) end)
    assert.has_error(function() stats.keyness(1, 10, 1) end)
  end)
end)

describe("quarry.stats.dispersion", function()
  it("reproduces Gries (2008) and Lyne (1985)", function()
    local d = stats.dispersion({ 1, 2, 3, 4, 5 }, { 9, 10, 10, 10, 11 })
    for _, f in ipairs(DISPERSION_FIELDS) do assert.are.equal("number", type(d[f]), f) end
    near(0.18, d.gries_dp, 1e-12)
    near(0.18 / 0.82, d.gries_dp_norm, 1e-12)
    assert.are.equal(5, d.parts)
    assert.are.equal(5, d.range)
    assert.are.equal("integer", math.type(d.range))
    local l = stats.dispersion({ 2, 0, 1, 1, 3, 0, 3, 0, 0, 0 },
      { 8143, 8058, 8271, 8125, 7959, 7941, 8146, 8001, 8003, 7930 })
    near(0.6038797, l.juilland_d, 0, 5e-8)
    assert.are.equal(5, l.range)
  end)

  it("leaves D and DPnorm undefined for one part", function()
    local d = stats.dispersion({ 3 }, { 10 })
    assert.are.equal(0, d.gries_dp)
    assert.is_true(isnan(d.juilland_d) and isnan(d.gries_dp_norm))
  end)

  it("raises on bad arrays", function()
    assert.has_error(function() stats.dispersion({ 1, 2 }, { 10 }) end, "freqs and sizes differ in length (2, 1)")
    assert.has_error(function() stats.dispersion({}, {}) end)
    assert.has_error(function() stats.dispersion({ 1, -2 }, { 10, 10 }) end)
    assert.has_error(function() stats.dispersion({ 1, "x" }, { 10, 10 }) end)
    assert.has_error(function() stats.dispersion({ 1, 2 }, { 0, 0 }) end)
    assert.has_error(function() stats.dispersion({ 1, 2 }) end)
    assert.has_error(function() stats.dispersion("1,2", { 1, 2 }) end)
  end)
end)

describe("quarry.stats.pvalue", function()
  it("is the chi-squared upper tail", function()
    near(0.05, stats.pvalue(3.841458820694124), 1e-12)
    near(0.05, stats.pvalue(11.070497693516351, 5), 1e-9)
    assert.are.equal(1, stats.pvalue(0))
    assert.are.equal(0, stats.pvalue(math.huge, 3))
  end)

  it("raises on bad arguments", function()
    assert.has_error(function() stats.pvalue("3") end)
    assert.has_error(function() stats.pvalue(0/0) end)
    assert.has_error(function() stats.pvalue(3, 0) end)
    assert.has_error(function() stats.pvalue(3, 1.5) end)
  end)
end)

-- Differential tests against R -------------------------------------------

local function rscript()
  local p = io.popen("command -v Rscript 2>/dev/null")
  local path = p:read("l")
  p:close()
  return path
end

local function random_tables(count)
  -- A fixed seed: the tables are the same on every run.
  math.randomseed(20260528)
  local t = {}
  for i = 1, count do
    local o11, o12, o21, o22
    if i % 3 == 0 then -- corpus-like: rare node and collocate in a large N
      o11 = math.random(0, 40)
      o12 = math.random(1, 3000)
      o21 = math.random(1, 5000)
      o22 = math.random(100000, 5000000)
    elseif i % 3 == 1 then -- small tables, zero cells included
      o11, o12 = math.random(0, 12), math.random(0, 12)
      o21, o22 = math.random(1, 12), math.random(1, 12)
      if o11 + o12 == 0 then o12 = 1 end
    else -- medium
      o11, o12 = math.random(1, 500), math.random(1, 500)
      o21, o22 = math.random(1, 500), math.random(1, 500)
    end
    t[i] = { o11, o12, o21, o22 }
  end
  return t
end

describe("quarry.stats against R", function()
  local R = rscript()

  it("has Rscript (install r-base-core, listed in tools/packages.txt)", function()
    assert(R, "Rscript not found: install r-base-core (tools/packages.txt, tests group)"
      .. " to run the differential tests against R")
  end)

  it("agrees with chisq.test, the G2 formula, fisher.test and pchisq", function()
    assert(R, "Rscript not found: install r-base-core (tools/packages.txt, tests group)")
    local tables = random_tables(60)
    local tpath, ppath = os.tmpname(), os.tmpname()
    local f = assert(io.open(tpath, "w"))
    for _, t in ipairs(tables) do f:write(table.concat(t, " "), "\n") end
    f:close()
    math.randomseed(7)
    local pv = {}
    for i = 1, 60 do
      local df = (i <= 20) and 1 or math.random(1, 120)
      pv[i] = { math.random() * 3 * df + (i % 5 == 0 and 40 or 0), df }
    end
    f = assert(io.open(ppath, "w"))
    for _, p in ipairs(pv) do f:write(string.format("%.17g %d\n", p[1], p[2])) end
    f:close()
    local cmd = string.format("%q --vanilla %q %q %q 2>&1", R, FIX .. "/reference.R", tpath, ppath)
    local proc = assert(io.popen(cmd))
    local out = proc:read("a")
    proc:close()
    os.remove(tpath)
    os.remove(ppath)
    local rows, prow = {}, {}
    for line in out:gmatch("[^\n]+") do
      local kind, rest = line:match("^(%u) (.*)$")
      local nums = {}
      for x in (rest or ""):gmatch("%S+") do nums[#nums + 1] = tonumber(x) end
      if kind == "T" then rows[#rows + 1] = nums elseif kind == "P" then prow[#prow + 1] = nums[1] end
    end
    assert.are.equal(#tables, #rows, "R output:\n" .. out)
    assert.are.equal(#pv, #prow, "R output:\n" .. out)
    for i, t in ipairs(tables) do
      local r, want = stats.association(t[1], t[2], t[3], t[4]), rows[i]
      local ctx = table.concat(t, " ")
      local ok, err = pcall(function()
        near(want[1], r.chi2, 1e-10, 1e-12)
        near(want[2], r.chi2_yates, 1e-10, 1e-12)
        near(want[3], r.p_chi2, 1e-9, 1e-300)
        near(want[4], quarry.stats.pvalue(r.chi2_yates), 1e-9, 1e-300)
        near(want[5], math.abs(r.g2), 1e-10, 1e-12)
        near(want[6], r.p_g2, 1e-9, 1e-300)
        near(want[7], r.p_fisher, 1e-9, 1e-300)
      end)
      assert(ok, "table " .. ctx .. ": " .. tostring(err))
      -- keyness of o11 in (o11 + o21) against o12 in (o12 + o22): the same
      -- table read by columns, so the same Pearson statistics.
      if t[1] + t[3] > 0 and t[2] + t[4] > 0 then
        local k = stats.keyness(t[1], t[1] + t[3], t[2], t[2] + t[4])
        near(want[1], math.abs(k.chi2), 1e-10, 1e-12)
        near(want[2], math.abs(k.chi2_yates), 1e-10, 1e-12)
      end
    end
    for i, p in ipairs(pv) do
      local ok, err = pcall(near, prow[i], stats.pvalue(p[1], p[2]), 1e-9, 1e-300)
      assert(ok, string.format("pvalue(%.17g, %d): %s", p[1], p[2], tostring(err)))
    end
  end)
end)
