"""Is a new file a revised copy of a notice already indexed? (≥ settings.index.near_duplicate_ratio alike)

Compared on the cleaned text: the share of characters both have in the same order (lines aligned
first, then the characters of changed lines). A copy with a changed deadline or theme is
flagged with its changed lines; next year's notice from the same office shares its boilerplate
but far less than 90%. `add` refuses a near-duplicate unless --force; the web upload calls
`index.intake.check_upload` to show the same diff.
"""
from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass, field

from index.settings import Settings
from index.snapshot import Snapshot


@dataclass
class NearDuplicate:
    existing: str  # corpus-relative name of the indexed notice
    title: str
    similarity: float  # 0..1, share of characters in equal lines
    diff: list[str] = field(default_factory=list)  # changed lines: "- 旧行" / "+ 新行"
    more: int = 0  # changed lines not shown

    def message(self) -> str:
        changed = len(self.diff) + self.more
        what = f"有 {changed} 行不同" if changed else "正文相同"
        return (f"近似重复：与已收录的 {self.existing}（{self.title or '无标题'}）"
                f"{int(self.similarity * 100)}% 相同，{what}")  # floor: 99.6% is not "100%"

    def diff_text(self) -> str:
        more = [f"……另有 {self.more} 行改动"] if self.more else []
        return "\n".join(self.diff + more)


def lines_of(clean: str) -> list[str]:
    return [line.strip() for line in clean.split("\n") if line.strip()]


def similarity(old: list[str], new: list[str], floor: float = 0.0) -> float:
    """Share of characters the two have in common, in order: lines are aligned first, then the
    characters of lines that replace each other (a date changed inside a long paragraph keeps the
    rest of that paragraph equal). 0.0 early when an upper bound is already below `floor`."""
    a_chars, b_chars = sum(map(len, old)), sum(map(len, new))
    total = a_chars + b_chars
    if not total or 2 * min(a_chars, b_chars) < floor * total:
        return 0.0
    # Cheap upper bound (characters both have, as often as both have them): most notices are
    # nothing alike, and the alignment below is the costly part.
    if floor and 2 * sum((Counter("".join(old)) & Counter("".join(new))).values()) < floor * total:
        return 0.0
    same = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            same += sum(map(len, old[i1:i2]))
        elif tag == "replace":
            for a, b in zip(old[i1:i2], new[j1:j2]):
                same += sum(m.size for m in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())
    return 2 * same / total


def changed_lines(old: list[str], new: list[str], limit: int) -> tuple[list[str], int]:
    out = [f"{d[0]} {d[1:]}" for d in difflib.unified_diff(old, new, lineterm="", n=0)
           if d[:1] in "+-" and not d.startswith(("---", "+++"))]
    return out[:limit], max(0, len(out) - limit)


def find_near_duplicate(clean: str, settings: Settings, snapshot: Snapshot | None = None) -> NearDuplicate | None:
    """The most similar indexed notice if it reaches the threshold, else None."""
    snapshot = snapshot if snapshot is not None else Snapshot.load(settings.index.index_dir)
    new = lines_of(clean)
    best: tuple[float, str] | None = None
    for name, entry in snapshot.files.items():
        score = similarity(lines_of(entry.clean_text), new, settings.index.near_duplicate_ratio)
        if score >= settings.index.near_duplicate_ratio and (best is None or score > best[0]):
            best = (score, name)
    if best is None:
        return None
    score, name = best
    entry = snapshot.files[name]
    diff, more = changed_lines(lines_of(entry.clean_text), new, settings.index.near_duplicate_diff_lines)
    return NearDuplicate(name, entry.meta.get("title", ""), score, diff, more)
