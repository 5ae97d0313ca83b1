#!/usr/bin/env bash
# Regenerates conformance/: intra and inter (I+P) test vectors coded with the shipped weights, and
# the MD5 of each decoded Y4M. Run after the weights change (the vectors name the weights by SHA-256).
# Hyperprior I-frame vectors (spec/hyperprior.md) are included when weights/intra-hyperprior.safetensors
# exists (dcvc-train hyperprior --export); without it they are left out. Likewise the DVC residual
# P-frame vectors (spec/inter-residual.md) need weights/inter-dvc.safetensors.
# BIN=.build/debug uses debug builds (the decoder's output does not depend on the build).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release}
[ -x "$BIN/dcvc-enc" ] || swift build -c release
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
out=conformance
mkdir -p "$out"
: > "$out/vectors.tsv.new"
# name  width height frames model levels index-prior intra-period lambda inter-model mv-lambda [synth_y4m.py options: pattern, range]
# (conformance/README.md says what each vector exercises; levels - for hyperprior I-frames; lambda:
# the P-frames' and hyperprior I-frames' rate point, - for all-intra RVQ streams; inter-model: the
# P-frames' model, - for all-intra streams; mv-lambda: --mv-lambda, - for the default)
vectors=$(cat <<'LIST'
intra-32x32-l4 32 32 1 vqgan-f8 4 none 1 - - -
intra-23x17-l1 23 17 2 vqgan-f8 1 none 1 - - -
intra-48x40-l8 48 40 1 vqgan-f8 8 none 1 - - -
intra-96x64-l3-ctx 96 64 1 vqgan-f8 3 ctx-f8 1 - - -
intra-75x49-l8-ctx 75 49 2 vqgan-f8 8 ctx-f8 1 - - -
intra-80x48-l4-f16ctx 80 48 1 vqgan-f16 4 ctx-f16 1 - - -
intra-192x96-l2-adaptive 192 96 1 vqgan-f8 2 none 1 - - - --pattern blocks
intra-512x256-l2-large 512 256 1 vqgan-f8 2 none 1 - - -
intra-70x38-l8-f16 70 38 2 vqgan-f16 8 none 1 - - -
intra-40x24-l2-full 40 24 2 vqgan-f8 2 none 1 - - - --range full
intra-1280x16-l1-bt709 1280 16 1 vqgan-f8 1 none 1 - - -
intra-1280x16-l1-bt709full 1280 16 1 vqgan-f8 1 none 1 - - - --range full
intra-48x32-l3-tf 48 32 1 vqgan-f8 3 tf-f8 1 - - -
intra-64x48-l2-perc 64 48 2 vqgan-f8-perceptual 2 ctx-f8-perceptual 1 - - -
intra-192x128-l3-f16perc 192 128 1 vqgan-f16-perceptual 3 ctx-f16-perceptual 1 - - -
intra-128x96-l3-temporal 128 96 3 vqgan-f8 3 ctx-f8-temporal 1 - - -
intra-96x64-l3-msedeep 96 64 1 vqgan-f8-mse-deep 3 ctx-f8-mse-deep 1 - - -
inter-75x49-l4-odd 75 49 3 vqgan-f8 4 none 0 1024 inter-dcvc -
inter-64x64-l2-gop8 64 64 11 vqgan-f8 2 none 9 256 inter-dcvc -
inter-96x64-l3-ctx 96 64 3 vqgan-f8 3 ctx-f8 0 512 inter-dcvc -
inter-80x48-l6-f16 80 48 3 vqgan-f16 6 none 0 2048 inter-dcvc -
inter-130x66-l4-blocks 130 66 2 vqgan-f8 4 none 0 2048 inter-dcvc - --pattern blocks
inter-64x48-l4-mv2048 64 48 3 vqgan-f8 4 none 0 256 inter-dcvc 2048
LIST
)
if [ -f weights/intra-hyperprior.safetensors ]; then
  vectors+=$'\n'$(cat <<'LIST'
hyper-64x64-l256 64 64 1 hyperprior - none 1 256 - -
hyper-75x49-l2048-odd 75 49 2 hyperprior - none 1 2048 - -
hyper-130x66-l1024-ip 130 66 3 hyperprior - none 0 1024 inter-dcvc - --pattern blocks
LIST
)
else
  echo "weights/intra-hyperprior.safetensors not found: no hyperprior vectors" >&2
fi
if [ -f weights/inter-dvc.safetensors ]; then
  vectors+=$'\n'$(cat <<'LIST'
dvc-75x49-l4-odd 75 49 3 vqgan-f8 4 none 0 1024 inter-dvc -
dvc-130x66-l3-blocks 130 66 5 vqgan-f8 3 none 0 256 inter-dvc - --pattern blocks
LIST
)
else
  echo "weights/inter-dvc.safetensors not found: no DVC (residual P-frame) vectors" >&2
fi
while read -r name w h n model levels prior period lambda inter mv synth; do
  # shellcheck disable=SC2086  # $synth is a list of options
  python3 scripts/synth_y4m.py "$w" "$h" "$n" "$tmp/$name.y4m" $synth
  rate=(); [ "$lambda" = - ] || rate=(--lambda "$lambda")
  layers=(); [ "$levels" = - ] || layers=(--rvq-layers "$levels")
  pmodel=(); [ "$inter" = - ] || pmodel=(--inter-model "$inter")
  mvrate=(); [ "$mv" = - ] || mvrate=(--mv-lambda "$mv")
  "$BIN/dcvc-enc" "$tmp/$name.y4m" -o "$out/$name.dcv" -y --intra-model "$model" "${layers[@]}" \
    --index-prior "$prior" --intra-period "$period" "${rate[@]}" "${pmodel[@]}" "${mvrate[@]}" --threads 1
  "$BIN/dcvc-dec" "$out/$name.dcv" -o "$tmp/$name.rec.y4m" -y --threads 1
  md5=$(md5sum "$tmp/$name.rec.y4m" | cut -d' ' -f1)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name.dcv" "$md5" "$w" "$h" "$n" "$model" "$levels" "$prior" \
    "$period" "$lambda" "$inter" "$mv" >> "$out/vectors.tsv.new"
done <<< "$vectors"
mv "$out/vectors.tsv.new" "$out/vectors.tsv"
cat "$out/vectors.tsv"
