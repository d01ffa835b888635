"""公文 metadata read off any cleaned notice, plan, letter or news report.

Title, issuer, 文号, date, year (and where the year was read), document kind, level and region.
Only what the text states is returned; an absent field stays empty rather than guessed, and the
catalogue shows it as unknown. Sources, most trusted first:
- a 政府信息公开 header block (索引号 / 发文字号 / 发布机构 / 成文日期 …) when the page has one;
- the 版头 (masthead): "XX文件", the 文号 standing alone on its line, the title;
- the 落款 date, a news dateline, the body.
Level and region come from the national gazetteer (index/gazetteer.py), never from a list of
places this corpus happens to hold.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from index.components.script import to_simplified
from index.gazetteer import Place, find_places, place_spans, province_of
from index.patterns import BYLINE, DATE_LINE, DOC_NO, FULL_DATE, NAVIGATION, YEAR, iso_date, normalise_doc_no

_TITLE_END = ("通知", "方案", "意见", "决定", "通报", "函", "公告", "倡议书", "通告", "计划", "要点", "的信")
_ISSUER_END = ("局", "办公室", "委员会", "厅", "部", "政府", "小组", "委", "院", "署", "会", "协会", "分会", "中心")
_HEADER_KEYS = ("索引号", "发文字号", "文号", "发布机构", "发文机关", "发文单位", "成文日期", "发文日期",
                "发布日期", "生成日期", "公开日期", "标题", "名称", "主题分类", "信息来源", "来源", "信息类别",
                "公开范围", "公开方式")
# a key follows a separator, or the digits of the value before it ("…2023-1828871发布机构:")
_HEADER_FIELD = re.compile(r"(?:^|(?<=[•·●|｜\s\d]))(" + "|".join(_HEADER_KEYS) + r")\s*[:：]\s*([^•·●|｜\n]*?)"
                           r"(?=\s*(?:[•·●|｜]|" + "|".join(_HEADER_KEYS) + r")\s*[:：]|\s*[•·●|｜]|$)", re.M)
_NATIONAL = re.compile(r"国家市场监督管理总局|市场监管总局|国家质检总局|国务院|^全国|^中国[\u4e00-\u9fa5]{1,12}协会")
_NEWS = re.compile(r"记者|通讯员|本报讯|网讯|讯[（(]|日电|^近日|^日前|新闻|报道|启动|举行|举办|召开|开展|走进|宣传活动"
                   r"|活动现场")



@dataclass
class NoticeMeta:
    title: str = ""
    issuer: str = ""
    doc_no: str = ""
    date: str = ""  # 成文日期 (or a report's dateline), ISO yyyy-mm-dd
    year: int | None = None  # the 质量月 year the document is about
    year_source: str = ""  # title | doc_no | date | body | file name
    kind: str = ""  # notice | plan | letter | report | other
    level: str = ""  # national | provincial | municipal | county
    region: str = ""  # 全国 / 浙江省 / 杭州市 / 永嘉县 …
    parent_region: str = ""  # the region one level up (永嘉县 → 温州市)

    def as_dict(self) -> dict:
        return asdict(self)


def header_fields(lines: list[str]) -> tuple[dict[str, str], int, int]:
    """Fields of a 政府信息公开 header block near the top, and the lines [first, used) it spans (a
    page may put its headline above the block)."""
    fields: dict[str, str] = {}
    first, used = 0, 0
    for i, line in enumerate(lines[:25]):
        line = re.sub(r"([:：])\s*[|｜]\s*", r"\1", line)  # a table row of cells: "名称: | 值 |"
        found = [(k, v.strip()) for k, v in _HEADER_FIELD.findall(line)]
        if not found:
            if fields and i - used > 2:
                break
            continue
        first = i if not fields else first
        used = i + 1
        for k, v in found:
            fields.setdefault(k, v)
    return (fields, first, used) if len(fields) >= 2 else ({}, 0, 0)


def masthead_lines(lines: list[str]) -> list[str]:
    """版头 lines: 发文机关, 文号, title, up to the 主送 line (…：) — not the body's first sentence."""
    head = []
    for line in lines[:15]:
        if "。" in line or re.match(r"^[一二三四五六七八九十]、", line):
            break
        head.append(line)
        if line.endswith(("：", ":")) and len(line) > 6:
            break
    return head


def _title(head: list[str], lines: list[str]) -> str:
    for i, line in enumerate(head):
        if len(line) > 90 or DOC_NO.fullmatch(line.replace(" ", "")):
            continue
        if "关于" in line or line.endswith(_TITLE_END):
            title = line
            if len(line) <= 5 and i > 0 and not re.search(r"[。：:！!？?]$", head[i - 1]) and len(head[i - 1]) <= 60:
                title = head[i - 1] + line  # "2024年…企业质量诚信" + "倡议书": the kind word on a line of its own
            # a title broken over two lines: "…关于组织开展" + "2025年“质量月”活动的通知"
            if not title.endswith(_TITLE_END) and i + 1 < len(head) and head[i + 1].endswith(_TITLE_END):
                title += head[i + 1]
            return _unspace(title)
    # a news report or web page: the headline among its first lines — a short line that is not a
    # sentence or site navigation, preferably one that names 质量月
    opening = []
    for line in lines[:10]:  # a headline stands before the body starts
        if "。" in line or re.match(r"^[一二三四五六七八九十]+、", line):
            break
        opening.append(line)
    # "栏目名|标题": a site's column and the headline share a line; a time stamp is no headline
    pieces = [p.strip() for line in opening for p in reversed(line.split("|"))]  # the headline comes last
    pieces = [_ORIGINAL_TITLE.sub(r"\1", p) for p in pieces]  # a reprint's "(原标题：…)" is the headline
    headlines = [line for line in pieces if 6 <= len(line) <= 60 and not line.endswith(("。", "：", ":"))
                 and not NAVIGATION.search(line) and not BYLINE.search(line) and not DATE_LINE.match(line)
                 and not re.match(r"^[一二三四五六七八九十]+、", line) and not re.search(r"[|\t]", line)
                 and not re.search(r"\d{4}-\d{1,2}-\d{1,2}\s*\d{1,2}:\d{2}", line)
                 and not DOC_NO.fullmatch(line.replace(" ", ""))]
    named = [line for line in headlines if "质量月" in line]
    return _unspace((named or headlines or [""])[0])


_ORIGINAL_TITLE = re.compile(r"^[（(]原标题[:：]\s*(.+?)[)）]$")


def _unspace(text: str) -> str:
    return re.sub(r"(?<=[\u4e00-\u9fa5“”]) (?=[\u4e00-\u9fa5“”])", "", text).strip()


def _issuer(title: str, head: list[str], lines: list[str]) -> str:
    for line in head:
        if line.endswith("文件") and len(line) <= 30:
            return line[: -len("文件")]
    for line, nxt in zip(head, head[1:]):
        # a letterhead: the organisation's name on its own line above the 文号
        if line.endswith(_ISSUER_END) and len(line) <= 30 and DOC_NO.fullmatch(nxt.replace(" ", "")):
            return line
    m = re.match(r"^(.{2,30}?)(?:关于|转发)", title)
    if m and m.group(1).endswith(_ISSUER_END):
        return m.group(1).strip()
    # 落款: the organisations just above the 成文日期 line (joint notices list several).
    for i, line in enumerate(lines):
        if FULL_DATE.fullmatch(line.replace(" ", "")) and i > 0:
            top = i - 1
            while top > 0 and _is_name_list(lines[top - 1]):
                top -= 1  # climb a multi-line list of co-issuers to its first name
            names = lines[top].split()
            if names and names[0].endswith(_ISSUER_END) and len(names[0]) <= 30:
                return names[0] + ("等" if len(names) > 1 or top < i - 1 else "")
            return ""
    return ""


def _is_name_list(line: str) -> bool:
    names = line.split()
    return len(names) >= 2 and all(len(n) <= 12 and not re.search(r"\d", n) for n in names)


def _own_doc_no(head: list[str]) -> str:
    """The 文号 standing alone on its line in the 版头 (one quoted in a sentence cites another notice)."""
    for line in head:
        compact = line.replace(" ", "").strip("()（）")  # a web page puts it in brackets under the title
        if DOC_NO.fullmatch(compact):
            return normalise_doc_no(compact)
    return ""


def _date(lines: list[str]) -> str:
    """The 落款 date standing alone on its line, else a news dateline opening the body."""
    for line in lines:
        if FULL_DATE.fullmatch(line.replace(" ", "")):
            return iso_date(line)
    for line in lines[:12]:
        m = FULL_DATE.match(line.replace(" ", ""))
        if m and len(line) > 12:
            return iso_date(m.group(0))
    return ""


def _body_year(text: str) -> int | None:
    """The year the body names beside 质量月 or with September, else the year it names most often."""
    m = re.search(r"((?:19|20)\d{2})\s*年(?:度)?(?:全国|全省|全市|全县|全区|[\u4e00-\u9fa5]{0,8})?[“\"]?质量月", text)
    if m:
        return int(m.group(1))
    m = re.search(r"((?:19|20)\d{2})\s*年\s*(?:9|九)\s*月", text)  # the month itself: "2022年9月，市质量办…"
    if m:
        return int(m.group(1))
    years = [int(y) for y in YEAR.findall(text[:3000]) if 2000 <= int(y) <= 2100]
    # a tie goes to the later year: a report looks back at last year's awards, not ahead
    return max(set(years), key=lambda y: (years.count(y), y)) if years else None


def _year(title: str, doc_no: str, date: str, body: str, file_name: str) -> tuple[int | None, str]:
    for source, text in (("title", title), ("doc_no", doc_no), ("date", date)):
        m = YEAR.search(text)
        if m:
            return int(m.group(1)), source
    year = _body_year(body)
    if year:
        return year, "body"
    m = YEAR.search(file_name)
    return (int(m.group(1)), "file name") if m else (None, "")


def _kind(title: str, doc_no: str, text: str) -> str:
    if re.search(r"(?:倡议书|的信|函|公开信)$", title):
        return "letter"  # judged by the title's last word: "关于请提供…活动安排的函" is a letter
    if re.search(r"方案|计划", title):
        return "plan"
    if re.search(r"通知|意见|决定|通告|公告|通报", title) or doc_no:
        return "notice"
    # a notice or plan without its 版头 says what it is in its own words
    if re.search(r"(?:通知|公告)如下|特此通知|现将有关事项通知", text):
        return "notice"
    if re.search(r"活动安排表|活动计划表|^序号[\t|｜ ]", text[:200], re.M):
        return "plan"
    if _NEWS.search(title) or _NEWS.search(text[:400]):
        return "report"
    return "other" if title else ""


_OWN_COUNTY = re.compile(r"我县|全县|县委|县政府")
_DATELINE = re.compile(r"^[^，。,\n]{0,16}?\d{1,2}月\d{1,2}日(?:电|消息|讯)\s*(?:[（(][^）)\n]{0,12}[）)])?", re.M)


def _first_place(text: str) -> Place | None:
    """The place a phrase is about: the first place named, or the deepest of a chain written
    together ("广东省徐闻县" → 徐闻县, "浙江省温州市永嘉县局" → 永嘉县)."""
    spans = place_spans(text)
    if not spans:
        return None
    end, place = spans[0][1], spans[0][2]
    for start, stop, nxt in spans[1:]:
        # a city bureau's district branch ("…局湖里分局") is of the district
        branch = re.fullmatch(r"市场监督管理局|市场监管局", text[end:start]) and text[stop:stop + 2] == "分局"
        if start != end and not branch:
            break
        end, place = stop, nxt
    return place


def _most_named(opening: str, text: str) -> Place | None:
    """The first place the opening names — unless the text keeps naming another one (a report of 井研
    opening with the provincial bureau that co-organised: "由四川省纤维检验局、乐山市…、井研县…联合开展")."""
    first = _first_place(opening)
    if first is None:
        return None
    counts: dict[str, tuple[int, Place]] = {}
    for _, _, place in place_spans(text):
        n, _ = counts.get(place.name, (0, place))
        counts[place.name] = (n + 1, place)
    n, most = max(counts.values(), key=lambda c: c[0], default=(0, first))
    return most if n >= 2 * counts.get(first.name, (1, first))[0] and n >= 3 else first


# a national event and where it was held ("全国…大会在某省某市隆重召开")
_NATIONAL_EVENT = re.compile(r"全国[^。，,；;]{0,40}?(?:活动|仪式|大会|会议|论坛)[^。；;]{0,20}?在(?P<venue>[^。，,]{2,16}?)"
                             r"(?:成功|隆重)?(?:举行|举办|召开|启动)")


def _level_and_region(title: str, issuer: str, body: str, source: str = "") -> tuple[str, str, str]:
    if _NATIONAL.search(issuer) or not issuer and (_NATIONAL.search(title) or "全国“质量月”" in title
                                                  and not find_places(title)):
        return "national", "全国", ""
    # a news report or letter without issuer: the first place its opening names
    opening = _DATELINE.sub("", body[:300])  # "人民网北京8月29日电": where the agency wrote, not what about
    # the page's 来源 field last: "来源：宜都融媒" names the place when the text says only 我市
    place = _first_place(issuer) or _first_place(title) or _most_named(opening, body[:800]) or _first_place(source)
    venue = _NATIONAL_EVENT.search(opening[:200])
    event = opening[:venue.start("venue")][-60:].split("。")[-1] if venue else ""  # the sentence up to 在
    if venue and not issuer and not find_places(title) and not find_places(event) \
            and place is not None and place.name[:2] in venue.group("venue"):
        return "national", "全国", ""  # "全国…仪式在某省某市举行": the place is where a national event was held
    if place is not None and place.kind == "prefecture" and _OWN_COUNTY.search(body[:800]):
        # "我县…": a county's own report, opening with its city's meeting ("廊坊市…会议后，固安县立即召开")
        counties = [p for p in find_places(body[:800]) if p.kind == "county" and p.parent == place.name]
        place = counties[0] if len({p.name for p in counties}) == 1 else place
    if place is None:
        # no place anywhere in the opening: a text about the national month ("全国“质量月”…总局…")
        if re.search(r"全省|省委|省政府|省直", body[:600]):
            # a provincial notice without its 版头 (it names 全国 too, as what it follows): its
            # province, when the text names only one
            provinces = {province_of(p.name) for p in find_places(body)} - {""}
            return "provincial", provinces.pop() if len(provinces) == 1 else "", ""
        named = find_places(body)
        cities = {p.name for p in named if p.kind == "province" and p.name.endswith("市")}
        if re.search(r"全市|我市|市委|市政府", body[:600]) and len(cities) == 1 and {p.name for p in named} <= cities:
            # a municipality's own text ("我市…全市16个区"), naming no place but that municipality
            return "provincial", cities.pop(), ""
        if re.search(r"我市|全市", body[:600]):
            return "municipal", "", ""  # a city's own report that never names the city
        if "全国" in title or re.search(r"全国|总局", body[:300]):
            return "national", "全国", ""
        return "", "", ""
    level = {"province": "provincial", "prefecture": "municipal"}.get(place.kind, "county")
    return level, place.name, place.parent


def extract_metadata(clean: str, file_name: str = "") -> NoticeMeta:
    clean = to_simplified(clean)  # a reprint in traditional characters names its places and 文号 the same way
    lines = [line.strip() for line in clean.split("\n") if line.strip()]
    fields, first, used = header_fields(lines)
    lines = lines[:first] + lines[used:]
    head = masthead_lines(lines)
    title = _unspace(fields.get("标题") or fields.get("名称") or "") or _title(head, lines)
    issuer = _issuer(title, head, lines) or fields.get("发布机构") or fields.get("发文机关") \
        or fields.get("发文单位") or ""
    doc_no = fields.get("发文字号") or fields.get("文号") or ""
    doc_no = normalise_doc_no(doc_no) if DOC_NO.search(doc_no.replace(" ", "")) else _own_doc_no(head)
    date = iso_date(fields.get("成文日期") or fields.get("发文日期") or "") or _date(lines) \
        or iso_date(fields.get("发布日期") or fields.get("生成日期") or fields.get("公开日期") or "")
    body = "\n".join(lines)
    year, year_source = _year(title, doc_no, date, body, file_name)
    level, region, parent = _level_and_region(title, issuer, body, fields.get("来源", ""))
    if level == "county" and not parent:
        parent = province_of(region)
    return NoticeMeta(title=title, issuer=issuer, doc_no=doc_no, date=date, year=year, year_source=year_source,
                      kind=_kind(title, doc_no, body), level=level, region=region, parent_region=parent)
