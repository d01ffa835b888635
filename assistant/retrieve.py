"""Hybrid retrieval: vectors + BM25 fused by reciprocal rank, steered by what the question asks.

The year, level and place read from the question (assistant/query.py) boost
matching chunks instead of filtering them out, so a too-strict reading never
returns nothing. When the corpus has no notice for the year asked, the result
says so (`missing_year`, `nearest_year`) and the nearest year's passages are
boosted instead. UI filters (year/level/region) are strict, unless they would
leave nothing, in which case they fall back to boosts and a note says so.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.query import QueryInfo, parse_query
from assistant.results import Context
from index.reader import IndexReader, IndexView
from index.settings import Settings
from index.gazetteer import lookup, same_place, short_names_of, within
from index.store import IndexStore, mentions_year, year_words
from index.tokenize import tokens


@dataclass
class Filters:
    year: int | None = None
    level: str = ""
    region: str = ""

    def __bool__(self) -> bool:
        return bool(self.year or self.level or self.region)


@dataclass
class Retrieval:
    query: str
    info: QueryInfo
    contexts: list[Context]
    missing_year: int | None = None  # asked for a year the corpus has no notice for
    nearest_year: int | None = None
    notes: list[str] = field(default_factory=list)
    available_years: list[int] = field(default_factory=list)

    @property
    def documents(self) -> list[Document]:
        """The passages as LangChain Documents (what `HybridRetriever.invoke` returns)."""
        return [as_document(c) for c in self.contexts]


def as_document(ctx: Context) -> Document:
    """A passage as a LangChain Document: its text, and every other field of the Context as metadata
    (source, title, doc_no, section, chunk_id, score, year, level, region, header, kind)."""
    return Document(page_content=ctx.text, id=ctx.chunk_id,
                    metadata={k: v for k, v in ctx.__dict__.items() if k != "text"})


def _elsewhere(meta: dict, regions: list[str]) -> bool:
    """The passage's document is of a place that is none of those asked, nor inside or above one of
    them (a Fujian notice for a question about 山东省; not the national notice, nor 福建省 for 永安)."""
    own = meta.get("region", "")
    if not regions or not own or meta.get("level") == "national":
        return False
    return not any(same_place(own, r) or within(own, r) or within(r, own) for r in regions) \
        and lookup(own) is not None


def _matches(meta: dict, text: str, years: list[int], level: str, regions: list[str]) -> tuple[float, bool, bool]:
    """Whether a passage is of the year, level and region asked. A document whose year was not read
    matches a year its passage names; a region matches where the passage or its title names it."""
    where = f"{meta.get('region', '')}{meta.get('title', '')}{meta.get('section', '')}{text}"
    year = meta.get("year")
    named = any(w in (where if not year else text) for y in years for w in year_words(y))
    # a passage of another year that states figures of the year asked ("2023年全省合格率…" in a 2024
    # report) half matches it
    year_ok = 1.0 if (year in years if year else named) else 0.5 if named else 0.0
    return (year_ok,
            bool(level) and meta.get("level") == level,
            bool(regions) and any(name in where for r in regions for name in [r] + short_names_of(r))
            or any(within(meta.get("region", ""), r) for r in regions))


class HybridRetriever(BaseRetriever):
    """LangChain retriever over our index.

    `invoke(query, k=…, filters=Filters(…))` → list[Document] (the LangChain contract; k defaults
    to settings.retrieval.top_k). `search(query, k, filters)` → `Retrieval`: the same passages plus what the
    question was read as (year, level, place) and the notes a caller should show (a year asked that
    the index does not hold, filters that matched nothing)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    reader: IndexReader
    settings: Settings

    @classmethod
    def from_settings(cls, settings: Settings) -> HybridRetriever:
        """A retriever over the index that `settings` point at (data_dir, the embedding model)."""
        return cls(reader=IndexReader(settings), settings=settings)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun,
                                k: int | None = None, filters: Filters | None = None) -> list[Document]:
        return self.search(query, k=k, filters=filters).documents

    def search(self, query: str, k: int | None = None, filters: Filters | None = None) -> Retrieval:
        """The passages for `query`, ranked, with what the question was read as (see the class)."""
        s = self.settings.retrieval
        k = k or s.top_k
        view = self.reader.view()
        info = parse_query(query, s.today)
        available = view.available_years()
        result = Retrieval(query=query, info=info, contexts=[], available_years=available)
        if not view.ids:
            result.notes.append("索引为空：请先导入通知文件。")
            return result

        years = [filters.year] if filters and filters.year else list(info.years)
        target_year = years[0] if years else None
        # a year no document is dated with, but some passage names (a report whose year was not read),
        # is searched as asked: only a year nothing mentions is replaced by the nearest one
        if target_year and available and target_year not in available \
                and not mentions_year(IndexStore(self.reader), target_year):
            result.missing_year = target_year
            result.nearest_year = min(available, key=lambda y: (abs(y - target_year), -y))
            target_year = result.nearest_year
            years = [target_year] + [y for y in years[1:] if y in available]
        level = (filters.level if filters and filters.level else "") or info.level
        regions = [filters.region] if filters and filters.region else info.regions

        fused = self._fuse(view, query, years, regions)
        # another place's passages lose ground only to the place asked: when no document is of it, the
        # nearest (another province's notice of the same level) stays nearest
        present = [r for r in regions if view.rows_in(r).any()]
        scored = []
        unit = 1.0 / (s.rrf_k + 1)
        for idx, base in fused.items():
            record = view.record(view.ids[idx])
            year_ok, level_ok, region_ok = _matches(record["meta"], record["text"], years, level, regions)
            official = record["meta"].get("trust") == "official"
            # a 版头 (title, 文号, banner) shares every word of the title with the question, yet answers
            # only questions about the document itself
            masthead = record["meta"].get("kind") == "masthead" and not info.asks_document
            conflict = not region_ok and _elsewhere(record["meta"], present)
            score = base + unit * (s.boost_year * year_ok + s.boost_level * level_ok + s.boost_region * region_ok
                                   - s.region_conflict_penalty * conflict
                                   + s.boost_official * official - s.masthead_penalty * masthead)
            scored.append((score, idx, year_ok, level_ok, region_ok))
        scored.sort(key=lambda t: -t[0])
        if filters:
            strict = [t for t in scored if (not filters.year or t[2] >= 1.0) and (not filters.level or t[3])
                      and (not filters.region or t[4])]
            if strict:
                scored = strict
            else:
                result.notes.append("筛选条件下没有匹配的段落，已改为优先显示最接近的结果。")
        top = scored[: max(k, 1)]
        if s.reranker and top:
            top = self._rerank(view, query, top)
        store = IndexStore(self.reader)
        result.contexts = [store.passage(view.ids[idx], score, view) for score, idx, *_ in top[:k]]
        return result

    def _fuse(self, view: IndexView, query: str, years: list[int], regions: list[str]) -> dict[int, float]:
        """Reciprocal rank fusion of vector and BM25 rankings (plus year-restricted ones)."""
        s = self.settings.retrieval
        position = view.position
        qvec = self.reader.embeddings.embed_query(query)
        qtok = tokens(query)
        rankings: list[tuple[float, list[int]]] = []
        wide = [position[h.chunk_id] for h in
                self.reader.vector_search(view, qvec, s.candidates * (s.year_overfetch if years or regions else 1))]
        rankings.append((s.weight_vector, wide[: s.candidates]))
        rankings.append((s.weight_bm25, [i for i, _ in view.bm25.top(qtok, s.candidates)]))
        for year in years[:3]:
            if not (view.years == year).any():
                continue
            # A year-restricted pass makes sure the asked year's passages are candidates at all.
            rankings.append((s.weight_vector, self._vector_for_year(view, qvec, year, wide)))
            rankings.append((s.weight_bm25, [i for i, _ in view.bm25.top(qtok, s.candidates // 2,
                                                                           allowed=view.years == year)]))
        for place in regions[:2]:
            # the same for a place named: its documents' passages are candidates even when another
            # place's notice of the year asked shares more words with the question
            rows = view.rows_in(place)
            if rows.any():
                rankings.append((s.weight_vector, [i for i in wide if rows[i]][: s.candidates // 2]))
                rankings.append((s.weight_bm25, [i for i, _ in view.bm25.top(qtok, s.candidates // 2, allowed=rows)]))
        fused: dict[int, float] = {}
        for weight, ranked in rankings:
            for rank, idx in enumerate(ranked):
                fused[idx] = fused.get(idx, 0.0) + weight / (s.rrf_k + rank + 1)
        return fused

    def _vector_for_year(self, view: IndexView, qvec: list[float], year: int, wide: list[int]) -> list[int]:
        """Rows of one year by vector similarity: taken from the wide unfiltered search when it
        covers the whole index or holds enough of them, else from an exact search of that year."""
        n = self.settings.retrieval.candidates // 2
        rows = [i for i in wide if view.years[i] == year][:n]
        if len(rows) >= n or len(wide) >= len(view.ids):
            return rows
        return self.reader.year_search(view, qvec, year, n)

    def _rerank(self, view: IndexView, query: str, top: list[tuple]) -> list[tuple]:
        from index.components.st_embeddings import CrossEncoderReranker

        reranker = CrossEncoderReranker.get(self.settings.retrieval.reranker, self.settings.embedding.embed_device)
        texts = [view.record(view.ids[t[1]])["text"] for t in top]
        scores = reranker.score(query, texts)
        order = np.argsort(-np.asarray(scores))
        return [(float(scores[i]),) + tuple(top[i][1:]) for i in order]
