#!/usr/bin/env python3
"""Prints the BD-rate and BD-PSNR that the `bd-metric` package (PyPI, piecewise=1: pchip over
log-rate, 100 samples, trapezoid rule) gives for the fixed RD curves pinned in
Tests/EvaluationTests/BDRateTests.swift. Rerun it to check those numbers:

    pip install bd-metric==0.9.0 && python3 scripts/bd_reference.py
"""
import warnings

import numpy as np

if not hasattr(np, "trapz"):  # bd-metric 0.9.0 calls np.trapz, which NumPy 2.4 removed
    np.trapz = np.trapezoid
warnings.simplefilter("ignore")  # polyfit's RankWarning for the two-point case (unused with piecewise=1)

from bd_metric.bjontegaard_metric import BD_PSNR, BD_RATE  # noqa: E402

# (name, anchor rates, anchor psnr, test rates, test psnr)
CASES = [
    # The example of the bd-metric README (kbps, dB).
    ("readme",
     [686.76, 309.58, 157.11, 85.95], [40.28812, 37.18136, 34.24085, 31.42496],
     [893.34, 407.8, 204.93, 112.75], [40.39288, 37.21325, 34.16915, 31.35366]),
    # Partly overlapping ranges, bpp-like rates.
    ("overlap",
     [0.10, 0.22, 0.45, 0.90], [28.1, 30.6, 33.2, 36.0],
     [0.15, 0.30, 0.50, 1.20, 2.0], [29.9, 32.0, 33.5, 37.1, 39.0]),
    # Two points each: pchip is a straight line.
    ("two-points",
     [0.2, 0.8], [30.0, 36.0],
     [0.25, 0.7], [31.5, 35.0]),
    # Three points, given in descending rate order (the package sorts).
    ("three-descending",
     [1.6, 0.7, 0.3], [38.0, 34.5, 31.0],
     [1.1, 0.5, 0.2], [37.0, 33.9, 30.2]),
]

for name, r1, p1, r2, p2 in CASES:
    print("%s bd_rate=%.12f bd_psnr=%.12f" % (name, BD_RATE(r1, p1, r2, p2, piecewise=1), BD_PSNR(r1, p1, r2, p2, piecewise=1)))
