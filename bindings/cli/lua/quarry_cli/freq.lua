-- quarry_cli.freq: placeholder until the command lands (issue 5).
local args = require "quarry_cli.args"
local M = { summary = "(not built yet)", usage = "quarry freq", options = {} }
function M.run() args.usage_error("freq", "not built yet") end
return M
