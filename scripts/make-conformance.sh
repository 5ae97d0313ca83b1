#!/usr/bin/env bash
# Regenerates conformance/: intra test vectors coded with the shipped weights, and the MD5 of each
# decoded Y4M. Run after the weights change (the vectors name the weights by SHA-256).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.build/release
[ -x "$BIN/dcvc-enc" ] || swift build -c release
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
out=conformance
mkdir -p "$out"
: > "$out/vectors.tsv.new"
# name  width height frames model levels index-prior [synth_y4m.py options: pattern, range]
# (conformance/README.md says what each vector exercises)
while read -r name w h n model levels prior synth; do
  # shellcheck disable=SC2086  # $synth is a list of options
  python3 scripts/synth_y4m.py "$w" "$h" "$n" "$tmp/$name.y4m" $synth
  "$BIN/dcvc-enc" "$tmp/$name.y4m" -o "$out/$name.dcv" -y --model "$model" --rvq-layers "$levels" \
    --index-prior "$prior" --threads 1
  "$BIN/dcvc-dec" "$out/$name.dcv" -o "$tmp/$name.rec.y4m" -y --threads 1
  md5=$(md5sum "$tmp/$name.rec.y4m" | cut -d' ' -f1)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name.dcv" "$md5" "$w" "$h" "$n" "$model" "$levels" "$prior" \
    >> "$out/vectors.tsv.new"
done <<'LIST'
intra-32x32-l4 32 32 1 vqgan-f8 4 none
intra-23x17-l1 23 17 2 vqgan-f8 1 none
intra-48x40-l8 48 40 1 vqgan-f8 8 none
intra-96x64-l3-ctx 96 64 1 vqgan-f8 3 ctx-f8
intra-75x49-l8-ctx 75 49 2 vqgan-f8 8 ctx-f8
intra-80x48-l4-f16ctx 80 48 1 vqgan-f16 4 ctx-f16
intra-192x96-l2-adaptive 192 96 1 vqgan-f8 2 none --pattern blocks
intra-512x256-l2-large 512 256 1 vqgan-f8 2 none
intra-70x38-l8-f16 70 38 2 vqgan-f16 8 none
intra-40x24-l2-full 40 24 2 vqgan-f8 2 none --range full
intra-1280x16-l1-bt709 1280 16 1 vqgan-f8 1 none
intra-1280x16-l1-bt709full 1280 16 1 vqgan-f8 1 none --range full
intra-48x32-l3-tf 48 32 1 vqgan-f8 3 tf-f8
LIST
mv "$out/vectors.tsv.new" "$out/vectors.tsv"
cat "$out/vectors.tsv"
