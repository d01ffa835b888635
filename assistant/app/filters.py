"""Filters that contradict the question: “2025年…” asked with 年份=2024 is a question to the user,
not an answer for one of the two. The question is read by assistant.query.parse_query.

The user answers with one of two buttons: follow the question (the clashing filters go back to
“全部”) or follow the filters (the question is re-worded to name the filters' year, level, place).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from assistant.app.views import LEVELS
from assistant.query import LEVEL_WORDS, RELATIVE_YEARS, parse_query  # the words parse_query reads
from assistant.retrieve import Filters

_LEVEL_WORD = {"national": "全国", "provincial": "省级", "municipal": "市级", "county": "县级"}


def clashes(question: str, filters: Filters | None, today: dt.date) -> list[str]:
    """Which filters ("year", "level", "region") the question contradicts."""
    if not filters:
        return []
    info = parse_query(question, today)
    out = []
    if filters.year and info.years and filters.year not in info.years:
        out.append("year")
    if filters.level and info.level and info.level != filters.level:
        out.append("level")
    if filters.region and info.regions and filters.region not in info.regions \
            and not any(filters.region in r or r in filters.region for r in info.regions):
        out.append("region")
    return out


def filter_conflict(question: str, filters: Filters | None, today: dt.date) -> str:
    """A Chinese message asking which to follow, or "" when question and filters agree."""
    found = clashes(question, filters, today)
    if not found:
        return ""
    info = parse_query(question, today)
    said = []
    if "year" in found:
        said.append(f"问题问的是{'、'.join(f'{y}年' for y in info.years)}，但年份筛选是{filters.year}年")
    if "level" in found:
        said.append(f"问题问的是{LEVELS.get(info.level, info.level)}，但层级筛选是{LEVELS.get(filters.level)}")
    if "region" in found:
        said.append(f"问题问的是{'、'.join(info.regions)}，但地区筛选是{filters.region}")
    return (f"问题和筛选条件不一致：{'；'.join(said)}。请问按哪个回答？"
            f"请点下方“{follow_question_label(found)}”或“按筛选条件”。")


def follow_question_label(found: list[str]) -> str:
    return "按问题中的" + "、".join({"year": "年份", "level": "层级", "region": "地区"}[f] for f in found)


def follow_question(question: str, filters: Filters, today: dt.date) -> Filters:
    """The filters with every one the question contradicts set back to “全部”."""
    found = clashes(question, filters, today)
    return replace(filters, year=None if "year" in found else filters.year,
                   level="" if "level" in found else filters.level,
                   region="" if "region" in found else filters.region)


def follow_filters(question: str, filters: Filters, today: dt.date) -> str:
    """The question re-worded to ask about the filters' year, level and place instead of its own."""
    found = clashes(question, filters, today)
    q = question
    if "year" in found:
        y = str(filters.year)
        q = re.sub(r"(?<!\d)20\d{2}(?!\d)", y, q)
        q = re.sub(r"(?<![\d〔])\d{2}(?=\s*年(?!度?\d))", y, q)
        q = re.sub(r"二[〇零]二[〇零一二三四五六七八九]", y, q)
        q = re.sub("|".join(RELATIVE_YEARS), f"{y}年", q)
    if "region" in found:
        for place in parse_query(question, today).regions:
            q = q.replace(place, filters.region)
    if "level" in found:
        asked = parse_query(question, today).level
        pattern = dict(LEVEL_WORDS).get(asked)
        if pattern:
            q = re.sub(pattern, _LEVEL_WORD.get(filters.level, ""), q)
    return q
