#!/usr/bin/env bash
# Installs the Debian packages the project builds and runs with. Idempotent: a no-op when present.
set -euo pipefail
# time: GNU time, with which dcvc-eval measures its child processes' peak memory.
pkgs=(libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libopenblas-dev libzstd-dev pkg-config time)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install-deps: installing ${missing[*]}" >&2
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
