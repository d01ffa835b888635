"""Recognise 公文 heading markers: 附件N, 一、, （一）, 1. — the skeleton every notice shares."""
from __future__ import annotations

import re

CN_NUM = "一二三四五六七八九十"
_PATTERNS = [
    (0, re.compile(r"^附件\s*\d{1,2}\s*$|^附件\s*\d{1,2}[：:]?\s*$")),
    (1, re.compile(rf"^[{CN_NUM}]{{1,3}}、")),
    (2, re.compile(rf"^（[{CN_NUM}]{{1,3}}）")),
    (3, re.compile(r"^\d{1,2}[.．、](?!\d)")),
]


def heading_level(line: str) -> int | None:
    """0 for 附件N, 1 for 一、, 2 for （一）, 3 for 1. ; None for body text."""
    for level, pattern in _PATTERNS:
        if pattern.match(line):
            return level
    return None


def heading_label(line: str) -> str:
    """The heading part of a line: "（一）标题。正文…" → "（一）标题"."""
    head = re.split(r"[。：:]", line, maxsplit=1)[0]
    return head if len(head) <= 40 else head[:40] + "…"
