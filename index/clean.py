"""Repair the mess real notices arrive with, before metadata and chunking.

- markdown: `#` headings, `**emphasis**`, `- ` bullets are markup, not text;
- page breaks: a sentence cut at the end of a page continues after blank lines
  (or after a lone page number / page header), so lines are re-joined when the
  first one stops mid-sentence;
- tables stay one row per line, cells separated by tabs (a table pasted one
  cell per line is put back into rows); header rows repeated on every page are dropped;
- spacing: "2025 年" / "77 号" (PDF/Word export artefacts) lose the space between
  digits and CJK, OCR's "2 5 个部门" / "质 量 月" are joined, ASCII parentheses around heading numerals become full-width;
- web pages: a headline is not joined to the source/time line under it; pinyin a mirror site
  writes after each character ("质(zhì)量") is dropped.
"""
from __future__ import annotations

import re

from index.headings import heading_label, heading_level
from index.patterns import BYLINE, DOC_NO, NAVIGATION

CJK = r"\u3400-\u9fff"
_SENTENCE_END = tuple("。！？；：!?;:…”’）)】》>")
_PAGE_NOISE = re.compile(r"^(?:[-—–\s]*\d{1,3}[-—–\s]*|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)$")


def strip_markdown(line: str) -> str:
    line = re.sub(r"^\s{0,3}#{1,6}\s*", "", line)
    line = re.sub(r"^\s*[-*+]\s+(?=\S)", "", line)
    line = line.replace("**", "").replace("__", "")
    line = re.sub(r"<(https?://[^>\s]+)>", r"\1", line)
    return line


def normalise_spacing(line: str) -> str:
    if "\t" in line:
        cells = [normalise_spacing(c) for c in line.split("\t")]
        return "\t".join(cells).strip("\t ")
    line = line.replace("\u3000", " ").replace("\xa0", " ")
    # OCR spacing: "2 5 个部门", "质 量 月" — runs of single digits or single characters, one space apart
    line = re.sub(r"(?<![\d.])\d(?: \d)+(?![\d.])", lambda m: m.group(0).replace(" ", ""), line)
    line = re.sub(rf"(?<![{CJK}])[{CJK}](?: [{CJK}]){{2,}}(?![{CJK}])", lambda m: m.group(0).replace(" ", ""), line)
    line = re.sub(rf"(?<=\d)\s+(?=[{CJK}〕号])|(?<=[{CJK}〔])\s+(?=\d)", "", line)
    line = re.sub(rf"(?<=[{CJK}，。、：；“”《》（）])\s+(?=[，。、：；“”《》（）])", "", line)
    line = re.sub(rf"(?<=[，。、：；“”《》（）])\s+(?=[{CJK}])", "", line)
    # "(六)" → "（六）" at a line's start so headings look alike whatever the source editor did;
    # punctuation inside sentences stays as written: answers quote it
    line = re.sub(r"^\(([一二三四五六七八九十]{1,3})\)", r"（\1）", line)
    line = re.sub(r"^(（[一二三四五六七八九十]{1,3}）)\s+", r"\1", line)
    line = re.sub(r" {2,}", "  ", line)  # keep double spaces: themes use them as separators
    return line.strip()


# Pinyin a mirror site writes after each character: "质(zhì)量" (a tone mark tells it from a "(a)").
_PINYIN = re.compile(r"(?<=[\u3400-\u9fff])\([a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*\)")
# A 政府信息公开 header row ("索引号: … 发布机构: …"): a block of its own, never part of a sentence.
_HEADER_LINE = re.compile(r"(?:索\s*引\s*号|发布机构|信息类别|公开方式)\s*[:：]")
_TIMESTAMP = re.compile(r"\d{4}-\d{1,2}-\d{1,2}\s*\d{1,2}:\d{2}")
_DATE_ONLY = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|^\d{4}-\d{1,2}-\d{1,2}\b")
# A line ending like a 公文 title is whole: a letter's "…的函" is not cut off by a page break.
_TITLE_END = ("通知", "方案", "文件", "函", "意见", "决定", "通告", "公告", "通报", "倡议书", "计划", "要点")


# Where a web page's own text ends and its frame begins: links to the next article, the site's
# "contact us" block (its phone is the site's, not the notice's), copyright and ICP lines.
_PAGE_END = re.compile(r"^(?:上一篇|下一篇|上一条|下一条)\s*[:：]|^(?:与我们联系|联系我们|相关链接|相关新闻|相关阅读)$"
                       r"|Copyright|版权所有|ICP备")


def _drop_page_footer(lines: list[str]) -> list[str]:
    """Cut a web page's footer: from its first end-of-article line on, when only a few lines follow."""
    for i, line in enumerate(lines):
        if i >= 2 and _PAGE_END.search(line) and len(lines) - i <= 15:
            return lines[:i]
    return lines


def _is_name_list(line: str) -> bool:
    """A 落款 line of several issuing bodies: "市场监管总局 中央宣传部 最高人民法院"."""
    names = line.split()
    return len(names) >= 2 and all(len(n) <= 12 for n in names)


def _is_web_furniture(line: str) -> bool:
    """A short line of a web page's frame: "来源: …", a time stamp, a photo credit."""
    return len(line) <= 60 and bool(NAVIGATION.search(line) or BYLINE.search(line) or _TIMESTAMP.search(line))


def _continues(prev: str, nxt: str) -> bool:
    """True when `nxt` is the rest of a sentence cut off at the end of `prev`."""
    if not prev or not nxt or "\t" in prev or "\t" in nxt:
        return False
    if prev.endswith(_SENTENCE_END) or prev.endswith(_TITLE_END):
        return False
    if DOC_NO.fullmatch(nxt.replace(" ", "")) or DOC_NO.fullmatch(prev.replace(" ", "")):
        return False
    if heading_level(nxt) is not None or re.match(r"^(附件|联系人|电\s*话|邮\s*箱|传\s*真)", nxt):
        return False
    if _DATE_ONLY.match(nxt) or _is_name_list(prev):
        return False
    if any(_is_web_furniture(line) or _HEADER_LINE.search(line) for line in (prev, nxt)):
        return False  # a web page's source/time/photo line sits between its headline and body
    # A list item or bare heading is a whole line; only running text gets cut by a page break.
    level = heading_level(prev)
    if (level == 3 or prev.startswith("附件")) and len(prev) < 60:
        return False
    if level in (1, 2) and prev == heading_label(prev):
        return False  # a bare heading line ("一、活动主题"), not running text
    # Short lines are titles, salutations or signatures, not sentences cut by a page break.
    return len(prev) >= 24


def _dedupe_table_headers(lines: list[str]) -> list[str]:
    seen_headers: set[str] = set()
    out = []
    for line in lines:
        if "\t" in line and line.startswith("序号"):
            if line in seen_headers:
                continue
            seen_headers.add(line)
        out.append(line)
    return out


def _rejoin_cell_tables(lines: list[str]) -> list[str]:
    """A table pasted one cell per line ("序号" / "活动名称" / "时间" / "牵头单位" / "1" / …) becomes one
    tab-separated row per line again: the header is the run of short lines from 序号 to the first "1",
    and each row starts with the next number."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        if lines[i] != "序号":
            out.append(lines[i])
            i += 1
            continue
        j = i + 1
        while j < len(lines) and lines[j] != "1" and len(lines[j]) <= 10 and j - i < 12:
            j += 1
        width = j - i
        if width < 3 or j >= len(lines) or lines[j] != "1":
            out.append(lines[i])
            i += 1
            continue
        out.append("\t".join(lines[i:j]))
        k, n = j, 1
        while k + width <= len(lines) and lines[k] == str(n):
            out.append("\t".join(lines[k:k + width]))
            k, n = k + width, n + 1
        i = k
    return out


def clean_text(raw: str) -> str:
    """Return cleaned text: one paragraph, heading or table row per line."""
    raw = _PINYIN.sub("", raw.replace("\r\n", "\n"))
    lines = [normalise_spacing(strip_markdown(l.rstrip())) for l in raw.split("\n")]
    lines = _rejoin_cell_tables(_drop_page_footer([line for line in lines if line]))  # before its row numbers read as page numbers
    lines = [l for l in lines if not _PAGE_NOISE.match(l)]
    merged: list[str] = []
    for line in lines:
        if not line:
            continue
        headline = len(merged) == 1 and len(merged[0]) <= 60 and not re.search(r"[，,。；;]", merged[0]) \
            and len(line) > 60  # a page's headline over its first paragraph, not a sentence cut short
        if merged and not headline and _continues(merged[-1], line):
            merged[-1] = merged[-1] + line
        else:
            merged.append(line)
    return "\n".join(_dedupe_table_headers(merged)) + "\n"
