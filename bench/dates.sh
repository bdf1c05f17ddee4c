#!/usr/bin/env bash
# bench/dates.sh - the date recognizer and dated statements on the UN General
# Debate corpus (bench/README.md, "Dates and dated statements").
#
# In process (Lua, median of RUNS calls after a warm-up; CPU time by
# os.clock, steady under the load of a shared machine, and wall time):
# quarry.dates over every speech's text (read once into memory), and
# idx:statements over the whole index, without and with four key terms.
# Through the CLI: `quarry statements -i IX -f csv` with /usr/bin/time -v for
# wall time and peak RSS (process start and index open included).
#
# With PEER=1 a Python 3 peer scans the same texts with one compiled `re`
# alternation for three English forms only ("September 7, 2023",
# "7 September 2023", "2023-09-07"), for context as a ratio: it checks no
# date, infers no year and reads no Chinese, so it is a lower bound on the
# cost of a Python recognizer, not an equal.
#
# Usage: bench/dates.sh
# Environment:
#   RUNS=3           in-process repetitions (median reported)
#   IX               the quarry index of the corpus (default
#                    /tmp/qbench/ungdc.quarry, built by bench/query.sh)
#   UNGDC_DIR        the corpus TXT dir (default
#                    /tmp/ungdc/data/data_original/TXT)
#   BENCH_BUILD_DIR  build dir (default build-bench/, RelWithDebInfo)
#   PEER=1           also run the Python peer
#   OUT              also write the report here (default
#                    bench/results/dates-<date>.md)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
runs="${RUNS:-3}"
build_dir="${BENCH_BUILD_DIR:-$root/build-bench}"
ix="${IX:-/tmp/qbench/ungdc.quarry}"
ungdc_dir="${UNGDC_DIR:-/tmp/ungdc/data/data_original/TXT}"
out="${OUT:-$root/bench/results/dates-$(date -u +%Y%m%dT%H%M%SZ).md}"

say() { echo "bench: $*" >&2; }
die() { echo "bench: ERROR: $*" >&2; exit 1; }

command -v lua5.4 >/dev/null 2>&1 || die "lua5.4 is missing (tools/packages.txt)"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (GNU time, for peak RSS)"
[ -d "$ungdc_dir" ] || die "no corpus at $ungdc_dir"
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DQUARRY_BUILD_TESTS=OFF >/dev/null
fi
cmake --build "$build_dir" -j 2 --target quarry quarry_lua_module >/dev/null ||
  die "build failed (run: cmake --build $build_dir --target quarry quarry_lua_module)"
cli="$build_dir/bindings/cli/quarry"
"$cli" info -i "$ix" >/dev/null 2>&1 || die "no index at $ix (bench/query.sh builds it)"

export LUA_PATH="$root/bindings/lua/?.lua;$root/bindings/lua/?/init.lua;;"
export LUA_CPATH="$build_dir/lua/?.so;;"

list="$(mktemp)"
trap 'rm -f "$list"' EXIT
find "$ungdc_dir" -type f -name '*.txt' ! -name '._*' | LC_ALL=C sort >"$list"

say "in process, $runs runs each"
inproc="$(lua5.4 - "$ix" "$runs" "$list" <<'LUA'
local quarry = require "quarry"
local ix_path, runs, list = arg[1], tonumber(arg[2]), arg[3]
local texts, bytes = {}, 0
for path in io.lines(list) do
  local f = assert(io.open(path, "rb"))
  texts[#texts + 1] = f:read("a")
  f:close()
  bytes = bytes + #texts[#texts]
end
local function median(t) table.sort(t) return t[(#t + 1) // 2] end
local function measure(fn)
  fn()
  local cpu, wall, result = {}, {}, nil
  for i = 1, runs do
    local c0, w0 = os.clock(), quarry._sys.clock()
    result = fn()
    cpu[i], wall[i] = os.clock() - c0, quarry._sys.clock() - w0
  end
  return median(cpu), median(wall), result
end
local idx = assert(quarry.open(ix_path))
local rows = {}
local c, w, n = measure(function()
  local k = 0
  for _, t in ipairs(texts) do k = k + #quarry.dates(t) end
  return k
end)
rows[#rows + 1] = string.format("| quarry.dates over %d texts (%.0f MB) | %.2f | %.2f | %d dates, %.0f MB/s CPU |",
  #texts, bytes / 1e6, c, w, n, bytes / 1e6 / c)
c, w, n = measure(function() return #idx:statements(nil) end)
rows[#rows + 1] = string.format("| idx:statements(nil) | %.2f | %.2f | %d statements |", c, w, n)
c, w, n = measure(function()
  return #idx:statements(nil, { terms = { "climate change", "nuclear weapons", "terror*",
                                          "sustainable development" } })
end)
rows[#rows + 1] = string.format("| idx:statements(nil, 4 key terms) | %.2f | %.2f | %d statements |", c, w, n)
c, w, n = measure(function() return #idx:statements("climate") end)
rows[#rows + 1] = string.format("| idx:statements(\"climate\") | %.2f | %.2f | %d statements |", c, w, n)
io.write(table.concat(rows, "\n"), "\n")
io.write(string.format("BYTES=%d TEXTS=%d QUARRY_DATES_CPU=%.4f\n", bytes, #texts,
  (function() local x = {} for i = 1, runs do local c0 = os.clock()
    for _, t in ipairs(texts) do quarry.dates(t) end x[i] = os.clock() - c0 end
    return median(x) end)()))
LUA
)"

say "CLI with /usr/bin/time -v"
tv="$(mktemp)"
/usr/bin/time -v "$cli" statements -i "$ix" -f csv >/dev/null 2>"$tv"
cli_wall="$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$tv")"
cli_rss="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tv")"
rm -f "$tv"

peer_row=""
if [ "${PEER:-0}" = 1 ]; then
  say "Python peer"
  peer="$(python3 - "$list" "$runs" <<'PY'
import re, sys, time
paths = [l.rstrip("\n") for l in open(sys.argv[1], encoding="utf-8")]
runs = int(sys.argv[2])
texts = [open(p, encoding="utf-8", errors="replace").read() for p in paths]
months = "January|February|March|April|May|June|July|August|September|October|November|December"
rx = re.compile(r"\b(?:(?:%s) \d{1,2}, \d{4}|\d{1,2} (?:%s) \d{4}|\d{4}-\d{2}-\d{2})\b" % (months, months))
def run():
    return sum(len(rx.findall(t)) for t in texts)
run()
cpu = []
for _ in range(runs):
    c0 = time.process_time(); n = run(); cpu.append(time.process_time() - c0)
cpu.sort()
print("%.4f %d" % (cpu[(len(cpu) - 1) // 2], n))
PY
)"
  peer_cpu="${peer%% *}"; peer_n="${peer##* }"
  qd_cpu="$(echo "$inproc" | sed -n 's/.*QUARRY_DATES_CPU=\([0-9.]*\).*/\1/p')"
  ratio="$(awk -v a="$peer_cpu" -v b="$qd_cpu" 'BEGIN { printf "%.1f", a / b }')"
  peer_row="| Python re peer, 3 English forms | $peer_cpu | - | $peer_n matches; quarry.dates is ${ratio}x its speed (CPU) |"
fi

commit="$(git -C "$root" rev-parse --short HEAD)"
report="$(cat <<EOF
## dates.sh at $commit ($(date -u +%Y-%m-%d))

| what | CPU s | wall s | result |
| --- | ---: | ---: | --- |
$(echo "$inproc" | grep '^|')
${peer_row}
| CLI \`quarry statements -i IX -f csv\` | - | $cli_wall (m:ss) | peak RSS $cli_rss KB |
EOF
)"
mkdir -p "$(dirname "$out")"
echo "$report" | sed '/^$/d' >"$out"
echo "$report" | sed '/^$/d'
say "written to $out"
