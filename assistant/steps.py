"""The typed values that flow between the answer chain's steps (assistant/pipeline.py):

    Question → Standalone → Retrieved → AnswerResult (assistant/results.py)

Each step takes one and returns the next, never mutating its input, so a step can be
run, tested or replaced on its own, and `Assistant.chain.input_schema` says what it takes.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from assistant.plan import Plan
from assistant.retrieve import Filters, Retrieval


@dataclass(frozen=True)
class Question:
    """What the user asked, the earlier questions of the conversation, and the UI's filters."""
    question: str
    history: list[str] = field(default_factory=list)
    filters: Filters | None = None
    started: float = field(default_factory=time.perf_counter)  # latency is measured from here

    @classmethod
    def of(cls, value: Question | dict | str) -> Question:
        """The chain's input: a Question, a dict of its fields ({"question": …, "history": […]}) or a string."""
        if isinstance(value, Question):
            return value
        if isinstance(value, str):
            return cls(question=value)
        return cls(**value)


@dataclass(frozen=True)
class Standalone:
    """The question made standalone (a follow-up rewritten) and, when one was read, its plan."""
    asked: Question
    text: str
    plan: Plan | None = None


@dataclass(frozen=True)
class Retrieved:
    """The standalone question with the passages found for it."""
    asked: Question
    standalone: str
    plan: Plan | None
    retrieval: Retrieval
