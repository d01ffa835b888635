"""Incremental ingest of corpus/ into the snapshot, BM25 tokens and the Chroma store.

Files are keyed by content hash: unchanged ones are skipped, changed ones
re-chunked under new chunk ids, deleted ones dropped. A file that fails to load
is reported and leaves its previous chunks (if any) untouched.
"""
from __future__ import annotations

import hashlib
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from index.catalogue import apply_overrides, read_overrides, write_catalogue
from index.chunk import Chunk, chunk_notice
from index.clean import clean_text
from index.facts_store import notice_facts_json
from index.components.chroma_store import ChromaVectorStore
from index.components.st_embeddings import SentenceTransformerEmbeddings
from index.load import LoadError, load_text
from index.metadata import extract_metadata
from index.settings import Settings
from index.snapshot import FileEntry, Snapshot
from index.tokenize import tokens

# One ingest at a time per process (INGEST_LOCK) and per index across processes (a flock on
# <index_dir>/ingest.lock): two interleaved ingests, e.g. `python -m assistant add` while the app
# re-indexes an upload, would each delete the other's uncommitted vectors after committing, leaving
# a snapshot that names chunks with no vector. Readers never lock: the snapshot swap keeps them safe.
INGEST_LOCK = threading.Lock()
LOCK_FILE = "ingest.lock"


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # file → reason
    chunks: int = 0

    def summary(self) -> str:
        line = (f"added {len(self.added)}, updated {len(self.updated)}, removed {len(self.removed)}, "
                f"skipped {len(self.skipped)}, failed {len(self.failed)}; {self.chunks} chunks indexed")
        details = "".join(f"\n  failed: {name}: {why}" for name, why in sorted(self.failed.items()))
        return line + details


def corpus_files(settings: Settings) -> list[Path]:
    """Notice files in corpus/ (sub-folders too); names starting with _ or . are ours or hidden."""
    out = []
    for path in sorted(settings.corpus_dir.rglob("*")):
        rel = path.relative_to(settings.corpus_dir)
        if path.is_file() and not any(p.startswith((".", "_")) for p in rel.parts):
            out.append(path)
    return out


def settings_key(settings: Settings) -> str:
    """Vectors and chunks are only reusable if these did not change."""
    return f"{settings.embed_model}|{settings.chunk_max_chars}|{settings.chunk_min_chars}|chunker-7"


def _chunk_record(chunk: Chunk, meta: dict, source: str, sha: str) -> dict:
    part = chunk.part
    record_meta = {
        "source": source, "doc_sha": sha, "title": meta.get("title", ""), "issuer": meta.get("issuer", ""),
        "doc_no": meta.get("doc_no", ""), "date": meta.get("date", ""),
        "year": part.get("year", meta.get("year")), "level": part.get("level", meta.get("level", "")),
        "region": part.get("region", meta.get("region", "")), "part_doc_no": part.get("doc_no", ""),
        "section": chunk.section, "kind": chunk.kind, "order": chunk.order, "header": chunk.header,
    }
    record = {"text": chunk.text, "meta": record_meta}
    record["tokens"] = tokens(embed_text_from_record(record))
    return record


def _prepare(path: Path, settings: Settings, overrides: dict) -> tuple[FileEntry, dict]:
    raw = path.read_bytes()
    sha = hashlib.sha256(raw).hexdigest()
    loaded = load_text(path, settings)
    clean = clean_text(loaded.text)
    name = path.relative_to(settings.corpus_dir).as_posix()
    meta = apply_overrides(name, extract_metadata(clean, name).as_dict(), overrides)
    chunks = chunk_notice(clean, settings.chunk_max_chars, settings.chunk_min_chars)
    if not chunks:
        raise LoadError("no text to index after cleaning")
    records = {f"{sha[:16]}-{c.order}": _chunk_record(c, meta, name, sha) for c in chunks}
    return FileEntry(sha256=sha, meta=meta, chunk_ids=list(records), clean_text=clean,
                     overrides=overrides.get(name, {}), facts=notice_facts_json(name, clean, meta)), records


def ingest(settings: Settings, show_progress: bool = True,
           embeddings: SentenceTransformerEmbeddings | None = None,
           store: ChromaVectorStore | None = None) -> IngestReport:
    with INGEST_LOCK, index_lock(settings):
        return _ingest(settings, show_progress, embeddings, store)


@contextmanager
def index_lock(settings: Settings):
    """Exclusive across processes; the kernel drops a flock when its holder dies, even by SIGKILL."""
    try:
        import fcntl
    except ImportError:  # not POSIX: only the in-process lock
        yield
        return
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(settings.index_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # waits while another process ingests into this index
        yield
    finally:
        os.close(fd)  # releases the lock


def _ingest(settings, show_progress, embeddings, store) -> IngestReport:
    report = IngestReport()
    old = Snapshot.load(settings.index_dir)
    key = settings_key(settings)
    if old.settings_key != key:
        old = Snapshot(settings_key=key)  # model or chunking changed: rebuild everything
    new = Snapshot(files=dict(old.files), chunks=dict(old.chunks), settings_key=key)
    overrides = read_overrides(settings.corpus_dir)
    files = corpus_files(settings)
    seen_sha: dict[str, str] = {}
    pending: dict[str, dict] = {}
    for path in tqdm(files, desc="读取文件", unit="file", disable=not show_progress):
        name = path.relative_to(settings.corpus_dir).as_posix()
        try:
            sha = hashlib.sha256(path.read_bytes()).hexdigest()
            if sha in seen_sha:
                report.skipped.append(name)
                report.failed[name] = f"same content as {seen_sha[sha]}; not indexed twice"
                _drop(new, name)
                continue
            seen_sha[sha] = name
            previous = old.files.get(name)
            if previous and previous.sha256 == sha and not _overrides_changed(previous, name, overrides):
                report.skipped.append(name)
                continue
            entry, records = _prepare(path, settings, overrides)
        except (LoadError, OSError, ValueError) as exc:
            report.failed[name] = str(exc) or exc.__class__.__name__
            continue
        _drop(new, name)
        new.files[name] = entry
        new.chunks.update(records)
        pending.update(records)
        (report.updated if previous else report.added).append(name)
    on_disk = {p.relative_to(settings.corpus_dir).as_posix() for p in files}
    for name in list(new.files):
        if name not in on_disk:
            _drop(new, name)
            report.removed.append(name)

    store = store or ChromaVectorStore(settings)
    if pending:
        embeddings = embeddings or SentenceTransformerEmbeddings(settings)
        ids = list(pending)
        texts = [embed_text_from_record(pending[i]) for i in ids]
        vectors = []
        batch = max(1, settings.embed_batch_size)
        for i in tqdm(range(0, len(ids), batch), desc="向量化", unit="batch", disable=not show_progress):
            vectors.extend(embeddings.embed_documents(texts[i:i + batch]))
        metas = [chroma_meta(pending[i]["meta"]) for i in ids]
        store.upsert(ids, vectors, metas)
    if pending or report.removed or old.settings_key != key or not Snapshot.path(settings.index_dir).exists():
        new.save(settings.index_dir)  # the commit point
    stale = store.ids() - set(new.chunks)
    if stale:
        store.delete(sorted(stale))  # old versions, removed files, leftovers of a killed ingest
    write_catalogue(settings.corpus_dir, {n: e.meta for n, e in new.files.items()})
    report.chunks = len(new.chunks)
    return report


def embed_text_from_record(record: dict) -> str:
    """What is embedded and BM25-indexed: the passage with the notice and section it sits in."""
    m = record["meta"]
    header = f"\n（{m['header']}）" if m.get("header") else ""
    if m.get("kind") == "masthead":
        header = "\n（版头：发文机关、文号、标题、主送、落款和成文日期）"  # what people ask of a 版头
    return f"{m.get('title', '')}｜{m['section']}{header}\n{record['text']}"


def chroma_meta(meta: dict) -> dict:
    """Chroma metadata must be scalars; keep what filters use."""
    return {k: meta[k] for k in ("source", "doc_sha", "level", "region") if meta.get(k)} | (
        {"year": int(meta["year"])} if meta.get("year") else {})


def _overrides_changed(entry: FileEntry, name: str, overrides: dict) -> bool:
    """Added, edited or removed overrides all need the file's metadata re-derived."""
    return entry.overrides != overrides.get(name, {})


def _drop(snapshot: Snapshot, name: str) -> None:
    entry = snapshot.files.pop(name, None)
    if entry:
        for cid in entry.chunk_ids:
            snapshot.chunks.pop(cid, None)
