"""BM25 over jieba tokens, as a sparse term-weight matrix so a query costs one sparse product.

rank-bm25 scores every document in a Python loop per query term; at 100k chunks
that alone blows the latency budget, so the Okapi weights are precomputed here.
"""
from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix


class BM25:
    def __init__(self, docs: list[list[str]], k1: float = 1.5, b: float = 0.75):
        self.vocab: dict[str, int] = {}
        rows, cols, tfs = [], [], []
        lengths = np.zeros(len(docs), dtype=np.float32)
        for d, toks in enumerate(docs):
            lengths[d] = len(toks)
            counts: dict[int, int] = {}
            for t in toks:
                j = self.vocab.setdefault(t, len(self.vocab))
                counts[j] = counts.get(j, 0) + 1
            rows.extend([d] * len(counts))
            cols.extend(counts)
            tfs.extend(counts.values())
        n_docs, n_terms = len(docs), max(len(self.vocab), 1)
        tf = np.asarray(tfs, dtype=np.float32)
        row = np.asarray(rows, dtype=np.int64)
        col = np.asarray(cols, dtype=np.int64)
        df = np.bincount(col, minlength=n_terms).astype(np.float32)
        idf = np.log((n_docs - df + 0.5) / (df + 0.5) + 1.0)
        avgdl = float(lengths.mean()) if n_docs else 1.0
        norm = k1 * (1 - b + b * lengths[row] / max(avgdl, 1e-9)) if n_docs else tf
        weights = idf[col] * tf * (k1 + 1) / (tf + norm)
        # terms × docs, so a query is a sum of a few rows
        self.matrix = csr_matrix((weights, (col, row)), shape=(n_terms, n_docs))
        self.n_docs = n_docs

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        idx = [self.vocab[t] for t in set(query_tokens) if t in self.vocab]
        if not idx or not self.n_docs:
            return np.zeros(self.n_docs, dtype=np.float32)
        return np.asarray(self.matrix[idx].sum(axis=0)).ravel()

    def top(self, query_tokens: list[str], n: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(doc index, score) of the best `n` documents with a positive score."""
        s = self.scores(query_tokens)
        if allowed is not None:
            s = np.where(allowed, s, 0.0)
        n = min(n, int((s > 0).sum()))
        if n <= 0:
            return []
        best = np.argpartition(-s, n - 1)[:n]
        best = best[np.argsort(-s[best])]
        return [(int(i), float(s[i])) for i in best]
