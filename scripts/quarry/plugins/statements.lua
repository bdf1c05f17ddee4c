-- statements: the dated statements of the subcorpus (idx:statements): the
-- sentences that mention a date, in date order, with the key terms they
-- hold (docs/dates.md).
local A = require "quarry.plugins._analysis"

local function run(ctx, opts)
  local idx, report = ctx.index, ctx.report
  A.at_least(opts, 0, "limit")
  if opts.query then
    A.check_query(ctx.quarry, opts.query, "query")
    report:add_query(opts.query)
  end
  A.record_options(ctx, "statements", opts)
  local call = { order = opts.order, each_date = opts.each_date,
                 require_terms = opts.require_terms }
  if opts.terms and #opts.terms > 0 then call.terms = opts.terms end
  if opts.date_field then call.date_field = opts.date_field end
  local rows, msg = idx:statements(opts.query, A.scope(ctx, call))
  if not rows then A.fail("statements: %s", tostring(msg)) end
  local out = {}
  for _, r in ipairs(rows) do
    if opts.limit > 0 and #out >= opts.limit then break end
    out[#out + 1] = { date = r.date, precision = r.precision, inferred = r.inferred and "yes"
      or "", document = r.label, terms = r.terms, sentence = r.sentence }
  end
  local s = report:section("Dated statements", "Sentences that mention a date, in "
    .. (opts.order == "date" and "date" or "document") .. " order; a year inferred from the "
    .. "context is marked; terms are the key terms each sentence holds.")
  s:text(string.format("%d statements%s.", #rows, (opts.limit > 0 and #rows > opts.limit)
    and string.format("; the first %d are shown", opts.limit) or ""))
  s:table({ name = "statements", caption = "Dated statements", columns = {
    { key = "date", title = "date", type = "string" },
    { key = "precision", title = "precision", type = "string" },
    { key = "inferred", title = "inferred", type = "string" },
    { key = "document", title = "document", type = "string" },
    { key = "terms", title = "terms", type = "string" },
    { key = "sentence", title = "sentence", type = "string" },
  }, rows = out })
end

return {
  api = 1,
  name = "statements",
  kind = "analysis",
  description = "dated statements: the sentences that mention a date, as a timeline",
  options = {
    { name = "query", type = "string", help = "keep sentences holding a hit of this query" },
    { name = "terms", type = "list", help = "key terms to mark in each sentence" },
    { name = "require_terms", type = "boolean", default = false, help = "only sentences with "
      .. "a key term" },
    { name = "each_date", type = "boolean", default = false, help = "a row per date" },
    { name = "order", type = "enum", choices = { "date", "document" }, default = "date",
      help = "the order of the rows" },
    { name = "date_field", type = "string", help = "the documents' reference date field "
      .. "(default: date)" },
    { name = "limit", type = "integer", default = 200, help = "most rows shown (0: all)" },
  },
  run = run,
}
