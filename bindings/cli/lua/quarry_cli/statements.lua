-- quarry_cli.statements: placeholder until the command lands (issue 5).
local args = require "quarry_cli.args"
local M = { summary = "(not built yet)", usage = "quarry statements", options = {} }
function M.run() args.usage_error("statements", "not built yet") end
return M
