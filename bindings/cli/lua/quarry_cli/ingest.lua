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

return M
