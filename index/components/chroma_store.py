"""The vector store: Chroma, on disk (PersistentClient) or a Chroma server over HTTP.

This is the only module importing chromadb. It stores chunk vectors under the
chunk ids of our snapshot; texts and metadata live in the snapshot, which is
the commit point of an ingest (see index/snapshot.py).
"""
from __future__ import annotations

from dataclasses import dataclass

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings

from index.settings import Settings


@dataclass
class VectorHit:
    chunk_id: str
    similarity: float


class ChromaVectorStore:
    def __init__(self, settings: Settings):
        self.settings = settings
        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        if settings.store_backend == "http":
            self.client = chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port,
                                              settings=chroma_settings)
        else:
            path = settings.index_dir / "chroma"
            path.mkdir(parents=True, exist_ok=True)
            self.client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        self.collection = self.client.get_or_create_collection(
            settings.collection, metadata={"hnsw:space": "cosine"})

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

        return Chroma(client=self.client, collection_name=self.settings.collection,
                      embedding_function=embeddings)
