"""Who leads and who assists each activity: the locality's department roster and the topic map.

Roster sources, in order:
1. ``--departments FILE``: UTF-8 text, one department per line, optionally followed by a TAB
   and comma-separated keywords that route activities to it::

       质量发展股
       特种设备安全监察股	特种设备,电梯,气瓶
       各市场监管所

   Lines starting with ``#`` are comments. A name starting with 各 (各市场监管所, 各县（市、区）
   市场监管局) is the usual co-organiser (协办单位) rather than a lead.
2. The locality's own earlier plan (its 计划安排表's 牵头部门 / 协办单位 columns).
3. A generic roster (assistant/departments.tsv's generic names), every name marked 【待补】
   because it is a guess at what the locality calls its offices.

An activity's topic is read from assistant/departments.tsv's keywords; the topic's name
fragments then pick the department out of the roster.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from assistant.drafting.template import Template

TSV = Path(__file__).resolve().parent.parent / "departments.tsv"
PLACEHOLDER = "【待补】"


@dataclass(frozen=True)
class Topic:
    name: str
    broad: bool
    generic: str
    lead: tuple[str, ...]
    assist: tuple[str, ...]
    keywords: tuple[str, ...]


@lru_cache(maxsize=1)
def topics() -> tuple[Topic, ...]:
    out = []
    for row in TSV.read_text(encoding="utf-8").splitlines():
        if not row.strip() or row.startswith("#"):
            continue
        name, generic, lead, assist, keywords = (row.split("\t") + [""] * 5)[:5]
        split = lambda s: tuple(w.strip() for w in s.split(",") if w.strip() and w.strip() != "-")
        out.append(Topic(name.lstrip("*"), name.startswith("*"), generic, split(lead), split(assist),
                         split(keywords)))
    return tuple(out)


def classify(text: str) -> str:
    """The topic an activity is about.

    Its first clause (its name) decides when it names a topic, else the whole text. Broad
    topics' hits count half and ties go to the specific topic, so 「组织“电梯安全宣传”等活动」
    is 特种设备 work, not general publicity. "quality" when nothing matches.
    """
    for part in (re.split(r"[，；。]", text)[0], text):
        best, best_key = "", (0.0, False)
        for t in topics():
            hits = sum(part.count(k) for k in t.keywords) * (0.5 if t.broad else 1.0)
            if hits and (hits, not t.broad) > best_key:
                best, best_key = t.name, (hits, not t.broad)
        if best:
            return best
    return "quality"


def topic(name: str) -> Topic:
    return next(t for t in topics() if t.name == name)


@dataclass
class Roster:
    names: list[str]
    keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)  # from a departments file
    co_default: str = ""
    origin: str = "generic"  # file | plan | generic
    source: str = ""

    @property
    def generic(self) -> bool:
        return self.origin == "generic"

    def _match(self, fragments: tuple[str, ...]) -> str:
        for frag in fragments:
            for name in self.names:
                if frag in name and not name.startswith("各"):
                    return name
        return ""

    def assign(self, topic_name: str, text: str) -> tuple[str, str]:
        """(牵头部门, 协办单位) for an activity of `topic_name` described by `text`."""
        t = topic(topic_name)
        if self.generic:
            lead = t.generic if t.generic not in ("", "-") else topic("quality").generic
            assist = topic("publicity").assist[0] if topic_name == "publicity" else ""
            return lead + PLACEHOLDER, (assist + PLACEHOLDER) if assist else self.co_default
        for name, words in self.keywords.items():  # the user's own routing wins
            if any(w in text for w in words):
                return name, self._co(name, t)
        lead = self._match(t.lead) or self._match(topic("quality").lead) or self._first_lead()
        return lead, self._co(lead, t)

    def _co(self, lead: str, t: Topic) -> str:
        assist = self._match(t.assist)
        return assist if assist and assist != lead else self.co_default

    def _first_lead(self) -> str:
        return next((n for n in self.names if not n.startswith("各")), self.names[0] if self.names else "")


def _split_names(cell: str) -> list[str]:
    return [n.strip() for n in re.split(r"[、，,；;/\s]+", cell or "") if n.strip() and n.strip() != "-"]


def roster_from_plan(template: Template) -> Roster | None:
    lead_col, co_col = template.column("牵头"), template.column("协办", "配合", "责任")
    if not template.rows or not lead_col:
        return None
    names, co_counts = [], Counter()
    for row in template.rows:
        for n in _split_names(row.get(lead_col, "")):
            names.append(n)
        for n in _split_names(row.get(co_col, "")) if co_col else []:
            names.append(n)
            co_counts[n] += 1
    names = list(dict.fromkeys(names))
    co = next((n for n, _ in co_counts.most_common() if n.startswith("各")), "")
    return Roster(names, co_default=co or (co_counts.most_common(1)[0][0] if co_counts else ""),
                  origin="plan", source=template.source)


def roster_from_file(path: Path, level: str) -> Roster:
    names, keywords = [], {}
    for line in Path(path).read_text(encoding="utf-8-sig").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, _, words = line.partition("\t")
        name = name.strip()
        names.append(name)
        if words.strip():
            keywords[name] = tuple(w.strip() for w in re.split(r"[,，、]", words) if w.strip())
    co = next((n for n in names if n.startswith("各")), "") or generic_units(level)
    return Roster(names, keywords, co, origin="file", source=str(path))


def generic_units(level: str) -> str:
    return "各县（市、区）市场监管局" if level == "city" else "各市场监管所"


def generic_roster(level: str) -> Roster:
    return Roster([t.generic for t in topics() if t.generic], co_default=generic_units(level))
