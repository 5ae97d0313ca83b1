#!/bin/sh
# Installs Debian's CPU build of PyTorch for `dcvc-bench train` (the PyTorch twin).
# Not part of `make test`. Debian's python3-torch runs under /usr/bin/python3, not a pyenv python.
set -eu
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    echo "python3-torch already installed: $(/usr/bin/python3 -c 'import torch; print(torch.__version__)')"
    exit 0
fi
apt-get update
apt-cache policy python3-torch
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-torch
/usr/bin/python3 -c 'import torch; print("torch", torch.__version__, "threads", torch.get_num_threads())'
