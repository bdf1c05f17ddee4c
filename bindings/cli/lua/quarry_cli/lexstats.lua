-- quarry_cli.lexstats: placeholder until the command lands (issue 5).
local args = require "quarry_cli.args"
local M = { summary = "(not built yet)", usage = "quarry lexstats", options = {} }
function M.run() args.usage_error("lexstats", "not built yet") end
return M
