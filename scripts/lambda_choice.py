"""Shared by scripts/choose_*.py: per P-frame rate point, the setting whose GOPs minimise
lambda * MSE + bpp (MSE in [0, 1] from each row's PSNR, bpp from real bytes), summed over the
clips, from a dcvc-eval results.json whose methods are named dcvc-lambdaN and whose point labels
carry the setting."""
import json
import re


def choose(path, setting, psnr_key, column):
    """Prints each (lambda, setting)'s summed cost and per-clip figures, then the choice.
    setting: point label -> int; psnr_key: the row's PSNR field; column: the setting's name."""
    rows = json.load(open(path))["rows"]
    cost = {}  # (lambda, setting) -> [sum of J, clips, per-clip cells]
    for r in rows:
        m = re.fullmatch(r"dcvc-lambda(\d+)", r["method"])
        if not m or "error" in r:
            continue
        lam, value = int(m.group(1)), setting(r["point"])
        c = cost.setdefault((lam, value), [0.0, 0, []])
        c[0] += lam * 10 ** (-r[psnr_key] / 10) + r["bpp"]
        c[1] += 1
        c[2].append(f'{r["clip"]} {r["bpp"]:.4f} bpp {r[psnr_key]:.2f} dB')
    clips = max(c[1] for c in cost.values())
    print(f"lambda  {column}  J (sum over {clips} clips)  per clip: bpp, PSNR")
    choice = {}
    for lam in sorted({k[0] for k in cost}):
        best = None
        for (l2, value), (j, n, cells) in sorted(cost.items()):
            if l2 != lam or n != clips:
                continue
            print(f"{lam:6d}  {value:{len(column)}d}  {j:8.4f}  " + "; ".join(cells))
            if best is None or j < best[1]:
                best = (value, j)
        choice[lam] = best[0]
    print("choice: " + ", ".join(f"{lam} -> {v}" for lam, v in choice.items()))
    return choice
