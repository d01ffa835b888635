"""The error every chat-model backend raises, in a module of its own so the backends in
assistant.components can raise it without importing assistant.llm (which imports them)."""
from __future__ import annotations


class LLMError(RuntimeError):
    """A backend failed. The message is safe to show and to log (no secrets)."""
