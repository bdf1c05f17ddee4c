-- quarry_cli.keyness: `quarry keyness`, the words relatively more (and less)
-- frequent in a target than in a reference.
local args = require "quarry_cli.args"
local freq = require "quarry_cli.freq"
local ingest = require "quarry_cli.ingest"
local output = require "quarry_cli.output"

local M = {
  summary = "keywords of a target subcorpus against a reference (G2, log ratio, ...)",
  usage = "quarry keyness --target EXPR [--reference EXPR | --reference-index PATH] [OPTIONS] [-i INDEX]",
  description = table.concat({
    "Compares the words of a target with those of a reference and lists the",
    "positive keywords (relatively more frequent in the target, direction +)",
    "then the negative ones (-), each ordered by --measure: g2 (signed",
    "log-likelihood, default), log_ratio, chi2 (--yates for the corrected",
    "value), simple_maths (Kilgarriff, N = --smooth, default 1) or pct_diff.",
    "",
    "The target is the documents matching --target EXPR (a field filter, also",
    "spelled --filter) and/or holding a hit of --target-where QUERY (also",
    "--where). The reference is --reference EXPR / --reference-where QUERY in",
    "the same index, or the index at --reference-index PATH (words matched by",
    "text; --reference and --reference-where then select in it); without",
    "either it is the rest of the index. Keywords need p <= --p (default 0.05;",
    "of chi2 for --measure chi2, else of G2) and at least --min occurrences",
    "(default 3) in the target (positive) or the reference (negative).",
    "See docs/frequency.md and docs/statistics.md.",
    "",
    "Exit status: 0, or 2 for a bad option, filter, query, stop list or index,",
    "or an empty side.",
  }, "\n"),
}

M.options = {
  ingest.index_option,
  { long = "target", arg = "EXPR", help = "target: documents whose fields match EXPR" },
  { long = "target-where", arg = "QUERY", help = "target: documents with a hit of QUERY" },
  { long = "filter", arg = "EXPR", help = "the same as --target" },
  { long = "where", arg = "QUERY", help = "the same as --target-where" },
  { long = "reference", arg = "EXPR", help = "reference: documents whose fields match EXPR" },
  { long = "reference-where", arg = "QUERY", help = "reference: documents with a hit of QUERY" },
  { long = "reference-index", arg = "PATH", help = "reference: another index (default: this one)" },
  { long = "measure", arg = "M", choices = { "g2", "log_ratio", "chi2", "simple_maths", "pct_diff" },
    default = "g2", help = "order by g2 (default), log_ratio, chi2, simple_maths or pct_diff" },
  { long = "p", arg = "P", help = "keep keywords with p <= P (default 0.05; 1 keeps all)" },
  { long = "min", arg = "N", integer = true, default = 3,
    help = "minimum frequency in the target (+) or reference (-) (default 3)" },
  { long = "yates", help = "chi2 with Yates' continuity correction" },
  { long = "smooth", arg = "N", help = "simple maths constant N (default 1)" },
  freq.top_option, freq.unit_option, freq.stop_option, freq.punct_option,
  output.format_option,
}

--- A query from --target-where / --reference-where (exit 2 if it does not parse).
local function query(option, text)
  if not text then return nil end
  local q, msg, _, pos = require("quarry").query(text)
  if not q then
    args.input_error("bad --%s query at position %d: %s", option, pos or 1,
                     (msg:gsub("^query: ", "")))
  end
  return q
end

local function number(option, text, lo, hi)
  if not text then return nil end
  local v = tonumber(text)
  if not v or v ~= v or v < lo or v > hi then
    args.usage_error("keyness", "--%s expects a number from %s to %s, got '%s'", option,
                     tostring(lo), tostring(hi), text)
  end
  return v
end

local function describe(filter, where, default)
  local parts = {}
  if filter then parts[#parts + 1] = filter end
  if where then parts[#parts + 1] = "documents with: " .. where end
  return #parts > 0 and table.concat(parts, "; ") or default
end

function M.run(opts, positional)
  if positional[1] then
    args.usage_error("keyness", "unexpected argument '%s'", positional[1])
  end
  if opts.filter and opts.target then
    args.usage_error("keyness", "give the target once: --target or --filter")
  end
  if opts.where and opts.target_where then
    args.usage_error("keyness", "give the target query once: --target-where or --where")
  end
  local tfilter, twhere = opts.target or opts.filter, opts.target_where or opts.where
  local lopts = freq.stop_opts(opts, {
    unit = opts.unit, punct = opts.punct or nil, measure = opts.measure, min_freq = opts.min,
    yates = opts.yates or nil, top = opts.top,
    p = number("p", opts.p, 0, 1), smooth = number("smooth", opts.smooth, 0, math.huge),
  })
  if tfilter or twhere then
    lopts.target = { filter = tfilter, query = query("target-where", twhere) }
  end
  if opts.reference or opts.reference_where then
    lopts.reference = { filter = opts.reference,
                        query = query("reference-where", opts.reference_where) }
  end
  local idx <close> = ingest.open_index(ingest.index_path(opts))
  local ref
  if opts.reference_index then
    ref = ingest.open_index(opts.reference_index)
    lopts.reference_index = ref
  end
  local recs, meta = freq.call("keyness", idx, "keyness", lopts)
  if ref then ref:close() end

  local columns = { { key = "rank", align = "r" }, { key = "direction", title = "+/-" },
                    { key = "term" }, { key = "freq_target", align = "r" },
                    { key = "freq_reference", align = "r" } }
  local extra
  if opts.format == "text" then
    columns[#columns + 1] = { key = "per_million_target", title = "pm_target", align = "r" }
    columns[#columns + 1] = { key = "per_million_reference", title = "pm_reference", align = "r" }
    extra = { "g2", "log_ratio", "p" }
    if opts.measure ~= "g2" and opts.measure ~= "log_ratio" then
      table.insert(extra, 1, opts.measure)
    end
    for _, r in ipairs(recs) do
      r.per_million_target = freq.round(r.per_million_target)
      r.per_million_reference = freq.round(r.per_million_reference)
    end
  else
    columns[#columns + 1] = { key = "per_million_target", align = "r" }
    columns[#columns + 1] = { key = "per_million_reference", align = "r" }
    extra = { "g2", "p", "log_ratio", "chi2", "pct_diff", "simple_maths" }
  end
  for _, k in ipairs(extra) do columns[#columns + 1] = { key = k, align = "r" } end
  local reference = opts.reference_index and ("index " .. opts.reference_index .. (
    (opts.reference or opts.reference_where) and (", " .. describe(opts.reference, opts.reference_where))
    or "")) or describe(opts.reference, opts.reference_where, "the rest of the index")
  freq.write(opts, columns, recs, string.format(
    "target %s: %s in %s; reference %s: %s in %s; %s (%s)",
    describe(tfilter, twhere, "the whole index"), freq.count_of(meta.target_tokens, "token"),
    freq.count_of(meta.target_docs, "document"), reference,
    freq.count_of(meta.reference_tokens, "token"), freq.count_of(meta.reference_docs, "document"),
    meta.measure, meta.unit))
  return 0
end

return M
