-- quarry_cli.rm: `quarry rm SOURCE... | --where FILTER [-i INDEX]`, removes
-- documents from an index.
local quarry = require "quarry"
local args = require "quarry_cli.args"
local ingest = require "quarry_cli.ingest"

local M = {
  summary = "remove documents by source or by a field filter",
  usage = "quarry rm [OPTIONS] SOURCE... [-i INDEX]\n       quarry rm [OPTIONS] --where FILTER [-i INDEX]",
  description = table.concat({
    "Removes every document whose source is one of SOURCE (as stored: the path",
    "given to 'quarry index', e.g. corpus/a.txt; a SOURCE that is no stored",
    "source but a directory prefix, e.g. corpus/old, removes every source under",
    "it), and/or every document whose",
    "fields match FILTER, e.g. --where 'year<1900' or",
    "--where 'party:Whig OR (year>=1850 AND year<1860)' (docs/cli.md has the",
    "filter syntax). The files themselves are not touched. Everything is",
    "removed in one commit.",
    "",
    "Exit status: 0 when documents were removed, 1 when nothing matched,",
    "2 for usage errors, a filter that does not parse, a missing or busy index.",
  }, "\n"),
}

M.options = {
  ingest.index_option,
  { long = "where", short = "w", arg = "FILTER", help = "remove the documents whose fields match FILTER" },
  { long = "format", short = "f", arg = "FMT", choices = { "text", "json" }, default = "text",
    help = "summary format: text or json" },
  { long = "quiet", short = "q", help = "print nothing on success" },
}

function M.run(opts, positional)
  if #positional == 0 and not opts.where then
    args.usage_error("rm", "give SOURCE arguments or --where FILTER")
  end
  local path = ingest.index_path(opts)
  ingest.open_index(path):close() -- a missing index is an error, not a new one
  local w <close> = ingest.open_writer(path)
  local removed, missing = 0, {}
  local stored -- the sources of the snapshot, read once if needed
  local function delete(s)
    local n, msg, code = w:delete(s)
    if not n then args.input_error("cannot remove %s: %s (%s)", s, msg, code) end
    return n
  end
  for _, s in ipairs(positional) do
    local n = delete(s)
    if n == 0 then
      -- a directory: every source under it
      local prefix = s:gsub("/+$", "") .. "/"
      if not stored then
        local idx <close> = ingest.open_index(path)
        stored = idx:sources()
      end
      for _, src in ipairs(stored) do
        if src:sub(1, #prefix) == prefix then n = n + delete(src) end
      end
    end
    if n == 0 then missing[#missing + 1] = s end
    removed = removed + n
  end
  if opts.where then
    -- the snapshot is opened under the writer's lock: nobody commits meanwhile
    local idx <close> = ingest.open_index(path)
    local ids, msg, code, pos = idx:docs({ filter = opts.where })
    if not ids then
      if code == "ESYNTAX" and pos then
        args.input_error("%s\n  %s\n  %s^", msg, opts.where, string.rep(" ", pos - 1))
      end
      args.input_error("%s (%s)", msg, code)
    end
    for _, id in ipairs(ids) do
      local d = assert(idx:doc(id, { text = false }))
      local n, dmsg, dcode = w:delete(d.source, d.record)
      if not n then args.input_error("cannot remove %s: %s (%s)", d.source, dmsg, dcode) end
      removed = removed + n
    end
  end
  for _, s in ipairs(missing) do
    io.stderr:write("quarry: rm: no document with source ", s, "\n")
  end
  local stats, msg, code = w:commit()
  if not stats then args.input_error("commit to %s failed: %s (%s)", path, msg, code) end
  if opts.format == "json" then
    io.stdout:write(quarry.json.encode({
      index = path, removed = removed, documents = stats.documents,
      segments = stats.segments, generation = stats.generation,
    }, { indent = true }), "\n")
  elseif not opts.quiet then
    io.stdout:write(string.format("removed %d document%s from %s (%d left, generation %d)\n",
                                  removed, removed == 1 and "" or "s", path, stats.documents,
                                  stats.generation))
  end
  return removed > 0 and 0 or 1
end

return M
