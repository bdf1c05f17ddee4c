-- quarry_cli.help: `quarry help [COMMAND]`.
local args = require "quarry_cli.args"

local M = {
  summary = "show help for quarry or for one command",
  usage = "quarry help [COMMAND]",
  options = {},
}

function M.run(_, positional, ctx)
  local name = positional[1]
  if not name then
    io.stdout:write(ctx.main.overview())
    return 0
  end
  if positional[2] then args.usage_error("help", "too many arguments") end
  if not ctx.main.load_command(name) then
    args.usage_error("help", "unknown command '%s'", name)
  end
  io.stdout:write(ctx.main.command_help(name))
  return 0
end

return M
