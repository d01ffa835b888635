"""index.ingest.reindex: one document rebuilt on the next ingest, the others untouched, and the old
version readable until that ingest commits. Real notices, real Chroma on disk, the real model."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_ingest import CountingEmbeddings

from index.ingest import ingest, reindex
from index.reader import IndexReader
from index.settings import Settings
from index.snapshot import Snapshot

pytestmark = pytest.mark.slow

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
FUJIAN, NATIONAL = "2025-fujian-provincial-notice.txt", "2025-national-samr-notice.txt"


def test_reindex_rebuilds_only_the_named_document(tmp_path, embeddings):
    settings = Settings(corpus_dir=tmp_path / "corpus", data_dir=tmp_path / "data")
    settings.index.corpus_dir.mkdir()
    for name in (FUJIAN, NATIONAL):
        shutil.copy(CORPUS / name, settings.index.corpus_dir / name)
    counting = CountingEmbeddings(embeddings)
    ingest(settings, show_progress=False, embeddings=counting)
    before = Snapshot.load(settings.index.index_dir)
    embedded = counting.documents

    assert reindex(settings, [NATIONAL, "no-such-file.txt"]) == [NATIONAL]
    marked = Snapshot.load(settings.index.index_dir)
    assert marked.commit != before.commit and marked.chunks == before.chunks  # still answerable meanwhile
    reader = IndexReader(settings, embeddings=embeddings)
    view = reader.view()
    hits = reader.vector_search(view, embeddings.embed_query("全国质量月活动主题"), 5)
    assert NATIONAL in {view.snapshot.chunks[h.chunk_id]["meta"]["source"] for h in hits}

    report = ingest(settings, show_progress=False, embeddings=counting)
    assert report.updated == [NATIONAL] and report.skipped == [FUJIAN] and not report.added
    after = Snapshot.load(settings.index.index_dir)
    assert counting.documents - embedded == len(before.files[NATIONAL].chunk_ids)  # only that one re-embedded
    assert after.files[NATIONAL].sha256 == before.files[NATIONAL].sha256
    assert after.files[NATIONAL].chunk_ids == before.files[NATIONAL].chunk_ids
    assert ingest(settings, show_progress=False, embeddings=counting).skipped == [FUJIAN, NATIONAL]
    assert reindex(settings, []) == [] and Snapshot.load(settings.index.index_dir).commit == after.commit
