#!/usr/bin/env python3
"""Picks the I-frame RVQ depth for each P-frame rate point from a dcvc-eval run of
eval/inter-iframe-levels.json: per lambda, the depth whose GOPs minimise the trained objective
lambda * MSE + bpp (MSE of RGB in [0, 1], from each row's RGB PSNR), summed over the clips.

Usage: scripts/choose_iframe_levels.py runs/eval/inter-iframe-levels/results.json
"""
import sys

from lambda_choice import choose

if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    choose(sys.argv[1], lambda label: int(label.lstrip("L")), "psnr_rgb", "levels")
