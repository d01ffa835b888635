"""重点活动安排 and the 计划安排表: the chosen activities, with times and departments.

Rows come from the year's guidance (cited to it). When the template is the locality's own
earlier plan, its undated rows (local practice: 电子屏宣传, 12315 …) are carried over and
marked for checking; rows tied to a past year (a 届次, a 年度, a festival, a year number) are
dropped and reported, since they cannot be true again.
"""
from __future__ import annotations

import re

from assistant.drafting.activities import PlanActivity
from assistant.drafting.compose import Composer, numeral
from assistant.drafting.model import Block
from assistant.drafting.roster import Roster
from assistant.drafting.template import Template
from assistant.drafting.voice import similar

DATED = re.compile(r"20\d{2}|第[一二三四五六七八九十\d]+届|年度|推进年|中秋|国庆|春节|元旦|端午")
_COLUMN_ROLES = [("index", r"序号"), ("title", r"主题|名称|项目"), ("content", r"内容|措施"),
                 ("time", r"时间"), ("lead", r"牵头"), ("co", r"协办|配合|参与"), ("note", r"备注")]
TIMES = {"publicity": "9月上旬", "report": "9月下旬"}


def section_ref(section: str, part: bool) -> str:
    """"三、活动安排 > （四）加大…" → "三（四）"; "附件1 …" → "附件1"."""
    path = section.split(" > ")[1 if part else 0:]
    out = ""
    for element in path:
        if m := re.match(r"^(附件\d+|[一二三四五六七八九十]{1,3}(?=、)|（[一二三四五六七八九十]{1,3}）)", element):
            out += m.group(1)
    return out


def key_blocks(c: Composer, acts: list[PlanActivity], heading: str) -> list[Block]:
    blocks = [Block("note", c.stale)] if c.stale else []
    for n, act in enumerate(acts):
        item, no = f"{heading}（{numeral(n)}）", f"（{numeral(n)}）"
        whole = not act.text.startswith(act.title) or act.title.endswith("等")
        rest = "" if whole else act.text[len(act.title):].lstrip("，；。")
        if rest:  # "（一）开展质量技术帮扶行动。组织质量专家…" like the template's items
            blocks.append(Block("item", rest, head=f"{no}{act.title}。", cites=[c.cite(item, act.para)]))
        else:
            blocks.append(Block("item", act.text, head=no, cites=[c.cite(item, act.para)]))
    return blocks


def _columns(header: list[str]) -> list[str]:
    roles = []
    for name in header:
        roles.append(next((role for role, words in _COLUMN_ROLES if re.search(words, name)), ""))
    return roles


def table_block(c: Composer, acts: list[PlanActivity], template: Template, roster: Roster,
                label: str) -> Block:
    roles = _columns(template.header)
    rows: list[dict] = []
    for act in acts:
        lead, co = roster.assign(act.topic, act.text)
        note = f"依据{act.para.unit.short}{section_ref(act.para.section, act.para.unit.part)}"
        if c.g.missing:
            note += f"（{c.g.year_used}年），待新通知核对"
        cite = c.cite(f"{label} 第{len(rows) + 1}行", act.para)
        rows.append({"title": act.title, "content": act.text, "time": TIMES.get(act.topic, "9月"),
                     "lead": lead, "co": co, "note": note, "_cite": [cite]})
    rows += _carried(c, template, roster, rows, label)
    lead, co = roster.assign("quality", "总结")
    report = c.report_row(f"{label} 第{len(rows) + 1}行")
    rows.append({"title": "认真总结，及时报送", "content": report[0], "time": TIMES["report"],
                 "lead": lead, "co": co, "note": "", "_cite": report[1]})
    table_rows, row_cites = [], []
    for i, row in enumerate(rows, 1):
        table_rows.append([str(i) if role == "index" else row.get(role, "") for role in roles])
        row_cites.append(row["_cite"])
    return Block("table", columns=list(template.header), rows=table_rows, row_cites=row_cites)


def _carried(c: Composer, template: Template, roster: Roster, rows: list[dict], label: str) -> list[dict]:
    own = template.region == c.loc.name and roster.origin == "plan" and (template.year or 0) < c.year
    if not own:
        return []
    col = {role: name for role, name in zip(_columns(template.header), template.header) if role}
    out = []
    for raw, section in zip(template.rows, template.section_lines):
        title, content = raw.get(col.get("title", ""), ""), raw.get(col.get("content", ""), "")
        if "【待补" in raw["_line"]:
            continue  # an unfinished row of an earlier draft of ours, not local practice
        if m := DATED.search(title + content):
            c.draft.flags.append(f"往年方案（{template.source}）中“{title}”含已过期信息（{m.group(0)}），未沿用。")
            continue
        if any(similar(title + content, r["title"] + r["content"]) for r in rows + out):
            continue
        cite = c.draft.cite(f"{label} 第{len(rows) + len(out) + 1}行", template.source, template.title,
                            template.doc_no, section, raw["_line"])
        out.append({"title": title, "content": content, "time": "9月", "lead": raw.get(col.get("lead", ""), ""),
                    "co": raw.get(col.get("co", ""), ""), "note": "沿用往年做法，请核实", "_cite": [cite]})
    return out
