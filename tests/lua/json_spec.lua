-- quarry.json: encoding with correct escapes, UTF-8 passthrough, decoding.
local json = require("quarry").json

describe("quarry.json", function()
  it("encodes scalars", function()
    assert.are.equal("null", json.encode(nil))
    assert.are.equal("true", json.encode(true))
    assert.are.equal("42", json.encode(42))
    assert.are.equal("1.5", json.encode(1.5))
    assert.are.equal("null", json.encode(0 / 0))
    assert.are.equal('"a\\"b\\\\c\\n\\t\\u0001"', json.encode('a"b\\c\n\t\1'))
    assert.are.equal('"新质 ✓"', json.encode("新质 ✓"))
  end)

  it("encodes arrays and objects with sorted keys", function()
    assert.are.equal("[1,2,3]", json.encode({ 1, 2, 3 }))
    assert.are.equal('{"a":1,"b":[true]}', json.encode({ b = { true }, a = 1 }))
    assert.are.equal("[]", json.encode({}))
    assert.are.equal("{}", json.encode(json.object()))
    assert.are.equal('{"1":"x","3":"y"}', json.encode({ [1] = "x", [3] = "y" }))
    assert.are.equal('{\n  "a": [\n    1\n  ]\n}', json.encode({ a = { 1 } }, { indent = true }))
  end)

  it("refuses what JSON cannot hold", function()
    assert.has_error(function() json.encode(print) end)
    local t = {}
    t.self = t
    assert.has_error(function() json.encode(t) end)
  end)

  it("round-trips through decode", function()
    local v = { a = { 1, 2.5, "x\n" }, b = "😀 新", c = false, d = json.object() }
    assert.are.same(v, json.decode(json.encode(v)))
    assert.are.equal("😀", json.decode('"\\ud83d\\ude00"'))
    assert.are.equal(json.null, json.decode("null"))
    assert.are.equal("integer", math.type(json.decode("12")))
  end)

  it("reports decode errors with line and column", function()
    local ok, err = pcall(json.decode, '{\n  "a": x}')
    assert.is_false(ok)
    assert.is_truthy(err:find("line 2 column 8"), err)
  end)
end)
