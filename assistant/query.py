"""Question understanding: which year, level and place a staff member's question is about.

Reads 2025年 / 25年 / 今年 / 去年, 国家/全国/总局, 省里/省局/全省, 市里, 县里/我们县 and
place names. 今年 and 去年 are read against `settings.retrieval.today` so evaluations can
fix the date.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from index.gazetteer import find_places

LEVEL_WORDS = [
    ("national", r"全国|国家|总局|国务院|国市监"),
    ("provincial", r"省里|省局|全省|省级|本省|我省|省质量强省|省市场监管|省办"),
    ("municipal", r"市里|设区市|市级|地市"),
    ("county", r"县里|县级|我们县|本县|区县|县区|县（市、区）|县市区"),
]
_DOCUMENT_FACTS = re.compile(r"文号|发文|字号|印发|主送|抄送|成文|落款|标题|题目|叫什么|谁发|哪个单位发|哪个部门发|哪天发")
# counting the months since 1978 ("今年是全国第45届"), not asking for the national notice
_ORDINAL_MONTH = re.compile(r"全国第[几\d一二三四五六七八九十]+(?:个|届)")
_FORWARDED = re.compile(r"(?:转发|转载)[了的]?(?:国家|全国|总局|国务院|国市监)")
# "跟总局某某司联合搞的": a national department as a partner of what was done, not the level asked about
_PARTNER = re.compile(r"(?:跟|与|和|同|会同|联合)(?:国家)?(?:市场监管)?总局[\u4e00-\u9fa5]{1,8}?(?:司|局|中心)")
RELATIVE_YEARS = {"今年": 0, "本年": 0, "去年": -1, "上一年": -1, "前年": -2, "明年": 1}
_CN_DIGIT = str.maketrans("〇零一二三四五六七八九", "00123456789")


@dataclass
class QueryInfo:
    text: str
    years: list[int] = field(default_factory=list)
    level: str = ""  # set only when exactly one level is named
    levels: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    region_levels: list[str] = field(default_factory=list)
    level_named: bool = False  # the level comes from a level word (省里/全国…), not only from a place
    asks_document: bool = False  # about the document itself (文号, 发文机关, 主送, 成文日期, 标题): its 版头 answers

    @property
    def year(self) -> int | None:
        return self.years[0] if self.years else None


_NTH_ATTACHMENT = re.compile(r"第\s*([一二三四五六七八九十]|\d{1,2})\s*[个份]?附件")


def plain_wording(question: str) -> str:
    """Spoken forms rewritten as notices write them: "第3个附件" / "第二个附件" → "附件3" / "附件2"."""
    def nth(m: re.Match) -> str:
        n = m.group(1)
        return f"附件{n if n.isdigit() else '一二三四五六七八九十'.index(n) + 1}"
    return _NTH_ATTACHMENT.sub(nth, question)


# "22、24、25这三年" / "24、25两年": years listed before one 年
_YEAR_LIST = re.compile(r"((?:(?:20)?\d{2}[、，,和及与]){1,5}(?:20)?\d{2})(?:这|那)?[两三四五六几]?\s*年")


def parse_years(text: str, today: dt.date) -> list[int]:
    found: list[tuple[int, int]] = []
    for m in _YEAR_LIST.finditer(text):
        for y in re.finditer(r"\d{2,4}", m.group(1)):
            found.append((m.start(1) + y.start(), int(y.group()) if len(y.group()) == 4 else 2000 + int(y.group())))
    for m in re.finditer(r"(?<!\d)(20\d{2})(?!\d)", text):
        found.append((m.start(), int(m.group(1))))
    for m in re.finditer(r"(?<![\d〔])(\d{2})\s*年(?!度?\d)", text):
        found.append((m.start(), 2000 + int(m.group(1))))
    for m in re.finditer(r"二[〇零]二[〇零一二三四五六七八九]", text):
        found.append((m.start(), int(m.group(0).translate(_CN_DIGIT))))
    for word, delta in RELATIVE_YEARS.items():
        for m in re.finditer(word, text):
            found.append((m.start(), today.year + delta))
    years: list[int] = []
    for _, year in sorted(found):
        if 2000 <= year <= 2100 and year not in years:
            years.append(year)
    return years


def parse_query(text: str, today: dt.date) -> QueryInfo:
    info = QueryInfo(text=text, years=parse_years(text, today))
    # "省里转发国家通知时的联系人": what was forwarded is not who is asked about
    own = _ORDINAL_MONTH.sub("", _PARTNER.sub("", text))  # a partner department names no level either
    subject = _FORWARDED.sub("转发", own)
    info.levels = [level for level, pattern in LEVEL_WORDS if re.search(pattern, subject)] \
        or [level for level, pattern in LEVEL_WORDS if re.search(pattern, own)]
    for place in find_places(text):
        info.regions.append(place.name)
        info.region_levels.append({"province": "provincial", "prefecture": "municipal"}.get(place.kind, "county"))
    info.level_named = bool(info.levels)
    info.asks_document = bool(_DOCUMENT_FACTS.search(text))
    if not info.levels and info.region_levels:
        info.levels = info.region_levels[:1]
    # a comparison ("国家和省里的主题") names several levels: boost none of them over the other
    info.level = info.levels[0] if len(info.levels) == 1 else ""
    return info
