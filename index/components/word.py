"""Word (.docx) support — the only module that imports python-docx.

Reading: ``read_docx`` gives paragraphs and tables in document order, tables as
one tab-separated line per row. Writing functions (coming later) belong here
too, so python-docx stays behind this one door.
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


# ------------------------------------------------------------------ writing
#
# A small 公文 writer for drafted plans (GB/T 9704 layout, simplified): A4 with 公文 margins,
# body in 仿宋 三号 (16 pt) at a fixed 28 pt line pitch, 一、 headings in 黑体, （一） headings
# in 楷体, the title in 小标宋 二号. Chinese fonts go into w:eastAsia (python-docx's font.name
# only sets the Latin slots), and the font table names fallbacks through w:altName, so a PC
# without 仿宋_GB2312 shows 仿宋, then FangSong, instead of a default sans font.

from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.oxml import OxmlElement
from docx.shared import Cm, Pt, RGBColor

FANGSONG, HEITI, KAITI, XIAOBIAOSONG = "仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体"
FONT_FALLBACKS = {  # font → the name Word should try when it is not installed
    "仿宋_GB2312": "仿宋", "仿宋": "FangSong", "楷体_GB2312": "楷体", "楷体": "KaiTi",
    "黑体": "SimHei", "方正小标宋简体": "宋体", "宋体": "SimSun",
}
BODY_PT, TITLE_PT, TABLE_PT, LINE_PT = 16, 22, 12, 28
RED = RGBColor(0xC0, 0x00, 0x00)


def _set_font(target, name: str, size: float | None = None, bold: bool | None = None) -> None:
    """Set a run's or style's font in every slot, east-Asian included."""
    font = target.font
    font.name = name
    if size:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    rpr = target.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(slot), None)  # a theme font would win over the named one
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), name)


class GongwenDocument:
    """Build a .docx in 公文 layout; every python-docx call of the drafting feature lives here."""

    def __init__(self) -> None:
        self.doc = docx.Document()
        section = self.doc.sections[0]
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
        section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
        styles = self.doc.styles
        normal = styles["Normal"]
        _set_font(normal, FANGSONG, BODY_PT)
        fmt = normal.paragraph_format
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(LINE_PT)
        fmt.space_before = fmt.space_after = Pt(0)
        for name, font, size in (("Title", XIAOBIAOSONG, TITLE_PT), ("Heading 1", HEITI, BODY_PT),
                                 ("Heading 2", KAITI, BODY_PT)):
            style = styles[name]
            _set_font(style, font, size, bold=False)
            style.font.color.rgb = RGBColor(0, 0, 0)
            style.font.italic = False
            pf = style.paragraph_format
            pf.line_spacing_rule, pf.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(LINE_PT if size == BODY_PT else 36)
            pf.space_before = pf.space_after = Pt(0)
            pf.first_line_indent = Pt(BODY_PT * 2) if name != "Title" else None
            pf.alignment = WD_ALIGN_PARAGRAPH.CENTER if name == "Title" else WD_ALIGN_PARAGRAPH.LEFT
            pf.keep_with_next = True
        title_ppr = styles["Title"].element.get_or_add_pPr()
        for border in title_ppr.findall(qn("w:pBdr")):  # the default Title has a rule under it
            title_ppr.remove(border)
        self._add_font_fallbacks()

    def _add_font_fallbacks(self) -> None:
        from lxml import etree

        part = self.doc.part.part_related_by(RT.FONT_TABLE)
        root = etree.fromstring(part.blob)
        w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
        for name, alt in FONT_FALLBACKS.items():
            font = etree.SubElement(root, f"{{{w}}}font", {f"{{{w}}}name": name})
            etree.SubElement(font, f"{{{w}}}altName", {f"{{{w}}}val": alt})
            etree.SubElement(font, f"{{{w}}}charset", {f"{{{w}}}val": "86"})  # GB2312
            etree.SubElement(font, f"{{{w}}}family", {f"{{{w}}}val": "modern"})
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    # ---- blocks
    def _para(self, text: str = "", *, align=None, indent: bool = True, font: str = FANGSONG,
              size: float = BODY_PT, bold: bool = False, color: RGBColor | None = None):
        p = self.doc.add_paragraph()
        if align is not None:
            p.alignment = align
        p.paragraph_format.first_line_indent = Pt(BODY_PT * 2) if indent else Pt(0)
        if text:
            run = p.add_run(text)
            _set_font(run, font, size, bold)
            if color is not None:
                run.font.color.rgb = color
        return p

    def masthead(self, text: str) -> None:
        self._para(text, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, font=XIAOBIAOSONG, size=30, color=RED)
        self._para()

    def doc_number(self, text: str) -> None:
        self._para(text, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        self._para()

    def title(self, text: str) -> None:
        p = self.doc.add_paragraph(style="Title")
        _set_font(p.add_run(text), XIAOBIAOSONG, TITLE_PT)
        self._para()

    def heading(self, text: str, level: int = 1) -> None:
        p = self.doc.add_paragraph(style="Heading 1" if level <= 1 else "Heading 2")
        _set_font(p.add_run(text), HEITI if level <= 1 else KAITI, BODY_PT, bold=False)

    def paragraph(self, text: str, *, head: str = "", indent: bool = True, align: str = "") -> None:
        """Body text; `head` is an inline heading (（一）高度重视。) set in 楷体 before it."""
        where = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}.get(align)
        p = self._para(align=where, indent=indent)
        if head:
            _set_font(p.add_run(head), KAITI, BODY_PT)
        _set_font(p.add_run(text), FANGSONG, BODY_PT)

    def note(self, text: str) -> None:
        """A drafting note for the reviewer (missing notice, placeholders), in red."""
        self._para(text, indent=False, bold=True, color=RED, size=14)

    def page_break(self) -> None:
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def attachment(self, label: str, title: str, *, landscape: bool = False) -> None:
        """附件N on a new page (a new landscape section for a wide table), then its title."""
        if landscape:
            section = self.doc.add_section(WD_SECTION.NEW_PAGE)
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = Cm(29.7), Cm(21)
            section.top_margin, section.bottom_margin = Cm(2.8), Cm(2.6)
            section.left_margin, section.right_margin = Cm(3.7), Cm(3.5)
        else:
            self.page_break()
        self._para(label, indent=False, font=HEITI)
        p = self.doc.add_paragraph(style="Title")
        _set_font(p.add_run(title), XIAOBIAOSONG, 18 if landscape else TITLE_PT)

    def table(self, columns: list[str], rows: list[list[str]]) -> None:
        table = self.doc.add_table(rows=1, cols=len(columns))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, name in zip(table.rows[0].cells, columns):
            cell.text = ""
            run = cell.paragraphs[0].add_run(name)
            _set_font(run, HEITI, TABLE_PT)
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        for values in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, values):
                para = cell.paragraphs[0]
                para.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
                _set_font(para.add_run(value), FANGSONG, TABLE_PT)
        header = table.rows[0]._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")  # the header row repeats on every page
        repeat.set(qn("w:val"), "true")
        header.append(repeat)

    def save(self, path: Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.doc.save(str(path))
        return path
