-- quarry_cli.search: `quarry search QUERY [-i INDEX]`, every hit of a query
-- as a concordance (KWIC) line, or its counts.
local quarry = require "quarry"
local args = require "quarry_cli.args"
local ingest = require "quarry_cli.ingest"
local output = require "quarry_cli.output"
local util = require "quarry_cli.util"

local M = {
  summary = "find every occurrence of a query, as concordance lines or counts",
  usage = "quarry search QUERY [OPTIONS] [-i INDEX]",
  description = table.concat({
    "QUERY is a word, a \"phrase\", a pattern (econom*, /colou?r/i), a boolean",
    "or NEAR combination, a token sequence (\"new\" []{0,2} \"forces\"), with",
    "field filters (year>=2015) and a scope (within s): see docs/query.md.",
    "Chinese is matched character by character: 新质生产力 finds the five",
    "characters in a row, across line breaks too.",
    "",
    "Each hit prints as one line: document, token position, left context, the",
    "hit and the right context, aligned on the hit (highlighted on a terminal).",
    "--count prints only the number of hits; --count-by FIELD a table of hits",
    "and documents per value of FIELD ('source' for the file).",
    "",
    "Exit status: 0 when something matched, 1 when nothing did, 2 for a bad",
    "query (with a caret under the error) or a missing index.",
  }, "\n"),
}

M.options = {
  ingest.index_option,
  { long = "context", short = "C", arg = "N", integer = true, default = 8,
    help = "tokens of context on each side (default 8)" },
  { long = "chars", arg = "N", integer = true,
    help = "N characters of context on each side instead of tokens" },
  { long = "sentence", help = "show the whole sentence around each hit" },
  { long = "sort", arg = "KEY",
    help = "order of the lines: doc (default), left, right, or a field name" },
  { long = "limit", short = "n", arg = "N", integer = true, help = "print at most N lines" },
  { long = "filter", arg = "EXPR", help = "only documents matching the field filter" },
  { long = "label", arg = "FIELD", help = "label lines with FIELD instead of the source" },
  { long = "dict", arg = "FILE",
    help = "search the matches of a YAML dictionary (QUERY is then omitted)" },
  { long = "count", help = "print only the number of hits" },
  { long = "count-by", arg = "FIELD", help = "hits and documents per value of FIELD" },
  { long = "explain", help = "print the parsed query and exit" },
  output.format_option,
  { long = "color", arg = "WHEN", choices = { "auto", "always", "never" }, default = "auto",
    help = "highlight hits: auto (on a terminal), always or never" },
}

--- Prints the query with a caret under the byte at pos (1-based), then
--- the message, and exits 2.
local function syntax_error(text, pos, msg)
  local before = text:sub(1, pos - 1)
  io.stderr:write("  ", text, "\n")
  io.stderr:write("  ", string.rep(" ", util.width(before)), "^\n")
  args.input_error("bad query: %s", (msg:gsub("^query: ", ""):gsub(" at position %d+$", "")))
end

local function compile(opts, positional)
  if opts.dict then
    if positional[1] then
      args.usage_error("search", "give either QUERY or --dict FILE, not both")
    end
    local d, msg, code, line = quarry.dictionary(opts.dict)
    if not d then
      if line then args.input_error("%s", msg) end -- msg is FILE:LINE:COLUMN: problem
      args.input_error("cannot read the dictionary %s (%s)", msg, code) -- msg names the file
    end
    return d, true
  end
  local text = positional[1]
  if not text then args.usage_error("search", "missing QUERY") end
  if positional[2] then
    args.usage_error("search", "unexpected argument '%s' (quote the query: quarry search '%s %s')",
                     positional[2], text, positional[2])
  end
  local q, msg, _, pos = quarry.query(text)
  if not q then syntax_error(text, pos or 1, msg) end
  return q, false
end

local function label_of(idx, id, field, cache)
  local l = cache[id]
  if l then return l end
  local d = assert(idx:doc(id, { text = false }))
  if field then
    local v = d.fields[field]
    l = v ~= nil and tostring(v) or "-"
  else
    l = d.source:match("([^/]+)$") or d.source
    if d.record and d.record > 0 then l = l .. ":" .. d.record end
  end
  cache[id] = l
  return l
end

--- Cuts s to at most w columns by dropping its middle, so that both the
--- start of a file name and its record number stay visible.
local function fit_middle(s, w)
  if util.width(s) <= w then return s end
  local cps = {}
  for _, c in utf8.codes(s) do cps[#cps + 1] = utf8.char(c) end
  local head, tail, used = {}, {}, 1
  local i, j = 1, #cps
  while i <= j do
    local take_tail = #tail < #head
    local c = take_tail and cps[j] or cps[i]
    local cw = util.width(c)
    if used + cw > w then break end
    used = used + cw
    if take_tail then
      table.insert(tail, 1, c)
      j = j - 1
    else
      head[#head + 1] = c
      i = i + 1
    end
  end
  return table.concat(head) .. "…" .. table.concat(tail)
end

--- Normalized forms of up to k tokens from position p going by step (-1
--- left, +1 right), joined for sorting.
local function context_key(idx, doc, p, k, step)
  local first = step < 0 and math.max(1, p - k + 1) or p
  local n = step < 0 and (p - first + 1) or k
  if p < 1 or n < 1 then return "" end
  local t = idx:tokens(doc, first, n)
  if not t then return "" end
  local words = {}
  if step < 0 then
    for i = t.n, 1, -1 do words[#words + 1] = idx:term_text(t.ids[i]) end
  else
    for i = 1, t.n do words[#words + 1] = idx:term_text(t.ids[i]) end
  end
  return table.concat(words, "\1")
end

local function field_value(idx, id, field, cache)
  local v = cache[id]
  if v == nil then
    local d = assert(idx:doc(id, { text = false }))
    v = d.fields[field]
    if v == nil then v = false end
    cache[id] = v
  end
  return v
end

local function sort_hits(idx, hits, key)
  if key == nil or key == "doc" then return end
  local keys = {}
  if key == "left" or key == "right" then
    for i, h in ipairs(hits) do
      keys[i] = key == "left" and context_key(idx, h.doc, h.first - 1, 3, -1)
        or context_key(idx, h.doc, h.last + 1, 3, 1)
      h.order = i
    end
  else
    local cache = {}
    for i, h in ipairs(hits) do
      local v = field_value(idx, h.doc, key, cache)
      keys[i] = v
      h.order = i
    end
  end
  local function less(a, b)
    local ka, kb = keys[a.order], keys[b.order]
    if ka ~= kb then
      if ka == false then return false end
      if kb == false then return true end
      if type(ka) == type(kb) then return ka < kb end
      return tostring(ka) < tostring(kb)
    end
    return a.order < b.order -- stable
  end
  table.sort(hits, less)
end

--- Cuts s to at most w columns, keeping its end (left context) or start.
local fit = require("quarry.report_util").truncate

local function print_count_by(idx, q, opts)
  local groups, msg = idx:count(q, { by = opts.count_by, filter = opts.filter })
  if not groups then args.input_error("%s", msg) end
  table.sort(groups, function(a, b)
    local va, vb = a.value, b.value
    if va == false then return false end
    if vb == false then return true end
    if type(va) == type(vb) then return va < vb end
    return tostring(va) < tostring(vb)
  end)
  local rows, total_h, total_d = {}, 0, 0
  for _, g in ipairs(groups) do
    rows[#rows + 1] = { value = g.value == false and "(none)" or g.value, hits = g.hits,
                        docs = g.docs }
    total_h, total_d = total_h + g.hits, total_d + g.docs
  end
  if opts.format == "text" then
    rows[#rows + 1] = { value = "total", hits = total_h, docs = total_d }
  end
  output.table(io.stdout, opts.format, {
    { key = "value", title = opts.count_by },
    { key = "hits", align = "r" },
    { key = "docs", title = "documents", align = "r" },
  }, rows)
  return total_h > 0 and 0 or 1
end

function M.run(opts, positional)
  if opts.explain then
    local text = positional[1] or args.usage_error("search", "missing QUERY")
    local q, msg, _, pos = quarry.query(text)
    if not q then syntax_error(text, pos or 1, msg) end
    io.stdout:write(q:explain(), "\n")
    return 0
  end
  if opts.chars and opts.sentence then
    args.usage_error("search", "--chars and --sentence cannot be combined")
  end
  local q = compile(opts, positional)
  local path = ingest.index_path(opts)
  local idx <close> = ingest.open_index(path)
  -- the cursor raises for a bad filter (a programming error in Lua): a
  -- user's filter is checked first, to show where it went wrong
  if opts.filter then
    local ids, msg, code, pos = idx:docs({ filter = opts.filter, limit = 1 })
    if not ids then
      if code == "ESYNTAX" and pos then
        args.input_error("%s\n  %s\n  %s^", msg, opts.filter,
                         string.rep(" ", util.width(opts.filter:sub(1, pos - 1))))
      end
      args.input_error("%s (%s)", msg, code)
    end
  end

  if opts.count then
    local cur, msg = idx:cursor(q, { filter = opts.filter })
    if not cur then args.input_error("%s", msg) end
    local hits = cur:count()
    cur:close()
    io.stdout:write(hits, "\n")
    return hits > 0 and 0 or 1
  end
  if opts.count_by then return print_count_by(idx, q, opts) end

  local kopts = { unit = "tokens", left = opts.context, right = opts.context }
  if opts.chars then kopts = { unit = "chars", left = opts.chars, right = opts.chars } end
  if opts.sentence then kopts = { unit = "sentence" } end

  -- Hits are gathered first when they must be sorted; else streamed.
  local cur, msg = idx:cursor(q, { filter = opts.filter,
                                    limit = (opts.sort == nil or opts.sort == "doc")
                                      and opts.limit or nil })
  if not cur then args.input_error("%s", msg) end
  local hits = {}
  while true do
    local doc, first, last, cat = cur:next()
    if not doc then break end
    hits[#hits + 1] = { doc = doc, first = first, last = last, category = cat }
  end
  cur:close()
  sort_hits(idx, hits, opts.sort)
  if opts.limit and #hits > opts.limit then
    for i = #hits, opts.limit + 1, -1 do hits[i] = nil end
  end

  local labels = {}
  for _, h in ipairs(hits) do
    h.label = label_of(idx, h.doc, opts.label, labels)
    local left, hit, right, s, e = idx:kwic(h.doc, h.first, h.last, kopts)
    if not left then args.input_error("%s", hit) end
    h.left, h.hit, h.right, h.start, h["end"] = left, hit, right, s, e
  end

  if opts.format ~= "text" then
    local cols = {
      { key = "doc", align = "r" }, { key = "label" }, { key = "first", align = "r" },
      { key = "last", align = "r" }, { key = "start", align = "r" }, { key = "end", align = "r" },
      { key = "left" }, { key = "hit" }, { key = "right" },
    }
    if positional[1] == nil then table.insert(cols, 3, { key = "category" }) end
    output.table(io.stdout, opts.format, cols, hits)
    return #hits > 0 and 0 or 1
  end

  local color = opts.color == "always" or (opts.color == "auto" and quarry._sys.isatty("stdout"))
  local term_w = tonumber(os.getenv("COLUMNS") or "") or 120
  local lw, pw = 0, 0
  for _, h in ipairs(hits) do
    lw = math.max(lw, util.width(h.label))
    pw = math.max(pw, #tostring(h.first))
  end
  lw = math.min(lw, 36)
  local side = math.max(20, (term_w - lw - pw - 6) // 2 - 6)
  local out = {}
  for _, h in ipairs(hits) do
    local left = fit(h.left, side, true)
    local right = fit(h.right, side, false)
    local hit = h.hit
    if color then hit = "\27[1;31m" .. hit .. "\27[0m" else hit = "[" .. hit .. "]" end
    out[#out + 1] = string.format("%s %s  %s%s%s", util.pad_right(fit_middle(h.label, lw), lw),
                                  util.pad_left(tostring(h.first), pw),
                                  util.pad_left(left, side), hit, right)
    if #out >= 256 then
      io.stdout:write(table.concat(out, "\n"), "\n")
      out = {}
    end
  end
  if #out > 0 then io.stdout:write(table.concat(out, "\n"), "\n") end
  return #hits > 0 and 0 or 1
end

return M
