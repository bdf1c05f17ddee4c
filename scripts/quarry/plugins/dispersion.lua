-- dispersion: how evenly queries spread over the subcorpus
-- (idx:dispersion): range, Juilland's D and Gries' DP per query, over its
-- documents or equal parts, and a dispersion (barcode) chart of every hit.
local A = require "quarry.plugins._analysis"

local MAX_PLOT_POSITIONS = 5000

local function run(ctx, opts)
  local idx, report = ctx.index, ctx.report
  local queries = A.required(opts, "queries", "the queries, e.g. queries=climate,tax")
  A.at_least(opts, 0, "parts")
  for _, q in ipairs(queries) do
    A.check_query(ctx.quarry, q, "query")
    report:add_query(q)
  end
  A.record_options(ctx, "dispersion", opts)
  local unit = opts.parts > 0 and (opts.parts .. " equal parts") or "documents"
  local s = report:section("Dispersion: " .. table.concat(queries, ", "), "How evenly each "
    .. "query spreads over the " .. unit .. " of the subcorpus: range is the parts with a hit; "
    .. "Juilland's D runs from 0 (all in one part) to 1 (even); Gries' DP from 0 (even) to 1.")
  local rows, points, sampled = {}, {}, false
  for _, q in ipairs(queries) do
    local d, msg = idx:dispersion(q, A.scope(ctx, { parts = opts.parts > 0 and opts.parts or nil,
                                                     positions = true }))
    if not d then A.fail("dispersion of '%s': %s", q, tostring(msg)) end
    local m = d.measures
    rows[#rows + 1] = { query = q, hits = d.hits, tokens = d.tokens, parts = m.parts,
      range = m.range, range_share = m.parts > 0 and m.range / m.parts or nil,
      juilland_d = m.juilland_d, gries_dp = m.gries_dp, gries_dp_norm = m.gries_dp_norm }
    local pos = d.positions or {}
    local step = math.max(1, math.ceil(#pos / MAX_PLOT_POSITIONS))
    if step > 1 then sampled = true end
    for i = 1, #pos, step do points[#points + 1] = { x = pos[i], y = 1, group = q } end
  end
  s:table({ name = "dispersion", caption = "Dispersion over " .. unit, columns = {
    { key = "query", title = "query", type = "string" },
    { key = "hits", title = "hits", type = "integer" },
    { key = "range", title = "range", type = "integer" },
    { key = "parts", title = "parts", type = "integer" },
    { key = "range_share", title = "range share", type = "percent", digits = 1 },
    { key = "juilland_d", title = "Juilland's D", type = "number", digits = 3 },
    { key = "gries_dp", title = "Gries' DP", type = "number", digits = 3 },
    { key = "gries_dp_norm", title = "DP (normalized)", type = "number", digits = 3 },
    { key = "tokens", title = "words", type = "integer" },
  }, rows = rows })
  s:series({ name = "dispersion", caption = "Each hit's place in the subcorpus (documents in "
    .. "index order)" .. (sampled and "; every k-th hit of the most frequent queries" or ""),
    kind = "dispersion", x = { label = "position", type = "number" }, y = { label = "hit" },
    points = points })
end

return {
  api = 1,
  name = "dispersion",
  kind = "analysis",
  description = "dispersion of queries: range, Juilland's D, Gries' DP and a dispersion plot",
  options = {
    { name = "queries", type = "list", required = true, help = "the queries" },
    { name = "parts", type = "integer", default = 0, help = "equal parts to cut the subcorpus "
      .. "into (0: its documents)" },
  },
  run = run,
}
