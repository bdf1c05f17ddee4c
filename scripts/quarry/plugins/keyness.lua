-- keyness: the keywords of a target subcorpus against a reference
-- (idx:keyness): positive ones (more frequent in the target) and negative
-- ones, as a diverging bar chart of signed G² and a table.
--
-- The target is a field filter (option target), or, without it, the latest
-- periods of a date or year field (options by, period, recent); the
-- reference is a filter (option reference), else the documents before the
-- target's periods, else the rest of the subcorpus.
local A = require "quarry.plugins._analysis"

local function run(ctx, opts)
  local idx, report = ctx.index, ctx.report
  A.at_least(opts, 1, "top")
  A.at_least(opts, 0, "min_freq")
  local target, reference = opts.target, opts.reference
  local tname, rname = target, reference
  if not target then
    local by, by_type = A.period_field(idx, opts.by)
    if opts.period ~= "value" and by_type == "string" then
      A.fail("option 'by': field '%s' holds text; periods need a date or a number", by)
    end
    opts.by = by
    local split = A.latest(A.periods(idx, ctx, by, opts.period), by, opts.recent)
    if not split.reference and not reference then
      A.fail("there is only one %s (%s): give option 'target' or 'reference'", opts.period,
             split.label)
    end
    target, tname = split.target, split.label
    if not reference then reference, rname = split.reference, split.earlier_label end
  end
  if not reference then reference, rname = "NOT (" .. target .. ")", "the rest" end
  for _, f in ipairs({ target, reference }) do
    local ok, msg = idx:docs({ filter = f, limit = 1 })
    if not ok then A.fail("filter '%s': %s", f, tostring(msg)) end
  end
  opts.target, opts.reference = target, reference
  A.record_options(ctx, "keyness", opts)
  local t, r = A.scope(ctx, {}, target), A.scope(ctx, {}, reference)
  local kw, tot = idx:keyness({ target = { filter = t.filter, query = t.query },
    reference = { filter = r.filter, query = r.query }, stop = A.stop_opt(opts.stop),
    measure = opts.measure, min_freq = opts.min_freq, p = opts.p, top = opts.top })
  if not kw then A.fail("%s (target %s, reference %s)", tostring(tot), target, reference) end
  local s = report:section("Keywords of " .. tname .. " against " .. rname, string.format(
    "Words used relatively more (positive) or less (negative) in the target (%s) than in the "
    .. "reference (%s), ranked by %s; p <= %g, at least %d occurrences, %s.",
    target, reference, opts.measure, opts.p, opts.min_freq, A.stop_text(opts.stop)))
  s:text(string.format("Target: %d documents, %d words. Reference: %d documents, %d words.",
    tot.target_docs, tot.target_tokens, tot.reference_docs, tot.reference_tokens))
  local rows, points = {}, {}
  for _, k in ipairs(kw) do
    rows[#rows + 1] = { term = k.term, direction = k.direction,
      freq_target = k.freq_target, freq_reference = k.freq_reference,
      per_million_target = k.per_million_target, per_million_reference = k.per_million_reference,
      g2 = k.g2, log_ratio = k.log_ratio, p = k.p, chi2 = k.chi2,
      simple_maths = k.simple_maths, pct_diff = k.pct_diff }
    points[#points + 1] = { x = k.term, y = k.g2 or 0,
                            group = k.direction == "+" and ("more in " .. tname)
                              or ("more in " .. rname) }
  end
  s:series({ name = "keyness", caption = "Keywords (signed G²)", kind = "diverging",
             x = { label = "word", type = "string" },
             y = { label = "G² (signed)", type = "number", digits = 1 }, points = points })
  s:table({ name = "keyness", caption = "Keywords of " .. tname, columns = {
    { key = "term", title = "word", type = "string" },
    { key = "direction", title = "+/-", type = "string" },
    { key = "freq_target", title = "count (target)", type = "integer" },
    { key = "freq_reference", title = "count (reference)", type = "integer" },
    { key = "per_million_target", title = "per million (target)", type = "number", digits = 1 },
    { key = "per_million_reference", title = "per million (reference)", type = "number",
      digits = 1 },
    { key = "g2", title = "G²", type = "number", digits = 1 },
    { key = "log_ratio", title = "log ratio", type = "number", digits = 2 },
    { key = "p", title = "p", type = "number", digits = 4 },
  }, rows = rows })
end

return {
  api = 1,
  name = "keyness",
  kind = "analysis",
  description = "keywords of a target subcorpus against a reference (G², log ratio, p)",
  options = {
    { name = "target", type = "string", help = "field filter of the target (default: the "
      .. "latest periods)" },
    { name = "reference", type = "string", help = "field filter of the reference (default: the "
      .. "periods before the target, or the rest)" },
    { name = "by", type = "string", help = "the date or year field for the default target" },
    { name = "period", type = "enum", choices = { "year", "decade", "quarter", "month", "day",
      "value" }, default = "year", help = "the period for the default target" },
    { name = "recent", type = "string", default = "5", help = "the default target: the latest "
      .. "N periods, or one period label" },
    { name = "measure", type = "enum", choices = { "g2", "log_ratio", "chi2", "simple_maths",
      "pct_diff" }, default = "g2", help = "the ranking measure" },
    { name = "min_freq", type = "integer", default = 3, help = "least frequency on its side" },
    { name = "p", type = "number", default = 0.05, help = "largest p-value kept" },
    { name = "top", type = "integer", default = 20, help = "keywords per direction" },
    A.STOP_OPTION,
  },
  run = run,
}
