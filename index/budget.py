"""Per-file cost limits, checked before anything is embedded: at intake and again at ingest.

A notice many times longer than any real one (a 60 MB text file passes the byte limit) would
otherwise cost thousands of embedding batches and, if the ingest is killed, cost them again at
every restart. Such a file is refused; ingest also moves it out of corpus/ (index/ingest.py).
"""
from __future__ import annotations

from index.load import LoadError
from index.settings import Settings


class BudgetError(LoadError):
    """A file over the per-file budget; the reason is a Chinese sentence for CLI and UI alike."""


def check_chars(clean: str, settings: Settings) -> None:
    limit = settings.index.max_file_chars
    if limit and len(clean) > limit:
        raise BudgetError(f"文件过大：正文约 {len(clean):,} 字，超过单个文件上限 {limit:,} 字"
                          f"（设置项 ZLY_MAX_FILE_CHARS）；未编入索引。请拆分后再导入。")


def check_chunks(n_chunks: int, settings: Settings) -> None:
    limit = settings.index.max_file_chunks
    if limit and n_chunks > limit:
        raise BudgetError(f"文件过大：需切分为 {n_chunks:,} 个段落，超过单个文件上限 {limit:,} 个"
                          f"（设置项 ZLY_MAX_FILE_CHUNKS）；未编入索引。请拆分后再导入。")
