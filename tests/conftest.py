"""Shared pytest setup: markers, and one real index of the real corpus for the whole session.

Markers
    llm   needs llama-cpp-python and the default GGUF (requirements-llm.txt); skipped when missing.
    slow  takes more than a few seconds (embeds text, starts a server); deselect with ``-m "not slow"``.
    browser  drives the web app in Debian's /usr/bin/chromium; skipped when it is missing.

Session fixtures (stable names, reused by the index, retrieval, answerer, app and eval tests)
    TODAY           datetime.date(2025, 9, 1): 今年 = 2025, 去年 = 2024 in every test.
    embeddings      the real embedding model (SentenceTransformerEmbeddings over the materialised
                    multilingual-e5-small in the default models_dir), loaded once and shared.
    built_index     Settings of a real index of <repo>/corpus, ingested ONCE into a tmp data dir
                    (real Chroma on disk, real embeddings): ``Settings(data_dir=<tmp>,
                    corpus_dir=<repo>/corpus, today=TODAY)``; models_dir stays at its default.
                    Treat it as read-only: tests that ingest build their own tmp index.
    built_index_report  the IngestReport of that one ingest.
    index_reader    an IndexReader over built_index (shares ``embeddings``).
    retriever       an assistant.retrieve.HybridRetriever over built_index.

Note: ingest rewrites <corpus_dir>/_catalogue.csv, so building ``built_index`` regenerates
corpus/_catalogue.csv from the (unchanged) notices.
"""
from __future__ import annotations

import datetime
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
TODAY = datetime.date(2025, 9, 1)


def pytest_configure(config):
    config.addinivalue_line("markers", "llm: needs llama-cpp-python and the default GGUF (requirements-llm.txt)")
    config.addinivalue_line("markers", "slow: takes more than a few seconds (embeds text, starts a server)")
    config.addinivalue_line("markers", "browser: drives the web app in headless /usr/bin/chromium (Playwright)")


def pytest_collection_modifyitems(config, items):
    # The LLM extra is optional: without it the core suite must still pass, so skip, don't fail.
    if importlib.util.find_spec("llama_cpp") is None:
        skip = pytest.mark.skip(reason="llama_cpp not importable: pip install -r requirements-llm.txt")
        for item in items:
            if "llm" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def embeddings():
    """The real embedding model, loaded once per session."""
    from index.components.st_embeddings import SentenceTransformerEmbeddings
    from index.settings import Settings

    emb = SentenceTransformerEmbeddings(Settings())
    emb.load()  # materialise/export/load now, so the first test using it does not pay for it
    return emb


@pytest.fixture(scope="session")
def _built(tmp_path_factory, embeddings):
    from index.ingest import ingest
    from index.settings import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("built_index"), corpus_dir=CORPUS, today=TODAY)
    report = ingest(settings, show_progress=False, embeddings=embeddings)
    assert not report.failed, report.summary()
    return settings, report


@pytest.fixture(scope="session")
def built_index(_built):
    """Settings of the session's real index of the real corpus (read-only)."""
    return _built[0]


@pytest.fixture(scope="session")
def built_index_report(_built):
    return _built[1]


@pytest.fixture(scope="session")
def index_reader(built_index, embeddings):
    from index.reader import IndexReader

    return IndexReader(built_index, embeddings=embeddings)


@pytest.fixture(scope="session")
def retriever(built_index, index_reader):
    from assistant.retrieve import HybridRetriever

    return HybridRetriever(reader=index_reader, settings=built_index)
