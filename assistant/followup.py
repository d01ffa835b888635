"""Follow-up questions rewritten into standalone ones (placeholder: rules come with the conversation issue)."""
from __future__ import annotations

from index.settings import Settings


def rewrite_question(question: str, history: list[str], settings: Settings) -> str:
    return question
