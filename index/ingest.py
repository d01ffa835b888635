"""Incremental ingest of corpus/ into the snapshot, BM25 tokens and the Chroma store.

Files are keyed by content hash: unchanged ones are skipped, changed ones
re-chunked under new chunk ids, deleted ones dropped. A file that fails to load
is reported and leaves its previous chunks (if any) untouched; a file over the
per-file budget (index/budget.py) is moved out of corpus/ before anything is
embedded, so a killed ingest never starts on it again.

Every regular file in corpus/ is a notice except the catalogue files and hidden
(".") ones, which are temp files being written. Symlinks, and anything else that
could lead outside corpus/, are never read: they are listed in the summary.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import stat
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from tqdm import tqdm

from index.budget import BudgetError, check_chars, check_chunks
from index.catalogue import RESERVED, apply_overrides, read_overrides, write_catalogue
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
from index.trust import trust_level

# One ingest at a time per process (INGEST_LOCK) and per index across processes (a flock on
# <index_dir>/ingest.lock): two interleaved ingests, e.g. `python -m assistant add` while the app
# re-indexes an upload, would each delete the other's uncommitted vectors after committing, leaving
# a snapshot that names chunks with no vector. Readers never lock: the snapshot swap keeps them safe.
INGEST_LOCK = threading.Lock()
LOCK_FILE = "ingest.lock"
WITHDRAWN = "withdrawn"  # under data_dir: files ingest refused for size, moved out of corpus/


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # file → reason
    withdrawn: dict[str, str] = field(default_factory=dict)  # file → where it was moved (also in failed)
    ignored: dict[str, str] = field(default_factory=dict)  # never read (symlinks, devices) → why
    chunks: int = 0

    def summary(self) -> str:
        line = (f"added {len(self.added)}, updated {len(self.updated)}, removed {len(self.removed)}, "
                f"skipped {len(self.skipped)}, failed {len(self.failed)}; {self.chunks} chunks indexed")
        details = "".join(f"\n  failed: {name}: {why}" for name, why in sorted(self.failed.items()))
        warnings = "".join(f"\n  warning: {name}: {why}" for name, why in sorted(self.ignored.items()))
        return line + details + warnings


def corpus_files(settings: Settings, ignored: dict[str, str] | None = None) -> list[Path]:
    """Notice files in corpus/ (sub-folders too), never through a symlink.

    Skipped silently: the catalogue files and hidden names (temp files being written). Skipped
    with a reason in `ignored`: symlinks (to a file or a folder) and anything that is not a
    regular file or resolves outside corpus/.
    """
    ignored = {} if ignored is None else ignored
    root = settings.index.corpus_dir
    if not root.is_dir():
        return []
    real_root = root.resolve()
    out = []
    for folder, dirs, names in os.walk(root, followlinks=False):
        base = Path(folder)
        for d in list(dirs):
            if d.startswith("."):
                dirs.remove(d)
            elif (base / d).is_symlink():
                dirs.remove(d)
                ignored[(base / d).relative_to(root).as_posix()] = "符号链接（文件夹），未读取：语料库不跟随链接"
        for name in names:
            path = base / name
            rel = path.relative_to(root).as_posix()
            if name.startswith(".") or (base == root and name.lower() in RESERVED):
                continue
            mode = os.lstat(path).st_mode
            if stat.S_ISLNK(mode):
                ignored[rel] = "符号链接，未读取：语料库不跟随链接"
            elif not stat.S_ISREG(mode):
                ignored[rel] = "不是普通文件，未读取"
            elif not path.resolve().is_relative_to(real_root):
                ignored[rel] = "位于语料库之外，未读取"
            else:
                out.append(path)
    return sorted(out)


def settings_key(settings: Settings) -> str:
    """Vectors and chunks are only reusable if these did not change (the chunker-N tag moves when
    cleaning, metadata or place reading change what an existing index holds)."""
    return f"{settings.embedding.embed_model}|{settings.index.chunk_max_chars}|{settings.index.chunk_min_chars}|chunker-15"


def _chunk_record(chunk: Chunk, meta: dict, source: str, sha: str) -> dict:
    part = chunk.part
    record_meta = {
        "source": source, "doc_sha": sha, "title": meta.get("title", ""), "issuer": meta.get("issuer", ""),
        "doc_no": meta.get("doc_no", ""), "date": meta.get("date", ""), "trust": meta.get("trust", ""),
        "year": part.get("year", meta.get("year")), "level": part.get("level", meta.get("level", "")),
        "region": part.get("region", meta.get("region", "")), "part_doc_no": part.get("doc_no", ""),
        "section": chunk.section, "kind": chunk.kind, "order": chunk.order, "header": chunk.header,
    }
    record = {"text": chunk.text, "meta": record_meta}
    record["tokens"] = tokens(embed_text_from_record(record))
    return record


def _prepare(path: Path, settings: Settings, overrides: dict, sha: str) -> tuple[FileEntry, dict]:
    loaded = load_text(path, settings)
    clean = clean_text(loaded.text)
    check_chars(clean, settings)  # before chunking and embedding: a huge file costs nothing
    name = path.relative_to(settings.index.corpus_dir).as_posix()
    meta = extract_metadata(clean, name).as_dict()
    meta = apply_overrides(name, {**meta, "trust": trust_level(clean, meta)}, overrides)
    chunks = chunk_notice(clean, settings.index.chunk_max_chars, settings.index.chunk_min_chars)
    if not chunks:
        raise LoadError("no text to index after cleaning")
    check_chunks(len(chunks), settings)
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
    settings.index.index_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(settings.index.index_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o666)  # umask decides
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # waits while another process ingests into this index
        yield
    finally:
        os.close(fd)  # releases the lock


def _ingest(settings, show_progress, embeddings, store) -> IngestReport:
    report = IngestReport()
    old = Snapshot.load(settings.index.index_dir)
    store = store or ChromaVectorStore(settings)
    store.sync(old.commit)  # a client (e.g. the app's) opened before another process committed is stale
    key = settings_key(settings)
    if old.settings_key != key:
        old = Snapshot(settings_key=key)  # model or chunking changed: rebuild everything
    new = Snapshot(files=dict(old.files), chunks=dict(old.chunks), settings_key=key)
    migrated = _add_trust(new)
    overrides = read_overrides(settings.index.corpus_dir)
    files = corpus_files(settings, report.ignored)
    seen_sha: dict[str, str] = {}
    pending: dict[str, dict] = {}
    for path in tqdm(files, desc="读取文件", unit="file", disable=not show_progress):
        name = path.relative_to(settings.index.corpus_dir).as_posix()
        try:
            sha = hashlib.sha256(_read_regular(path)).hexdigest()
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
            entry, records = _prepare(path, settings, overrides, sha)
        except BudgetError as exc:
            where = _withdraw(path, settings)
            report.withdrawn[name] = str(where)
            report.failed[name] = f"{exc.reason}已移出语料库，存放在 {where}"
            continue
        except (LoadError, OSError, ValueError) as exc:
            report.failed[name] = str(exc) or exc.__class__.__name__
            continue
        _drop(new, name)
        new.files[name] = entry
        new.chunks.update(records)
        pending.update(records)
        (report.updated if previous else report.added).append(name)
    # a withdrawn file is gone from corpus/: its previous version (if any) is removed too
    on_disk = {p.relative_to(settings.index.corpus_dir).as_posix() for p in files} - set(report.withdrawn)
    for name in list(new.files):
        if name not in on_disk:
            _drop(new, name)
            report.removed.append(name)

    if pending:
        embeddings = embeddings or SentenceTransformerEmbeddings(settings)
        ids = list(pending)
        texts = [embed_text_from_record(pending[i]) for i in ids]
        vectors = []
        batch = max(1, settings.embedding.embed_batch_size)
        for i in tqdm(range(0, len(ids), batch), desc="向量化", unit="batch", disable=not show_progress):
            vectors.extend(embeddings.embed_documents(texts[i:i + batch]))
        metas = [chroma_meta(pending[i]["meta"]) for i in ids]
        store.upsert(ids, vectors, metas)
    if (pending or report.removed or migrated or old.settings_key != key
            or not Snapshot.path(settings.index.index_dir).exists()):
        new.save(settings.index.index_dir)  # the commit point
        store.synced_commit = new.commit  # this client wrote every vector the snapshot names
    stale = store.ids() - set(new.chunks)
    if stale:
        store.delete(sorted(stale))  # old versions, removed files, leftovers of a killed ingest
    write_catalogue(settings.index.corpus_dir, {n: e.meta for n, e in new.files.items()})
    report.chunks = len(new.chunks)
    return report


def reindex(settings: Settings, names: list[str], store: ChromaVectorStore | None = None) -> list[str]:
    """Forget the content hash of these indexed files, so the next ingest rebuilds them (metadata,
    chunks, facts, vectors) as if they had changed; returns the names found in the index.

    The entries stay in the committed snapshot meanwhile: readers keep answering from the old
    version until that ingest commits the new one, and a killed ingest loses nothing. `store`, a
    client current with the old commit, stays current: no vector changed.
    """
    with INGEST_LOCK, index_lock(settings):
        snapshot = Snapshot.load(settings.index.index_dir)
        found = [n for n in dict.fromkeys(names) if n in snapshot.files]
        for name in found:
            snapshot.files[name] = replace(snapshot.files[name], sha256="")
        if found:
            before = snapshot.commit
            snapshot.save(settings.index.index_dir)
            if store is not None and store.synced_commit == before:
                store.synced_commit = snapshot.commit
    return found


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


def _read_regular(path: Path) -> bytes:
    """The file's bytes, refusing a symlink swapped in since corpus_files() looked."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise LoadError("not a regular file")
        return fh.read()


def _withdraw(path: Path, settings: Settings) -> Path:
    """Move a refused file out of corpus/ (kept, not deleted: it may be someone's only copy)."""
    rel = path.relative_to(settings.index.corpus_dir).as_posix().replace("/", "__")
    dest = settings.index.data_dir / WITHDRAWN / f"{dt.datetime.now():%Y%m%d-%H%M%S}-{rel}"
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(path, dest)
    return dest


def _add_trust(snapshot: Snapshot) -> bool:
    """Give entries indexed before trust levels existed their level, without re-embedding."""
    changed = False
    for name, entry in list(snapshot.files.items()):
        if "trust" not in entry.meta:
            trust = entry.overrides.get("trust") or trust_level(entry.clean_text, entry.meta)
            snapshot.files[name] = replace(entry, meta={**entry.meta, "trust": trust})
            for cid in entry.chunk_ids:
                record = snapshot.chunks.get(cid)
                if record is not None:
                    snapshot.chunks[cid] = {**record, "meta": {**record["meta"], "trust": trust}}
            changed = True
    return changed


def _overrides_changed(entry: FileEntry, name: str, overrides: dict) -> bool:
    """Added, edited or removed overrides all need the file's metadata re-derived."""
    return entry.overrides != overrides.get(name, {})


def _drop(snapshot: Snapshot, name: str) -> None:
    entry = snapshot.files.pop(name, None)
    if entry:
        for cid in entry.chunk_ids:
            snapshot.chunks.pop(cid, None)
