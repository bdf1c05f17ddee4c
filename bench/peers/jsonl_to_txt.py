#!/usr/bin/env python3
"""Writes one .txt file per JSONL record (a text field) for bench/tokenize.sh.

Usage: jsonl_to_txt.py FILE.jsonl OUTDIR [--field content]
Records without the field (or with an empty one) are skipped. Prints the
number of files and bytes written.
"""
import argparse
import json
import os
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("jsonl")
    ap.add_argument("outdir")
    ap.add_argument("--field", default="content")
    args = ap.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    n = 0
    nbytes = 0
    with open(args.jsonl, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            rec = json.loads(line)
            text = rec.get(args.field)
            if not isinstance(text, str) or not text:
                continue
            data = text.encode("utf-8")
            with open(os.path.join(args.outdir, f"{n:04d}.txt"), "wb") as out:
                out.write(data)
            n += 1
            nbytes += len(data)
    print(f"files={n} bytes={nbytes}")
    return 0 if n else 1


if __name__ == "__main__":
    sys.exit(main())
