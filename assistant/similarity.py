"""How close each candidate sentence is in meaning to the question (the embedding model's cosine).

Lexical overlap alone picks the sentence that repeats the question's words; on a report that
words things its own way ("由县市场监管局主办" for "谁办的") the sentence that answers shares
few of them. The answerer adds this score, scaled to 0..1 over the candidates, to the lexical one.
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np
from langchain_core.embeddings import Embeddings


class UnitSimilarity:
    def __init__(self, embeddings: Embeddings, cache_size: int = 20000):
        self.embeddings = embeddings
        self.cache_size = cache_size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()  # passages recur across questions

    def _embed(self, texts: list[str]) -> dict[str, np.ndarray]:
        todo = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if todo:
            for text, vec in zip(todo, self.embeddings.embed_documents(todo)):
                vec = np.asarray(vec, dtype=np.float32)
                self._vectors[text] = vec / (np.linalg.norm(vec) or 1.0)
        for t in texts:
            self._vectors.move_to_end(t)
        while len(self._vectors) > self.cache_size:
            self._vectors.popitem(last=False)
        return {t: self._vectors[t] for t in texts}

    def scores(self, question: str, texts: list[str]) -> dict[str, float]:
        """Each text's cosine to the question, scaled so the closest is 1 and the farthest 0."""
        if not texts:
            return {}
        q = np.asarray(self.embeddings.embed_query(question), dtype=np.float32)
        q /= np.linalg.norm(q) or 1.0
        vectors = self._embed(texts)
        raw = {t: float(v @ q) for t, v in vectors.items()}
        low, high = min(raw.values()), max(raw.values())
        span = high - low
        return {t: (s - low) / span if span > 1e-6 else 0.0 for t, s in raw.items()}
