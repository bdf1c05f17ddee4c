-- quarry_cli.dict: `quarry dict DICT.yaml [-i INDEX]`, dictionary counts per
-- document (or per field value) and category, or the dictionary's lint.
local quarry = require "quarry"
local args = require "quarry_cli.args"
local ingest = require "quarry_cli.ingest"
local output = require "quarry_cli.output"

local M = {
  summary = "count dictionary matches per document and category",
  usage = "quarry dict [OPTIONS] DICT.yaml [-i INDEX]",
  description = table.concat({
    "DICT.yaml maps categories to patterns, in the layout quanteda's",
    "dictionary() reads (docs/dictionaries.md): words with * and ? globs, or",
    "several words for a phrase. Prints one row per document with at least one",
    "match (its source, plus :record for a record of a multi-record file) and",
    "one column per category, plus the total. By default the longest entry at",
    "each position wins and matches do not overlap; --all-matches counts every",
    "entry at every position. --by FIELD sums the rows per value of FIELD",
    "instead. --lint checks the dictionary instead of counting: entries that",
    "can never match under the index's tokenizer (errors) and entries that",
    "match nothing in the index or repeat across categories (warnings).",
    "",
    "Exit status: 0; 1 with --lint when an entry can never match; 2 for usage",
    "errors, a bad dictionary (DICT.yaml:LINE:COLUMN: problem), a bad filter or",
    "a missing index.",
  }, "\n"),
}

M.options = {
  ingest.index_option,
  { long = "by", arg = "FIELD", help = "sum the counts per value of FIELD (e.g. year)" },
  { long = "filter", arg = "EXPR", help = "only documents matching a field filter, e.g. 'year>=2000'" },
  { long = "all-matches", help = "count every entry at every position (matches may overlap)" },
  { long = "lint", help = "check the dictionary instead of counting (exit 1 if an entry can never match)" },
  output.format_option,
}

local function load(path, mode)
  local d, msg, code = quarry.dictionary(path, { mode = mode })
  if d then return d end
  if code == "EPARSE" then args.input_error("%s", msg) end
  args.input_error("cannot read the dictionary %s (%s)", msg, code)
end

local function run_lint(d, dpath, opts)
  -- against the index when there is one: its tokenizer, its vocabulary
  local idx
  local path = ingest.index_path(opts)
  if opts.index or os.getenv("QUARRY_INDEX") then
    idx = ingest.open_index(path)
  else
    idx = quarry.open(path) -- no default index: the default tokenizer alone
  end
  local issues, msg, code = d:lint(idx)
  if idx then idx:close() end
  if not issues then args.input_error("cannot lint %s: %s (%s)", dpath, msg, code) end
  local never = false
  for _, i in ipairs(issues) do
    i.level = i.never_matches and "error" or "warning"
    never = never or i.never_matches
  end
  if opts.format == "text" then
    for _, i in ipairs(issues) do
      io.stdout:write(string.format("%s: entry %d: %s: %s\n", dpath, i.entry, i.level, i.message))
    end
    local n = #d:entries()
    io.stdout:write(string.format("%d %s checked%s, %d %s\n", n, n == 1 and "entry" or "entries",
                                  idx and " against " .. path or "", #issues,
                                  #issues == 1 and "issue" or "issues"))
  else
    output.table(io.stdout, opts.format, {
      { key = "entry", align = "r" }, { key = "category" }, { key = "pattern" },
      { key = "level" }, { key = "message" },
    }, issues)
  end
  return never and 1 or 0
end

--- A field value as a row label and sort key.
local function field_label(v)
  if v == nil then return "(none)" end
  return tostring(v)
end

function M.run(opts, positional)
  local dpath = positional[1]
  if not dpath then args.usage_error("dict", "missing the dictionary file (DICT.yaml)") end
  if positional[2] then
    args.usage_error("dict", "unexpected argument '%s' (the index is -i INDEX)", positional[2])
  end
  local d <close> = load(dpath, opts.all_matches and "all" or "longest")
  if opts.lint then return run_lint(d, dpath, opts) end
  if #d:entries() == 0 then args.input_error("%s: the dictionary has no entries", dpath) end

  local path = ingest.index_path(opts)
  local idx <close> = ingest.open_index(path)
  local rows, msg, code, pos = d:count(idx, { filter = opts.filter })
  if not rows then
    if code == "ESYNTAX" and pos then
      args.input_error("%s\n  %s\n  %s^", msg, opts.filter, string.rep(" ", pos - 1))
    end
    args.input_error("%s: %s (%s)", dpath, msg, code)
  end
  local cats = d:categories()

  local out_rows, label_key
  if opts.by then
    label_key = opts.by
    local groups, order = {}, {}
    for _, r in ipairs(rows) do
      local doc = assert(idx:doc(r.doc, { text = false }))
      local v = doc.fields[opts.by]
      local key = field_label(v)
      local g = groups[key]
      if not g then
        g = { label = v == nil and key or v, counts = {}, total = 0, documents = 0 }
        for i = 1, #cats do g.counts[i] = 0 end
        groups[key] = g
        order[#order + 1] = g
      end
      for i = 1, #cats do g.counts[i] = g.counts[i] + r.counts[i] end
      g.total = g.total + r.total
      g.documents = g.documents + 1
    end
    table.sort(order, function(a, b)
      local ta, tb = type(a.label), type(b.label)
      if ta ~= tb then return ta < tb end
      return a.label < b.label
    end)
    out_rows = order
  else
    label_key = "document"
    out_rows = {}
    for _, r in ipairs(rows) do
      local doc = assert(idx:doc(r.doc, { text = false }))
      local label = doc.source
      if doc.record and doc.record > 0 then label = label .. ":" .. doc.record end
      out_rows[#out_rows + 1] = { label = label, counts = r.counts, total = r.total }
    end
  end

  local columns = { { key = label_key } }
  if opts.by then columns[2] = { key = "documents", align = "r" } end
  local records = {}
  for i, c in ipairs(cats) do columns[#columns + 1] = { key = c, align = "r", cat = i } end
  columns[#columns + 1] = { key = "total", align = "r" }
  for _, r in ipairs(out_rows) do
    local rec = { [label_key] = r.label, documents = r.documents, total = r.total }
    for _, c in ipairs(columns) do
      if c.cat then rec[c.key] = r.counts[c.cat] end
    end
    records[#records + 1] = rec
  end
  output.table(io.stdout, opts.format, columns, records)
  return 0
end

return M
