-- The module's shape: version fields, error codes, no globals.
local quarry = require "quarry"

describe("quarry module", function()
  it("has version fields", function()
    assert.are.equal("0.1.0", quarry.version)
    assert.are.equal("quarry 0.1.0", quarry._VERSION)
    assert.are.equal(1, quarry.api_level)
    assert.are.equal("integer", math.type(quarry.api_level))
  end)

  it("has a table of error codes", function()
    for _, code in ipairs({ "ENOMEM", "EINVAL", "ENOENT", "EIO", "EPARSE", "EENCODING",
                            "ECORRUPT", "ESYNTAX", "EVERSION", "ELIMIT", "EUNSUPPORTED",
                            "ESKIPPED" }) do
      assert.are.equal(code, quarry.errors[code])
    end
  end)

  it("exposes the documented functions", function()
    for _, f in ipairs({ "tokenize", "read", "documents", "open_sources", "summary",
                         "format_event" }) do
      assert.are.equal("function", type(quarry[f]), f)
    end
    assert.are.equal("table", type(quarry.json))
  end)

  it("defines no globals when loaded", function()
    local before = {}
    for k in pairs(_G) do before[k] = true end
    package.loaded["quarry"] = nil
    package.loaded["quarry.json"] = nil
    require "quarry"
    for k in pairs(_G) do
      assert.is_true(before[k] ~= nil, "new global " .. tostring(k))
    end
  end)

  it("formats events like a compiler", function()
    assert.are.equal("a.json:2:13: bad", quarry.format_event({ path = "a.json", line = 2, column = 13,
                                                               message = "bad" }))
    assert.are.equal("a.json:2:13: bad", quarry.format_event({ path = "a.json", line = 2, column = 13,
                                                               message = "a.json:2:13: bad" }))
    assert.are.equal("x.jsonl#3:4: oops", quarry.format_event({ path = "x.jsonl", record = 3, line = 4,
                                                                message = "oops" }))
    assert.are.equal("f.bin: binary", quarry.format_event({ path = "f.bin", reason = "binary",
                                                            kind = "skipped", message = "" }))
  end)
end)
