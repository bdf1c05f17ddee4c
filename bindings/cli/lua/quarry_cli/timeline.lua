-- quarry_cli.timeline: `quarry timeline QUERY...`, hits of several queries
-- per period (year, quarter, month, day, decade) of a date or year field.
local args = require "quarry_cli.args"
local colloc = require "quarry_cli.colloc"
local ingest = require "quarry_cli.ingest"
local output = require "quarry_cli.output"
local subcorpus = require "quarry_cli.subcorpus"

local M = {
  summary = "hits of one or more queries per year, quarter, month, day or decade",
  usage = "quarry timeline QUERY... [OPTIONS] [-i INDEX]",
  description = table.concat({
    "Counts the hits of every QUERY per period of a date or year field (--by;",
    "default: the index's first date field, else 'year'), over the documents",
    "of the subcorpus (--filter, --where). Every period of the subcorpus is a",
    "row, with zeros where a query has no hit.",
    "",
    "Text prints a wide table: one row per period, for each query its hits and",
    "(--show) per million tokens, documents with a hit or their share of the",
    "period's documents; then each query's first and last occurrence (period,",
    "document, token position). json, csv and md print the long table: one",
    "record per period and query {period, query, hits, per_million, docs,",
    "docs_total, share, tokens}; json adds the periods and the occurrences.",
    "",
    "Exit status: 0, or 2 for a bad query, field, option or index.",
  }, "\n"),
}

M.options = {
  ingest.index_option,
  { long = "by", arg = "FIELD", help = "date or year field (default: first date field, else year)" },
  { long = "period", arg = "P", choices = { "year", "decade", "quarter", "month", "day", "value" },
    default = "year", help = "year (default), decade, quarter, month, day or value" },
  { long = "show", arg = "WHAT", choices = { "hits", "per_million", "docs", "share" },
    default = "hits", help = "text cells: hits (default), per_million, docs or share" },
  subcorpus.options[1], subcorpus.options[2],
  output.format_option,
}

local function cell(rec, show)
  local v = rec[show]
  if show == "per_million" then return v ~= v and "-" or string.format("%.1f", v) end
  if show == "share" then return v ~= v and "-" or string.format("%.3f", v) end
  return v
end

function M.run(opts, positional)
  if #positional == 0 then args.usage_error("timeline", "missing QUERY") end
  local qs = {}
  for i, text in ipairs(positional) do qs[i] = colloc.compile("timeline", text) end
  local lopts = subcorpus.lua_opts(opts, { by = opts.by, period = opts.period })
  local path = ingest.index_path(opts)
  local idx <close> = ingest.open_index(path)
  local ok, r, msg, code = pcall(idx.timeline, idx, qs, lopts)
  if not ok then args.input_error("timeline: %s", args.raised(r)) end
  if not r then args.input_error("timeline: %s (%s)", msg, code) end
  local nq = #positional
  for i, q in ipairs(r.queries) do q.query = positional[i] end
  for i, rec in ipairs(r) do rec.query = positional[(i - 1) % nq + 1] end

  if opts.format == "text" then
    local columns = { { key = "period", title = r.by } }
    for i, text in ipairs(positional) do columns[#columns + 1] = { key = i, title = text, align = "r" } end
    columns[#columns + 1] = { key = "docs_total", title = "documents", align = "r" }
    columns[#columns + 1] = { key = "tokens", align = "r" }
    local rows = {}
    for p, period in ipairs(r.periods) do
      local row = { period = period.period, docs_total = period.docs, tokens = period.tokens }
      for j = 1, nq do row[j + 1] = cell(r[(p - 1) * nq + j], opts.show) end
      rows[p] = row
    end
    -- output.table reads cells by key, then by position: shift query cells
    for _, row in ipairs(rows) do
      for j = 1, nq do row[j] = row[j + 1] end
      row[nq + 1] = nil
    end
    io.stdout:write(string.format("# %s per %s of %s; %s\n", opts.show, r.period, r.by,
                                  subcorpus.describe(opts)))
    output.table(io.stdout, "text", columns, rows)
    local occ = {}
    for i, q in ipairs(r.queries) do
      occ[i] = { query = q.query, hits = q.hits, docs = q.docs,
                 first = q.first_period and string.format("%s %s @%d", q.first_period, q.first_label,
                                                          q.first_position) or "-",
                 last = q.last_period and string.format("%s %s @%d", q.last_period, q.last_label,
                                                        q.last_position) or "-" }
    end
    io.stdout:write("\n")
    output.table(io.stdout, "text", { { key = "query" }, { key = "hits", align = "r" },
                                      { key = "docs", align = "r" }, { key = "first" },
                                      { key = "last" } }, occ)
    return 0
  end
  local columns = {}
  for i, k in ipairs({ "period", "query", "hits", "per_million", "docs", "docs_total", "share",
                       "tokens" }) do
    columns[i] = { key = k, align = (k ~= "period" and k ~= "query") and "r" or nil }
  end
  if opts.format == "json" then
    local json = require("quarry").json
    local records, periods, queries = json.array(), json.array(), json.array()
    for i, rec in ipairs(r) do records[i] = rec end
    for i, p in ipairs(r.periods) do periods[i] = p end
    for i, q in ipairs(r.queries) do queries[i] = q end
    io.stdout:write(json.encode({ by = r.by, period = r.period, subcorpus = subcorpus.describe(opts),
                                  records = records, periods = periods, queries = queries },
                                { indent = true }), "\n")
    return 0
  end
  output.table(io.stdout, opts.format, columns, r)
  return 0
end

return M
