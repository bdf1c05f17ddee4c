-- quarry_cli.dispersion: `quarry dispersion QUERY`, how evenly a query's
-- hits spread over the documents (or equal parts) of a subcorpus.
local args = require "quarry_cli.args"
local colloc = require "quarry_cli.colloc"
local ingest = require "quarry_cli.ingest"
local output = require "quarry_cli.output"
local subcorpus = require "quarry_cli.subcorpus"

local M = {
  summary = "dispersion of a query: range, Juilland's D, Gries' DP, per-part counts",
  usage = "quarry dispersion QUERY [OPTIONS] [-i INDEX]",
  description = table.concat({
    "Counts the hits of QUERY in every document of the subcorpus (--filter,",
    "--where), or in N equal parts of its token stream (--parts N: the documents",
    "concatenated in index order), and prints the range (parts with a hit),",
    "Juilland's D, Gries' DP and DP normalized (docs/statistics.md), then one",
    "row per part: document, label, tokens, hits and hits per million tokens.",
    "Tokens are words, numbers and CJK characters (no punctuation).",
    "--positions prints instead every hit's place in the stream, from 0 to 1,",
    "the data of a dispersion plot. JSON holds everything in one object.",
    "",
    "Exit status: 0, or 2 for a bad query, option or index.",
  }, "\n"),
}

M.options = {
  ingest.index_option,
  { long = "parts", short = "p", arg = "N", integer = true,
    help = "N equal parts of the subcorpus instead of its documents" },
  { long = "positions", help = "print every hit's position (0..1) instead of the parts" },
  { long = "limit", short = "n", arg = "N", integer = true, default = 0,
    help = "print at most N parts in text (default 0 = all)" },
  subcorpus.options[1], subcorpus.options[2],
  output.format_option,
}

local PART_COLUMNS = {
  { key = "part", align = "r" }, { key = "doc", align = "r" }, { key = "label" },
  { key = "start", align = "r" }, { key = "tokens", align = "r" }, { key = "hits", align = "r" },
  { key = "per_million", align = "r" },
}

function M.run(opts, positional)
  local text = positional[1]
  if not text then args.usage_error("dispersion", "missing QUERY") end
  if positional[2] then
    args.usage_error("dispersion", "unexpected argument '%s' (quote the query)", positional[2])
  end
  if opts.parts == 0 then args.usage_error("dispersion", "--parts must be at least 1") end
  local q = colloc.compile("dispersion", text)
  local lopts = subcorpus.lua_opts(opts, { parts = opts.parts, positions = opts.positions or
                                           opts.format == "json" })
  local path = ingest.index_path(opts)
  local idx <close> = ingest.open_index(path)
  local ok, r, msg, code = pcall(idx.dispersion, idx, q, lopts)
  if not ok then args.input_error("dispersion: %s", args.raised(r)) end
  if not r then args.input_error("dispersion: %s (%s)", msg, code) end
  local m = r.measures

  if opts.format == "json" then
    local json = require("quarry").json
    local parts, positions = json.array(), json.array()
    for i, p in ipairs(r) do parts[i] = p end
    for i, p in ipairs(r.positions) do positions[i] = p end
    io.stdout:write(json.encode({
      query = text, subcorpus = subcorpus.describe(opts), unit = r.unit, hits = r.hits,
      tokens = r.tokens, measures = m, parts = parts, positions = positions,
    }, { indent = true }), "\n")
    return 0
  end
  if opts.positions then
    local rows = {}
    for i, p in ipairs(r.positions) do rows[i] = { hit = i, position = p } end
    output.table(io.stdout, opts.format,
                 { { key = "hit", align = "r" }, { key = "position", align = "r" } }, rows)
    return 0
  end
  if opts.format == "text" then
    io.stdout:write(string.format(
      "# %s: %d hits in %d tokens of %s\n# %s: %d; range %d; Juilland's D %.4f; Gries' DP %.4f (normalized %.4f)\n",
      text, r.hits, r.tokens, subcorpus.describe(opts), r.unit, m.parts, m.range, m.juilland_d,
      m.gries_dp, m.gries_dp_norm))
    local rows = r
    if opts.limit > 0 and #r > opts.limit then
      rows = table.move(r, 1, opts.limit, 1, {})
    end
    output.table(io.stdout, "text", PART_COLUMNS, rows)
    return 0
  end
  -- csv/md: the parts, with the measures repeated on every row so one
  -- table holds everything
  local cols = { table.unpack(PART_COLUMNS) }
  for _, k in ipairs({ "range", "juilland_d", "gries_dp", "gries_dp_norm" }) do
    cols[#cols + 1] = { key = k, align = "r" }
  end
  local rows = {}
  for i, p in ipairs(r) do
    local row = {}
    for k, v in pairs(p) do row[k] = v end
    row.range, row.juilland_d, row.gries_dp, row.gries_dp_norm =
      m.range, m.juilland_d, m.gries_dp, m.gries_dp_norm
    rows[i] = row
  end
  output.table(io.stdout, opts.format, cols, rows)
  return 0
end

return M
