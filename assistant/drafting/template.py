"""The shape of a local 质量月 plan, learned from a plan in the corpus or one the user supplies.

What is taken: the order and wording of the 一、 section headings (mapped to what each is for),
the attachments (口号, 计划安排表), the table's header, its rows (for the department roster
and for undated local activities), the addressee line and the 文号's prefix. The template's body
text is never copied: it belongs to another year.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from index.clean import clean_text
from index.headings import heading_label, heading_level
from index.gazetteer import find_places
from index.load import load_text
from index.metadata import extract_metadata
from index.patterns import DOC_NO

DEFAULT_HEADER = ["序号", "活动主题", "活动内容", "时间安排", "牵头部门", "协办单位", "备注"]
_SECTION_ROLES = [
    ("overview", r"总体要求|指导思想|工作目标|目标任务"), ("theme", r"主题"), ("time", r"时间"),
    ("tasks", r"活动内容|主要任务|工作内容|主要内容"), ("key", r"重点活动|活动安排|重点安排|主要活动"),
    ("org", r"组织领导|组织机构|领导小组"), ("req", r"要求|保障|措施"),
]
DEFAULT_SECTIONS = [("总体要求", "overview"), ("活动主题", "theme"), ("活动内容", "tasks"),
                    ("重点活动安排", "key"), ("有关要求", "req")]
ESSENTIAL = ["overview", "theme", "tasks", "key", "req"]


@dataclass
class Template:
    source: str = ""  # corpus file name or the user's path; "" for the built-in structure
    title: str = ""
    region: str = ""
    year: int | None = None
    issuer: str = ""
    doc_no: str = ""
    addressee: str = ""
    sections: list[tuple[str, str]] = field(default_factory=lambda: list(DEFAULT_SECTIONS))
    attachments: list[tuple[str, str]] = field(default_factory=lambda: [("活动口号", "slogans"),
                                                                      ("活动计划安排表", "schedule")])
    header: list[str] = field(default_factory=lambda: list(DEFAULT_HEADER))
    rows: list[dict] = field(default_factory=list)  # header → cell, plus "_line" (the raw row)
    section_lines: list[str] = field(default_factory=list)  # the section each row sits in (for citing)

    @property
    def doc_no_prefix(self) -> str:
        m = re.match(r"^(.+?)〔\d{4}〕", self.doc_no or "")
        return m.group(1) if m else ""

    def column(self, *words: str) -> str:
        for name in self.header:
            if any(w in name for w in words):
                return name
        return ""


def _role(heading: str) -> str:
    for role, words in _SECTION_ROLES:
        if re.search(words, heading):
            return role
    return "other"


def _fill_meta(lines: list[str], meta: dict) -> dict:
    """Title, issuer, place and year when the masthead reader found none (a draft of ours, whose
    起草说明 note sits above the masthead, or a plan pasted without its 版头)."""
    if not meta.get("doc_no"):  # "永市监质〔2025〕【待补】号" is no 文号 yet, but its prefix is the bureau's
        no = next((l for l in lines[:12] if re.match(r"^[\u4e00-\u9fa5]{1,12}〔\d{4}〕", l)), "")
        meta = {**meta, "doc_no": no}
    if meta.get("title") and meta.get("region"):
        return meta
    title = next((l for l in lines[:20] if re.search(r"关于.*(方案|通知)$", l)), "")
    issuer = title.split("关于")[0]
    places = find_places(issuer or title)
    year = re.search(r"(20\d{2})年", title)
    return {**meta, "title": meta.get("title") or title, "issuer": meta.get("issuer") or issuer,
            "region": meta.get("region") or (places[-1].name if places else ""),
            "year": meta.get("year") or (int(year.group(1)) if year else None)}


def parse_template(clean: str, meta: dict, source: str) -> Template:
    lines = [l.strip() for l in clean.split("\n") if l.strip()]
    meta = _fill_meta(lines, meta)
    t = Template(source=source, title=meta.get("title", ""), region=meta.get("region", ""), year=meta.get("year"),
                 issuer=meta.get("issuer", ""), doc_no=meta.get("doc_no", ""))
    for line in lines[:15]:
        if line.startswith("各") and line.endswith(("：", ":")):
            t.addressee = line
            break
    sections, attachments, in_list = [], [], False
    for line in lines:
        level = heading_level(line)
        if level == 0:
            break  # the attachments themselves start here
        if line.startswith(("附件：", "附件:")):
            in_list, line = True, line[3:].strip()
        if in_list:
            if m := re.match(r"^\d{1,2}[.．、]\s*(.+)$", line):
                title = m.group(1).strip()
                role = "slogans" if "口号" in title else "schedule" if re.search(r"安排|计划|表", title) else "other"
                attachments.append((title, role))
                continue
            in_list = False
        if level == 1 and not DOC_NO.search(line):
            heading = re.sub(r"^[一二三四五六七八九十]{1,3}、", "", heading_label(line)).strip()
            sections.append((heading, _role(heading)))
    if sections:
        t.sections = sections
    if attachments:
        t.attachments = attachments
    section, want_title = "", False  # "附件2 永安市…计划安排表", as the index names the section
    for line in lines:
        if heading_level(line) == 0:
            section, want_title = re.sub(r"\s+", "", line), True
            continue
        if want_title and "\t" not in line:
            section, want_title = f"{section} {line}", False
            continue
        want_title = False
        if "\t" not in line:
            continue
        cells = [c.strip() for c in line.split("\t")]
        if not re.match(r"^\d", cells[0]):
            t.header = cells
            continue
        row = dict(zip(t.header, cells + [""] * (len(t.header) - len(cells))))
        row["_line"] = line
        t.rows.append(row)
        t.section_lines.append(section)
    return t


def load_template(path: Path, settings, snapshot) -> Template:
    """A template from a corpus file name (read from the index) or any file the loaders read."""
    path = Path(path)
    name = path.name
    entry = snapshot.files.get(name) if snapshot is not None else None
    if entry is not None and (not path.exists() or path.resolve() == (settings.index.corpus_dir / name).resolve()):
        return parse_template(entry.clean_text, entry.meta, name)
    if not path.exists() and (settings.index.corpus_dir / path).exists():
        path = settings.index.corpus_dir / path
    clean = clean_text(load_text(path, settings).text)
    return parse_template(clean, extract_metadata(clean).as_dict(), str(path))


def default_template(snapshot, locality: str, year: int, level: str) -> Template:
    """The locality's own latest earlier plan; else the corpus plan nearest in level and year.

    Never a plan of a later year than the one asked for: its wording and rows would carry that later
    year's campaign into an earlier plan. A plan whose year is unknown is the last resort.
    """
    plans = [(name, e) for name, e in snapshot.files.items() if "方案" in e.meta.get("title", "")
             and int(e.meta.get("year") or 0) <= year]
    if not plans:
        return Template()
    want_level = "county" if level == "county" else "municipal"

    def rank(item):
        meta = item[1].meta
        own = meta.get("region") == locality
        py = int(meta.get("year") or 0)
        return (not own, not py, not (own and py < year), meta.get("level") != want_level, year - py)

    name, entry = min(plans, key=rank)
    return parse_template(entry.clean_text, entry.meta, name)
