-- freq: the frequency list of the subcorpus (idx:freq), overall or per
-- group (a field's values or periods), as a table and a bar chart.
local A = require "quarry.plugins._analysis"

local function stop_option(default)
  return { name = "stop", type = "enum", choices = { "none", "en", "zh", "all" },
           default = default, help = "stop words to leave out (built-in English, Chinese, both)" }
end

local function run_list(ctx, opts, ngrams)
  local idx, report = ctx.index, ctx.report
  local name = ngrams and "ngrams" or "freq"
  A.at_least(opts, 1, "top")
  A.at_least(opts, 0, "min_count")
  if opts.by then
    local types, names = A.fields(idx)
    if not types[opts.by] then
      A.fail("option 'by': the index has no field '%s' (fields: %s)", opts.by,
             table.concat(names, ", "))
    end
  end
  A.record_options(ctx, name, opts)
  local call = { unit = opts.unit, min_count = opts.min_count, top = opts.top,
                 stop = A.stop_opt(opts.stop), by = opts.by, period = opts.by and opts.period }
  if ngrams then call.n = opts.n end
  local rows, totals = idx[name](idx, A.scope(ctx, call))
  if not rows then A.fail("%s: %s", name, tostring(totals)) end
  local key = ngrams and "ngram" or "term"
  local what = ngrams and (opts.n .. "-grams") or "words"
  local s = report:section(ngrams and ("N-grams (n = " .. opts.n .. ")") or "Frequency list",
    string.format("The most frequent %s%s (%s; %s), with their count per "
      .. "million words and the number of documents that use them.", what,
      opts.by and (" per " .. opts.by) or "", opts.unit, A.stop_text(opts.stop)))
  s:text(string.format("%s documents, %s tokens.", tostring(totals.docs),
                       tostring(totals.tokens)))
  local columns = {}
  if opts.by then columns[#columns + 1] = { key = "group", title = opts.by, type = "string" } end
  for _, c in ipairs({
    { key = "rank", title = "rank", type = "integer" },
    { key = key, title = ngrams and "n-gram" or "word", type = "string" },
    { key = "count", title = "count", type = "integer" },
    { key = "per_million", title = "per million", type = "number", digits = 1 },
    { key = "docs", title = "documents", type = "integer" },
  }) do columns[#columns + 1] = c end
  local out, points = {}, {}
  for _, r in ipairs(rows) do
    out[#out + 1] = { group = r.group, rank = r.rank, [key] = r[key], count = r.count,
                      per_million = r.per_million, docs = r.docs }
    points[#points + 1] = { x = r[key], y = r.count, group = r.group }
  end
  if not opts.by then
    s:series({ name = name, caption = "Count of the most frequent " .. what, kind = "bar",
               x = { label = ngrams and "n-gram" or "word", type = "string" },
               y = { label = "count", type = "integer", digits = 0 }, points = points })
  end
  s:table({ name = name, caption = "The most frequent " .. what, columns = columns, rows = out })
end

local OPTIONS = {
  { name = "top", type = "integer", default = 20, help = "entries (per group)" },
  { name = "min_count", type = "integer", default = 0, help = "least count kept" },
  { name = "unit", type = "enum", choices = { "words", "terms", "surface" }, default = "words",
    help = "words (the Chinese word layer), terms (index terms) or surface forms" },
  stop_option("none"),
  { name = "by", type = "string", help = "a list per value (or period) of this field" },
  { name = "period", type = "enum", choices = { "value", "year", "decade", "quarter", "month",
    "day" }, help = "periods of a date or year field (default: year for dates, else value)" },
}

return {
  api = 1,
  name = "freq",
  kind = "analysis",
  description = "frequency list: the most frequent words, overall or per group",
  options = OPTIONS,
  run = function(ctx, opts) return run_list(ctx, opts, false) end,
  run_list = run_list,
  OPTIONS = OPTIONS,
}
