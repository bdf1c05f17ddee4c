-- quarry_cli.freq: `quarry freq`, a frequency list of the words (or terms,
-- or surface forms) of a subcorpus, optionally per group. The option specs
-- and helpers below are shared with ngrams, keyness and lexstats.
local args = require "quarry_cli.args"
local ingest = require "quarry_cli.ingest"
local output = require "quarry_cli.output"
local subcorpus = require "quarry_cli.subcorpus"

local M = {
  summary = "frequency list of words, terms or surface forms, per group if asked",
  usage = "quarry freq [OPTIONS] [-i INDEX]",
  description = table.concat({
    "Counts the words of the subcorpus (--filter, --where) and lists them by",
    "count: rank, term, count, per million tokens and documents holding it.",
    "Tokens are words, numbers and CJK characters; punctuation and symbols are",
    "left out unless --punct is given. Units: words (default: normalized forms,",
    "Chinese counted by dictionary words), terms (normalized forms, a CJK",
    "character each), surface (the text as written, case kept).",
    "",
    "--stop takes a built-in list (en, zh, all) or a file with one word per",
    "line; stop words leave the list, not the token total. --by FIELD gives one",
    "list per group (dates by year unless --period says otherwise); per million",
    "is then relative to the group's tokens. See docs/frequency.md.",
    "",
    "Exit status: 0, or 2 for a bad option, stop list, filter, query or index.",
  }, "\n"),
}

M.unit_option = { long = "unit", arg = "UNIT", choices = { "words", "terms", "surface" },
                  default = "words", help = "words (default), terms or surface" }
M.stop_option = { long = "stop", arg = "LIST",
                  help = "leave out stop words: en, zh, all or a file (one word per line)" }
M.punct_option = { long = "punct", help = "count punctuation and symbols too" }
M.by_option = { long = "by", arg = "FIELD", help = "one list per value (or period) of FIELD" }
M.period_option = { long = "period", arg = "P",
                    choices = { "year", "decade", "quarter", "month", "day", "value" },
                    help = "group dates by year (default for dates), decade, quarter, month, day or value" }
M.min_option = { long = "min", arg = "N", integer = true, help = "drop entries counted fewer than N times" }
M.top_option = { long = "top", arg = "N", integer = true, help = "keep the first N entries (per group)" }

M.options = {
  ingest.index_option, M.unit_option, M.stop_option, M.punct_option, M.by_option,
  M.period_option, M.min_option, M.top_option,
  subcorpus.options[1], subcorpus.options[2], output.format_option,
}

--- Sets lopts.stop / lopts.stop_file from --stop: a built-in name or a file.
function M.stop_opts(opts, lopts)
  local s = opts.stop
  if not s then return lopts end
  if s == "en" or s == "zh" or s == "all" then
    lopts.stop = s
  else
    lopts.stop_file = s
  end
  return lopts
end

--- Calls idx[method](idx, lopts); raised errors and nil, msg, code become
--- input errors (exit 2).
function M.call(command, idx, method, lopts)
  local ok, r, meta, code = pcall(idx[method], idx, lopts)
  if not ok then args.input_error("%s: %s", command, args.raised(r)) end
  if not r then args.input_error("%s: %s (%s)", command, meta, code) end
  return r, meta
end

--- Rounds per-million figures to 2 decimals for text output.
function M.round(v)
  if v == nil or v ~= v then return v end
  return math.floor(v * 100 + 0.5) / 100
end

--- "1 document", "3 documents".
function M.count_of(n, word)
  return string.format("%d %s%s", n, word, n == 1 and "" or "s")
end

--- "18 tokens in 3 documents" and the like for the text header.
function M.describe_totals(meta)
  return M.count_of(meta.tokens, "token") .. " in " .. M.count_of(meta.docs, "document")
end

--- Writes records in the chosen format: columns as output.table takes
--- them; text gets a "# ..." header line first.
function M.write(opts, columns, recs, header)
  if opts.format == "text" and header then io.stdout:write("# ", header, "\n") end
  output.table(io.stdout, opts.format, columns, recs)
end

--- The Lua options every list command shares.
function M.common_opts(opts)
  local lopts = subcorpus.lua_opts(opts, { unit = opts.unit, punct = opts.punct or nil })
  if opts.period and not opts.by then
    args.usage_error(opts._command, "--period needs --by FIELD")
  end
  lopts.by, lopts.period = opts.by, opts.period
  return lopts
end

function M.run(opts, positional)
  if positional[1] then
    args.usage_error("freq", "unexpected argument '%s'", positional[1])
  end
  opts._command = "freq"
  local lopts = M.stop_opts(opts, M.common_opts(opts))
  lopts.min_count, lopts.top = opts.min, opts.top
  local idx <close> = ingest.open_index(ingest.index_path(opts))
  local recs, meta = M.call("freq", idx, "freq", lopts)
  local columns = {}
  if opts.by then columns[1] = { key = "group", title = opts.by } end
  for _, c in ipairs({ { key = "rank", align = "r" }, { key = "term" },
                       { key = "count", align = "r" }, { key = "per_million", align = "r" },
                       { key = "docs", align = "r" } }) do
    columns[#columns + 1] = c
  end
  if opts.format == "text" then
    for _, r in ipairs(recs) do r.per_million = M.round(r.per_million) end
  end
  M.write(opts, columns, recs, string.format("%s; %s (%s)", M.describe_totals(meta),
                                             subcorpus.describe(opts), meta.unit))
  return 0
end

return M
