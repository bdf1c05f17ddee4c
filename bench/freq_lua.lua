-- bench/freq_lua.lua INDEX KERNEL [RUNS]: times one counting kernel of
-- quarry in process (the Lua call, tables included), median of RUNS after a
-- warm-up, CPU and wall time. Prints one line of key=value pairs.
-- KERNEL: freq (the full frequency list of terms), freq_words (unit words),
-- freq_filtered (terms, --filter year>=1946: every document, so the
-- dictionary counts), freq_subset (terms, --filter year>=1970: 86% of the
-- tokens, through the postings), freq_groups (terms per year, top 100
-- each, through the postings), bigrams (top 1000), keyness (year<1980 vs
-- year>=2000).
local quarry = require "quarry"

local path, kernel, runs = arg[1], arg[2], tonumber(arg[3] or "5")
local idx = assert(quarry.open(path))

local calls = {
  freq = function() return idx:freq({ unit = "terms" }) end,
  freq_words = function() return idx:freq() end,
  freq_filtered = function() return idx:freq({ unit = "terms", filter = "year>=1946" }) end,
  freq_subset = function() return idx:freq({ unit = "terms", filter = "year>=1970" }) end,
  freq_groups = function() return idx:freq({ unit = "terms", by = "year", top = 100 }) end,
  bigrams = function() return idx:ngrams({ unit = "terms", top = 1000 }) end,
  keyness = function()
    return idx:keyness({ unit = "terms", target = { filter = "year<1980" },
                         reference = { filter = "year>=2000" } })
  end,
}
local call = assert(calls[kernel], "unknown kernel " .. tostring(kernel))

local function wall()
  local p = io.popen("date +%s.%N")
  local t = tonumber(p:read("l"))
  p:close()
  return t
end

local recs, meta = call() -- warm-up: page cache, term table
local cpu, wl = {}, {}
for i = 1, runs do
  collectgarbage()
  local w0, c0 = wall(), os.clock()
  recs, meta = call()
  cpu[i], wl[i] = os.clock() - c0, wall() - w0
end
table.sort(cpu)
table.sort(wl)
local mid = (runs + 1) // 2
local extra
if kernel == "keyness" then
  extra = string.format("target_tokens=%d reference_tokens=%d target_docs=%d reference_docs=%d keywords=%d",
                        meta.target_tokens, meta.reference_tokens, meta.target_docs,
                        meta.reference_docs, #recs)
elseif kernel == "bigrams" then
  extra = string.format("tokens=%d ngrams=%d types=%d top=%s:%d", meta.tokens, meta.ngrams,
                        meta.types, recs[1].ngram:gsub(" ", "_"), recs[1].count)
else
  extra = string.format("tokens=%d types=%d top=%s:%d", meta.tokens, meta.types or #recs,
                        recs[1].term, recs[1].count)
end
print(string.format("kernel=%s runs=%d cpu_s=%.4f wall_s=%.4f min_cpu_s=%.4f %s", kernel, runs,
                    cpu[mid], wl[mid], cpu[1], extra))
