-- quarry_cli.dispersion: placeholder until the command lands (issue 5).
local args = require "quarry_cli.args"
local M = { summary = "(not built yet)", usage = "quarry dispersion", options = {} }
function M.run() args.usage_error("dispersion", "not built yet") end
return M
