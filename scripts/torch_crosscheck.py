#!/usr/bin/python3
"""Checks our training kernels against PyTorch on the tensors TorchCrossCheckTests writes.

Usage: /usr/bin/python3 scripts/torch_crosscheck.py FILE.safetensors  (run by the opt-in test:
DCVC_TORCH_CROSSCHECK=1 swift test --filter TorchCrossCheckTests). Parses the safetensors file
by hand (8-byte header length, JSON header), so it also checks that Python reads our files.
Exits 1 if any output differs from PyTorch by more than 1e-5.
"""
import json, struct, sys
import torch
import torch.nn.functional as F
b = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", b[:8])[0]; h = json.loads(b[8:8+n]); data = b[8+n:]
T = {}
for k, v in h.items():
    if k == "__metadata__": continue
    lo, hi = v["data_offsets"]
    T[k] = torch.frombuffer(bytearray(data[lo:hi]), dtype=torch.float32).reshape(v["shape"])
failed = []
def cmp(name, ref, tol=1e-5):
    d = (T[name] - ref).abs().max().item()
    print(f"{name:12s} max abs diff {d:.2e}")
    if not d <= tol:
        failed.append(name)
x = T["x"].clone().requires_grad_(); flow = T["flow"].clone().requires_grad_()
N, C, H, W = x.shape
gx = torch.linspace(-1, 1, W).view(1, 1, 1, W).expand(N, -1, H, -1)
gy = torch.linspace(-1, 1, H).view(1, 1, H, 1).expand(N, -1, -1, W)
grid = torch.cat([gx, gy], 1)
fl = torch.cat([flow[:, 0:1] / ((W - 1.0) / 2.0), flow[:, 1:2] / ((H - 1.0) / 2.0)], 1)
out = F.grid_sample(x, (grid + fl).permute(0, 2, 3, 1), mode="bilinear", padding_mode="border", align_corners=True)
out.backward(T["gw"])
cmp("warp", out.detach()); cmp("warp_dx", x.grad); cmp("warp_dflow", flow.grad)
xd = T["x"]
cmp("resize_up_f", F.interpolate(xd, size=(14, 18), mode="bilinear", align_corners=False))
cmp("resize_up_t", F.interpolate(xd, size=(14, 18), mode="bilinear", align_corners=True))
cmp("resize_dn_f", F.interpolate(xd, size=(3, 4), mode="bilinear", align_corners=False))
cmp("gn", F.group_norm(xd, 3, T["gamma"], T["beta"], 1e-5))
cmp("gelu", F.gelu(xd)); cmp("softplus", F.softplus(xd * 30 - 10))
cmp("convt", F.conv_transpose2d(xd, T["wt"], stride=2, padding=1, output_padding=1))
cmp("conv_rep", F.conv2d(F.pad(xd, (1, 1, 1, 1), mode="replicate"), T["wc"], stride=2))
# MS-SSIM as pytorch_msssim computes it (valid Gaussian filtering, odd-size padded pooling)
def gauss(size=11, sigma=1.5):
    c = torch.arange(size, dtype=torch.float32) - size // 2
    g = torch.exp(-(c ** 2) / (2 * sigma ** 2)); return g / g.sum()
def filt(X, g):
    Cc = X.shape[1]
    X = F.conv2d(X, g.view(1, 1, 1, -1).repeat(Cc, 1, 1, 1), groups=Cc)
    return F.conv2d(X, g.view(1, 1, -1, 1).repeat(Cc, 1, 1, 1), groups=Cc)
def ssim(X, Y, g):
    C1, C2 = 0.01 ** 2, 0.03 ** 2
    mu1, mu2 = filt(X, g), filt(Y, g)
    s1 = filt(X * X, g) - mu1 ** 2; s2 = filt(Y * Y, g) - mu2 ** 2; s12 = filt(X * Y, g) - mu1 * mu2
    cs = (2 * s12 + C2) / (s1 + s2 + C2); sm = ((2 * mu1 * mu2 + C1) / (mu1 ** 2 + mu2 ** 2 + C1)) * cs
    return torch.flatten(sm, 2).mean(-1), torch.flatten(cs, 2).mean(-1)
def msssim(X, Y):
    w = torch.tensor([0.0448, 0.2856, 0.3001, 0.2363, 0.1333]); g = gauss(); mcs = []
    for i in range(5):
        s, cs = ssim(X, Y, g)
        if i < 4:
            mcs.append(torch.relu(cs)); pad = [s % 2 for s in X.shape[2:]]
            X = F.avg_pool2d(X, 2, padding=pad); Y = F.avg_pool2d(Y, 2, padding=pad)
    s = torch.relu(s)
    v = torch.prod(torch.stack(mcs + [s], 0) ** w.view(-1, 1, 1), 0)
    return v.mean()
cmp("msssim", msssim(T["img"], T["img2"]).view(1))
if failed:
    print("differ from PyTorch:", ", ".join(failed))
    sys.exit(1)
