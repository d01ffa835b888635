"""Filters that contradict the question: “2025年…” asked with 年份=2024 is a question to the user,
not an answer for one of the two. The question is read by assistant.query.parse_query."""
from __future__ import annotations

import datetime as dt

from assistant.app.views import LEVELS
from assistant.query import parse_query
from assistant.retrieve import Filters


def filter_conflict(question: str, filters: Filters | None, today: dt.date) -> str:
    """A Chinese message asking which to follow, or "" when question and filters agree."""
    if not filters:
        return ""
    info = parse_query(question, today)
    clashes = []
    if filters.year and info.years and filters.year not in info.years:
        asked = "、".join(f"{y}年" for y in info.years)
        clashes.append((f"问题问的是{asked}", f"年份筛选是{filters.year}年", "年份"))
    if filters.level and info.level and info.level != filters.level:
        clashes.append((f"问题问的是{LEVELS.get(info.level, info.level)}", f"层级筛选是{LEVELS.get(filters.level)}",
                        "层级"))
    if filters.region and info.regions and filters.region not in info.regions \
            and not any(filters.region in r or r in filters.region for r in info.regions):
        clashes.append((f"问题问的是{'、'.join(info.regions)}", f"地区筛选是{filters.region}", "地区"))
    if not clashes:
        return ""
    said = "；".join(f"{q}，但{f}" for q, f, _ in clashes)
    which = "、".join(n for _, _, n in clashes)
    return (f"问题和筛选条件不一致：{said}。请问按哪个回答？"
            f"按问题回答：把上方的{which}筛选改回“全部”后重新发送；按筛选回答：把问题中的{which}改成与筛选一致。")
