#!/usr/bin/env python3
"""Picks the motion vectors' rate point (dcvc-enc --mv-lambda, mv_rate_point) for each P-frame
rate point from a dcvc-eval run of eval/inter-mv-rate.json: per lambda, the MV rate point whose
GOPs minimise the trained objective lambda * MSE + bpp (MSE of YUV 6:1:1 in [0, 1], from each
row's YUV PSNR; bpp of the whole GOP, real bytes), summed over the clips.

Usage: scripts/choose_mv_rate.py runs/eval/inter-mv-rate/results.json
"""
import sys

from lambda_choice import choose

if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    choose(sys.argv[1], lambda label: int(label.removeprefix("mv")), "psnr_yuv", "mv lambda")
