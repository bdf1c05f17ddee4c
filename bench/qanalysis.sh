#!/usr/bin/env bash
# bench/qanalysis.sh - collocations, timelines and dispersion on the UN
# General Debate corpus (bench/README.md, "Query analyses").
#
# In process (Lua, one index handle, median of RUNS calls after a warm-up):
# idx:collocates("the") over the whole index and over year>=2000, a timeline
# of 10 queries by year, dispersion of "development" per document and in 100
# parts. Both CPU time (os.clock, steady under the load of a shared
# machine) and wall time are reported. Through the CLI: the same commands
# with /usr/bin/time -v for wall time and peak RSS (process start and index
# open included).
#
# With PEER=1 a Python 3 peer counts the same window collocates of "the"
# (a regex tokenizer lowercasing \w+ runs, collections.Counter over 5/5
# windows, no punctuation in windows), for context as a ratio; it is not a
# target of the issue.
#
# Usage: bench/qanalysis.sh
# Environment:
#   RUNS=5           in-process repetitions (median reported)
#   IX               the quarry index of the corpus (default
#                    /tmp/qbench/ungdc.quarry, built by bench/query.sh)
#   UNGDC_DIR        the corpus TXT dir, for the Python peer (default
#                    /tmp/ungdc/data/data_original/TXT)
#   BENCH_BUILD_DIR  build dir (default build-bench/, RelWithDebInfo)
#   PEER=1           also run the Python peer
#   OUT              also write the report here (default
#                    bench/results/qanalysis-<date>.md)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
runs="${RUNS:-5}"
build_dir="${BENCH_BUILD_DIR:-$root/build-bench}"
ix="${IX:-/tmp/qbench/ungdc.quarry}"
ungdc_dir="${UNGDC_DIR:-/tmp/ungdc/data/data_original/TXT}"
out="${OUT:-$root/bench/results/qanalysis-$(date -u +%Y%m%dT%H%M%SZ).md}"

say() { echo "bench: $*" >&2; }
die() { echo "bench: ERROR: $*" >&2; exit 1; }

command -v lua5.4 >/dev/null 2>&1 || die "lua5.4 is missing (tools/packages.txt)"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (GNU time, for peak RSS)"
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DQUARRY_BUILD_BENCH=ON -DQUARRY_BUILD_TESTS=OFF >/dev/null
fi
cmake --build "$build_dir" -j 2 --target quarry quarry_lua_module >/dev/null ||
  die "build failed (run: cmake --build $build_dir --target quarry quarry_lua_module)"
cli="$build_dir/bindings/cli/quarry"
"$cli" info -i "$ix" >/dev/null 2>&1 || die "no index at $ix (bench/query.sh builds it)"

export LUA_PATH="$root/bindings/lua/?.lua;$root/bindings/lua/?/init.lua;;"
export LUA_CPATH="$build_dir/lua/?.so;;"

queries='"climate","war","nuclear weapons","development","terrorism","human rights","peace","covid","ukraine","africa"'

say "in process, $runs runs each"
inproc="$(lua5.4 - "$ix" "$runs" <<LUA
local quarry = require "quarry"
local ix, runs = arg[1], tonumber(arg[2])
local idx = assert(quarry.open(ix))
local function wall()
  local p = io.popen("date +%s.%N"); local t = tonumber(p:read("l")); p:close(); return t
end
local function median(t) table.sort(t); return t[(#t + 1) // 2] end
local function bench(name, fn)
  fn() -- warm-up: the term table, the page cache
  local cpu, real, r = {}, {}, nil
  for i = 1, runs do
    local w0, c0 = wall(), os.clock()
    r = fn()
    cpu[i], real[i] = os.clock() - c0, wall() - w0
  end
  io.write(string.format("%s|%.1f|%.1f|%s\n", name, median(cpu) * 1000, median(real) * 1000, r))
end
bench("collocates of the, 5/5, whole index", function()
  local r = idx:collocates("the", { limit = 20 })
  return string.format("%d hits, R1 %d, N %d, %d collocates", r.hits, r.window_tokens, r.tokens, r.collocates)
end)
bench("collocates of the, 5/5, year>=2000", function()
  local r = idx:collocates("the", { limit = 20, filter = "year>=2000" })
  return string.format("%d hits, R1 %d, N %d, %d collocates", r.hits, r.window_tokens, r.tokens, r.collocates)
end)
bench("timeline of 10 queries by year", function()
  local r = idx:timeline({ $queries }, { by = "year" })
  local h = 0
  for _, q in ipairs(r.queries) do h = h + q.hits end
  return string.format("%d periods, %d hits", #r.periods, h)
end)
bench("dispersion of development per document", function()
  local r = idx:dispersion("development", { positions = false })
  return string.format("%d hits, DP %.4f, D %.4f", r.hits, r.measures.gries_dp, r.measures.juilland_d)
end)
bench("dispersion of development, 100 parts", function()
  local r = idx:dispersion("development", { parts = 100, positions = false })
  return string.format("%d hits, DP %.4f", r.hits, r.measures.gries_dp)
end)
LUA
)"

say "through the CLI (/usr/bin/time -v)"
cli_row() { # name, args...
  local name="$1"; shift
  local tf; tf="$(mktemp)"
  /usr/bin/time -v "$cli" "$@" -i "$ix" >/dev/null 2>"$tf" || { cat "$tf" >&2; die "$name failed"; }
  local wall rss
  wall="$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$tf" |
          awk -F: '{ print ($1 * 60 + $2) * 1000 }')"
  rss="$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tf")"
  rm -f "$tf"
  echo "$name|$wall|$((rss / 1024))"
}
clirows="$(
  cli_row "quarry colloc the" colloc the -n 20
  cli_row "quarry timeline (10 queries)" timeline climate war "nuclear weapons" development \
    terrorism "human rights" peace covid ukraine africa --by year
  cli_row "quarry dispersion development" dispersion development -n 5
)"

peer=""
if [ "${PEER:-0}" = 1 ]; then
  command -v python3 >/dev/null 2>&1 || die "python3 is missing"
  say "Python peer (window collocates of 'the')"
  peer="$(python3 - "$ungdc_dir" <<'PY'
import collections, os, re, sys, time
root = sys.argv[1]
files = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if f.endswith(".txt"))
word = re.compile(r"\w+")
t0 = time.process_time(); w0 = time.time()
counts, hits = collections.Counter(), 0
for path in files:
    with open(path, encoding="utf-8", errors="replace") as fh:
        toks = word.findall(fh.read().lower())
    n = len(toks)
    claimed = bytearray(n)
    for i, t in enumerate(toks):
        if t == "the":
            claimed[i] = 1
    for i, t in enumerate(toks):
        if t != "the":
            continue
        hits += 1
        for j in range(max(0, i - 5), min(n, i + 6)):
            if not claimed[j]:
                claimed[j] = 1
                counts[toks[j]] += 1
print("%.1f|%.1f|%d hits, %d collocates" % ((time.process_time() - t0) * 1000, (time.time() - w0) * 1000, hits, len(counts)))
PY
)"
fi

rev="$(git -C "$root" rev-parse --short HEAD)"
load="$(cut -d' ' -f1-3 /proc/loadavg)"
{
  echo "# Query analyses at $rev ($(date -u +%Y-%m-%dT%H:%MZ), load average $load)"
  echo
  echo "Index: $ix; in-process medians of $runs runs after a warm-up."
  echo
  echo "| analysis | CPU ms | wall ms | result |"
  echo "| --- | ---: | ---: | --- |"
  while IFS='|' read -r n c w r; do echo "| $n | $c | $w | $r |"; done <<<"$inproc"
  if [ -n "$peer" ]; then
    IFS='|' read -r c w r <<<"$peer"
    echo "| Python peer: window collocates of the (Counter) | $c | $w | $r |"
  fi
  echo
  echo "| command | wall ms | peak RSS MiB |"
  echo "| --- | ---: | ---: |"
  while IFS='|' read -r n w m; do echo "| $n | $w | $m |"; done <<<"$clirows"
} | tee "$out"
say "report written to ${out#"$root"/}"
