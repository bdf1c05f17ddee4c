-- quarry_cli.search: placeholder until the command lands (issue 4).
local args = require "quarry_cli.args"
local M = { summary = "(not built yet)", usage = "quarry search", options = {} }
function M.run() args.usage_error("search", "not built yet") end
return M
