#!/usr/bin/env bash
# bench/freq.sh - the frequency family against Python's collections.Counter,
# side by side in one run, on the UN General Debate corpus (bench/README.md,
# "Frequency lists, n-grams, keyness").
#
# quarry in process (bench/freq_lua.lua: the Lua call, records included):
# the full frequency list of terms over the whole index (dictionary counts),
# over year>=1970 (postings walk), per year (postings), the top 1000
# bigrams (token streams), keyness between year<1980 and year>=2000. The peer counts the same tokens, dumped once from the index by
# bench/peers/freq_dump.lua (so both count exactly the same stream), with
# Counter: counting alone over the list in memory, and reading + counting.
# Peak RSS of each, one process per measurement (/usr/bin/time -v).
#
# Usage: bench/freq.sh
# Environment:
#   RUNS=5           quarry repetitions (median), REPEAT=1 Python repetitions (best)
#   INDEX            the UN corpus index (default /tmp/qbench/ungdc.quarry;
#                    see bench/query.sh for how it is built)
#   BENCH_BUILD_DIR  build dir with the Lua module (default build-bench/)
#   WORK             token dump and scratch (default /tmp/quarry-bench-freq)
#   OUT              also write the report here (default
#                    bench/results/freq-<date>.md)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
runs="${RUNS:-5}"
repeat="${REPEAT:-1}"
ix="${INDEX:-/tmp/qbench/ungdc.quarry}"
build_dir="${BENCH_BUILD_DIR:-$root/build-bench}"
work="${WORK:-/tmp/quarry-bench-freq}"
out="${OUT:-$root/bench/results/freq-$(date -u +%Y%m%dT%H%M%SZ).md}"

say() { echo "bench: $*" >&2; }
die() { echo "bench: ERROR: $*" >&2; exit 1; }

for tool in cmake lua5.4 python3 /usr/bin/time; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is missing"
done
[ -d "$ix" ] || die "no index at $ix (build it as bench/query.sh does, or set INDEX)"

if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DQUARRY_BUILD_BENCH=ON -DQUARRY_BUILD_TESTS=OFF >/dev/null
fi
say "building the Lua module in ${build_dir#"$root"/}/"
cmake --build "$build_dir" -j "$(nproc)" --target quarry_lua_module >/dev/null ||
  die "build failed (cmake --build $build_dir --target quarry_lua_module)"

export LUA_PATH="$root/bindings/lua/?.lua;$root/bindings/lua/?/init.lua;;"
export LUA_CPATH="$build_dir/lua/?.so;;"
mkdir -p "$work"
tokens="$work/tokens.txt"
if [ ! -s "$tokens" ] || [ "$ix" -nt "$tokens" ]; then
  say "dumping the counted tokens of the index to $tokens"
  lua5.4 "$here/peers/freq_dump.lua" "$ix" "$tokens.tmp" && mv "$tokens.tmp" "$tokens"
fi

field() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "-" }'; }
ms() { awk -v s="$1" 'BEGIN { printf "%.1f", s * 1000 }'; }
# Runs a command under /usr/bin/time -v; prints its stdout, then rss_mib=N.
measured() {
  local log="$work/time.log" line
  line="$(/usr/bin/time -v "$@" 2>"$log")" || { cat "$log" >&2; die "failed: $*"; }
  echo "$line rss_mib=$(awk '/Maximum resident/ { printf "%d", $6 / 1024 }' "$log")"
}

say "quarry kernels (median of $runs runs each)"
q_freq="$(measured lua5.4 "$here/freq_lua.lua" "$ix" freq "$runs")"
q_freqs="$(measured lua5.4 "$here/freq_lua.lua" "$ix" freq_subset "$runs")"
q_freqg="$(measured lua5.4 "$here/freq_lua.lua" "$ix" freq_groups "$runs")"
q_big="$(measured lua5.4 "$here/freq_lua.lua" "$ix" bigrams "$runs")"
q_key="$(measured lua5.4 "$here/freq_lua.lua" "$ix" keyness "$runs")"
say "Python Counter: unigrams, then bigrams"
p_uni="$(measured python3 "$here/peers/py_counter.py" "$tokens" unigrams --repeat "$repeat")"
p_big="$(measured python3 "$here/peers/py_counter.py" "$tokens" bigrams --repeat "$repeat")"

commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
load="$(cut -d' ' -f1-3 /proc/loadavg)"
qf="$(echo "$q_freq" | field cpu_s)"
qfs="$(echo "$q_freqs" | field cpu_s)"
qfg="$(echo "$q_freqg" | field cpu_s)"
ptok="$(echo "$p_uni" | field tokens)"
# per-token ratio for a subcorpus: Python's seconds per token / quarry's
pratio() { awk -v p="$1" -v pt="$2" -v q="$3" -v qt="$4" 'BEGIN { if (q > 0) printf "%.1f", (p / pt) / (q / qt); else print "-" }'; }
qb="$(echo "$q_big" | field cpu_s)"
qk="$(echo "$q_key" | field cpu_s)"
pu="$(echo "$p_uni" | field count_s)"
pur="$(echo "$p_uni" | field read_count_s)"
pb="$(echo "$p_big" | field count_s)"
pbr="$(echo "$p_big" | field read_count_s)"
{
  echo "# Frequency lists, n-grams, keyness at $commit ($(date -u +%Y-%m-%dT%H:%MZ), load average $load)"
  echo
  echo "Index: $ix; quarry in process, median CPU time of $runs runs after a warm-up;"
  echo "Python: best CPU time of $repeat run(s); tokens dumped by bench/peers/freq_dump.lua."
  echo
  echo "| measurement | quarry CPU ms (wall) | Python Counter CPU ms | ratio | target | peak RSS MiB quarry / Python |"
  echo "| --- | ---: | ---: | ---: | --- | --- |"
  echo "| frequency list, whole index (dictionary counts), vs counting only | $(ms "$qf") ($(ms "$(echo "$q_freq" | field wall_s)")) | $(ms "$pu") | $(ratio "$pu" "$qf")x | >= 8x | $(echo "$q_freq" | field rss_mib) / $(echo "$p_uni" | field rss_mib) |"
  echo "| the same, vs reading + counting | $(ms "$qf") | $(ms "$pur") | $(ratio "$pur" "$qf")x | >= 8x | |"
  echo "| frequency list of year>=1970 ($(echo "$q_freqs" | field tokens) tokens, postings), per token vs counting only | $(ms "$qfs") ($(ms "$(echo "$q_freqs" | field wall_s)")) | $(ms "$pu") | $(pratio "$pu" "$ptok" "$qfs" "$(echo "$q_freqs" | field tokens)")x | >= 8x | $(echo "$q_freqs" | field rss_mib) / - |"
  echo "| frequency lists per year, top 100 each (postings), vs counting only | $(ms "$qfg") ($(ms "$(echo "$q_freqg" | field wall_s)")) | $(ms "$pu") | $(ratio "$pu" "$qfg")x | - | $(echo "$q_freqg" | field rss_mib) / - |"
  echo "| bigrams, top 1000 (token streams), vs counting only | $(ms "$qb") ($(ms "$(echo "$q_big" | field wall_s)")) | $(ms "$pb") | $(ratio "$pb" "$qb")x | >= 20x | $(echo "$q_big" | field rss_mib) / $(echo "$p_big" | field rss_mib) |"
  echo "| the same, vs reading + counting | $(ms "$qb") | $(ms "$pbr") | $(ratio "$pbr" "$qb")x | >= 20x | |"
  echo "| keyness year<1980 vs year>=2000 ($(echo "$q_key" | field target_tokens) vs $(echo "$q_key" | field reference_tokens) tokens) | $(ms "$qk") ($(ms "$(echo "$q_key" | field wall_s)")) | - | - | < 1000 ms | $(echo "$q_key" | field rss_mib) / - |"
  echo
  echo "Raw lines:"
  echo
  echo '```'
  printf '%s\n' "$q_freq" "$q_freqs" "$q_freqg" "$q_big" "$q_key" "$p_uni" "$p_big"
  echo '```'
} | tee "$out"
say "report written to ${out#"$root"/}"
