-- quarry: the Lua face of the quarry text-corpus engine.
--
-- The C module quarry.core does the heavy work (tokenizing, reading,
-- counting); this layer gives it its documented shape (docs/lua.md) and
-- adds what is easier in Lua: quarry.read on top of the sources reader,
-- the generic-for iterator quarry.documents, and Sources:report().
local core = require "quarry.core"

local quarry = {}

quarry.version = core.version
quarry._VERSION = "quarry " .. core.version
quarry.api_level = 1

--- Stable error codes, the third value of `nil, message, code`.
quarry.errors = {}
for k, v in pairs(core.errors) do quarry.errors[k] = v end
-- quarry.read's code for a file the readers skip on purpose (binary, empty, ...)
quarry.errors.ESKIPPED = "ESKIPPED"
-- quarry.plugins.call's code for an error raised inside a plugin's hook
quarry.errors.EPLUGIN = "EPLUGIN"

quarry.json = require "quarry.json"
quarry.yaml = core.yaml

--- quarry.tokenize(text [, opts]) -> result | nil, msg, code
quarry.tokenize = core.tokenize

--- quarry.open_sources(sources [, opts]) -> Sources | nil, msg, code
quarry.open_sources = core.open_sources

--- quarry.summary([opts]) -> Summary | nil, msg, code
quarry.summary = core.summary

--- quarry.query(text) -> Query | nil, msg, "ESYNTAX", position (docs/query.md)
quarry.query = core.query

--- quarry.text_width(s) -> terminal columns (CJK characters take 2)
quarry.text_width = core.text_width

--- quarry.regex(pattern [, flags]) -> Regex | nil, msg, "ESYNTAX", position
quarry.regex = core.regex

--- quarry.grep(pattern, sources [, opts]) -> hits | counts | nil, msg, code
quarry.grep = core.grep

--- quarry.dictionary(path_or_table [, opts]) -> Dictionary | nil, msg, code
quarry.dictionary = core.dictionary

--- quarry.stats: association, keyness and dispersion measures for counts
--- the caller brings (docs/statistics.md)
quarry.stats = core.stats

--- quarry.stopwords(name) -> the built-in stop list "en" or "zh" as an array
--- (docs/frequency.md)
quarry.stopwords = core.stopwords

--- quarry.dates(text [, opts]) -> array of dates found in text (docs/dates.md)
quarry.dates = core.dates

--- quarry.statements(text | texts [, opts]) -> dated statements of raw texts
--- (docs/dates.md)
quarry.statements = core.statements

--- Formats an event as "path:line:column: message" (line and column when
--- known), as compilers print diagnostics.
function quarry.format_event(ev)
  local where = ev.path or "?"
  if ev.record then where = where .. "#" .. ev.record end
  if ev.line then
    where = where .. ":" .. ev.line
    if ev.column then where = where .. ":" .. ev.column end
  end
  local msg = ev.message
  if msg == nil or msg == "" then msg = ev.reason or ev.kind end
  -- readers often start their message with the path: do not repeat it
  if ev.path and ev.path ~= "" and msg:sub(1, #ev.path) == ev.path then
    local rest = msg:sub(#ev.path + 1):match("^[:%d]*: (.*)$")
    if rest then msg = rest end
  end
  return where .. ": " .. msg
end

local Sources = core._methods.Sources

--- sources:report() -> { documents = n, skipped = { reason = count },
---   skipped_files = { {path=, reason=} }, errors = {events}, warnings = {events} }
function Sources:report()
  local r = {
    documents = self:count(),
    skipped = {}, skipped_files = {}, errors = {}, warnings = {},
  }
  for _, ev in ipairs(self:events()) do
    if ev.kind == "skipped" then
      r.skipped[ev.reason] = (r.skipped[ev.reason] or 0) + 1
      r.skipped_files[#r.skipped_files + 1] = { path = ev.path, reason = ev.reason }
    elseif ev.kind == "error" then
      r.errors[#r.errors + 1] = ev
    elseif ev.kind == "warning" then
      r.warnings[#r.warnings + 1] = ev
    end
  end
  return r
end

--- quarry.read(path [, opts]) -> document table | nil, msg, code
--- Reads the first document of path (a file; for JSONL and CSV the first
--- record). A skipped file gives code "ESKIPPED"; a parse error "EPARSE"
--- with line and column in the message.
function quarry.read(path, opts)
  if type(path) ~= "string" then
    error("bad argument #1 to 'read' (string expected, got " .. type(path) .. ")", 2)
  end
  local src, msg, code = core.open_sources(path, opts)
  if not src then return nil, msg, code end
  local ok, doc = pcall(src.next, src)
  local events = src:events()
  src:close()
  if not ok then error(doc, 0) end
  if doc then return doc end
  for _, ev in ipairs(events) do
    if ev.kind == "error" then
      return nil, quarry.format_event(ev), ev.code or quarry.errors.EIO
    end
  end
  for _, ev in ipairs(events) do
    if ev.kind == "skipped" then
      return nil, (ev.path or path) .. ": skipped (" .. ev.reason .. ")", quarry.errors.ESKIPPED
    end
  end
  return nil, path .. ": no document", quarry.errors.ENOENT
end

--- quarry.documents(sources [, opts]) -> iterator for a generic for.
--- Raises if no source exists (use quarry.open_sources to get nil, msg,
--- code instead). Skipped files and per-file errors are not yielded: pass
--- opts.on_event = function(ev) ... end to see them. The Sources handle is
--- the loop's closing value, so `break` releases it.
function quarry.documents(sources, opts)
  local src, msg = core.open_sources(sources, opts)
  if not src then error(msg, 2) end
  return src.next, src, nil, src
end

--- quarry.open(path) -> Index | nil, msg, code ("ENOENT", "ECORRUPT",
--- "EVERSION", "EIO"): a read-only snapshot of the index at path.
quarry.open = core.open

--- quarry.writer(path [, opts]) -> Writer | nil, msg, code ("EBUSY" when
--- another writer holds the index). opts: memory (bytes or "64M"), threads,
--- tokenizer (the options of quarry.tokenize, for a new index).
quarry.writer = core.writer

--- Operating-system helpers of the command line (isatty, clock, path_kind,
--- disk_usage). Private: not part of the API contract.
quarry._sys = core._sys

local Index = core._methods.Index

--- index:each_doc([opts]) -> iterator over live document ids (1-based) for a
--- generic for; opts.filter as in index:docs. Raises on a bad filter.
function Index:each_doc(opts)
  local ids, msg = self:docs(opts)
  if not ids then error(msg, 2) end
  local i = 0
  return function()
    i = i + 1
    return ids[i]
  end
end

--- index:keyness(target, reference [, opts]) is the same as
--- index:keyness{target =, reference = (or reference_index =), ...}: each side
--- a field filter string, a {filter =, query =} table, or (reference) an
--- Index. The one-table form is the C method itself.
local keyness_of = Index.keyness
function Index:keyness(target, reference, opts)
  if reference == nil and opts == nil then return keyness_of(self, target) end
  local o = {}
  for k, v in pairs(opts or {}) do o[k] = v end
  local function side(v)
    if type(v) == "string" then return { filter = v } end
    return v
  end
  o.target = side(target)
  if type(reference) == "userdata" and tostring(reference):match("^quarry%.Index") then
    o.reference_index = reference
  else
    o.reference = side(reference)
  end
  return keyness_of(self, o)
end

--- index:sources() -> array of the distinct sources of the live documents,
--- in document order.
function Index:sources()
  local seen, out = {}, {}
  for _, id in ipairs(self:docs()) do
    local d = assert(self:doc(id, { text = false }))
    if not seen[d.source] then
      seen[d.source] = true
      out[#out + 1] = d.source
    end
  end
  return out
end

--- quarry.report and quarry.plugins are the modules of the same names,
--- loaded on first use (they require quarry themselves).
local lazy = { report = "quarry.report", plugins = "quarry.plugins" }
setmetatable(quarry, {
  __index = function(t, k)
    local name = lazy[k]
    if not name then return nil end
    local m = require(name)
    rawset(t, k, m)
    return m
  end,
})

return quarry
