"""Incremental ingest on a tmp copy of real notices, with real Chroma on disk and the real model.

One scenario, step by step (each step relies on the state the previous one left):
add a file, add another, edit one, delete one, re-run unchanged, then files that fail to load.
Embedding calls are counted through a thin wrapper around the real model.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings

from index.chunk import chunk_notice
from index.clean import clean_text
from index.components.chroma_store import ChromaVectorStore
from index.ingest import ingest
from index.reader import IndexReader
from index.settings import Settings
from index.snapshot import Snapshot
from index.tokenize import tokens

pytestmark = pytest.mark.slow

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
FUJIAN = "2025-fujian-provincial-notice.txt"  # the two smallest notices: 15 + 13 chunks
NATIONAL = "2025-national-samr-notice.txt"
SUMMARY = re.compile(r"^added (\d+), updated (\d+), removed (\d+), skipped (\d+), failed (\d+); (\d+) chunks indexed$")


class CountingEmbeddings(Embeddings):
    """The real model, counting how many passages it is asked to embed."""

    def __init__(self, inner):
        self.inner = inner
        self.documents = 0

    def embed_documents(self, texts):
        self.documents += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


def n_chunks(path: Path) -> int:
    return len(chunk_notice(clean_text(path.read_text("utf-8")), Settings().index.chunk_max_chars,
                            Settings().index.chunk_min_chars))


@pytest.fixture(scope="module")
def env(tmp_path_factory, embeddings):
    root = tmp_path_factory.mktemp("ingest")
    corpus = root / "corpus"
    corpus.mkdir()
    settings = Settings(data_dir=root / "data", corpus_dir=corpus)
    counting = CountingEmbeddings(embeddings)

    class Env:
        pass

    e = Env()
    e.settings, e.corpus, e.emb = settings, corpus, counting
    e.store = ChromaVectorStore(settings)
    e.reader = IndexReader(settings, embeddings=embeddings, store=e.store)
    e.state = {}

    def run():
        before = counting.documents
        report = ingest(settings, show_progress=False, embeddings=counting, store=e.store)
        return report, counting.documents - before

    e.run = run
    return e


def ids_of(env, name: str) -> list[str]:
    return Snapshot.load(env.settings.index.index_dir).files[name].chunk_ids


def assert_consistent(env):
    """Snapshot, Chroma and the BM25 view name exactly the same chunks."""
    snap = Snapshot.load(env.settings.index.index_dir)
    in_files = {cid for entry in snap.files.values() for cid in entry.chunk_ids}
    assert in_files == set(snap.chunks)
    assert env.store.ids() == set(snap.chunks)
    view = env.reader.view()
    assert set(view.ids) == set(snap.chunks)
    assert view.bm25.n_docs == len(snap.chunks)
    return snap


def test_1_add_first_file(env):
    shutil.copy(CORPUS / FUJIAN, env.corpus / FUJIAN)
    report, embedded = env.run()
    assert (report.added, report.updated, report.removed, report.skipped, report.failed) == ([FUJIAN], [], [], [], {})
    assert report.chunks == embedded == n_chunks(CORPUS / FUJIAN)
    snap = assert_consistent(env)
    assert snap.files[FUJIAN].meta["title"] == "福建省市场监管局关于组织开展2025年“质量月”活动的通知"
    assert (env.corpus / "_catalogue.csv").exists()


def test_2_add_second_file_embeds_only_it(env):
    shutil.copy(CORPUS / NATIONAL, env.corpus / NATIONAL)
    env.state["fujian_ids"] = ids_of(env, FUJIAN)
    report, embedded = env.run()
    assert report.added == [NATIONAL] and report.skipped == [FUJIAN] and not report.updated
    assert embedded == n_chunks(CORPUS / NATIONAL)
    assert report.chunks == n_chunks(CORPUS / FUJIAN) + n_chunks(CORPUS / NATIONAL)
    assert ids_of(env, FUJIAN) == env.state["fujian_ids"]  # untouched
    assert_consistent(env)


def test_3_edit_file_replaces_its_chunks(env):
    path = env.corpus / FUJIAN
    old_ids = ids_of(env, FUJIAN)
    national_ids = ids_of(env, NATIONAL)
    text = path.read_text("utf-8")
    assert "于10月11日前将活动总结报送" in text
    path.write_text(text.replace("于10月11日前将活动总结报送", "于10月15日前将活动总结报送"), encoding="utf-8")

    report, embedded = env.run()
    assert report.updated == [FUJIAN] and report.skipped == [NATIONAL] and not report.added
    new_ids = ids_of(env, FUJIAN)
    assert embedded == len(new_ids) == n_chunks(path)
    assert not set(old_ids) & set(new_ids)
    chroma = env.store.ids()
    assert not set(old_ids) & chroma, "old vectors of the edited file are still in Chroma"
    assert set(new_ids) <= chroma
    assert ids_of(env, NATIONAL) == national_ids
    snap = assert_consistent(env)
    texts = [snap.chunks[c]["text"] for c in new_ids]
    assert any("10月15日前" in t for t in texts) and not any("10月11日前" in t for t in texts)
    # BM25 sees the new text and not the old
    view = env.reader.view()
    best = view.bm25.top(tokens("10月15日"), 3)
    assert best and "10月15日前" in view.record(view.ids[best[0][0]])["text"]
    assert not any("10月11日" in view.record(i)["text"] for i in view.ids)


def test_4_delete_file_removes_it_everywhere(env):
    national_ids = ids_of(env, NATIONAL)
    (env.corpus / NATIONAL).unlink()
    report, embedded = env.run()
    assert report.removed == [NATIONAL] and report.skipped == [FUJIAN] and embedded == 0
    snap = assert_consistent(env)
    assert NATIONAL not in snap.files
    assert not set(national_ids) & set(snap.chunks)
    assert not set(national_ids) & env.store.ids()
    view = env.reader.view()
    assert not any(view.record(i)["meta"]["source"] == NATIONAL for i in view.ids)
    assert "南京" not in view.bm25.vocab  # "中国质量（南京）大会" was only in the national notice
    assert NATIONAL not in (env.corpus / "_catalogue.csv").read_text("utf-8-sig")


def test_5_rerun_unchanged_skips_everything(env):
    snap_path = Snapshot.path(env.settings.index.index_dir)
    stamp = snap_path.stat().st_mtime_ns
    chroma_before = env.store.ids()
    report, embedded = env.run()
    assert report.skipped == [FUJIAN]
    assert not (report.added or report.updated or report.removed or report.failed)
    assert embedded == 0
    assert snap_path.stat().st_mtime_ns == stamp  # nothing to commit: snapshot not rewritten
    assert env.store.ids() == chroma_before
    m = SUMMARY.match(report.summary())
    assert m and m.groups() == ("0", "0", "0", "1", "0", str(n_chunks(env.corpus / FUJIAN)))


def test_6_file_that_fails_to_load_is_reported_and_others_still_ingest(env):
    (env.corpus / "empty.txt").write_bytes(b"")
    (env.corpus / "whitespace.md").write_text("\n\n   \n", encoding="utf-8")
    shutil.copy(CORPUS / NATIONAL, env.corpus / NATIONAL)
    report, embedded = env.run()
    assert report.added == [NATIONAL] and report.skipped == [FUJIAN]
    assert set(report.failed) == {"empty.txt", "whitespace.md"}
    assert "empty" in report.failed["empty.txt"]
    assert embedded == n_chunks(CORPUS / NATIONAL)
    summary = report.summary()
    first, *details = summary.split("\n")
    assert SUMMARY.match(first).groups()[:5] == ("1", "0", "0", "1", "2")
    assert any(d.strip().startswith("failed: empty.txt: ") for d in details)
    snap = assert_consistent(env)
    assert "empty.txt" not in snap.files and "whitespace.md" not in snap.files


def test_7_file_that_becomes_unreadable_keeps_its_previous_chunks(env):
    fujian_ids = ids_of(env, FUJIAN)
    (env.corpus / FUJIAN).write_bytes(b"")
    report, embedded = env.run()
    assert FUJIAN in report.failed and embedded == 0
    assert ids_of(env, FUJIAN) == fujian_ids
    assert set(fujian_ids) <= env.store.ids()
    assert_consistent(env)


def test_8_duplicate_content_is_not_indexed_twice(env):
    (env.corpus / "empty.txt").unlink()
    (env.corpus / "whitespace.md").unlink()
    shutil.copy(CORPUS / NATIONAL, env.corpus / "copy-of-national.txt")
    report, embedded = env.run()
    assert embedded == 0
    assert "copy-of-national.txt" in report.failed
    assert "same content" in report.failed["copy-of-national.txt"]
    snap = assert_consistent(env)
    assert "copy-of-national.txt" not in snap.files and NATIONAL in snap.files


def test_9_settings_change_rebuilds_everything(env):
    """A different chunk size means different chunks: nothing may be reused."""
    (env.corpus / "copy-of-national.txt").unlink()
    shutil.copy(CORPUS / FUJIAN, env.corpus / FUJIAN)
    env.run()  # back to two good files
    old = set(Snapshot.load(env.settings.index.index_dir).chunks)
    resized = env.settings.with_(chunk_max_chars=300)
    counting = env.emb
    before = counting.documents
    report = ingest(resized, show_progress=False, embeddings=counting, store=env.store)
    assert sorted(report.added) == [FUJIAN, NATIONAL]
    snap = Snapshot.load(resized.index.index_dir)
    assert counting.documents - before == len(snap.chunks)
    assert env.store.ids() == set(snap.chunks)
    assert all(len(r["text"]) <= 300 for r in snap.chunks.values() if r["meta"]["kind"] != "masthead")
    assert len(snap.chunks) > len(old)  # smaller chunks, more of them
