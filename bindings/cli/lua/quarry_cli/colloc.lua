-- quarry_cli.colloc: placeholder until the command lands (issue 5).
local args = require "quarry_cli.args"
local M = { summary = "(not built yet)", usage = "quarry colloc", options = {} }
function M.run() args.usage_error("colloc", "not built yet") end
return M
