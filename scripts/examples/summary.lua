-- summary.lua: a corpus summary from a short script, without an index.
--
--   quarry run scripts/examples/summary.lua SOURCES...
--
-- Reads every document of SOURCES (files, directories, globs), counts them
-- in C with quarry.summary, and prints the totals and the 10 most frequent
-- words. Skipped files and read errors are listed on stderr.
local quarry = require "quarry"

if #arg == 0 then
  io.stderr:write("usage: summary.lua SOURCES...\n")
  os.exit(2)
end

local sources, err = quarry.open_sources(arg)
if not sources then
  io.stderr:write("summary: ", err, "\n")
  os.exit(2)
end

local summary <close> = assert(quarry.summary())
summary:add_sources(sources)
for _, kind in ipairs { "error", "warning" } do
  for _, ev in ipairs(sources:events(kind)) do
    io.stderr:write(quarry.format_event(ev), "\n")
  end
end
sources:close()

local r = summary:result(10)
print(("%d documents, %d words, %d types"):format(r.documents, r.words, r.types))
for i, w in ipairs(r.top) do print(("%2d  %-12s %d"):format(i, w.word, w.count)) end
