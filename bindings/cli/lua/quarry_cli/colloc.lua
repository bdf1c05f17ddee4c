-- quarry_cli.colloc: `quarry colloc QUERY`, the collocates of a query's hits
-- in a subcorpus, with every association measure (docs/query-analyses.md).
local quarry = require "quarry"
local args = require "quarry_cli.args"
local ingest = require "quarry_cli.ingest"
local output = require "quarry_cli.output"
local subcorpus = require "quarry_cli.subcorpus"
local util = require "quarry_cli.util"

local MEASURES = { "log_dice", "g2", "mi", "mi3", "t", "z", "chi2", "dice", "log_ratio",
                   "o11", "e11", "c1", "left", "right" }

local M = {
  summary = "collocates of a query: words near its hits, with association measures",
  usage = "quarry colloc QUERY [OPTIONS] [-i INDEX]",
  description = table.concat({
    "Counts the words in a window around every hit of QUERY (any query: a word,",
    "a \"phrase\", a pattern, NEAR, a sequence; docs/query.md) and scores each",
    "collocate with MI, MI3, t, z, log-likelihood (G2, signed), chi2, Dice,",
    "logDice and log ratio from one contingency table (docs/statistics.md):",
    "o11 co-occurrences in the windows, R1 all tokens in the windows, C1 the",
    "collocate's frequency and N the tokens of the subcorpus (--filter, --where),",
    "never of the whole index. Windows count words, numbers and CJK characters;",
    "punctuation and symbols are skipped and take no room. A position shared by",
    "two windows counts once; the node's own tokens never count.",
    "",
    "Exit status: 0, or 2 for a bad query, option or index.",
  }, "\n"),
}

M.options = {
  ingest.index_option,
  { long = "window", short = "w", arg = "N", integer = true, default = 5,
    help = "tokens on each side of a hit (default 5)" },
  { long = "left", short = "L", arg = "N", integer = true, help = "tokens before a hit (default: --window)" },
  { long = "right", short = "R", arg = "N", integer = true, help = "tokens after a hit (default: --window)" },
  { long = "sentence", help = "windows stop at the sentence of the hit" },
  { long = "min-freq", arg = "N", integer = true, default = 3,
    help = "drop collocates occurring fewer than N times in the subcorpus (default 3)" },
  { long = "min-o11", arg = "N", integer = true, default = 2,
    help = "drop collocates with fewer than N co-occurrences (default 2)" },
  { long = "sort", short = "s", arg = "MEASURE", choices = MEASURES, default = "log_dice",
    help = "order by a measure, largest first: " .. table.concat(MEASURES, ", ") ..
           " (default log_dice)" },
  { long = "limit", short = "n", arg = "N", integer = true, default = 50,
    help = "print the first N collocates (default 50; 0 = all)" },
  subcorpus.options[1], subcorpus.options[2],
  output.format_option,
}

--- Compiles QUERY or exits 2 with a caret under the error.
function M.compile(command, text)
  local q, msg, _, pos = quarry.query(text)
  if q then return q end
  pos = pos or 1
  io.stderr:write("  ", text, "\n")
  io.stderr:write("  ", string.rep(" ", util.width(text:sub(1, pos - 1))), "^\n")
  args.input_error("%s: bad query: %s", command,
                   (msg:gsub("^query: ", ""):gsub(" at position %d+$", "")))
end

local TEXT_COLUMNS = { "rank", "collocate", "o11", "e11", "c1", "left", "right", "log_dice", "mi",
                       "t", "g2" }
local ALL_COLUMNS = { "rank", "collocate", "o11", "e11", "c1", "left", "right", "mi", "mi3", "t",
                      "z", "g2", "p", "p_fisher", "chi2", "dice", "log_dice", "log_ratio" }

function M.run(opts, positional)
  local text = positional[1]
  if not text then args.usage_error("colloc", "missing QUERY") end
  if positional[2] then
    args.usage_error("colloc", "unexpected argument '%s' (quote the query: quarry colloc '%s %s')",
                     positional[2], text, positional[2])
  end
  local q = M.compile("colloc", text)
  local lopts = subcorpus.lua_opts(opts, {
    left = opts.left or opts.window, right = opts.right or opts.window,
    sentence = opts.sentence or false, min_freq = opts.min_freq, min_o11 = opts.min_o11,
    sort = opts.sort, limit = opts.limit > 0 and opts.limit or nil,
  })
  local path = ingest.index_path(opts)
  local idx <close> = ingest.open_index(path)
  local ok, r, msg, code = pcall(idx.collocates, idx, q, lopts)
  if not ok then args.input_error("colloc: %s", args.raised(r)) end
  if not r then args.input_error("colloc: %s (%s)", msg, code) end

  local names = TEXT_COLUMNS
  if opts.format ~= "text" then
    names = ALL_COLUMNS
  else
    local shown = false
    for _, n in ipairs(names) do shown = shown or n == opts.sort end
    if not shown then
      names = { table.unpack(TEXT_COLUMNS) }
      names[#names + 1] = opts.sort
    end
  end
  local columns = {}
  for i, n in ipairs(names) do
    columns[i] = { key = n, align = n ~= "collocate" and "r" or nil }
  end
  if opts.format == "text" then
    io.stdout:write(string.format(
      "# %s: %d hits in %d documents of %s; window %d/%d%s; R1 %d, N %d; %d of %d collocates by %s\n",
      text, r.hits, r.docs, subcorpus.describe(opts), lopts.left, lopts.right,
      opts.sentence and " within the sentence" or "", r.window_tokens, r.tokens, #r,
      r.collocates, opts.sort))
  end
  output.table(io.stdout, opts.format, columns, r)
  return 0
end

return M
