"""Notice facts: typed facts read off each notice at ingest, each with the span it was read from.

A file may hold more than one notice: a provincial notice forwarding the national one carries it
in full (after "（此件主动公开）" or under an 附件N whose title is a 通知). Each notice yields one
`NoticeFacts`; `part` is "main" for the file's own notice and "附件N" for a forwarded one.

Facts are read from the genre's cues (活动主题, 以“…”为主题, 口号, 附件, 牵头, 报送, 联系人 …),
never from per-file rules; what the text does not state stays None / [] (index/fact_readers.py reads
them and holds `extract_facts`; this module holds the types and how a file splits into notices).
Spans are offsets into the cleaned text (`index.clean.clean_text`), the text chunks are cut from.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, fields

from index.gazetteer import find_places
from index.headings import heading_level
from index.metadata import extract_metadata
from index.patterns import DATE_LINE, DOC_NO, PUBLIC_MARK

FACTS_VERSION = 2  # bump when extraction changes: stored facts of an older version are recomputed on read
MAIN = "main"


@dataclass(frozen=True)
class Span:
    doc_id: str
    start: int
    end: int

    def text(self, clean: str) -> str:
        return clean[self.start:self.end]


@dataclass
class Fact:
    value: object  # str, or int for counts
    span: Span
    how: str  # the cue it was read from, e.g. "heading:活动主题", "quote:以…为主题", "table:牵头部门"


@dataclass
class Activity:
    title: Fact | None = None
    content: Fact | None = None
    time: Fact | None = None
    lead: Fact | None = None
    co: Fact | None = None


@dataclass
class Deadline:
    what: Fact | None = None
    by: Fact | None = None
    to: Fact | None = None


@dataclass
class Contact:
    name: Fact | None = None
    phone: Fact | None = None
    email: Fact | None = None


@dataclass
class Reference:
    """A document the notice says it is based on (根据/按照/落实 《…》（文号））."""
    title: Fact | None = None
    doc_no: Fact | None = None
    issuer: Fact | None = None


@dataclass
class Attachment:
    number: str | None  # "1", "2" … or None for a single un-numbered 附件
    title: Fact
    present: bool  # whether the attachment's text is in the file
    at: Span | None = None  # where its text starts, when present


@dataclass
class NoticeFacts:
    doc_id: str
    part: str  # "main" or "附件N" for a forwarded notice inside the file
    title: str = ""
    doc_no: str = ""
    issuer: str = ""
    date: str = ""
    year: int | None = None
    level: str = ""
    region: str = ""
    kind: str | None = None  # notice | forwarding | plan | news
    theme: Fact | None = None
    period: Fact | None = None
    co_issuers: list[Fact] = field(default_factory=list)
    co_issuer_count: Fact | None = None
    slogans: list[Fact] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    based_on: list[Reference] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)

    def to_dict(self) -> dict:
        return _dump(self)

    @classmethod
    def from_dict(cls, data: dict) -> "NoticeFacts":
        return _load(cls, data)

    def facts(self) -> list[tuple[str, Fact]]:
        """Every Fact with its field name ("theme", "activities.lead", …), for listing and checks."""
        out: list[tuple[str, Fact]] = []
        for f in fields(self):
            _collect(f.name, getattr(self, f.name), out)
        return out


def _collect(name: str, value, out: list) -> None:
    if isinstance(value, Fact):
        out.append((name, value))
    elif isinstance(value, list):
        for item in value:
            _collect(name, item, out)
    elif isinstance(value, (Activity, Deadline, Contact, Reference, Attachment)):
        for f in fields(value):
            _collect(f"{name}.{f.name}", getattr(value, f.name), out)


# ---- JSON round trip (dataclasses → plain dicts and back, by field type)
_NESTED = {"theme": Fact, "period": Fact, "co_issuer_count": Fact, "co_issuers": [Fact], "slogans": [Fact],
           "activities": [Activity], "deadlines": [Deadline], "contacts": [Contact], "based_on": [Reference],
           "attachments": [Attachment], "span": Span, "at": Span}


def _dump(obj):
    if isinstance(obj, list):
        return [_dump(x) for x in obj]
    if hasattr(obj, "__dataclass_fields__"):
        return {f.name: _dump(getattr(obj, f.name)) for f in fields(obj)}
    return obj


def _load(cls, data):
    if data is None:
        return None
    kwargs = {}
    for f in fields(cls):
        if f.name not in data:
            continue
        raw, kind = data[f.name], _NESTED.get(f.name)
        if cls in (Activity, Deadline, Contact, Reference) or (cls is Attachment and f.name == "title"):
            kind = Fact
        if isinstance(kind, list):
            kwargs[f.name] = [_load(kind[0], x) for x in raw or []]
        elif kind is not None:
            kwargs[f.name] = _load(kind, raw)
        else:
            kwargs[f.name] = raw
    return cls(**kwargs)


# ---- splitting a file into its notices
@dataclass
class Line:
    start: int  # offset of the line in the cleaned text
    text: str
    index: int  # position among the file's lines


@dataclass
class Part:
    name: str
    lines: list[Line]
    meta: dict
    label: str = ""  # the attachment title naming a forwarded notice


def split_lines(clean: str) -> list[Line]:
    out, pos = [], 0
    for raw in clean.split("\n"):
        if raw.strip():
            lead = len(raw) - len(raw.lstrip())
            out.append(Line(pos + lead, raw.strip(), len(out)))
        pos += len(raw) + 1
    return out


def attachment_items(lines: list[Line]) -> list[tuple[str | None, Line, int]]:
    """The "附件：1. 标题 / 2. 标题" list: (number, line, offset of the title within the line)."""
    items, active = [], False
    for line in lines:
        text, offset = line.text, 0
        m = re.match(r"^附件\s*[：:]\s*", text)
        if m:
            active, offset = True, m.end()
            if not re.match(r"\d{1,2}\s*[.．、]", text[offset:]):
                if text[offset:].strip():
                    items.append((None, line, offset))
                active = False
                continue
        elif not active or not re.match(r"^\d{1,2}\s*[.．、]", text):
            active = False
            continue
        n = re.match(r"(\d{1,2})\s*[.．、]\s*", text[offset:])
        if n:
            items.append((n.group(1), line, offset + n.end()))
    return items


def _attachment_number(line: str) -> str | None:
    return re.sub(r"\D", "", line) if heading_level(line) == 0 else None


def split_parts(lines: list[Line], meta: dict) -> list[Part]:
    """The file's own notice, and each forwarded notice inside it with the metadata its label gives."""
    listed: dict[str, str] = {}
    for n, line, off in attachment_items(lines):
        if n and n in listed:
            break  # a second list is the forwarded notice's own
        if n:
            listed[n] = line.text[off:]
    forwarded: list[tuple[int, int, str, str]] = []  # (first line, end line, part name, label)
    i = 0
    while i < len(lines):
        text = lines[i].text
        start = label = None
        if PUBLIC_MARK.match(text) and i + 1 < len(lines) and heading_level(lines[i + 1].text) != 0:
            number = next((n for n, t in listed.items() if "通知" in t), None)
            if number:  # the forwarded notice follows the mark with no 附件N heading of its own
                start, name, label = i + 1, f"附件{number}", listed[number]
        elif (num := _attachment_number(text)) and i > 2 and i + 1 < len(lines) and "通知" in lines[i + 1].text:
            start, name, label = i, f"附件{num}", lines[i + 1].text
        if start is None:
            i += 1
            continue
        end = next((j for j in range(start + 1, len(lines)) if heading_level(lines[j].text) == 0), len(lines))
        forwarded.append((start, end, name, label))
        i = end
    taken = {k for s, e, _, _ in forwarded for k in range(s, e)}
    parts = [Part(MAIN, [l for l in lines if l.index not in taken], meta)]
    for s, e, name, label in forwarded:
        parts.append(Part(name, lines[s:e], _forwarded_meta(label, lines[s:e]), label))
    return parts


def _forwarded_meta(label: str, lines: list[Line]) -> dict:
    """A forwarded notice's metadata: from its label (国家…等21部门《…通知》（文号）), then its own 版头."""
    own = extract_metadata("\n".join(l.text for l in lines)).as_dict()
    title = re.search(r"《(.+?)》", label)
    meta = dict(own)
    meta["title"] = title.group(1) if title else (own["title"] or label)
    if no := DOC_NO.search(label):
        meta["doc_no"] = no.group(0)
    issuer = label[:title.start()].strip() if title else ""
    meta["issuer"] = issuer or own["issuer"]
    if year := re.search(r"(20\d{2})年", label):
        meta["year"] = int(year.group(1))
    meta["date"] = own["date"] or next((_iso(l.text) for l in lines if DATE_LINE.match(l.text)), "")
    if re.search(r"全国|国家|总局", label):
        meta["level"], meta["region"] = "national", "全国"
    elif places := find_places(issuer + meta["title"]):
        kinds = {"province": "provincial", "prefecture": "municipal", "county": "county"}
        meta["level"], meta["region"] = kinds.get(places[0].kind, ""), places[0].name
    return meta


def _iso(date_line: str) -> str:
    y, m, d = (int(g) for g in DATE_LINE.match(date_line).groups())
    return f"{y:04d}-{m:02d}-{d:02d}"


def notice_kind(title: str, part: Part) -> str | None:
    if part.name != MAIN:
        return "notice"
    if "转发" in title:
        return "forwarding"
    if "方案" in title:
        return "plan"
    if title.endswith("通知") or "通知" in title:
        return "notice"
    if not title and part.lines and re.match(r"^\d{1,2}月\d{1,2}日[，,]", part.lines[0].text):
        return "news"  # a report opening with its date: "9月1日，XX市启动…"
    return None


def facts_to_json(facts: list[NoticeFacts]) -> dict:
    """What a snapshot's file entry stores."""
    return {"version": FACTS_VERSION, "notices": [f.to_dict() for f in facts]}


def facts_from_json(data: dict | None) -> list[NoticeFacts] | None:
    """None when absent or of an older extraction version (the caller recomputes)."""
    if not data or data.get("version") != FACTS_VERSION:
        return None
    return [NoticeFacts.from_dict(d) for d in data.get("notices", [])]
