"""Place names of all China: which province, city or county a notice or question is about.

The divisions come from the official administrative-division codes that the pinned `cpca`
package carries (resources/adcodes.csv: adcode, name). Only that data file is read: cpca's own
code needs pandas and pyahocorasick, which nothing here uses. The adcode gives the hierarchy
(2 digits province, 4 prefecture, 6 county), so every place knows its parent.

A name counts only where it stands as a word: "政和" inside "行政和事业单位" or "永安" inside
"永安全" is no place. A match must start and end on jieba token boundaries of the text.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

# Rows of the code table that are groupings, not places.
_NOT_PLACES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", "省辖市", "直辖县"}
_PROVINCE_SUFFIX = re.compile(r"(?:壮族|回族|维吾尔)?(?:自治区|特别行政区|省|市)$")
_PREFECTURE_SUFFIX = re.compile(r"(?:市|地区|盟)$")
_COUNTY_SUFFIX = re.compile(r"(?:县|市|区|旗)$")
# the peoples named in autonomous prefectures' and counties' names (楚雄彝族自治州, 黔南布依族苗族自治州)
_ETHNIC = ("朝鲜族|土家族|布依族|哈尼族|景颇族|傈僳族|蒙古族|仡佬族|毛南族|仫佬族|达斡尔族|鄂温克族|鄂伦春族|拉祜族|佤族"
           "|纳西族|普米族|独龙族|怒族|保安族|东乡族|撒拉族|裕固族|塔吉克|锡伯|柯尔克孜|哈萨克|蒙古"
           "|苗族|藏族|羌族|彝族|侗族|壮族|傣族|白族|回族|瑶族|畲族|黎族|水族|土族|满族|各族")
# Short forms of counties that are ordinary words as well ("城关", "新城"): only the full name counts.
_COMMON_SHORT = set("城关 新城 新区 开发 高新 经济 矿区 郊区 市中 城中 城东 城西 城南 城北 中山 和平 长安 新华 "
                    "东风 红旗 白云 东山 西山 南山 北山 青山 前进 胜利 友谊 向阳 光明 建设 平安 安全 太平 "
                    "永定 新兴 兴业 清河 江南 江北 河东 河西 海港 铁东 铁西 立山 站前 西市 东区 西区 南区 北区 "
                    "吉利 民主 文明 团结 新市 上城 下城 宝山 金山 东港 五四".split())


@dataclass(frozen=True)
class Place:
    name: str
    kind: str  # province | prefecture | county
    parent: str  # the division one level up ("" for provinces)


def _code_table() -> Path:
    """adcodes.csv inside the installed cpca distribution, located without importing cpca."""
    dist = metadata.distribution("cpca")
    for f in dist.files or []:
        if f.name == "adcodes.csv":
            return Path(dist.locate_file(f))
    raise FileNotFoundError("cpca is installed without resources/adcodes.csv")


def short_names(name: str, kind: str) -> list[str]:
    """Forms people write without the suffix: 浙江 for 浙江省, 杭州 for 杭州市, 永安 for 永安市."""
    autonomous = re.match(r"(.+?)(?:" + _ETHNIC + r")+自治([州县])$", name)
    if autonomous:  # 楚雄彝族自治州 → 楚雄州, 楚雄; 长阳土家族自治县 → 长阳县, 长阳
        stem = autonomous.group(1)
        return [stem + autonomous.group(2)] + ([stem] if len(stem) >= 2 and stem not in _COMMON_SHORT else [])
    suffix = {"province": _PROVINCE_SUFFIX, "prefecture": _PREFECTURE_SUFFIX, "county": _COUNTY_SUFFIX}[kind]
    short = suffix.sub("", name)
    if kind == "province" and name.endswith("自治区"):
        short = re.sub(r"(?:壮族|回族|维吾尔)?自治区$", "", name)
    if short == name or len(short) < 2 or kind == "county" and short in _COMMON_SHORT:
        return []
    return [short]


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, list[Place]], re.Pattern]:
    by_code: dict[str, str] = {}
    rows = []
    with _code_table().open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code, name = row["adcode"], row["name"].strip()
            by_code[code] = name
            rows.append((code, name))
    by_alias: dict[str, list[Place]] = {}
    for code, name in rows:
        if name in _NOT_PLACES:
            continue
        province = by_code.get(code[:2] + "0" * 10, "")
        if code[2:] == "0" * 10:
            place = Place(name, "province", "")
        elif code[4:] == "0" * 8:
            place = Place(name, "prefecture", province)
        else:
            city = by_code.get(code[:4] + "0" * 8, "")
            place = Place(name, "county", city if city and city not in _NOT_PLACES else province)
        for alias in [name] + short_names(name, place.kind):
            by_alias.setdefault(alias, []).append(place)
    # higher divisions first, so an alias shared by a city and a county (吉林) reads as the larger one
    rank = {"province": 0, "prefecture": 1, "county": 2}
    for places in by_alias.values():
        places.sort(key=lambda p: rank[p.kind])
    pattern = re.compile("|".join(sorted(map(re.escape, by_alias), key=len, reverse=True)))
    return by_alias, pattern


def _boundaries(text: str) -> set[int]:
    from index.tokenize import cut  # jieba, loaded once; imported here to keep this module light

    edges, pos = {0, len(text)}, 0
    for tok in cut(text):
        pos += len(tok)
        edges.add(pos)
    return edges


# What follows a county's short name when it names the county ("岱山那次", "永安23年", "义乌的方案",
# "沙县市场监管局"); a short name that is also a common word ("惠民", "平和") is read as a place only so.
_AFTER_PLACE = re.compile(r"[那这的0-9今去前本全局县市区旗“《]|质量|市场|方案|计划|通知|文件|举办|举行|开展|启动|召开|在|多部门|多家|联合|组织"
                          r"|分局|融媒|日报|新闻|电视|发布|说|讲|提到|写|报道|那边|这边")  # a local outlet: "宜都融媒讯", "岱山新闻网"


_COORDINATION = re.compile(r"[和与跟及、，,]|以及")


def _reads_as_place(text: str, start: int, end: int, places: list[Place]) -> bool:
    before = text[max(0, start - 8):start]
    if any(p.parent and (p.parent in before or any(s in before for s in short_names(p.parent, "prefecture")))
           for p in places):
        return True  # "温州永嘉", "三明市永安"
    return bool(_AFTER_PLACE.match(text[end:end + 3]))


def place_spans(text: str) -> list[tuple[int, int, Place]]:
    """(start, end, place) of every place named as a word in `text`, in order."""
    by_alias, pattern = _table()
    matches = list(pattern.finditer(text or ""))
    if not matches:
        return []
    edges = _boundaries(text)
    found, doubtful = [], []
    for m in matches:
        name = m.group(0)
        full = any(p.name == name for p in by_alias[name])
        # a full name with its suffix (政和县) is a word even where jieba cuts it differently
        if full and len(name) >= 3 or m.start() in edges and m.end() in edges:
            if full or not all(p.kind == "county" for p in by_alias[name]) \
                    or _reads_as_place(text, m.start(), m.end(), by_alias[name]):
                found.append((m.start(), m.end(), by_alias[name]))
            else:
                doubtful.append((m.start(), m.end(), by_alias[name]))
    # a county's short name joined to a place by 和/与/、 is a place too ("商洛和宜都", "宜都、枝江的")
    sure = list(found)
    for a, b, places in doubtful:
        if any(_COORDINATION.fullmatch(text[b:a2]) or _COORDINATION.fullmatch(text[b2:a]) for a2, b2, _ in sure):
            found.append((a, b, places))
    found += _county_after_city(text, found, by_alias, pattern)
    found.sort(key=lambda span: span[0])
    # a name several divisions share (朝阳区) is the one under a place the text also names
    named = {p.name for _, _, places in found for p in places if len(places) == 1}
    out = []
    for a, b, places in found:
        place = next((p for p in places if p.parent in named or province_of(p.name) in named), places[0])
        suffix = text[b:b + 1]
        if place.kind == "county" and suffix in "县市区" and text[a:b] + suffix != place.name \
                and place.name[:-1] == text[a:b]:
            # a county made a city or district after the code table (射洪县 → 射洪市): the name as written
            place, b = Place(text[a:b] + suffix, place.kind, place.parent), b + 1
        out.append((a, b, place))
    return out


def _county_after_city(text: str, found: list, by_alias: dict, pattern: re.Pattern) -> list:
    """"济南市中区": the city's 市 also begins its county (市中区), which the city's match swallowed."""
    more = []
    for a, b, places in found:
        city = next((p for p in places if p.kind == "prefecture"), None)
        m = pattern.match(text, b - 1) if city and text[b - 1:b] == "市" else None
        county = [p for p in by_alias[m.group(0)] if p.parent == city.name] if m else []
        if county and m.end() - (b - 1) >= 3:
            more.append((b - 1, m.end(), county))
    return more


def find_places(text: str) -> list[Place]:
    """Places named in `text`, in order of appearance, without repeats."""
    seen, out = set(), []
    for _, _, place in place_spans(text):
        if place.name not in seen:
            seen.add(place.name)
            out.append(place)
    return out


def lookup(name: str) -> Place | None:
    """The division of that name; a county renamed since the code table was made (沙县 → 沙县区,
    射洪县 → 射洪市) is found under its other suffix."""
    by_alias = _table()[0]
    renamed = [name[:-1] + s for s in "县市区" if name[-1:] in "县市区" and s != name[-1]]
    for candidate in [name, name[:-1] if name.endswith("区") else ""] + renamed:
        places = by_alias.get(candidate) if candidate else None
        if places:
            return places[0]
    return None


def same_place(a: str, b: str) -> bool:
    """Two names of one division: as written and as in the code table (射洪市, 射洪县)."""
    if a == b:
        return True
    pa, pb = (lookup(a) if a else None), (lookup(b) if b else None)
    return pa is not None and pa == pb


def within(name: str, ancestor: str) -> bool:
    """`name` is a division under `ancestor` (麻章区 within 湛江市 and 广东省); a place is not within itself."""
    place, seen = (lookup(name) if name else None), 0
    while place and place.parent and seen < 3:
        if same_place(place.parent, ancestor):
            return True
        place, seen = lookup(place.parent), seen + 1
    return False


def province_of(name: str) -> str:
    place = lookup(name)
    while place and place.kind != "province" and place.parent:
        place = lookup(place.parent)
    return place.name if place and place.kind == "province" else ""


def short_names_of(name: str) -> list[str]:
    """The short forms of a known place's name (浙江省 → [浙江]); [] for an unknown name."""
    place = lookup(name)
    return short_names(place.name, place.kind) if place else []


_LEVEL_OF_KIND = {"province": "provincial", "prefecture": "municipal", "county": "county"}


def level_of(name: str) -> str:
    """The administrative level of a known place, in the catalogue's words (永安市 → county); "" if unknown."""
    place = lookup(name)
    return _LEVEL_OF_KIND.get(place.kind, "") if place else ""
