#!/usr/bin/env python3
"""Writes a small synthetic 4:2:0 Y4M clip for conformance vectors (standard library only;
the output is deterministic).

Usage: synth_y4m.py WIDTH HEIGHT FRAMES OUT.y4m [--pattern gradient|blocks] [--range full|limited]

  gradient (default): moving gradients and a disc.
  blocks: four flat quadrants with a moving flat square, so few distinct codes (the adaptive
          index mode wins).
  --range: adds FFmpeg's XCOLORRANGE tag (without it the range is unspecified, read as limited).
"""
import argparse


def gradient(w, h, n, t):
    cw, ch = (w + 1) // 2, (h + 1) // 2
    cx, cy, r2 = (w * (t + 2)) // (n + 3), h // 2, (min(w, h) // 3) ** 2
    y = bytearray()
    for j in range(h):
        for i in range(w):
            v = 40 + (150 * i) // max(w - 1, 1) + (30 * j) // max(h - 1, 1)
            if (i - cx) ** 2 + (j - cy) ** 2 < r2:
                v = 235 - v // 3
            y.append(min(max(v, 16), 235))
    u = bytes(min(240, 90 + (80 * i) // max(cw - 1, 1) + 3 * t) for j in range(ch) for i in range(cw))
    v = bytes(min(240, 160 - (60 * j) // max(ch - 1, 1)) for j in range(ch) for i in range(cw))
    return bytes(y) + u + v


def blocks(w, h, n, t):
    cw, ch = (w + 1) // 2, (h + 1) // 2
    # (Y, Cb, Cr) of the quadrants and of the square.
    quad = [(60, 110, 150), (180, 128, 128), (110, 160, 100), (200, 90, 140)]
    square = (30, 200, 60)
    side = min(w, h) // 3
    sx, sy = (w * (t + 1)) // (n + 3), h // 4

    def colour(i, j):
        if sx <= i < sx + side and sy <= j < sy + side:
            return square
        return quad[(1 if 2 * i >= w else 0) + (2 if 2 * j >= h else 0)]

    y = bytes(colour(i, j)[0] for j in range(h) for i in range(w))
    u = bytes(colour(2 * i, 2 * j)[1] for j in range(ch) for i in range(cw))
    v = bytes(colour(2 * i, 2 * j)[2] for j in range(ch) for i in range(cw))
    return y + u + v


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("width", type=int)
    ap.add_argument("height", type=int)
    ap.add_argument("frames", type=int)
    ap.add_argument("out")
    ap.add_argument("--pattern", choices=["gradient", "blocks"], default="gradient")
    ap.add_argument("--range", choices=["full", "limited"], default=None)
    a = ap.parse_args()
    tag = b"" if a.range is None else b" XCOLORRANGE=" + a.range.upper().encode()
    make = gradient if a.pattern == "gradient" else blocks
    with open(a.out, "wb") as f:
        f.write(b"YUV4MPEG2 W%d H%d F25:1 Ip A1:1 C420jpeg%s\n" % (a.width, a.height, tag))
        for t in range(a.frames):
            f.write(b"FRAME\n" + make(a.width, a.height, a.frames, t))


if __name__ == "__main__":
    main()
