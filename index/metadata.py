"""公文 metadata read off a cleaned notice: title, issuer, 文号, 成文日期, year, level, region.

Only what the text states is returned; an absent field stays empty rather than
guessed. The notice's own 文号 stands alone on a line in the 版头 (the masthead);
文号 quoted inside sentences are references to other notices and are ignored.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from index.gazetteer import Place, find_places, province_of

DOC_NO = re.compile(r"[\u4e00-\u9fa5]{1,12}〔\d{4}〕\d{1,4}号")
DATE_LINE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
_TITLE_END = ("通知", "方案", "意见", "决定", "通报", "函", "公告")
_ISSUER_END = ("局", "办公室", "委员会", "厅", "部", "政府", "小组", "委", "院", "署", "会")


@dataclass
class NoticeMeta:
    title: str = ""
    issuer: str = ""
    doc_no: str = ""
    date: str = ""  # 成文日期, ISO yyyy-mm-dd
    year: int | None = None  # the 质量月 year the notice is about
    level: str = ""  # national | provincial | municipal | county
    region: str = ""  # 全国 / 福建省 / 三明市 / 永安市 …
    parent_region: str = ""  # the region one level up (永安市 → 三明市)

    def as_dict(self) -> dict:
        return asdict(self)


def _masthead(lines: list[str]) -> list[str]:
    """版头 lines: 发文机关, 文号, title, up to the 主送 line (…：) — not the body's first sentence."""
    head = []
    for line in lines[:15]:
        if "。" in line or re.match(r"^[一二三四五六七八九十]、", line):
            break
        head.append(line)
        if line.endswith(("：", ":")) and len(line) > 6:
            break
    return head


def _title(head: list[str]) -> str:
    for i, line in enumerate(head):
        if "关于" in line or line.endswith(_TITLE_END) and "〔" not in line:
            title = line
            # a title broken over two lines: "…关于组织开展" + "2025年“质量月”活动的通知"
            if not title.endswith(_TITLE_END) and i + 1 < len(head) and head[i + 1].endswith(_TITLE_END):
                title += head[i + 1]
            return title.replace(" ", "") if re.search(r"[\u4e00-\u9fa5] [\u4e00-\u9fa5]", title) else title
    return ""


def _issuer(title: str, head: list[str], lines: list[str]) -> str:
    for line in head:
        if line.endswith("文件") and len(line) <= 30:
            return line[: -len("文件")]
    m = re.match(r"^(.{2,30}?)(?:关于|转发)", title)
    if m and m.group(1).endswith(_ISSUER_END):
        return m.group(1).strip()
    # 落款: the organisations just above the 成文日期 line (joint notices list several).
    for i, line in enumerate(lines):
        if DATE_LINE.match(line) and i > 0:
            top = i - 1
            while top > 0 and _is_name_list(lines[top - 1]):
                top -= 1  # climb a multi-line list of co-issuers to its first name
            names = lines[top].split()
            if names and names[0].endswith(_ISSUER_END):
                return names[0] + ("等" if len(names) > 1 or top < i - 1 else "")
            return ""
    return ""


def _is_name_list(line: str) -> bool:
    names = line.split()
    return len(names) >= 2 and all(len(n) <= 12 and not re.search(r"\d", n) for n in names)


def _own_doc_no(head: list[str]) -> str:
    for line in head:
        if DOC_NO.fullmatch(line):
            return line
    return ""


def _date(lines: list[str]) -> str:
    for line in lines:
        m = DATE_LINE.match(line)
        if m:
            y, mo, d = (int(g) for g in m.groups())
            return f"{y:04d}-{mo:02d}-{d:02d}"
    return ""


def _year(title: str, doc_no: str, date: str) -> int | None:
    for text in (title, doc_no, date):
        m = re.search(r"(20\d{2})", text)
        if m:
            return int(m.group(1))
    return None


def _level_and_region(title: str, issuer: str) -> tuple[str, str, str]:
    text = issuer + title
    if re.search(r"全国|国家市场监督管理总局|^市场监管总局", issuer or title) or "全国“质量月”" in title and not issuer:
        return "national", "全国", ""
    places = find_places(issuer) or find_places(title)
    if places:
        place: Place = places[0]
        parent = place.parent or ""
        if place.kind == "province":
            return "provincial", place.name, ""
        if place.kind == "prefecture":
            return "municipal", place.name, parent
        return "county", place.name, parent
    if "全国" in text:
        return "national", "全国", ""
    return "", "", ""


def extract_metadata(clean: str) -> NoticeMeta:
    lines = [l for l in clean.split("\n") if l.strip()]
    head = _masthead(lines)
    title = _title(head)
    issuer = _issuer(title, head, lines)
    doc_no = _own_doc_no(head)
    date = _date(lines)
    level, region, parent = _level_and_region(title, issuer)
    if level == "county" and not parent:
        parent = province_of(region)
    return NoticeMeta(title=title, issuer=issuer, doc_no=doc_no, date=date,
                      year=_year(title, doc_no, date), level=level, region=region, parent_region=parent)
