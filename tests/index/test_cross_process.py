"""One process answers while another commits: the app keeps answering after a CLI add/ingest.

The first process (this test) holds an `Assistant` over a real on-disk index and has already
answered from it, so its Chroma client, views and caches are warm. A second process,
`python -m assistant add FILE` / `ingest`, adds, changes and deletes a notice. The first one then
asks about that notice's year and must answer from the new snapshot: Chroma keeps one in-memory
index per path and process and never re-reads what another process wrote (reading a new vector
through the stale client fails with "Error finding id"), so the read side must reopen it.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.pipeline import Assistant
from index.components.chroma_store import ChromaVectorStore
from index.ingest import ingest
from index.reader import IndexReader
from index.settings import Settings
from index.snapshot import Snapshot

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
BASE = ["2025-national-samr-notice.txt", "2024-fujian-provincial-notice.txt"]
COUNTY = "2023-yongan-county-plan.txt"  # its year, 2023, is in no base file
QUESTION = "2023年永安市质量月活动的主题是什么？"
NEW_THEME = "青山质量 万家安心"  # invented: can only come from the edited file


def run_cli(settings: Settings, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ZLY_CORPUS_DIR": str(settings.index.corpus_dir), "ZLY_DATA_DIR": str(settings.index.data_dir),
           "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "assistant", *args, "--quiet"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    return proc


def theme_line(text: str) -> str:
    lines = [l for l in text.splitlines() if l.strip()]
    return lines[lines.index("二、活动主题") + 1]


def cited(result) -> set[str]:
    return {c.source for c in result.citations}


@pytest.fixture
def warm(tmp_path, embeddings):
    settings = Settings(corpus_dir=tmp_path / "corpus", data_dir=tmp_path / "data")
    settings.index.corpus_dir.mkdir()
    for name in BASE:
        shutil.copy(CORPUS / name, settings.index.corpus_dir / name)
    assert not ingest(settings, show_progress=False, embeddings=embeddings).failed
    assistant = Assistant(settings, reader=IndexReader(settings, embeddings=embeddings))
    first = assistant.ask(QUESTION)  # warms the client, the view and its caches on the old snapshot
    assert COUNTY not in cited(first)
    assistant.ask("2024年福建省质量月活动的主题是什么？")
    return settings, assistant


def test_answers_after_another_process_adds_changes_and_deletes(warm, tmp_path):
    settings, assistant = warm
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(CORPUS / COUNTY, inbox / COUNTY)
    original_theme = theme_line((CORPUS / COUNTY).read_text("utf-8"))

    run_cli(settings, "add", str(inbox / COUNTY))  # another process adds a 2023 notice
    added = assistant.ask(QUESTION)
    assert COUNTY in cited(added) and original_theme in added.answer, added.answer

    path = settings.index.corpus_dir / COUNTY  # … then revises it in place and re-ingests
    path.write_text(path.read_text("utf-8").replace(original_theme, NEW_THEME), encoding="utf-8")
    run_cli(settings, "ingest")
    changed = assistant.ask(QUESTION)
    assert COUNTY in cited(changed) and NEW_THEME in changed.answer and original_theme not in changed.answer, \
        changed.answer

    path.unlink()  # … then deletes it
    run_cli(settings, "ingest")
    deleted = assistant.ask(QUESTION)
    assert COUNTY not in cited(deleted) and NEW_THEME not in deleted.answer
    # the year it was the only notice of is gone from the reader's view as well
    assert 2023 not in assistant.reader.view().available_years()


def test_year_vectors_follow_the_committed_snapshot(warm, tmp_path, embeddings):
    """The per-year vector cache is read for the snapshot it belongs to, after a commit elsewhere."""
    settings, assistant = warm
    reader = assistant.reader
    old = reader.view()
    (settings.index.corpus_dir / COUNTY).write_bytes((CORPUS / COUNTY).read_bytes())
    run_cli(settings, "ingest")
    new = reader.view()
    assert new is not old and new.commit == Snapshot.read_commit(settings.index.index_dir) != old.commit
    qvec = embeddings.embed_query(QUESTION)
    rows = reader.year_search(new, qvec, 2023, 5)
    assert rows and {new.record(new.ids[r])["meta"]["source"] for r in rows} == {COUNTY}
    # every vector the snapshot names is in the store as this process now sees it
    ids, _ = reader.store.vectors(new.ids)
    assert set(ids) == set(new.ids)


def test_app_ingest_after_a_cli_commit_keeps_every_vector(warm, tmp_path, embeddings):
    """The app re-indexes an upload through its reader's (now stale) client after a CLI commit."""
    settings, assistant = warm
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(CORPUS / COUNTY, inbox / COUNTY)
    run_cli(settings, "add", str(inbox / COUNTY))  # another process commits …
    third = "2025-fujian-provincial-notice.txt"  # … then the app ingests an upload in-process
    shutil.copy(CORPUS / third, settings.index.corpus_dir / third)
    report = ingest(settings, show_progress=False, embeddings=embeddings, store=assistant.reader.store)
    assert report.added == [third] and not report.failed, report.summary()
    snap = Snapshot.load(settings.index.index_dir)
    assert set(snap.files) == {*BASE, COUNTY, third}
    assert COUNTY in cited(assistant.ask(QUESTION))
    # what a freshly started process reads: every vector the snapshot names, none it does not
    fresh = ChromaVectorStore(settings)
    assert fresh.ids() == set(snap.chunks)
    ids, matrix = fresh.vectors(list(snap.chunks))
    assert set(ids) == set(snap.chunks) and matrix.shape[0] == len(snap.chunks)
