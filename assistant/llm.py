"""Our one interface to a chat LLM, whatever serves it.

Callers (answer, draft, app) depend on ``ChatModel`` only. The concrete backends live in
``assistant.components`` and are imported lazily, so the core tool (extractive answerer)
runs without llama_cpp or openai being importable.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterator, Protocol, runtime_checkable

from assistant.llm_error import LLMError, mask_secrets, settings_secrets  # noqa: F401 - callers import them here
from index.settings import Settings

if TYPE_CHECKING:
    from langchain_core.runnables import RunnableLambda


@runtime_checkable
class ChatModel(Protocol):
    name: str  # shown in the UI and recorded in AnswerResult.model

    def chat(self, messages: list[dict], *, max_tokens: int, temperature: float) -> str: ...

    def stream(self, messages: list[dict], *, max_tokens: int, temperature: float) -> Iterator[str]: ...


def make_chat_model(settings: Settings) -> ChatModel | None:
    """The configured backend, or None for the extractive answerer (no LLM at all)."""
    if settings.answer.answerer == "extractive":
        return None
    try:
        if settings.answer.answerer == "llamacpp":
            from assistant.components.llamacpp_llm import LlamaCppChatModel
            return LlamaCppChatModel(settings)
        if settings.answer.answerer == "openai":
            from assistant.components.openai_llm import OpenAIChatModel
            return OpenAIChatModel(settings)
    except ImportError as e:  # the optional extra is missing: say how to get it
        raise LLMError(f"answerer {settings.answer.answerer!r} needs {e.name}: "
                       "pip install -r requirements-llm.txt") from e
    raise ValueError(f"unknown answerer {settings.answer.answerer!r}")


_ROLES = {"human": "user", "ai": "assistant", "system": "system", "user": "user", "assistant": "assistant"}


def to_messages(prompt) -> list[dict]:
    """Accept a prompt string, a list of role/content dicts, or LangChain messages / PromptValue."""
    if hasattr(prompt, "to_messages"):  # ChatPromptValue / StringPromptValue
        prompt = prompt.to_messages()
    if isinstance(prompt, str):
        return [{"role": "user", "content": prompt}]
    out = []
    for m in prompt:
        if isinstance(m, dict):
            out.append({"role": m["role"], "content": m["content"]})
        elif isinstance(m, tuple):  # ("human", "...") shorthand
            out.append({"role": _ROLES.get(m[0], m[0]), "content": m[1]})
        else:  # BaseMessage
            out.append({"role": _ROLES.get(m.type, "user"), "content": m.content})
    return out


def as_runnable(model: ChatModel, *, max_tokens: int = 384, temperature: float = 0.1) -> "RunnableLambda":
    """Wrap a ChatModel as a LangChain Runnable: ``prompt | as_runnable(m) | StrOutputParser()``.

    The wrapped function is a generator, so ``.stream()`` yields the model's pieces as they
    come and ``.invoke()`` returns them joined (RunnableLambda concatenates the chunks).
    """
    from langchain_core.runnables import RunnableLambda

    def _generate(prompt) -> Iterator[str]:
        yield from model.stream(to_messages(prompt), max_tokens=max_tokens, temperature=temperature)

    return RunnableLambda(_generate, name=model.name)
