#!/usr/bin/env bash
# Produces the raw figures of docs/results.md (issue #5's intra measurements) into runs/results/:
#   - the RD experiment eval/intra-rvq.json (f = 8 and f = 16, 1/2/4/6/8 levels, x265/x264),
#   - real bits per index per level with each index coding (dcvc-info on 8-level files),
#   - codebook usage per level on the evaluation clips (dcvc-train eval-vq),
#   - 720p encode/decode speed at 1 and 2 threads (run it on an otherwise idle machine).
# Needs `make data` and the release build. Takes about an hour on 2 cores.
# usage: scripts/results-intra.sh [rd] [bits] [usage] [speed]   (default: all four, in that order)
# MODELS="f8-perceptual f16-perceptual" measures bits and usage of other tokenizers (vqgan-<model>
# with its prior ctx-<model>; default "f8 f16").
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.build/release
[ -x "$BIN/dcvc-eval" ] || swift build -c release
out=runs/results
mkdir -p "$out"
clips="carphone bikes bigbuckbunny"
models="${MODELS:-f8 f16}"
parts="${*:-rd bits usage speed}"
want() { [[ " $parts " == *" $1 "* ]]; }

want rd && "$BIN/dcvc-eval" --config eval/intra-rvq.json

# Bits per index: the same 8-level indices coded without a learned prior, with the context prior,
# (f = 8 only) with the transformer baseline and, where it is installed, the temporal context prior.
want bits && for model in $models; do
  priors="none ctx-$model"
  [ "$model" = f8 ] && [ -f weights/prior-tf-f8.safetensors ] && priors="$priors tf-f8"
  [ -f "weights/prior-ctx-$model-temporal.safetensors" ] && priors="$priors ctx-$model-temporal"
  args=()
  for clip in $clips; do
    for prior in $priors; do
      f="$out/$clip-$model-$prior"
      "$BIN/dcvc-enc" "data/videos/$clip.mp4" -o "$f.dcv" -y --frames 32 --rvq-layers 8 --intra-period 1 \
        --model "vqgan-$model" --index-prior "$prior" 2> "$f.enc.log"
      "$BIN/dcvc-info" --json "$f.dcv" > "$f.json"
      args+=("$clip $prior=$f.json")
    done
  done
  python3 scripts/index_bits_table.py 256 "${args[@]}" > "$out/index-bits-$model.md"
done

# Codebook usage per level on the evaluation clips (first 32 frames).
want usage && for model in $models; do
  for clip in $clips; do
    "$BIN/dcvc-train" eval-vq --weights "weights/vqgan-$model.safetensors" --video "data/videos/$clip.mp4" \
      --frames 32 > "$out/usage-$model-$clip.txt"
  done
done

# 720p speed (first 8 frames), 8 levels, each model with its context prior and without a learned prior.
if want speed; then
  : > "$out/speed-720p.txt"
  for model in f8 f16; do
    for prior in auto none; do
      for threads in 1 2; do
        "$BIN/dcvc-enc" data/videos/bigbuckbunny.mp4 -o "$out/speed.dcv" -y --frames 8 --rvq-layers 8 \
          --model "vqgan-$model" --index-prior "$prior" --threads "$threads" 2>> "$out/speed-720p.txt"
        "$BIN/dcvc-dec" "$out/speed.dcv" -o "$out/speed.y4m" -y --threads "$threads" 2>> "$out/speed-720p.txt"
      done
    done
  done
  rm -f "$out/speed.y4m" "$out/speed.dcv"
fi
cat "$out"/index-bits-*.md "$out/speed-720p.txt" 2>/dev/null || true
