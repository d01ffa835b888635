"""HTML to plain text — the only module that imports bs4.

Keeps what a reader sees (headings, paragraphs, list items, table rows) as lines;
drops what they don't (scripts, styles, navigation, hidden elements, comments).
Hidden text matters beyond tidiness: it is a classic place to plant instructions
aimed at the assistant.
"""
from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString, Tag


INVISIBLE_TAGS = [
    "script", "style", "noscript", "template", "nav", "iframe", "object", "embed",
    "svg", "canvas", "head", "button", "select", "input", "textarea",
]
BLOCK_TAGS = [
    "p", "div", "section", "article", "main", "header", "footer", "aside", "address",
    "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "ul", "ol",
    "dl", "figure", "figcaption", "caption", "center", "hr", "tr", "td", "th", "table", "form",
    "fieldset",
]
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_SPACES = re.compile(r"[ \t\r\n\f\xa0]+")
# Source line wraps inside Chinese text are not spaces (CSS drops them between CJK characters too).
_CJK_WRAP = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])[ \t\r\n\f]*\n[ \t\r\n\f]*(?=[\u3000-\u9fff\uff00-\uffef])")


def read_html(markup: str) -> str:
    """``markup`` is the page's text, already decoded by index.load."""
    soup = BeautifulSoup(markup, "lxml")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    _drop_invisible(soup)
    _collapse_whitespace(soup)
    # Tables holding tables are page layout (old government sites): their cells become
    # blocks. Only innermost tables are data and become tab-separated rows.
    for table in [t for t in soup.find_all("table") if t.find("table") is None]:
        table.replace_with(NavigableString("\n" + "\n".join(_table_rows(table)) + "\n"))
    for br in soup.find_all("br"):
        br.replace_with(NavigableString("\n"))
    for tag in soup.find_all(BLOCK_TAGS):
        tag.insert_before(NavigableString("\n"))
        tag.insert_after(NavigableString("\n"))
    lines = [line.strip(" \u3000") for line in soup.get_text().split("\n")]
    lines = [line for line in lines if line.strip()]
    if title and title not in lines:
        lines.insert(0, title)
    return "\n".join(lines)


def _drop_invisible(soup: BeautifulSoup) -> None:
    # get_text() would already skip comments and script strings; removing them makes sure.
    for node in soup.find_all(string=lambda s: type(s) is not NavigableString):
        node.extract()
    for tag in soup.find_all(INVISIBLE_TAGS):
        if not tag.decomposed:
            tag.decompose()
    for tag in soup.find_all(_is_hidden):
        if not tag.decomposed:
            tag.decompose()


def _is_hidden(tag: Tag) -> bool:
    return tag.has_attr("hidden") or bool(_HIDDEN_STYLE.search(tag.get("style", "") or ""))


def _collapse_whitespace(soup: BeautifulSoup) -> None:
    # Outside <pre>, source newlines and indentation are just layout.
    for node in soup.find_all(string=True):
        if node.find_parent("pre") is None:
            node.replace_with(NavigableString(_SPACES.sub(" ", _CJK_WRAP.sub("", str(node)))))


def _table_rows(table: Tag) -> list[str]:
    rows = []
    caption = table.find("caption")
    if caption and caption.get_text(strip=True):
        rows.append(caption.get_text(" ", strip=True))
    for tr in table.find_all("tr"):
        cells = []
        for cell in tr.find_all(["td", "th"]):
            cells.append(" ".join(cell.get_text(" ").split()))
            cells.extend([""] * (_colspan(cell) - 1))  # keep columns aligned with the header
        if any(cells):
            rows.append("\t".join(cells))
    return rows


def _colspan(cell: Tag) -> int:
    try:
        return max(1, min(int(cell.get("colspan", 1)), 50))
    except (TypeError, ValueError):
        return 1
