-- quarry_cli.grep: placeholder until the command lands (issue 4).
local args = require "quarry_cli.args"
local M = { summary = "(not built yet)", usage = "quarry grep", options = {} }
function M.run() args.usage_error("grep", "not built yet") end
return M
