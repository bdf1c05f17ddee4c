-- quarry_cli.optimize: `quarry optimize [-i INDEX]`, merges every segment.
local quarry = require "quarry"
local args = require "quarry_cli.args"
local ingest = require "quarry_cli.ingest"

local M = {
  summary = "merge all segments of an index into one, dropping deleted documents",
  usage = "quarry optimize [OPTIONS] [-i INDEX]",
  description = table.concat({
    "Commits, then merges every segment of INDEX into one and commits again:",
    "space held by deleted or replaced documents is reclaimed and searches",
    "read one segment. Readers that opened the index before keep their",
    "snapshot.",
    "",
    "Exit status: 0, or 2 when INDEX is missing, busy or cannot be written.",
  }, "\n"),
}

M.options = {
  ingest.index_option,
  { long = "format", short = "f", arg = "FMT", choices = { "text", "json" }, default = "text",
    help = "summary format: text or json" },
  { long = "quiet", short = "q", help = "print nothing on success" },
}

function M.run(opts, positional)
  if positional[1] then
    args.usage_error("optimize", "unexpected argument '%s' (the index is -i INDEX)", positional[1])
  end
  local path = ingest.index_path(opts)
  local before
  do
    local idx <close> = ingest.open_index(path)
    before = assert(idx:info())
  end
  local w <close> = ingest.open_writer(path)
  local t0 = quarry._sys.clock()
  local stats, msg, code = w:optimize()
  if not stats then args.input_error("optimize %s failed: %s (%s)", path, msg, code) end
  w:close()
  local after
  do
    local idx <close> = ingest.open_index(path)
    after = assert(idx:info())
  end
  local seconds = quarry._sys.clock() - t0
  if opts.format == "json" then
    io.stdout:write(quarry.json.encode({
      index = path, segments_before = before.segments, segments = stats.segments,
      documents = stats.documents, deleted_before = before.deleted,
      bytes_before = before.bytes_total, bytes = after.bytes_total,
      generation = stats.generation, seconds = math.floor(seconds * 1000 + 0.5) / 1000,
    }, { indent = true }), "\n")
  elseif not opts.quiet then
    io.stdout:write(string.format(
      "optimized %s: %d segment%s -> %d, %d documents, %s -> %s (generation %d, %.1f s)\n",
      path, before.segments, before.segments == 1 and "" or "s", stats.segments, stats.documents,
      ingest.format_bytes(before.bytes_total), ingest.format_bytes(after.bytes_total),
      stats.generation, seconds))
  end
  return 0
end

return M
