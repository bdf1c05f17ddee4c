-- term-by-year.lua: how often a term occurs per value of a field, with its
-- first appearance, read from an index.
--
--   quarry run scripts/examples/term-by-year.lua INDEX TERM [FIELD]
--
-- FIELD defaults to "year". The term is normalized as the index was built
-- (so "Freedom" finds freedom). One pass over the token streams of the
-- documents that contain the term; a later release answers this from the
-- postings with a query (`idx:count(q, {by = FIELD})`).
local quarry = require "quarry"

local index_path, word, field = arg[1], arg[2], arg[3] or "year"
if not index_path or not word then
  io.stderr:write("usage: term-by-year.lua INDEX TERM [FIELD]\n")
  os.exit(2)
end

local idx <close>, err = quarry.open(index_path)
if not idx then
  io.stderr:write("term-by-year: ", err, "\n")
  os.exit(2)
end

local term = assert(idx:term(word))
if not term.id then
  print(("%q does not occur in %s"):format(word, index_path))
  os.exit(1)
end

local per_value, first = {}, nil
for id in idx:each_doc() do
  local doc = idx:doc(id, { text = false })
  local value = doc.fields[field]
  local toks = idx:tokens(id)
  local n, first_token = 0, nil
  for i = 1, toks.n do
    if toks.ids[i] == term.id then
      n = n + 1
      first_token = first_token or i
    end
  end
  if n > 0 then
    local key = value == nil and "(none)" or value
    per_value[key] = (per_value[key] or 0) + n
    if value ~= nil and (not first or value < first.value) then
      first = { value = value, id = id, token = first_token,
                byte = toks.first[first_token], source = doc.source }
    end
  end
end

local keys = {}
for k in pairs(per_value) do keys[#keys + 1] = k end
table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
print(("%s: %d occurrences in %d documents"):format(term.term, term.count,
                                                    term.docs))
for _, k in ipairs(keys) do print(("  %s\t%d"):format(tostring(k), per_value[k])) end
if first then
  local text = idx:text(first.id)
  local from = math.max(1, first.byte - 60)
  local context = text:sub(from, first.byte + 60):gsub("%s+", " ")
  print(("first: %s=%s in %s\n  ...%s..."):format(field, tostring(first.value),
                                                  first.source, context))
end
