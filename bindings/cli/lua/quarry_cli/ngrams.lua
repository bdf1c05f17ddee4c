-- quarry_cli.ngrams: placeholder until the command lands (issue 5).
local args = require "quarry_cli.args"
local M = { summary = "(not built yet)", usage = "quarry ngrams", options = {} }
function M.run() args.usage_error("ngrams", "not built yet") end
return M
