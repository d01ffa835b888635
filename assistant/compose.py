"""Answer first: one direct sentence or list that answers the plan, then the quotes that support it.

The direct answer is written from the evidence values ("2023年与2025年共有的活动口号有2条：…");
below it each passage the values were read from is quoted once, with its [n]. The result is a
`Draft`, so the citation check (assistant/verify.py) treats it like every other answer.
"""
from __future__ import annotations

import re

from assistant.execute import Evidence, Item, squash
from assistant.extractive import Draft
from assistant.plan import FACT_NAMES, LIST_FACTS, position_words
from assistant.results import Context

_UNSTATED = "索引中的通知未写明"


def _q(value) -> str:
    return f"“{value}”" if isinstance(value, str) and len(value) >= 4 and "《" not in value else str(value)


def _side_values(items: list[Item], fact: str | None) -> str:
    if fact == "activities.lead":
        return "；".join(f"{i.detail}：{i.value}" for i in items)
    if fact == "co_issuer_count":
        return f"{items[0].value}个部门"
    if fact == "co_issuers":
        return "、".join(_unique(str(i.value) for i in items))  # names, not wording to quote
    return "；".join(_unique(_q(i.value) for i in items))


def _unique(values) -> list[str]:
    """Values once each, spacing aside ("质量 强省" and "质量  强省" are one slogan)."""
    seen: dict[str, str] = {}
    for v in values:
        seen.setdefault(squash(v), v)
    return list(seen.values())


def headline(ev: Evidence) -> list[str]:
    plan, fact = ev.plan, ev.plan.fact
    name = FACT_NAMES.get(fact or "", "")
    if fact == "year":
        return [f"{_q(plan.topic[0]) if plan.topic else '该表述'}见于：" +
                "；".join(_unique(f"{i.role}的" + ("活动" + i.detail if i.detail != "原文" else "文件")
                              for i in ev.items)) + "。"]
    if plan.op == "common":
        shared = _unique(_q(i.value) for i in ev.items if i.role == "shared")
        a, b = (ev.sides + ["", ""])[:2]
        if not shared:
            return [f"{a}与{b}的{name}中没有完全相同的条目。"]
        return [f"{a}与{b}共有的{name}有{len(shared)}条：" + "；".join(shared) + "。"]
    by_side: dict[str, list[Item]] = {}
    for item in ev.items:
        by_side.setdefault(item.role, []).append(item)
    if len(by_side) == 1 and len(ev.sides) <= 1:
        (side, items), = by_side.items()
        if plan.op == "count" and fact != "co_issuer_count":
            return [f"{side}的{name}共{len(items)}项：" + _side_values(items, fact) + "。"]
        if plan.positions:
            which = position_words(plan.positions, fact)
            return [f"{side}的{which if fact == 'attachments' else name + '中' + which}：" + _side_values(items, fact) + "。"]
        if fact == "activities.lead" and len(items) == 1:
            return [f"{side}{name}：{items[0].value}（{items[0].detail}）。"]
        return [f"{side}的{name}：" + _side_values(items, fact) + "。"]
    lines = [f"{name}：" if name else "各通知的说法："]
    for side in ev.sides:
        items = [i for i in ev.items if i.role == side] or \
            [i for i in ev.items if side and i.role.startswith(side)]
        roles = list(dict.fromkeys(i.role for i in items))
        if not items:
            lines.append(f"- {side}：{_UNSTATED}")
        for role in roles:
            mine = [i for i in items if i.role == role]
            lines.append(f"- {role}：" + (f"共{len(mine)}项：" if plan.op == "count" and fact != "co_issuer_count"
                                          else "") + _side_values(mine, fact))
    numbers = [(i.role, i.value) for i in ev.items if isinstance(i.value, int)]
    if plan.op in ("count", "compare") and len(numbers) > 1:
        role, most = max(numbers, key=lambda rv: rv[1])
        lines.append(f"其中{role}最多（{most}个）。")
    texts = [i.value for i in ev.items if isinstance(i.value, str)]
    if plan.op in ("difference", "change") and fact in LIST_FACTS and len(by_side) == 2 and len(texts) > 2:
        lines += _one_side_only(by_side, fact)
    if plan.op in ("difference", "change") and len(by_side) == 2 and len(texts) == 2:
        lines.append("两者相同。" if squash(texts[0]) == squash(texts[1]) else "两者不同。")
    return lines


def _one_side_only(by_side: dict[str, list[Item]], fact: str | None) -> list[str]:
    """Two lists compared: what each side has that the other lacks (spacing aside)."""
    (a, first), (b, second) = by_side.items()
    keys = [{squash(str(i.value)) for i in items} for items in (first, second)]
    out = []
    for side, items, other in ((a, first, keys[1]), (b, second, keys[0])):
        only = [i for i in items if squash(str(i.value)) not in other]
        out.append(f"仅{side}有：" + (_side_values(only, fact) if only else "无") + "。")
    return out


def _quote(chunk: Context, values: list[str], max_chars: int = 160) -> str:
    """The lines (or sentences, for long lines) of the chunk that hold the values."""
    out = []
    for line in chunk.text.split("\n"):
        if not any(v and v in squash(line) for v in values):
            continue
        for cut in (r"(?<=[。；！？])", r"(?<=[，：])"):  # a long line: its sentences, then its clauses
            if len(line) > max_chars:
                line = "".join(s for s in re.split(cut, line) if any(v in squash(s) for v in values)) or line
        out.append(line.replace("\t", " ").strip())
    return "\n".join(out) if out else chunk.text.replace("\t", " ").strip()


def compose(ev: Evidence) -> Draft:
    """The Draft: the direct answer, then each supporting passage quoted once with its [n]."""
    if ev.missing:
        return Draft(ev.missing, answerable=False)
    lines = headline(ev) + ["", "依据原文："]
    cited: dict[int, Context] = {}
    numbers: dict[str, int] = {}
    for item in ev.items:
        if item.chunk.chunk_id in numbers:
            continue
        n = numbers[item.chunk.chunk_id] = len(cited) + 1
        cited[n] = item.chunk
        values = [squash(i.value) for i in ev.items if i.chunk.chunk_id == item.chunk.chunk_id
                  and i.value is not None] or [squash(str(item.value))]
        label = f"《{item.chunk.title}》" if item.chunk.title else item.chunk.source
        lines.append(f"{label}「{item.chunk.section}」：")
        quote = _quote(item.chunk, [v for v in values if v])
        lines.extend(f"{q}[{n}]" for q in quote.split("\n") if q.strip())
    return Draft("\n".join(lines), True, cited)


# "最晚哪天交" asks for a day; "定没定截止日期" / "有截止日期吗" asks whether there is one
_DAY_ASKED = re.compile(r"几号|哪天|哪一天|几月几[日号]|什么时候|何时|具体日期|截止(?:时间|日期)是")
_WHETHER_ASKED = re.compile(r"有没有|是否|有无|吗")


def day_left_open(evidence: Evidence, turns: list[str]) -> bool:
    """A deadline asked for as a day (by the latest turn that asks at all) that every notice answering
    leaves open ("活动结束后及时总结"): no day to give — said so, not answered with the open wording."""
    if evidence.plan.fact != "deadlines" or not evidence.items:
        return False
    asking = next((t for t in reversed(turns) if _DAY_ASKED.search(t) or _WHETHER_ASKED.search(t)), "")
    if not _DAY_ASKED.search(asking) or _WHETHER_ASKED.search(asking):
        return False
    return not any(re.search(r"\d", str(i.value)) for i in evidence.items)  # no digit: no day, no month
