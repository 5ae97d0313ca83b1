#!/usr/bin/env bash
# A/B of 720p P-frame encoding and decoding speed between two builds of dcvc-enc/dcvc-dec, run
# alternately (docs/evaluation.md, "Speed and memory at 720p"). Labels: base (BASE_DIR), new
# (NEW_DIR), newdef (NEW_DIR with DCVC_DEFAULT_MALLOC=1: glibc's malloc defaults). A P-frame's
# time is (wall time of 9 frames - of 1 frame) / 8, so start-up, model loading and the I-frame
# cancel. Also checks that all three write the same stream.
# Usage: scripts/ab-inter-speed.sh BASE_DIR NEW_DIR [ROUNDS] [VIDEO]   (from the repository root)
set -euo pipefail
BASE=$1 NEW=$2 ROUNDS=${3:-2} V=${4:-data/videos/bigbuckbunny.mp4}
W=$PWD/weights O=$(mktemp -d /tmp/ab-inter-speed.XXXXXX)
bin() { case $1 in base) echo "$BASE/$2";; *) echo "$NEW/$2";; esac; }
envs() { case $1 in newdef) echo DCVC_DEFAULT_MALLOC=1;; *) echo DCVC_AB_LABEL=$1;; esac; }
timed() { local t0 t1; t0=$(date +%s.%N); "$@"; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }
enc() { timed env $(envs $1) "$(bin $1 dcvc-enc)" "$V" -o $O/$1-$2.dcv -y --frames $2 --intra-period 16 --threads 2 --weights "$W" 2>/dev/null; }
dec() { timed env $(envs $1) "$(bin $1 dcvc-dec)" $O/new-9.dcv -o $O/dec.y4m -y --frames $2 --threads 2 --weights "$W" 2>/dev/null; }
perP() { echo "scale=3; 8 / ($1 - $2)" | bc; }
for r in $(seq 1 "$ROUNDS"); do
  for l in base new newdef; do a=$(enc $l 9); b=$(enc $l 1); echo "round $r $l: P encode $(perP $a $b) fps (9 frames ${a}s, 1 frame ${b}s)"; done
done
for l in base newdef; do cmp -s $O/$l-9.dcv $O/new-9.dcv || { echo "$l wrote another stream than new" >&2; exit 1; }; done
echo "streams identical ($(stat -c %s $O/new-9.dcv) bytes)"
for r in $(seq 1 "$ROUNDS"); do
  for l in base new newdef; do a=$(dec $l 9); b=$(dec $l 1); echo "round $r $l: P decode $(perP $a $b) fps (9 frames ${a}s, 1 frame ${b}s)"; done
done
rm -rf "$O"
