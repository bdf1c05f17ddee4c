-- quarry.json: a small JSON encoder and decoder for quarry's output and
-- for scripts. Strings are UTF-8 and pass through unchanged (only '"', '\'
-- and control characters are escaped). Tables with keys 1..n and nothing
-- else are arrays; other tables are objects with their keys sorted, so
-- output is deterministic. An empty table is an array unless marked with
-- json.object(); json.array() marks a table as an array explicitly.
local M = {}

local object_mt = { __name = "quarry.json.object" }
local array_mt = { __name = "quarry.json.array" }

--- Marks t (default {}) to encode as a JSON object even when empty.
function M.object(t) return setmetatable(t or {}, object_mt) end
--- Marks t (default {}) to encode as a JSON array.
function M.array(t) return setmetatable(t or {}, array_mt) end

--- The JSON null value for decode results and encode input.
M.null = setmetatable({}, { __name = "quarry.json.null",
                            __tostring = function() return "null" end })

local escapes = {
  ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f",
  ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t",
}

local function escape_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    return escapes[c] or string.format("\\u%04x", c:byte())
  end) .. '"'
end

local function is_array(t)
  local mt = getmetatable(t)
  if mt == array_mt then return true, #t end
  if mt == object_mt then return false end
  local n = 0
  for k in pairs(t) do
    if math.type(k) ~= "integer" or k < 1 then return false end
    n = n + 1
  end
  for i = 1, n do
    if t[i] == nil then return false end
  end
  return true, n
end

local encode_value

local function encode_table(t, out, indent, depth, seen)
  if seen[t] then error("quarry.json.encode: cycle in table", 0) end
  seen[t] = true
  local arr, n = is_array(t)
  local nl, pad, pad_in, colon = "", "", "", ":"
  if indent then
    nl = "\n"
    pad = string.rep(indent, depth)
    pad_in = string.rep(indent, depth + 1)
    colon = ": "
  end
  if arr then
    if n == 0 then
      out[#out + 1] = "[]"
    else
      out[#out + 1] = "[" .. nl
      for i = 1, n do
        out[#out + 1] = pad_in
        encode_value(t[i], out, indent, depth + 1, seen)
        out[#out + 1] = (i < n and "," or "") .. nl
      end
      out[#out + 1] = pad .. "]"
    end
  else
    local keys = {}
    for k in pairs(t) do
      local tk = type(k)
      if tk ~= "string" and tk ~= "number" then
        error("quarry.json.encode: cannot encode a " .. tk .. " key", 0)
      end
      keys[#keys + 1] = k
    end
    table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
    if #keys == 0 then
      out[#out + 1] = "{}"
    else
      out[#out + 1] = "{" .. nl
      for i, k in ipairs(keys) do
        out[#out + 1] = pad_in .. escape_string(tostring(k)) .. colon
        encode_value(t[k], out, indent, depth + 1, seen)
        out[#out + 1] = (i < #keys and "," or "") .. nl
      end
      out[#out + 1] = pad .. "}"
    end
  end
  seen[t] = nil
end

encode_value = function(v, out, indent, depth, seen)
  local tv = type(v)
  if v == nil or v == M.null then
    out[#out + 1] = "null"
  elseif tv == "boolean" then
    out[#out + 1] = v and "true" or "false"
  elseif tv == "number" then
    if math.type(v) == "integer" then
      out[#out + 1] = string.format("%d", v)
    elseif v ~= v or v == math.huge or v == -math.huge then
      out[#out + 1] = "null" -- JSON has no NaN or infinity
    else
      local s = string.format("%.14g", v)
      if tonumber(s) ~= v then s = string.format("%.17g", v) end
      out[#out + 1] = s
    end
  elseif tv == "string" then
    out[#out + 1] = escape_string(v)
  elseif tv == "table" then
    encode_table(v, out, indent, depth, seen)
  else
    error("quarry.json.encode: cannot encode a " .. tv, 0)
  end
end

--- Encodes v as JSON text. opts.indent: true (two spaces) or a string
--- for pretty output; default compact.
function M.encode(v, opts)
  local indent = opts and opts.indent
  if indent == true then indent = "  " end
  local out = {}
  encode_value(v, out, indent or nil, 0, {})
  return table.concat(out)
end

-- Decoder ---------------------------------------------------------------

local function decode_error(s, pos, what)
  local line, col = 1, 1
  for i = 1, pos - 1 do
    if s:byte(i) == 10 then line, col = line + 1, 1 else col = col + 1 end
  end
  error(string.format("quarry.json.decode: %s at line %d column %d", what, line, col), 0)
end

local decode_at

local function skip_ws(s, pos)
  return s:find("[^ \t\r\n]", pos) or #s + 1
end

local function utf8_char(cp)
  return utf8.char(cp)
end

local function decode_string(s, pos)
  local out, i = {}, pos + 1
  while true do
    local j = s:find('["\\%c]', i)
    if not j then decode_error(s, pos, "unterminated string") end
    out[#out + 1] = s:sub(i, j - 1)
    local c = s:sub(j, j)
    if c == '"' then return table.concat(out), j + 1 end
    if c ~= "\\" then decode_error(s, j, "control character in string") end
    local e = s:sub(j + 1, j + 1)
    local simple = { ['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f",
                     n = "\n", r = "\r", t = "\t" }
    if simple[e] then
      out[#out + 1] = simple[e]
      i = j + 2
    elseif e == "u" then
      local hex = s:match("^%x%x%x%x", j + 2)
      if not hex then decode_error(s, j, "bad \\u escape") end
      local cp = tonumber(hex, 16)
      i = j + 6
      if cp >= 0xD800 and cp <= 0xDBFF then
        local lo = s:match("^\\u(%x%x%x%x)", i)
        lo = lo and tonumber(lo, 16)
        if lo and lo >= 0xDC00 and lo <= 0xDFFF then
          cp = 0x10000 + (cp - 0xD800) * 0x400 + (lo - 0xDC00)
          i = i + 6
        else
          cp = 0xFFFD
        end
      elseif cp >= 0xDC00 and cp <= 0xDFFF then
        cp = 0xFFFD
      end
      out[#out + 1] = utf8_char(cp)
    else
      decode_error(s, j, "bad escape")
    end
  end
end

decode_at = function(s, pos)
  pos = skip_ws(s, pos)
  local c = s:sub(pos, pos)
  if c == "{" then
    local t = M.object()
    pos = skip_ws(s, pos + 1)
    if s:sub(pos, pos) == "}" then return t, pos + 1 end
    while true do
      pos = skip_ws(s, pos)
      if s:sub(pos, pos) ~= '"' then decode_error(s, pos, "expected a string key") end
      local k
      k, pos = decode_string(s, pos)
      pos = skip_ws(s, pos)
      if s:sub(pos, pos) ~= ":" then decode_error(s, pos, "expected ':'") end
      t[k], pos = decode_at(s, pos + 1)
      pos = skip_ws(s, pos)
      local d = s:sub(pos, pos)
      if d == "}" then return t, pos + 1 end
      if d ~= "," then decode_error(s, pos, "expected ',' or '}'") end
      pos = pos + 1
    end
  elseif c == "[" then
    local t, n = M.array(), 0
    pos = skip_ws(s, pos + 1)
    if s:sub(pos, pos) == "]" then return t, pos + 1 end
    while true do
      n = n + 1
      t[n], pos = decode_at(s, pos)
      pos = skip_ws(s, pos)
      local d = s:sub(pos, pos)
      if d == "]" then return t, pos + 1 end
      if d ~= "," then decode_error(s, pos, "expected ',' or ']'") end
      pos = pos + 1
    end
  elseif c == '"' then
    return decode_string(s, pos)
  elseif s:find("^true", pos) then
    return true, pos + 4
  elseif s:find("^false", pos) then
    return false, pos + 5
  elseif s:find("^null", pos) then
    return M.null, pos + 4
  else
    local num = s:match("^-?%d+%.?%d*[eE]?[-+]?%d*", pos)
    if not num or num == "" or num == "-" then decode_error(s, pos, "unexpected character") end
    local v = math.tointeger(tonumber(num)) or tonumber(num)
    if not num:find("[.eE]") and math.tointeger(tonumber(num)) then
      v = math.tointeger(tonumber(num))
    end
    if v == nil then decode_error(s, pos, "bad number") end
    return v, pos + #num
  end
end

--- Decodes JSON text. Returns the value, or raises with line and column.
--- null becomes json.null; objects and arrays carry the json.object /
--- json.array marks so they encode back the same way.
function M.decode(s)
  if type(s) ~= "string" then error("quarry.json.decode: string expected", 2) end
  local v, pos = decode_at(s, 1)
  pos = skip_ws(s, pos)
  if pos <= #s then decode_error(s, pos, "trailing characters") end
  return v
end

return M
