-- quarry_cli.tokens: `quarry tokens FILE|-`, the tokens of a document.
local quarry = require "quarry"
local args = require "quarry_cli.args"
local ingest = require "quarry_cli.ingest"
local util = require "quarry_cli.util"

local M = {
  summary = "print the tokens of a document",
  usage = "quarry tokens [OPTIONS] FILE|-",
  description = table.concat({
    "Reads FILE (or standard input for -) through the document readers, so a",
    ".json, .md or .csv file tokenizes its text, and prints every token: its",
    "index, text, kind (word, number, punct, symbol, cjk), byte span (1-based,",
    "inclusive) and sentence number. A file with several documents (JSONL, CSV)",
    "prints a '# SOURCE#RECORD' line before each.",
    "",
    "--format json prints JSON Lines: one object per token with the keys",
    "source, record, index, text, norm, kind, first, last, sentence.",
  }, "\n"),
}

M.options = ingest.with({
  { long = "format", short = "f", arg = "FMT", choices = { "text", "json" }, default = "text",
    help = "output format: text (aligned columns) or json (JSON Lines)" },
  { long = "norm", help = "add a column with the normalized form (text format)" },
}, ingest.tokenizer_options, ingest.read_options)

local function print_text(doc, t, header, show_norm)
  local out = {}
  if header then
    out[#out + 1] = "# " .. doc.source .. (doc.record > 0 and ("#" .. doc.record) or "") .. "\n"
  end
  local rows = {}
  for i = 1, t.n do
    local row = { tostring(i), t.text[i] }
    if show_norm then row[#row + 1] = t.norm[i] end
    row[#row + 1] = t.kind[i]
    row[#row + 1] = t.first[i] .. "-" .. t.last[i]
    row[#row + 1] = tostring(t.sentence[i])
    rows[#rows + 1] = row
  end
  local align = show_norm and { "r", nil, nil, nil, "r", "r" } or { "r", nil, nil, "r", "r" }
  out[#out + 1] = util.columns(rows, align)
  io.stdout:write(table.concat(out))
end

local function print_json(doc, t)
  local json = quarry.json
  local out = {}
  for i = 1, t.n do
    out[#out + 1] = json.encode({
      source = doc.source, record = doc.record, index = i, text = t.text[i],
      norm = t.norm[i], kind = t.kind[i], first = t.first[i], last = t.last[i],
      sentence = t.sentence[i],
    })
  end
  if #out > 0 then io.stdout:write(table.concat(out, "\n"), "\n") end
end

function M.run(opts, positional)
  local file = positional[1]
  if not file then args.usage_error("tokens", "missing FILE argument") end
  if positional[2] then args.usage_error("tokens", "too many arguments (one FILE or -)") end
  local read_opts = ingest.to_read_opts("tokens", opts)
  local tok_opts = ingest.to_tokenizer_opts(opts)

  local src <close> = util.open_sources(file, read_opts)
  -- Peek at two documents to know whether headers are needed.
  local docs, n = {}, 0
  docs[1] = src:next()
  docs[2] = docs[1] and src:next()
  local header = docs[2] ~= nil
  local function each()
    n = n + 1
    if n <= 2 then return docs[n] end
    return src:next()
  end
  local count = 0
  for doc in each do
    local t, msg = quarry.tokenize(doc.text, tok_opts)
    if not t then args.input_error("%s", msg) end
    if opts.format == "json" then
      print_json(doc, t)
    else
      print_text(doc, t, header, opts.norm)
    end
    count = count + 1
  end
  local report = src:report()
  util.report_problems(report, opts.quiet)
  if opts.verbose then
    for _, s in ipairs(report.skipped_files) do
      io.stderr:write("quarry: skipped: ", s.path, " (", s.reason, ")\n")
    end
  end
  if count == 0 then
    if #report.skipped_files > 0 and #report.errors == 0 then
      args.input_error("%s: skipped (%s)", report.skipped_files[1].path,
                       report.skipped_files[1].reason)
    end
    args.input_error("nothing readable in %s", file)
  end
  return 0
end

return M
