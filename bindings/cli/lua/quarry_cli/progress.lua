-- quarry_cli.progress: a one-line progress bar on stderr for long work
-- (documents, MB, MB/s, percentage and ETA when the total is known).
--
-- It draws only when enabled (the caller decides: stderr is a terminal, no
-- --quiet, no --format json), at most ten times a second, with "\r" so the
-- line is rewritten in place; finish() erases it. Disabled, every method is
-- a no-op, so piped output stays clean.
local quarry = require "quarry"

local M = {}

local Bar = {}
Bar.__index = Bar

local function clock()
  return quarry._sys.clock()
end

--- M.new{ enabled = bool, total = bytes or nil, label = "indexing" }
function M.new(o)
  o = o or {}
  return setmetatable({
    enabled = o.enabled and true or false,
    total = (o.total and o.total > 0) and o.total or nil,
    label = o.label or "indexing",
    docs = 0, bytes = 0,
    t0 = clock(), last = -1, width = 0,
    out = o.out or io.stderr,
  }, Bar)
end

local function clock_text(s)
  s = math.floor(s + 0.5)
  if s >= 3600 then
    return string.format("%d:%02d:%02d", s // 3600, s % 3600 // 60, s % 60)
  end
  return string.format("%d:%02d", s // 60, s % 60)
end

--- The status line for the counts so far (also used by tests).
function Bar:line(now)
  local elapsed = math.max(now - self.t0, 1e-6)
  local mb = self.bytes / (1024 * 1024)
  local rate = mb / elapsed
  local parts = {
    string.format("%s: %d docs", self.label, self.docs),
    string.format("%.1f MB", mb),
    string.format("%.1f MB/s", rate),
  }
  if self.total then
    local frac = math.min(self.bytes / self.total, 0.99)
    local cells = 20
    local full = math.floor(frac * cells + 0.5)
    parts[#parts + 1] = string.format("[%s%s] %2d%%", string.rep("#", full),
                                      string.rep("-", cells - full), math.floor(frac * 100))
    if self.bytes > 0 and elapsed >= 1 then
      local left = (self.total - self.bytes) / (self.bytes / elapsed)
      parts[#parts + 1] = "ETA " .. clock_text(math.max(left, 0))
    end
  end
  return table.concat(parts, "  ")
end

--- Counts one more document of `bytes` bytes and redraws if it is time.
function Bar:update(bytes)
  self.docs = self.docs + 1
  self.bytes = self.bytes + (bytes or 0)
  if not self.enabled then return end
  local now = clock()
  if now - self.last < 0.1 then return end
  self.last = now
  local s = self:line(now)
  local pad = self.width > #s and string.rep(" ", self.width - #s) or ""
  self.width = #s
  self.out:write("\r", s, pad)
  self.out:flush()
end

--- Shows a phase name ("committing") in place of the counts.
function Bar:phase(name)
  if not self.enabled then return end
  local s = self:line(clock()) .. "  " .. name .. "..."
  local pad = self.width > #s and string.rep(" ", self.width - #s) or ""
  self.width = #s
  self.out:write("\r", s, pad)
  self.out:flush()
end

--- Erases the line.
function Bar:finish()
  if not self.enabled or self.width == 0 then return end
  self.out:write("\r", string.rep(" ", self.width), "\r")
  self.out:flush()
  self.width = 0
end

--- Seconds since the bar was made.
function Bar:elapsed()
  return clock() - self.t0
end

return M
