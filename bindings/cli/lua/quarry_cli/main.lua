-- quarry_cli.main: the command line, dispatching to one module per command.
local quarry = require "quarry"

local M = {}

function M.main(argv)
  if argv[1] == "--version" then
    print(quarry._VERSION)
    return 0
  end
  io.stderr:write("usage: quarry COMMAND [ARGS...]\n")
  return 2
end

return M
