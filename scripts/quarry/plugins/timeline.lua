-- timeline: how often queries are used per period (idx:timeline), as a
-- line chart (one line per query) and the long table of every period and
-- query, with each query's first and last occurrence.
local A = require "quarry.plugins._analysis"

local SHOW = { per_million = "per million words", hits = "hits", docs = "documents with a hit",
               share = "share of documents" }

local function run(ctx, opts)
  local idx, report = ctx.index, ctx.report
  local queries = A.required(opts, "queries", "the queries to follow, e.g. queries=climate,tax")
  for _, q in ipairs(queries) do
    A.check_query(ctx.quarry, q, "query")
    report:add_query(q)
  end
  local by, by_type = A.period_field(idx, opts.by)
  if opts.period ~= "value" and by_type == "string" then
    A.fail("option 'by': field '%s' holds text; periods need a date or a number (or period=value)",
           by)
  end
  opts.by = by
  A.record_options(ctx, "timeline", opts)
  local tl, msg = idx:timeline(queries, A.scope(ctx, { by = by, period = opts.period }))
  if not tl then A.fail("timeline by '%s': %s", by, tostring(msg)) end

  local s = report:section("Timeline: " .. table.concat(queries, ", "), string.format(
    "Hits per %s by the field %s: raw counts, per million words of the %s (punctuation not "
    .. "counted), documents with a hit and their share of the %s's documents.", opts.period, by,
    opts.period, opts.period))
  local points, rows = {}, {}
  for _, r in ipairs(tl) do
    points[#points + 1] = { x = A.period_x(r.period), y = r[opts.show] or 0, group = r.query }
    rows[#rows + 1] = { period = r.period, query = r.query, hits = r.hits,
      per_million = r.per_million, docs = r.docs, docs_total = r.docs_total, share = r.share,
      tokens = r.tokens }
  end
  s:series({ name = "timeline", caption = SHOW[opts.show] .. " by " .. opts.period, kind = "line",
             x = { label = opts.period,
                   type = math.type(points[1] and points[1].x) == "integer" and "integer"
                     or "string" },
             y = { label = SHOW[opts.show], type = opts.show == "share" and "percent"
                   or "number", digits = (opts.show == "hits" or opts.show == "docs") and 0 or 1 },
             points = points })
  s:table({ name = "timeline", caption = "Every " .. opts.period .. " and query",
    columns = {
      { key = "period", title = opts.period, type = "string" },
      { key = "query", title = "query", type = "string" },
      { key = "hits", title = "hits", type = "integer" },
      { key = "per_million", title = "per million", type = "number", digits = 1 },
      { key = "docs", title = "documents", type = "integer" },
      { key = "docs_total", title = "of documents", type = "integer" },
      { key = "share", title = "share", type = "percent", digits = 1 },
      { key = "tokens", title = "words", type = "integer" },
    }, rows = rows })
  local qrows = {}
  for _, q in ipairs(tl.queries) do
    qrows[#qrows + 1] = { query = q.query, hits = q.hits, docs = q.docs,
      first_period = q.first_period, first_label = q.first_label,
      last_period = q.last_period, last_label = q.last_label }
  end
  s:table({ name = "timeline_queries", caption = "First and last occurrence of each query",
    columns = {
      { key = "query", title = "query", type = "string" },
      { key = "hits", title = "hits", type = "integer" },
      { key = "docs", title = "documents", type = "integer" },
      { key = "first_period", title = "first", type = "string" },
      { key = "first_label", title = "first document", type = "string" },
      { key = "last_period", title = "last", type = "string" },
      { key = "last_label", title = "last document", type = "string" },
    }, rows = qrows })
end

return {
  api = 1,
  name = "timeline",
  kind = "analysis",
  description = "hits of queries per year, decade, quarter, month or day, per million words",
  options = {
    { name = "queries", type = "list", required = true, help = "the queries to follow" },
    { name = "by", type = "string", help = "the date or year field (default: the first date "
      .. "field, else a field named year)" },
    { name = "period", type = "enum", choices = { "year", "decade", "quarter", "month", "day",
      "value" }, default = "year", help = "the period" },
    { name = "show", type = "enum", choices = { "per_million", "hits", "docs", "share" },
      default = "per_million", help = "what the chart shows" },
  },
  run = run,
}
