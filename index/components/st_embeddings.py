"""The embedding model, through sentence-transformers (the only module importing it).

Exposed as a LangChain `Embeddings`, with e5's asymmetric prompts: questions are
embedded as "query: …", notice passages as "passage: …". With `embed_backend="onnx"` (the
default) the model is exported once and run by ONNX Runtime (index/components/onnx_encoder.py);
"torch" runs it through sentence-transformers as loaded.
"""
from __future__ import annotations

import logging
import os
from threading import Lock

from langchain_core.embeddings import Embeddings

from index.components.script import to_simplified
from index.settings import Settings

DEFAULT_MODEL = "e5-small-offline"
log = logging.getLogger(__name__)


class SentenceTransformerEmbeddings(Embeddings):
    def __init__(self, settings: Settings):
        self.settings = settings
        self.name = settings.embedding.embed_model
        self._model = None
        self._onnx = None
        self._lock = Lock()  # encode is not re-entrant across threads on one model

    @property
    def model(self):
        """The sentence-transformers model (torch backend; the onnx backend loads it only to export)."""
        if self._model is None:
            # torch's compile cache would otherwise land in the system temp dir
            os.environ.setdefault("TORCHINDUCTOR_CACHE_DIR", str(self.settings.index.models_dir / "torchinductor"))
            from sentence_transformers import SentenceTransformer

            if self.name == DEFAULT_MODEL:
                from index.components.e5_offline import ensure_e5_folder

                path = str(ensure_e5_folder(self.settings))
                os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local folder never needs the hub
            else:
                path = self.name
            self._model = SentenceTransformer(path, device=self.settings.embedding.embed_device)
        return self._model

    def load(self) -> None:
        """Materialise and load now (exporting to onnx on first use), so a first query does not pay for it."""
        with self._lock:
            if self.settings.embedding.embed_backend != "onnx" or self._onnx_encoder() is None:
                self.model

    def _onnx_encoder(self):
        """The onnx encoder, or None when this model's layout cannot be exported (torch then runs it)."""
        if self._onnx is None:
            from index.components import onnx_encoder

            folder = onnx_encoder.onnx_folder(self.settings.index.models_dir, self.name)
            try:
                if not onnx_encoder.is_exported(folder):
                    onnx_encoder.export(self.model, folder, source=self.name)
                    self._model = None  # exported: the torch model is not needed in memory any more
                self._onnx = onnx_encoder.OnnxEncoder(folder, threads=self.settings.embedding.embed_threads)
            except onnx_encoder.UnsupportedModel as exc:
                log.warning("%s; embedding with torch instead", exc)
                self._onnx = False
        return self._onnx or None

    def _encode(self, texts: list[str], prompt: str, threads: int = 0) -> list[list[float]]:
        texts = [prompt + to_simplified(t) for t in texts]  # one script, as the question's
        with self._lock:
            encoder = self._onnx_encoder() if self.settings.embedding.embed_backend == "onnx" else None
            if encoder is not None:
                return encoder.encode(texts, self.settings.embedding.embed_batch_size).tolist()
            import torch

            before = torch.get_num_threads()
            if threads:
                # one short question: a second thread only adds spin-waiting, worst on a busy machine
                torch.set_num_threads(threads)
            try:
                vectors = self.model.encode(texts, batch_size=self.settings.embedding.embed_batch_size,
                                            normalize_embeddings=True, show_progress_bar=False)
            finally:
                torch.set_num_threads(before)
        return vectors.tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode(texts, self.settings.embedding.embed_passage_prompt)

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text], self.settings.embedding.embed_query_prompt, self.settings.embedding.embed_query_threads)[0]


class CrossEncoderReranker:
    """Optional reranker slot (off by default: no Chinese cross-encoder is installable offline)."""

    _cache: dict[str, "CrossEncoderReranker"] = {}

    def __init__(self, name: str, device: str):
        from sentence_transformers import CrossEncoder

        self.model = CrossEncoder(name, device=device)

    @classmethod
    def get(cls, name: str, device: str) -> "CrossEncoderReranker":
        if name not in cls._cache:
            cls._cache[name] = cls(name, device)
        return cls._cache[name]

    def score(self, query: str, texts: list[str]) -> list[float]:
        return [float(s) for s in self.model.predict([(query, t) for t in texts])]
