#!/usr/bin/env bash
# bench/grep.sh - `quarry grep --count` against ripgrep on the raw files of
# the UN General Debate corpus (bench/README.md, "grep").
#
# Three searches, each timed with hyperfine side by side, after checking
# that both tools count the same number of matches:
#   - a literal ("sustainable development"): quarry vs rg
#   - a regex with an inner literal ("\w+ization of the \w+"): quarry vs
#     rg -P (PCRE2, the same engine) and plain rg (its own engine)
#   - quarry with 1 thread vs 2 threads on both.
# Both tools get the same directory; both skip hidden files (the AppleDouble
# "._*" files of the archive), and rg gets --no-ignore so that no ignore
# file changes what it reads.
#
# Usage: bench/grep.sh
# Environment:
#   RUNS=10          hyperfine runs per command (after 2 warm-up runs)
#   UNGDC_DIR        UN General Debate TXT dir (default
#                    /tmp/ungdc/data/data_original/TXT; unpacked from
#                    shared/corpora/ungdc-1946-2024.tar.xz when missing)
#   BENCH_BUILD_DIR  build dir (default build-bench/, RelWithDebInfo)
#   OUT              also write the report here (default
#                    bench/results/grep-<date>.md)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
runs="${RUNS:-10}"
build_dir="${BENCH_BUILD_DIR:-$root/build-bench}"
out="${OUT:-$root/bench/results/grep-$(date -u +%Y%m%dT%H%M%SZ).md}"
ungdc_dir="${UNGDC_DIR:-/tmp/ungdc/data/data_original/TXT}"

say() { echo "bench: $*" >&2; }
die() { echo "bench: ERROR: $*" >&2; exit 1; }

for tool in cmake rg hyperfine python3; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is missing (tools/packages.txt)"
done

say "building quarry in ${build_dir#"$root"/}/"
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DQUARRY_BUILD_TESTS=OFF >/dev/null
fi
cmake --build "$build_dir" -j "$(nproc)" --target quarry >/dev/null ||
  die "build failed (run: cmake --build $build_dir --target quarry)"
cli="$build_dir/bindings/cli/quarry"

if [ ! -d "$ungdc_dir" ]; then
  say "unpacking the UN General Debate corpus"
  mkdir -p /tmp/ungdc
  tar -xJf "$root/../shared/corpora/ungdc-1946-2024.tar.xz" -C /tmp/ungdc
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

rg_count() { # rg's per-file counts, summed
  rg --no-ignore --no-config --count-matches --no-filename "$@" "$ungdc_dir" |
    awk '{ s += $1 } END { print s + 0 }'
}

literal='sustainable development'
regex='\w+ization of the \w+'

say "checking that both tools count the same matches"
q_lit="$("$cli" grep --count "$literal" "$ungdc_dir")"
r_lit="$(rg_count -e "$literal")"
q_re="$("$cli" grep --count "$regex" "$ungdc_dir")"
r_re_p="$(rg_count -P -e "$regex")"
r_re="$(rg_count -e "$regex")"
[ "$q_lit" = "$r_lit" ] || die "literal: quarry counts $q_lit, rg $r_lit"
[ "$q_re" = "$r_re_p" ] || die "regex: quarry counts $q_re, rg -P $r_re_p"
[ "$q_re" = "$r_re" ] || die "regex: quarry counts $q_re, rg $r_re"
files="$(find "$ungdc_dir" -type f ! -name '.*' | wc -l)"
bytes="$(find "$ungdc_dir" -type f ! -name '.*' -printf '%s\n' | awk '{ s += $1 } END { print s }')"
say "matches: literal $q_lit, regex $q_re; $files files, $bytes bytes"

q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
bench() { # name, commands...
  local name="$1"
  shift
  hyperfine -N -w 2 -r "$runs" --export-json "$tmp/$name.json" "$@" >&2
}
bench literal \
  "$cli grep --count $(q "$literal") $(q "$ungdc_dir")" \
  "rg --no-ignore --no-config --count-matches $(q "$literal") $(q "$ungdc_dir")" \
  "$cli grep -j1 --count $(q "$literal") $(q "$ungdc_dir")" \
  "$cli grep -j2 --count $(q "$literal") $(q "$ungdc_dir")"
bench regex \
  "$cli grep --count $(q "$regex") $(q "$ungdc_dir")" \
  "rg --no-ignore --no-config --count-matches -P $(q "$regex") $(q "$ungdc_dir")" \
  "rg --no-ignore --no-config --count-matches $(q "$regex") $(q "$ungdc_dir")" \
  "$cli grep -j1 --count $(q "$regex") $(q "$ungdc_dir")" \
  "$cli grep -j2 --count $(q "$regex") $(q "$ungdc_dir")"

python3 - "$tmp" "$bytes" "$q_lit" "$q_re" "$(git -C "$root" rev-parse --short HEAD)" \
  "$(uptime | sed 's/.*load average: //')" "$(rg --version | head -1)" "$cli" "$ungdc_dir" \
  "$files" >"$out" <<'EOF'
import json, sys
tmp, nbytes, n_lit, n_re, commit, load, rgv, cli, corpus, nfiles = sys.argv[1:11]
nbytes = int(nbytes)
def load_json(name):
    return [(r["command"], r["mean"], r["stddev"]) for r in
            json.load(open(f"{tmp}/{name}.json"))["results"]]
lit, reg = load_json("literal"), load_json("regex")
def row(cmd, mean, sd):
    short = cmd.replace(cli, "quarry").replace(f"'{corpus}'", "DIR").replace("|", "\\|")
    return f"| `{short}` | {mean*1000:.1f} ± {sd*1000:.1f} | {nbytes/mean/1e6:.0f} |"
print(f"# grep: quarry grep --count vs ripgrep\n")
print(f"UN General Debate TXT (DIR), {nfiles} non-hidden files, {nbytes/1e6:.0f} MB; commit {commit};"
      f" {rgv}; load average {load}; hyperfine, 2 warm-up runs.\n")
for title, rows, n in (("Literal `sustainable development`", lit, n_lit),
                       ("Regex `\\w+ization of the \\w+`", reg, n_re)):
    print(f"## {title} ({n} matches on both sides)\n")
    print("| command | wall ms (mean ± sd) | MB/s |\n| --- | ---: | ---: |")
    for r in rows:
        print(row(*r))
    print()
q_lit, rg_lit = lit[0][1], lit[1][1]
q_re, rgp_re, rg_re = reg[0][1], reg[1][1], reg[2][1]
print("## Ratios (throughput, quarry / peer; > 1 means quarry is faster)\n")
print(f"- literal: quarry / rg = {rg_lit/q_lit:.2f}x (target >= 0.8x)")
print(f"- regex: quarry / rg -P = {rgp_re/q_re:.2f}x (target >= 5x)")
print(f"- regex: quarry / rg = {rg_re/q_re:.2f}x")
print(f"- 2 threads / 1 thread: literal {lit[2][1]/lit[3][1]:.2f}x, regex {reg[3][1]/reg[4][1]:.2f}x")
EOF
cat "$out"
say "report written to ${out#"$root"/}"
