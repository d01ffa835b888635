"""Put an uploaded (or CLI-added) file into the corpus, safely.

The name comes from the user's machine and is untrusted: it is reduced to a bare
file name that can only land inside ``settings.corpus_dir``. The content is
checked with the real loader before it appears under its final name, so the
corpus never holds a file the index build would choke on, and half-written
files are never visible (temp file + ``os.replace``).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path

from index.load import MB, LoadError, load_text, supported_exts, too_large_message, unsupported_message
from index.settings import Settings

MAX_NAME_BYTES = 200  # filesystems allow 255 bytes; a Chinese character takes 3
PART_PREFIX = ".upload-"
PART_SUFFIX = ".part"  # never matches a corpus glob like *.txt while being written
_WINDOWS_UNSAFE = re.compile(r'[<>:"|?*]')  # corpora get copied to Windows shares
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


class IntakeError(Exception):
    """An upload we refuse; ``str(err)`` is a plain-English reason for the CLI/UI."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def add_to_corpus(data: bytes, filename: str, settings: Settings) -> Path:
    """Store ``data`` in the corpus under a safe version of ``filename``; return the new path."""
    if len(data) > settings.max_upload_mb * MB:
        raise IntakeError(too_large_message(len(data), settings.max_upload_mb))
    if not data:
        raise IntakeError("file is empty")
    stem, ext = split_safe_name(filename)
    ext = ext or sniff_extension(data)
    if ext not in supported_exts(settings):
        raise IntakeError(unsupported_message(ext, settings))
    stem = stem or generated_stem(data)

    corpus = settings.corpus_dir.resolve()
    corpus.mkdir(parents=True, exist_ok=True)
    existing = find_same_content(corpus, data)
    if existing is not None:
        raise IntakeError(f"duplicate: the corpus already has this exact file as {existing.name}")
    target = free_name(corpus, stem, ext)
    if target.resolve().parent != corpus:  # belt and braces: sanitising should make this impossible
        raise IntakeError(f"refusing to write outside the corpus folder: {filename!r}")
    _write_checked(data, target, ext, settings)
    return target


# -------------------------------------------------------------------- names


def split_safe_name(raw: str) -> tuple[str, str]:
    """Reduce an untrusted name to (stem, lower-case extension); either may be empty."""
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]  # drops directories, ../, C:\ and /abs
    # Category C = control, format (bidi overrides like "txt.exe" spoofing, zero-width), unassigned.
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _WINDOWS_UNSAFE.sub("_", name).strip()
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem = stem.strip(" .")  # no hidden files, no ".." stems, nothing Windows would mangle
    if stem.lower() in _WINDOWS_RESERVED:
        stem = "_" + stem
    ext = f".{ext.strip().lower()}" if ext.strip() else ""
    stem = stem[:MAX_NAME_BYTES]
    while stem and len((stem + ext).encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return stem, ext


def generated_stem(data: bytes) -> str:
    return f"upload-{dt.datetime.now():%Y%m%d-%H%M%S}-{hashlib.sha256(data).hexdigest()[:8]}"


def sniff_extension(data: bytes) -> str:
    """Guess an extension for a nameless upload; the loader still validates the content."""
    head = data[:1024]
    if b"%PDF-" in head:
        return ".pdf"
    if head.startswith(b"PK\x03\x04"):
        return ".docx"
    if re.search(rb"<(!doctype html|html|body|p|div)[\s>]", head[:512].lower()):
        return ".html"
    return ".txt"


def free_name(corpus: Path, stem: str, ext: str) -> Path:
    # A same-named file with different content (e.g. a revised notice) is kept: number the new one.
    candidate, n = corpus / f"{stem}{ext}", 2
    while os.path.lexists(candidate):
        candidate, n = corpus / f"{stem}-{n}{ext}", n + 1
    return candidate


# ------------------------------------------------------------------ content


def find_same_content(corpus: Path, data: bytes) -> Path | None:
    digest = hashlib.sha256(data).digest()
    for path in sorted(corpus.iterdir()):
        if path.name.startswith(".") or path.is_symlink() or not path.is_file():
            continue
        if path.stat().st_size == len(data) and hashlib.sha256(path.read_bytes()).digest() == digest:
            return path
    return None


def _write_checked(data: bytes, target: Path, ext: str, settings: Settings) -> None:
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=PART_PREFIX, suffix=PART_SUFFIX)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            load_text(tmp, settings, ext=ext)  # refuse what the index build could not read
        except LoadError as err:
            raise IntakeError(f"cannot add {target.name}: {err.reason}") from None
        if os.path.lexists(target):  # someone took the name since free_name(); never overwrite
            raise IntakeError(f"a file named {target.name} appeared meanwhile — try again")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
