#!/usr/bin/env python3
"""Prints each I+P conformance vector's file size and frame-unit sizes, as conformance/README.md's
tables give them ("bytes" and "frames (bytes)"), from `dcvc-info --json`; run after
scripts/make-conformance.sh to refresh those columns.

Usage: scripts/conformance_sizes.py [BIN]   (BIN: the directory holding dcvc-info, default .build/release)
"""
import json
import os
import subprocess
import sys


def runs(frames):
    """'I 342, P 344, P 274', with runs of P-frames folded: '8 x P 129-158'."""
    out, i = [], 0
    while i < len(frames):
        t = frames[i]["type"]
        j = i
        while j < len(frames) and frames[j]["type"] == t:
            j += 1
        sizes = [f["bytes"] for f in frames[i:j]]
        if j - i > 2:
            out.append(f"{j - i} x {t} {min(sizes)}-{max(sizes)}")
        else:
            out.extend(f"{t} {s}" for s in sizes)
        i = j
    return ", ".join(out)


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    info = os.path.join(sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, ".build/release"), "dcvc-info")
    with open(os.path.join(root, "conformance/vectors.tsv")) as f:
        names = [line.split("\t")[0] for line in f if line.strip() and not line.startswith("#")]
    for name in names:
        path = os.path.join(root, "conformance", name)
        d = json.loads(subprocess.run([info, "--json", path], check=True, capture_output=True, text=True).stdout)
        print(f"| `{name[:-4]}` | {os.path.getsize(path)} | {runs(d['frames'])} |")


if __name__ == "__main__":
    main()
