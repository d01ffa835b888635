"""Which notices govern a locality's plan for a year, read into paragraphs that know their role.

A unit is one notice: a corpus file, or a notice forwarded inside one (the 2022 Fujian file
carries the national notice as its 附件1; its chunks have their own level and 文号). Paragraphs
are rebuilt from the indexed chunks, so every paragraph keeps the section path it is cited by.

The theme, slogans, 活动时间 and 报送 deadline are taken from the notice facts read at ingest
(index/facts_store.py) when they state them, cited to the paragraph that holds the fact's span; the
older readers of the paragraphs below remain the fallback.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.facts import Fact, NoticeFacts
from index.facts_store import FactStore
from index.gazetteer import Place, lookup, province_of
from index.headings import heading_label, heading_level
from index.patterns import DOC_NO

LEVEL_RANK = {"municipal": 0, "provincial": 1, "national": 2}  # closest superior first
LEVEL_NAME = {"national": "国家", "provincial": "省", "municipal": "市", "county": "县"}

# Section-title words → what the paragraphs under it are for. Checked in this order, because
# "重点安排" is key activities while "活动重点" (2022 national) is the list of tasks.
_ROLE_WORDS = [
    ("slogans", r"口\s*号"), ("theme", r"主\s*题"), ("time", r"活动时间"), ("req", r"要求|保障"),
    ("key", r"重点安排|重点活动|主要活动"), ("tasks", r"活动内容|活动重点|活动安排|主要任务|工作内容|工作重点"),
    ("req", r"重视|组织|宣传|总结|报送|大局|动员|实效|领导"),
]
_SENT_END = tuple("。！？；：”）")
_ITEM_START = re.compile(r"(?<=[。！？；])(?=(?:\d{1,2}[.．、](?!\d))|（[一二三四五六七八九十]{1,3}）)")


@dataclass
class Para:
    text: str
    section: str
    role: str  # masthead | preamble | theme | time | tasks | key | req | closing | slogans | other
    unit: "GuidanceNotice" = field(repr=False)
    label: str = ""  # "（一）深化两个《纲要》贯彻落实" when the paragraph opens with its own heading

    @property
    def body(self) -> str:
        """The paragraph without its opening heading (and without list numbering)."""
        text = self.text
        if self.label and text.startswith(self.label):
            text = text[len(self.label):].lstrip("。：: ")
        return re.sub(r"^\d{1,2}[.．、]\s*", "", text)


@dataclass
class GuidanceNotice:
    source: str
    title: str
    issuer: str
    doc_no: str
    level: str
    region: str
    year: int
    paras: list[Para] = field(default_factory=list)
    part: bool = False  # forwarded inside another file: its sections sit under an 附件 label
    facts: NoticeFacts | None = field(default=None, repr=False)  # this notice's facts, when read at ingest
    clean: str = field(default="", repr=False)  # the file's cleaned text, which the facts' spans point into

    def role(self, *roles: str) -> list[Para]:
        return [p for p in self.paras if p.role in roles]

    @property
    def short(self) -> str:  # "省通知" — how the 送审 table and 备注 name it
        return LEVEL_NAME.get(self.level, "") + "通知"

    def citation_title(self) -> str:
        """《…》 with its issuer in front: 市场监管总局等《关于开展…的通知》."""
        title, issuer = self.title, self.issuer
        if issuer and title.startswith(issuer):
            title = title[len(issuer):]
        return f"{issuer}《{title}》" if issuer else f"《{title}》"

    def para_at(self, fact: Fact) -> Para | None:
        """The paragraph holding a fact's span: the one with the fact's whole line, else one with its value."""
        value = _flat(str(fact.value))
        start, end = fact.span.start, fact.span.end
        line = _flat(self.clean[self.clean.rfind("\n", 0, start) + 1:(self.clean.find("\n", end) + 1 or None)])
        holding = [p for p in self.paras if value and value in _flat(p.text)]
        return next((p for p in holding if line and (line in _flat(p.text) or _flat(p.text) in line)),
                    holding[0] if holding else None)

    def report_deadline(self) -> tuple[str, Para] | None:
        """(date, paragraph) of the 活动总结's 报送 deadline, from the facts (None when they give no date)."""
        for d in self.facts.deadlines if self.facts else []:
            if d.by and d.what and "总结" in str(d.what.value) and DATE.fullmatch(str(d.by.value)):
                if para := self.para_at(d.by):
                    return str(d.by.value), para
        return None

    @property
    def theme(self) -> str:
        if self.facts and self.facts.theme and self.para_at(self.facts.theme):
            return _spaces(str(self.facts.theme.value))
        for p in self.role("theme"):
            if p.body:
                return _spaces(p.body)
        for p in self.role("preamble"):
            if m := re.search(r"主题为“([^”]+)”", p.text):
                return _spaces(m.group(1))
        return slogan_list(self)[0]

    @property
    def time(self) -> str:
        return self.time_source()[0]

    def time_source(self) -> tuple[str, Para | None]:
        """The 活动时间 ("2025年9月", or "9月" from "定于9月…") and the paragraph saying it."""
        if self.facts and self.facts.period and (para := self.para_at(self.facts.period)):
            return str(self.facts.period.value).strip(), para
        for p in self.role("time"):
            if re.search(r"\d+月", p.body):
                return p.body.strip(), p
        for p in self.role("preamble"):
            if m := re.search(r"(?:定于|决定于)\s*((?:\d{4}年)?\d{1,2}月)", p.text):
                return m.group(1), p
        return "", None


DATE = re.compile(r"(?:\d{4}年)?\d{1,2}月\d{1,2}日")


def _spaces(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def slogan_list(unit: GuidanceNotice) -> tuple[str, list[str], str]:
    """(theme stated on the slogan page, slogans, section) of a unit's 口号 attachment."""
    theme, slogans, section, want_theme = "", [], "", False
    listed = unit.facts.slogans if unit.facts else []
    if listed and (first := unit.para_at(listed[0])):
        slogans, section = [_spaces(str(f.value)) for f in listed], first.section
    for p in unit.role("slogans"):
        section = p.section
        for line in p.text.split("\n"):
            line = line.strip()
            if m := re.match(r"^主\s*题\s*[：:]\s*(.*)$", line):
                theme, want_theme = _spaces(m.group(1)), not m.group(1).strip()
            elif want_theme and line and not re.match(r"^口\s*号", line):
                theme, want_theme = _spaces(line), False
            elif not listed and (m := re.match(r"^\d{1,2}[.．、]\s*(.+)$", line)):
                slogans.append(_spaces(m.group(1)))
    return theme, slogans, section


def _classify(section: str, part: bool) -> str:
    if section == "版头":
        return "masthead"
    path = section.split(" > ")
    if part:  # a forwarded notice: its root label is the attachment title, not a section
        path = path[1:]
    if not path or path == ["正文"]:
        return "preamble"
    for element in path:
        for role, words in _ROLE_WORDS:
            if re.search(words, element):
                return role
    return "other"


def _lines(text: str) -> list[str]:
    out = []
    for line in text.split("\n"):
        out.extend(s.strip() for s in _ITEM_START.split(line.strip()) if s.strip())
    return out


def _build_paras(unit: GuidanceNotice, records: list[dict], part: bool) -> None:
    last: Para | None = None
    for rec in records:
        section = rec["meta"]["section"]
        role = _classify(section, part)
        heading = section.split(" > ")[-1]
        for line in _lines(rec["text"]):
            level = heading_level(line)
            if level in (0, 1, 2) and line == heading_label(line) and heading.startswith(line.rstrip("…")):
                last = None  # a bare heading line: the section path already says it
                continue
            if (last and last.section == section and not last.text.endswith(_SENT_END) and level is None
                    and role not in ("slogans", "masthead")):
                last.text += line  # a paragraph cut by a chunk or page boundary
                continue
            label = heading_label(line) if level in (1, 2) else ""
            if role == "tasks" and level is None and not line.startswith("（"):
                para_role = "closing"  # "各设区市…要按照要求…" after the numbered tasks
            else:
                para_role = role
            last = Para(line, section, para_role, unit, label)
            unit.paras.append(last)


def _facts_for(notices: list[NoticeFacts], part_no: str) -> NoticeFacts | None:
    """The facts of the file's own notice (part_no "") or of the forwarded one with that 文号."""
    if not part_no:
        return next((nf for nf in notices if nf.part == "main"), None)
    forwarded = [nf for nf in notices if nf.part != "main"]
    return next((nf for nf in forwarded if _flat(nf.doc_no) == _flat(part_no)),
                forwarded[0] if len(forwarded) == 1 else None)


def notice_units(snapshot) -> list[GuidanceNotice]:
    """Every notice in the index, forwarded notices split out of the file that carries them."""
    units = []
    store = FactStore(snapshot)
    for name, entry in snapshot.files.items():
        meta = entry.meta
        groups: dict[str, list[dict]] = {}
        for cid in entry.chunk_ids:
            rec = snapshot.chunks[cid]
            groups.setdefault(rec["meta"].get("part_doc_no", ""), []).append(rec)
        for part_no, records in groups.items():
            m = records[0]["meta"]
            if part_no:
                label = records[0]["meta"]["section"].split(" > ")[0]
                title = re.sub(r"^附件\s*\d+\s*", "", label)
                issuer, _, rest = title.partition("《")
                title = rest.split("》")[0] if rest else title
                unit = GuidanceNotice(name, title, issuer, part_no, m.get("level", ""), m.get("region", ""),
                            int(m.get("year") or 0), part=True)
            else:
                unit = GuidanceNotice(name, meta.get("title", ""), meta.get("issuer", ""), meta.get("doc_no", ""),
                            meta.get("level", ""), meta.get("region", ""), int(meta.get("year") or 0))
            unit.facts, unit.clean = _facts_for(store.facts_of(name), part_no), entry.clean_text
            _build_paras(unit, records, bool(part_no))
            units.append(unit)
    return units


@dataclass
class Guidance:
    year: int  # asked for
    year_used: int  # the year whose notices were used
    units: list[GuidanceNotice]  # closest level first
    place: Place | None
    province: str
    parent: str  # the city above a county ("" for a city)

    @property
    def missing(self) -> bool:
        return self.year != self.year_used

    @property
    def sources(self) -> list[str]:
        return list(dict.fromkeys(u.source for u in self.units))


def select_guidance(units: list[GuidanceNotice], locality: str, year: int, level: str) -> Guidance:
    place = lookup(locality)
    province = province_of(locality) if place else ""
    parent = place.parent if place and level == "county" and place.kind == "county" else ""

    def governs(u: GuidanceNotice) -> bool:
        if "方案" in u.title or not u.year:
            return False  # a plan is a template, not guidance
        if u.level == "national":
            return True
        if u.level == "provincial":
            return not province or u.region == province
        return u.level == "municipal" and bool(parent) and u.region == parent

    candidates = [u for u in units if governs(u)]
    years = sorted({u.year for u in candidates})
    if not years:
        return Guidance(year, year, [], place, province, parent)
    if year in years:
        used = year
    elif year > years[-1]:
        used = years[-1]
    else:
        earlier = [y for y in years if y < year]
        used = earlier[-1] if earlier else years[0]
    chosen = sorted((u for u in candidates if u.year == used), key=lambda u: LEVEL_RANK.get(u.level, 9))
    return Guidance(year, used, chosen, place, province, parent)


def references(unit: GuidanceNotice) -> list[tuple[str, str, str, Para]]:
    """Notices a preamble cites by 文号: [(issuer, 《title》 text, 文号, the citing paragraph)]."""
    found = []
    pattern = re.compile(r"((?:国家市场监督管理总局|市场监管总局)等\d+个?部门)?《([^《》]*?通知)》（([^（）]*?)）")
    for p in unit.role("preamble"):
        for m in pattern.finditer(p.text):
            if DOC_NO.fullmatch(m.group(3)):
                found.append((m.group(1) or "", m.group(2), m.group(3), p))
    return found
