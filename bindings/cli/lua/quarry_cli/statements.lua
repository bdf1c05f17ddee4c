-- quarry_cli.statements: `quarry statements [FILE...]`, the dated statements
-- of documents (sentences that mention a date) as a timeline, from files or
-- from an index (docs/dates.md).
local quarry = require "quarry"
local args = require "quarry_cli.args"
local colloc = require "quarry_cli.colloc"
local ingest = require "quarry_cli.ingest"
local output = require "quarry_cli.output"
local subcorpus = require "quarry_cli.subcorpus"
local util = require "quarry_cli.util"

local M = {
  summary = "dated statements: the sentences that mention a date, as a timeline",
  usage = "quarry statements [FILE...] [OPTIONS] [-i INDEX]",
  description = table.concat({
    "Finds the dates written in each document (\"September 7, 2023\", \"7 Sept.",
    "2023\", \"2023-09-07\", \"January 2024\", \"On March 5\", \"in 2023\", \"2023年9月7日\",",
    "\"9月7日\"; docs/dates.md) and prints the sentences that hold one, each at its",
    "first date (--each-date: once per date), ordered by date (--order date) or",
    "as they come (--order document), with the key terms of --terms they contain.",
    "A date without a year takes the year of the last date with a year before it",
    "in the document, else --reference-date, else the document's date field",
    "(--date-field, default date); a year marked * was inferred.",
    "",
    "With FILE arguments (files, directories, globs or -) the documents are read",
    "and split into sentences here; otherwise the documents of the index are",
    "used (-i), with --filter/--where for a subcorpus and --query to keep only",
    "sentences holding a hit of a query.",
    "",
    "Records: date, precision (day, month, year), inferred, until (the end of a",
    "range such as \"December 11 to 12, 2023\"), doc, label, start and end",
    "(1-based inclusive bytes of the sentence), terms, dates (all the sentence's",
    "dates) and sentence (white space runs as one space).",
    "",
    "Exit status: 0, or 2 for a bad option, query, file or index.",
  }, "\n"),
}

M.options = ingest.with({
  ingest.index_option,
  { long = "query", arg = "Q", help = "index only: keep sentences holding a hit of Q" },
  { long = "terms", short = "t", arg = "LIST",
    help = "key terms to report, comma-separated: words, phrases, 新质生产力, prefix*" },
  { long = "with-terms", help = "keep only sentences holding a key term" },
  { long = "order", arg = "ORDER", choices = { "date", "document" }, default = "date",
    help = "date (default, stable) or document" },
  { long = "each-date", help = "one record per date of a sentence (default: its first date)" },
  { long = "reference-date", arg = "DATE",
    help = "year for dates written without one and no earlier year (YYYY-MM-DD)" },
  { long = "date-field", arg = "FIELD", default = "date",
    help = "field giving a document's reference date (default date)" },
  { long = "numeric", arg = "ORDER", choices = { "none", "mdy", "dmy" }, default = "none",
    help = "read 09/07/2023 as month/day (mdy) or day/month (dmy); default: not a date" },
  { long = "no-years", help = "do not read bare years (\"in 2023\") as dates" },
  subcorpus.options[1], subcorpus.options[2],
  output.format_option,
}, ingest.read_options, ingest.tokenizer_options)

local COLUMNS = { "date", "precision", "inferred", "until", "doc", "label", "start", "end",
                  "terms", "dates", "sentence" }

--- Splits "a, b,c" into { "a", "b", "c" } (empty items dropped); a
--- full-width comma separates too.
local function split_terms(s)
  local t = {}
  for item in s:gsub("，", ","):gmatch("[^,]+") do
    item = item:match("^%s*(.-)%s*$")
    if item ~= "" then t[#t + 1] = item end
  end
  return t
end

local function lua_options(opts)
  local o = {
    order = opts.order, each_date = opts.each_date or false,
    require_terms = opts.with_terms or false, date_field = opts.date_field,
    numeric = opts.numeric, years = not opts.no_years,
  }
  if opts.reference_date then
    if not pcall(quarry.dates, "", { reference_date = opts.reference_date }) then
      args.usage_error("statements", "--reference-date: '%s' is not a date (YYYY-MM-DD, YYYY-MM "
                       .. "or YYYY, from 1000 to 2999)", opts.reference_date)
    end
    o.reference_date = opts.reference_date
  end
  if opts.terms then
    o.terms = split_terms(opts.terms)
    if #o.terms == 0 then args.usage_error("statements", "--terms: no term in '%s'", opts.terms) end
  end
  return o
end

local function from_files(opts, positional, lopts)
  for _, k in ipairs({ "query", "filter", "where" }) do
    if opts[k] then
      args.usage_error("statements", "--%s works on an index: give no FILE, or drop --%s", k, k)
    end
  end
  for k, v in pairs(ingest.to_tokenizer_opts(opts)) do lopts[k] = v end
  local src <close> = util.open_sources(positional, ingest.to_read_opts("statements", opts))
  local docs = {}
  for doc in src.next, src do docs[#docs + 1] = doc end
  local report = src:report()
  util.report_problems(report, opts.quiet)
  if opts.verbose then
    for _, s in ipairs(report.skipped_files) do
      io.stderr:write("quarry: skipped: ", s.path, " (", s.reason, ")\n")
    end
  end
  if #docs == 0 then
    if #report.skipped_files > 0 and #report.errors == 0 then
      args.input_error("%s: skipped (%s)", report.skipped_files[1].path,
                       report.skipped_files[1].reason)
    end
    args.input_error("nothing readable in %s", table.concat(positional, " "))
  end
  local ok, r, msg, code = pcall(quarry.statements, docs, lopts)
  if not ok then args.input_error("statements: %s", args.raised(r)) end
  if not r then args.input_error("statements: %s (%s)", msg, code) end
  return r, #docs
end

local function from_index(opts, lopts)
  if ingest.tokenizer_given(opts) then
    args.usage_error("statements", "tokenizer options apply to FILEs; an index keeps its own")
  end
  local q
  if opts.query then q = colloc.compile("statements", opts.query) end
  subcorpus.lua_opts(opts, lopts)
  local idx <close> = ingest.open_index(ingest.index_path(opts))
  local ok, r, msg, code = pcall(idx.statements, idx, q, lopts)
  if not ok then args.input_error("statements: %s", args.raised(r)) end
  if not r then args.input_error("statements: %s (%s)", msg, code) end
  return r
end

local function print_text(r, opts, with_labels)
  local out = {}
  local inferred = false
  for _, s in ipairs(r) do
    local date = s.date .. (s.inferred and "*" or "")
    if s["until"] then date = date .. "/" .. s["until"] end
    inferred = inferred or s.inferred
    local head = { date }
    if with_labels then head[#head + 1] = s.label end
    if s.terms ~= "" then head[#head + 1] = "[" .. s.terms .. "]" end
    out[#out + 1] = table.concat(head, "  ")
    out[#out + 1] = "    " .. s.sentence
  end
  io.stdout:write(string.format("# %d dated statement%s, in %s order%s\n", #r,
                                #r == 1 and "" or "s", opts.order,
                                inferred and "; * year inferred" or ""))
  if #out > 0 then io.stdout:write(table.concat(out, "\n"), "\n") end
end

function M.run(opts, positional)
  local lopts = lua_options(opts)
  local r, with_labels
  if #positional > 0 then
    local ndocs
    r, ndocs = from_files(opts, positional, lopts)
    with_labels = ndocs > 1
  else
    r = from_index(opts, lopts)
    with_labels = true
  end
  if opts.format == "text" then
    print_text(r, opts, with_labels)
    return 0
  end
  local columns = {}
  for i, k in ipairs(COLUMNS) do
    columns[i] = { key = k, align = (k == "doc" or k == "start" or k == "end") and "r" or nil }
  end
  output.table(io.stdout, opts.format, columns, r)
  return 0
end

return M
