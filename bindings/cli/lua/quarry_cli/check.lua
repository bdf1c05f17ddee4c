-- quarry_cli.check: `quarry check [-i INDEX]`, verifies an index.
local args = require "quarry_cli.args"
local ingest = require "quarry_cli.ingest"

local M = {
  summary = "verify the checksums and structure of an index",
  usage = "quarry check [OPTIONS] [-i INDEX]",
  description = table.concat({
    "Reads every file of the committed snapshot of INDEX and verifies its",
    "checksums and structure (term order, postings against token streams, ids",
    "and offsets in range). On success prints one 'ok' line; otherwise names",
    "the file, the part and what is wrong.",
    "",
    "Exit status: 0 when the index is sound; 2 when it is corrupt, missing,",
    "or written by a newer format version.",
  }, "\n"),
}

M.options = {
  ingest.index_option,
  { long = "quiet", short = "q", help = "print nothing when the index is sound" },
}

function M.run(opts, positional)
  if positional[1] then
    args.usage_error("check", "unexpected argument '%s' (the index is -i INDEX)", positional[1])
  end
  local path = ingest.index_path(opts)
  local idx <close> = ingest.open_index(path)
  local ok, msg, code = idx:check()
  if not ok then
    args.input_error("check failed: %s: %s (%s)", path, msg, code)
  end
  if not opts.quiet then
    local info = assert(idx:info())
    io.stdout:write(string.format("ok: %s: %d documents in %d segment%s, generation %d, %s verified\n",
                                  path, info.documents, info.segments, info.segments == 1 and "" or "s", info.generation,
                                  ingest.format_bytes(info.bytes_total)))
  end
  return 0
end

return M
