#!/usr/bin/python3
"""PyTorch CPU twin of one stage-4 training step of the DCVC P-frame model (`dcvc-bench train --model inter`).

Mirrors Sources/Models/Inter/InterNetwork.swift layer by layer (InterConfig defaults: the same
convs, shapes, channel counts and parameter names), the rate terms of
Sources/Training/Inter/RateTerms.swift and the stage-4 loss of InterTrainer.forward:
per P-frame the pyramid flow net, the MV codec with its per-lambda channel gains, the context
(bilinear `grid_sample` warp, border padding, align_corners=True, as Ops.flowWarp), the frame
codec; additive uniform noise for the rates, Gaussian bits from erfc differences with the
likelihood floored (its slope passed through) and the scale floored (no gradient), factorized bits
for the hyper-latents, straight-through rounding for what the decoders see; lambda * MSE + bpp
summed over `--p-frames` cascaded P-frames (each reconstruction the next reference) and averaged;
gradient norm clipped at 1, Adam. It need not reproduce our numbers, only do the same work.

Prints one JSON line {"torch_step_s" (best step), "torch_median_s", "torch_version", "threads", "params"}.
Run with Debian's python3 (python3-torch): /usr/bin/python3 scripts/torch_inter_twin.py --batch 4 --crop 128
With --serve it prints {"ready", "torch_version", "threads", "params"} and then runs one step per
"step" line read from stdin, answering {"t": seconds} (`dcvc-bench train --model inter --interleave`).
--params-only prints the parameter count and exits.
"""
import argparse
import json
import math
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

import twin_timing

SLOPE = 0.1            # InterNetwork.slope
MIN_SCALE = 0.11       # RateTerms.minScale
LIKELIHOOD_FLOOR = 1e-9  # RateTerms.likelihoodFloor


def conv(cin, cout, stride=1):
    return nn.Conv2d(cin, cout, 3, stride=stride, padding=1)


def leaky(x):
    return F.leaky_relu(x, SLOPE)


class Config:
    """InterConfig defaults."""
    motion_channels = [32, 64, 32]
    motion_levels = 3
    mv_hidden = 64
    mv_latent = 64
    mv_hyper = 32
    context = 32
    latent = 96
    hyper = 64
    generator = 48
    lambdas = [256, 512, 1024, 2048]
    warped_reference = True  # the context ends with the reference warped at full resolution (12 channels)


def flow_warp(x, flow):
    """Ops.flowWarp: sample x at (x + u, y + v), bilinear, coordinates clamped to the image."""
    n, _, h, w = x.shape
    ys, xs = torch.meshgrid(torch.arange(h, dtype=x.dtype), torch.arange(w, dtype=x.dtype), indexing="ij")
    gx = (xs + flow[:, 0]) * (2 / max(w - 1, 1)) - 1
    gy = (ys + flow[:, 1]) * (2 / max(h - 1, 1)) - 1
    grid = torch.stack([gx, gy], dim=3)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=True)


def resize_bilinear(x, h, w):
    """Ops.resizeBilinear (align_corners false, as F.interpolate)."""
    return F.interpolate(x, size=(h, w), mode="bilinear", align_corners=False)


class MeanScale(nn.Module):
    def __init__(self, cin, out):
        super().__init__()
        self.mean = conv(cin, out)
        self.scale = conv(cin, out)

    def forward(self, h):
        return self.mean(h), F.softplus(self.scale(h))


class HyperEncoder(nn.Module):
    def __init__(self, cin, hidden, out):
        super().__init__()
        self.conv0 = conv(cin, hidden)
        self.down0 = conv(hidden, hidden, 2)
        self.down1 = conv(hidden, out, 2)

    def forward(self, v):
        return self.down1(leaky(self.down0(leaky(self.conv0(v)))))


class HyperDecoder(nn.Module):
    def __init__(self, cin, hidden):
        super().__init__()
        self.conv0 = conv(cin, hidden)
        self.up0 = conv(hidden, 4 * hidden)
        self.up1 = conv(hidden, 4 * hidden)

    def forward(self, z):
        h = leaky(self.conv0(z))
        for up in (self.up0, self.up1):
            h = leaky(F.pixel_shuffle(up(h), 2))
        return h


class MotionLevel(nn.Module):
    def __init__(self, cin, widths):
        super().__init__()
        convs, c = [], cin
        for w in widths:
            convs.append(conv(c, w))
            c = w
        self.convs = nn.ModuleList(convs)
        self.out = conv(c, 2)

    def forward(self, h):
        for c in self.convs:
            h = leaky(c(h))
        return self.out(h)


class InterNet(nn.Module):
    def __init__(self, c=Config):
        super().__init__()
        self.c = c
        k = len(c.lambdas)
        # Motion: the coarsest level sees (x, ref), the others (x, warped ref, upsampled flow).
        self.motion = nn.ModuleList(
            [MotionLevel(6 if level == c.motion_levels - 1 else 8, c.motion_channels) for level in range(c.motion_levels)])
        # MV codec.
        self.mv_enc = nn.ModuleList([conv(2 if i == 0 else c.mv_hidden, c.mv_hidden, 2) for i in range(3)])
        self.mv_enc_out = conv(c.mv_hidden, c.mv_latent)
        self.mv_gain_enc = nn.Parameter(torch.ones(k, c.mv_latent))
        self.mv_gain_dec = nn.Parameter(torch.ones(k, c.mv_latent))
        self.mv_hyper_enc = HyperEncoder(c.mv_latent, c.mv_hidden, c.mv_hyper)
        self.mv_hyper_dec = HyperDecoder(c.mv_hyper, c.mv_hidden)
        self.mv_prior = MeanScale(c.mv_hidden, c.mv_latent)
        widths, ups, cin = [c.mv_hidden, c.mv_hidden, c.context], [], c.mv_latent
        for w in widths:
            ups.append(conv(cin, 4 * w))
            cin = w
        self.mv_dec = nn.ModuleList(ups)
        self.mv_dec_out = conv(c.context, 2)
        self.mv_hyper_log_scale = nn.Parameter(torch.zeros(c.mv_hyper))
        # Context.
        self.feature0 = conv(12, c.context)
        self.feature1 = conv(c.context, c.context)
        self.context0 = conv(c.context, c.context)
        self.context1 = conv(c.context, c.context)
        # Frame codec; cx: the context's channels.
        g, l = c.generator, c.latent
        cx = c.context + (12 if c.warped_reference else 0)
        self.frame_enc = nn.ModuleList([conv(12 + cx, g), conv(g, g, 2), conv(g, l, 2), conv(l, l, 2)])
        self.frame_enc_out = conv(l, l)
        self.frame_gain_enc = nn.Parameter(torch.ones(k, l))
        self.frame_gain_dec = nn.Parameter(torch.ones(k, l))
        self.frame_hyper_enc = HyperEncoder(l, l, c.hyper)
        self.frame_hyper_dec = HyperDecoder(c.hyper, l)
        self.temporal = nn.ModuleList([conv(cx, g, 2), conv(g, l, 2), conv(l, l, 2)])
        self.frame_prior_fuse = conv(2 * l, 2 * l)
        self.frame_prior = MeanScale(2 * l, l)
        widths, ups, cin = [l, g, c.context], [], l
        for w in widths:
            ups.append(conv(cin, 4 * w))
            cin = w
        self.frame_dec = nn.ModuleList(ups)
        self.generator_in = conv(c.context + cx, g)
        self.generator_res0 = conv(g, g)
        self.generator_res1 = conv(g, g)
        self.generator_out = conv(g, 12)
        self.frame_hyper_log_scale = nn.Parameter(torch.zeros(c.hyper))
        # InterTrainer: the flow starts at zero.
        with torch.no_grad():
            for m in self.motion:
                m.out.weight.zero_()
                m.out.bias.zero_()

    @staticmethod
    def gain(x, w, rows):
        return x * w[rows].reshape(x.shape[0], x.shape[1], 1, 1)

    def flow(self, x, ref):
        xs, rs = [F.avg_pool2d(x, 2)], [F.avg_pool2d(ref, 2)]
        for _ in range(1, self.c.motion_levels):
            xs.append(F.avg_pool2d(xs[-1], 2))
            rs.append(F.avg_pool2d(rs[-1], 2))
        flow = None
        for level in reversed(range(self.c.motion_levels)):
            if flow is None:
                flow = self.motion[level](torch.cat([xs[level], rs[level]], 1))
            else:
                u = 2 * resize_bilinear(flow, xs[level].shape[2], xs[level].shape[3])
                flow = u + self.motion[level](torch.cat([xs[level], flow_warp(rs[level], u), u], 1))
        return flow

    def mv_encode(self, flow, rows):
        h = flow
        for c in self.mv_enc:
            h = leaky(c(h))
        return self.gain(self.mv_enc_out(h), self.mv_gain_enc, rows)

    def mv_decode(self, m_hat, rows):
        h = self.gain(m_hat, self.mv_gain_dec, rows)
        for c in self.mv_dec:
            h = leaky(F.pixel_shuffle(c(h), 2))
        return self.mv_dec_out(h)

    def context(self, ref, flow):
        f = self.feature1(leaky(self.feature0(F.pixel_unshuffle(ref, 2))))
        w = flow_warp(f, flow)
        features = w + self.context1(leaky(self.context0(w)))
        if not self.c.warped_reference:
            return features
        full = 2 * resize_bilinear(flow, ref.shape[2], ref.shape[3])
        return torch.cat([features, F.pixel_unshuffle(flow_warp(ref, full), 2)], 1)

    def frame_encode(self, x, ctx, rows):
        h = torch.cat([F.pixel_unshuffle(x, 2), ctx], 1)
        for c in self.frame_enc:
            h = leaky(c(h))
        return self.gain(self.frame_enc_out(h), self.frame_gain_enc, rows)

    def frame_prior_params(self, z, ctx):
        hyper = self.frame_hyper_dec(z)
        t = ctx
        for i, c in enumerate(self.temporal):
            t = c(t)
            if i < len(self.temporal) - 1:
                t = leaky(t)
        return self.frame_prior(leaky(self.frame_prior_fuse(torch.cat([hyper, t], 1))))

    def frame_decode(self, y_hat, ctx, rows):
        h = self.gain(y_hat, self.frame_gain_dec, rows)
        for c in self.frame_dec:
            h = leaky(F.pixel_shuffle(c(h), 2))
        h = leaky(self.generator_in(torch.cat([h, ctx], 1)))
        r = self.generator_res1(leaky(self.generator_res0(h)))
        h = leaky(h + r)
        return F.pixel_shuffle(self.generator_out(h), 2)


def gaussian_bits(v, scale):
    """RateTerms.gaussianBits: -log2(Phi((1/2 - |v|)/s) - Phi((-1/2 - |v|)/s)), s = max(scale, 0.11)."""
    s = torch.clamp(scale, min=MIN_SCALE)
    a = v.abs()
    u, l = (0.5 - a) / s, (-0.5 - a) / s
    p = 0.5 * torch.erfc(-u * (1 / math.sqrt(2))) - 0.5 * torch.erfc(-l * (1 / math.sqrt(2)))
    pf = p + (torch.clamp(p, min=LIKELIHOOD_FLOOR) - p).detach()  # floored, slope passed through
    return -torch.log2(pf)


def factorized_bits(z, log_scale):
    s = torch.ones_like(z) * torch.exp(log_scale).reshape(1, -1, 1, 1)
    return gaussian_bits(z, s).sum()


def noisy(x):
    return x + (torch.rand_like(x) - 0.5)


def round_st(x):
    return x + (torch.round(x) - x).detach()


def weighted_mse(a, b, lambdas):
    n, per = a.shape[0], a.shape[1] * a.shape[2] * a.shape[3]
    d = (a - b).square().sum(dim=3, keepdim=True).sum(dim=2, keepdim=True).sum(dim=1, keepdim=True)
    return (d * (lambdas / (per * n)).reshape(n, 1, 1, 1)).sum()


def psnr(a, b):
    mse = (a.clamp(0, 1) - b).double().square().mean().clamp(min=1e-12)
    return float(10 * torch.log10(1 / mse))


def code_p(net, x, ref, rows):
    """InterTrainer.codeP (stage 4)."""
    flow = net.flow(x, ref)
    m = net.mv_encode(flow, rows)
    zm = net.mv_hyper_enc(m)
    bits_zm = factorized_bits(noisy(zm), net.mv_hyper_log_scale)
    mean, scale = net.mv_prior(net.mv_hyper_dec(round_st(zm)))
    m_res = m - mean
    bits_m = gaussian_bits(noisy(m_res), scale).sum()
    flow_hat = net.mv_decode(round_st(m_res) + mean, rows)
    full = 2 * resize_bilinear(flow_hat, x.shape[2], x.shape[3])
    warped = flow_warp(ref, full)  # InterTrainer computes it in every stage (used by stage 1's loss)
    ctx = net.context(ref, flow_hat)
    y = net.frame_encode(x, ctx, rows)
    z = net.frame_hyper_enc(y)
    bits_z = factorized_bits(noisy(z), net.frame_hyper_log_scale)
    mean, scale = net.frame_prior_params(round_st(z), ctx)
    res = y - mean
    bits_y = gaussian_bits(noisy(res), scale).sum()
    x_hat = net.frame_decode(round_st(res) + mean, ctx, rows)
    return warped, bits_m, bits_zm, x_hat, bits_y, bits_z


def forward(net, frames, rows, lambdas, p_frames):
    """InterTrainer.forward (stage 4): the mean over the P-frames of lambda * MSE + bpp."""
    ref, total, stats = frames[0], None, [0.0, 0.0, 0.0, 0.0]
    for t in range(1, p_frames + 1):
        x = frames[t]
        _, bits_m, bits_zm, x_hat, bits_y, bits_z = code_p(net, x, ref, rows)
        pixels = x.shape[0] * x.shape[2] * x.shape[3]
        rate_m = (bits_m + bits_zm) * (1 / pixels)
        term = weighted_mse(x_hat, x, lambdas) + rate_m + (bits_y + bits_z) * (1 / pixels)
        total = term if total is None else total + term
        with torch.no_grad():  # what InterStepResult reports
            q = psnr(x_hat, x)
            stats[0] += q
            stats[1] += q - psnr(ref, x)
            stats[2] += rate_m.item()
            stats[3] += (bits_y.item() + bits_z.item()) / pixels
        ref = x_hat
    return total * (1 / p_frames)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--crop", type=int, default=128)
    ap.add_argument("--p-frames", type=int, default=6)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--serve", action="store_true", help="one timed step per 'step' line on stdin")
    ap.add_argument("--params-only", action="store_true", help="print the parameter count and exit")
    a = ap.parse_args()
    if a.crop % 64 != 0 or not 1 <= a.p_frames <= 6:
        sys.exit(f"crop {a.crop} must be a multiple of 64 and p-frames {a.p_frames} in 1...6")
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    net = InterNet()
    params = sum(p.numel() for p in net.parameters())
    if a.params_only:
        print(json.dumps({"params": params}))
        return
    opt = torch.optim.Adam(net.parameters(), lr=1e-4)
    # A fixed random GOP: the I-frame (first reference) and the P-frames, 8-bit levels as decoded video.
    frames = [torch.randint(0, 256, (a.batch, 3, a.crop, a.crop)).float() / 255 for _ in range(a.p_frames + 1)]
    rows = torch.randint(0, len(Config.lambdas), (a.batch,))
    lambdas = torch.tensor(Config.lambdas, dtype=torch.float32)[rows]

    def step():
        loss = forward(net, frames, rows, lambdas, a.p_frames)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        return loss.item()

    info = {"torch_version": torch.__version__, "threads": torch.get_num_threads(), "params": params}
    twin_timing.run(step, info, a.serve, a.warmup, a.steps)


if __name__ == "__main__":
    main()
