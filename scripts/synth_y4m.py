#!/usr/bin/env python3
"""Writes a small synthetic 4:2:0 Y4M clip (moving gradients and a disc) for conformance vectors.

Usage: synth_y4m.py WIDTH HEIGHT FRAMES OUT.y4m   (standard library only; output is deterministic)
"""
import sys


def main():
    w, h, n, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    cw, ch = (w + 1) // 2, (h + 1) // 2
    with open(out, "wb") as f:
        f.write(b"YUV4MPEG2 W%d H%d F25:1 Ip A1:1 C420jpeg\n" % (w, h))
        for t in range(n):
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
            f.write(b"FRAME\n" + bytes(y) + u + v)


if __name__ == "__main__":
    main()
