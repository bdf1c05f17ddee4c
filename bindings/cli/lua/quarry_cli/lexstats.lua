-- quarry_cli.lexstats: `quarry lexstats`, tokens, types, TTR, MATTR and
-- hapax legomena per document or per group.
local args = require "quarry_cli.args"
local freq = require "quarry_cli.freq"
local ingest = require "quarry_cli.ingest"
local subcorpus = require "quarry_cli.subcorpus"
local output = require "quarry_cli.output"

local M = {
  summary = "lexical statistics per document or group: tokens, types, TTR, MATTR, hapax",
  usage = "quarry lexstats [OPTIONS] [-i INDEX]",
  description = table.concat({
    "Prints, for every document of the subcorpus (--filter, --where), or for",
    "every group with --by FIELD: tokens (words, numbers, CJK words), types",
    "(distinct ones), the type-token ratio, the moving-average TTR over",
    "windows of --window tokens (default 100; a shorter document is one",
    "window), hapax legomena (types seen once) and their share of the types.",
    "The text header gives the same figures for the whole subcorpus.",
    "See docs/frequency.md.",
    "",
    "Exit status: 0, or 2 for a bad option, filter, query or index.",
  }, "\n"),
}

M.options = {
  ingest.index_option, freq.unit_option, freq.punct_option, freq.by_option, freq.period_option,
  { long = "window", arg = "N", integer = true, default = 100, help = "MATTR window in tokens (default 100)" },
  subcorpus.options[1], subcorpus.options[2], output.format_option,
}

local function fixed(v, digits)
  if v == nil or v ~= v then return v end
  local m = 10 ^ digits
  return math.floor(v * m + 0.5) / m
end

function M.run(opts, positional)
  if positional[1] then
    args.usage_error("lexstats", "unexpected argument '%s'", positional[1])
  end
  if opts.window < 1 then args.usage_error("lexstats", "--window must be at least 1") end
  opts._command = "lexstats"
  local lopts = freq.common_opts(opts)
  lopts.window = opts.window
  local idx <close> = ingest.open_index(ingest.index_path(opts))
  local recs, meta = freq.call("lexstats", idx, "lexstats", lopts)
  local columns
  if opts.by then
    columns = { { key = "group", title = opts.by }, { key = "docs", align = "r" } }
  else
    columns = { { key = "doc", align = "r" }, { key = "label" } }
  end
  for _, k in ipairs({ "tokens", "types", "ttr", "mattr", "hapax", "hapax_ratio" }) do
    columns[#columns + 1] = { key = k, align = "r" }
  end
  if opts.format == "text" then
    for _, r in ipairs(recs) do
      r.ttr, r.mattr, r.hapax_ratio = fixed(r.ttr, 4), fixed(r.mattr, 4), fixed(r.hapax_ratio, 4)
    end
  end
  freq.write(opts, columns, recs,
             string.format("%s; %d types, TTR %s, MATTR %s (window %d), %d hapax; %s (%s)",
                           freq.describe_totals(meta), meta.types, tostring(fixed(meta.ttr, 4) or "-"),
                           tostring(fixed(meta.mattr, 4) or "-"), meta.window, meta.hapax,
                           subcorpus.describe(opts), meta.unit))
  return 0
end

return M
