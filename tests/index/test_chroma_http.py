"""Ingest + hybrid retrieval against a real Chroma server (``chroma run``), not the embedded client.

The server is started as a subprocess on a free loopback port with its own tmp persistence
path, polled until its heartbeat answers (bounded), and always terminated.
"""
from __future__ import annotations

import datetime
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from index.settings import Settings

pytestmark = pytest.mark.slow

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
FILES = ["2025-fujian-provincial-notice.txt", "2025-national-samr-notice.txt"]
START_TIMEOUT = 60.0  # s; the CLI imports chromadb first, ~5 s on this 2-core machine


def _chroma_cli() -> str | None:
    beside = Path(sys.executable).parent / "chroma"
    return str(beside) if beside.exists() else shutil.which("chroma")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ChromaServer:
    def __init__(self, path: Path, log: Path):
        self.path, self.log_path = path, log
        self.port = _free_port()
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        cli = _chroma_cli()
        if cli is None:
            pytest.skip("the chroma CLI (shipped with the chromadb package) is not on PATH")
        with open(self.log_path, "ab") as log:  # a file, not a pipe: a full pipe would stall the server
            self.proc = subprocess.Popen(
                [cli, "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
        deadline = time.monotonic() + START_TIMEOUT
        url = f"http://127.0.0.1:{self.port}/api/v2/heartbeat"
        while True:
            if self.proc.poll() is not None:
                pytest.fail(f"chroma run exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"chroma server not answering after {START_TIMEOUT:.0f}s:\n{self.log_tail()}")
            time.sleep(0.3)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)  # our own session: the server and nothing else
        except ProcessLookupError:
            return
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def log_tail(self) -> str:
        return self.log_path.read_text("utf-8", errors="replace")[-2000:] if self.log_path.exists() else ""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("chroma_http")
    srv = ChromaServer(root / "chroma-server-data", root / "server.log")
    try:
        srv.start()
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def http_settings(server, tmp_path_factory):
    root = tmp_path_factory.mktemp("http_index")
    corpus = root / "corpus"
    corpus.mkdir()
    for name in FILES:
        shutil.copy(CORPUS / name, corpus / name)
    return Settings(data_dir=root / "data", corpus_dir=corpus, store_backend="http",
                    chroma_host="127.0.0.1", chroma_port=server.port, today=datetime.date(2025, 9, 1))


def _retriever(settings, embeddings):
    from assistant.retrieve import HybridRetriever
    from index.reader import IndexReader

    return HybridRetriever(reader=IndexReader(settings, embeddings=embeddings), settings=settings)


def test_ingest_and_search_over_http(server, http_settings, embeddings):
    from index.components.chroma_store import ChromaVectorStore
    from index.ingest import ingest
    from index.snapshot import Snapshot

    report = ingest(http_settings, show_progress=False, embeddings=embeddings)
    assert sorted(report.added) == FILES and not report.failed, report.summary()
    snap = Snapshot.load(http_settings.index.index_dir)
    assert not (http_settings.index.index_dir / "chroma").exists(), "vectors went to a local store, not the server"

    store = ChromaVectorStore(http_settings)
    assert store.client.heartbeat()
    assert store.ids() == set(snap.chunks)  # the server holds exactly the committed chunks

    result = _retriever(http_settings, embeddings).search("今年省局质量月活动总结什么时候报送？", k=5)
    assert any("10月11日前" in c.text and c.source == FILES[0] for c in result.contexts), \
        [c.text[:40] for c in result.contexts]
    result = _retriever(http_settings, embeddings).search("中国质量大会在哪里举办", k=5)
    assert "中国质量（南京）大会" in result.contexts[0].text

    again = ingest(http_settings, show_progress=False, embeddings=embeddings)
    assert sorted(again.skipped) == FILES and not again.added  # incremental over HTTP too


def test_vectors_persist_across_a_server_restart(server, http_settings, embeddings):
    from index.snapshot import Snapshot

    server.stop()
    server.start()  # same --path, same port
    snap = Snapshot.load(http_settings.index.index_dir)
    assert snap.chunks, "run after test_ingest_and_search_over_http"
    result = _retriever(http_settings, embeddings).search("省里今年要专项整治充电宝吗", k=5)
    assert any("充电宝" in c.text for c in result.contexts)
