#!/usr/bin/env bash
# bench/index.sh - index build time and index size against SQLite FTS5
# (default and tuned), side by side in one run, on the default corpus and on
# the UN General Debate corpus, through one driver (bench/index_bench.c) that
# reads every document into memory before anything is timed. Single-core
# rows are pinned with taskset. See bench/README.md, "Index build".
#
# Usage: bench/index.sh
# Environment:
#   RUNS=3           runs of each build (best CPU and best wall time are kept;
#                    sizes and peak RSS come from the last run)
#   OPEN_RUNS=201    quarry_index_open + free repetitions (median reported)
#   BENCH_CPU=0      the core single-core rows are pinned to
#   UNGDC_DIR        UN General Debate TXT dir (default
#                    /tmp/ungdc/data/data_original/TXT; unpacked from
#                    shared/corpora/ungdc-1946-2024.tar.xz when missing);
#                    UNGDC=0 skips it
#   BENCH_BUILD_DIR  build dir (default build-bench/, RelWithDebInfo)
#   WORK             where indexes are built (default: a temp dir under
#                    $TMPDIR or /tmp; removed at the end)
#   OUT              also write the report here (default
#                    bench/results/index-<date>.md)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
runs="${RUNS:-3}"
open_runs="${OPEN_RUNS:-201}"
cpu="${BENCH_CPU:-0}"
build_dir="${BENCH_BUILD_DIR:-$root/build-bench}"
out="${OUT:-$root/bench/results/index-$(date -u +%Y%m%dT%H%M%SZ).md}"
ungdc_dir="${UNGDC_DIR:-/tmp/ungdc/data/data_original/TXT}"
ungdc_pattern='{country}_{session}_{year}'

say() { echo "bench: $*" >&2; }
die() { echo "bench: ERROR: $*" >&2; exit 1; }

for tool in cmake python3 taskset sqlite3; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is missing"
done
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (apt-get install time)"
pin=(taskset -c "$cpu")

# ---------------------------------------------------------------- build
say "building index_bench and quarry in ${build_dir#"$root"/}/"
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DQUARRY_BUILD_BENCH=ON -DQUARRY_BUILD_TESTS=OFF >/dev/null
fi
cmake --build "$build_dir" -j "$(nproc)" --target index_bench quarry >/dev/null ||
  die "build failed (run: cmake --build $build_dir --target index_bench quarry)"
driver="$build_dir/bench/index_bench"
cli="$build_dir/bindings/cli/quarry"

# ---------------------------------------------------------------- data
corpora=()
sotu="$("$root/tools/fetch-corpus.sh")" || die "no default corpus"
corpora+=("sotu|$sotu|")
if [ "${UNGDC:-1}" != 0 ]; then
  if [ ! -d "$ungdc_dir" ]; then
    tarball=""
    for c in "$root/../shared/corpora/ungdc-1946-2024.tar.xz" \
      /work/shared/corpora/ungdc-1946-2024.tar.xz; do
      if [ -f "$c" ]; then tarball="$c"; break; fi
    done
    if [ -n "$tarball" ] && [ "$ungdc_dir" = /tmp/ungdc/data/data_original/TXT ]; then
      say "unpacking $tarball into /tmp/ungdc"
      mkdir -p /tmp/ungdc && tar -xJf "$tarball" -C /tmp/ungdc
    fi
  fi
  if [ -d "$ungdc_dir" ]; then
    corpora+=("ungdc|$ungdc_dir|$ungdc_pattern")
  else
    say "note: no UN General Debate corpus at $ungdc_dir; skipping it"
  fi
fi

work="${WORK:-}"
if [ -z "$work" ]; then
  work="$(mktemp -d "${TMPDIR:-/tmp}/quarry-index-bench-XXXXXX")"
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
results="$work/results.txt" # "corpus label key=value ..."
: >"$results"

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"

# run LABEL CORPUS PIN(0/1) MODE SOURCE TARGET [ARGS...]: one process,
# under /usr/bin/time for an external peak-RSS figure.
run() {
  local label="$1" name="$2" pinned="$3" line rss
  shift 3
  local cmd=("$driver" "$@")
  if [ "$pinned" = 1 ]; then cmd=("${pin[@]}" "${cmd[@]}"); fi
  line="$(/usr/bin/time -f 'time_maxrss_kb=%M' -o "$work/time.txt" "${cmd[@]}")" ||
    die "$label on $name failed: ${cmd[*]}"
  rss="$(tail -n1 "$work/time.txt")"
  say "$name $label: $line $rss"
  echo "$name $label $line $rss load=$(cut -d' ' -f1 /proc/loadavg)" >>"$results"
}

for c in "${corpora[@]}"; do
  IFS='|' read -r name src pattern <<<"$c"
  pat=()
  if [ -n "$pattern" ]; then pat=(-p "$pattern"); fi
  for ((i = 0; i < runs; i++)); do
    run fts5-default "$name" 1 fts5-default "$src" "$work/$name-default.db" ${pat[@]+"${pat[@]}"}
    run fts5-tuned "$name" 1 fts5-tuned "$src" "$work/$name-tuned.db" ${pat[@]+"${pat[@]}"}
    rm -rf "$work/$name-q1" "$work/$name-q2"
    run quarry-1t "$name" 1 quarry "$src" "$work/$name-q1" -t 1 ${pat[@]+"${pat[@]}"}
    run quarry-2t "$name" 0 quarry "$src" "$work/$name-q2" -t 2 ${pat[@]+"${pat[@]}"}
    run rerun "$name" 0 rerun "$src" "$work/$name-q2" -t 2 ${pat[@]+"${pat[@]}"}
  done
  run open "$name" 1 open - "$work/$name-q2" -n "$open_runs"
  if command -v hyperfine >/dev/null 2>&1; then
    "${pin[@]}" hyperfine -N --runs 50 --warmup 5 --output=pipe \
      --export-json "$work/info-$name.json" "$cli info -i $work/$name-q2" >/dev/null 2>&1 ||
      die "hyperfine quarry info failed"
    ms="$(python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))["results"][0]
print("%.3f %.3f" % (r["median"] * 1e3, min(r["times"]) * 1e3))' "$work/info-$name.json")"
    echo "$name info median_ms=${ms% *} min_ms=${ms#* }" >>"$results"
    say "$name quarry info: median ${ms% *} ms"
  fi
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------- report
machine="$(lscpu | sed -nE 's/^Model name: *//p' | head -n1)"
{
  echo "## bench/index.sh, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "- commit: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
    "($(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo 'with local changes in the tree' || echo clean))"
  echo "- machine: $machine, $(nproc) cores online; single-core rows pinned to core $cpu (taskset);" \
    "load average before: $load_before, after: $load_after"
  echo "- $(uname -sr); $(gcc --version | head -n1); SQLite $(sqlite3 --version | cut -d' ' -f1) (Debian libsqlite3);" \
    "$( (hyperfine --version 2>/dev/null || echo 'no hyperfine') | head -n1)"
  echo "- best of $runs runs per build (CPU and wall separately); open: median of $open_runs"
  echo
} >"$work/report.md"
python3 - "$results" >>"$work/report.md" <<'EOF'
import sys
rows = {}
info = {}
for l in open(sys.argv[1]):
    p = l.split()
    if not p: continue
    kv = dict(x.split("=", 1) for x in p[2:] if "=" in x)
    if p[1] == "info":
        info[p[0]] = kv; continue
    rows.setdefault((p[0], p[1]), []).append(kv)
names = {"sotu": "sotu (233 State of the Union .txt + sidecar .json)",
         "ungdc": "UN General Debate (10,952 speeches)"}
def best(c, l, k): return min(float(r[k]) for r in rows[(c, l)])
def last(c, l, k): return float(rows[(c, l)][-1][k])
corpora = list(dict.fromkeys(c for c, _ in rows))
checks = []
print("### Build\n")
print("| corpus | configuration | MB | CPU s | wall s | MB/s | vs tuned FTS5 | on disk MB | peak RSS MB (above loaded docs) |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for c in corpora:
    mb = float(rows[(c, "fts5-tuned")][0]["bytes"]) / 1e6
    ft_cpu = best(c, "fts5-tuned", "cpu_s")
    ft_rate = mb / ft_cpu
    for l, desc, clock in [("fts5-default", "FTS5 default (1 core)", "cpu_s"),
                           ("fts5-tuned", "FTS5 tuned, contentless (1 core)", "cpu_s"),
                           ("quarry-1t", "quarry threads=1 (1 core)", "cpu_s"),
                           ("quarry-2t", "quarry threads=2 (2 cores, wall)", "wall_s"),
                           ("rerun", "quarry no-change re-run (2 cores, wall)", "wall_s")]:
        if (c, l) not in rows: continue
        cs, ws = best(c, l, "cpu_s"), best(c, l, "wall_s")
        rate = mb / (cs if clock == "cpu_s" else ws)
        peak = last(c, l, "rss_peak_kb") / 1024
        base = last(c, l, "rss_loaded_kb") / 1024
        ratio = "" if l in ("fts5-tuned", "rerun") else f"{rate / ft_rate:.2f}x"
        if l == "rerun":  # not a build: its share of the full build is in Targets
            rate_s = ""
        else:
            rate_s = f"{rate:.1f}"
        print(f"| {names.get(c, c)} | {desc} | {mb:.1f} | {cs:.3f} | {ws:.3f} | {rate_s} | {ratio} | "
              f"{last(c, l, 'size') / 1e6:.2f} | {peak:.0f} (+{peak - base:.0f}) |")
    q1 = mb / best(c, "quarry-1t", "cpu_s")
    q2 = mb / best(c, "quarry-2t", "wall_s")
    checks.append((c, "build >= 2x tuned FTS5 on one core (CPU time)", q1 / ft_rate >= 2, f"{q1 / ft_rate:.2f}x"))
    checks.append((c, "build >= 3x tuned FTS5 with both cores (quarry wall vs FTS5 CPU)", q2 / ft_rate >= 3,
                   f"{q2 / ft_rate:.2f}x (wall vs FTS5 wall: {(mb / best(c, 'quarry-2t', 'wall_s')) / (mb / best(c, 'fts5-tuned', 'wall_s')):.2f}x)"))
    rr = best(c, "rerun", "wall_s") / best(c, "quarry-2t", "wall_s")
    checks.append((c, "no-change re-run <= 5% of the full build (wall, vs threads=2)", rr <= 0.05, f"{rr * 100:.1f}%"))
print("\nMB/s: text MB ÷ CPU time for the 1-core rows (process user+sys, every thread),"
      " ÷ wall time for the 2-core rows. `vs tuned FTS5` divides by tuned FTS5's CPU-time MB/s.\n")
print("### Sizes\n")
print("| corpus | what | bytes | MB | % of text | vs FTS5 |")
print("| --- | --- | ---: | ---: | ---: | ---: |")
parts = ["terms", "postings", "tokens", "offsets", "structure", "store", "fields", "docs", "deletions", "manifest"]
for c in corpora:
    mb = float(rows[(c, "fts5-tuned")][0]["bytes"])
    q = rows[(c, "quarry-2t")][-1]
    fd = rows[(c, "fts5-default")][-1]
    ft = rows[(c, "fts5-tuned")][-1]
    P = {p: int(q["part_" + p]) for p in parts}
    total = int(q["size"])
    fts_def, fts_cl = int(fd["size"]), int(ft["size"])
    fts_cl_postings = int(ft["fts_data"]) + int(ft["fts_idx"])
    def row(what, b, ref=None, refname=""):
        r = f"{b / ref:.2f}x {refname}" if ref else ""
        print(f"| {c} | {what} | {b} | {b / 1e6:.2f} | {b / mb * 100:.1f} | {r} |")
    row("FTS5 default: database (content + index)", fts_def)
    row("FTS5 tuned: contentless database (index only)", fts_cl)
    row("FTS5 tuned: fts_data + fts_idx (postings, positions, terms)", fts_cl_postings)
    for p in parts:
        row(f"quarry part {p}", P[p])
    row("quarry total", total, fts_def, "FTS5 default")
    nostore = total - P["store"]
    row("quarry without stored text (total − store)", nostore, fts_cl, "FTS5 contentless")
    idx = P["terms"] + P["postings"] + P["tokens"] + P["offsets"] + P["structure"]
    row("quarry terms+postings+tokens+offsets+structure", idx, fts_cl, "FTS5 contentless")
    tp = P["terms"] + P["postings"]
    row("quarry terms+postings", tp, fts_cl, "FTS5 contentless")
    checks.append((c, "size without stored text <= 0.6x FTS5 contentless (total − store)", nostore / fts_cl <= 0.6, f"{nostore / fts_cl:.2f}x"))
    checks.append((c, "  (terms+postings only, the postings-only analogue)", tp / fts_cl <= 0.6, f"{tp / fts_cl:.2f}x"))
print("\n### Open\n")
print("| corpus | quarry_index_open + free: median ms | min | max | first | `quarry info` (CLI process) median ms | min |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for c in corpora:
    o = rows[(c, "open")][-1]
    i = info.get(c, {})
    print(f"| {c} | {float(o['median_ms']):.3f} | {float(o['min_ms']):.3f} | {float(o['max_ms']):.3f} | "
          f"{float(o['first_ms']):.3f} | {i.get('median_ms', '')} | {i.get('min_ms', '')} |")
    checks.append((c, "open < 10 ms (median)", float(o["median_ms"]) < 10, f"{float(o['median_ms']):.3f} ms"))
print("\n### Targets\n")
for c, what, ok, got in checks:
    print(f"- {c}: {what}: {'met' if ok else 'NOT met'} ({got})")
EOF
mkdir -p "$(dirname "$out")"
cp "$work/report.md" "$out"
cp "$results" "${out%.md}.raw.txt"
echo
cat "$work/report.md"
say "written to $out (driver output: ${out%.md}.raw.txt)"
