"""PDF text extraction — the only module that imports pypdf."""
from __future__ import annotations

import io
import logging
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import DependencyError, PyPdfError

from index.errors import LoadError

MAX_PAGES = 3000  # a notice is a few dozen pages; this only stops pathological files
MIN_TEXT_CHARS = 20  # below this a "text layer" is just a stamp or page number on a scan
NO_TEXT_LAYER = "PDF has no text layer (scanned image?) — run OCR first"
DAMAGED = "PDF is damaged (truncated or corrupt) and could not be read — re-save or re-export it"
# pypdf surfaces damage as whatever exception the bad bytes lead to.
READ_ERRORS = (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, IndexError)
ENCRYPTED = "encrypted PDF — remove the password (open it and save/print a copy without one) and add it again"

# pypdf logs every repair it makes to a broken file; that is noise for a CLI user.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def read_pdf(path: Path) -> str:
    data = Path(path).read_bytes()  # the loader has already capped the size
    if b"%PDF-" not in data[:1024]:
        raise LoadError("not a PDF file (no %PDF header) — is the extension right?")
    try:
        reader = _open(data)
        _unlock(reader)
        pages = reader.pages
        if len(pages) > MAX_PAGES:
            raise LoadError(f"PDF has too many pages ({len(pages)} > {MAX_PAGES})")
        texts = [_page_text(page) for page in pages]  # None where a page is too damaged
    except LoadError:
        raise
    except RecursionError:
        raise LoadError(DAMAGED + " (its objects refer to each other in a loop)") from None
    except READ_ERRORS as exc:
        raise LoadError(f"{DAMAGED} ({type(exc).__name__})") from None
    if texts and all(t is None for t in texts):
        raise LoadError(DAMAGED + " (no page could be read)")
    texts = [t for t in texts if t and t.strip()]
    if sum(len("".join(t.split())) for t in texts) < MIN_TEXT_CHARS:
        raise LoadError(NO_TEXT_LAYER)
    return "\n\n".join(texts)  # a page break is a paragraph break


def _open(data: bytes) -> PdfReader:
    # strict=False lets pypdf rebuild a broken cross-reference table by scanning the file.
    try:
        return PdfReader(io.BytesIO(data), strict=False)
    except READ_ERRORS:
        # A copy cut short loses its "%%EOF" tail, which pypdf cannot do without. Give it one
        # whose startxref points nowhere useful, so it rebuilds the table from the objects.
        return PdfReader(io.BytesIO(data + b"\nstartxref\n0\n%%EOF\n"), strict=False)


def _unlock(reader: PdfReader) -> None:
    """Open PDFs that only carry an owner password ("no printing"); refuse real passwords."""
    if not reader.is_encrypted:
        return
    try:
        opened = reader.decrypt("")
    except (DependencyError, PyPdfError, NotImplementedError):
        opened = 0  # e.g. AES without a crypto library: still "encrypted" to the user
    if not opened:
        raise LoadError(ENCRYPTED)


def _page_text(page) -> str | None:
    try:
        return page.extract_text() or ""
    except READ_ERRORS:
        return None  # one damaged page should not lose the rest of the notice
