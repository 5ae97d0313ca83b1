#!/usr/bin/env python3
"""Markdown table of real bits per coded index, per RVQ level, from `dcvc-info --json` outputs.

usage: index_bits_table.py K LABEL=FILE.json [LABEL=FILE.json ...]
Each FILE.json is `dcvc-info --json` of one .dcv; K is the codebook size (log2 K is the
uncoded cost). The bits include each substream's mode byte and coder flush (real bytes).
"""
import json
import math
import sys


def main():
    k = int(sys.argv[1])
    rows = []
    levels = 0
    for arg in sys.argv[2:]:
        label, path = arg.split("=", 1)
        info = json.load(open(path))
        bits = info["totals"]["bits_per_index"]
        names = sorted(bits, key=lambda n: int(n.split(".")[1]))
        levels = max(levels, len(names))
        rows.append((label, [bits[n] for n in names]))
    full = math.log2(k)
    print("| clip, index coding | " + " | ".join(f"level {l}" for l in range(levels)) + " | mean | saving vs log2 K |")
    print("|---|" + "---|" * (levels + 2))
    for label, b in rows:
        mean = sum(b) / len(b)
        print(f"| {label} | " + " | ".join(f"{x:.3f}" for x in b) + f" | {mean:.3f} | {100 * (1 - mean / full):.1f}% |")


if __name__ == "__main__":
    main()
