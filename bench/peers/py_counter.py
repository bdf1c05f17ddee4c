#!/usr/bin/env python3
"""Python peer for bench/freq.sh: collections.Counter over the tokens quarry
counts, as dumped by bench/peers/freq_dump.lua (one token per line, an empty
line where punctuation, a symbol or a document end breaks a run).

  py_counter.py FILE unigrams|bigrams [--repeat N]

Times, in CPU seconds of the process (as bench/freq_lua.lua), best of N:
  count_s: the counting alone, over the list already in memory:
           unigrams: Counter(tokens) (empty lines removed beforehand);
           bigrams:  Counter(zip(lines, lines[1:])), then the pairs with an
                     empty side deleted (runs end at punctuation, documents;
                     quarry also ends them at sentence ends without one).
  read_count_s: reading and splitting the file plus the same counting.
Prints one line of key=value pairs.
"""
import sys
import time
from collections import Counter


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read().split("\n")


def count(lines, mode):
    if mode == "unigrams":
        return Counter(lines)  # the empty lines are gone already
    c = Counter(zip(lines, lines[1:]))
    for k in [k for k in c if not k[0] or not k[1]]:
        del c[k]
    return c


def main():
    path, mode = sys.argv[1], sys.argv[2]
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 1
    lines = read(path)
    if mode == "unigrams":
        lines = [t for t in lines if t]
    best_count = best_all = float("inf")
    c = None
    for _ in range(repeat):
        t0 = time.process_time()
        c = count(lines, mode)
        best_count = min(best_count, time.process_time() - t0)
    for _ in range(repeat):
        t0 = time.process_time()
        fresh = read(path)
        if mode == "unigrams":
            fresh = [t for t in fresh if t]
        count(fresh, mode)
        del fresh
        best_all = min(best_all, time.process_time() - t0)
    top = c.most_common(1)[0]
    name = top[0] if mode == "unigrams" else "_".join(top[0])
    print("peer=python-counter mode=%s tokens=%d types=%d total=%d count_s=%.4f "
          "read_count_s=%.4f top=%s:%d" % (
              mode, sum(1 for t in lines if t), len(c), sum(c.values()), best_count, best_all,
              name, top[1]))


if __name__ == "__main__":
    main()
