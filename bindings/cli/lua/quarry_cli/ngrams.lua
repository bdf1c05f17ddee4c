-- quarry_cli.ngrams: `quarry ngrams -n N`, the most frequent sequences of N
-- words inside sentences, optionally per group.
local args = require "quarry_cli.args"
local freq = require "quarry_cli.freq"
local ingest = require "quarry_cli.ingest"
local output = require "quarry_cli.output"
local subcorpus = require "quarry_cli.subcorpus"

local M = {
  summary = "frequency list of n-grams (2 to 5 words in a row)",
  usage = "quarry ngrams [-n N] [OPTIONS] [-i INDEX]",
  description = table.concat({
    "Counts sequences of N consecutive tokens (default 2) of the subcorpus",
    "(--filter, --where). An n-gram never crosses a sentence boundary, nor a",
    "punctuation mark or symbol (which are not tokens here unless --punct is",
    "given). Words are joined by a space; two Chinese words are joined without",
    "one. With --stop, n-grams that start or end with a stop word are dropped.",
    "Records: rank, ngram, count, per million tokens, documents; per group",
    "with --by. See docs/frequency.md.",
    "",
    "Exit status: 0, or 2 for a bad option, stop list, filter, query or index.",
  }, "\n"),
}

M.options = {
  ingest.index_option,
  { long = "n", short = "n", arg = "N", integer = true, default = 2, help = "words per n-gram: 2 (default) to 5" },
  freq.unit_option, freq.stop_option, freq.punct_option, freq.by_option, freq.period_option,
  freq.min_option, freq.top_option,
  subcorpus.options[1], subcorpus.options[2], output.format_option,
}

function M.run(opts, positional)
  if positional[1] then
    args.usage_error("ngrams", "unexpected argument '%s'", positional[1])
  end
  if opts.n < 2 or opts.n > 5 then
    args.usage_error("ngrams", "-n must be 2 to 5, got %d", opts.n)
  end
  opts._command = "ngrams"
  local lopts = freq.stop_opts(opts, freq.common_opts(opts))
  lopts.n, lopts.min_count, lopts.top = opts.n, opts.min, opts.top
  local idx <close> = ingest.open_index(ingest.index_path(opts))
  local recs, meta = freq.call("ngrams", idx, "ngrams", lopts)
  local columns = {}
  if opts.by then columns[1] = { key = "group", title = opts.by } end
  for _, c in ipairs({ { key = "rank", align = "r" }, { key = "ngram" },
                       { key = "count", align = "r" }, { key = "per_million", align = "r" },
                       { key = "docs", align = "r" } }) do
    columns[#columns + 1] = c
  end
  if opts.format == "text" then
    for _, r in ipairs(recs) do r.per_million = freq.round(r.per_million) end
  end
  freq.write(opts, columns, recs, string.format("%s, %s; %s (%s)",
                                                freq.count_of(meta.ngrams, meta.n .. "-gram"),
                                                freq.describe_totals(meta),
                                                subcorpus.describe(opts), meta.unit))
  return 0
end

return M
