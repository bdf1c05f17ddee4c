-- quarry_cli.util: small output helpers shared by the commands.
local quarry = require "quarry"
local args = require "quarry_cli.args"

local M = {}

local function wide(cp)
  -- East Asian Wide/Fullwidth blocks take two terminal columns
  return (cp >= 0x1100 and cp <= 0x115F) or (cp >= 0x2E80 and cp <= 0xA4CF)
    or (cp >= 0xAC00 and cp <= 0xD7A3) or (cp >= 0xF900 and cp <= 0xFAFF)
    or (cp >= 0xFE30 and cp <= 0xFE4F) or (cp >= 0xFF00 and cp <= 0xFF60)
    or (cp >= 0xFFE0 and cp <= 0xFFE6) or (cp >= 0x1F300 and cp <= 0x1FAFF)
    or (cp >= 0x20000 and cp <= 0x3FFFD)
end

--- Display width of a UTF-8 string in terminal columns (CJK count 2;
--- invalid UTF-8 counts one column per byte).
function M.width(s)
  if not s:find("[\128-\255]") then return #s end
  if not utf8.len(s) then return #s end
  local w = 0
  for _, cp in utf8.codes(s) do w = w + (wide(cp) and 2 or 1) end
  return w
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
    out[#out + 1] = (indent .. table.concat(cells, "  ")):gsub("%s+$", "")
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

-- The range column of a field profile: numbers and dates as min .. max,
-- strings by their length in characters.
local function range_text(f)
  if f.min == nil then return "" end
  if f.range == "length" then
    if f.min == f.max then return string.format("length %d", f.min) end
    return string.format("length %d..%d", f.min, f.max)
  end
  if f.min == f.max then return tostring(f.min) end
  return tostring(f.min) .. " .. " .. tostring(f.max)
end

-- The "fields:" table of `quarry stats` and `quarry info` (field profiles
-- as quarry.summary and idx:info() return them); "" when there are none.
function M.fields_table(fields)
  if #fields == 0 then return "" end
  local rows = { { "name", "type", "docs", "distinct", "range" } }
  for _, f in ipairs(fields) do
    rows[#rows + 1] = {
      f.name, f.type, tostring(f.count),
      tostring(f.distinct) .. (f.distinct_capped and "+" or ""), range_text(f),
    }
  end
  return "\nfields:\n" .. M.columns(rows, { nil, nil, "r", "r" }, "  ")
end

return M
