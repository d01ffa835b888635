"""The data a draft is made of: blocks (what the plan says, in order) and the citations behind them.

Markdown and Word are two renderings of the same block list, so they can never disagree.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SourceNote:
    n: int  # the [S<n>] marker in the Markdown
    item: str  # which part of the draft: "三、活动内容（二）", "附件2 第3行" …
    source: str  # corpus file name (or the template's file name)
    title: str
    doc_no: str
    section: str
    text: str  # the passage as it stands in the source

    def as_dict(self) -> dict:
        return {"n": self.n, "item": self.item, "source": self.source, "title": self.title,
                "doc_no": self.doc_no, "section": self.section, "text": self.text}


@dataclass
class Block:
    """One unit of the plan.

    kind: note | masthead | doc_no | title | addressee | para | heading1 | heading2 | item
          (a paragraph that opens with its own inline heading, 「（一）高度重视。正文…」) |
          slogan | attachment_list | signature | attachment (page break + 附件N label) |
          attachment_title | table
    """
    kind: str
    text: str = ""
    head: str = ""  # inline heading of an `item`
    cites: list[int] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)  # table only
    rows: list[list[str]] = field(default_factory=list)  # table only
    row_cites: list[list[int]] = field(default_factory=list)
    polishable: bool = False  # body prose an LLM may rephrase (never headings, theme, slogans, tables)


@dataclass
class PlanDraft:
    locality: str
    year: int
    year_used: int
    level: str  # county | city
    blocks: list[Block] = field(default_factory=list)
    citation_list: list[SourceNote] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    sources_used: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    template_source: str = ""
    facts: list[str] = field(default_factory=list)  # passages any part may rest on (活动时间)

    @property
    def markdown(self) -> str:
        from assistant.drafting.export import to_markdown

        return to_markdown(self)

    @property
    def review_markdown(self) -> str:
        """送审核对表: every cited item with its notice, 文号, section and quoted text."""
        from assistant.drafting.export import review_markdown

        return review_markdown(self)

    @property
    def unsupported(self) -> list[str]:
        """Fact-check findings only (the other flags are review notes, e.g. dropped old rows)."""
        return [f for f in self.flags if f.startswith("事实核对：")]

    @property
    def citations(self) -> list[dict]:
        return [c.as_dict() for c in self.citation_list]

    def cite(self, item: str, source: str, title: str, doc_no: str, section: str, text: str) -> int:
        for c in self.citation_list:  # one number per passage, however often it is used
            if c.source == source and c.section == section and c.text == text:
                return c.n
        c = SourceNote(len(self.citation_list) + 1, item, source, title, doc_no, section, text)
        self.citation_list.append(c)
        return c.n
