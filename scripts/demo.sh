#!/usr/bin/env bash
# make demo: fetch the sample clip, encode it, decode it, and report size, bpp, PSNR and speed.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.build/release
CLIP=data/videos/carphone.mp4
FRAMES=${DEMO_FRAMES:-32}
LAYERS=${DEMO_RVQ_LAYERS:-4}
MODEL=${DEMO_MODEL:-vqgan-f8}

bash scripts/fetch-data.sh --only demo
[ -f "$CLIP" ] || { echo "demo: $CLIP is missing after make data" >&2; exit 1; }

if [ ! -f "weights/$MODEL.safetensors" ]; then
  echo "demo: built the tools and fetched $CLIP, but weights/$MODEL.safetensors is not there;"
  echo "demo: train it with dcvc-train (docs/training.md) and run make demo again."
  exit 0
fi

echo "demo: encoding the first $FRAMES frames of $CLIP: $MODEL I-frames at $LAYERS RVQ levels, DCVC P-frames (the defaults: intra period 32, lambda 1024)"
"$BIN/dcvc-enc" "$CLIP" -o demo.dcv -y --frames "$FRAMES" --rvq-layers "$LAYERS" --model "$MODEL"
"$BIN/dcvc-dec" demo.dcv -o rec.y4m -y
"$BIN/dcvc-info" demo.dcv | tail -n 3
"$BIN/dcvc-eval" compare "$CLIP" rec.y4m --frames "$FRAMES"
echo "demo: decoded video in rec.y4m"
