-- colloc: the collocates of a query (idx:collocates): the words in a
-- window around its hits, with observed and expected counts and the
-- association measures of docs/statistics.md, as a table and a bar chart
-- of the measure they are sorted by.
local A = require "quarry.plugins._analysis"

local MEASURES = { "log_dice", "mi", "mi3", "t", "z", "g2", "chi2", "dice", "log_ratio", "o11" }
local MEASURE_TITLES = { log_dice = "logDice", mi = "MI", mi3 = "MI3", t = "t-score",
  z = "z-score", g2 = "G²", chi2 = "χ²", dice = "Dice", log_ratio = "log ratio", o11 = "o11" }

local function run(ctx, opts)
  local idx, report = ctx.index, ctx.report
  local q = A.required(opts, "query", "the node: any query")
  A.check_query(ctx.quarry, q, "query")
  A.at_least(opts, 1, "top")
  A.at_least(opts, 0, "window", "left", "right", "min_freq", "min_o11")
  report:add_query(q)
  A.record_options(ctx, "colloc", opts)
  local call = { left = opts.left or opts.window, right = opts.right or opts.window,
                 sentence = opts.sentence, min_freq = opts.min_freq, min_o11 = opts.min_o11,
                 sort = opts.sort }
  local c, msg = idx:collocates(q, A.scope(ctx, call))
  if not c then A.fail("collocates of '%s': %s", q, tostring(msg)) end
  local stop = A.stop_set(ctx.quarry, opts.stop)
  local rows, points = {}, {}
  for _, r in ipairs(c) do
    if #rows >= opts.top then break end
    if not stop[r.collocate] then
      rows[#rows + 1] = { rank = #rows + 1, collocate = r.collocate, o11 = r.o11, e11 = r.e11,
        c1 = r.c1, left = r.left, right = r.right, log_dice = r.log_dice, mi = r.mi, t = r.t,
        g2 = r.g2, p = r.p }
      if r[opts.sort] then
        points[#points + 1] = { x = r.collocate, y = r[opts.sort] }
      end
    end
  end
  local s = report:section("Collocates of " .. q, string.format("Words within %d words left "
    .. "and %d right of each hit%s, sorted by %s; o11 is how often they occur there, e11 how "
    .. "often chance would put them there, c1 their frequency in the subcorpus.", call.left,
    call.right, opts.sentence and " (inside its sentence)" or "", MEASURE_TITLES[opts.sort]))
  s:text(string.format("%d hits in %d documents; %d words in the windows, %d in the subcorpus; "
    .. "%d collocates pass the thresholds (frequency >= %d, o11 >= %d).", c.hits or 0,
    c.docs or 0, c.window_tokens or 0, c.tokens or 0, c.collocates or 0, opts.min_freq,
    opts.min_o11))
  s:series({ name = "collocates", caption = MEASURE_TITLES[opts.sort] .. " of the top collocates",
             kind = "bar", x = { label = "collocate", type = "string" },
             y = { label = MEASURE_TITLES[opts.sort], type = "number", digits = 2 },
             points = points })
  s:table({ name = "collocates", caption = "Collocates of " .. q, columns = {
    { key = "rank", title = "rank", type = "integer" },
    { key = "collocate", title = "collocate", type = "string" },
    { key = "o11", title = "o11", type = "integer" },
    { key = "e11", title = "e11", type = "number", digits = 2 },
    { key = "c1", title = "c1", type = "integer" },
    { key = "left", title = "left", type = "integer" },
    { key = "right", title = "right", type = "integer" },
    { key = "log_dice", title = "logDice", type = "number", digits = 2 },
    { key = "mi", title = "MI", type = "number", digits = 2 },
    { key = "t", title = "t", type = "number", digits = 2 },
    { key = "g2", title = "G²", type = "number", digits = 1 },
    { key = "p", title = "p", type = "number", digits = 4 },
  }, rows = rows })
end

return {
  api = 1,
  name = "colloc",
  kind = "analysis",
  description = "collocates of a query with observed/expected counts and association measures",
  options = {
    { name = "query", type = "string", required = true, help = "the node: any query" },
    { name = "window", type = "integer", default = 5, help = "words each side" },
    { name = "left", type = "integer", help = "words on the left (default: window)" },
    { name = "right", type = "integer", help = "words on the right (default: window)" },
    { name = "sentence", type = "boolean", default = false, help = "windows stop at the "
      .. "sentence's edges" },
    { name = "sort", type = "enum", choices = MEASURES, default = "log_dice",
      help = "the measure to rank by" },
    { name = "min_freq", type = "integer", default = 3, help = "least frequency of a collocate "
      .. "in the subcorpus" },
    { name = "min_o11", type = "integer", default = 2, help = "least co-occurrence count" },
    { name = "top", type = "integer", default = 20, help = "collocates shown" },
    { name = "stop", type = "enum", choices = { "none", "en", "zh", "all" }, default = "none",
      help = "stop words left out of the table" },
  },
  run = run,
}
