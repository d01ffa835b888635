"""Facts beside the chunks in a real index: written at ingest into the snapshot, rebuilt only for a
file whose content changed, read back by FactStore, shown by `python -m assistant facts`."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant.cli import main
from index.facts_store import FactStore
from index.ingest import ingest
from index.settings import Settings
from index.snapshot import Snapshot

pytestmark = pytest.mark.slow

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
FUJIAN = "2025-fujian-provincial-notice.txt"
NATIONAL = "2025-national-samr-notice.txt"


def test_facts_are_stored_rebuilt_incrementally_and_listed(tmp_path, embeddings, monkeypatch, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in (FUJIAN, NATIONAL):
        shutil.copy(CORPUS / name, corpus / name)
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus)
    ingest(settings, show_progress=False, embeddings=embeddings)

    snap = Snapshot.load(settings.index.index_dir)
    assert snap.files[FUJIAN].facts["notices"], "facts committed with the snapshot"
    store = FactStore(snap)
    (fujian,) = store.facts_of(FUJIAN)
    assert fujian.theme.value == "加强全面质量管理  促进质量强省建设"
    chunk_texts = [snap.chunks[c]["text"] for c in snap.files[FUJIAN].chunk_ids]
    for name, fact in fujian.facts():  # every fact can be found in one of its notice's passages
        if isinstance(fact.value, str):
            assert any(fact.value in t for t in chunk_texts), name
    national_before = snap.files[NATIONAL].facts

    text = (corpus / FUJIAN).read_text("utf-8").replace("于10月11日前", "于10月15日前")
    (corpus / FUJIAN).write_text(text, "utf-8")
    ingest(settings, show_progress=False, embeddings=embeddings)
    snap = Snapshot.load(settings.index.index_dir)
    (fujian,) = FactStore(snap).facts_of(FUJIAN)
    assert fujian.deadlines[0].by.value == "10月15日"
    assert snap.files[NATIONAL].facts == national_before
    assert [nf.doc_id for nf in FactStore(snap).all_facts()] == [FUJIAN, NATIONAL]

    # an entry written before facts existed is read by extracting again from its stored text
    snap.files[NATIONAL].facts = {}
    (national,) = FactStore(snap).facts_of(NATIONAL)
    assert national.co_issuer_count.value == 26

    monkeypatch.setenv("ZLY_DATA_DIR", str(settings.index.data_dir))
    assert main(["facts", "--fact", "deadlines", "--year", "2025"]) == 0
    out = capsys.readouterr().out
    assert "10月15日" in out and "【省局质量发展处】" in out and "theme" not in out
    assert main(["facts", "--json", "--fact", "theme"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["theme"]["value"] for r in rows] == ["加强全面质量管理  促进质量强省建设", "加强全面质量管理 促进质量强国建设"]
