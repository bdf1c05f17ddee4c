-- quarry_cli.grep: `quarry grep PATTERN [FILES...]` or `quarry grep PATTERN
-- -i INDEX`, a regex over the raw text of files or the stored texts of an
-- index, printed as rg prints it.
local quarry = require "quarry"
local args = require "quarry_cli.args"
local ingest = require "quarry_cli.ingest"
local output = require "quarry_cli.output"
local util = require "quarry_cli.util"

local M = {
  summary = "find a regex in files or in an index's texts, line by line",
  usage = "quarry grep PATTERN [FILES...] [OPTIONS] | quarry grep PATTERN -i INDEX",
  description = table.concat({
    "PATTERN is a PCRE2 regex (Unicode: \\w, \\b and \\p{Han} know every script;",
    "(?i) inside the pattern ignores case). A match never spans a line break",
    "unless --dotall. FILES are files or directories, walked recursively in",
    "name order; hidden files and directories are skipped, and so are binary",
    "files (a NUL byte in the first 8 KiB). Without FILES the stored texts of",
    "the index are scanned (-i INDEX, $QUARRY_INDEX or ./.quarry), and lines",
    "are numbered within each document.",
    "",
    "Each matching line prints once as path:line:text, matches highlighted on",
    "a terminal. --count prints the number of matches alone; --count-by file",
    "(or, with an index, a field name) a table of matches per value.",
    "-i is the index, as everywhere in quarry: ignoring case is --ignore-case.",
    "",
    "Exit status: 0 when something matched, 1 when nothing did, 2 for a bad",
    "pattern (with a caret under the error), a file that cannot be read (the",
    "others are still scanned) or a pattern that hit the match limit.",
  }, "\n"),
}

M.options = {
  ingest.index_option,
  { long = "fixed-strings", short = "F", help = "PATTERN is a plain string, not a regex" },
  { long = "ignore-case", help = "ignore case (also (?i) in the pattern)" },
  { long = "word", short = "w", help = "only matches at word boundaries (\\b...\\b)" },
  { long = "dotall", help = ". matches a line break; matches may span lines" },
  { long = "count", help = "print only the number of matches" },
  { long = "count-by", arg = "KEY",
    help = "matches per file ('file'), or per value of a field (index scans)" },
  { long = "files-with-matches", short = "l", help = "print only the names of matching files" },
  { long = "max-count", short = "m", arg = "N", integer = true,
    help = "at most N matching lines per file (or document)" },
  { long = "threads", short = "j", arg = "N", integer = true,
    help = "scanning threads for files (default: one per core)" },
  { long = "filter", arg = "EXPR", help = "only documents matching the field filter (index)" },
  output.format_option,
  { long = "color", arg = "WHEN", choices = { "auto", "always", "never" }, default = "auto",
    help = "highlight matches: auto (on a terminal), always or never" },
}

--- Prints the pattern, a caret under the byte at pos (1-based) and the
--- message; then exits 2.
local function syntax_error(text, pos, msg)
  local before = text:sub(1, pos - 1)
  io.stderr:write("quarry: bad pattern: ", msg, "\n")
  io.stderr:write("  ", text, "\n")
  io.stderr:write("  ", string.rep(" ", util.width(before)), "^\n")
  args.input_error("the pattern has an error at position %d", pos)
end

local function compile(opts, pattern)
  local flags = (opts.fixed_strings and "F" or "") .. (opts.ignore_case and "i" or "")
    .. (opts.word and "w" or "") .. (opts.dotall and "s" or "")
  local re, msg, _, pos = quarry.regex(pattern, flags)
  if not re then syntax_error(pattern, pos or 1, msg) end
  return re
end

--- The line with its matches in bold red.
local function highlight(line_text, line_start, spans)
  local out, at = {}, 1
  for _, s in ipairs(spans) do
    local a, b = s[1] - line_start + 1, s[2] - line_start + 1
    if a >= at and a <= #line_text + 1 then
      b = math.min(b, #line_text)
      out[#out + 1] = line_text:sub(at, a - 1)
      if b >= a then out[#out + 1] = "\27[1;31m" .. line_text:sub(a, b) .. "\27[0m" end
      at = b + 1
    end
  end
  out[#out + 1] = line_text:sub(at)
  return table.concat(out)
end

--- The label of a hit: the file, or the document's source (and record).
local function labeler(idx)
  if not idx then return function(h) return h.source end end
  local cache = {}
  return function(h)
    local l = cache[h.doc]
    if l then return l end
    local d = idx:doc(h.doc, { text = false })
    l = d and d.source or h.source or ("doc " .. h.doc)
    if d and d.record and d.record > 0 then l = l .. ":" .. d.record end
    cache[h.doc] = l
    return l
  end
end

local function key_of(h)
  return h.doc or h.source
end

function M.run(opts, positional)
  local pattern = positional[1]
  if not pattern then args.usage_error("grep", "missing PATTERN") end
  local sources = {}
  for i = 2, #positional do sources[#sources + 1] = positional[i] end
  if #sources > 0 and opts.index then
    args.usage_error("grep", "give either FILES or -i INDEX, not both")
  end
  if opts.filter and #sources > 0 then
    args.usage_error("grep", "--filter needs an index (no FILES)")
  end
  local n_modes = (opts.count and 1 or 0) + (opts.count_by and 1 or 0)
    + (opts.files_with_matches and 1 or 0)
  if n_modes > 1 then
    args.usage_error("grep", "--count, --count-by and --files-with-matches exclude each other")
  end
  local re <close> = compile(opts, pattern)

  local idx, target = nil, sources
  if #sources == 0 then
    idx = ingest.open_index(ingest.index_path(opts))
    target = idx
  end
  local label = labeler(idx)
  -- files that cannot be read are reported; the others are still scanned
  local gopts = { threads = opts.threads, filter = opts.filter, keep_going = idx == nil }
  local had_error = false

  local function finish(result, msg, code)
    if idx then idx:close() end
    if msg then
      io.stderr:write("quarry: ", msg, code and (" (" .. code .. ")") or "", "\n")
      had_error = true
    end
    if not result then return 2 end
    return nil
  end

  -- plain counting: the fast path, nothing per hit
  if opts.count and not opts.max_count then
    gopts.count = true
    local k, msg, code = quarry.grep(re, target, gopts)
    local failed = finish(k, msg, code)
    if failed then return failed end
    io.stdout:write(k.hits, "\n")
    if had_error then return 2 end
    return k.hits > 0 and 0 or 1
  end

  local color = opts.format == "text" and not opts.count_by and not opts.files_with_matches
    and (opts.color == "always" or (opts.color == "auto" and quarry._sys.isatty("stdout")))
  local lines_per = {}   -- matching lines per file or document (--max-count)
  local groups, order = {}, {} -- --count-by / --files-with-matches
  local records = {}     -- --format other than text
  local total = 0
  local cur = nil        -- the line being gathered: { h = first hit, spans }

  local field_cache = {}
  local function group_key(h)
    local by = opts.count_by
    if not by or by == "file" or by == "source" then return label(h) end
    if not idx then args.usage_error("grep", "--count-by %s needs an index; use 'file'", by) end
    local v = field_cache[h.doc]
    if v == nil then
      local d = idx:doc(h.doc, { text = false })
      v = d and d.fields[by]
      if v == nil then v = false end
      field_cache[h.doc] = v
    end
    return v == false and "(none)" or v
  end

  local function flush()
    if not cur then return end
    local h = cur.h
    local text = h.line_text
    if color then text = highlight(text, h.line_start, cur.spans) end
    io.stdout:write(label(h), ":", h.line, ":", text, "\n")
    cur = nil
  end

  local last_key, last_line, skip_line = nil, nil, false
  local function on_hit(h)
    local k = key_of(h)
    local new_line = k ~= last_key or h.line ~= last_line
    if new_line then
      last_key, last_line, skip_line = k, h.line, false
      if opts.max_count then
        local n = lines_per[k] or 0
        if n >= opts.max_count then skip_line = true else lines_per[k] = n + 1 end
      end
    end
    if skip_line then return end
    total = total + 1
    if opts.count then return end
    if opts.count_by or opts.files_with_matches then
      local g = group_key(h)
      if groups[g] == nil then
        groups[g] = 0
        order[#order + 1] = g
      end
      groups[g] = groups[g] + 1
      return
    end
    if opts.format ~= "text" then
      records[#records + 1] = { source = label(h), doc = h.doc, line = h.line,
                                start = h.start, ["end"] = h["end"], text = h.text }
      return
    end
    if new_line then
      flush()
      cur = { h = h, spans = {} }
    end
    cur.spans[#cur.spans + 1] = { h.start, h["end"] }
  end

  gopts.each = on_hit
  local k, msg, code = quarry.grep(re, target, gopts)
  flush()
  local failed = finish(k, msg, code)
  if failed then return failed end

  if opts.count then
    io.stdout:write(total, "\n")
  elseif opts.files_with_matches then
    for _, g in ipairs(order) do io.stdout:write(tostring(g), "\n") end
  elseif opts.count_by then
    local rows = {}
    for _, g in ipairs(order) do rows[#rows + 1] = { value = g, matches = groups[g] } end
    if opts.format == "text" then rows[#rows + 1] = { value = "total", matches = total } end
    output.table(io.stdout, opts.format, {
      { key = "value", title = opts.count_by },
      { key = "matches", align = "r" },
    }, rows)
  elseif opts.format ~= "text" then
    output.table(io.stdout, opts.format, {
      { key = "source" }, { key = "doc", align = "r" }, { key = "line", align = "r" },
      { key = "start", align = "r" }, { key = "end", align = "r" }, { key = "text" },
    }, records)
  end
  io.stdout:flush()
  if had_error then return 2 end
  return total > 0 and 0 or 1
end

return M
