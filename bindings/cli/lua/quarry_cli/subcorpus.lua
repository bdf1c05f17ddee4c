-- quarry_cli.subcorpus: the options that choose the documents an analysis
-- runs on, shared by every analysis command: --filter EXPR (a field filter)
-- and --where QUERY (documents with at least one hit of a query).
local M = {}

M.options = {
  { long = "filter", arg = "EXPR",
    help = "only documents whose fields match EXPR, e.g. 'year>=2000 party:Democratic'" },
  { long = "where", arg = "QUERY",
    help = "only documents with a hit of QUERY (docs/query.md)" },
}

--- The Lua subcorpus options ({ filter =, query = }) of parsed CLI options,
--- merged into t (a new table when nil).
function M.lua_opts(opts, t)
  t = t or {}
  t.filter = opts.filter
  if opts.where then
    local quarry = require "quarry"
    local q, msg, _, pos = quarry.query(opts.where)
    if not q then
      require("quarry_cli.args").input_error("bad --where query at position %d: %s", pos or 1,
                                             (msg:gsub("^query: ", "")))
    end
    t.query = q
  end
  return t
end

--- A short description for report headers: "year>=2000; documents with: tax".
function M.describe(opts)
  local parts = {}
  if opts.filter then parts[#parts + 1] = opts.filter end
  if opts.where then parts[#parts + 1] = "documents with: " .. opts.where end
  return #parts > 0 and table.concat(parts, "; ") or "all documents"
end

return M
