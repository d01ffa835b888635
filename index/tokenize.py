"""Chinese tokens for BM25 and overlap scoring: jieba's search-mode cut with a 公文 user dictionary.

Traditional characters are read as simplified ones (index/components/script.py)."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import logging

import jieba
import jieba.posseg

from index.components.script import to_simplified
from index.settings import get_settings

jieba.setLogLevel(logging.WARNING)

USERDICT = Path(__file__).with_name("userdict.txt")
# Question words and particles say nothing about which passage answers.
STOPWORDS = set("的 了 是 在 和 与 及 等 有 个 吗 呢 吧 啊 呀 么 什么 哪些 哪个 哪 几 多少 怎么 如何 请问 一下 "
                "那 那么 这 这个 那个 我们 我 你 您 它 他们 里 中 对 要 将 把 被 从 为 以 就 也 都 还 "
                "请 告诉 帮 说 说说 呢 啥 谁 是不是 有没有 一共 分别".split())
_KEEP = re.compile(r"[\w\u3400-\u9fff]")


@lru_cache(maxsize=1)
def _tokenizer() -> jieba.Tokenizer:
    tk = jieba.Tokenizer()
    # jieba caches its dictionary in the system temp dir by default; keep it with our other model files
    cache_dir = get_settings().index.models_dir / "jieba"
    cache_dir.mkdir(parents=True, exist_ok=True)
    tk.tmp_dir = str(cache_dir)
    tk.load_userdict(str(USERDICT))
    return tk


def cut(text: str) -> list[str]:
    """jieba's accurate-mode words, unchanged (their lengths add up to the text's)."""
    return list(_tokenizer().cut(to_simplified(text or ""), HMM=True))


def tokens(text: str) -> list[str]:
    """Search-mode tokens, lower-cased, without punctuation and stopwords."""
    out = []
    for tok in _tokenizer().cut_for_search(to_simplified(text or "")):
        tok = tok.strip().lower()
        if tok and _KEEP.search(tok) and tok not in STOPWORDS:
            out.append(tok)
    return out


@lru_cache(maxsize=1)
def _pos_tokenizer() -> jieba.posseg.POSTokenizer:
    return jieba.posseg.POSTokenizer(_tokenizer())


def pos_tokens(text: str) -> list[tuple[str, str]]:
    """(word, part of speech) pairs, to tell content words from colloquial filler."""
    return [(p.word, p.flag) for p in _pos_tokenizer().cut(to_simplified(text or "")) if p.word.strip()]
