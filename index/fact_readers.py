"""Readers of each kind of notice fact, from the cues every 质量月 notice, plan or report uses.

Each reader gets the lines of one notice (with their offsets in the cleaned text) and returns
Facts whose span covers exactly the text the value was read from. Nothing is inferred beyond what
a cue states: a notice without a 联系人 line has no contact.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from index.facts import (Activity, Attachment, Contact, Deadline, Fact, Line, NoticeFacts, Part, Reference, Span,
                         attachment_items, notice_kind, split_lines, split_parts)
from index.headings import heading_level
from index.metadata import NoticeMeta, extract_metadata
from index.metadata import masthead_lines
from index.patterns import DATE_LINE, DOC_NO

CJK = "\u4e00-\u9fa5"
_ORG_END = ("总局", "办公室", "委员会", "局", "部", "委", "署", "院", "会", "行", "社", "办", "厅", "联", "队",
            "司", "政府", "中心", "所", "处", "科", "室", "站", "组", "关")
_ORG = rf"[{CJK}]{{1,28}}(?:{'|'.join(_ORG_END)})"
_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_DATE = r"(?:\d{4}年)?\d{1,2}月(?:\d{1,2}日)?(?!\d)"
_RANGE = rf"{_DATE}(?:\s*(?:至|到|—|–|-|－|~|～)\s*(?:{_DATE}|\d{{1,2}}日))?(?:上旬|中旬|下旬|底|初|份)?"
_QUOTE = r"[“\"「]([^”\"」]{2,60})[”\"」]"


@dataclass
class ReadingContext:
    doc_id: str
    lines: list[Line]
    level: str
    parts: list[Part]
    part: Part

    def fact(self, line: Line, start: int, end: int, how: str, value=None) -> Fact:
        text = line.text[start:end]
        return Fact(text if value is None else value, Span(self.doc_id, line.start + start, line.start + end), how)


def _tidy(line: Line, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) past spaces and end punctuation, and quotes wrapping the whole value."""
    text = line.text
    while start < end and text[start] in " ：:":
        start += 1
    while end > start and text[end - 1] in " 。；;，,：:":
        end -= 1
    inner = text[start + 1:end - 1]
    if end - start > 2 and text[start] in "“\"「" and text[end - 1] in "”\"」" and not re.search("[“”\"「」]", inner):
        start, end = start + 1, end - 1
    return start, end


def _is_table(line: Line) -> bool:
    return "\t" in line.text


def _is_attachment_heading(text: str) -> bool:
    """"附件2", or a lone "附件" heading when there is only one."""
    return heading_level(text) == 0 or bool(re.fullmatch(r"附\s*件\s*[：:]?", text))


def _attachment_start(lines: list[Line]) -> int:
    """Index (in `lines`) of the first 附件N heading: lines before it are the notice's body."""
    return next((i for i, l in enumerate(lines) if _is_attachment_heading(l.text) and i > 2), len(lines))


_LABEL = r"^(?:[一二三四五六七八九十]{1,3}、|（[一二三四五六七八九十]{1,3}）|\d{1,2}[.．、])?\s*"


def _labelled(ctx: ReadingContext, label: str, how: str) -> list[tuple[int, Fact]]:
    """"二、活动主题" + next line, "活动主题：…", "主  题：…": (line index, fact)."""
    out = []
    pattern = re.compile(_LABEL + label + r"\s*[：:。]?\s*")
    for i, line in enumerate(ctx.lines):
        m = pattern.match(line.text)
        if not m or _is_table(line):
            continue
        start, end = _tidy(line, m.end(), len(line.text))
        if end - start >= 2 and len(line.text) - m.end() <= 60:
            out.append((i, ctx.fact(line, start, end, how)))
        elif end <= start and i + 1 < len(ctx.lines):
            nxt = ctx.lines[i + 1]
            quoted = re.search(r"主题(?:为|是)\s*[：:]?\s*[“\"]", nxt.text)  # read by the quote cue instead
            if heading_level(nxt.text) is None and not _is_table(nxt) and len(nxt.text) <= 60 and not quoted:
                s, e = _tidy(nxt, 0, len(nxt.text))
                if e - s >= 2:
                    out.append((i, ctx.fact(nxt, s, e, how)))
    return out


def theme(ctx: ReadingContext) -> Fact | None:
    """活动主题 heading or label, 主题为“…”, 以“…”为主题, 围绕“…”的活动主题; the notice's body before its
    attachments."""
    cands = [(i, f) for i, f in _labelled(ctx, r"(?:活\s*动\s*)?主\s*题", "heading:活动主题")]
    for i, line in enumerate(ctx.lines):
        if _is_table(line):
            continue
        for pattern, how in ((r"主题(?:为|是)\s*[：:]?\s*" + _QUOTE, "quote:主题为“…”"),
                             (r"以\s*" + _QUOTE + r"\s*为(?:活动)?主题", "quote:以…为主题"),
                             (r"围绕\s*" + _QUOTE + r"\s*的?[“\"]?(?:质量月)?[”\"]?(?:活动)?主题", "quote:围绕…主题")):
            for m in re.finditer(pattern, line.text):
                before = line.text[max(0, m.start() - 12):m.start()]
                if "全国" in before and ctx.level != "national":
                    continue  # the national theme quoted in a local notice
                cands.append((i, ctx.fact(line, m.start(1), m.end(1), how)))
    body_end = _attachment_start(ctx.lines)
    cands.sort(key=lambda c: (c[0] >= body_end, c[0]))
    return cands[0][1] if cands else None


def period(ctx: ReadingContext) -> Fact | None:
    """活动时间 heading/label, or "定于2025年9月…开展"."""
    labelled = _labelled(ctx, r"活\s*动\s*时\s*间", "heading:活动时间")
    if labelled:
        return labelled[0][1]
    pattern = re.compile(rf"(?:定于|决定于|将于|拟于)\s*({_RANGE})(?!前)[^。，；]{{0,24}}?(?:开展|举办|组织|联合|举行)")
    for line in ctx.lines:
        if m := pattern.search(line.text):
            return ctx.fact(line, m.start(1), m.end(1), "phrase:定于…开展")
    return None


def _names(line: Line) -> list[tuple[int, int]]:
    """Spans of organisation names when the whole line is a list of them (a 落款)."""
    out, pos = [], 0
    for token in line.text.split():
        start = line.text.index(token, pos)
        pos = start + len(token)
        if not (2 <= len(token) <= 16 and re.fullmatch(rf"[{CJK}]+", token) and token.endswith(_ORG_END)):
            return []
        out.append((start, pos))
    return out


def co_issuers(ctx: ReadingContext) -> list[Fact]:
    """A 落款 of two or more bodies: name lines ending at a date, a 公开 mark, 代章 or the notice's end."""
    lines = ctx.lines
    i = 0
    while i < len(lines):
        j, names = i, []
        while j < len(lines) and (found := _names(lines[j])):
            names.extend((lines[j], s, e) for s, e in found)
            j += 1
        closes = j == len(lines) or DATE_LINE.match(lines[j].text) or re.match(r"^[（(]", lines[j].text) \
            or heading_level(lines[j].text) == 0
        if len(names) >= 2 and closes and i > 2:
            return [ctx.fact(line, s, e, "signature:落款") for line, s, e in names]
        i = max(j, i + 1)
    return _named_before_count(ctx)


def cn_number(text: str) -> int | None:
    text = re.sub(r"\s", "", text)
    if text.isdigit():
        return int(text)
    if not text or any(c not in _CN_DIGITS and c != "十" for c in text):
        return None
    if "十" not in text:
        return _CN_DIGITS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)


def _own_count(ctx: ReadingContext) -> tuple[Line, re.Match, int] | None:
    """"市场监管总局等26个部门将联合开展": this notice's own issuers, not those of a notice it cites."""
    pattern = re.compile(r"等\s*((?:\d\s*){1,3}|[一二两三四五六七八九十]{1,4})\s*个?\s*(?:部门|单位|部委)")
    for line in ctx.lines:
        if _is_table(line):
            continue
        for m in pattern.finditer(line.text):
            after = line.text[m.end():m.end() + 30].split("。")[0]
            before = line.text[max(0, m.start() - 24):m.start()]
            if after.startswith(("《", "关于", "印发", "联合印发", "发布")) or "转发" in before or "现将" in before:
                continue  # the issuers of a notice cited or forwarded
            if re.search(r"联合|共同|会同|开展|举办", after) and (value := cn_number(m.group(1))):
                return line, m, value
    return None


def _named_before_count(ctx: ReadingContext) -> list[Fact]:
    """The bodies named before "等N个部门": "市市场监管局会同市工信局、市住建局等18个部门"."""
    found = _own_count(ctx)
    if not found:
        return []
    line, m, _ = found
    clause_start = max(line.text.rfind(p, 0, m.start()) for p in "，。；：,") + 1
    out, pos = [], clause_start
    for piece in re.split(r"(会同|联合|、|由|以及|\s+)", line.text[clause_start:m.start()]):  # not 和: 工业和信息化厅
        start, pos = pos, pos + len(piece)
        if re.fullmatch(rf"[{CJK}]{{2,20}}", piece) and piece.endswith(_ORG_END) and piece not in ("会同", "联合"):
            out.append(ctx.fact(line, start, start + len(piece), "phrase:…等N个部门"))
    return out if len(out) >= 2 else []


def co_issuer_count(ctx: ReadingContext, names: list[Fact]) -> Fact | None:
    if found := _own_count(ctx):
        line, m, value = found
        return ctx.fact(line, m.start(1), m.end(1), "phrase:等N个部门", value)
    if len(names) >= 2 and names[0].how == "signature:落款":
        first, last = names[0].span, names[-1].span
        return Fact(len(names), Span(ctx.doc_id, first.start, last.end), "count:落款")
    return None


_SLOGAN_CUE = re.compile(_LABEL + r"(?:活动|宣传)?口\s*号\s*[：:]?\s*$")


def slogans(ctx: ReadingContext) -> list[Fact]:
    """Lines under a 口号 heading/label or an attachment titled …口号, then 口号包括“…”."""
    out: list[Fact] = []
    lines = ctx.lines
    for i, line in enumerate(lines):
        cue = _SLOGAN_CUE.match(line.text) or (
            "口号" in line.text and i > 0 and _is_attachment_heading(lines[i - 1].text) and len(line.text) <= 40)
        if not cue:
            continue
        for nxt in lines[i + 1:]:
            level = heading_level(nxt.text)
            if level in (0, 1, 2) or _is_table(nxt) or nxt.text.startswith("附件"):
                break
            m = re.match(r"^\d{1,2}\s*[.．、]\s*", nxt.text)
            if not m and (len(nxt.text) > 40 or "。" in nxt.text or re.match(r"^主\s*题|^口\s*号", nxt.text)):
                break
            s, e = _tidy(nxt, m.end() if m else 0, len(nxt.text))
            if e - s >= 4:
                out.append(ctx.fact(nxt, s, e, "list:口号"))
    seen = {re.sub(r"\s", "", f.value) for f in out}
    for line in lines:
        if _is_table(line):
            continue
        for m in re.finditer(r"口号(?:为|是|包括|有)[：:]?((?:\s*[“\"][^”\"]{4,40}[”\"][、，,和及]?)+)", line.text):
            for q in re.finditer(_QUOTE, m.group(1)):
                value = re.sub(r"\s", "", q.group(1))
                if value not in seen:
                    seen.add(value)
                    start = m.start(1) + q.start(1)
                    out.append(ctx.fact(line, start, start + len(q.group(1)), "quote:口号包括“…”"))
    return out


# ---- activities: rows of an 安排表, items under an 活动安排 heading, dated sentences of a report
_COLUMNS = (("lead", r"牵头|责任单位|责任部门|主办|承办|负责"), ("co", r"协办|配合|参与|协同|联办"),
            ("time", r"时间|时限|日期"), ("content", r"内容|措施|具体"), ("title", r"主题|名称|项目|活动"))
_ACTIVITY_CUE = re.compile(r"活动安排|重点活动|主要活动|重点安排|活动计划|系列活动|活动项目")


def activities(ctx: ReadingContext) -> list[Activity]:
    return _table_activities(ctx) + _item_activities(ctx) + _dated_activities(ctx)


def _table_activities(ctx: ReadingContext) -> list[Activity]:
    out, columns = [], {}
    for line in ctx.lines:
        if not _is_table(line):
            columns = {}
            continue
        cells, pos = [], 0
        for cell in line.text.split("\t"):
            start = line.text.index(cell, pos)
            cells.append((cell, start))
            pos = start + len(cell)
        if not re.match(r"^\d", line.text):  # a header row names the columns
            columns = {}
            for k, (cell, _) in enumerate(cells):
                role = next((r for r, cue in _COLUMNS if re.search(cue, cell)), None)
                if role and role not in columns.values():
                    columns[k] = role
            columns = {k: (role, cells[k][0]) for k, role in columns.items()}
            continue
        if not columns:
            continue
        act = Activity()
        for k, (role, header) in columns.items():
            if k < len(cells) and cells[k][0].strip():
                cell, start = cells[k]
                s, e = _tidy(Line(0, line.text, 0), start, start + len(cell))
                if e > s:
                    setattr(act, role, ctx.fact(line, s, e, f"table:{header}"))
        if act.title or act.content:
            out.append(act)
    return out


def _item_level(text: str) -> int | None:
    """heading_level, plus "1.9月1日举办…" (a number directly followed by a date is still an item)."""
    level = heading_level(text)
    return 3 if level is None and re.match(r"^\d{1,2}[.．]\s*\d{1,2}月", text) else level


def _item_activities(ctx: ReadingContext) -> list[Activity]:
    """Numbered items under a heading or attachment title that names them as activities."""
    out, lines, i = [], ctx.lines, 0
    while i < len(lines):
        line = lines[i]
        level = _item_level(line.text)
        is_title = i > 0 and _is_attachment_heading(lines[i - 1].text) and level is None
        if not ((level in (1, 2) and len(line.text) <= 30 or is_title) and _ACTIVITY_CUE.search(line.text)):
            i += 1
            continue
        if "表" in line.text and i + 1 < len(lines) and _is_table(lines[i + 1]):
            i += 1
            continue  # an 安排表: its rows are read as a table
        cue_level = 0 if is_title else level
        item_level, items, j = None, [], i + 1
        while j < len(lines):
            lv = _item_level(lines[j].text)
            if lv is not None and (lv <= cue_level or (item_level is not None and lv < item_level)) \
                    or lines[j].text.startswith("附件") or _is_table(lines[j]):
                break
            if lv is not None and item_level is None:
                item_level = lv
            if lv is not None and lv == item_level:
                items.append([lines[j]])
            elif items and lv is None and "。" in items[-1][0].text:
                break  # a paragraph after a complete item belongs to the section above
            elif items:
                items[-1].append(lines[j])
            j += 1
        out.extend(_item(ctx, group) for group in items)
        i = j
    return out


def _item(ctx: ReadingContext, group: list[Line]) -> Activity:
    head = group[0]
    text = head.text
    m = re.match(r"^(?:[一二三四五六七八九十]{1,3}、|（[一二三四五六七八九十]{1,3}）|\d{1,2}[.．、])\s*", text)
    start = m.end() if m else 0
    act = Activity()
    org = re.match(rf"({_ORG}|[{CJK}]{{2,12}}(?:市|县|区|省))[：:]", text[start:])
    if org and len(org.group(1)) <= 16:
        act.lead = ctx.fact(head, start, start + len(org.group(1)), "item:单位：")
        start += org.end()
    else:
        first = re.search(r"[。；]", text[start:])
        end = start + first.start() if first else len(text)
        s, e = _tidy(head, start, end)
        act.title = ctx.fact(head, s, e, "item:标题")
        start = end + 1 if first else len(text)
    s, e = _tidy(head, start, len(text))
    if e - s >= 2:
        act.content = ctx.fact(head, s, e, "item:内容")
    elif len(group) > 1:  # "（一）开展XX活动" with its text on the next line
        nxt = group[1]
        s, e = _tidy(nxt, 0, len(nxt.text))
        act.content = ctx.fact(nxt, s, e, "item:内容")
    for line in group:
        if act.lead is None and (lm := re.search(rf"由({_ORG})牵头|牵头(?:单位|部门)\s*[：:]\s*({_ORG})|"
                                                   rf"责任(?:单位|部门)\s*[：:]\s*({_ORG})", line.text)):
            g = next(k for k in (1, 2, 3) if lm.group(k))
            act.lead = ctx.fact(line, lm.start(g), lm.end(g), "item:牵头")
        if act.co is None and (cm := re.search(rf"(?:配合|协办)(?:单位|部门)\s*[：:]\s*([^；。）]+)|与({_ORG})联合|"
                                                 rf"联合({_ORG})(?:（[A-Z]+）)?(?:举办|开展)", line.text)):
            g = next(k for k in (1, 2, 3) if cm.group(k))
            act.co = ctx.fact(line, cm.start(g), cm.end(g), "item:联合")
        if act.time is None and (tm := re.search(rf"(?:时间|时限)\s*[：:]\s*({_RANGE})|(?<![\d年])({_RANGE})(?!前)",
                                                   line.text)):
            g = 1 if tm.group(1) else 2
            if re.search(r"月", tm.group(g)):
                act.time = ctx.fact(line, tm.start(g), tm.end(g), "item:时间")
    return act


def _dated_activities(ctx: ReadingContext) -> list[Activity]:
    """A report's "9月1日，XX市启动…" sentences: what was done, and when."""
    out = []
    pattern = re.compile(rf"(?:^|(?<=[。；]))\s*((?:\d{{4}}年)?\d{{1,2}}月\d{{1,2}}日(?:[上下]午)?)[，,]([^。；]*?"
                         r"(?:启动|举办|开展|召开|举行|发布)[^。；]*)")
    for line in ctx.lines:
        if _is_table(line) or heading_level(line.text) is not None:
            continue
        for m in pattern.finditer(line.text):
            s, e = _tidy(line, m.start(2), m.end(2))
            out.append(Activity(title=ctx.fact(line, s, e, "sentence:日期，…"),
                                time=ctx.fact(line, m.start(1), m.end(1), "sentence:日期，…")))
    return out


# ---- deadlines: "于9月30日前将活动总结报送…"
_SUBMIT = r"(?:报送至|报送到|报送|上报至|上报|报至|反馈至|反馈给|反馈到|提交至|提交到|提交|发送至|送至|报)"
_OBLIGED = re.compile(r"要|请|须|务必|应当|应于|于.{0,14}前|及时|并将|一并|统一")


def deadlines(ctx: ReadingContext) -> list[Deadline]:
    out = []
    for line in ctx.lines:
        if _is_table(line):
            continue
        pos = 0
        for sentence in re.split(r"(?<=[。！])", line.text):
            base = line.text.index(sentence, pos) if sentence else pos
            pos = base + len(sentence)
            seg = 0
            for verb in re.finditer(_SUBMIT + rf"\s*({_ORG}(?:（[{CJK}]{{2,20}}）)?)", sentence):
                dl = _deadline(ctx, line, sentence[seg:verb.start()], base + seg, verb, base)
                seg = verb.end()
                if dl:
                    out.append(dl)
    return out


def _deadline(ctx: ReadingContext, line: Line, before: str, base: int, verb: re.Match, verb_base: int) -> Deadline | None:
    """`before`: the sentence's text since the previous submit verb, up to this one."""
    if not _OBLIGED.search(before) or (verb.group(0).startswith("报") and not verb.group(0).startswith(("报送", "报至"))
                                       and "将" not in before):
        return None  # a bare 报 is a submit verb only in "将…报…"
    dl = Deadline(to=ctx.fact(line, verb_base + verb.start(1), verb_base + verb.end(1), "phrase:报送…"))
    sentence = before
    if by := re.search(rf"(?:于|在)\s*({_DATE}\d{{0,2}}日?)\s*(?:前|之前|以前)", before):
        dl.by = ctx.fact(line, base + by.start(1), base + by.end(1), "phrase:于…前")
    elif by := re.search(r"活动结束后", sentence):
        dl.by = ctx.fact(line, base + by.start(), base + by.end(), "phrase:活动结束后")
    what = re.search(r"将(.{2,160}?)(?:[，,]?\s*(?:一并|及时|统一))?\s*$", before)
    how = "phrase:将…报送" if what else "phrase:…报送"
    if what:
        s, e = base + what.start(1), base + what.end(1)
    else:  # "有关活动情况、典型案例等及时反馈至…": the clause before the verb
        clause = re.split(r"[，,；]", before)[-1]
        s = base + len(before) - len(clause)
        e = base + len(before)
        clause_tail = re.search(r"(?:及时|一并|统一)?\s*$", clause)
        e -= len(clause_tail.group(0)) if clause_tail else 0
    s, e = _tidy(line, s, e)
    if long := re.search(r"[（(][^）)]{12,}[）)]", line.text[s:e]):
        s, e = _tidy(line, s, s + long.start())  # stop before a long parenthesis of instructions
    if e - s >= 2:
        dl.what = ctx.fact(line, s, e, how)
    return dl


# ---- contacts
_PHONE = r"(?:0\d{2,3}[-－—]?\d{7,8}(?:[-－]\d{1,4})?|1[3-9]\d{9}|\d{7,8})"
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"


def contacts(ctx: ReadingContext) -> list[Contact]:
    """联系人 with the 电话/邮箱 that follow it (same or next lines); a bare 联系电话 makes its own contact."""
    out: list[Contact] = []
    current: Contact | None = None
    budget = 0
    for line in ctx.lines:
        if _is_table(line):
            continue
        text = line.text
        cues = sorted([(m.start(), "name", m) for m in re.finditer(r"联\s*系\s*人(?:及电话)?\s*[：:]\s*", text)]
                      + [(m.start(), "phone", m) for m in re.finditer(
                          rf"(?:联系电话|电\s*话|手\s*机|座\s*机)\s*[：:]?\s*({_PHONE})(?!\d)(?!\s*[（(]传真)", text)]
                      + [(m.start(), "email", m) for m in re.finditer(
                          rf"(?:电子邮箱|邮\s*箱|E-?mail|电子信箱)\s*[：:]?\s*({_EMAIL})", text, re.I)],
                      key=lambda c: c[0])
        if not cues and current is not None:
            budget -= 1
            if budget <= 0:
                current = None
        for _, kind, m in cues:
            if kind == "name":
                current = Contact(name=_contact_name(ctx, line, m.end()))
                out.append(current)
                budget = 3
                continue
            if current is None or getattr(current, kind) is not None:
                current = Contact()
                out.append(current)
                budget = 3
            setattr(current, kind, ctx.fact(line, m.start(1), m.end(1), f"label:{'电话' if kind == 'phone' else '邮箱'}"))
    return [c for c in out if c.name or c.phone or c.email]


def _contact_name(ctx: ReadingContext, line: Line, start: int) -> Fact | None:
    rest = re.split(r"[，,；;。（(]|电\s*话|联系电话|手\s*机|\d", line.text[start:])[0].rstrip()
    if not rest:
        return None
    token = rest.split()[-1]
    m = re.search(rf"(?:局|处|科|室|办|所|司|中心|队)?([{CJK}]{{2,4}})$", token)
    if not m or (token != m.group(1) and len(token) - len(m.group(1)) < 2):
        return None
    end = start + rest.rfind(token) + len(token)
    return ctx.fact(line, end - len(m.group(1)), end, "label:联系人")


# ---- documents the notice is based on (its preamble's 根据/按照/落实 《…》（文号））
_BASIS_CUE = re.compile(r"根据|按照|依据|依照|贯彻|落实|现将|转发|遵照")
_SPLIT = re.compile(r"[，。、；：,]|和|及|与|根据|按照|依据|依照|落实|贯彻|现将|转发")


def based_on(ctx: ReadingContext) -> list[Reference]:
    lines = ctx.lines
    head = len(masthead_lines([l.text for l in lines])) if ctx.part.name == "main" else 0
    preamble = []
    for line in lines[head:]:
        if heading_level(line.text) is not None or line.text.startswith("附件") or _is_table(line):
            break
        preamble.append(line)
        if len(preamble) == 3:
            break
    out = []
    for line in preamble:
        for sentence_start, sentence in _sentences(line.text):
            if not _BASIS_CUE.search(sentence):
                continue
            out.extend(_references(ctx, line, sentence, sentence_start))
    return out


def _sentences(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for s in re.split(r"(?<=。)", text):
        if s:
            out.append((pos, s))
            pos += len(s)
    return out


def _references(ctx: ReadingContext, line: Line, sentence: str, base: int) -> list[Reference]:
    out, used_nos = [], set()
    for m in re.finditer(r"《([^《》]{4,80})》", sentence):
        if re.search(r"简称[“\"]?[^《》]{0,4}$", sentence[max(0, m.start() - 8):m.start()]):
            continue  # (以下简称《纲要》)
        if re.match(r"[^，。]{0,3}印发", sentence[m.end():]):
            continue  # the plan this notice issues, not one it is based on
        ref = Reference(title=ctx.fact(line, base + m.start(1), base + m.end(1), "basis:《…》"))
        after = sentence[m.end():m.end() + 30]
        if no := re.match(r"\s*[（(]\s*(" + DOC_NO.pattern + r")\s*[）)]", after):
            ref.doc_no = ctx.fact(line, base + m.end() + no.start(1), base + m.end() + no.end(1), "basis:文号")
            used_nos.add(m.end() + no.start(1))
        prefix = sentence[:m.start()]
        piece = _SPLIT.split(prefix)[-1].strip()
        if re.fullmatch(rf"[{CJK}]{{2,30}}(?:等[\d\s]+个?\s*部门|{'|'.join(_ORG_END)})", piece):
            ref.issuer = ctx.fact(line, base + m.start() - len(piece), base + m.start(), "basis:发文机关")
        out.append(ref)
    for no in DOC_NO.finditer(sentence):
        if no.start() not in used_nos and not any(r.title and r.title.span.start <= line.start + base + no.start()
                                                  < r.title.span.end for r in out):
            out.append(Reference(doc_no=ctx.fact(line, base + no.start(), base + no.end(), "basis:文号")))
    return out


# ---- attachments listed (附件：1. … 2. …) and whether their text is in the file
def attachments(ctx: ReadingContext) -> list[Attachment]:
    out = []
    items = attachment_items(ctx.lines)
    for number, line, offset in items:
        s, e = _tidy(line, offset, len(line.text))
        if e <= s:
            continue
        title = ctx.fact(line, s, e, "list:附件")
        out.append(Attachment(number, title, *_present(ctx, number, line, title.value)))
    return out


def _present(ctx: ReadingContext, number: str | None, listed_at: Line, title: str) -> tuple[bool, Span | None]:
    if ctx.part.name == "main" and number:
        for part in ctx.parts[1:]:
            if part.name == f"附件{number}" and part.lines:
                return True, Span(ctx.doc_id, part.lines[0].start, part.lines[0].start + len(part.lines[0].text))
    later = [l for l in ctx.lines if l.index > listed_at.index]
    key = re.sub(r"\s", "", title)
    for k, line in enumerate(later):
        num = re.sub(r"\D", "", line.text) if heading_level(line.text) == 0 else None
        if num is not None and (num == number or (number is None and num == "")) or \
                (number is None and heading_level(line.text) == 0):
            return True, Span(ctx.doc_id, line.start, line.start + len(line.text))
        if re.sub(r"\s", "", line.text) == key and not line.text.startswith("附件"):
            return True, Span(ctx.doc_id, line.start, line.start + len(line.text))
    return False, None


def extract_facts(doc_id: str, clean_text: str, meta: NoticeMeta | dict | None = None) -> list[NoticeFacts]:
    """One NoticeFacts per notice in the file (its own notice first, then forwarded ones)."""
    if meta is None:
        meta = extract_metadata(clean_text)
    meta = meta.as_dict() if isinstance(meta, NoticeMeta) else dict(meta)
    lines = split_lines(clean_text)
    parts = split_parts(lines, meta)
    out = []
    for part in parts:
        m = part.meta
        facts = NoticeFacts(doc_id=doc_id, part=part.name, title=m.get("title") or "", doc_no=m.get("doc_no") or "",
                            issuer=m.get("issuer") or "", date=m.get("date") or "", year=m.get("year"),
                            level=m.get("level") or "", region=m.get("region") or "",
                            kind=notice_kind(m.get("title") or "", part))
        ctx = ReadingContext(doc_id, part.lines, facts.level, parts, part)
        facts.theme = theme(ctx)
        facts.period = period(ctx)
        facts.co_issuers = co_issuers(ctx)
        facts.co_issuer_count = co_issuer_count(ctx, facts.co_issuers)
        facts.slogans = slogans(ctx)
        facts.activities = activities(ctx)
        facts.deadlines = deadlines(ctx)
        facts.contacts = contacts(ctx)
        facts.based_on = based_on(ctx)
        facts.attachments = attachments(ctx)
        out.append(facts)
    return out
