#!/usr/bin/env python3
"""Picks the motion vectors' rate point (dcvc-enc --mv-lambda, mv_rate_point) for each P-frame
rate point from a dcvc-eval run of eval/inter-mv-rate.json: per lambda, the MV rate point whose
GOPs minimise the trained objective lambda * MSE + bpp (MSE of YUV 6:1:1 in [0, 1], from each
row's YUV PSNR; bpp of the whole GOP, real bytes), summed over the clips.

Usage: scripts/choose_mv_rate.py runs/eval/inter-mv-rate/results.json
"""
import json
import re
import sys


def main(path):
    rows = json.load(open(path))["rows"]
    cost = {}  # (lambda, mv lambda) -> [sum of J, clips, rows]
    for r in rows:
        m = re.fullmatch(r"dcvc-lambda(\d+)", r["method"])
        if not m or "error" in r:
            continue
        lam, mv = int(m.group(1)), int(r["point"].removeprefix("mv"))
        c = cost.setdefault((lam, mv), [0.0, 0, []])
        c[0] += lam * 10 ** (-r["psnr_yuv"] / 10) + r["bpp"]
        c[1] += 1
        c[2].append(f'{r["clip"]} {r["bpp"]:.4f} bpp {r["psnr_yuv"]:.2f} dB')
    clips = max(c[1] for c in cost.values())
    print(f"lambda  mv lambda  J (sum over {clips} clips)  per clip: bpp, PSNR YUV")
    choice = {}
    for lam in sorted({k[0] for k in cost}):
        best = None
        for (l2, mv), (j, n, cells) in sorted(cost.items()):
            if l2 != lam or n != clips:
                continue
            print(f"{lam:6d}  {mv:9d}  {j:8.4f}  " + "; ".join(cells))
            if best is None or j < best[1]:
                best = (mv, j)
        choice[lam] = best[0]
    print("choice: " + ", ".join(f"{lam} -> {mv}" for lam, mv in choice.items()))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
