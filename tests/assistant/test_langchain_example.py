"""The README's LangChain example, run exactly as written, on the real index of the real corpus."""
from __future__ import annotations

import contextlib
import csv
import io
import re
from pathlib import Path

from assistant.results import AnswerResult

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_example() -> str:
    text = README.read_text("utf-8")
    return re.search(r"<!-- langchain-example.*?-->\n```python\n(.*?)```", text, re.S).group(1)


def test_readme_langchain_example_runs_on_the_real_index(built_index, monkeypatch):
    monkeypatch.setenv("ZLY_DATA_DIR", str(built_index.index.data_dir))
    monkeypatch.setenv("ZLY_CORPUS_DIR", str(built_index.index.corpus_dir))
    namespace: dict = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(readme_example(), str(README), "exec"), namespace)  # noqa: S102 — our own README
    docs, result = namespace["docs"], namespace["result"]
    assert docs and docs[0].metadata["year"] == 2025 and "质量" in docs[0].page_content
    assert {"source", "title", "doc_no", "section", "chunk_id", "score"} <= set(docs[0].metadata)
    assert isinstance(result, AnswerResult) and result.answerable and result.citations
    with open(built_index.index.corpus_dir / "_catalogue.csv", encoding="utf-8-sig") as f:
        provincial = {r["file"] for r in csv.DictReader(f) if r["level"] == "provincial" and r["year"] == "2025"}
    assert {c.source for c in result.citations} <= provincial  # the follow-up was read as the province's notice
    assert result.answer.split("[")[0] in out.getvalue()
