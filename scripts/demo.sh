#!/usr/bin/env bash
# make demo: fetch the sample clip, encode it, decode it, and report size, bpp, PSNR and speed.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.build/release
CLIP=data/videos/carphone.mp4
FRAMES=${DEMO_FRAMES:-32}

bash scripts/fetch-data.sh --only demo
[ -f "$CLIP" ] || { echo "demo: $CLIP is missing after make data" >&2; exit 1; }

shopt -s nullglob
weights=(weights/*.safetensors)
if [ ${#weights[@]} -eq 0 ]; then
  echo "demo: built the tools and fetched $CLIP, but no model weights are shipped yet"
  echo "demo: (weights/ is empty: the I-frame models arrive with the VQGAN/RVQ work)."
  echo "demo: what works today: $BIN/dcvc-info FILE.dcv, and the media/container/coder libraries under make test."
  exit 0
fi

"$BIN/dcvc-enc" "$CLIP" -o demo.dcv -y --frames "$FRAMES" --rvq-layers 4
"$BIN/dcvc-dec" demo.dcv -o rec.y4m -y --reference "$CLIP"
"$BIN/dcvc-info" demo.dcv | tail -n 3
