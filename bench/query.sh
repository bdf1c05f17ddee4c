#!/usr/bin/env bash
# bench/query.sh - queries against SQLite FTS5 and ripgrep, side by side in
# one run, on the UN General Debate corpus (bench/README.md, "Queries").
#
# In process (bench/query_bench.c: no process start, no output): a frequent
# phrase with every position counted ("of the"), a rare phrase, NEAR, a
# regex over the vocabulary, and concordance lines per second in C; through
# the CLI (hyperfine): "of the" against `rg`; through Lua: concordance lines
# per second (bench/kwic_lua.lua).
#
# Usage: bench/query.sh
# Environment:
#   RUNS=21          in-process repetitions (median reported)
#   UNGDC_DIR        UN General Debate TXT dir (default
#                    /tmp/ungdc/data/data_original/TXT; unpacked from
#                    shared/corpora/ungdc-1946-2024.tar.xz when missing)
#   QBENCH_DIR       where the quarry index and the FTS5 database are built
#                    and kept between runs (default /tmp/quarry-bench-query)
#   BENCH_BUILD_DIR  build dir (default build-bench/, RelWithDebInfo)
#   OUT              also write the report here (default
#                    bench/results/query-<date>.md)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
runs="${RUNS:-21}"
build_dir="${BENCH_BUILD_DIR:-$root/build-bench}"
qdir="${QBENCH_DIR:-/tmp/quarry-bench-query}"
out="${OUT:-$root/bench/results/query-$(date -u +%Y%m%dT%H%M%SZ).md}"
ungdc_dir="${UNGDC_DIR:-/tmp/ungdc/data/data_original/TXT}"
pattern='{country}_{session}_{year}'

say() { echo "bench: $*" >&2; }
die() { echo "bench: ERROR: $*" >&2; exit 1; }

for tool in cmake sqlite3 rg hyperfine; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is missing (tools/packages.txt)"
done

say "building query_bench, index_bench and quarry in ${build_dir#"$root"/}/"
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DQUARRY_BUILD_BENCH=ON -DQUARRY_BUILD_TESTS=OFF >/dev/null
fi
cmake --build "$build_dir" -j "$(nproc)" --target query_bench index_bench quarry >/dev/null ||
  die "build failed (run: cmake --build $build_dir --target query_bench index_bench quarry)"
qb="$build_dir/bench/query_bench"
ib="$build_dir/bench/index_bench"
cli="$build_dir/bindings/cli/quarry"

if [ ! -d "$ungdc_dir" ]; then
  say "unpacking the UN General Debate corpus"
  mkdir -p /tmp/ungdc
  tar -xJf "$root/../shared/corpora/ungdc-1946-2024.tar.xz" -C /tmp/ungdc
fi
ix="$qdir/ungdc.quarry"
db="$qdir/ungdc.fts5.db"
mkdir -p "$qdir"
if [ ! -f "$ix/MANIFEST" ] && [ ! -d "$ix" ]; then :; fi
if ! "$cli" info -i "$ix" >/dev/null 2>&1; then
  say "indexing the corpus with quarry (then optimize: one segment)"
  rm -rf "$ix"
  "$ib" quarry "$ungdc_dir" "$ix" -p "$pattern" -t 2 >/dev/null
  "$cli" optimize -i "$ix" >/dev/null
fi
if [ ! -s "$db" ]; then
  say "indexing the corpus with FTS5 (then optimize: one b-tree segment)"
  "$ib" fts5-default "$ungdc_dir" "$db" -p "$pattern" >/dev/null
  sqlite3 "$db" "INSERT INTO t(t) VALUES('optimize');"
fi

mkdir -p "$(dirname "$out")"

field() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "-" }'; }

rows=()
# name | quarry query | FTS5 MATCH | target
cases=(
  'frequent phrase, every position|"of the"|"of the"|>= 3x FTS5'
  'rare phrase|"nuclear winter"|"nuclear winter"|< 1 ms'
  'phrase of 3 words|"sustainable development goals"|"sustainable development goals"|-'
  'NEAR/5, every position|NEAR/5(nuclear, disarmament)|NEAR(nuclear disarmament, 5)|>= 3x FTS5'
  'AND of two terms|climate AND finance|climate AND finance|-'
  'prefix|develop*|develop*|-'
)
for c in "${cases[@]}"; do
  IFS='|' read -r name qq fq target <<<"$c"
  say "$name"
  q_line="$("$qb" quarry "$ix" "$qq" -n "$runs")"
  f_line="$("$qb" fts5 "$db" "$fq" -n "$runs")"
  qm="$(echo "$q_line" | field median_ms)"; fm="$(echo "$f_line" | field median_ms)"
  rows+=("| $name | \`$qq\` | $(echo "$q_line" | field hits) / $(echo "$q_line" | field docs) | $qm | $(echo "$f_line" | field hits) / $(echo "$f_line" | field docs) | $fm | $(ratio "$fm" "$qm")x | $target |")
done

say "regex over the vocabulary"
v_line="$("$qb" vocab "$ix" '.*(isation|ization)' -n "$runs")"
say "concordance lines in C"
k_line="$("$qb" kwic "$ix" 'the' -n 100000)"
say "concordance lines through Lua"
l_line="$("$cli" run "$here/kwic_lua.lua" "$ix" the 100000)"

say "\"of the\" through the CLI against rg (hyperfine)"
rg_hits="$(rg -i --count-matches --no-filename '\bof\s+the\b' "$ungdc_dir" | awk '{ s += $1 } END { print s }')"
q_hits="$("$cli" search --count '"of the"' -i "$ix")"
hf_json="$qdir/hyperfine-of-the.json"
hyperfine -N --warmup 1 --runs 5 --export-json "$hf_json" \
  "$cli search --count \"\\\"of the\\\"\" -i $ix" \
  "rg -i --count-matches --no-filename \\bof\\s+the\\b $ungdc_dir" >/dev/null 2>&1 ||
  hyperfine --warmup 1 --runs 5 --export-json "$hf_json" \
    "$cli search --count '\"of the\"' -i $ix" \
    "rg -i --count-matches --no-filename '\\bof\\s+the\\b' $ungdc_dir" >/dev/null
read -r hq hr < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["results"]
print(r[0]["median"] * 1000, r[1]["median"] * 1000)' "$hf_json")

{
  echo "# Queries: quarry against SQLite FTS5 and ripgrep"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, UN General Debate corpus"
  echo "($(ls -R "$ungdc_dir" | grep -c '\.txt$') files), quarry index and FTS5 table"
  echo "(fts5(body), default tokenizer) each optimized to one segment."
  echo "In process, median of $runs runs after a warm-up (bench/query_bench.c)."
  echo "Hits are every occurrence (FTS5: sum of xInstCount over matching rows)."
  echo
  echo "| query | quarry | hits / docs | quarry ms | FTS5 hits / docs | FTS5 ms | FTS5 / quarry | target |"
  echo "|---|---|---|---:|---|---:|---:|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Regex over the vocabulary \`.*(isation|ization)\`: $(echo "$v_line" | field hits) terms,"
  echo "median $(echo "$v_line" | field median_ms) ms (target < 10 ms)."
  echo
  echo "Concordance lines, 8 tokens a side, first 100,000 hits of \`the\`:"
  echo "C $(echo "$k_line" | field lines_per_s) lines/s (target 1,000,000);"
  echo "Lua $(echo "$l_line" | field lines_per_s) lines/s (target 300,000)."
  echo
  echo "\"of the\" through the command line, hyperfine median of 5 runs:"
  echo "\`quarry search --count '\"of the\"'\` $(printf '%.1f' "$hq") ms ($q_hits hits) against"
  echo "\`rg -i --count-matches '\\bof\\s+the\\b'\` $(printf '%.1f' "$hr") ms ($rg_hits matches):"
  echo "rg / quarry = $(ratio "$hr" "$hq")x (target 10x). The counts differ where the"
  echo "tokenizer and the regex disagree on what a word is."
} | tee "$out"
say "report written to ${out#"$root"/}"
