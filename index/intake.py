"""Put an uploaded (or CLI-added) file into the corpus, safely.

The name comes from the user's machine and is untrusted: it is reduced to a bare
file name that can only land inside ``settings.index.corpus_dir``. The content is
checked with the real loader before it appears under its final name, so the
corpus never holds a file the index build would choke on, and half-written
files are never visible (temp file + ``os.replace``). The same checks as ingest run first
(per-file budget, index/budget.py), and a near-copy of an indexed notice is refused unless
forced (index/near_duplicate.py), so nothing lands that ingest would refuse or silently skip.
Files are created with the process umask, like any other file the user makes.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import secrets
import unicodedata
from pathlib import Path

from index.budget import BudgetError, check_chars, check_chunks
from index.catalogue import RESERVED
from index.chunk import chunk_notice
from index.clean import clean_text
from index.load import MB, LoadError, load_text, supported_exts, too_large_message, unsupported_message
from index.near_duplicate import NearDuplicate, find_near_duplicate
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


class NearDuplicateError(IntakeError):
    """The upload is a changed copy of an indexed notice; ``match.diff`` holds the changed lines."""

    def __init__(self, match: NearDuplicate):
        super().__init__(match.message())
        self.match = match


def add_to_corpus(data: bytes, filename: str, settings: Settings, *, force: bool = False) -> Path:
    """Store ``data`` in the corpus under a safe version of ``filename``; return the new path.

    ``force`` adds a near-duplicate of an indexed notice anyway (NearDuplicateError otherwise).
    """
    stem, ext = _checked_name(data, filename, settings)
    stem = stem or generated_stem(data)

    corpus = settings.index.corpus_dir.resolve()
    corpus.mkdir(parents=True, exist_ok=True)
    existing = find_same_content(corpus, data)
    if existing is not None:
        raise IntakeError(f"duplicate: the corpus already has this exact file as {existing.name}")
    target = free_name(corpus, stem, ext)
    if target.resolve().parent != corpus:  # belt and braces: sanitising should make this impossible
        raise IntakeError(f"refusing to write outside the corpus folder: {filename!r}")
    _write_checked(data, target, ext, settings, force)
    return target


def read_upload(data: bytes, filename: str, settings: Settings) -> str:
    """The cleaned text of an upload, after every check intake makes but the near-duplicate one."""
    _, ext = _checked_name(data, filename, settings)
    settings.index.corpus_dir.mkdir(parents=True, exist_ok=True)
    tmp = _write_part(data, settings.index.corpus_dir)  # hidden: ingest never reads it
    try:
        return _checked_text(tmp, ext, settings, filename)
    finally:
        tmp.unlink(missing_ok=True)


def _checked_name(data: bytes, filename: str, settings: Settings) -> tuple[str, str]:
    if len(data) > settings.security.max_upload_mb * MB:
        raise IntakeError(too_large_message(len(data), settings.security.max_upload_mb))
    if not data:
        raise IntakeError("file is empty")
    stem, ext = split_safe_name(filename)
    ext = ext or sniff_extension(data)
    if ext not in supported_exts(settings):
        raise IntakeError(unsupported_message(ext, settings))
    return stem, ext


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
    ext = f".{ext.strip().lower()}" if ext.strip() else ""
    if stem.lower() in _WINDOWS_RESERVED or (stem + ext).lower() in RESERVED:
        stem += "_"  # "CON_.txt": a plain name ingest indexes like any other (no "_" prefix: see ingest)
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


def _write_part(data: bytes, folder: Path) -> Path:
    """A hidden temp file holding `data`; os.open with 0o666 lets the umask decide its mode
    (mkstemp would force 0600, and os.replace keeps the mode for the final name)."""
    tmp = folder / f"{PART_PREFIX}{secrets.token_hex(8)}{PART_SUFFIX}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _write_checked(data: bytes, target: Path, ext: str, settings: Settings, force: bool) -> None:
    tmp = _write_part(data, target.parent)
    try:
        clean = _checked_text(tmp, ext, settings, target.name)
        if not force:
            match = find_near_duplicate(clean, settings)
            if match is not None:
                raise NearDuplicateError(match)
        if os.path.lexists(target):  # someone took the name since free_name(); never overwrite
            raise IntakeError(f"a file named {target.name} appeared meanwhile — try again")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _checked_text(path: Path, ext: str, settings: Settings, name: str) -> str:
    """Refuse what the index build could not read or would refuse for size; return the clean text."""
    try:
        clean = clean_text(load_text(path, settings, ext=ext).text)
        check_chars(clean, settings)
        n_chunks = len(chunk_notice(clean, settings.index.chunk_max_chars, settings.index.chunk_min_chars))
        if not n_chunks:
            raise LoadError("no text to index after cleaning")
        check_chunks(n_chunks, settings)
    except BudgetError as err:
        raise IntakeError(err.reason) from None
    except LoadError as err:
        raise IntakeError(f"cannot add {name}: {err.reason}") from None
    return clean


def check_upload(data: bytes, filename: str, settings: Settings) -> NearDuplicate | None:
    """For the web upload: the same check `add` makes, on an upload's bytes, before it is stored.

    Returns None when the file is no near-duplicate, or cannot be read (intake then says why).
    """
    try:
        clean = read_upload(data, filename, settings)
    except IntakeError:
        return None
    return find_near_duplicate(clean, settings)
