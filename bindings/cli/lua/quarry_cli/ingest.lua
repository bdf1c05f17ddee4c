-- quarry_cli.ingest: the options every command that reads sources shares
-- (how to read documents) and those of every command that tokenizes, with
-- their conversion to the option tables of quarry.open_sources and
-- quarry.tokenize / quarry.summary.
local args = require "quarry_cli.args"

local M = {}

local FORMATS = { "auto", "text", "markdown", "json", "jsonl", "csv" }
local TYPES = { string = true, integer = true, number = true, date = true, auto = true }

--- Options about reading sources.
M.read_options = {
  { long = "input-format", arg = "FMT", choices = FORMATS,
    help = "read every file as FMT: auto (default), text, markdown, json, jsonl, csv" },
  { long = "text-field", arg = "NAME",
    help = "JSON/JSONL/CSV field holding the text (default: text, content, body)" },
  { long = "meta-from-name", arg = "PATTERN",
    help = "take fields from file names, e.g. '{country}_{session}_{year}'" },
  { long = "field", arg = "NAME=TYPE", repeatable = true,
    help = "type of a field: string, integer, number, date, auto (repeatable)" },
  { long = "no-sidecar", help = "do not merge x.json metadata into x.txt / x.md" },
  { long = "hidden", help = "read hidden files and directories too" },
  { long = "verbose", short = "v", help = "list every skipped file with its reason" },
  { long = "quiet", short = "q", help = "no warnings on stderr (errors always; stats reports list both)" },
}

--- Options about tokenizing.
M.tokenizer_options = {
  { long = "case-sensitive", help = "keep case in normalized forms" },
  { long = "no-nfkc", help = "no NFKC normalization in normalized forms" },
  { long = "split-hyphens", help = "split hyphenated compounds (Fellow-Citizens -> 3 tokens)" },
  { long = "split-apostrophes", help = "split at inner apostrophes (don't -> don ' t)" },
  { long = "split-numbers", help = "split numbers at separators (1,000.5 -> 1 , 000 . 5)" },
  { long = "no-cjk-words", help = "count CJK by character, without the word layer" },
  { long = "lexicon", arg = "FILE", help = "user lexicon for Chinese words, one word per line" },
}

--- Appends the given spec lists to specs and returns it.
function M.with(specs, ...)
  for _, list in ipairs({ ... }) do
    for _, s in ipairs(list) do specs[#specs + 1] = s end
  end
  return specs
end

--- Converts parsed options to quarry.open_sources options.
function M.to_read_opts(command, opts)
  local r = { sidecar = not opts.no_sidecar, hidden = opts.hidden or false }
  if opts.input_format and opts.input_format ~= "auto" then r.format = opts.input_format end
  r.text_field = opts.text_field
  r.name_pattern = opts.meta_from_name
  if opts.field and #opts.field > 0 then
    r.fields = {}
    for _, f in ipairs(opts.field) do
      local name, ty = f:match("^([^=]+)=(.+)$")
      if not name then
        args.usage_error(command, "--field expects NAME=TYPE, got '%s'", f)
      end
      if not TYPES[ty] then
        args.usage_error(command,
          "--field %s: unknown type '%s' (string, integer, number, date, auto)", name, ty)
      end
      r.fields[name] = ty
    end
  end
  return r
end

--- Converts parsed options to quarry.tokenize / quarry.summary options.
function M.to_tokenizer_opts(opts)
  return {
    case_sensitive = opts.case_sensitive or false,
    nfkc = not opts.no_nfkc,
    split_hyphens = opts.split_hyphens or false,
    split_apostrophes = opts.split_apostrophes or false,
    split_numbers = opts.split_numbers or false,
    cjk_words = not opts.no_cjk_words,
    lexicon = opts.lexicon,
  }
end

--- Whether any tokenizer option was given on the command line (a writer
--- then passes them on: they must match an existing index).
function M.tokenizer_given(opts)
  for _, s in ipairs(M.tokenizer_options) do
    if opts[args.key(s)] ~= nil then return true end
  end
  return false
end

-- ---------------------------------------------------------------------------
-- The index a command works on
-- ---------------------------------------------------------------------------

--- Where the index lives when neither -i nor QUARRY_INDEX says: a hidden
--- directory in the current directory, so `quarry index .` never reads it.
M.DEFAULT_INDEX = ".quarry"

M.index_option = {
  long = "index", short = "i", arg = "INDEX",
  help = "index directory (default: $QUARRY_INDEX, else ./" .. M.DEFAULT_INDEX .. ")",
}

--- The index path: -i INDEX, else $QUARRY_INDEX, else ./.quarry.
function M.index_path(opts)
  if opts.index and opts.index ~= "" then return opts.index end
  local env = os.getenv("QUARRY_INDEX")
  if env and env ~= "" then return env end
  return M.DEFAULT_INDEX
end

--- Opens the snapshot at path or raises an input error (exit 2) that says
--- what is wrong and, for a missing index, how to make one.
function M.open_index(path)
  local quarry = require "quarry"
  local idx, msg, code = quarry.open(path)
  if idx then return idx end
  if code == "ENOENT" then
    args.input_error("no index at %s (build one with 'quarry index SOURCES -i %s'%s)",
                     path, path, path == M.DEFAULT_INDEX and ", or set QUARRY_INDEX" or "")
  end
  args.input_error("cannot open the index %s: %s (%s)", path, msg, code)
end

--- Opens a writer on path or raises an input error; EBUSY names the holder.
function M.open_writer(path, wopts)
  local quarry = require "quarry"
  local w, msg, code = quarry.writer(path, wopts)
  if w then return w end
  if code == "EBUSY" then
    args.input_error("the index %s is busy: %s", path, msg)
  end
  args.input_error("cannot write the index %s: %s (%s)", path, msg, code)
end

--- Formats a byte count as "512 B", "12.3 KB", "4.5 MB", "1.2 GB".
function M.format_bytes(n)
  if n < 1024 then return string.format("%d B", n) end
  local units = { "KB", "MB", "GB", "TB" }
  local v, i = n / 1024, 1
  while v >= 1024 and i < #units do v = v / 1024; i = i + 1 end
  return string.format(v < 10 and "%.2f %s" or (v < 100 and "%.1f %s" or "%.0f %s"), v, units[i])
end

return M
