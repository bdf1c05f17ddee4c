-- quarry_cli.run: `quarry run SCRIPT.lua [ARGS...]`, a user script with the
-- quarry library at hand. The script sees the global `arg` as lua.c sets it
-- (arg[0] = script, arg[1..n] = its arguments, arg[-1] = "run",
-- arg[-2] = the quarry executable) and its arguments as `...`.
local args = require "quarry_cli.args"

local M = {
  summary = "run a Lua script with the quarry library (require \"quarry\")",
  usage = "quarry run SCRIPT.lua [ARGS...]",
  description = table.concat({
    "Runs SCRIPT.lua (or - for standard input) with `require \"quarry\"` available.",
    "Arguments after the script name are the script's own: they are in the",
    "global `arg` (arg[0] is the script) and in `...`. A script error prints",
    "the message and a traceback to stderr and exits 1; os.exit(n) exits n.",
  }, "\n"),
  options = {},
  stop_at_positional = true, -- options after SCRIPT belong to the script
}

function M.run(_, positional, ctx)
  local script = positional[1]
  if not script then args.usage_error("run", "missing SCRIPT argument") end
  local chunk, err
  if script == "-" then
    chunk, err = load(io.stdin:read("a"), "=stdin")
  else
    local f = io.open(script, "rb")
    if not f then args.input_error("cannot open script '%s'", script) end
    f:close()
    chunk, err = loadfile(script)
  end
  if not chunk then
    io.stderr:write("quarry run: ", err, "\n")
    return 1
  end
  local script_arg = { [0] = script, [-1] = "run", [-2] = ctx.argv[0] }
  for i = 2, #positional do script_arg[i - 1] = positional[i] end
  -- `arg` is the one global a script expects from its host (as in lua.c).
  _G.arg = script_arg
  local ok, e = xpcall(chunk, function(msg)
    if type(msg) ~= "string" then
      local mt = getmetatable(msg)
      msg = (mt and mt.__tostring) and tostring(msg)
        or string.format("(error object is a %s value)", type(msg))
    end
    -- keep the script's frames; drop quarry's own below the xpcall
    local tb = debug.traceback(msg, 2)
    local cut = tb:find("\n%s*%[C%]: in function 'xpcall'")
    return cut and tb:sub(1, cut - 1) or tb
  end, table.unpack(script_arg, 1, #positional - 1))
  io.stdout:flush()
  if not ok then
    io.stderr:write("quarry run: ", e, "\n")
    return 1
  end
  return 0
end

return M
