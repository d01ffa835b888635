"""Re-voicing higher-level text for the drafting locality, and judging whether an activity fits it.

The rules are data (voice.tsv): 各设区市 → 各市场监管所 / 各县（市、区）, 省局 → 局 / 市局,
全省 → 全市 …, plus markers of activities only a higher level runs. Official names inside
《》 and “” are never touched, so a quoted title or slogan stays exactly as issued.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from index.gazetteer import Place, find_places

TSV = Path(__file__).with_name("voice.tsv")
_PROTECTED = re.compile(r"《[^《》]*》|“[^“”]*”")
_SENTENCE = re.compile(r"(?<=[。！？；])")


@dataclass(frozen=True)
class Locality:
    name: str  # 永安市
    level: str  # county | city
    place: Place | None
    parent: str  # 三明市 for a county, "" for a city
    province: str

    @property
    def scope(self) -> str:
        """市 / 县 / 区: how the locality calls itself in 全市, 我县, 质量强区 …"""
        last = self.name[-1:] if self.name else ""
        return last if last in "市县区旗" else ("市" if self.level == "city" else "县")

    @property
    def bureau_name(self) -> str:
        if self.name.endswith("区") and self.parent and not self.name.startswith(self.parent[:2]):
            return f"{self.parent}{self.name}市场监督管理局"  # a district bureau carries its city's name
        return f"{self.name}市场监督管理局"

    @property
    def units(self) -> str:
        return "各县（市、区）市场监管局" if self.level == "city" else "各市场监管所"

    @property
    def units_short(self) -> str:
        return "各县（市、区）" if self.level == "city" else "各市场监管所"

    @property
    def bureau(self) -> str:
        return "市局" if self.level == "city" else "局"

    def fields(self) -> dict:
        return {"units": self.units, "units_short": self.units_short, "bureau": self.bureau, "scope": self.scope}


@lru_cache(maxsize=1)
def _rules() -> list[tuple[str, str, str, str]]:
    rules = []
    for row in TSV.read_text(encoding="utf-8").splitlines():
        if not row.strip() or row.startswith("#"):
            continue
        level, action, pattern, replacement = (row.split("\t") + ["", ""])[:4]
        rules.append((level, action, pattern, replacement))
    return rules


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.split(text) if s.strip()]


def normalise(text: str) -> str:
    """Half-width parentheses and stray spaces as the 2024 notice has them → 公文 style."""
    text = text.replace("(", "（").replace(")", "）")
    text = re.sub(r"(?<=[\u4e00-\u9fff])\s*and\s*(?=[\u4e00-\u9fff])", "和", text)  # OCR artefact (2022 notice)
    text = re.sub(r"(?<=[\u4e00-\u9fff，。、；：“”《》（）])\s+|\s+(?=[\u4e00-\u9fff，。、；：“”《》（）])", "", text)
    return text


# A province lists its special districts beside its cities ("各设区市、XX综合实验区…"): for a
# locality's own notice they are simply part of the higher level's addressees.
_SPECIAL_DISTRICTS = re.compile(r"各设区市、[\u4e00-\u9fa5]{2,10}?(?:综合实验区|新区|林区|开发区)")

_CITY_BUREAUS = re.compile(r"各设区市市场监(?:督管理|管)局")  # both spellings of the cities' bureaus


def localise(text: str, loc: Locality) -> str:
    """Apply the `sub` rules outside protected spans; collapse 质量强市、质量强市 style repeats."""
    text = normalise(text)
    fields = loc.fields()
    out = []
    for sentence in sentences(text) or [text]:
        sentence = _CITY_BUREAUS.sub("各设区市市场监管局", _SPECIAL_DISTRICTS.sub("各设区市", sentence))
        about_province = "省委" in sentence
        for level, action, pattern, replacement in _rules():
            if action != "sub" or level not in ("any", loc.level) or pattern not in sentence:
                continue
            if about_province and "省" in pattern and "设区市" not in pattern:
                continue
            sentence = _replace_outside(sentence, pattern, replacement.format(**fields))
        sentence = re.sub(r"([\u4e00-\u9fff]{2,8})、\1", r"\1", sentence)  # 质量强市、质量强市建设
        out.append(sentence)
    return "".join(out)


def _replace_outside(text: str, old: str, new: str) -> str:
    pieces, pos = [], 0
    for m in _PROTECTED.finditer(text):
        pieces.append(text[pos:m.start()].replace(old, new))
        pieces.append(m.group(0))
        pos = m.end()
    pieces.append(text[pos:].replace(old, new))
    return "".join(pieces)


def upper_only(text: str, loc: Locality) -> str:
    """The marker that makes `text` an activity for a higher level only, or ""."""
    for level, action, pattern, _ in _rules():
        if level not in ("any", loc.level):
            continue
        if action == "drop" and pattern in text:
            return pattern
        if action == "dropre" and (m := re.search(pattern, text)):
            return m.group(0)
    return ""


def foreign_place(text: str, loc: Locality) -> str:
    """A place named in `text` that is neither the locality nor above it (晋江市, 福州市 …)."""
    own = {loc.name, loc.parent, loc.province, "全国"}
    for place in find_places(text):
        # Full names only: short forms hide inside ordinary words (政和 in 行政和…).
        if place.name not in own and place.name in text:
            return place.name
    return ""


def bigrams(text: str) -> set[str]:
    chars = re.sub(r"[^\u4e00-\u9fff]", "", text)
    return {chars[i:i + 2] for i in range(len(chars) - 1)}


def similar(a: str, b: str, threshold: float = 0.55) -> bool:
    """Near-duplicate sentences (the provincial notice often repeats the national one)."""
    ba, bb = bigrams(a), bigrams(b)
    if not ba or not bb:
        return False
    return len(ba & bb) / min(len(ba), len(bb)) >= threshold
