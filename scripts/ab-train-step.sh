#!/usr/bin/env bash
# A/B of the P-frame model's training step (`dcvc-bench train --model inter`, ours only, no
# PyTorch twin) between two builds of dcvc-bench, run in the order A B B A per round so that a
# load drifting linearly over the run cancels (docs/training.md, "Winograd kernel transforms kept
# per optimizer step"). Prints each run's best and median s/step, its loss (equal builds give
# equal losses) and the process's user/system CPU seconds.
# Usage: scripts/ab-train-step.sh BASE_BENCH NEW_BENCH [ROUNDS] [STEPS]   (run it under withcpu)
set -euo pipefail
BASE=$1 NEW=$2 ROUNDS=${3:-2} STEPS=${4:-5}
run() {
  local label=$1 bin; bin=$([ "$label" = base ] && echo "$BASE" || echo "$NEW")
  /usr/bin/time -f "$label user %U s, sys %S s" "$bin" train --model inter --steps "$STEPS" --warmup 1 --no-torch 2>&1 \
    | grep -E '^ours:|user .* s, sys' | tr '\n' ' '
  echo
}
for _ in $(seq 1 "$ROUNDS"); do run base; run new; run new; run base; done
