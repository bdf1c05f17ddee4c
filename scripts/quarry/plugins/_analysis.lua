-- quarry.plugins._analysis: what the built-in analysis plugins share
-- (scripts/quarry/plugins/*.lua). Not a plugin: its file name starts with
-- "_", which the plugin loader skips, so it is only ever `require`d.
--
-- Subcorpora: every analysis runs on ctx.subcorpus ({filter =, query =},
-- from the report spec or --filter/--where); M.scope merges it into the
-- options of an Index method, M.and_filter adds a condition to it.
-- Periods: the labels of quarry_groups ("2024", "1990s", "2024-Q1",
-- "2024-03", "2024-03-05") are turned back into field-filter bounds, so that
-- "the latest periods" and "the earlier ones" are subcorpora too.
local M = {}

--- Raises an expected failure (a problem of the options or the corpus, not
--- a bug): quarry.plugins.fail, which the loader reports with the plugin
--- and the hook and without a traceback (`quarry report` exits 2).
function M.fail(fmt, ...)
  require("quarry.plugins").fail(fmt, ...)
end

--- "(a) (b)": both filters (juxtaposition is AND); nil parts are dropped.
function M.and_filter(...)
  local parts = {}
  for i = 1, select("#", ...) do
    local f = select(i, ...)
    if f ~= nil and f ~= "" then parts[#parts + 1] = "(" .. f .. ")" end
  end
  if #parts == 0 then return nil end
  if #parts == 1 then return parts[1]:sub(2, -2) end
  return table.concat(parts, " ")
end

--- opts (a fresh table) with the subcorpus of ctx: filter AND-ed with
--- extra_filter, query as given.
function M.scope(ctx, opts, extra_filter)
  local out = {}
  for k, v in pairs(opts or {}) do out[k] = v end
  local sub = ctx.subcorpus or {}
  out.filter = M.and_filter(sub.filter, extra_filter)
  out.query = sub.query
  return out
end

--- The fields of the index: name -> type ("integer", "date", ...), and
--- their names in index order.
function M.fields(idx)
  local info = assert(idx:info())
  local types, names = {}, {}
  for _, f in ipairs(info.fields or {}) do
    if types[f.name] == nil then
      types[f.name] = f.type
      names[#names + 1] = f.name
    end
  end
  return types, names, info
end

--- The field to cut into periods: `by` when given (it must exist and be a
--- date or a number), else the first date field, else a field named year.
--- Returns the name and its type; raises with the fields of the index.
function M.period_field(idx, by)
  local types, names = M.fields(idx)
  local known = #names > 0 and ("fields: " .. table.concat(names, ", ")) or "it has no fields"
  if by then
    if not types[by] then
      M.fail("option 'by': the index has no field '%s' (%s)", by, known)
    end
    return by, types[by]
  end
  for _, n in ipairs(names) do
    if types[n] == "date" then return n, "date" end
  end
  if types.year then return "year", types.year end
  M.fail("no date field and no field named 'year' to cut into periods (%s); give option 'by'",
         known)
end

--- Compiles q to check it; raises "what 'q': message (at position N)".
function M.check_query(quarry, q, what)
  local compiled, msg, _, pos = quarry.query(q)
  if not compiled then
    msg = tostring(msg):gsub("^query: ", "")
    if pos and not msg:find("position", 1, true) then msg = msg .. " (position " .. pos .. ")" end
    M.fail("%s '%s': %s", what, q, msg)
  end
  compiled:close()
end

--- Checks that a required option was given (the loader fills defaults,
--- and some options have none).
function M.required(opts, name, what)
  local v = opts[name]
  if v == nil or v == "" or (type(v) == "table" and #v == 0) then
    M.fail("option '%s' is required (%s)", name, what)
  end
  return v
end

--- The documents (a set of ids) with a hit of q under filter: a subcorpus
--- query for methods that take only a filter (idx:search).
function M.query_docs(idx, q, filter)
  local set = {}
  for doc in idx:search(q, { filter = filter }) do set[doc] = true end
  return set
end

local QUARTER_MONTH = { ["1"] = "01", ["2"] = "04", ["3"] = "07", ["4"] = "10" }

--- The smallest field value of the period with this label, as a filter
--- value: "1990s" -> 1990, "2024-Q2" -> 2024-04, "2024" -> 2024.
function M.period_start(label)
  local decade = label:match("^(%-?%d+)s$")
  if decade then return decade end
  local y, q = label:match("^(%d+)%-Q([1-4])$")
  if y then return y .. "-" .. QUARTER_MONTH[q] end
  if label:match("^[%w.:+-]+$") then return label end
  return '"' .. label:gsub('"', '\\"') .. '"'
end

--- The period label of a document's field value (as quarry_groups cuts
--- it), for tables of documents.
function M.period_of(value, period)
  if value == nil then return nil end
  if type(value) == "number" then
    local n = math.tointeger(value) or value
    if period == "decade" and math.type(n) == "integer" then return (n - n % 10) .. "s" end
    return tostring(n)
  end
  value = tostring(value)
  local y, m = value:match("^(%d%d%d%d)%-?(%d?%d?)")
  if not y or period == "value" then return value end
  if period == "year" then return y end
  if period == "decade" then
    local n = tonumber(y)
    return (n - n % 10) .. "s"
  end
  if period == "quarter" and m ~= "" then return y .. "-Q" .. ((tonumber(m) - 1) // 3 + 1) end
  if period == "month" then return value:sub(1, 7) end
  if period == "day" then return value:sub(1, 10) end
  return value
end

--- The periods of the subcorpus as { {period, docs, tokens}, ... } in
--- order (what idx:timeline reports), from a timeline of any query.
function M.periods(idx, ctx, by, period)
  local t, msg = idx:timeline({ "a" }, M.scope(ctx, { by = by, period = period }))
  if not t then M.fail("cannot cut the index into periods by '%s': %s", by, tostring(msg)) end
  return t.periods
end

--- Splits the periods into "the latest" and "the earlier ones".
--- recent: an integer string N (the N latest periods) or a period label.
--- Returns { target = filter, reference = filter or nil, latest = {labels},
--- earlier = {labels}, label = "2017-2021", earlier_label =, docs = the
--- documents of the latest periods }.
function M.latest(periods, by, recent)
  if #periods == 0 then M.fail("the subcorpus has no documents with a '%s' value", by) end
  local first, last
  for i, p in ipairs(periods) do
    if p.period == recent then first, last = i, i end
  end
  if not first then
    local n = math.tointeger(tonumber(recent))
    if not n or n < 1 then
      local labels = {}
      for i = math.max(1, #periods - 4), #periods do labels[#labels + 1] = periods[i].period end
      M.fail("option 'recent': '%s' is neither a number of periods nor a period (latest: %s)",
             tostring(recent), table.concat(labels, ", "))
    end
    -- at least one earlier period is left to compare with
    n = math.min(n, math.max(#periods - 1, 1))
    first, last = #periods - n + 1, #periods
  end
  local out = { latest = {}, earlier = {}, docs = 0 }
  for i = first, last do
    out.latest[#out.latest + 1] = periods[i].period
    out.docs = out.docs + periods[i].docs
  end
  for i = 1, first - 1 do out.earlier[#out.earlier + 1] = periods[i].period end
  local lo = by .. ">=" .. M.period_start(periods[first].period)
  local hi = periods[last + 1] and (by .. "<" .. M.period_start(periods[last + 1].period))
  out.target = M.and_filter(lo, hi)
  if first > 1 then out.reference = by .. "<" .. M.period_start(periods[first].period) end
  -- "2017-2021", but "2021-07 to 2023-03": labels with a hyphen of their own
  local function range(a, b)
    if a == b then return a end
    return a .. ((a:find("-", 1, true) or b:find("-", 1, true)) and " to " or "-") .. b
  end
  out.label = range(periods[first].period, periods[last].period)
  out.earlier_label = first > 1 and range(periods[1].period, periods[first - 1].period) or nil
  return out
end

--- x of a chart for a period label: a number when the label is one
--- (years), else the label.
function M.period_x(label)
  return math.tointeger(tonumber(label)) or label
end

--- Records the options actually used (after defaults and choices) in the
--- provenance, under the analysis's key ("key-terms.terms").
function M.record_options(ctx, name, opts)
  local key = ctx.analysis or name
  for k, v in pairs(opts) do
    if type(v) ~= "table" or #v > 0 or next(v) == nil then
      ctx.report:set_option(key .. "." .. k, v)
    end
  end
end

--- A set of stop words for opts.stop ("none", "en", "zh", "all").
function M.stop_set(quarry, stop)
  local set = {}
  if stop == nil or stop == "none" then return set end
  for _, name in ipairs(stop == "all" and { "en", "zh" } or { stop }) do
    for _, w in ipairs(quarry.stopwords(name)) do set[w] = true end
  end
  return set
end

local STOP_TEXT = { none = "no stop words left out", en = "English stop words left out",
                    zh = "Chinese stop words left out",
                    all = "English and Chinese stop words left out" }

--- The phrase for opts.stop in explanations.
function M.stop_text(stop)
  return STOP_TEXT[stop or "none"] or (tostring(stop) .. " stop words left out")
end

--- The value of opts.stop for Index methods: nil for "none".
function M.stop_opt(stop)
  if stop == nil or stop == "none" then return nil end
  return stop
end

--- Sorts copy of rows by key descending (ties: by tie ascending).
function M.sorted(rows, key, tie)
  local out = {}
  for i, r in ipairs(rows) do out[i] = r end
  table.sort(out, function(a, b)
    if a[key] ~= b[key] then return a[key] > b[key] end
    if tie then return a[tie] < b[tie] end
    return false
  end)
  return out
end

--- Raises unless each named option is an integer of at least min.
function M.at_least(opts, min, ...)
  for i = 1, select("#", ...) do
    local k = select(i, ...)
    if opts[k] ~= nil and opts[k] < min then
      M.fail("option '%s' must be at least %d, got %s", k, min, tostring(opts[k]))
    end
  end
end

--- Common option declarations.
M.STOP_OPTION = { name = "stop", type = "enum", choices = { "none", "en", "zh", "all" },
                  default = "all",
                  help = "stop words to leave out (built-in English, Chinese, both)" }

return M
