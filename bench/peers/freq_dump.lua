-- bench/peers/freq_dump.lua INDEX OUT: writes the counted tokens of every
-- live document of INDEX (normalized terms, punctuation and symbols left
-- out, exactly as `quarry freq --unit terms` counts them), one per line, an
-- empty line wherever left-out tokens break a run (as they break n-grams)
-- and between documents. Used by bench/freq.sh for the Python peers.
local quarry = require "quarry"

local idx = assert(quarry.open(assert(arg[1], "usage: freq_dump.lua INDEX OUT")))
local out = assert(io.open(assert(arg[2], "usage: freq_dump.lua INDEX OUT"), "wb"))

-- The terms quarry leaves out: counted with punct = true but not without.
local with_punct = assert(idx:freq({ unit = "terms", punct = true }))
local counted = {}
for _, r in ipairs((assert(idx:freq({ unit = "terms" })))) do counted[r.term] = true end
local skip = {}
for _, r in ipairs(with_punct) do
  if not counted[r.term] then skip[r.term] = true end
end

local text = {} -- term id -> text, or false when left out
local buf, nbuf = {}, 0
for _, doc in ipairs(assert(idx:docs())) do
  local t = assert(idx:tokens(doc))
  local broken = true
  for i = 1, t.n do
    local id = t.ids[i]
    local s = text[id]
    if s == nil then
      s = idx:term_text(id)
      if skip[s] then s = false end
      text[id] = s
    end
    if s then
      nbuf = nbuf + 1
      buf[nbuf] = s
      broken = false
    elseif not broken then
      nbuf = nbuf + 1
      buf[nbuf] = ""
      broken = true
    end
  end
  if not broken then
    nbuf = nbuf + 1
    buf[nbuf] = ""
  end
  if nbuf > 100000 then
    out:write(table.concat(buf, "\n", 1, nbuf), "\n")
    nbuf = 0
  end
end
if nbuf > 0 then out:write(table.concat(buf, "\n", 1, nbuf), "\n") end
out:close()
