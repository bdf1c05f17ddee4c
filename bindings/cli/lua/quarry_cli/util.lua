-- quarry_cli.util: small output helpers shared by the commands.
local quarry = require "quarry"
local args = require "quarry_cli.args"

local M = {}

--- Display width of a UTF-8 string (code points; invalid bytes count 1).
function M.width(s)
  return utf8.len(s) or #s
end

function M.pad_right(s, w)
  return s .. string.rep(" ", w - M.width(s))
end

function M.pad_left(s, w)
  return string.rep(" ", w - M.width(s)) .. s
end

--- Formats rows (arrays of strings) as aligned columns. align[i] = "r"
--- right-aligns column i. Returns the lines joined with "\n" plus "\n".
function M.columns(rows, align, indent)
  align = align or {}
  indent = indent or ""
  local w = {}
  for _, r in ipairs(rows) do
    for i, c in ipairs(r) do
      local cw = M.width(c)
      if not w[i] or cw > w[i] then w[i] = cw end
    end
  end
  local out = {}
  for _, r in ipairs(rows) do
    local cells = {}
    for i, c in ipairs(r) do
      if align[i] == "r" then
        cells[i] = M.pad_left(c, w[i])
      elseif i == #r then
        cells[i] = c
      else
        cells[i] = M.pad_right(c, w[i])
      end
    end
    out[#out + 1] = indent .. table.concat(cells, "  ")
  end
  return #out > 0 and (table.concat(out, "\n") .. "\n") or ""
end

--- Opens sources or raises an input error (exit 2) when none exists.
function M.open_sources(sources, read_opts)
  local src, msg = quarry.open_sources(sources, read_opts)
  if not src then args.input_error("%s", msg) end
  return src
end

--- Writes per-file errors (always) and warnings (unless quiet) to stderr.
function M.report_problems(report, quiet)
  for _, ev in ipairs(report.errors) do
    io.stderr:write("quarry: error: ", quarry.format_event(ev), "\n")
  end
  if not quiet then
    for _, ev in ipairs(report.warnings) do
      io.stderr:write("quarry: warning: ", quarry.format_event(ev), "\n")
    end
  end
end

return M
