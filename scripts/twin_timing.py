"""Timing loop shared by the PyTorch twins of `dcvc-bench train` (torch_twin.py, torch_inter_twin.py).

run(step, info, serve, warmup, steps): with serve, prints `info` plus "ready" and then times one
step per "step" line read from stdin, answering {"t": seconds}; otherwise runs `warmup` untimed
steps and `steps` timed ones and prints `info` with the best and the median step time.
"""
import json
import sys
import time


def run(step, info, serve, warmup, steps):
    if serve:
        print(json.dumps(dict(info, ready=True)), flush=True)
        for line in sys.stdin:
            if line.strip() != "step":
                break
            t0 = time.perf_counter()
            step()
            print(json.dumps({"t": time.perf_counter() - t0}), flush=True)
        return
    for _ in range(warmup):
        step()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    times.sort()
    print(json.dumps(dict(info, torch_step_s=times[0], torch_median_s=times[len(times) // 2])))
