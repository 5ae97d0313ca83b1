#!/usr/bin/env python3
"""The research plan's three rate-control methods, read from one dcvc-eval results.json whose
dcvc methods are named `<prefix>lambda<N>` and whose points are labelled `L<levels>` (as
eval/inter-iframe-levels.json writes them):

  1. by lambda at fixed I-frame levels (one ladder per level count),
  2. by I-frame levels at a fixed lambda (one ladder per lambda),
  3. both: the lower convex hull of every (lambda, levels) point in (bpp, PSNR YUV).

For each ladder and clip it prints the rungs (bpp, dB) and how smooth the ladder is: the bpp span,
the largest and smallest ratio between neighbouring rungs' rates, the dB gained per doubling of
rate from rung to rung (min / max), and whether quality rises with rate at every rung.

Usage: scripts/ladder_smoothness.py runs/eval/inter-iframe-levels/results.json
"""
import json
import math
import re
import sys


def rungs_summary(rungs):
    rungs = sorted(rungs)
    ratios = [b[0] / a[0] for a, b in zip(rungs, rungs[1:])]
    slopes = [(b[1] - a[1]) / math.log2(b[0] / a[0]) for a, b in zip(rungs, rungs[1:]) if b[0] > a[0]]
    monotone = all(b[1] > a[1] for a, b in zip(rungs, rungs[1:]))
    pts = " ".join(f"{r:.3f}/{q:.2f}" for r, q in rungs)
    if not ratios:
        return f"{pts}"
    return (f"{pts} | span {rungs[-1][0] / rungs[0][0]:.2f}x, step ratio {min(ratios):.2f}-{max(ratios):.2f}, "
            f"dB per rate doubling {min(slopes):.2f}-{max(slopes):.2f}, quality rises at every rung: "
            f"{'yes' if monotone else 'no'}")


def lower_hull(points):
    """Upper-left envelope in (log bpp, dB): the points no mix of two others beats."""
    pts = sorted(set(points))
    hull = []
    for p in pts:
        # drop points that are dominated (more bits, no more quality)
        if hull and p[1] <= hull[-1][1]:
            continue
        while len(hull) >= 2:
            (x1, y1), (x2, y2) = (math.log(hull[-2][0]), hull[-2][1]), (math.log(hull[-1][0]), hull[-1][1])
            x3, y3 = math.log(p[0]), p[1]
            if (y2 - y1) * (x3 - x1) <= (y3 - y1) * (x2 - x1):  # hull[-1] lies under the chord
                hull.pop()
            else:
                break
        hull.append(p)
    return hull


def main(path):
    rows = [r for r in json.load(open(path))["rows"] if r.get("kind") == "dcvc" and "error" not in r]
    grid = {}
    for r in rows:
        lam = re.search(r"lambda(\d+)", r["method"])
        lev = re.fullmatch(r"L(\d+)", r["point"])
        if lam and lev:
            grid.setdefault(r["clip"], {})[(int(lam.group(1)), int(lev.group(1)))] = (r["bpp"], r["psnr_yuv"])
    for clip, g in grid.items():
        lambdas = sorted({k[0] for k in g})
        levels = sorted({k[1] for k in g})
        print(f"## {clip} (bpp/PSNR YUV dB per rung)")
        print("method 1, by lambda at fixed I-frame levels:")
        for lev in levels:
            print(f"  {lev} levels: {rungs_summary([g[(l, lev)] for l in lambdas if (l, lev) in g])}")
        print("method 2, by I-frame levels at fixed lambda:")
        for lam in lambdas:
            print(f"  lambda {lam}: {rungs_summary([g[(lam, v)] for v in levels if (lam, v) in g])}")
        hull = lower_hull(list(g.values()))
        names = {v: k for k, v in g.items()}
        print("method 3, both (convex hull of all points):")
        print(f"  {rungs_summary(hull)}")
        print("  rungs: " + ", ".join(f"lambda {names[p][0]} L{names[p][1]}" for p in hull))
        print()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
