-- kwic: the concordance of a query (idx:search and idx:kwic), every hit
-- on a line with its left and right context, up to `limit` lines.
local A = require "quarry.plugins._analysis"

local function run(ctx, opts)
  local idx, report = ctx.index, ctx.report
  local q = A.required(opts, "query", "the query to show in context")
  A.check_query(ctx.quarry, q, "query")
  A.at_least(opts, 0, "context", "limit")
  report:add_query(q)
  A.record_options(ctx, "kwic", opts)
  local sub = ctx.subcorpus or {}
  local in_sub = sub.query and A.query_docs(idx, sub.query, sub.filter)
  local lines, hits, docs, last_doc = {}, 0, 0, nil
  local kopts = { unit = opts.unit }
  if opts.unit == "sentence" then
    kopts.unit = "sentence"
  else
    kopts.context = opts.context
  end
  local labels = {}
  for doc, first, last in idx:search(q, { filter = sub.filter }) do
    if not in_sub or in_sub[doc] then
      hits = hits + 1
      if doc ~= last_doc then
        docs = docs + 1
        last_doc = doc
      end
      if opts.limit == 0 or #lines < opts.limit then
        local left, hit, right = idx:kwic(doc, first, last, kopts)
        if left then
          if not labels[doc] then
            local d = idx:doc(doc, { text = false })
            local name = d and d.source:match("([^/]+)$") or tostring(doc)
            if d and d.record and d.record > 0 then name = name .. ":" .. d.record end
            labels[doc] = name
          end
          lines[#lines + 1] = { label = labels[doc], position = first, left = left, hit = hit,
                                right = right, doc = doc }
        end
      end
    end
  end
  local s = report:section("Concordance: " .. q)
  s:text(string.format("%d hits in %d documents%s.", hits, docs,
    (opts.limit > 0 and hits > opts.limit) and string.format("; the first %d are shown",
      opts.limit) or ""))
  s:kwic({ name = "kwic", caption = "Concordance of " .. q, lines = lines })
end

return {
  api = 1,
  name = "kwic",
  kind = "analysis",
  description = "concordance lines (keyword in context) of a query",
  options = {
    { name = "query", type = "string", required = true, help = "the query" },
    { name = "context", type = "integer", default = 8, help = "context each side, in tokens "
      .. "(or characters with unit=chars)" },
    { name = "unit", type = "enum", choices = { "tokens", "chars", "sentence" },
      default = "tokens", help = "what the context counts; sentence: the whole sentence" },
    { name = "limit", type = "integer", default = 100, help = "most lines shown (0: all)" },
  },
  run = run,
}
