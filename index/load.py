"""Turn one file from the corpus into plain text, or say clearly why not.

Every format comes out in the same shape so the chunker needs no special
cases: one paragraph per line, table rows as one line with cells joined by
"\\t" (like the tables already in corpus/), "\\n" line endings, no control
characters. Markdown/heading markup is left alone: stripping it is the
cleaning step's job, not the loader's.

Format readers live in ``index.components`` (one module per third-party
library) and are imported lazily, so loading a .txt never pays for pypdf,
python-docx or bs4; they raise ``LoadError`` from index.errors.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from index.errors import LoadError  # noqa: F401 - callers import it from here too
from index.settings import Settings

MB = 1024 * 1024
FORMATS = {".txt": "txt", ".md": "md", ".docx": "docx", ".pdf": "pdf", ".html": "html", ".htm": "html"}
BINARY_FORMATS = ("docx", "pdf")  # their readers decode text themselves


@dataclass(frozen=True)
class LoadedText:
    text: str
    fmt: str  # txt / md / docx / pdf / html
    encoding: str  # detected charset for txt/md/html; "n/a" for docx/pdf (the container knows)


def unsupported_message(ext: str, settings: Settings) -> str:
    shown = ext[:20] or "(no extension)"
    return f"unsupported file type {shown} (supported: {', '.join(supported_exts(settings))})"


def too_large_message(size_bytes: int, limit_mb: int) -> str:
    return f"file too large: {size_bytes / MB:.0f} MB > {limit_mb} MB limit"


def supported_exts(settings: Settings) -> list[str]:
    # Both the settings and a reader must agree: settings can narrow the list, never widen it.
    return [ext.lower() for ext in settings.security.allowed_exts if ext.lower() in FORMATS]


def load_text(path: Path, settings: Settings, ext: str | None = None) -> LoadedText:
    """Read ``path`` as text. ``ext`` overrides the suffix (intake checks a ``.part`` temp file)."""
    path = Path(path)
    ext = (ext if ext is not None else path.suffix).lower()
    if ext not in supported_exts(settings):
        raise LoadError(unsupported_message(ext, settings))
    if not path.is_file():
        raise LoadError(f"file not found: {path}")
    size = path.stat().st_size
    if size > settings.security.max_file_mb * MB:  # before reading: never pull a huge file into memory
        raise LoadError(too_large_message(size, settings.security.max_file_mb))
    if size == 0:
        raise LoadError("file is empty")

    fmt = FORMATS[ext]
    if fmt in BINARY_FORMATS:
        raw_text, encoding = _read_container(path, fmt), "n/a"
    else:
        raw_text, encoding = decode_bytes(path.read_bytes())
        if fmt == "html":
            from index.components.html import read_html

            raw_text = read_html(raw_text)
    text = normalise(raw_text)
    if not text.strip():
        raise LoadError(_no_text_message(fmt))
    return LoadedText(text=text, fmt=fmt, encoding=encoding)


def _read_container(path: Path, fmt: str) -> str:
    if fmt == "docx":
        from index.components.word import read_docx

        return read_docx(path)
    from index.components.pdf import read_pdf

    return read_pdf(path)


def _no_text_message(fmt: str) -> str:
    return {
        "docx": "Word document contains no text",
        "html": "HTML page has no visible text",
        "pdf": "PDF has no text layer (scanned image?) — run OCR first",
    }.get(fmt, "file contains only whitespace")


# ---------------------------------------------------------------- decoding

_BOMS = (  # UTF-32 before UTF-16: the UTF-32-LE BOM starts with the UTF-16-LE one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Characters Chinese official text is made of; used to tell real GBK from bytes gb18030 happens to accept.
_COMMON_RANGES = (
    (0x20, 0x7E), (0xB7, 0xB7), (0xD7, 0xD7), (0x391, 0x3C9),  # ASCII, ·, ×, Greek
    (0x2000, 0x206F), (0x2160, 0x217F), (0x2190, 0x22FF), (0x2460, 0x24FF),  # punctuation, Ⅰ, arrows/maths, ①
    (0x2500, 0x25FF), (0x3000, 0x303F), (0x3200, 0x32FF), (0x3400, 0x4DBF),  # boxes/■, 。「」, ㈠, CJK ext A
    (0x4E00, 0x9FFF), (0xFF00, 0xFFEF), (0x20000, 0x3134F),  # CJK, fullwidth, CJK ext B+
)
_BINARY_HINT = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")  # C0/C1 controls other than \t\n\v\f\r
_BINARY_CONTROL_RATIO = 0.05


def decode_bytes(raw: bytes) -> tuple[str, str]:
    """Decode text bytes of unknown charset; reject binary. Returns (text, encoding name)."""
    text, encoding = _decode(raw)
    controls = len(_BINARY_HINT.findall(text, 0, 1_000_000))
    if controls > _BINARY_CONTROL_RATIO * min(len(text), 1_000_000):
        raise LoadError("file looks binary, not text (mostly control characters) — is the extension right?")
    return text, encoding


def _decode(raw: bytes) -> tuple[str, str]:
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(codec), codec
            except UnicodeDecodeError:
                raise LoadError(f"file starts with a {codec} byte-order mark but is not valid {codec}") from None
    if b"\x00" in raw:  # no BOM, so UTF-16/32 is ruled out: NUL means binary
        raise LoadError("file looks binary, not text (contains NUL bytes) — is the extension right?")
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    nearly = raw.decode("utf-8", errors="replace")
    if _is_damaged_utf8(nearly):
        return nearly, "utf-8"
    # Short GBK text is where statistical detectors guess wrong, so try the GB family explicitly.
    try:
        gb = raw.decode("gb18030")
        if _mostly_common_chars(gb):
            return gb, "gb18030"
    except UnicodeDecodeError:
        pass
    best = from_bytes(raw).best()
    if best is None:
        raise LoadError("cannot detect the text encoding (binary file?) — save it as UTF-8 and try again")
    return str(best), best.encoding


def _is_damaged_utf8(text: str) -> bool:
    # A UTF-8 file cut mid-character or with a stray byte: a few U+FFFD among plenty of good
    # non-ASCII. GBK read as UTF-8 is the opposite: nearly every Chinese character breaks.
    bad = text.count("\ufffd")
    good = sum(1 for ch in text[:200_000] if ord(ch) > 0x7F and ch != "\ufffd")
    return bad > 0 and bad * 200 < good


def _mostly_common_chars(text: str, threshold: float = 0.9) -> bool:
    sample = [ch for ch in text[:200_000] if ch not in "\n\r\t\x0c"]
    if not sample:
        return False
    good = sum(1 for ch in sample if any(lo <= ord(ch) <= hi for lo, hi in _COMMON_RANGES))
    return good >= threshold * len(sample)


# ------------------------------------------------------------ normalising

# Regexes rather than str.translate: on a 50 MB notice translate() takes seconds, a regex
# that rarely matches takes milliseconds.
_LINE_BREAKS = re.compile(r"[\x0b\x0c\x85\u2028]")  # vertical tab, page break, NEL, line separator
# Control characters (\t and \n are text), invisible characters that only confuse search, and
# bidi overrides that can hide or reorder text.
_INVISIBLE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufeff\u200b\u2060\u202a-\u202e\u2066-\u2069]")
_TRAILING_SPACE = re.compile(r"[ \u3000\xa0]+$", re.MULTILINE)  # not \t: a row may end with an empty cell
_MANY_BLANKS = re.compile(r"\n{3,}")


def normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2029", "\n\n")
    text = _LINE_BREAKS.sub("\n", text)
    text = _INVISIBLE.sub("", text)
    text = _TRAILING_SPACE.sub("", text)
    text = _MANY_BLANKS.sub("\n\n", text)
    return text.strip("\n")
