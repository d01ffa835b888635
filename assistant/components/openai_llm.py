"""Chat model behind any OpenAI-compatible endpoint (the only module importing openai).

Used for a shared model server (e.g. ``python -m llama_cpp.server``, vLLM, Ollama). The API key
is a SecretStr and is kept out of repr, log lines and error messages: errors are re-raised as
``LLMError`` with a plain message naming the base URL, without chaining the original
(whose text comes from the server and could echo the key).
"""
from __future__ import annotations

from typing import Iterator, NoReturn

import openai

from assistant.llm_error import LLMError, mask_secrets
from index.settings import Settings


class OpenAIChatModel:
    def __init__(self, settings: Settings):
        self.name = settings.llm.openai_model
        self.base_url = settings.llm.openai_base_url
        self._key = settings.llm.openai_api_key.get_secret_value()
        # Local servers need no key, but the client refuses an empty one.
        self._client = openai.OpenAI(base_url=self.base_url, api_key=self._key or "no-key",
                                     timeout=settings.llm.openai_timeout)

    def __repr__(self) -> str:
        return f"OpenAIChatModel({self.name!r}, base_url={self.base_url!r})"

    def _fail(self, e: Exception) -> NoReturn:
        status = getattr(e, "status_code", None)
        detail = f"HTTP {status}" if status else type(e).__name__
        msg = getattr(e, "message", "") or str(e)
        msg = mask_secrets(msg, self._key)
        raise LLMError(f"LLM server at {self.base_url} failed ({detail}): {msg[:300]}") from None

    def chat(self, messages: list[dict], *, max_tokens: int, temperature: float) -> str:
        try:
            out = self._client.chat.completions.create(model=self.name, messages=messages,
                                                       max_tokens=max_tokens, temperature=temperature)
        except openai.OpenAIError as e:
            self._fail(e)
        return out.choices[0].message.content or ""

    def stream(self, messages: list[dict], *, max_tokens: int, temperature: float) -> Iterator[str]:
        try:
            chunks = self._client.chat.completions.create(model=self.name, messages=messages, stream=True,
                                                          max_tokens=max_tokens, temperature=temperature)
            with chunks:  # closes the HTTP response if the consumer stops early
                for chunk in chunks:
                    if chunk.choices and chunk.choices[0].delta.content:
                        yield chunk.choices[0].delta.content
        except openai.OpenAIError as e:
            self._fail(e)
