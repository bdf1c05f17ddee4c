-- quarry_cli.keyness: placeholder until the command lands (issue 5).
local args = require "quarry_cli.args"
local M = { summary = "(not built yet)", usage = "quarry keyness", options = {} }
function M.run() args.usage_error("keyness", "not built yet") end
return M
