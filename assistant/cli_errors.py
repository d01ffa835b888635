"""Every command line (assistant, drafting, eval) ends a failure with one line on stderr, no traceback.

An unreachable LLM endpoint or vector store is an everyday condition for a CLI user, not a bug
report: say which service and where, mask every secret (whatever its letter case), exit non-zero.
"""
from __future__ import annotations

import os
import sys
from typing import Callable

UNAVAILABLE = 3  # exit code: a service (LLM endpoint, vector store) is unavailable
FAILED = 1  # exit code: anything else


def describe(exc: BaseException) -> tuple[str, int]:
    """(one Chinese line naming what failed, exit code)."""
    from assistant.llm import LLMError

    try:
        from index.components.chroma_store import StoreUnavailable
    except ImportError:  # chromadb missing: then it cannot be the cause either
        StoreUnavailable = ()  # noqa: N806
    if isinstance(exc, LLMError):
        return f"语言模型不可用：{exc}", UNAVAILABLE
    if isinstance(exc, StoreUnavailable):
        return f"向量库不可用：{exc}", UNAVAILABLE
    if type(exc).__module__.split(".")[0] in ("chromadb", "httpx", "httpcore"):
        return f"向量库出错：{type(exc).__name__}: {exc}", UNAVAILABLE
    if isinstance(exc, OSError):
        return f"文件或系统错误：{exc}", FAILED
    return f"出错：{type(exc).__name__}: {exc}", FAILED


def _secrets() -> list[str]:
    from assistant.llm import settings_secrets
    from index.settings import Settings

    found = [os.environ.get("ZLY_OPENAI_API_KEY", "")]
    try:
        found += settings_secrets(Settings())
    except Exception:  # noqa: BLE001 — bad settings are what we may be reporting
        pass
    return found


def report(exc: BaseException, stream=None) -> int:
    from assistant.llm import mask_secrets

    text, code = describe(exc)
    line = " ".join(mask_secrets(text, *_secrets()).split())  # one line, whatever the message held
    print(f"错误：{line[:600]}", file=stream or sys.stderr)
    return code


def run_guarded(func: Callable[..., int], *args) -> int:
    """func(*args), with any failure turned into one stderr line and a non-zero exit code."""
    try:
        return func(*args)
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 — the one place a CLI failure becomes a message
        return report(exc)
