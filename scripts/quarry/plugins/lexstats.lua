-- lexstats: lexical statistics (idx:lexstats): tokens, types, type-token
-- ratio, moving-average TTR and hapaxes per document, or per group of a
-- field with a line chart of the moving-average TTR.
local A = require "quarry.plugins._analysis"

local function run(ctx, opts)
  local idx, report = ctx.index, ctx.report
  A.at_least(opts, 1, "window")
  A.at_least(opts, 0, "limit")
  if opts.by then
    local types, names = A.fields(idx)
    if not types[opts.by] then
      A.fail("option 'by': the index has no field '%s' (fields: %s)", opts.by,
             table.concat(names, ", "))
    end
  end
  A.record_options(ctx, "lexstats", opts)
  local rows, totals = idx:lexstats(A.scope(ctx, { unit = opts.unit, window = opts.window,
    by = opts.by, period = opts.by and opts.period }))
  if not rows then A.fail("lexstats: %s", tostring(totals)) end
  local s = report:section("Lexical statistics", string.format("Tokens, types (distinct words), "
    .. "type-token ratio, moving-average TTR over windows of %d words (comparable across texts "
    .. "of different lengths) and hapaxes (words used once), per %s.", opts.window,
    opts.by or "document"))
  s:text(string.format("Whole subcorpus: %d documents, %d tokens, %d types, MATTR %.3f.",
    totals.docs or 0, totals.tokens or 0, totals.types or 0, totals.mattr or 0))
  local key = opts.by and "group" or "label"
  local out, points = {}, {}
  for _, r in ipairs(rows) do
    if opts.limit == 0 or #out < opts.limit then
      out[#out + 1] = { [key] = r[key], docs = r.docs, tokens = r.tokens, types = r.types,
        ttr = r.ttr, mattr = r.mattr, hapax = r.hapax, hapax_ratio = r.hapax_ratio }
    end
    if opts.by and r.mattr then
      points[#points + 1] = { x = A.period_x(r.group), y = r.mattr, group = "MATTR" }
    end
  end
  if opts.by then
    s:series({ name = "lexstats", caption = "Moving-average TTR by " .. opts.by, kind = "line",
               x = { label = opts.by, type = math.type(points[1] and points[1].x) == "integer"
                     and "integer" or "string" },
               y = { label = "MATTR", type = "number", digits = 3 }, points = points })
  end
  local columns = { { key = key, title = opts.by or "document", type = "string" } }
  if opts.by then
    columns[#columns + 1] = { key = "docs", title = "documents", type = "integer" }
  end
  for _, c in ipairs({
    { key = "tokens", title = "tokens", type = "integer" },
    { key = "types", title = "types", type = "integer" },
    { key = "ttr", title = "TTR", type = "number", digits = 3 },
    { key = "mattr", title = "MATTR", type = "number", digits = 3 },
    { key = "hapax", title = "hapaxes", type = "integer" },
    { key = "hapax_ratio", title = "hapax share of types", type = "percent", digits = 1 },
  }) do columns[#columns + 1] = c end
  s:table({ name = "lexstats", caption = "Lexical statistics per " .. (opts.by or "document"),
            columns = columns, rows = out })
end

return {
  api = 1,
  name = "lexstats",
  kind = "analysis",
  description = "lexical statistics: tokens, types, TTR, moving-average TTR, hapaxes",
  options = {
    { name = "by", type = "string", help = "per value (or period) of this field instead of per "
      .. "document" },
    { name = "period", type = "enum", choices = { "value", "year", "decade", "quarter", "month",
      "day" }, help = "periods of a date or year field (default: year for dates, else value)" },
    { name = "window", type = "integer", default = 100, help = "MATTR window, in words" },
    { name = "unit", type = "enum", choices = { "words", "terms", "surface" }, default = "words",
      help = "what a token is" },
    { name = "limit", type = "integer", default = 500, help = "most rows shown (0: all)" },
  },
  run = run,
}
