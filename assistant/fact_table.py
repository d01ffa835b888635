"""历年对比: one kind of notice fact laid out as years × levels, every value keeping the span it was read from.

Built from `index.facts_store.FactStore` (the facts of every notice in the committed snapshot). A
notice whose year or level is unknown lands in the 未知 row or column, never out of the table. A level
with notices of more than one region is split into one column per region (省级·福建省, 省级·浙江省 …).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from index.facts import Fact, NoticeFacts

UNKNOWN = "未知"
LEVELS = [("national", "全国"), ("provincial", "省级"), ("municipal", "市级"), ("county", "县级")]
# fact kind → its label in the chooser
KINDS = {"theme": "活动主题", "slogans": "口号", "co_issuers": "联合发文部门/数量", "deadlines": "截止时间",
         "period": "活动时间"}


@dataclass
class CellValue:
    """One value shown in a cell, cited to its span."""
    text: str
    doc_id: str
    start: int
    end: int
    detail: bool = False  # a secondary value (a listed department under the count), shown folded


@dataclass
class Entry:
    """What one notice says for the chosen fact."""
    notice: NoticeFacts
    items: list[CellValue] = field(default_factory=list)


@dataclass
class FactTable:
    kind: str
    years: list[str]  # row labels: "2025", …, "未知"
    columns: list[tuple[str, str]]  # (key, label): ("national", "全国"), ("provincial|福建省", "省级·福建省"), ("未知", "未知")
    cells: dict[tuple[str, str], list[Entry]]  # (year label, column key) → notices with what they say

    def cell(self, year: str, column: str) -> list[Entry]:
        return self.cells.get((year, column), [])


def _item(text: str, fact: Fact, detail: bool = False) -> CellValue:
    return CellValue(text, fact.span.doc_id, fact.span.start, fact.span.end, detail)


def items_of(nf: NoticeFacts, kind: str) -> list[CellValue]:
    """The values of one fact kind in one notice, each with its span ([] when the notice does not state it)."""
    if kind in ("theme", "period"):
        fact = getattr(nf, kind)
        return [_item(" ".join(str(fact.value).split()), fact)] if fact else []
    if kind == "slogans":
        return [_item(" ".join(str(f.value).split()), f) for f in nf.slogans]
    if kind == "co_issuers":
        out = [_item(f"{nf.co_issuer_count.value}个部门", nf.co_issuer_count)] if nf.co_issuer_count else []
        listed = [_item(str(f.value), f, detail=bool(out)) for f in nf.co_issuers]
        return out + listed
    if kind == "deadlines":
        out = []
        for d in nf.deadlines:
            if d.by is None:
                continue  # a 报送 without a time is no deadline
            what = f"报送{d.what.value}" if d.what else "报送"
            to = f"（{d.to.value}）" if d.to else ""
            by = str(d.by.value)
            out.append(_item(f"{by}{'' if by.endswith(('前', '后')) else '前'}{what}{to}", d.by))
        return out
    raise ValueError(f"unknown fact kind: {kind}")


def _level_key(nf: NoticeFacts, split: set[str]) -> str:
    if nf.level not in dict(LEVELS):
        return UNKNOWN
    return f"{nf.level}|{nf.region}" if nf.level in split else nf.level


def build_table(notices: list[NoticeFacts], kind: str) -> FactTable:
    """Every notice gets its place (a notice that does not state the fact leaves its cell 未写明)."""
    if kind not in KINDS:
        raise ValueError(f"unknown fact kind: {kind}")
    regions: dict[str, set[str]] = {}
    for nf in notices:
        regions.setdefault(nf.level, set()).add(nf.region or "")
    split = {lv for lv, rs in regions.items() if len(rs) > 1}
    cells: dict[tuple[str, str], list[Entry]] = {}
    for nf in notices:
        year = str(nf.year) if nf.year else UNKNOWN
        cells.setdefault((year, _level_key(nf, split)), []).append(Entry(nf, items_of(nf, kind)))
    columns = []
    for level, label in LEVELS:
        if level in split:
            columns += [(f"{level}|{r}", f"{label}·{r or '地区未知'}") for r in sorted(regions[level])]
        else:  # every level keeps its column, so tables of different facts line up
            columns.append((level, label))
    if any(key == UNKNOWN for _, key in cells):
        columns.append((UNKNOWN, UNKNOWN))
    known = sorted({y for y, _ in cells if y != UNKNOWN}, reverse=True)
    years = known + ([UNKNOWN] if any(y == UNKNOWN for y, _ in cells) else [])
    return FactTable(kind, years, columns, cells)
