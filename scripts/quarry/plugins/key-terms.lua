-- key-terms: the key-terms report (docs/reports.md, "The key-terms
-- report"): for a few terms, how often they are used per period, where each
-- first appears, the documents that use them most, their collocates, the
-- keywords of the latest period and how evenly the terms spread.
--
-- Without `terms`, the terms are chosen from the corpus (choose_terms
-- below): the strongest positive keywords of the latest periods against
-- the earlier ones, kept to content words that most recent documents use.
local A = require "quarry.plugins._analysis"

local PERIODS = { "year", "decade", "quarter", "month", "day", "value" }

local function fmt_int(n)
  local s = tostring(math.tointeger(n) or n)
  local sign, digits = s:match("^(-?)(%d+)$")
  if not digits then return s end
  return sign .. digits:reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^,", "")
end

-- "1 document", "2,345 documents"
local function count_of(n, noun)
  return fmt_int(n) .. " " .. noun .. (n == 1 and "" or "s")
end

local function utf8_prefix(s, n)
  local ok, len = pcall(utf8.len, s)
  if not ok or not len then return s end
  if len <= n then return s end
  return s:sub(1, utf8.offset(s, n + 1) - 1)
end

-- A content word: no ASCII digits or punctuation (apostrophes, hyphens and
-- numbers make poor headline terms) and long enough to mean something: 3
-- letters in a Latin script, 2 characters otherwise (Chinese words).
local function is_content_word(term)
  if term:find("[%d%p]") then return false end
  local len = utf8.len(term)
  if not len then return false end
  if term:find("^[%z\1-\127]*$") then return len >= 3 end
  return len >= 2
end

-- america / american / americans: one of a family is enough.
local function same_family(a, b)
  if a:sub(1, #b) == b or b:sub(1, #a) == a then return true end
  local pa, pb = utf8_prefix(a, 5), utf8_prefix(b, 5)
  return utf8.len(pa) == 5 and pa == pb
end

--- The default terms. Rule (docs/reports.md): the positive keywords of the
--- latest periods against the earlier ones (G², stop words out, p <= 0.05,
--- at least 3 occurrences), in order of G²; kept when a content word found
--- in at least half of the latest periods' documents, and not of the same
--- family as a term already kept; the first `choose` of them. A single
--- period: its most frequent content words, with the same spread rule.
local function choose_terms(idx, ctx, opts, split, keywords)
  local chosen, rule = {}, nil
  local target = A.scope(ctx, {}, split.target)
  local target_docs = split.docs
  local need = math.max(1, (target_docs + 1) // 2)
  local function spread(term)
    local d, msg = idx:dispersion(term, { filter = target.filter, query = target.query,
                                          positions = false })
    if not d then return 0, msg end
    return d.measures.range
  end
  local candidates = {}
  if keywords then
    for _, k in ipairs(keywords) do
      if k.direction == "+" then candidates[#candidates + 1] = k.term end
    end
    rule = string.format("chosen as the strongest positive keywords (up to %d) of %s against "
      .. "%s (G², %s) that are content words used in at least %d of the %d documents of %s, "
      .. "one word per family (a shared first five letters)", opts.choose, split.label,
      split.earlier_label, A.stop_text(opts.stop), need, target_docs, split.label)
  else
    local f = assert(idx:freq(A.scope(ctx, { stop = A.stop_opt(opts.stop), top = 200 })))
    for _, r in ipairs(f) do candidates[#candidates + 1] = r.term end
    rule = string.format("chosen as the most frequent content words (up to %d; %s) used in "
      .. "at least %d of the %d documents: there is no earlier period to compare %s with",
      opts.choose, A.stop_text(opts.stop), need, target_docs, split.label)
  end
  for _, term in ipairs(candidates) do
    if #chosen >= opts.choose then break end
    if is_content_word(term) then
      local related = false
      for _, c in ipairs(chosen) do
        if same_family(term, c) then related = true end
      end
      if not related and spread(term) >= need then chosen[#chosen + 1] = term end
    end
  end
  if #chosen == 0 then
    A.fail("no key terms stand out in %s (%s); give them with the option 'terms'", split.label,
           rule)
  end
  return chosen, rule
end

local function peak_of(rows, term)
  local best
  for _, r in ipairs(rows) do
    if r.query == term and r.hits > 0 and (not best or r.per_million > best.per_million) then
      best = r
    end
  end
  return best
end

--- The first hit of term: the document and position the timeline names,
--- found again with search so that its last token is known.
local function first_hit(idx, ctx, by, q)
  if not q.first_doc then return nil end
  local value = q.first_value
  local filter = A.and_filter(ctx.subcorpus and ctx.subcorpus.filter,
    value ~= nil and (by .. "=" .. A.period_start(tostring(value))) or nil)
  for doc, first, last in idx:search(q.query, { filter = filter }) do
    if doc == q.first_doc and first == q.first_position then return doc, first, last end
    if doc > q.first_doc then break end
  end
  return nil
end

local MAX_PLOT_POSITIONS = 5000
local MAX_TABLE_PERIODS = 60

local function run(ctx, opts)
  local idx, quarry, report = ctx.index, ctx.quarry, ctx.report
  A.at_least(opts, 1, "top", "window", "choose")
  A.at_least(opts, 0, "context")
  local by, by_type = A.period_field(idx, opts.by)
  opts.by = by
  if opts.period ~= "value" and by_type == "string" then
    A.fail("option 'by': field '%s' holds text; periods need a date or a number (or period=value)",
           by)
  end
  local label_field = opts.label
  do
    local types, names = A.fields(idx)
    if label_field and not types[label_field] then
      A.fail("option 'label': the index has no field '%s' (fields: %s)", label_field,
             table.concat(names, ", "))
    end
    if not label_field and types.title == "string" then label_field = "title" end
  end
  -- a document's name in tables: its label field, else its file name
  local function doc_label(doc, file_label)
    if label_field and doc then
      local d = idx:doc(doc, { text = false })
      local v = d and d.fields[label_field]
      if v ~= nil then return tostring(v) end
    end
    return file_label
  end
  local periods = A.periods(idx, ctx, by, opts.period)
  local split = A.latest(periods, by, opts.recent)

  -- keywords of the latest periods against the earlier ones: section 6,
  -- and the default terms
  local keywords, ktot
  if split.reference then
    local k = A.scope(ctx, {}, split.target)
    local r = A.scope(ctx, {}, split.reference)
    keywords, ktot = idx:keyness({ target = { filter = k.filter, query = k.query },
                                   reference = { filter = r.filter, query = r.query },
                                   stop = A.stop_opt(opts.stop) })
    if not keywords then A.fail("%s (%s against %s)", tostring(ktot), split.label,
                                split.earlier_label) end
  end

  local terms, rule = opts.terms, nil
  if terms and #terms > 0 then
    for _, t in ipairs(terms) do A.check_query(quarry, t, "term") end
    rule = "given with the option 'terms'"
  else
    terms, rule = choose_terms(idx, ctx, opts, split, keywords)
  end
  opts.terms = terms
  for _, t in ipairs(terms) do report:add_query(t) end
  A.record_options(ctx, "key-terms", opts)

  local tl, msg = idx:timeline(terms, A.scope(ctx, { by = by, period = opts.period }))
  if not tl then A.fail("timeline by '%s': %s", by, tostring(msg)) end
  local total_tokens, total_docs = 0, 0
  for _, p in ipairs(tl.periods) do
    total_tokens = total_tokens + p.tokens
    total_docs = total_docs + p.docs
  end
  local qinfo = {}
  for _, q in ipairs(tl.queries) do qinfo[q.query] = q end

  -- per term: dispersion over documents (top documents, section 7)
  local disp = {}
  for _, t in ipairs(terms) do
    local d, dmsg = idx:dispersion(t, A.scope(ctx, { positions = true }))
    if not d then A.fail("dispersion of '%s': %s", t, tostring(dmsg)) end
    disp[t] = d
  end

  -- 1. Overview ----------------------------------------------------------
  local first_period, last_period = tl.periods[1].period, tl.periods[#tl.periods].period
  local s = report:section("Overview",
    "What the corpus holds and which terms this report follows.")
  local without = ""
  if not (ctx.subcorpus and ctx.subcorpus.query) then
    local all = idx:docs({ filter = ctx.subcorpus and ctx.subcorpus.filter })
    if all and #all > total_docs then
      without = string.format(" %s without a %s %s left out.",
                              count_of(#all - total_docs, "document"), by,
                              #all - total_docs == 1 and "is" or "are")
    end
  end
  s:text(string.format("The corpus: %s and %s (punctuation not counted; a "
    .. "Chinese character counts as one) in %s (%s by %s), %s to %s.%s",
    count_of(total_docs, "document"), count_of(total_tokens, "word"),
    count_of(#tl.periods, "period"), opts.period,
    by, first_period, last_period, without))
  s:text(string.format("Key terms: %s; %s.", table.concat(terms, ", "), rule))
  local overview = {}
  for _, t in ipairs(terms) do
    local q = qinfo[t] or {}
    local peak = peak_of(tl, t)
    overview[#overview + 1] = {
      term = t, hits = q.hits or 0, docs = q.docs or 0,
      per_million = total_tokens > 0 and (q.hits or 0) * 1e6 / total_tokens or nil,
      first = q.first_period, first_document = doc_label(q.first_doc, q.first_label),
      peak = peak and peak.period, peak_per_million = peak and peak.per_million,
    }
  end
  s:table({ name = "overview", caption = "The key terms over the whole corpus",
    columns = {
      { key = "term", title = "term", type = "string" },
      { key = "hits", title = "hits", type = "integer" },
      { key = "docs", title = "documents", type = "integer" },
      { key = "per_million", title = "per million", type = "number", digits = 1 },
      { key = "first", title = "first", type = "string" },
      { key = "first_document", title = "first document", type = "string" },
      { key = "peak", title = "peak", type = "string" },
      { key = "peak_per_million", title = "peak per million", type = "number", digits = 1 },
    }, rows = overview })

  -- 2. Timeline -----------------------------------------------------------
  s = report:section("Timeline", string.format("How often each term is used in each %s, per "
    .. "million words of that %s: a rise is a rise in share, not only in the corpus's size.",
    opts.period, opts.period))
  -- the table: a row per period, or, past MAX_TABLE_PERIODS years, per
  -- decade (summed hits over summed words), so that it stays readable; the
  -- chart (and its data) keeps every year
  local decades = #tl.periods > MAX_TABLE_PERIODS and opts.period == "year"
  local function row_label(period)
    local y = decades and math.tointeger(tonumber(period))
    return y and ((y - y % 10) .. "s") or period
  end
  local unit = decades and "decade" or opts.period
  local points, wide, by_label = {}, {}, {}
  local columns = {
    { key = "period", title = unit, type = "string" },
    { key = "docs", title = "documents", type = "integer" },
    { key = "tokens", title = "words", type = "integer" },
  }
  for i, t in ipairs(terms) do
    columns[#columns + 1] = { key = "t" .. i, title = t, type = "number", digits = 1 }
  end
  for _, p in ipairs(tl.periods) do
    local label = row_label(p.period)
    local row = by_label[label]
    if not row then
      row = { period = label, docs = 0, tokens = 0, hits = {} }
      wide[#wide + 1] = row
      by_label[label] = row
    end
    row.docs, row.tokens = row.docs + p.docs, row.tokens + p.tokens
  end
  local term_index = {}
  for i, t in ipairs(terms) do term_index[t] = i end
  for _, r in ipairs(tl) do
    points[#points + 1] = { x = A.period_x(r.period), y = r.per_million, group = r.query }
    local row = by_label[row_label(r.period)]
    local k = "t" .. term_index[r.query]
    row.hits[k] = (row.hits[k] or 0) + r.hits
  end
  for _, row in ipairs(wide) do
    for i = 1, #terms do
      local k = "t" .. i
      row[k] = row.tokens > 0 and (row.hits[k] or 0) * 1e6 / row.tokens or nil
    end
    row.hits = nil
  end
  s:series({ name = "timeline", caption = "Per million words, by " .. opts.period, kind = "line",
             x = { label = opts.period, type = math.type(points[1] and points[1].x) == "integer"
                   and "integer" or "string" },
             y = { label = "per million words", type = "number", digits = 1 },
             points = points })
  s:table({ name = "timeline", caption = "Per million words, by " .. unit
              .. (decades and " (the chart above has every year)" or ""),
            columns = columns, rows = wide })

  -- 3. First appearance ---------------------------------------------------
  s = report:section("First appearance", "Where each term is first used: the earliest "
    .. opts.period .. " with a hit, its first document there, and the line it is used in.")
  local firsts, lines = {}, {}
  for _, t in ipairs(terms) do
    local q = qinfo[t] or {}
    local row = { term = t, period = q.first_period,
                  document = doc_label(q.first_doc, q.first_label),
                  position = q.first_position, hits = q.hits or 0, docs = q.docs or 0 }
    firsts[#firsts + 1] = row
    local doc, first, last = first_hit(idx, ctx, by, q)
    if doc then
      local left, hit, right = idx:kwic(doc, first, last, { context = opts.context })
      if left then
        lines[#lines + 1] = { label = q.first_period .. " " .. row.document,
                              position = first, left = left, hit = hit, right = right, doc = doc }
      end
    end
  end
  s:table({ name = "first_appearance", caption = "First appearance of each term",
    columns = {
      { key = "term", title = "term", type = "string" },
      { key = "period", title = "first " .. opts.period, type = "string" },
      { key = "document", title = "document", type = "string" },
      { key = "position", title = "token", type = "integer" },
      { key = "hits", title = "hits in all", type = "integer" },
      { key = "docs", title = "documents in all", type = "integer" },
    }, rows = firsts })
  s:kwic({ name = "first_appearance", caption = "The first use of each term", lines = lines })

  -- 4. Top documents -------------------------------------------------------
  s = report:section("Top documents", string.format("The %d documents that use each term most "
    .. "(by hits; per million words of the document beside).", opts.top))
  local top_rows = {}
  for _, t in ipairs(terms) do
    local parts = {}
    for _, p in ipairs(disp[t]) do
      if p.hits > 0 then parts[#parts + 1] = p end
    end
    table.sort(parts, function(a, b)
      if a.hits ~= b.hits then return a.hits > b.hits end
      if a.per_million ~= b.per_million then return a.per_million > b.per_million end
      return a.doc < b.doc
    end)
    for rank = 1, math.min(opts.top, #parts) do
      local p = parts[rank]
      local d = idx:doc(p.doc, { text = false })
      top_rows[#top_rows + 1] = { term = t, rank = rank,
        document = label_field and d and d.fields[label_field] ~= nil
          and tostring(d.fields[label_field]) or p.label,
        period = d and A.period_of(d.fields[by], opts.period), hits = p.hits,
        per_million = p.per_million, tokens = p.tokens }
    end
  end
  s:table({ name = "top_documents", caption = "Documents with the most hits, per term",
    columns = {
      { key = "term", title = "term", type = "string" },
      { key = "rank", title = "rank", type = "integer" },
      { key = "document", title = "document", type = "string" },
      { key = "period", title = opts.period, type = "string" },
      { key = "hits", title = "hits", type = "integer" },
      { key = "per_million", title = "per million", type = "number", digits = 1 },
      { key = "tokens", title = "words", type = "integer" },
    }, rows = top_rows })

  -- 5. Collocates ----------------------------------------------------------
  s = report:section("Collocates", string.format("The words used within %d words of each "
    .. "term, strongest first by logDice (%s); o11 is how often they are "
    .. "used together, e11 how often chance alone would put them there, G² how sure that the "
    .. "difference is not chance.", opts.window, A.stop_text(opts.stop)))
  local stop = A.stop_set(quarry, opts.stop)
  local colloc_rows = {}
  for _, t in ipairs(terms) do
    local c, cmsg = idx:collocates(t, A.scope(ctx, { window = opts.window }))
    if not c then A.fail("collocates of '%s': %s", t, tostring(cmsg)) end
    local rank = 0
    for _, r in ipairs(c) do
      if rank >= opts.top then break end
      if not stop[r.collocate] then
        rank = rank + 1
        colloc_rows[#colloc_rows + 1] = { term = t, rank = rank, collocate = r.collocate,
          o11 = r.o11, e11 = r.e11, log_dice = r.log_dice, g2 = r.g2, mi = r.mi }
      end
    end
  end
  s:table({ name = "collocates", caption = "Collocates per term, by logDice",
    columns = {
      { key = "term", title = "term", type = "string" },
      { key = "rank", title = "rank", type = "integer" },
      { key = "collocate", title = "collocate", type = "string" },
      { key = "o11", title = "o11", type = "integer" },
      { key = "e11", title = "e11", type = "number", digits = 2 },
      { key = "log_dice", title = "logDice", type = "number", digits = 2 },
      { key = "g2", title = "G²", type = "number", digits = 1 },
      { key = "mi", title = "MI", type = "number", digits = 2 },
    }, rows = colloc_rows })

  -- 6. Keyness -------------------------------------------------------------
  if keywords then
    s = report:section("Keyness", string.format("The words used more (positive) and less "
      .. "(negative) in %s than in %s, by log-likelihood G² (%s; p <= "
      .. "0.05, at least 3 occurrences); log ratio is the binary log of the ratio of their "
      .. "relative frequencies.", split.label, split.earlier_label, A.stop_text(opts.stop)))
    s:text(string.format("%s: %s, %s; %s: %s, %s.", split.label,
      count_of(ktot.target_docs, "document"), count_of(ktot.target_tokens, "word"),
      split.earlier_label, count_of(ktot.reference_docs, "document"),
      count_of(ktot.reference_tokens, "word")))
    local rows, pts, counts = {}, {}, { ["+"] = 0, ["-"] = 0 }
    local more = "more in " .. split.label
    local less = "more in " .. split.earlier_label
    for _, k in ipairs(keywords) do
      if counts[k.direction] < opts.top then
        counts[k.direction] = counts[k.direction] + 1
        rows[#rows + 1] = { term = k.term, direction = k.direction,
          freq_target = k.freq_target, freq_reference = k.freq_reference,
          per_million_target = k.per_million_target,
          per_million_reference = k.per_million_reference, g2 = k.g2,
          log_ratio = k.log_ratio, p = k.p }
        pts[#pts + 1] = { x = k.term, y = k.g2, group = k.direction == "+" and more or less }
      end
    end
    s:series({ name = "keyness", caption = "Keywords of " .. split.label .. " (signed G²)",
               kind = "diverging", x = { label = "word", type = "string" },
               y = { label = "G² (signed)", type = "number", digits = 1 }, points = pts })
    s:table({ name = "keyness", caption = "Keywords of " .. split.label .. " against "
      .. split.earlier_label,
      columns = {
        { key = "term", title = "word", type = "string" },
        { key = "direction", title = "+/-", type = "string" },
        { key = "freq_target", title = "count " .. split.label, type = "integer" },
        { key = "freq_reference", title = "count " .. split.earlier_label, type = "integer" },
        { key = "per_million_target", title = "per million " .. split.label, type = "number",
          digits = 1 },
        { key = "per_million_reference", title = "per million " .. split.earlier_label,
          type = "number", digits = 1 },
        { key = "g2", title = "G²", type = "number", digits = 1 },
        { key = "log_ratio", title = "log ratio", type = "number", digits = 2 },
        { key = "p", title = "p", type = "number", digits = 4 },
      }, rows = rows })
  else
    s = report:section("Keyness", "Keywords compare the latest period with the earlier ones.")
    s:text(string.format("The corpus has one %s (%s): there is no earlier period to compare "
      .. "it with.", opts.period, split.label))
  end

  -- 7. Dispersion ----------------------------------------------------------
  s = report:section("Dispersion", "How evenly each term spreads over the documents: range "
    .. "is the number of documents that use it; Juilland's D runs from 0 (all in one place) "
    .. "to 1 (perfectly even); Gries' DP from 0 (even) to 1 (all in one place).")
  local drows, dpts, sampled = {}, {}, false
  for _, t in ipairs(terms) do
    local d = disp[t]
    local m = d.measures
    drows[#drows + 1] = { term = t, hits = d.hits, range = m.range, parts = m.parts,
      range_share = m.parts > 0 and m.range / m.parts or nil, juilland_d = m.juilland_d,
      gries_dp = m.gries_dp, gries_dp_norm = m.gries_dp_norm }
    local pos = d.positions or {}
    local step = math.max(1, math.ceil(#pos / MAX_PLOT_POSITIONS))
    if step > 1 then sampled = true end
    for i = 1, #pos, step do dpts[#dpts + 1] = { x = pos[i], y = 1, group = t } end
  end
  s:table({ name = "dispersion", caption = "Dispersion over the documents",
    columns = {
      { key = "term", title = "term", type = "string" },
      { key = "hits", title = "hits", type = "integer" },
      { key = "range", title = "range", type = "integer" },
      { key = "parts", title = "documents", type = "integer" },
      { key = "range_share", title = "range share", type = "percent", digits = 1 },
      { key = "juilland_d", title = "Juilland's D", type = "number", digits = 3 },
      { key = "gries_dp", title = "Gries' DP", type = "number", digits = 3 },
      { key = "gries_dp_norm", title = "DP (normalized)", type = "number", digits = 3 },
    }, rows = drows })
  s:series({ name = "dispersion", caption = "Each hit's place in the corpus (documents in "
    .. "index order, left to right)" .. (sampled and "; every k-th hit of the most frequent "
    .. "terms" or ""), kind = "dispersion", x = { label = "position in the corpus",
    type = "number" }, y = { label = "hit" }, points = dpts })
end

return {
  api = 1,
  name = "key-terms",
  kind = "analysis",
  description = "key terms over time: timeline, first appearance, top documents, collocates, "
    .. "keyness, dispersion",
  options = {
    { name = "terms", type = "list", help = "the key terms (queries); default: chosen from the "
      .. "corpus, the strongest keywords of the latest periods (docs/reports.md)" },
    { name = "by", type = "string", help = "the date or year field (default: the first date "
      .. "field, else a field named year)" },
    { name = "period", type = "enum", choices = PERIODS, default = "year",
      help = "the period of the timeline and of keyness" },
    { name = "recent", type = "string", default = "5", help = "the latest period: a number of "
      .. "latest periods, or a period label (2024)" },
    { name = "choose", type = "integer", default = 4, help = "how many terms to choose when "
      .. "terms is not given" },
    { name = "top", type = "integer", default = 10, help = "rows per term (top documents, "
      .. "collocates) and keywords per direction" },
    { name = "window", type = "integer", default = 5, help = "collocation window, in words "
      .. "each side" },
    { name = "label", type = "string", help = "the field that names a document in tables "
      .. "(default: title when the index has one, else the file name)" },
    { name = "context", type = "integer", default = 12, help = "words each side of a first "
      .. "appearance's concordance line" },
    A.STOP_OPTION,
  },
  run = run,
}
