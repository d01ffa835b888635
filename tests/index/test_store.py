"""The document store's whole-index lookups, on the real seed index."""
from __future__ import annotations

from opencc_purepy import OpenCC

from index.store import IndexStore, PassageStore


def test_containing_finds_every_passage_with_the_word(index_reader):
    store = IndexStore(index_reader)
    found = store.containing("质量强国")
    assert found and all("质量强国" in p.text.replace(" ", "").replace("\n", "") for p in found)
    assert len({p.source for p in found}) >= 2  # looked up in all documents, not one


def test_containing_folds_script_case_and_spacing(index_reader):
    store = IndexStore(index_reader)
    plain = {p.chunk_id for p in store.containing("QC小组")}
    assert plain
    assert {p.chunk_id for p in store.containing("qc 小组")} == plain
    word = "质量强国"
    assert {p.chunk_id for p in store.containing(OpenCC("s2t").convert(word))} == \
        {p.chunk_id for p in store.containing(word)}


def test_passage_store_folds_the_same_way(index_reader):
    store = IndexStore(index_reader)
    passages = store.containing("QC小组")
    assert [p.chunk_id for p in PassageStore(passages).containing("qc小组")] == [p.chunk_id for p in passages]
