#!/usr/bin/env python3
"""Python peer for bench/tokenize.sh: word frequencies with re + Counter.

Reads every input file into memory first (concatenated, as one str), then
times only `Counter(re.findall(r"\\w+", text))`, best of --repeat runs, in
CPU time of the process (--clock cpu, the default, as quarry's drivers) or
wall-clock time (--clock wall).
Prints one line of key=value pairs (bytes are UTF-8 bytes of the text):

  peer=python-re files=N bytes=B tokens=T types=V best_s=S mb_s=M tokens_s=R
"""
import argparse
import os
import re
import sys
import time
from collections import Counter


def inputs(paths):
    for p in paths:
        if os.path.isdir(p):
            for name in sorted(os.listdir(p)):
                if name.endswith(".txt") and not name.startswith("."):
                    yield os.path.join(p, name)
        else:
            yield p


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="+", help=".txt files or directories of them")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--clock", choices=("cpu", "wall"), default="cpu")
    ap.add_argument("--lower", action="store_true",
                    help="also lower-case (closer to quarry's case folding)")
    args = ap.parse_args()

    files = list(inputs(args.paths))
    parts = []
    for f in files:
        with open(f, encoding="utf-8", errors="replace") as fh:
            parts.append(fh.read())
    text = "\n".join(parts)
    nbytes = len(text.encode("utf-8"))
    word = re.compile(r"\w+")

    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    best = None
    counts = None
    for _ in range(max(1, args.repeat)):
        t0 = clock()
        if args.lower:
            counts = Counter(word.findall(text.lower()))
        else:
            counts = Counter(word.findall(text))
        dt = clock() - t0
        best = dt if best is None or dt < best else best

    tokens = sum(counts.values())
    print(f"peer=python-re files={len(files)} bytes={nbytes} tokens={tokens} "
          f"types={len(counts)} best_s={best:.6f} mb_s={nbytes / best / 1e6:.3f} "
          f"tokens_s={tokens / best:.1f} clock={args.clock}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
