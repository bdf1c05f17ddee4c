-- quarry_cli_runner: runs the quarry binary for the CLI specs
-- (tests/cli/*_spec.lua) and returns its exit status, stdout and stderr.
-- Not a spec itself: busted runs only *_spec.lua files.
local M = {}

M.BIN = os.getenv("QUARRY_BIN")

--- s quoted for the shell.
function M.quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

--- Runs quarry with args. opts (all optional): env, a "K=V K2=V2" prefix
--- (values already quoted); cwd, the directory to run in; stdin, text fed
--- to standard input (else /dev/null). Returns code, stdout, stderr.
function M.run(args, opts)
  opts = opts or {}
  local bin = assert(M.BIN, "QUARRY_BIN not set")
  local parts = { M.quote(bin) }
  for _, a in ipairs(args) do parts[#parts + 1] = M.quote(a) end
  local errfile = os.tmpname()
  local infile
  local cmd = table.concat(parts, " ") .. " 2>" .. M.quote(errfile)
  if opts.stdin then
    infile = os.tmpname()
    local f = assert(io.open(infile, "wb"))
    f:write(opts.stdin)
    f:close()
    cmd = cmd .. " <" .. M.quote(infile)
  else
    cmd = cmd .. " </dev/null"
  end
  if opts.env then cmd = "env " .. opts.env .. " " .. cmd end
  if opts.cwd then cmd = "cd " .. M.quote(opts.cwd) .. " && " .. cmd end
  local p = assert(io.popen(cmd .. "; echo \"::$?\"", "r"))
  local out = p:read("a")
  p:close()
  local f = assert(io.open(errfile, "rb"))
  local err = f:read("a")
  f:close()
  os.remove(errfile)
  if infile then os.remove(infile) end
  local code = tonumber(out:match("::(%d+)\n?$"))
  return code, (out:gsub("::%d+\n?$", "")), err
end

return M
