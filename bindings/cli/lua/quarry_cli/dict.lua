-- quarry_cli.dict: placeholder until the command lands (issue 4).
local args = require "quarry_cli.args"
local M = { summary = "(not built yet)", usage = "quarry dict", options = {} }
function M.run() args.usage_error("dict", "not built yet") end
return M
