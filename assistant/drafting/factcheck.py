"""Fact check: every 文号, date, 届次 and number in a text must stand in one of its sources.

Used on every composed paragraph and table row (against the passages it cites) and again on
whatever an LLM polish returns. Comparison ignores whitespace, as the notices' own PDF/Word
spacing ("77 号") is noise. Text inside 【…】 placeholders and [S1] citation markers is not a
claim and is skipped.
"""
from __future__ import annotations

import re

from index.patterns import DOC_NO_TAIL

_PLACEHOLDER = re.compile(r"【[^【】]*】")
_MARKER = re.compile(r"\[S\d+\]")
# Numbering is structure, not a claim: "1." list items, "附件2", a Markdown table's 序号 cell.
_LIST_NUMBER = re.compile(r"(?m)(?:^|(?<=[：:]))\s*\d{1,2}[.．、](?!\d)|附件\s*\d{1,2}|^\|\s*\d{1,3}\s*(?=\|)")
_DATES = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日|\d{1,2}月\d{1,2}日|\d{4}年\d{1,2}月|\d{4}-\d{1,2}-\d{1,2}")
_EDITION = re.compile(r"第[一二三四五六七八九十百零〇\d]+届")
_NUMBER = re.compile(r"\d+(?:[.\-—–×/～~]\d+)*")
_WS = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _WS.sub("", text or "")


def claims(text: str) -> list[tuple[str, str]]:
    """(kind, value) for each checkable fact in `text`, in order."""
    text = _norm(_LIST_NUMBER.sub("", _MARKER.sub("", _PLACEHOLDER.sub("", text or ""))))
    found: list[tuple[str, str]] = []
    for kind, pattern in (("文号", DOC_NO_TAIL), ("日期", _DATES), ("届次", _EDITION)):
        for m in pattern.finditer(text):
            found.append((kind, m.group(0)))
        text = pattern.sub("　", text)  # a checked fact's digits are not checked again as numbers
    for m in _NUMBER.finditer(text):
        found.append(("数字", m.group(0)))
    return found


def _number_in(value: str, source: str) -> bool:
    return re.search(rf"(?<!\d){re.escape(value)}(?!\d)", source) is not None


def fact_check(text: str, sources: list[str]) -> list[str]:
    """Problems found: one message per unsupported 文号 / date / 届次 / number (empty = clean)."""
    joined = [_norm(s) for s in sources if s]
    problems = []
    for kind, value in claims(text):
        if kind == "数字":
            ok = any(_number_in(value, s) for s in joined)
        else:
            ok = any(value in s for s in joined)
        if not ok:
            problems.append(f"未在引用来源中找到的{kind}：{value}")
    return list(dict.fromkeys(problems))
