-- quarry_cli.stats: `quarry stats SOURCES...`, a corpus summary.
local quarry = require "quarry"
local args = require "quarry_cli.args"
local ingest = require "quarry_cli.ingest"
local util = require "quarry_cli.util"

local M = {
  summary = "summarize a corpus: documents, fields, tokens, words, top words",
  usage = "quarry stats [OPTIONS] SOURCES...",
  description = table.concat({
    "SOURCES are files, directories (read recursively), globs or - for stdin.",
    "Prints the number of documents; every metadata field with its type, the",
    "number of documents having it, its range (values for numbers, dates for",
    "dates, lengths in characters for strings) and distinct values; tokens",
    "(punctuation included), word tokens (words, numbers and Chinese words;",
    "punctuation and symbols excluded), word types, sentences, paragraphs;",
    "invalid UTF-8 sequences replaced; skipped files per reason (each file with",
    "--verbose); errors and warnings per file; and the most frequent words.",
    "",
    "Exit status: 0 when at least one document was read, 2 for usage errors,",
    "when no source exists or when nothing could be read.",
  }, "\n"),
}

M.options = ingest.with({
  { long = "format", short = "f", arg = "FMT", choices = { "text", "json" }, default = "text",
    help = "output format: text or json" },
  { long = "top", short = "n", arg = "N", integer = true, default = 20,
    help = "number of top words to show (default 20; 0 for none)" },
}, ingest.tokenizer_options, ingest.read_options)

local function event_json(ev)
  return {
    path = ev.path, record = ev.record, line = ev.line, column = ev.column,
    reason = ev.reason, message = ev.message, code = ev.code,
  }
end

local function print_text(res, report, opts)
  local out = {}
  local function w(s) out[#out + 1] = s end
  w(util.columns({
    { "documents", tostring(res.documents), "" },
    { "tokens", tostring(res.tokens), "(punctuation included)" },
    { "words", tostring(res.words), "(word tokens: words, numbers, Chinese words)" },
    { "types", tostring(res.types), "(distinct normalized words)" },
    { "sentences", tostring(res.sentences), "" },
    { "paragraphs", tostring(res.paragraphs), "" },
    { "replaced", tostring(res.replaced), "(invalid UTF-8 sequences)" },
  }, { nil, "r" }))

  w(util.fields_table(res.fields))

  local reasons = {}
  for reason, n in pairs(report.skipped) do reasons[#reasons + 1] = { reason, n } end
  table.sort(reasons, function(a, b) return a[1] < b[1] end)
  if #reasons > 0 then
    w(string.format("\nskipped: %d file%s\n", #report.skipped_files,
                    #report.skipped_files == 1 and "" or "s"))
    local rows = {}
    for _, r in ipairs(reasons) do rows[#rows + 1] = { r[1], tostring(r[2]) } end
    w(util.columns(rows, { nil, "r" }, "  "))
    if opts.verbose then
      for _, s in ipairs(report.skipped_files) do
        w("    " .. s.path .. " (" .. s.reason .. ")\n")
      end
    end
  end

  if #report.errors > 0 then
    w(string.format("\nerrors: %d\n", #report.errors))
    for _, ev in ipairs(report.errors) do w("  " .. quarry.format_event(ev) .. "\n") end
  end
  if #report.warnings > 0 then
    w(string.format("\nwarnings: %d\n", #report.warnings))
    for _, ev in ipairs(report.warnings) do w("  " .. quarry.format_event(ev) .. "\n") end
  end

  if #res.top > 0 then
    w(string.format("\ntop %d words:\n", #res.top))
    local rows = {}
    for i, t in ipairs(res.top) do rows[#rows + 1] = { tostring(i), t.word, tostring(t.count) } end
    w(util.columns(rows, { "r", nil, "r" }, "  "))
  end
  io.stdout:write(table.concat(out))
end

local function print_json(res, report, sources)
  local json = quarry.json
  local errors, warnings = json.array(), json.array()
  for _, ev in ipairs(report.errors) do errors[#errors + 1] = event_json(ev) end
  for _, ev in ipairs(report.warnings) do warnings[#warnings + 1] = event_json(ev) end
  local fields = json.array()
  for _, f in ipairs(res.fields) do fields[#fields + 1] = f end
  local top = json.array()
  for _, t in ipairs(res.top) do top[#top + 1] = t end
  local skipped_files = json.array()
  for _, s in ipairs(report.skipped_files) do skipped_files[#skipped_files + 1] = s end
  io.stdout:write(json.encode({
    sources = json.array(sources),
    documents = res.documents, tokens = res.tokens, words = res.words,
    types = res.types, sentences = res.sentences, paragraphs = res.paragraphs,
    replaced = res.replaced, fields = fields, top = top,
    skipped = json.object(report.skipped), skipped_files = skipped_files,
    errors = errors, warnings = warnings,
  }, { indent = true }), "\n")
end

function M.run(opts, positional)
  if #positional == 0 then args.usage_error("stats", "missing SOURCES argument") end
  local read_opts = ingest.to_read_opts("stats", opts)
  local tok_opts = ingest.to_tokenizer_opts(opts)
  tok_opts.top = opts.top

  local src <close> = util.open_sources(positional, read_opts)
  local summary <close>, msg = quarry.summary(tok_opts)
  if not summary then args.input_error("%s", msg) end
  summary:add_sources(src)
  local res = summary:result(opts.top)
  local report = src:report()

  if res.documents == 0 then
    -- nothing to summarize: list why, then fail
    util.report_problems(report, opts.quiet)
    local reasons = {}
    for reason, n in pairs(report.skipped) do reasons[#reasons + 1] = n .. " " .. reason end
    table.sort(reasons)
    args.input_error("no document could be read from %s%s", table.concat(positional, " "),
                     #reasons > 0 and (" (skipped: " .. table.concat(reasons, ", ") .. ")") or "")
  end
  if opts.format == "json" then
    print_json(res, report, positional)
  else
    print_text(res, report, opts)
  end
  return 0
end

return M
