"""The short (CI) variant of the chat soak: bench/load_chat.py --ci as a real subprocess.

5 gradio_client sessions × 20 s against the real app on 127.0.0.1, one upload re-indexing
meanwhile; zero errors, every answer built from one committed snapshot, bounded p95.
The 5-minute, 20-session soak is the same script without --ci (see bench/load_chat.py).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "load_chat.py"
MAX_P95 = 120.0  # s; generous: a loaded 2-core CI box, answers queued behind one another

pytestmark = pytest.mark.slow


def test_short_chat_soak_has_no_errors(tmp_path):
    out = tmp_path / "load_chat.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for key in ("ZLY_CORPUS_DIR", "ZLY_DATA_DIR", "ZLY_HOST", "ZLY_AUTH_USERS"):
        env.pop(key, None)
    proc = subprocess.run([sys.executable, str(SCRIPT), "--ci", "--out", str(out), "--max-p95", str(MAX_P95)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    report = proc.stdout + "\n" + proc.stderr[-4000:]
    assert out.exists(), report
    figures = json.loads(out.read_text("utf-8"))
    print(proc.stdout)
    assert figures["errors"] == 0, figures["error_samples"]
    assert figures["inconsistent_answers"] == 0, figures["inconsistency_samples"]
    assert figures["requests"] >= figures["sessions"] and figures["answered"] == figures["requests"]
    assert figures["answers_checked"] >= figures["answered"]
    assert figures["uploads"] and all(u["ok"] for u in figures["uploads"])
    assert figures["snapshots_seen"] >= 2  # the upload really committed a new index mid-run
    assert figures["latency_s"]["p95"] <= MAX_P95
    assert figures["host"] == "127.0.0.1"
    assert proc.returncode == 0, report
    assert "Traceback" not in proc.stderr, proc.stderr[-4000:]


# ------------------------------------------------------------------ one answer, one snapshot (deterministic)


def test_answer_is_built_from_one_snapshot_across_a_commit(tmp_path, embeddings):
    import datetime as dt
    import shutil

    from assistant.pipeline import Assistant
    from index.ingest import ingest
    from index.reader import IndexReader
    from index.settings import Settings
    from index.snapshot import Snapshot

    settings = Settings(corpus_dir=tmp_path / "corpus", data_dir=tmp_path / "data", today=dt.date(2025, 9, 1))
    settings.index.corpus_dir.mkdir()
    notice = settings.index.corpus_dir / "2023-yongan-county-plan.txt"
    shutil.copyfile(ROOT / "corpus" / notice.name, notice)
    ingest(settings, show_progress=False, embeddings=embeddings)
    assistant = Assistant(settings, reader=IndexReader(settings, embeddings=embeddings))
    old = set(Snapshot.load(settings.index.index_dir).chunks)

    answer_from, run_plan = assistant.answerer.answer, assistant.executor.run

    def reindex() -> None:  # retrieval came from the old index; now a re-index commits …
        if "（修订）" not in notice.read_text("utf-8"):
            notice.write_text(notice.read_text("utf-8") + "\n（修订）\n", encoding="utf-8")
            ingest(settings, show_progress=False, embeddings=embeddings)

    def reindex_then_answer(question, retrieval):
        reindex()
        return answer_from(question, retrieval)  # … before the answer is composed (siblings, masthead, outline)

    def reindex_then_plan(plan):  # the facts' path reads the index too (facts, the chunks holding them)
        reindex()
        return run_plan(plan)

    assistant.answerer.answer, assistant.executor.run = reindex_then_answer, reindex_then_plan
    result = assistant.ask("2023年永安市质量月有哪些活动？")  # a list answer: pulls in the section's sibling chunks
    new = set(Snapshot.load(settings.index.index_dir).chunks)
    assert not old & new  # every chunk id of the revised notice changed
    used = {c.chunk_id for c in result.contexts} | {c.chunk_id for c in result.citations}
    assert result.citations
    assert used <= old or used <= new, "the answer mixes the old and the new index"
