"""Structure-aware chunking along 公文 headings.

A notice is read line by line (after `clean_text`), keeping the heading path
(附件N > 一、 > （一）). Each （一）-level item or paragraph becomes a chunk, list
items (1. 2. …) under one heading are kept together, table rows become one
chunk each (with the table's header row for context), tiny pieces are merged
with their siblings and long ones are split at sentence ends.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.headings import heading_level, heading_label
from index.metadata import masthead_lines
from index.patterns import DATE_LINE, DOC_NO, PUBLIC_MARK

_SENTENCE = re.compile(r"(?<=[。！？；])")


@dataclass
class Chunk:
    text: str  # the passage as it stands in the (cleaned) notice
    section: str  # heading path, " > " separated
    kind: str  # masthead | text | list | table_row
    order: int = 0
    header: str = ""  # table header row (tab-separated) for table_row chunks
    part: dict = field(default_factory=dict)  # metadata of an attached notice (a forwarded 通知)


@dataclass
class _Block:
    path: list[str]
    lines: list[str]
    kind: str
    header: str = ""
    part: dict = field(default_factory=dict)
    bare: bool = False  # a heading line alone so far ("二、活动主题"), waiting for its paragraph


def _attachment_list(lines: list[str]) -> dict[str, str]:
    """"附件：1. 标题 / 2. 标题" in the body → {"1": "标题", …} to label attachments."""
    found, active = {}, False
    for line in lines:
        if line.startswith("附件：") or line.startswith("附件:"):
            active, line = True, line[3:].strip()
        elif active and not re.match(r"^\d{1,2}[.．、]", line):
            active = False
        if active:
            m = re.match(r"^(\d{1,2})[.．、]\s*(.+)$", line)
            if m:  # the first list is the notice's own; a forwarded notice has a second one
                found.setdefault(m.group(1), m.group(2))
    return found


def _part_meta(label: str) -> dict:
    """A forwarded notice (or a national list, e.g. 全国口号) attached in full carries its own level and 文号."""
    if "通知" not in label and "全国" not in label:
        return {}
    meta = {}
    if no := DOC_NO.search(label):
        meta["doc_no"] = no.group(0)
    if "全国" in label or "国家" in label or "总局" in label:
        meta["level"], meta["region"] = "national", "全国"
    if year := re.search(r"(20\d{2})年", label):
        meta["year"] = int(year.group(1))
    return meta


def _blocks(lines: list[str]) -> list[_Block]:
    attachments = _attachment_list(lines)
    blocks: list[_Block] = []
    path: dict[int, str] = {}
    part: dict = {}
    header = ""
    expect_attachment_title = False
    after_public_mark = False

    def current() -> list[str]:
        return [path[k] for k in sorted(path)]

    for line in lines:
        level = heading_level(line)
        if PUBLIC_MARK.match(line):
            after_public_mark = True
            continue
        if after_public_mark and level != 0 and 0 not in path:
            # Text after "（此件主动公开）" with no 附件N heading: the forwarded notice itself.
            label = "附件1 " + attachments.get("1", "") if attachments else "附件"
            path, part = {0: label.strip()}, _part_meta(label)
        after_public_mark = False
        if level == 0:
            number = re.sub(r"\D", "", line)
            path, part, header = {0: f"附件{number}"}, {}, ""
            expect_attachment_title = True
            continue
        if expect_attachment_title and level is None and "\t" not in line and len(line) <= 60:
            path[0] += " " + line  # "附件1" + "2025年“质量月”主要活动安排"
            part = _part_meta(path[0])
            expect_attachment_title = False
            continue
        expect_attachment_title = False
        if "\t" in line:
            if line.startswith("序号") or not re.match(r"^\d", line):
                header = line
                continue
            blocks.append(_Block(current(), [line], "table_row", header, part))
            continue
        if level in (1, 2):
            for deeper in [k for k in path if k >= level]:
                del path[deeper]
            path[level] = heading_label(line)
            bare = line == path[level] and not line.endswith("。")
            blocks.append(_Block(current(), [line], "text", part=part, bare=bare))
            continue
        if line.startswith(("附件：", "附件:")):
            blocks.append(_Block(current(), [line], "list", part=part))  # the 附件 list stays together
            continue
        if level == 3 or _is_list_line(line):
            last = blocks[-1] if blocks else None
            if last and last.path == current() and (last.kind == "list" or last.bare):
                last.lines.append(line)
                last.kind, last.bare = "list", False
            else:
                blocks.append(_Block(current(), [line], "list", part=part))
            continue
        last = blocks[-1] if blocks else None
        if last and last.bare and last.path == current():
            last.lines.append(line)  # the paragraph right under a bare heading
            last.bare = False
        else:
            blocks.append(_Block(current(), [line], "text", part=part))
    # A bare section title followed directly by its sub-items carries no text of its own.
    return [b for b in blocks if not b.bare]


def _is_list_line(line: str) -> bool:
    # "主题：…", "口号：" lines of a slogan attachment belong with the list they introduce.
    return bool(re.match(r"^(主\s*题|口\s*号)[：:]", line))


def _split_long(text: str, max_chars: int) -> list[str]:
    """Split at line ends, and inside over-long lines at sentence ends (。！？；)."""
    if len(text) <= max_chars:
        return [text]
    units: list[tuple[str, bool]] = []  # (text, starts a new line)
    for line in text.split("\n"):
        parts = [line] if len(line) <= max_chars else [u for u in _SENTENCE.split(line) if u]
        units.extend((part, i == 0) for i, part in enumerate(parts))
    pieces, current = [], ""
    for unit, new_line in units:
        joined = current + ("\n" if current and new_line else "") + unit
        if current and len(joined) > max_chars:
            pieces.append(current)
            current = unit
        else:
            current = joined
    if current:
        pieces.append(current)
    return pieces


def chunk_notice(clean: str, max_chars: int = 420, min_chars: int = 60) -> list[Chunk]:
    lines = [l for l in clean.split("\n") if l.strip()]
    head = masthead_lines(lines)
    body_start = len(head)
    chunks: list[Chunk] = []
    if body_start:
        signature = _signature(lines)
        chunks.append(Chunk("\n".join(head + signature), "版头", "masthead"))
    merged: list[_Block] = []
    for block in _blocks(lines[body_start:]):
        prev = merged[-1] if merged else None
        small = sum(map(len, block.lines)) < min_chars
        if (prev and small and prev.kind != "table_row" and block.kind != "table_row" and prev.path == block.path
                and sum(map(len, prev.lines)) + sum(map(len, block.lines)) <= max_chars):
            prev.lines.extend(block.lines)
            prev.kind = "list" if "list" in (prev.kind, block.kind) else prev.kind
        else:
            merged.append(block)
    for block in merged:
        section = " > ".join(block.path) or "正文"
        for piece in _split_long("\n".join(block.lines), max_chars):
            chunks.append(Chunk(piece, section, block.kind, header=block.header, part=block.part))
    for i, chunk in enumerate(chunks):
        chunk.order = i
    return chunks


def _signature(lines: list[str]) -> list[str]:
    """落款: issuing body and 成文日期 (the first date line and the name lines above it)."""
    for i, line in enumerate(lines):
        if DATE_LINE.match(line):
            top = i
            while top > 0 and i - top < 12 and len(lines[top - 1]) <= 40 and heading_level(lines[top - 1]) is None \
                    and not lines[top - 1].endswith(("。", "）")):
                top -= 1
            return lines[top:i + 1]
    return []
