-- quarry_cli.index: `quarry index SOURCES... [-i INDEX]`, builds or updates
-- an index. Documents are keyed by (source, record): a new key is added, a
-- changed one replaced, an unchanged one skipped; one commit at the end.
local quarry = require "quarry"
local args = require "quarry_cli.args"
local ingest = require "quarry_cli.ingest"
local progress = require "quarry_cli.progress"
local util = require "quarry_cli.util"

local M = {
  summary = "build or update an index from SOURCES",
  usage = "quarry index [OPTIONS] SOURCES... [-i INDEX]",
  description = table.concat({
    "SOURCES are files, directories (read recursively), globs or - for stdin,",
    "read with the same options as 'quarry stats'. The index is the directory",
    "INDEX (-i), else $QUARRY_INDEX, else .quarry in the current directory",
    "(hidden, so 'quarry index .' never reads its own index). It is created",
    "when missing; otherwise documents are matched by source and record: new",
    "ones are added, changed ones replaced, unchanged ones left alone. All of",
    "it becomes visible at once, in one commit at the end; an interrupted run",
    "leaves the last commit as it was.",
    "",
    "Tokenizer options apply to a new index; for an existing one they must be",
    "the ones it was built with (leave them out to use those).",
    "",
    "On a terminal a progress bar (documents, MB, MB/s, ETA) is drawn on",
    "stderr; piped, or with --quiet or --format json, nothing is drawn.",
    "Per-file errors go to stderr (warnings too, unless --quiet).",
    "",
    "Exit status: 0 when the commit succeeded, 2 for usage errors, when no",
    "source exists, when nothing could be read, or when the index is busy",
    "(another writer holds its lock; the message names its process).",
  }, "\n"),
}

M.options = ingest.with({
  ingest.index_option,
  { long = "format", short = "f", arg = "FMT", choices = { "text", "json" }, default = "text",
    help = "summary format: text or json" },
  { long = "memory", arg = "SIZE", default = "256M",
    help = "memory budget before a segment is written, e.g. 64M, 1G (default 256M)" },
  { long = "threads", arg = "N", integer = true,
    help = "tokenizing threads (default: the number of cores)" },
  { long = "prune", help = "remove documents whose source files no longer exist" },
}, ingest.tokenizer_options, ingest.read_options)

local function event_json(ev)
  return {
    path = ev.path, record = ev.record, line = ev.line, column = ev.column,
    reason = ev.reason, message = ev.message, code = ev.code,
  }
end

--- Deletes the documents of sources that are files no longer on disk.
--- Paths are checked as stored (relative ones against the current
--- directory). Returns the number of documents deleted.
local function prune(w, path)
  local idx, _, code = quarry.open(path)
  if not idx then
    if code == "ENOENT" then return 0, {} end -- a new index: nothing to prune
    ingest.open_index(path) -- raises with the message
  end
  local sys, deleted, gone, seen = quarry._sys, 0, {}, {}
  for _, id in ipairs(idx:docs()) do
    local d = assert(idx:doc(id, { text = false }))
    local src = d.source
    if not seen[src] then
      seen[src] = true
      if src ~= "-" and src ~= "" and not src:find("^%a[%w+.-]*:") and not sys.path_kind(src) then
        local n, msg, c = w:delete(src)
        if not n then args.input_error("cannot delete %s: %s (%s)", src, msg, c) end
        deleted = deleted + n
        gone[#gone + 1] = src
      end
    end
  end
  idx:close()
  return deleted, gone
end

local function parse_memory(s)
  local n, unit = tostring(s):upper():match("^%s*(%d+%.?%d*)%s*([KMGT]?)I?B?%s*$")
  if not n then return nil end
  local mul = ({ [""] = 1, K = 1024, M = 1024 ^ 2, G = 1024 ^ 3, T = 1024 ^ 4 })[unit]
  return math.floor(tonumber(n) * mul)
end

function M.run(opts, positional)
  if #positional == 0 then args.usage_error("index", "missing SOURCES argument") end
  local path = ingest.index_path(opts)
  local read_opts = ingest.to_read_opts("index", opts)
  local memory = parse_memory(opts.memory)
  if not memory or memory < 1024 * 1024 then
    args.usage_error("index", "--memory expects a size of at least 1M such as 64M or 1G, got '%s'",
                     opts.memory)
  end
  local wopts = { memory = memory, threads = opts.threads }
  if ingest.tokenizer_given(opts) then wopts.tokenizer = ingest.to_tokenizer_opts(opts) end

  local sys = quarry._sys
  local src <close> = util.open_sources(positional, read_opts)
  local w <close> = ingest.open_writer(path, wopts)
  local draw = not opts.quiet and opts.format ~= "json" and sys.isatty("stderr")
  local total = draw and sys.disk_usage(positional, opts.hidden) or nil
  local bar = progress.new({ enabled = draw, total = total })

  local ok, counts, msg, code = pcall(w.add_sources, w, src, function(_, bytes)
    bar:update(bytes)
  end)
  if not ok then
    bar:finish()
    error(counts, 0)
  end
  if not counts then
    bar:finish()
    args.input_error("indexing into %s failed: %s (%s)", path, msg, code)
  end
  local report = src:report()

  if counts.documents == 0 and not opts.prune then
    bar:finish()
    util.report_problems(report, opts.quiet)
    local reasons = {}
    for reason, n in pairs(report.skipped) do reasons[#reasons + 1] = n .. " " .. reason end
    table.sort(reasons)
    args.input_error("no document could be read from %s%s; the index was not changed",
                     table.concat(positional, " "),
                     #reasons > 0 and (" (skipped: " .. table.concat(reasons, ", ") .. ")") or "")
  end

  local pruned, gone = 0, {}
  if opts.prune then
    bar:phase("pruning")
    pruned, gone = prune(w, path)
  end
  bar:phase("committing")
  local stats, cmsg, ccode = w:commit()
  bar:finish()
  if not stats then
    util.report_problems(report, opts.quiet)
    args.input_error("commit to %s failed: %s (%s)", path, cmsg, ccode)
  end
  w:close()
  local seconds = bar:elapsed()
  local mb = counts.bytes / (1024 * 1024)

  util.report_problems(report, opts.quiet)
  if opts.verbose then
    for _, s in ipairs(report.skipped_files) do
      io.stderr:write("quarry: skipped: ", s.path, " (", s.reason, ")\n")
    end
    for _, s in ipairs(gone) do
      io.stderr:write("quarry: pruned: ", s, "\n")
    end
  end

  if opts.format == "json" then
    local json = quarry.json
    local errors, warnings = json.array(), json.array()
    for _, ev in ipairs(report.errors) do errors[#errors + 1] = event_json(ev) end
    for _, ev in ipairs(report.warnings) do warnings[#warnings + 1] = event_json(ev) end
    io.stdout:write(json.encode({
      index = path, sources = json.array(positional),
      added = stats.added, replaced = stats.replaced, unchanged = stats.unchanged,
      deleted = stats.deleted, pruned = pruned, documents = stats.documents,
      segments = stats.segments, generation = stats.generation,
      read = counts.documents,
      seconds = math.floor(seconds * 1000 + 0.5) / 1000,
      mb = math.floor(mb * 1000 + 0.5) / 1000,
      skipped = #report.skipped_files, skipped_reasons = json.object(report.skipped),
      errors = #report.errors, warnings = #report.warnings,
      error_events = errors, warning_events = warnings,
    }, { indent = true }), "\n")
    return 0
  end
  if opts.quiet then return 0 end

  local rows = {
    { "added", tostring(stats.added), "" },
    { "replaced", tostring(stats.replaced), "" },
    { "unchanged", tostring(stats.unchanged), "" },
    { "deleted", tostring(stats.deleted), opts.prune and string.format("(%d pruned)", pruned) or "" },
    { "documents", tostring(stats.documents), "(live, after this commit)" },
    { "segments", tostring(stats.segments), "" },
  }
  local out = {
    string.format("index %s: generation %d\n", path, stats.generation),
    util.columns(rows, { nil, "r" }, "  "),
    string.format("  read %d document%s, %s in %.1f s (%.1f MB/s)\n", counts.documents,
                  counts.documents == 1 and "" or "s",
                  ingest.format_bytes(counts.bytes), seconds, seconds > 0 and mb / seconds or 0),
  }
  if #report.skipped_files > 0 then
    local reasons = {}
    for reason, n in pairs(report.skipped) do reasons[#reasons + 1] = reason .. " " .. n end
    table.sort(reasons)
    out[#out + 1] = string.format("  skipped %d file%s (%s)\n", #report.skipped_files,
                                  #report.skipped_files == 1 and "" or "s",
                                  table.concat(reasons, ", "))
  end
  if #report.errors > 0 or #report.warnings > 0 then
    out[#out + 1] = string.format("  %d error%s, %d warning%s (on stderr)\n",
                                  #report.errors, #report.errors == 1 and "" or "s",
                                  #report.warnings, #report.warnings == 1 and "" or "s")
  end
  io.stdout:write(table.concat(out))
  return 0
end

return M
