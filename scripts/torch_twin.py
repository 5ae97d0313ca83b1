#!/usr/bin/python3
"""PyTorch CPU twin of the reference model timed by `dcvc-bench train`.

The same small VQGAN-style conv encoder/decoder as Sources/dcvc-bench/TrainBench.swift
(conv_in, residual blocks with GroupNorm(32, eps 1e-6) + SiLU, two stride-2 downsamples,
a 16-channel latent, nearest-upsample + conv decoder, MSE loss), trained with Adam on a fixed
random batch. Prints one JSON line: {"torch_step_s" (best step), "torch_median_s", "torch_version", "threads", "params"}.
Run with Debian's python3 (python3-torch): /usr/bin/python3 scripts/torch_twin.py --batch 8 --crop 64
With --serve it prints one JSON line {"ready", "torch_version", "threads", "params"} and then runs one
step per "step" line read from stdin, answering {"t": seconds} (`dcvc-bench train --interleave`).
"""
import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F

import twin_timing


class ResBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.norm1 = nn.GroupNorm(32, cin, eps=1e-6)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.norm2 = nn.GroupNorm(32, cout, eps=1e-6)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.nin_shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x):
        h = self.conv1(F.silu(self.norm1(x)))
        h = self.conv2(F.silu(self.norm2(h)))
        return (self.nin_shortcut(x) if self.nin_shortcut is not None else x) + h


class Reference(nn.Module):
    def __init__(self, ch=64, latent=16):
        super().__init__()
        c2 = 2 * ch
        self.conv_in = nn.Conv2d(3, ch, 3, padding=1)
        self.enc1 = ResBlock(ch, ch)
        self.down1 = nn.Conv2d(ch, ch, 3, stride=2, padding=1)
        self.enc2 = ResBlock(ch, c2)
        self.down2 = nn.Conv2d(c2, c2, 3, stride=2, padding=1)
        self.enc3 = ResBlock(c2, c2)
        self.enc_norm = nn.GroupNorm(32, c2, eps=1e-6)
        self.to_latent = nn.Conv2d(c2, latent, 3, padding=1)
        self.from_latent = nn.Conv2d(latent, c2, 3, padding=1)
        self.dec1 = ResBlock(c2, c2)
        self.up1 = nn.Conv2d(c2, c2, 3, padding=1)
        self.dec2 = ResBlock(c2, ch)
        self.up2 = nn.Conv2d(ch, ch, 3, padding=1)
        self.dec3 = ResBlock(ch, ch)
        self.dec_norm = nn.GroupNorm(32, ch, eps=1e-6)
        self.conv_out = nn.Conv2d(ch, 3, 3, padding=1)

    def forward(self, x):
        h = self.enc1(self.conv_in(x))
        h = self.enc2(self.down1(h))
        h = self.enc3(self.down2(h))
        z = self.to_latent(F.silu(self.enc_norm(h)))
        h = self.dec1(self.from_latent(z))
        h = self.dec2(self.up1(F.interpolate(h, scale_factor=2, mode="nearest")))
        h = self.dec3(self.up2(F.interpolate(h, scale_factor=2, mode="nearest")))
        return self.conv_out(F.silu(self.dec_norm(h)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--crop", type=int, default=64)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--serve", action="store_true", help="one timed step per 'step' line on stdin")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = Reference()
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    x = torch.rand(a.batch, 3, a.crop, a.crop)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.mse_loss(model(x), x)
        loss.backward()
        opt.step()
        return loss.item()

    info = {
        "torch_version": torch.__version__,
        "threads": torch.get_num_threads(),
        "params": sum(p.numel() for p in model.parameters()),
    }
    twin_timing.run(step, info, a.serve, a.warmup, a.steps)


if __name__ == "__main__":
    main()
