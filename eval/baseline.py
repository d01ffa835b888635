"""The baseline: what a LangChain user gets by default, run through OUR answerer.

RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50) over the raw
corpus files (index.load.load_text: no cleaning, no metadata), the same
embedding model, a Chroma collection "baseline" in its own data dir, plain
similarity top-k (no BM25, no year/level boosts, no follow-up rewrite: the
default chain is stateless). The retrieved chunks go to an answerer of the
same kind as ours, built over the baseline's OWN document store (its chunks,
nothing of the main index), and through the same citation verification
(Assistant.finish), so the difference between the two runs is the index and
the retrieval only, and every baseline citation comes from the baseline index.
"""
from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

from assistant.query import parse_query
from assistant.results import AnswerResult, Context
from assistant.retrieve import Retrieval
from index.settings import Settings

CHUNK_SIZE, CHUNK_OVERLAP = 500, 50
# Kept as a guard: the baseline's answerer reads only its own store, so this flag should never appear.
MAIN_INDEX_FLAG = "baseline: answer cites a chunk the answerer took from the main index"
COLLECTION = "baseline"


def baseline_settings(settings: Settings, data_dir: Path | None = None) -> Settings:
    return settings.with_(data_dir=Path(data_dir or settings.index.data_dir / "baseline"), collection=COLLECTION)


class BaselinePipeline:
    name = "baseline"

    def __init__(self, settings: Settings, assistant, data_dir: Path | None = None):
        self.settings = settings
        self.assistant = assistant  # supplies the answerer and the verification step
        self.bsettings = baseline_settings(settings, data_dir)
        self.store = None
        self._answerer = None

    # ---- index
    def _manifest(self) -> dict:
        from index.ingest import corpus_files

        files = {p.relative_to(self.settings.index.corpus_dir).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                 for p in corpus_files(self.settings)}
        return {"files": files, "chunk_size": CHUNK_SIZE, "chunk_overlap": CHUNK_OVERLAP,
                "embed_model": self.settings.embedding.embed_model}

    def build(self) -> int:
        """(Re)build the baseline collection if the corpus or the model changed; returns the chunk count."""
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        from index.components.chroma_store import ChromaVectorStore
        from index.load import LoadError, load_text

        manifest = self._manifest()
        mpath = self.bsettings.index.data_dir / "baseline_manifest.json"
        chroma = ChromaVectorStore(self.bsettings)
        old = json.loads(mpath.read_text(encoding="utf-8")) if mpath.exists() else {}
        if old.get("build") == manifest and old.get("count") == chroma.count() > 0:
            self.store = chroma.as_langchain(self.assistant.reader.embeddings)
            return old["count"]
        chroma.client.delete_collection(COLLECTION)
        chroma = ChromaVectorStore(self.bsettings)
        self.store = chroma.as_langchain(self.assistant.reader.embeddings)
        splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
        texts, metas, ids = [], [], []
        for name in manifest["files"]:
            try:
                raw = load_text(self.settings.index.corpus_dir / name, self.settings).text
            except LoadError:
                continue
            for i, chunk in enumerate(splitter.split_text(raw)):
                texts.append(chunk)
                metas.append({"source": name})
                ids.append(f"{name}#{i}")
        for i in range(0, len(texts), 256):
            self.store.add_texts(texts[i:i + 256], metadatas=metas[i:i + 256], ids=ids[i:i + 256])
        mpath.parent.mkdir(parents=True, exist_ok=True)
        mpath.write_text(json.dumps({"build": manifest, "count": len(texts)}, ensure_ascii=False), encoding="utf-8")
        return len(texts)

    def passages(self) -> list[Context]:
        """Every baseline chunk, in file order: the baseline's own document store."""
        if self.store is None:
            self.build()
        got = self.store.get(include=["documents", "metadatas"])
        rows = sorted(zip(got["ids"], got["documents"], got["metadatas"]),
                      key=lambda r: (r[0].rsplit("#", 1)[0], int(r[0].rsplit("#", 1)[1])))
        return [self._passage(cid, text, meta or {}, 0.0) for cid, text, meta in rows]

    @staticmethod
    def _passage(chunk_id: str, text: str, meta: dict, score: float) -> Context:
        return Context(chunk_id=chunk_id, source=meta.get("source", ""), title="", doc_no="", section="",
                       text=text, score=score)

    def answerer(self):
        """An answerer of our kind over the baseline's own store."""
        if self._answerer is None:
            from assistant.extractive import ExtractiveAnswerer
            from index.store import PassageStore

            ours = self.assistant.answerer
            extractive = ExtractiveAnswerer(self.settings, PassageStore(self.passages()), self.assistant.extractive.similarity)
            if ours.name == "extractive":
                self._answerer = extractive
            else:
                from assistant.generative import GenerativeAnswerer

                self._answerer = GenerativeAnswerer(self.settings, ours.model, extractive)
        return self._answerer

    def chunk_texts(self) -> list[str]:
        if self.store is None:
            self.build()
        return list(self.store.get(include=["documents"])["documents"])

    # ---- answering
    def search(self, question: str, k: int) -> list[Context]:
        if self.store is None:
            self.build()
        hits = self.store.similarity_search_with_score(question, k=k)
        return [self._passage(doc.id or f"{doc.metadata.get('source', '')}#?", doc.page_content, doc.metadata,
                              round(1.0 - float(dist), 6)) for doc, dist in hits]

    def run(self, question: str, history: list[str] | None = None, depth: int = 10) -> tuple[AnswerResult, list[str]]:
        """Answer `question` (history is ignored); also return the chunk texts ranked to `depth`."""
        from assistant.steps import Question, Retrieved

        started = time.perf_counter()
        ranked = self.search(question, max(depth, self.settings.retrieval.top_k))
        retrieval = Retrieval(query=question, info=parse_query(question, self.settings.retrieval.today),
                              contexts=ranked[: self.settings.retrieval.top_k])
        draft = self.answerer().answer(question, retrieval)
        retrieved = Retrieved(asked=Question(question, list(history or []), started=started),
                              standalone=question, plan=None, retrieval=retrieval)
        result = self.assistant.finish(retrieved, draft)  # the same verification path as ours
        own = {c.chunk_id for c in ranked}
        if any(c.chunk_id not in own for c in result.citations):
            result.flags.append(MAIN_INDEX_FLAG)
        return result, [c.text for c in ranked]
