-- quarry_cli.report: `quarry report SPEC.yaml` (a declared list of analyses
-- written in the chosen formats) and `quarry report --analysis NAME` (one
-- analysis, for a one-off). The work is quarry.report's (run, render,
-- write); this module maps the command line onto it and its failures onto
-- exit statuses.
local args = require "quarry_cli.args"
local ingest = require "quarry_cli.ingest"
local plugins = require "quarry.plugins"
local report_run = require "quarry.report_run"

local M = {
  summary = "run analyses from a report spec (YAML) or the command line; write reports",
  usage = "quarry report SPEC.yaml [OPTIONS]\n"
    .. "       quarry report --analysis NAME [--opt KEY=VALUE...] [--format FMT...] [-o FILE]",
  description = table.concat({
    "Runs the analyses of a report spec (docs/reports.md, \"Report specs\") on an",
    "index and writes the report in each of the spec's formats, to OUTPUT.EXT",
    "(the spec's output, else the spec's file name without .yaml). Relative",
    "index and output paths in a spec are relative to the spec's directory.",
    "",
    "Without a spec, --analysis NAME runs one analysis plugin with the options",
    "given by --opt KEY=VALUE (repeatable; a list option takes a comma-separated",
    "value or several --opt). --format (repeatable) overrides the spec's formats;",
    "-o FILE writes FILE for one format; with several, FILE's extension is",
    "replaced by each format's. Without a format the report is printed as text;",
    "one format without -o (or -o -) goes to standard output. Missing",
    "directories of the output path are created.",
    "",
    "'quarry plugins' lists the analyses and formats; 'quarry plugins NAME'",
    "shows a plugin's options.",
    "",
    "Exit status: 0; 1 when an analysis or format plugin fails (the message",
    "names the plugin and the hook); 2 for a bad spec (with its line and",
    "column), an unknown plugin, a bad option or index, or an analysis that",
    "cannot work with the options given (it says why).",
  }, "\n"),
}

M.options = {
  ingest.index_option,
  { long = "analysis", short = "a", arg = "NAME", help = "run this analysis plugin (no spec)" },
  { long = "opt", arg = "KEY=VALUE", repeatable = true, help = "an option of the analysis" },
  { long = "format", short = "f", arg = "FMT", repeatable = true,
    help = "output format plugin (repeatable): text, markdown, html, json, csv, ..." },
  { long = "format-opt", arg = "KEY=VALUE", repeatable = true,
    help = "an option of the formats that declare KEY (e.g. width=80)" },
  { long = "output", short = "o", arg = "FILE", help = "output file, or base name for several formats" },
  { long = "title", arg = "TITLE", help = "the report's title" },
  { long = "filter", arg = "EXPR", help = "subcorpus: documents whose fields match EXPR" },
  { long = "where", arg = "QUERY", help = "subcorpus: documents with a hit of QUERY" },
}

--- Parses repeated KEY=VALUE options into a table; a key given twice
--- collects its values in a list (for list options).
local function key_values(list, flag)
  local out, count = {}, {}
  for _, kv in ipairs(list) do
    local k, v = kv:match("^([^=]+)=(.*)$")
    if not k then args.usage_error("report", "%s expects KEY=VALUE, got '%s'", flag, kv) end
    count[k] = (count[k] or 0) + 1
    if count[k] == 1 then
      out[k] = v
    elseif count[k] == 2 then
      out[k] = { out[k], v }
    else
      table.insert(out[k], v)
    end
  end
  return out
end

--- Splits comma-separated values of options given several times, so that
--- `--opt terms=a,b --opt terms=c` is { "a", "b", "c" }; a repeated option
--- that is not a list is an error.
local function merge_repeats(plugin, given, flag)
  local types = {}
  for _, o in ipairs(plugin.options) do types[o.name] = o.type end
  for k, v in pairs(given) do
    if type(v) == "table" then
      if types[k] ~= "list" then
        args.usage_error("report", "%s %s given %d times (only a list option can repeat)", flag,
                         k, #v)
      end
      local all = {}
      for _, part in ipairs(v) do
        for item in (part .. ","):gmatch("([^,]*),") do
          item = item:match("^%s*(.-)%s*$")
          if item ~= "" then all[#all + 1] = item end
        end
      end
      given[k] = all
    end
  end
  return given
end

--- The formats to write: { name, plugin, options } each.
local function command_line_formats(names, format_opts)
  local loader = plugins.default()
  local out, used = {}, {}
  for _, name in ipairs(names) do
    local p, msg = loader:load(name, "format")
    if not p then args.input_error("%s", msg) end
    local given = {}
    for _, o in ipairs(p.options) do
      if format_opts[o.name] ~= nil then
        given[o.name] = format_opts[o.name]
        used[o.name] = true
      end
    end
    given = merge_repeats(p, given, "--format-opt")
    local fopts, vmsg = plugins.validate_options(p, given)
    if not fopts then args.input_error("%s", vmsg) end
    out[#out + 1] = { name = name, plugin = p, options = fopts }
  end
  for k in pairs(format_opts) do
    if not used[k] then
      args.usage_error("report", "--format-opt %s: no format among %s has this option", k,
                       table.concat(names, ", "))
    end
  end
  return out
end

local function strip_extension(path)
  local stem = path:match("^(.*)%.[^./]+$")
  return stem or path
end

--- Creates the directory of an output path (reports/x.html: reports/).
local function make_parent(path)
  local dir = path:match("^(.*)/[^/]*$")
  if not dir or dir == "" then return end
  local ok, msg = require("quarry")._sys.make_dirs(dir)
  if not ok then args.input_error("cannot create the directory for %s: %s", path, msg) end
end

local function write_exact(report, fmt, path)
  local text, msg, code = report_run.render(report, fmt)
  if not text then
    if code ~= "EPLUGIN" then args.input_error("%s", msg) end
    return nil, msg
  end
  if path == "-" then
    io.stdout:write(text)
    return true
  end
  make_parent(path)
  local f, err = io.open(path, "wb")
  if not f then args.input_error("cannot write %s", err) end
  local ok, werr = f:write(text)
  local closed, cerr = f:close()
  if not ok or not closed then args.input_error("cannot write %s: %s", path, werr or cerr) end
  io.stdout:write("wrote ", path, "\n")
  return true
end

--- Raises the usage error of an output that cannot take these formats,
--- before any analysis runs.
local function check_output(formats, output)
  if #formats > 1 and (output == nil or output == "-") then
    args.usage_error("report", "%d formats need -o BASE (or an output in the spec)", #formats)
  end
end

--- Writes the report; returns the exit status. output is a file (one
--- format), a base name (several: `strip` says whether its extension goes),
--- "-" or nil (standard output).
local function emit(report, formats, output, strip)
  if #formats == 0 then
    local text = plugins.default():load("text", "format")
    if not text then args.input_error("the text format plugin is not installed") end
    formats = { { name = "text", plugin = text,
                  options = assert(plugins.validate_options(text, {})) } }
  end
  local ok, msg
  if #formats == 1 and output ~= nil then
    ok, msg = write_exact(report, formats[1], output)
  elseif #formats == 1 then
    ok, msg = write_exact(report, formats[1], "-")
  else
    check_output(formats, output)
    local base = strip and strip_extension(output) or output
    make_parent(base)
    local paths, werr, code = report_run.write(report, formats, base)
    if not paths then
      if code == "EPLUGIN" then
        ok, msg = nil, werr
      else
        args.input_error("%s", werr)
      end
    else
      for _, p in ipairs(paths) do io.stdout:write("wrote ", p, "\n") end
      ok = true
    end
  end
  if not ok then
    io.stderr:write("quarry: ", msg, "\n")
    return 1
  end
  return 0
end

local function run_spec(opts, spec_path)
  if opts.analysis then
    args.usage_error("report", "give a spec or --analysis, not both")
  end
  if #opts.opt > 0 then
    args.usage_error("report", "--opt needs --analysis (a spec has the options of its analyses)")
  end
  local kind = require("quarry")._sys.path_kind(spec_path)
  if kind == nil then args.input_error("no such spec: %s", spec_path) end
  if kind ~= "file" then args.input_error("%s is not a file", spec_path) end
  local spec, msg = report_run.load_spec_file(spec_path)
  if not spec then args.input_error("%s", msg) end
  if opts.title then spec.title = opts.title end
  if opts.filter or opts.where then
    spec.subcorpus = { filter = opts.filter, query = opts.where }
    for _, a in ipairs(spec.analyses) do a.subcorpus = nil end
  end
  local formats = spec.formats
  if #opts.format > 0 then
    formats = command_line_formats(opts.format, key_values(opts.format_opt, "--format-opt"))
  elseif #opts.format_opt > 0 then
    args.usage_error("report", "--format-opt needs --format")
  end
  local output, strip = opts.output, opts.output ~= nil
  if output == nil and #formats > 0 then
    output = spec.output or strip_extension(spec_path)
    if #formats == 1 then output = output .. "." .. formats[1].plugin.extension end
  end
  check_output(formats, output)
  local index_path = opts.index and ingest.index_path(opts) or spec.index or ingest.index_path(opts)
  local idx <close> = ingest.open_index(index_path)
  local report, rmsg, code = report_run.run(idx, spec, { index_path = index_path,
                                                           source = spec_path })
  if not report then
    if code == "EPLUGIN" then
      io.stderr:write("quarry: ", rmsg, "\n")
      return 1
    end
    args.input_error("%s", rmsg)
  end
  return emit(report, formats, output, strip)
end

local function run_one(opts)
  local loader = plugins.default()
  local p, msg = loader:load(opts.analysis, "analysis")
  if not p then args.input_error("%s", msg) end
  local given = merge_repeats(p, key_values(opts.opt, "--opt"), "--opt")
  local spec, smsg = report_run.check_spec({
    title = opts.title or ("quarry report --analysis " .. opts.analysis),
    analyses = { { analysis = opts.analysis, options = given } },
    subcorpus = (opts.filter or opts.where) and { filter = opts.filter, query = opts.where } or nil,
  }, { source = "quarry report" })
  if not spec then args.input_error("%s", (smsg:gsub("^quarry report: ", ""))) end
  local formats = {}
  if #opts.format > 0 then
    formats = command_line_formats(opts.format, key_values(opts.format_opt, "--format-opt"))
  elseif #opts.format_opt > 0 then
    args.usage_error("report", "--format-opt needs --format")
  end
  check_output(formats, opts.output)
  local index_path = ingest.index_path(opts)
  local idx <close> = ingest.open_index(index_path)
  local report, rmsg, code = report_run.run(idx, spec, { index_path = index_path,
                                                           source = "quarry report" })
  if not report then
    if code == "EPLUGIN" then
      io.stderr:write("quarry: ", rmsg, "\n")
      return 1
    end
    args.input_error("%s", (rmsg:gsub("^quarry report: ", "")))
  end
  return emit(report, formats, opts.output, true)
end

function M.run(opts, positional)
  if #positional > 1 then
    args.usage_error("report", "unexpected argument '%s'", positional[2])
  end
  if positional[1] then return run_spec(opts, positional[1]) end
  if not opts.analysis then
    args.usage_error("report", "missing SPEC.yaml or --analysis NAME")
  end
  return run_one(opts)
end

return M
