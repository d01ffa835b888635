"""The vector store: Chroma, on disk (PersistentClient) or a Chroma server over HTTP.

This is the only module importing chromadb. It stores chunk vectors under the
chunk ids of our snapshot; texts and metadata live in the snapshot, which is
the commit point of an ingest (see index/snapshot.py).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import chromadb
import numpy as np
from chromadb.api.shared_system_client import SharedSystemClient
from chromadb.config import Settings as ChromaSettings

from index.settings import Settings
from index.snapshot import Snapshot


_OPEN_LOCK = threading.Lock()


class StoreUnavailable(RuntimeError):
    """The vector store cannot be opened (e.g. no Chroma server listening); the message says where."""


@dataclass
class VectorHit:
    chunk_id: str
    similarity: float


class ChromaVectorStore:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.synced_commit = ""  # the committed snapshot this client is known to be current with
        self._sync_lock = threading.Lock()
        self._open()

    def _open(self) -> None:
        settings = self.settings
        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        if settings.index.store_backend == "http":
            try:
                client = chromadb.HttpClient(host=settings.index.chroma_host, port=settings.index.chroma_port,
                                             settings=chroma_settings)
            except Exception as exc:  # chromadb raises ValueError / httpx errors for a dead server
                raise StoreUnavailable(f"向量库服务 {settings.index.chroma_host}:{settings.index.chroma_port} 无法连接"
                                       f"（{type(exc).__name__}: {exc}）") from None
        else:
            # Read before opening: whatever is committed now, this client will see.
            self.synced_commit = Snapshot.read_commit(settings.index.index_dir)
            path = settings.index.index_dir / "chroma"
            path.mkdir(parents=True, exist_ok=True)
            # Chroma shares one in-memory system (HNSW included) per path and process and never
            # re-reads what another client wrote: new ids then fail with "Error finding id". So each
            # store gets its own, loaded from disk now: drop the shared one from Chroma's cache (not
            # stopped: clients already holding it, and queries in flight, keep working).
            with _OPEN_LOCK:  # another thread's open must not drop this one's system half-way
                SharedSystemClient._identifier_to_system.pop(str(path), None)
                SharedSystemClient._identifier_to_refcount.pop(str(path), None)
                client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        collection = client.get_or_create_collection(settings.index.collection, metadata={"hnsw:space": "cosine"})
        self.client, self.collection = client, collection

    def sync(self, commit: str) -> None:
        """Make this client current with the committed snapshot `commit` before reading vectors it names.

        A Chroma server (http) is always current. An on-disk client opened before another client
        (a CLI ingest, another app, another store object) committed is reopened; one that wrote the
        commit itself stays.
        """
        if self.settings.index.store_backend == "http" or commit == self.synced_commit:
            return
        with self._sync_lock:
            if commit != self.synced_commit:
                self._open()

    def upsert(self, ids: list[str], vectors: list[list[float]], metadatas: list[dict], batch: int = 2000) -> None:
        for i in range(0, len(ids), batch):
            self.collection.upsert(ids=ids[i:i + batch], embeddings=vectors[i:i + batch],
                                   metadatas=metadatas[i:i + batch])

    def delete(self, ids: list[str], batch: int = 2000) -> None:
        for i in range(0, len(ids), batch):
            self.collection.delete(ids=ids[i:i + batch])

    def ids(self) -> set[str]:
        return set(self.collection.get(include=[])["ids"])

    def vectors(self, ids: list[str], batch: int = 5000) -> tuple[list[str], np.ndarray]:
        """The stored vectors of those `ids` the store holds: (their ids in the given order, one row each)."""
        found, rows = [], []
        for i in range(0, len(ids), batch):
            got = self.collection.get(ids=ids[i:i + batch], include=["embeddings"])
            by_id = dict(zip(got["ids"], got["embeddings"]))
            for cid in ids[i:i + batch]:
                if cid in by_id:
                    found.append(cid)
                    rows.append(by_id[cid])
        return found, (np.asarray(rows, dtype=np.float32) if rows else np.empty((0, 0), dtype=np.float32))

    def count(self) -> int:
        return self.collection.count()

    def query(self, vector: list[float], n: int, where: dict | None = None) -> list[VectorHit]:
        res = self.collection.query(query_embeddings=[vector], n_results=n, where=where or None,
                                    include=["distances"])
        return [VectorHit(cid, 1.0 - dist) for cid, dist in zip(res["ids"][0], res["distances"][0])]

    def as_langchain(self, embeddings):
        """The same collection as a LangChain `VectorStore` (used by the baseline pipeline)."""
        from langchain_chroma import Chroma

        return Chroma(client=self.client, collection_name=self.settings.index.collection,
                      embedding_function=embeddings)
