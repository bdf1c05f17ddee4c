-- quarry.plugins (discovery, validation, typed options, hooks) and report
-- specs (quarry.report.load_spec / check_spec / run / render / write), on
-- the broken-plugin fixtures of tests/fixtures/plugins, the example
-- plugins of scripts/examples/plugins and a small index written here.
local quarry = require "quarry"
local plugins = require "quarry.plugins"
local report = require "quarry.report"

local FIX = assert(os.getenv("QUARRY_FIXTURES"), "QUARRY_FIXTURES not set")
local SRC = assert(os.getenv("QUARRY_SOURCE_DIR"), "QUARRY_SOURCE_DIR not set")
local ART = os.getenv("QUARRY_ARTIFACTS") or "/tmp"
local ROOT = string.format("%s/lua-plugins/run-%d-%d", ART, os.time(), math.random(1e6))

local BROKEN = FIX .. "/plugins/broken"
local SHADOW = FIX .. "/plugins/shadow"
local MODULES = FIX .. "/plugins/modules"
local EXAMPLES = SRC .. "/scripts/examples/plugins"
local SPECS = FIX .. "/specs"
local USER = ROOT .. "/user-plugins"
local INDEX = ROOT .. "/corpus.quarry"

local function sh(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local function write(path, content)
  os.execute("mkdir -p " .. sh(path:match("^(.*)/")))
  local f = assert(io.open(path, "wb"))
  f:write(content)
  f:close()
end

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() end
  return f ~= nil
end

--- A loader over the fixtures: QUARRY_PATH = shadow, broken, examples;
--- the user directory of this run; the module fixture and the test path.
local function fixture_loader(extra)
  local config = {
    path = { SHADOW, BROKEN, EXAMPLES },
    user_dir = USER,
    package_path = MODULES .. "/?.lua;" .. package.path,
  }
  for k, v in pairs(extra or {}) do config[k] = v end
  return plugins.loader(config)
end

local function by_name(list)
  local t = {}
  for _, p in ipairs(list) do t[p.name] = p end
  return t
end

setup(function()
  os.execute("rm -rf " .. sh(ROOT))
  write(USER .. "/user-only.lua", [[
return { api = 1, name = "user-only", kind = "analysis", description = "from the user dir",
         run = function(ctx) ctx.report:section("User"):text("user") end }
]])
  -- shadows the built-in text format for this loader
  write(USER .. "/text.lua", [[
return { api = 1, name = "text", kind = "format", description = "the user's text",
         render = function() return "user text\n" end }
]])
  write(USER .. "/needs-term.lua", [[
return { api = 1, name = "needs-term", kind = "analysis", description = "a required option",
         options = { { name = "term", type = "string", required = true } },
         run = function() end }
]])
  -- not a plugin name: must be neither listed nor run
  write(USER .. "/Not_A_Plugin.lua", "io.open(" .. string.format("%q", ROOT .. "/ran") ..
        ", 'w'):close()\nreturn {}\n")

  local w <close> = assert(quarry.writer(INDEX))
  assert(w:add({ source = "a", text = "The cat sat on the mat. Extraordinary!",
                 fields = { year = 2001, party = "Red" } }))
  assert(w:add({ source = "b", text = "A dog ran far.", fields = { year = 2003, party = "Blue" } }))
  assert(w:add({ source = "c", text = "Tiny elephants.", fields = { year = 2003 } }))
  assert(w:commit())
end)

describe("quarry.plugins discovery", function()
  it("finds plugins in QUARRY_PATH, the user dir and quarry.plugins.* modules", function()
    local list = fixture_loader():list()
    local t = by_name(list)
    assert.are.equal("QUARRY_PATH", t["word-lengths"].origin)
    assert.are.equal(EXAMPLES .. "/word-lengths.lua", t["word-lengths"].path)
    assert.are.equal("analysis", t["word-lengths"].kind)
    assert.are.equal(1, t["word-lengths"].api)
    assert.is_string(t["word-lengths"].description)
    assert.are.equal("user", t["user-only"].origin)
    assert.are.equal("module", t["mod-example"].origin)
    assert.are.equal(MODULES .. "/quarry/plugins/mod-example.lua", t["mod-example"].path)
    -- quarry's own formats, in scripts/quarry/plugins of this source tree
    assert.are.equal("builtin", t.json.origin)
    assert.are.equal("format", t.json.kind)
    for i = 2, #list do assert.is_true(list[i - 1].name < list[i].name) end
  end)

  it("lets the first of a name win, in search order", function()
    local t = by_name(fixture_loader():list())
    assert.are.equal(SHADOW .. "/tsv.lua", t.tsv.path)
    assert.are.same({ EXAMPLES .. "/tsv.lua" }, t.tsv.shadows)
    assert.are.equal("user", t.text.origin) -- the user's text before the built-in
    assert.are.equal("the user's text", t.text.description)
    local p = assert(fixture_loader():load("tsv"))
    assert.are.equal("shadowing tsv", p.description)
  end)

  it("skips files whose name cannot be a plugin's without running them", function()
    local t = by_name(fixture_loader():list())
    assert.is_nil(t.Not_A_Plugin)
    assert.is_false(exists(ROOT .. "/ran"))
  end)

  it("filters by kind", function()
    for _, p in ipairs(fixture_loader():list("format")) do assert.are.equal("format", p.kind) end
    local names = by_name(fixture_loader():list("analysis"))
    assert.is_truthy(names["word-lengths"])
    assert.is_nil(names.json)
  end)

  it("searches nothing that is switched off", function()
    local l = plugins.loader({ path = {}, user_dir = false, package_path = false })
    assert.are.same({}, l:list())
    local p, msg, code = l:load("json")
    assert.is_nil(p)
    assert.are.equal("ENOENT", code)
    assert.are.equal("unknown plugin 'json' (no plugins are installed)", msg)
  end)

  it("ignores directories that do not exist", function()
    local l = plugins.loader({ path = { ROOT .. "/nowhere" }, user_dir = ROOT .. "/nowhere2",
                               package_path = ROOT .. "/nowhere3/?.lua" })
    assert.are.same({}, l:list())
  end)

  it("takes a module already required rather than a second copy", function()
    local name = "quarry.plugins.mod-example"
    local saved = package.loaded[name]
    local fake = { api = 1, name = "mod-example", kind = "analysis", description = "required",
                   run = function() end }
    package.loaded[name] = fake
    local p = fixture_loader():load("mod-example")
    package.loaded[name] = saved
    assert.are.equal(fake, p)
    -- and a module the loader ran is what require returns
    package.loaded[name] = nil
    local q = assert(fixture_loader():load("mod-example"))
    assert.are.equal(q, package.loaded[name])
    package.loaded[name] = saved
  end)

  it("loads a module known only to package.preload", function()
    package.preload["quarry.plugins.preloaded"] = function()
      return { api = 1, name = "preloaded", kind = "format", description = "from preload",
               render = function() return "" end }
    end
    local p, info = fixture_loader():load("preloaded")
    package.preload["quarry.plugins.preloaded"] = nil
    assert.are.equal("preloaded", p.name)
    assert.are.equal("preloaded", p.extension)
    assert.are.equal("module", info.origin)
  end)
end)

describe("quarry.plugins broken plugins", function()
  local expected = {
    ["syntax-error"] = "^plugin 'syntax%-error' cannot be loaded: " .. BROKEN:gsub("%p", "%%%0")
      .. "/syntax%-error%.lua:4: ",
    ["wrong-api"] = "^plugin 'wrong%-api' %(" .. BROKEN:gsub("%p", "%%%0")
      .. "/wrong%-api%.lua%) was written for plugin API 2; this quarry provides 1$",
    ["missing-hook"] = "is an analysis but has no 'run' function$",
    ["bad-options"] = "option 'ink' has type 'colour' %(string, integer, number, boolean, list or enum%)$",
    ["bad-default"] = "option 'width': its default must be an integer, got 'wide'$",
    ["load-error"] = "failed while loading: .*load%-error%.lua:2: module 'quarry%.plugins%.no%-such%-helper' not found",
    ["other-name"] = "declares the name 'another%-name' but its file is other%-name%.lua",
  }

  it("lists each with its error instead of failing the listing", function()
    local t = by_name(fixture_loader():list())
    for name, pattern in pairs(expected) do
      assert.is_string(t[name].error, name)
      assert.matches(pattern, t[name].error)
      assert.is_nil(t[name].kind)
      assert.are.equal("QUARRY_PATH", t[name].origin)
    end
  end)

  it("fails to load each with the same message and EINVAL", function()
    local l = fixture_loader()
    for name, pattern in pairs(expected) do
      local p, msg, code = l:load(name)
      assert.is_nil(p)
      assert.are.equal("EINVAL", code)
      assert.matches(pattern, msg)
    end
  end)

  it("loads plugins that only fail when called", function()
    local l = fixture_loader()
    assert.is_table(l:load("runtime-error"))
    assert.is_table(l:load("bad-render"))
  end)

  it("reports an unknown name with the known ones", function()
    local p, msg, code = fixture_loader():load("nope", "analysis")
    assert.is_nil(p)
    assert.are.equal("ENOENT", code)
    assert.matches("^unknown analysis 'nope' %(known analyses: .*word%-lengths", msg)
    assert.is_nil(msg:find("json", 1, true))
  end)

  it("refuses a plugin of the other kind", function()
    local p, msg, code = fixture_loader():load("word-lengths", "format")
    assert.is_nil(p)
    assert.are.equal("ENOENT", code)
    assert.matches("^'word%-lengths' is an analysis, not a format; known formats: ", msg)
  end)

  it("raises for a name that is not a string", function()
    assert.has_error(function() fixture_loader():load(nil) end)
  end)
end)

describe("quarry.plugins.validate_options", function()
  local echo
  before_each(function() echo = assert(fixture_loader():load("echo")) end)

  it("fills defaults and copies them", function()
    local o = assert(plugins.validate_options(echo, {}))
    assert.are.same({ width = 100, ratio = 0.5, loud = false, words = { "a", "b" },
                      style = "plain" }, o)
    o.words[1] = "changed"
    assert.are.equal("a", assert(plugins.validate_options(echo, nil)).words[1])
  end)

  -- { option, given, expected value } (strings as from the command line)
  local good = {
    { "width", "80", 80 }, { "width", 80, 80 }, { "width", "-3", -3 }, { "width", 2.0, 2 },
    { "ratio", "0.25", 0.25 }, { "ratio", 3, 3 }, { "ratio", "1e2", 100.0 },
    { "loud", "yes", true }, { "loud", "TRUE", true }, { "loud", "on", true }, { "loud", "1", true },
    { "loud", "no", false }, { "loud", "false", false }, { "loud", "0", false }, { "loud", true, true },
    { "words", "x, y,,z ", { "x", "y", "z" } }, { "words", "", {} },
    { "words", { "p", 2 }, { "p", "2" } },
    { "style", "fancy", "fancy" },
    { "label", "新质", "新质" }, { "label", 2024, "2024" },
  }
  for _, c in ipairs(good) do
    it(string.format("converts %s=%s", c[1], tostring(c[2])), function()
      local o = assert(plugins.validate_options(echo, { [c[1]] = c[2] }))
      assert.are.same(c[3], o[c[1]])
      if math.type(c[3]) then assert.are.equal(math.type(c[3]), math.type(o[c[1]])) end
    end)
  end

  local bad = {
    { "width", "abc", "option 'width' must be an integer, got 'abc'" },
    { "width", "1.5", "option 'width' must be an integer, got '1.5'" },
    { "width", true, "option 'width' must be an integer, got true" },
    { "ratio", "x", "option 'ratio' must be a number, got 'x'" },
    { "loud", "maybe", "option 'loud' must be true or false, got 'maybe'" },
    { "words", 5, "option 'words' must be a list of strings, got 5" },
    { "words", { "a", { "b" } }, "option 'words' must be a list of strings, got a table in it" },
    { "words", { x = "a" }, "option 'words' must be a list of strings, got a table with key 'x'" },
    { "style", "odd", "option 'style' must be one of plain, fancy, got 'odd'" },
    { "label", false, "option 'label' must be a string, got false" },
  }
  for _, c in ipairs(bad) do
    it(string.format("rejects %s=%s", c[1], tostring(c[2])), function()
      local o, msg, code, option = plugins.validate_options(echo, { [c[1]] = c[2] })
      assert.is_nil(o)
      assert.are.equal("plugin 'echo': " .. c[3], msg)
      assert.are.equal("EINVAL", code)
      assert.are.equal(c[1], option)
    end)
  end

  it("lists unknown options with the known ones", function()
    local o, msg = plugins.validate_options(echo, { widht = "1", zz = 2 })
    assert.is_nil(o)
    assert.are.equal("plugin 'echo': unknown options 'widht', 'zz' (known options: width, "
                     .. "ratio, loud, words, style, label)", msg)
    local wl = assert(fixture_loader():load("mod-example"))
    o, msg = plugins.validate_options(wl, { nope = 1 })
    assert.are.equal("plugin 'mod-example': unknown option 'nope' (known options: text)", msg)
    local tsv_free = { name = "bare", options = {} }
    o, msg = plugins.validate_options(tsv_free, { x = 1 })
    assert.are.equal("plugin 'bare': unknown option 'x' (it takes no options)", msg)
  end)

  it("requires options declared required", function()
    local p = { name = "req", options = { { name = "term", type = "string", required = true } } }
    local o, msg = plugins.validate_options(p, {})
    assert.is_nil(o)
    assert.are.equal("plugin 'req': option 'term' is required", msg)
    assert.are.same({ term = "x" }, plugins.validate_options(p, { term = "x" }))
  end)
end)

describe("quarry.plugins.call", function()
  it("returns true and the hook's results", function()
    local p = { name = "ok", render = function(r, o) return r.title .. o.x, "extra" end }
    assert.are.same({ true, "tx", "extra" },
                    { plugins.call(p, "render", { title = "t" }, { x = "x" }) })
    local q = { name = "quiet", run = function() end }
    assert.are.same({ true }, { plugins.call(q, "run") })
  end)

  it("turns an error into a message naming plugin and hook, with a traceback", function()
    local p = assert(fixture_loader():load("runtime-error"))
    local ok, msg, code = plugins.call(p, "run", {}, { times = 1 })
    assert.is_nil(ok)
    assert.are.equal("EPLUGIN", code)
    assert.matches("^plugin 'runtime%-error', hook 'run': .*runtime%-error%.lua:10: attempt to index a nil value", msg)
    assert.matches("\nstack traceback:\n.*runtime%-error%.lua:10:", msg)
    -- the host's frames below the plugin are not the user's business
    assert.is_nil(msg:find("plugins.lua", 1, true))
  end)

  it("returns an expected failure (plugins.fail) as EINVAL without a traceback", function()
    local p = assert(fixture_loader():load("gives-up"))
    local ok, msg, code = plugins.call(p, "run", {}, { share = 50 })
    assert.is_nil(ok)
    assert.are.equal("EINVAL", code)
    assert.are.equal("plugin 'gives-up', hook 'run': nothing to show for 50% of the corpus; "
                     .. "give other options", msg)
    local q = { name = "plain", run = function() plugins.fail("100% literal") end }
    assert.are.same({ nil, "plugin 'plain', hook 'run': 100% literal", "EINVAL" },
                    { plugins.call(q, "run") })
  end)

  it("reads the message of an error object", function()
    local p = { name = "obj", run = function() error({ message = "custom failure" }) end }
    local ok, msg = plugins.call(p, "run")
    assert.is_nil(ok)
    assert.matches("^plugin 'obj', hook 'run': custom failure", msg)
  end)

  it("refuses a render that does not return a string", function()
    local p = assert(fixture_loader():load("bad-render"))
    local ok, msg, code = plugins.call(p, "render", report.new({ title = "x" }), {})
    assert.is_nil(ok)
    assert.are.equal("EPLUGIN", code)
    assert.are.equal("plugin 'bad-render', hook 'render' returned number, not a string", msg)
  end)

  it("reports a missing hook", function()
    local ok, msg = plugins.call({ name = "h" }, "run")
    assert.is_nil(ok)
    assert.are.equal("plugin 'h' has no hook 'run'", msg)
  end)
end)

describe("report specs", function()
  -- { fixture, code, line, column, message pattern (after "path:line:col: ") }
  local cases = {
    { "bad-yaml", "EPARSE", 3, 8, "did not find expected ',' or ']'" },
    { "unknown-key", "EINVAL", 3, 1, "unknown key 'fromats' %(known keys: title, subtitle, index, "
      .. "params, subcorpus, analyses, formats, output%)$" },
    { "wrong-type", "EINVAL", 4, 14, "analyses%[1%]%.options must be a mapping of option names to "
      .. "values, got a list$" },
    { "unknown-analysis", "EINVAL", 3, 15, "unknown analysis 'word%-length' %(known analyses: .*"
      .. "word%-lengths" },
    { "bad-option", "EINVAL", 6, 12, "plugin 'word%-lengths': option 'max' must be an integer, "
      .. "got 'many'$" },
    { "unknown-option", "EINVAL", 4, 34, "unknown option 'colour' %(known options: by, max%)$" },
    { "unknown-format", "EINVAL", 3, 17, "unknown format 'docx' %(known formats: .*json" },
    { "not-a-mapping", "EINVAL", 1, 1, "a report spec is a mapping .*got a list$" },
    { "missing-analyses", "EINVAL", 1, 1, "'analyses' is missing" },
  }
  for _, c in ipairs(cases) do
    it("reports " .. c[1] .. " at " .. c[3] .. ":" .. c[4], function()
      local path = SPECS .. "/" .. c[1] .. ".yaml"
      local spec, msg, code, line, column = report.load_spec_file(path,
                                                                  { plugins = fixture_loader() })
      assert.is_nil(spec)
      assert.are.equal(c[2], code)
      assert.are.same({ c[3], c[4] }, { line, column })
      local prefix = path .. ":" .. c[3] .. ":" .. c[4] .. ": "
      assert.are.equal(prefix, msg:sub(1, #prefix))
      assert.matches(c[5], msg:sub(#prefix + 1))
    end)
  end

  it("reports a missing spec file", function()
    local spec, msg, code = report.load_spec_file(ROOT .. "/none.yaml")
    assert.is_nil(spec)
    assert.are.equal("ENOENT", code)
    assert.matches("none%.yaml", msg)
  end)

  it("checks a table spec without positions", function()
    local spec, msg, code, line = report.check_spec({ analyses = { "word-lengths" }, formats = 7 },
                                                    { plugins = fixture_loader() })
    assert.is_nil(spec)
    assert.are.equal("EINVAL", code)
    assert.is_nil(line)
    assert.are.equal("spec: formats must be a list of format names, got a number (7)", msg)
  end)

  it("accepts names, mappings, a single format and resolves relative paths", function()
    local spec = assert(report.load_spec(
      "title: 2024\nindex: data/x.quarry\noutput: out/r\nanalyses: [word-lengths]\nformats: tsv\n",
      { plugins = fixture_loader(), dir = "/base" }))
    assert.are.equal("2024", spec.title)
    assert.are.equal("/base/data/x.quarry", spec.index)
    assert.are.equal("/base/out/r", spec.output)
    assert.are.equal("word-lengths", spec.analyses[1].name)
    assert.are.same({ max = 10 }, spec.analyses[1].options)
    assert.are.equal("tsv", spec.formats[1].name)
    spec = assert(report.load_spec("index: /abs.quarry\nanalyses: [word-lengths]\n",
                                   { plugins = fixture_loader(), dir = "/base" }))
    assert.are.equal("/abs.quarry", spec.index)
  end)

  it("points at the analysis when a required option is missing", function()
    local spec, msg, _, line, col = report.load_spec("title: t\nanalyses:\n  - needs-term\n",
                                                     { plugins = fixture_loader(), source = "s" })
    assert.is_nil(spec)
    assert.are.same({ 3, 5 }, { line, col })
    assert.are.equal("s:3:5: plugin 'needs-term': option 'term' is required", msg)
  end)

  it("keeps params to what the report schema holds", function()
    local spec, msg, _, line, col = report.load_spec(
      "params: { who: me, n: [1, 2], deep: { a: 1 } }\nanalyses: [word-lengths]\n",
      { plugins = fixture_loader(), source = "s" })
    assert.is_nil(spec)
    assert.are.same({ 1, 37 }, { line, col })
    assert.matches("^s:1:37: params%.deep must be a string, a number, true/false or a list of them, "
                   .. "got a mapping$", msg)
  end)

  it("reads format options", function()
    local spec = assert(report.load_spec(
      "analyses: [word-lengths]\nformats:\n  - { format: echo, options: { width: '7' } }\n",
      { plugins = fixture_loader() }))
    assert.are.equal(7, spec.formats[1].options.width)
    local bad, msg, _, line, col = report.load_spec(
      "analyses: [word-lengths]\nformats:\n  - { format: echo, options: { width: x } }\n",
      { plugins = fixture_loader(), source = "s" })
    assert.is_nil(bad)
    assert.are.same({ 3, 39 }, { line, col })
    assert.matches("^s:3:39: plugin 'echo': option 'width' must be an integer", msg)
  end)
end)

describe("quarry.report.run", function()
  local function open()
    return assert(quarry.open(INDEX))
  end

  it("builds one report with provenance and the analyses' sections", function()
    local idx <close> = open()
    local spec = assert(report.load_spec_file(SPECS .. "/good.yaml", { plugins = fixture_loader() }))
    local r = assert(report.run(idx, spec, { plugins = fixture_loader(), index_path = INDEX }))
    assert.are.equal("quarry.report/1", r.schema)
    assert.are.equal("Word lengths by year", r.title)
    assert.are.equal("test corpus", r.subtitle)
    assert.are.equal(INDEX, r.provenance.index)
    assert.are.equal(3, r.provenance.documents)
    assert.are.same({ "word-lengths", "word-lengths" }, r.params.analyses)
    assert.are.equal("year>=2000", r.params.filter)
    assert.are.equal("tests", r.params.purpose)
    assert.are.equal("year", r.provenance.options["word-lengths.by"])
    assert.are.equal(4, r.provenance.options["word-lengths.max"])
    assert.are.equal(10, r.provenance.options["word-lengths#2.max"])
    assert.are.equal(2, #r.sections)
    local rows = r.sections[1].blocks[1].rows
    assert.are.same({ "2001", "2003" }, { rows[1].group, rows[2].group })
    -- 2001: The cat sat on the mat Extraordinary -> 3 3 3 2 3 3 13
    assert.are.equal(7, rows[1].words)
    assert.are.equal(1 / 7, rows[1].len2)
    assert.are.equal(5 / 7, rows[1].len3)
    assert.are.equal(1 / 7, rows[1].len4)
    -- a report is plain data: it survives JSON
    assert.is_table(report.from_data(quarry.json.decode(quarry.json.encode(r:data()))))
  end)

  it("runs a spec given as a table", function()
    local idx <close> = open()
    local r = assert(report.run(idx, { title = "T", analyses = { "mod-example" } },
                                { plugins = fixture_loader() }))
    assert.are.equal("Module", r.sections[1].title)
    assert.are.equal("hello from a module", r.sections[1].blocks[1].text)
  end)

  it("passes the subcorpus to the analyses", function()
    local idx <close> = open()
    local r = assert(report.run(idx, {
      analyses = { { analysis = "word-lengths", options = { by = "party" },
                     subcorpus = { query = "dog OR elephants" } } },
    }, { plugins = fixture_loader() }))
    local groups = {}
    for _, row in ipairs(r.sections[1].blocks[1].rows) do groups[#groups + 1] = row.group end
    assert.are.same({ "(no party)", "Blue" }, groups)
    assert.are.same({ "dog OR elephants" }, r.provenance.queries)
    assert.are.equal("dog OR elephants", r.provenance.options["word-lengths.query"])
    assert.are.equal("Report: word-lengths", r.title)
  end)

  it("reports a filter the index rejects at its position in the spec", function()
    local idx <close> = open()
    local spec = assert(report.load_spec_file(SPECS .. "/bad-filter.yaml",
                                              { plugins = fixture_loader() }))
    local r, msg, code, line, col = report.run(idx, spec, { source = "bad-filter.yaml" })
    assert.is_nil(r)
    assert.are.equal("EINVAL", code)
    assert.are.same({ 3, 11 }, { line, col })
    assert.matches("^bad%-filter%.yaml:3:11: word%-lengths: subcorpus filter: expected a value", msg)
  end)

  it("returns EPLUGIN when an analysis fails, naming plugin and hook", function()
    local idx <close> = open()
    local spec = assert(report.load_spec_file(SPECS .. "/failing-analysis.yaml",
                                              { plugins = fixture_loader() }))
    local r, msg, code = report.run(idx, spec)
    assert.is_nil(r)
    assert.are.equal("EPLUGIN", code)
    assert.matches("^plugin 'runtime%-error', hook 'run': ", msg)
  end)
end)

describe("quarry.report.render and write", function()
  local function sample()
    local r = report.new({ title = "Sample" })
    r:section("S"):table({ name = "t1", columns = { { key = "a" }, { key = "n", type = "integer" } },
                           rows = { { a = "x\ty", n = 1 }, { a = "新", n = 2 } } })
    return r
  end

  it("renders one format by name, with options", function()
    local l = fixture_loader({ path = { EXAMPLES, SHADOW } })
    assert.are.equal("a\tn\nx\\ty\t1\n新\t2\n", report.render(sample(), "tsv", { plugins = l }))
    local text = report.render(sample(), { format = "echo", options = { width = "5" } },
                               { plugins = l })
    assert.matches("width=5 %(integer%)", text)
    local none, msg, code = report.render(sample(), "docx", { plugins = l })
    assert.is_nil(none)
    assert.are.equal("ENOENT", code)
    assert.matches("unknown format 'docx'", msg)
  end)

  it("writes each format to base.ext and returns the paths", function()
    local l = fixture_loader({ path = { EXAMPLES, SHADOW } })
    os.execute("mkdir -p " .. sh(ROOT .. "/out"))
    local paths = assert(report.write(sample(), { "tsv", "echo", "json" }, ROOT .. "/out/r.tsv",
                                      { plugins = l }))
    assert.are.same({ ROOT .. "/out/r.tsv", ROOT .. "/out/r.echo", ROOT .. "/out/r.json" }, paths)
    assert.are.equal("a\tn\nx\\ty\t1\n新\t2\n", read(paths[1]))
    assert.are.equal("Sample", quarry.json.decode(read(paths[3])).title)
  end)

  it("writes nothing when a format fails", function()
    local l = fixture_loader()
    local paths, msg, code = report.write(sample(), { "echo", "bad-render" }, ROOT .. "/fail/r",
                                          { plugins = l })
    assert.is_nil(paths)
    assert.are.equal("EPLUGIN", code)
    assert.matches("bad%-render", msg)
    assert.is_false(exists(ROOT .. "/fail/r.echo"))
  end)

  it("refuses two formats writing the same file", function()
    local l = fixture_loader({ path = { SHADOW } })
    local two = { api = 1, name = "two", kind = "format", description = "d", extension = "echo",
                  render = function() return "" end }
    local paths, msg, code = report.write(sample(), { "echo", two }, ROOT .. "/same/r",
                                          { plugins = l })
    assert.is_nil(paths)
    assert.are.equal("EINVAL", code)
    assert.matches("would both write .*r%.echo", msg)
  end)

  it("reports a directory it cannot write to", function()
    local paths, msg, code = report.write(sample(), "json", ROOT .. "/no/such/dir/r",
                                          { plugins = fixture_loader() })
    assert.is_nil(paths)
    assert.are.equal("EIO", code)
    assert.matches("cannot write", msg)
  end)
end)
