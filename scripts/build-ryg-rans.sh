#!/usr/bin/env bash
# Builds the ryg_rans peer for `dcvc-bench entropy --ryg-rans` (spec/entropy-coding.md §10).
#
# Usage: scripts/build-ryg-rans.sh [RYG_RANS_DIR] [OUT_DIR]
#   RYG_RANS_DIR  a checkout of https://github.com/rygorous/ryg_rans (public domain) or a bare
#                 git mirror of it; default: $RYG_RANS_DIR, else /work/.mirror/rygorous+ryg_rans/repo
#   OUT_DIR       scratch directory, default .build/peer (ignored by git; nothing here is committed)
# Copies ryg_rans's rans64.h and our harnesses scripts/peer/*.c into OUT_DIR and compiles them
# with `cc -O2`: ryg_rans64_bench (the table-driven peer) and softmax_rans64_bench (the §6 softmax
# in scalar C over rans64.h, the categorical-from-logits peer); prints the binaries' paths.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
src="${1:-${RYG_RANS_DIR:-/work/.mirror/rygorous+ryg_rans/repo}}"
out="${2:-$root/.build/peer}"
mkdir -p "$out"
if [ -f "$src/rans64.h" ]; then
    cp "$src/rans64.h" "$out/rans64.h"
elif git --git-dir="$src" rev-parse --verify -q HEAD >/dev/null; then
    git --git-dir="$src" show HEAD:rans64.h >"$out/rans64.h"
    git --git-dir="$src" rev-parse HEAD >"$out/ryg_rans.commit"
else
    echo "build-ryg-rans: no rans64.h in $src (clone https://github.com/rygorous/ryg_rans there)" >&2
    exit 1
fi
cp "$root/scripts/peer/peer_io.h" "$out/"
for harness in ryg_rans64_bench softmax_rans64_bench; do
    cp "$root/scripts/peer/$harness.c" "$out/"
    ${CC:-cc} -O2 -std=c11 -o "$out/$harness" "$out/$harness.c" -lm
    echo "$out/$harness"
done
