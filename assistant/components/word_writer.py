"""Writing Word (.docx) — the one module of assistant/ that imports python-docx (reading is
index/components/word.py).

A small 公文 writer for drafted plans (GB/T 9704 layout, simplified): A4 with 公文 margins,
body in 仿宋 三号 (16 pt) at a fixed 28 pt line pitch, 一、 headings in 黑体, （一） headings
in 楷体, the title in 小标宋 二号, the page number (a PAGE field, “— 1 —”) in the footer.
Chinese fonts go into w:eastAsia (python-docx's font.name only sets the Latin slots), and the
font table names fallbacks through w:altName, so a PC without 仿宋_GB2312 shows 仿宋, then
FangSong, instead of a default sans font. 【待补…】 placeholders are highlighted yellow wherever
they occur, so a reviewer cannot overlook one.
"""
from __future__ import annotations

import re
from pathlib import Path

import docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_COLOR_INDEX, WD_LINE_SPACING
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
GREY = RGBColor(0x59, 0x59, 0x59)
PLACEHOLDER = re.compile(r"【待补[^】\n]*】")


def _add_text(p, text: str, font: str, size: float, bold: bool | None = None, color: RGBColor | None = None):
    """Runs for `text` in one paragraph; each 【待补…】 in it gets its own run, highlighted yellow."""
    at, runs = 0, []
    for m in list(PLACEHOLDER.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        pieces = [(text[at:end], False)] + ([(m.group(0), True)] if m else [])
        for piece, todo in pieces:
            if not piece:
                continue
            run = p.add_run(piece)
            _set_font(run, font, size, bold)
            if color is not None:
                run.font.color.rgb = color
            if todo:
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW
            runs.append(run)
        at = m.end() if m else at
    return runs


def _field(p, instruction: str, font: str, size: float) -> None:
    """A Word field (PAGE …) as begin/instrText/separate/result/end runs, the form every Word and WPS reads."""
    def run_with(tag: str, **attrs):
        run = p.add_run()
        _set_font(run, font, size)
        el = OxmlElement(tag)
        for k, v in attrs.items():
            el.set(qn(k), v)
        run._r.append(el)
        return el

    run_with("w:fldChar", **{"w:fldCharType": "begin"})
    instr = run_with("w:instrText", **{"xml:space": "preserve"})
    instr.text = f" {instruction} "
    run_with("w:fldChar", **{"w:fldCharType": "separate"})
    _set_font(p.add_run("1"), font, size)  # shown until the field is updated
    run_with("w:fldChar", **{"w:fldCharType": "end"})


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
        self._page_numbers(section)

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

    def _page_numbers(self, section) -> None:
        """“— 1 —” centred in the footer; later sections (the landscape 安排表) inherit the footer."""
        p = section.footer.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _set_font(p.add_run("— "), "宋体", 14)
        _field(p, "PAGE", "宋体", 14)
        _set_font(p.add_run(" —"), "宋体", 14)

    # ---- blocks
    def _para(self, text: str = "", *, align=None, indent: bool = True, font: str = FANGSONG,
              size: float = BODY_PT, bold: bool = False, color: RGBColor | None = None):
        p = self.doc.add_paragraph()
        if align is not None:
            p.alignment = align
        p.paragraph_format.first_line_indent = Pt(BODY_PT * 2) if indent else Pt(0)
        if text:
            _add_text(p, text, font, size, bold, color)
        return p

    def masthead(self, text: str) -> None:
        self._para(text, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, font=XIAOBIAOSONG, size=30, color=RED)
        self._para()

    def doc_number(self, text: str) -> None:
        self._para(text, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        self._para()

    def title(self, text: str) -> None:
        p = self.doc.add_paragraph(style="Title")
        _add_text(p, text, XIAOBIAOSONG, TITLE_PT)
        self._para()

    def heading(self, text: str, level: int = 1) -> None:
        p = self.doc.add_paragraph(style="Heading 1" if level <= 1 else "Heading 2")
        _add_text(p, text, HEITI if level <= 1 else KAITI, BODY_PT, bold=False)

    def paragraph(self, text: str, *, head: str = "", indent: bool = True, align: str = "",
                  marks: str = "") -> None:
        """Body text; `head` is an inline heading (（一）高度重视。) set in 楷体 before it, `marks` the
        paragraph's [S#] citation markers, set small and raised after it."""
        where = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}.get(align)
        p = self._para(align=where, indent=indent)
        if head:
            _add_text(p, head, KAITI, BODY_PT)
        _add_text(p, text, FANGSONG, BODY_PT)
        if marks:
            run = _add_text(p, marks, FANGSONG, 10, color=GREY)[0]
            run.font.superscript = True

    def basis(self, title: str, entries: list[tuple[str, str, str]]) -> None:
        """An appendix on a new page: `title`, then per entry its marker ([S3]) in 黑体, what it is for and
        where it comes from, and the quoted passage in 楷体."""
        self.page_break()
        p = self.doc.add_paragraph(style="Title")
        _add_text(p, title, XIAOBIAOSONG, TITLE_PT)
        self._para()
        for marker, where, quote in entries:
            p = self._para(indent=False)
            _add_text(p, marker + " ", HEITI, 14)
            _add_text(p, where, FANGSONG, 14)
            q = self._para(quote, indent=False, font=KAITI, size=12)
            q.paragraph_format.left_indent = Pt(28)
            q.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE

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
        _add_text(p, title, XIAOBIAOSONG, 18 if landscape else TITLE_PT)

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
                _add_text(para, value, FANGSONG, TABLE_PT)
        header = table.rows[0]._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")  # the header row repeats on every page
        repeat.set(qn("w:val"), "true")
        header.append(repeat)

    def save(self, path: Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.doc.save(str(path))
        return path
