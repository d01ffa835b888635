"""Place names (gazetteer.tsv): which region a notice or question is about, and its parent."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TSV = Path(__file__).with_name("gazetteer.tsv")


@dataclass(frozen=True)
class Place:
    name: str
    kind: str  # province | prefecture | county
    parent: str


@lru_cache(maxsize=1)
def _places() -> tuple[dict[str, Place], re.Pattern]:
    by_alias: dict[str, Place] = {}
    for row in TSV.read_text(encoding="utf-8").splitlines():
        if not row or row.startswith("#"):
            continue
        name, kind, parent, short = (row.split("\t") + [""] * 4)[:4]
        place = Place(name, kind, parent)
        for alias in [name] + [s for s in short.split(",") if s]:
            by_alias.setdefault(alias, place)
    # longest alias first so 永安市 wins over 永安, 三明市 over 三明
    pattern = re.compile("|".join(sorted(map(re.escape, by_alias), key=len, reverse=True)))
    return by_alias, pattern


def find_places(text: str) -> list[Place]:
    """Places named in `text`, in order of appearance, without repeats."""
    by_alias, pattern = _places()
    seen, out = set(), []
    for m in pattern.finditer(text or ""):
        place = by_alias[m.group(0)]
        if place.name not in seen:
            seen.add(place.name)
            out.append(place)
    return out


def lookup(name: str) -> Place | None:
    return _places()[0].get(name)


def province_of(name: str) -> str:
    place = lookup(name)
    while place and place.kind != "province" and place.parent:
        place = lookup(place.parent)
    return place.name if place and place.kind == "province" else ""
