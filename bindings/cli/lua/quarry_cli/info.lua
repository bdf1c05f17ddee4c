-- quarry_cli.info: `quarry info [-i INDEX]`, what an index holds.
local quarry = require "quarry"
local ingest = require "quarry_cli.ingest"
local util = require "quarry_cli.util"

local M = {
  summary = "show what an index holds: documents, tokens, types, sizes, fields",
  usage = "quarry info [OPTIONS] [-i INDEX]",
  description = table.concat({
    "Prints the committed snapshot of INDEX: format version and generation,",
    "live and deleted documents, tokens (punctuation included), types (distinct",
    "terms), segments, size on disk per part, the metadata fields with their",
    "types, ranges and distinct values, and the tokenizer options it was built",
    "with. --format json prints the same as one object.",
    "",
    "Exit status: 0, or 2 when INDEX is missing or cannot be read.",
  }, "\n"),
}

M.options = {
  ingest.index_option,
  { long = "format", short = "f", arg = "FMT", choices = { "text", "json" }, default = "text",
    help = "output format: text or json" },
}

--- The tokenizer options that differ from the defaults, as CLI flags.
local function tokenizer_text(t)
  local flags = {}
  if t.case_sensitive then flags[#flags + 1] = "--case-sensitive" end
  if not t.nfkc then flags[#flags + 1] = "--no-nfkc" end
  if t.split_hyphens then flags[#flags + 1] = "--split-hyphens" end
  if t.split_apostrophes then flags[#flags + 1] = "--split-apostrophes" end
  if t.split_numbers then flags[#flags + 1] = "--split-numbers" end
  if not t.cjk_words then flags[#flags + 1] = "--no-cjk-words" end
  if t.lexicon then flags[#flags + 1] = "--lexicon " .. t.lexicon end
  if t.locale then flags[#flags + 1] = "locale " .. t.locale end
  if #flags == 0 then return "defaults (case folding, NFKC, CJK words)" end
  return table.concat(flags, " ")
end

function M.run(opts, positional)
  if positional[1] then
    require("quarry_cli.args").usage_error("info", "unexpected argument '%s' (the index is -i INDEX)",
                                           positional[1])
  end
  local path = ingest.index_path(opts)
  local idx <close> = ingest.open_index(path)
  local info, msg, code = idx:info()
  if not info then
    require("quarry_cli.args").input_error("cannot read %s: %s (%s)", path, msg, code)
  end

  if opts.format == "json" then
    local json = quarry.json
    local fields = json.array()
    for _, f in ipairs(info.fields) do fields[#fields + 1] = f end
    local bytes = json.object()
    for _, p in ipairs(info.parts) do bytes[p] = info.bytes[p] end
    io.stdout:write(json.encode({
      index = path, format_version = info.format_version, generation = info.generation,
      documents = info.documents, deleted = info.deleted, tokens = info.tokens,
      types = info.types, segments = info.segments, bytes_total = info.bytes_total,
      bytes = bytes, fields = fields, tokenizer = json.object(info.tokenizer),
    }, { indent = true }), "\n")
    return 0
  end

  local out = {}
  local function w(s) out[#out + 1] = s end
  w(string.format("index %s: format %d, generation %d\n", path, info.format_version,
                  info.generation))
  w(util.columns({
    { "documents", tostring(info.documents),
      info.deleted > 0 and string.format("(+%d deleted, reclaimed by merges or 'quarry optimize')",
                                         info.deleted) or "" },
    { "tokens", tostring(info.tokens), "(punctuation included)" },
    { "types", tostring(info.types), "(distinct terms)" },
    { "segments", tostring(info.segments), "" },
    { "size", ingest.format_bytes(info.bytes_total), "on disk:" },
  }, { nil, "r" }, "  "))
  local rows = {}
  for _, p in ipairs(info.parts) do
    local b = info.bytes[p] or 0
    local pct = info.bytes_total > 0 and string.format("%.1f%%", 100 * b / info.bytes_total) or ""
    rows[#rows + 1] = { p, ingest.format_bytes(b), pct }
  end
  w(util.columns(rows, { nil, "r", "r" }, "    "))
  w(util.fields_table(info.fields))
  w("\ntokenizer: " .. tokenizer_text(info.tokenizer) .. "\n")
  io.stdout:write(table.concat(out))
  return 0
end

return M
