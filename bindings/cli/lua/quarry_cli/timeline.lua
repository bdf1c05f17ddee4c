-- quarry_cli.timeline: placeholder until the command lands (issue 5).
local args = require "quarry_cli.args"
local M = { summary = "(not built yet)", usage = "quarry timeline", options = {} }
function M.run() args.usage_error("timeline", "not built yet") end
return M
