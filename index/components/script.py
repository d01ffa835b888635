"""Traditional → simplified characters, for matching only (opencc-purepy's t2s dictionary).

Users upload pages from mirror sites and Hong Kong/Taiwan reprints written in traditional
characters; staff ask in simplified ones. Search tokens, embeddings and the answerer's word
matching see both sides through this one table, while quotes and citations keep the text as
written. Character by character (not phrase by phrase) so a text keeps its length and jieba's
word offsets stay valid; a character that both scripts use differently (著, 乾) is mapped the same
way on both sides, so matching is unaffected.
"""
from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _table() -> dict[int, str]:
    from opencc_purepy import OpenCC

    chars = "".join(chr(i) for i in range(0x4E00, 0xA000))
    converted = OpenCC("t2s").convert(chars)
    return {ord(a): b for a, b in zip(chars, converted) if a != b and len(b) == 1}


def to_simplified(text: str) -> str:
    return text.translate(_table()) if text else text
