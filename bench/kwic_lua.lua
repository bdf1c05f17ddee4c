-- bench/kwic_lua.lua - concordance lines per second through the Lua API:
-- the first N hits of a query, then idx:kwic for each (8 tokens a side).
-- Usage: quarry run bench/kwic_lua.lua INDEX QUERY N
local quarry = require "quarry"

local path, text, n = arg[1], arg[2], tonumber(arg[3] or "100000")
assert(path and text, "usage: quarry run bench/kwic_lua.lua INDEX QUERY N")
local idx <close> = assert(quarry.open(path))
local cur <close> = assert(idx:cursor(text))
local docs, firsts, lasts = {}, {}, {}
local got = cur:fetch(n, docs, firsts, lasts)
local clock = quarry._sys.clock
local opts = { unit = "tokens", left = 8, right = 8 }
local kwic = idx.kwic
local t0, bytes = clock(), 0
for i = 1, got do
  local l, h, r = kwic(idx, docs[i], firsts[i], lasts[i], opts)
  bytes = bytes + #l + #h + #r
end
local t = clock() - t0
print(string.format("mode=kwic-lua lines=%d s=%.3f lines_per_s=%.0f bytes=%d", got, t,
                    got / t, bytes))
