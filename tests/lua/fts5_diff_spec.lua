-- Differential tests against SQLite FTS5: random phrase, boolean, prefix
-- and NEAR queries must select the same documents in quarry and in FTS5 on
-- the same documents, wherever the two define the same thing.
--
-- Where they differ, and why these tests stay clear of it (docs/query.md,
-- "quarry and FTS5"):
--  * quarry gives punctuation a token position, FTS5 drops it: "a b" does
--    not match "a, b" in quarry and NEAR distances count the comma. The
--    generated corpus has no punctuation; on the fixture corpus only terms
--    and booleans are compared.
--  * FTS5's unicode61 removes diacritics (café = cafe) and splits "don't";
--    quarry keeps both. Generated words are plain ASCII letters.
--  * NEAR: both count the tokens between the operands,
--    (max end - min start) - (sum of the operands' lengths) <= N.
local quarry = require "quarry"

local ART = os.getenv("QUARRY_ARTIFACTS") or "/tmp"
local FIX = assert(os.getenv("QUARRY_FIXTURES"), "QUARRY_FIXTURES not set")

local function sh(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local function have_sqlite()
  local p = io.popen("sqlite3 -version 2>/dev/null")
  local v = p:read("a")
  p:close()
  return v ~= ""
end

-- A small deterministic generator (xorshift), so failures reproduce.
local function rng(seed)
  local x = seed
  return function(n)
    x = x ~ (x << 13) & 0xffffffff
    x = x ~ (x >> 17)
    x = x ~ (x << 5) & 0xffffffff
    return x % n + 1
  end
end

local VOCAB = {
  "the", "of", "and", "to", "in", "peace", "war", "nation", "people", "freedom",
  "economy", "growth", "labor", "tax", "taxes", "taxation", "trade", "world",
  "security", "justice", "liberty", "union", "states", "congress", "law",
  "new", "quality", "productive", "forces", "development", "reform", "energy",
  "health", "care", "school", "children", "future", "hope", "work", "jobs",
}

-- Zipf-like: low indexes much more frequent.
local function word(r)
  local a, b = r(#VOCAB), r(#VOCAB)
  return VOCAB[math.min(a, b)]
end

local function gen_docs(r, n)
  local docs = {}
  for i = 1, n do
    local len = 5 + r(60)
    local w = {}
    for j = 1, len do w[j] = word(r) end
    docs[i] = table.concat(w, " ")
  end
  return docs
end

local function sql_quote(s) return "'" .. s:gsub("'", "''") .. "'" end

-- Runs every FTS5 query over docs in one sqlite3 process; returns, per
-- query, the sorted list of matching rowids (1-based, as the docs array).
local function fts5_run(docs, queries)
  local script = { "CREATE VIRTUAL TABLE t USING fts5(body);", "BEGIN;" }
  for i, d in ipairs(docs) do
    script[#script + 1] = string.format("INSERT INTO t(rowid, body) VALUES(%d, %s);", i,
                                        sql_quote(d))
  end
  script[#script + 1] = "COMMIT;"
  for i, q in ipairs(queries) do
    script[#script + 1] = string.format("SELECT 'Q%d';", i)
    script[#script + 1] = string.format(
      "SELECT rowid FROM t WHERE t MATCH %s ORDER BY rowid;", sql_quote(q))
  end
  local path = string.format("%s/fts5-diff-%d.sql", ART, os.time())
  os.execute("mkdir -p " .. sh(ART))
  local f = assert(io.open(path, "w"))
  f:write(table.concat(script, "\n"), "\n")
  f:close()
  local p = assert(io.popen("sqlite3 -bail :memory: < " .. sh(path) .. " 2>&1"))
  local out = p:read("a")
  p:close()
  local res, cur = {}, nil
  for line in out:gmatch("[^\n]+") do
    local qi = line:match("^Q(%d+)$")
    if qi then
      cur = {}
      res[tonumber(qi)] = cur
    elseif line:match("^%d+$") and cur then
      cur[#cur + 1] = tonumber(line)
    else
      error("sqlite3 said: " .. line .. "\n(script " .. path .. ")")
    end
  end
  os.remove(path)
  return res
end

local function build_index(name, docs)
  local path = string.format("%s/fts5-diff/%s-%d.quarry", ART, name, os.time())
  os.execute("rm -rf " .. sh(path) .. " && mkdir -p " .. sh(path:match("^(.*)/")))
  local w <close> = assert(quarry.writer(path, { threads = 1 }))
  for i, d in ipairs(docs) do
    assert(w:add({ source = "doc" .. i, text = d }))
  end
  assert(w:commit())
  w:close()
  return assert(quarry.open(path)), path
end

-- Matching documents of a quarry query, as sorted positions in docs (the
-- source "docN" names the row).
local function quarry_docs(idx, q)
  local seen, out = {}, {}
  for doc in idx:search(q) do
    if not seen[doc] then
      seen[doc] = true
      local d = assert(idx:doc(doc, { text = false }))
      out[#out + 1] = tonumber(d.source:match("^doc(%d+)$"))
    end
  end
  table.sort(out)
  return out
end

-- Random queries as pairs {quarry text, FTS5 text}.
local function gen_queries(r, n)
  local function leaf()
    local k = r(10)
    if k <= 4 then
      local w = word(r)
      return w, w
    elseif k <= 7 then
      local len = 2 + r(2) - 1
      local ws = {}
      for i = 1, len do ws[i] = word(r) end
      local p = '"' .. table.concat(ws, " ") .. '"'
      return p, p
    elseif k <= 8 then
      local w = VOCAB[r(#VOCAB)]
      local pre = w:sub(1, math.max(2, #w - r(3)))
      return pre .. "*", pre .. "*"
    else
      local a, b = word(r), word(r)
      while b == a do b = VOCAB[r(#VOCAB)] end
      local nd = r(6) - 1
      return string.format("NEAR/%d(%s, %s)", nd, a, b), string.format("NEAR(%s %s, %d)", a, b, nd)
    end
  end
  local function expr(depth)
    if depth == 0 or r(3) == 1 then return leaf() end
    local op = ({ "AND", "OR", "NOT" })[r(3)]
    local aq, af = expr(depth - 1)
    local bq, bf = expr(depth - 1)
    return "(" .. aq .. " " .. op .. " " .. bq .. ")", "(" .. af .. " " .. op .. " " .. bf .. ")"
  end
  local qs = {}
  for i = 1, n do
    local q, f = expr(3)
    qs[i] = { q, f }
  end
  return qs
end

describe("quarry and SQLite FTS5 select the same documents", function()
  if not have_sqlite() then
    it("needs sqlite3 (install it: it is in tools/packages.txt)", function()
      error("sqlite3 is not installed")
    end)
    return
  end

  it("for 300 random phrase, prefix, boolean and NEAR queries on a generated corpus", function()
    local r = rng(20261128)
    local docs = gen_docs(r, 400)
    local idx <close> = build_index("generated", docs)
    local queries = gen_queries(r, 300)
    local fts = {}
    for i, q in ipairs(queries) do fts[i] = q[2] end
    local expected = fts5_run(docs, fts)
    local nonempty = 0
    for i, q in ipairs(queries) do
      local got = quarry_docs(idx, q[1])
      assert.are.same(expected[i], got, "query " .. q[1] .. " / FTS5 " .. q[2])
      if #got > 0 then nonempty = nonempty + 1 end
    end
    -- the comparison means something only if most queries match something
    assert.is_true(nonempty > 150, "only " .. nonempty .. " queries matched")
  end)

  it("for terms and booleans on the fixture speeches", function()
    local docs = {}
    for line in io.lines(FIX .. "/query/speeches.txt") do
      if line:match("%S") then docs[#docs + 1] = line end
    end
    assert.is_true(#docs >= 20)
    local idx <close> = build_index("fixture", docs)
    -- plain ASCII words of the fixture, the ones FTS5 tokenizes the same
    local words, seen = {}, {}
    for _, d in ipairs(docs) do
      for w in d:gmatch("%a+") do
        local l = w:lower()
        if #l > 2 and not seen[l] then
          seen[l] = true
          words[#words + 1] = l
        end
      end
    end
    table.sort(words)
    local r = rng(7)
    local queries = {}
    for i = 1, 120 do
      local a, b, c = words[r(#words)], words[r(#words)], words[r(#words)]
      local form = r(4)
      if form == 1 then queries[i] = a
      elseif form == 2 then queries[i] = a .. " AND " .. b
      elseif form == 3 then queries[i] = "(" .. a .. " OR " .. b .. ") NOT " .. c
      else queries[i] = a .. " OR " .. b .. " OR " .. c end
    end
    local expected = fts5_run(docs, queries)
    for i, q in ipairs(queries) do
      assert.are.same(expected[i], quarry_docs(idx, q), "query " .. q)
    end
  end)
end)
