"""The document store: what answerers, drafting and the eval baseline may read of an index.

Passages (chunks) with their neighbours, sections and the 版头 (masthead) of their document,
the catalogue of documents, and what the whole index mentions. Answerers receive a store, never
callbacks into some other index: the eval baseline hands its answerer a `PassageStore` built from
its own chunks, so every citation it makes comes from its own index.

`IndexStore` reads the committed snapshot through an `IndexReader`, so it sees whichever snapshot
the current answer pinned.
"""
from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass

from index.components.script import to_simplified
from index.gazetteer import within
from index.facts_store import FactStore
from index.reader import IndexReader, IndexView


@dataclass
class Context:
    """One passage (chunk) of a document, as retrieved or looked up."""
    chunk_id: str
    source: str  # file name inside corpus/
    title: str
    doc_no: str  # 文号, "" when the document has none
    section: str  # heading path, e.g. "三、活动安排 > （四）加大质量安全监管力度"
    text: str
    score: float
    year: int | None = None
    level: str = ""
    region: str = ""
    header: str = ""  # the table's header row, for a table-row chunk
    kind: str = ""  # masthead | text | list | table_row
    trust: str = ""  # official (a 公文 with 文号 or a government masthead) | user (an upload of anything else)

    def evidence_text(self) -> str:
        """What a citation of this chunk may be checked against."""
        return f"{self.section}\n{self.header}\n{self.text}"


class DocumentStore(ABC):
    """Read-only access to one index's passages and documents."""

    @abstractmethod
    def siblings(self, ctx: Context) -> list[Context]:
        """All passages of the same section of the same document, in order (to answer a list whole)."""

    @abstractmethod
    def outline(self, ctx: Context) -> list[Context]:
        """The first passage of each sub-section under the parent of `ctx`'s section."""

    @abstractmethod
    def masthead(self, ctx: Context) -> Context | None:
        """The 版头 passage (title, 文号, 落款) of the document `ctx` comes from."""

    @abstractmethod
    def opening(self, ctx: Context) -> list[Context]:
        """The first body passage of `ctx`'s document (after the 版头): where a notice states what
        it is based on (根据…《…》) and why."""

    def document(self, ctx: Context) -> list[Context]:
        """Every passage of `ctx`'s document, in order (a forwarded notice's passages keep their own
        level): to read a whole notice's headings."""
        return [ctx]

    @abstractmethod
    def documents(self) -> dict[str, dict]:
        """Catalogue: file name → metadata (title, 文号, year, level, region, kind …)."""

    @abstractmethod
    def texts(self) -> list[str]:
        """Every passage's title, section and text, to tell what the index mentions at all."""

    def containing(self, word: str) -> list[Context]:
        """Every passage whose text holds `word` (compared folded: no whitespace, simplified, lower
        case), in document order: a term asked "in which years" is looked up in all documents, not
        only in the passages retrieved."""
        return []

    def facts(self, source: str) -> list:
        """The notice facts (index/facts.py NoticeFacts) of one document; [] where none are known."""
        return []

    # ---- derived, the same for every store
    def profiles(self) -> set[tuple]:
        """(year, level, region) of every document in the index."""
        return {(m.get("year"), m.get("level", ""), m.get("region", "")) for m in self.documents().values()}

    def regions(self) -> set[str]:
        return {m.get("region", "") for m in self.documents().values()} - {""}

    def mentions(self, word: str) -> bool:
        """Whether any passage or document title names `word` (a place, a year such as "2021年")."""
        return any(word in t for t in self.texts())


class IndexStore(DocumentStore):
    """The store over our own index (Chroma + snapshot), as pinned by the reader."""

    def __init__(self, reader: IndexReader):
        self.reader = reader

    def passage(self, chunk_id: str, score: float = 0.0, view: IndexView | None = None) -> Context:
        view = view or self.reader.view()
        m = view.record(chunk_id)["meta"]
        return Context(chunk_id=chunk_id, source=m["source"], title=m.get("title", ""), doc_no=m.get("doc_no", ""),
                       section=m.get("section", ""), text=view.record(chunk_id)["text"],
                       score=round(float(score), 6), year=m.get("year"), level=m.get("level", ""),
                       region=m.get("region", ""), header=m.get("header", ""), kind=m.get("kind", ""),
                       trust=m.get("trust", ""))

    def _chunks_of(self, ctx: Context) -> tuple[IndexView, list[str]]:
        view = self.reader.view()
        entry = view.snapshot.files.get(ctx.source)
        return view, (entry.chunk_ids if entry else [])

    def siblings(self, ctx: Context) -> list[Context]:
        view, ids = self._chunks_of(ctx)
        out = [self.passage(cid, ctx.score, view) for cid in ids
               if view.record(cid)["meta"]["section"] == ctx.section and view.record(cid)["meta"]["kind"] == ctx.kind]
        return out or [ctx]

    def outline(self, ctx: Context) -> list[Context]:
        parent = ctx.section.rsplit(" > ", 1)[0] if " > " in ctx.section else ""
        if not parent:
            return []
        view, ids = self._chunks_of(ctx)
        seen, out = set(), []
        for cid in ids:
            section = view.record(cid)["meta"]["section"]
            if section.startswith(parent + " > ") and section not in seen:
                seen.add(section)
                out.append(self.passage(cid, 0.0, view))
        return out

    def document(self, ctx: Context) -> list[Context]:
        view, ids = self._chunks_of(ctx)
        return [self.passage(cid, 0.0, view) for cid in ids] or [ctx]

    def masthead(self, ctx: Context) -> Context | None:
        view, ids = self._chunks_of(ctx)
        for cid in ids:
            if view.record(cid)["meta"]["kind"] == "masthead":
                return self.passage(cid, 0.0, view)
        return None

    def opening(self, ctx: Context) -> list[Context]:
        view, ids = self._chunks_of(ctx)
        body = [cid for cid in ids if view.record(cid)["meta"]["kind"] != "masthead"]
        return [self.passage(body[0], 0.0, view)] if body else []

    def documents(self) -> dict[str, dict]:
        return {name: dict(entry.meta) for name, entry in self.reader.view().snapshot.files.items()}

    def facts(self, source: str) -> list:
        snapshot = self.reader.view().snapshot
        if _FACTS[0] is not snapshot:
            _FACTS[:] = [snapshot, FactStore(snapshot)]
        return _FACTS[1].facts_of(source)

    def texts(self) -> list[str]:
        return _view_texts(self.reader.view())[0]

    def containing(self, word: str) -> list[Context]:
        view, word = self.reader.view(), fold(word)
        folded = _folded_texts(view)
        return [self.passage(cid, 0.0, view) for entry in view.snapshot.files.values() for cid in entry.chunk_ids
                if word in folded[cid]]

    def mentions(self, word: str) -> bool:
        return word in _view_texts(self.reader.view())[1]

    def part_profiles(self) -> set[tuple]:
        """Like `profiles`, but a notice forwarded inside another counts as its own document."""
        chunks = self.reader.view().snapshot.chunks.values()
        return {(c["meta"].get("year"), c["meta"].get("level"), c["meta"].get("region")) for c in chunks}

    def profiles(self) -> set[tuple]:
        return super().profiles() | self.part_profiles()


_FACTS: list = [None, None]  # [snapshot, its FactStore]
_VIEW_TEXTS: list = [None, None]  # [snapshot, (texts, joined)]: only the current snapshot is worth keeping
_FOLDED: list = [None, None]  # [snapshot, chunk id → folded text]


def fold(text: str) -> str:
    """Text as terms are compared: no whitespace, simplified characters, lower case (a traditional
    reprint or "QC小组" asked as "qc小组" still matches)."""
    return to_simplified(re.sub(r"\s+", "", text)).lower()


def _folded_texts(view: IndexView) -> dict[str, str]:
    if _FOLDED[0] is not view.snapshot:
        _FOLDED[:] = [view.snapshot, {cid: fold(r["text"]) for cid, r in view.snapshot.chunks.items()}]
    return _FOLDED[1]


def _view_texts(view: IndexView) -> tuple[list[str], str]:
    """Passage texts of one snapshot and all of them joined, computed once per snapshot."""
    snapshot, cached = _VIEW_TEXTS
    if snapshot is not view.snapshot:
        texts = [f"{r['meta'].get('title', '')}\n{r['meta'].get('section', '')}\n{r['text']}"
                 for r in view.snapshot.chunks.values()]
        cached = (texts, "\x00".join(texts))
        _VIEW_TEXTS[:] = [view.snapshot, cached]
    return cached


class PassageStore(DocumentStore):
    """A store over a plain list of passages (e.g. the eval baseline's own chunks, in file order)."""

    def __init__(self, passages: list[Context]):
        self.passages = passages

    def siblings(self, ctx: Context) -> list[Context]:
        return [ctx]

    def outline(self, ctx: Context) -> list[Context]:
        return []

    def masthead(self, ctx: Context) -> Context | None:
        """The document's first passage: where its title and 文号 stand."""
        return next((p for p in self.passages if p.source == ctx.source), None)

    def opening(self, ctx: Context) -> list[Context]:
        return [p for p in self.passages if p.source == ctx.source][1:2]

    def document(self, ctx: Context) -> list[Context]:
        return [p for p in self.passages if p.source == ctx.source] or [ctx]

    def documents(self) -> dict[str, dict]:
        out: dict[str, dict] = {}
        for p in self.passages:
            out.setdefault(p.source, {"title": p.title, "doc_no": p.doc_no, "year": p.year,
                                      "level": p.level, "region": p.region})
        return out

    def texts(self) -> list[str]:
        return [p.text for p in self.passages]

    def containing(self, word: str) -> list[Context]:
        word = fold(word)
        return [p for p in self.passages if word in fold(p.text)]


def year_words(year: int) -> list[str]:
    """How a text names a year: 2021年, 2021 年, 二〇二一年."""
    digits = str(year)
    chinese = "".join("〇一二三四五六七八九"[int(d)] for d in digits)
    return [f"{digits}年", f"{digits} 年", f"{chinese}年", f"〔{digits}〕"]


def mentions_year(store: DocumentStore, year: int) -> bool:
    return any(y == year for y, _, _ in store.profiles()) or any(store.mentions(w) for w in year_words(year))


def mentions_place(store: DocumentStore, name: str) -> bool:
    short = re.sub(r"(?:省|市|县|区|自治区|特别行政区)$", "", name)
    # a county's report that never names its city is still of that city (麻章区 for 湛江市)
    return name in store.regions() or any(within(r, name) for r in store.regions()) \
        or store.mentions(name) or len(short) >= 2 and store.mentions(short)
