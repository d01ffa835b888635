"""Reading Word (.docx) — the one module of index/ that imports python-docx.

``read_docx`` gives paragraphs and tables in document order, tables as one tab-separated line per
row. Writing drafted plans is another concern and lives in assistant/components/word_writer.py.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import docx
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from index.errors import LoadError

# A .docx is a zip, and python-docx inflates parts without limits, so we check the
# zip directory first. zipfile never inflates past an entry's declared size, which
# makes the declared sizes a safe bound.
MAX_UNCOMPRESSED_BYTES = 300 * 1024 * 1024  # generous: embedded images barely compress
MAX_ENTRY_RATIO = 100  # real Word XML deflates ~5–30x; a bomb of zeros ~1000x
RATIO_CHECK_MIN_BYTES = 1024 * 1024  # tiny parts can have silly ratios harmlessly
MAX_ENTRIES = 10_000
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc, and password-protected .docx

NOT_A_DOCX = "not a valid .docx (truncated or not a Word file)"


# ------------------------------------------------------------------ reading


def read_docx(path: Path) -> str:
    path = Path(path)
    check_docx_container(path)
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises many types for damaged packages
        raise LoadError(f"{NOT_A_DOCX}: {type(exc).__name__}") from None
    lines = []
    try:
        for block in document.iter_inner_content():
            if isinstance(block, Paragraph):
                lines.append(block.text)
            elif isinstance(block, Table):
                lines.extend(table_rows(block))
    except (ValueError, KeyError, IndexError, AttributeError) as exc:  # malformed table XML (gridSpan="two" …)
        raise LoadError(f"damaged .docx: a table in it cannot be read ({type(exc).__name__}); "
                        "open it in Word/WPS and save it again") from None
    return "\n".join(lines)


def check_docx_container(path: Path) -> None:
    """Refuse anything python-docx should not open: non-zips, other zips, zip bombs."""
    with path.open("rb") as fh:
        head = fh.read(len(OLE_MAGIC))
    if head == OLE_MAGIC:
        raise LoadError(
            "this is an old-format .doc or a password-protected Word file — "
            "open it in Word/WPS, remove any password and save as .docx"
        )
    if not zipfile.is_zipfile(path):
        raise LoadError(NOT_A_DOCX)
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise LoadError(NOT_A_DOCX) from None
    names = {entry.filename for entry in entries}
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        raise LoadError("not a Word document: the .docx is a zip archive without word/document.xml")
    if len(entries) > MAX_ENTRIES:
        raise LoadError(f"suspicious .docx (possible zip bomb): {len(entries)} parts")
    total = sum(entry.file_size for entry in entries)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise LoadError(f"suspicious .docx (possible zip bomb): unpacks to {total // 2**20} MB")
    for entry in entries:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > RATIO_CHECK_MIN_BYTES and ratio > MAX_ENTRY_RATIO:
            raise LoadError(
                f"suspicious .docx (possible zip bomb): {entry.filename} expands {ratio:.0f}x"
            )


def table_rows(table: Table) -> list[str]:
    rows = []
    for row in table.rows:
        # Keep one field per grid column so cells line up with the header row: rows that
        # start late get leading blanks, and a horizontally merged cell (python-docx yields
        # the same object once per spanned column) keeps its text only in its first column.
        cells = [""] * row.grid_cols_before
        previous = None
        for cell in row.cells:
            cells.append("" if cell is previous else cell_text(cell))
            previous = cell
        if any(cells):
            rows.append("\t".join(cells))
    return rows


def cell_text(cell: _Cell) -> str:
    # One row must stay one line, so a cell's paragraphs and nested tables join with spaces.
    parts = []
    for block in cell.iter_inner_content():
        if isinstance(block, Paragraph):
            parts.append(block.text)
        else:
            parts.extend(table_rows(block))
    text = " ".join(part.strip() for part in parts if part.strip())
    return " ".join(text.split())
