"""What the assistant returns: the shapes the CLI JSON, the UI and the eval runner share."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from index.store import Context  # noqa: F401  (re-exported: the shape every layer shares)


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
    plan: dict | None = None  # the question plan (assistant/plan.py) the answer ran, when one was read

    def to_dict(self) -> dict:
        return asdict(self)
