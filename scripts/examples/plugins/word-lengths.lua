-- word-lengths: an example third-party ANALYSIS plugin for quarry.
--
-- It is written only against quarry's public API (the plugin contract of
-- docs/reports.md and the Index methods of docs/lua.md), as a plugin of
-- your own would be. Install it by putting this file in a directory of
-- $QUARRY_PATH or in ~/.local/share/quarry/plugins/, then:
--
--   quarry plugins                        # lists word-lengths
--   quarry report --analysis word-lengths --opt by=year --format html -o lengths.html
--
-- What it measures: how long the words of the corpus are, in characters,
-- per group of documents (the value of a field such as year or party), as
-- a table of shares per length and a bar chart. A word is a token with a
-- letter or digit in it; punctuation tokens are not words. Lengths are
-- counted in Unicode characters, so a two-character Chinese word has
-- length 2.

-- Unicode blocks of punctuation and symbols: a token made only of these
-- (and ASCII punctuation) is not a word.
local PUNCTUATION_BLOCKS = {
  { 0x2000, 0x206F }, -- general punctuation
  { 0x3000, 0x303F }, -- CJK symbols and punctuation
  { 0xFE30, 0xFE4F }, -- CJK compatibility forms
  { 0xFF01, 0xFF0F }, { 0xFF1A, 0xFF20 }, { 0xFF3B, 0xFF40 }, { 0xFF5B, 0xFF65 },
}

local function is_word_char(cp)
  if cp < 0x80 then
    local c = string.char(cp)
    return c:match("%w") ~= nil
  end
  for _, b in ipairs(PUNCTUATION_BLOCKS) do
    if cp >= b[1] and cp <= b[2] then return false end
  end
  return true
end

--- The length of term in characters if it is a word, else nil.
local function word_length(term)
  local n, word = 0, false
  for _, cp in utf8.codes(term) do
    n = n + 1
    if not word and is_word_char(cp) then word = true end
  end
  return word and n or nil
end

--- The documents of the subcorpus: a field filter and/or a query.
local function subcorpus_docs(idx, sub)
  local ids = assert(idx:docs({ filter = sub.filter }))
  if not sub.query then return ids end
  local with_hit, out = {}, {}
  for doc in idx:search(sub.query, { filter = sub.filter }) do with_hit[doc] = true end
  for _, id in ipairs(ids) do
    if with_hit[id] then out[#out + 1] = id end
  end
  return out
end

local function group_order(a, b)
  if type(a) == "number" and type(b) == "number" then return a < b end
  if type(a) == "number" then return true end
  if type(b) == "number" then return false end
  return tostring(a) < tostring(b)
end

local function run(ctx, opts)
  local idx = ctx.index
  local max = opts.max
  local groups, order = {}, {}
  local length_of = {} -- term id -> length, or false for punctuation

  for _, id in ipairs(subcorpus_docs(idx, ctx.subcorpus or {})) do
    local key = "all documents"
    if opts.by then
      local doc = assert(idx:doc(id, { text = false }))
      key = doc.fields[opts.by]
      if key == nil then key = "(no " .. opts.by .. ")" end
    end
    local g = groups[key]
    if not g then
      g = { key = key, words = 0, chars = 0, bins = {} }
      for len = 1, max do g.bins[len] = 0 end
      groups[key] = g
      order[#order + 1] = key
    end
    local toks = idx:tokens(id)
    for i = 1, toks.n do
      local tid = toks.ids[i]
      local len = length_of[tid]
      if len == nil then
        len = word_length(idx:term_text(tid)) or false
        length_of[tid] = len
      end
      if len then
        g.words = g.words + 1
        g.chars = g.chars + len
        local bin = len < max and len or max
        g.bins[bin] = g.bins[bin] + 1
      end
    end
  end
  table.sort(order, group_order)

  local columns = {
    { key = "group", title = opts.by or "group", type = "string" },
    { key = "words", title = "words", type = "integer" },
    { key = "mean", title = "mean length", type = "number", digits = 2 },
  }
  for len = 1, max do
    columns[#columns + 1] = { key = "len" .. len, title = len < max and tostring(len) or (max .. "+"),
                              type = "percent", digits = 1 }
  end
  local rows, points = {}, {}
  for _, key in ipairs(order) do
    local g = groups[key]
    local row = { group = tostring(key), words = g.words,
                  mean = g.words > 0 and g.chars / g.words or 0 }
    for len = 1, max do
      local share = g.words > 0 and g.bins[len] / g.words or 0
      row["len" .. len] = share
      points[#points + 1] = { x = len, y = share, group = tostring(key) }
    end
    rows[#rows + 1] = row
  end

  local s = ctx.report:section("Word lengths",
    "Share of the words of each " .. (opts.by or "group") .. " by length in characters"
      .. " (the last column counts words of " .. max .. " characters or more).")
  if #rows == 0 then
    s:text("No document matched.")
    return
  end
  s:table({ name = "word-lengths", caption = "Word lengths", columns = columns, rows = rows })
  s:series({ name = "word-lengths-chart", caption = "Share of words by length", kind = "bar",
             x = { label = "length (characters)", type = "integer" },
             y = { label = "share of words" }, points = points })
end

return {
  api = 1,
  name = "word-lengths",
  kind = "analysis",
  description = "distribution of word lengths (in characters) per group of documents",
  options = {
    { name = "by", type = "string", help = "field whose values make the groups (default: one group)" },
    { name = "max", type = "integer", default = 10,
      help = "longest length with a column of its own; longer words count in the last one" },
  },
  run = function(ctx, opts)
    if opts.max < 1 then error("option 'max' must be at least 1, got " .. opts.max, 0) end
    return run(ctx, opts)
  end,
}
