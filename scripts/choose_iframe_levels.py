#!/usr/bin/env python3
"""Picks the I-frame RVQ depth for each P-frame rate point from a dcvc-eval run of
eval/inter-iframe-levels.json: per lambda, the depth whose GOPs minimise the trained objective
lambda * MSE + bpp (MSE of RGB in [0, 1], from each row's RGB PSNR), summed over the clips.

Usage: scripts/choose_iframe_levels.py runs/eval/inter-iframe-levels/results.json
"""
import json
import re
import sys


def main(path):
    rows = json.load(open(path))["rows"]
    cost = {}  # (lambda, levels) -> [sum of J, clips]
    for r in rows:
        m = re.fullmatch(r"dcvc-lambda(\d+)", r["method"])
        if not m or "error" in r:
            continue
        lam, levels = int(m.group(1)), int(r["point"].lstrip("L"))
        j = lam * 10 ** (-r["psnr_rgb"] / 10) + r["bpp"]
        c = cost.setdefault((lam, levels), [0.0, 0])
        c[0] += j
        c[1] += 1
    clips = max(c[1] for c in cost.values())
    print("lambda  levels  J (sum over %d clips)" % clips)
    choice = {}
    for lam in sorted({k[0] for k in cost}):
        best = None
        for (l2, levels), (j, n) in sorted(cost.items()):
            if l2 != lam or n != clips:
                continue
            print(f"{lam:6d}  {levels:6d}  {j:.4f}")
            if best is None or j < best[1]:
                best = (levels, j)
        choice[lam] = best[0]
    print("choice: " + ", ".join(f"{lam} -> {lv}" for lam, lv in choice.items()))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
