"""What the assistant returns: the shapes the CLI JSON, the UI and the eval runner share."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Context:
    """One retrieved chunk, in rank order."""
    chunk_id: str
    source: str  # file name inside corpus/
    title: str
    doc_no: str  # 文号, "" when the notice has none
    section: str  # heading path, e.g. "三、活动安排 > （四）加大质量安全监管力度"
    text: str
    score: float
    year: int | None = None
    level: str = ""
    region: str = ""
    header: str = ""  # the table's header row, for a table-row chunk
    kind: str = ""  # masthead | text | list | table_row

    def evidence_text(self) -> str:
        """What a citation of this chunk may be checked against."""
        return f"{self.section}\n{self.header}\n{self.text}"


@dataclass
class Citation:
    n: int  # the [n] marker in the answer
    source: str
    title: str
    doc_no: str
    section: str
    text: str  # the quoted passage that supports the cited sentence
    chunk_id: str = ""


@dataclass
class AnswerResult:
    question: str
    answer: str
    answerable: bool
    citations: list[Citation] = field(default_factory=list)
    contexts: list[Context] = field(default_factory=list)
    answerer: str = ""
    model: str = ""
    latency_ms: float = 0.0
    rewritten_question: str = ""  # the standalone question actually searched (follow-ups)
    flags: list[str] = field(default_factory=list)  # e.g. removed unsupported citations

    def to_dict(self) -> dict:
        return asdict(self)
