#!/usr/bin/env python3
"""Markdown tables of an RD experiment's results.json (written by dcvc-eval), one per clip, and a
check that each of our methods' bpp and quality rise with the number of RVQ levels.

usage: results_tables.py runs/eval/intra-rvq/results.json
"""
import json
import sys


def fmt(v, spec):
    return "" if v is None else format(v, spec)


def main():
    rows = json.load(open(sys.argv[1]))["rows"]
    clips = []
    for r in rows:
        if r["clip"] not in clips:
            clips.append(r["clip"])
    failures = []
    for clip in clips:
        rs = [r for r in rows if r["clip"] == clip]
        r0 = rs[0]
        print(f"\n### {clip} ({r0['width']}x{r0['height']}, {r0['frames']} frames)\n")
        print("| method | point | bytes | bpp | PSNR RGB | PSNR YUV | SSIM | MS-SSIM | LPIPS | enc s | dec s |")
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in rs:
            if r.get("error"):
                print(f"| {r['method']} | {r['point']} | error: {r['error']} |||||||||")
                continue
            print(f"| {r['method']} | {r['point']} | {r['bytes']} | {r['bpp']:.4f} | {r['psnr_rgb']:.2f} | "
                  f"{r['psnr_yuv']:.2f} | {fmt(r.get('ssim'), '.4f')} | {fmt(r.get('msssim'), '.4f')} | "
                  f"{fmt(r.get('lpips'), '.4f')} | {r['encode_seconds']:.1f} | {r['decode_seconds']:.1f} |")
        for method in dict.fromkeys(r["method"] for r in rs if r["kind"] == "dcvc"):
            pts = sorted((r for r in rs if r["method"] == method and not r.get("error")),
                         key=lambda r: int(r["point"].lstrip("L")))
            for a, b in zip(pts, pts[1:]):
                for key, better in [("bpp", 1), ("psnr_rgb", 1), ("psnr_yuv", 1), ("msssim", 1)]:
                    if (b[key] - a[key]) * better <= 0:
                        failures.append(f"{clip} {method}: {key} does not rise from {a['point']} to {b['point']}")
    print("\nMonotonicity (bpp, PSNR RGB, PSNR YUV and MS-SSIM rise with the level count for every clip "
          "and model): " + ("yes" if not failures else "no: " + "; ".join(failures)))


if __name__ == "__main__":
    main()
