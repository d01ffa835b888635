"""Crash safety: a real `python -m assistant ingest`, SIGKILLed at different points.

The ingest writes vectors to Chroma under fresh content-hash ids, then swaps
snapshot.json (the commit point), then deletes vectors no snapshot names
(index/ingest.py, index/snapshot.py). So a kill at any moment must leave:

* the previous index (or, after the swap, the new one) whole and queryable:
  the snapshot loads, every chunk id it names has a vector in Chroma, and a
  fresh IndexReader + HybridRetriever answers from it (before the swap: the
  very same answers as before the ingest started);
* a state from which the next ingest completes and is consistent: snapshot
  ids == BM25 ids == Chroma ids, the catalogue lists the indexed files, no
  temp files left.

Each case starts from a copy of the same committed baseline index, changes the
corpus (a file revised, one removed, three added: ~10 chunks to embed), runs
the CLI in a subprocess and kills it when its progress output (tqdm on stderr)
or the index directory shows it reached a given point. The phase actually
reached is read back from that output and printed.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from index.catalogue import GENERATED
from index.components.chroma_store import ChromaVectorStore
from index.ingest import ingest
from index.reader import IndexReader
from index.settings import Settings
from index.snapshot import Snapshot

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
REAL_CORPUS = ROOT / "corpus"
TODAY = dt.date(2025, 9, 1)
NATIONAL = "2025-national-samr-notice.txt"
PROVINCIAL_LINES = [l.strip() for l in (REAL_CORPUS / "2024-fujian-provincial-notice.txt").read_text("utf-8").splitlines()
                    if l.strip() and "\t" not in l]
YONGAN_LINES = [l.strip() for l in (REAL_CORPUS / "2023-yongan-county-plan.txt").read_text("utf-8").splitlines()
                if l.strip() and "\t" not in l]
QUESTIONS = ["2025年全国质量月活动的主题是什么", "质量月期间要开展哪些质量安全监管工作", "永安市质量月活动安排"]
PHASE_TIMEOUT = 900.0  # s, to reach a kill point; the 2-core CI box can be very slow to import torch
BATCH = 2  # embedding batch in the killed process: several progress steps to kill between

BASE_FILES = {
    NATIONAL: (REAL_CORPUS / NATIONAL).read_text("utf-8"),
    "revised.txt": "\n".join(YONGAN_LINES[2:4]),
    "withdrawn.txt": "\n".join(YONGAN_LINES[6:8]),
}
NEW_FILES = {
    NATIONAL: BASE_FILES[NATIONAL],
    "revised.txt": BASE_FILES["revised.txt"] + "\n" + YONGAN_LINES[9],
    "added-1.txt": "\n".join(PROVINCIAL_LINES[10:12]),
    "added-2.txt": "\n".join(PROVINCIAL_LINES[14:16]),
    "added-3.txt": "\n".join(PROVINCIAL_LINES[18:20]),
}


def settings_for(root: Path) -> Settings:
    return Settings(corpus_dir=root / "corpus", data_dir=root / "data", today=TODAY)


def write_corpus(corpus: Path, files: dict[str, str]) -> None:
    corpus.mkdir(parents=True, exist_ok=True)
    for path in corpus.iterdir():
        if not path.name.startswith("_") and path.name not in files:
            path.unlink()
    for name, text in files.items():
        path = corpus / name
        if not path.exists() or path.read_text("utf-8") != text:
            path.write_text(text, encoding="utf-8")


class Store:
    """An in-process Chroma client on a case's index, closed when done."""

    def __init__(self, settings: Settings):
        self.store = ChromaVectorStore(settings)

    def __enter__(self) -> ChromaVectorStore:
        return self.store

    def __exit__(self, *exc) -> None:
        self.store.client.close()


def answers(settings: Settings, embeddings, store: ChromaVectorStore) -> dict[str, list[str]]:
    from assistant.retrieve import HybridRetriever

    reader = IndexReader(settings, embeddings=embeddings, store=store)  # a fresh reader: what a restarted app sees
    retriever = HybridRetriever(reader=reader, settings=settings)
    return {q: [c.chunk_id for c in retriever.search(q).contexts] for q in QUESTIONS}


@dataclass
class Baseline:
    root: Path
    snapshot: Snapshot
    answers: dict[str, list[str]]
    expected: Snapshot  # NEW_FILES ingested from scratch, never killed: where every case must end


@pytest.fixture(scope="module")
def baseline(tmp_path_factory, embeddings) -> Baseline:
    root = tmp_path_factory.mktemp("crash_baseline")
    settings = settings_for(root)
    write_corpus(settings.index.corpus_dir, BASE_FILES)
    with Store(settings) as store:
        report = ingest(settings, show_progress=False, embeddings=embeddings, store=store)
        assert not report.failed and sorted(report.added) == sorted(BASE_FILES)
        base_answers = answers(settings, embeddings, store)
    clean = settings_for(tmp_path_factory.mktemp("crash_expected"))
    write_corpus(clean.index.corpus_dir, NEW_FILES)
    with Store(clean) as store:
        assert not ingest(clean, show_progress=False, embeddings=embeddings, store=store).failed
    return Baseline(root, Snapshot.load(settings.index.index_dir), base_answers, Snapshot.load(clean.index.index_dir))


# ------------------------------------------------------------------ the killed process


@dataclass
class Progress:
    elapsed: float = 0.0
    reading: int = -1  # files read so far (-1: not started)
    embedded: int = -1  # batches embedded so far (-1: not started)
    batches: int = 0
    tmp_written: bool = False  # snapshot.json.tmp exists: vectors are in Chroma, the swap is under way
    committed: bool = False  # snapshot.json replaced

    def phase(self) -> str:
        if self.committed:
            return "after the snapshot swap"
        if self.tmp_written:
            return "writing the snapshot (vectors upserted)"
        if self.embedded >= self.batches > 0:
            return "embedded all, upserting vectors"
        if self.embedded >= 0:
            return f"embedding ({self.embedded}/{self.batches} batches)"
        if self.reading >= 0:
            return f"reading files ({self.reading} read)"
        return "starting up (imports)"


_BAR = re.compile(r"(读取文件|向量化):\s*\d+%\|[^|]*\|\s*(\d+)/(\d+)")


def parse(stderr: str, progress: Progress) -> None:
    for name, done, total in _BAR.findall(stderr):
        if name == "读取文件":
            progress.reading = max(progress.reading, int(done))
        else:
            progress.embedded, progress.batches = max(progress.embedded, int(done)), int(total)


@dataclass
class Kill:
    label: str
    progress: Progress
    returncode: int
    stderr: str = field(repr=False, default="")


def run_and_kill(case_root: Path, label: str, when: Callable[[Progress], bool]) -> Kill:
    settings = settings_for(case_root)
    snap_path = Snapshot.path(settings.index.index_dir)
    tmp_path = snap_path.with_suffix(".json.tmp")
    committed_stamp = snap_path.stat().st_mtime_ns
    env = {**os.environ, "ZLY_CORPUS_DIR": str(settings.index.corpus_dir), "ZLY_DATA_DIR": str(settings.index.data_dir),
           "ZLY_TODAY": TODAY.isoformat(), "ZLY_EMBED_BATCH_SIZE": str(BATCH),
           "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    log_path = case_root / "ingest.stderr"  # a file, not a pipe: a full pipe would stall the child
    progress = Progress()
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "assistant", "ingest"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=log)
    started = time.monotonic()
    try:
        while True:
            progress.elapsed = time.monotonic() - started
            progress.tmp_written = progress.tmp_written or tmp_path.exists()
            try:
                progress.committed = snap_path.stat().st_mtime_ns != committed_stamp
            except FileNotFoundError:
                pass
            parse(log_path.read_text("utf-8", errors="replace"), progress)
            if when(progress):
                proc.send_signal(signal.SIGKILL)
                break
            if proc.poll() is not None:
                pytest.fail(f"[{label}] ingest exited ({proc.returncode}) before the kill point; "
                            f"reached: {progress.phase()}\n{log_path.read_text('utf-8', errors='replace')[-3000:]}")
            if progress.elapsed > PHASE_TIMEOUT:
                pytest.fail(f"[{label}] kill point not reached in {PHASE_TIMEOUT:.0f}s; reached: {progress.phase()}")
            time.sleep(0.001)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    parse(log_path.read_text("utf-8", errors="replace"), progress)
    progress.tmp_written = progress.tmp_written or tmp_path.exists()
    progress.committed = snap_path.stat().st_mtime_ns != committed_stamp
    return Kill(label, progress, proc.returncode, log_path.read_text("utf-8", errors="replace"))


# ------------------------------------------------------------------ the cases

# (label, when to kill, which side of the commit point the kill must land on: "old" = the previous
# snapshot still served, killed while embedding; "new" = the new snapshot served; None = timing decides)
CASES: list[tuple[str, Callable[[Progress], bool], str | None]] = [
    ("after 0.5 s", lambda p: p.elapsed >= 0.5, None),
    # a blind time on a slow machine; an idle fast one finishes within 5 s, so the 3rd batch caps it
    ("after 5 s", lambda p: p.elapsed >= 5.0 or p.embedded >= 3, None),
    ("while reading files", lambda p: p.reading >= 0, None),
    ("after the first embedding batch", lambda p: p.embedded >= 1, "old"),
    ("vectors written, snapshot not yet swapped", lambda p: p.tmp_written or p.committed, None),
    ("right after the snapshot swap", lambda p: p.committed, "new"),
]
OUTCOMES: dict[str, str] = {}  # label → what the kill hit, for the summary


@pytest.fixture(scope="module", autouse=True)
def summary():
    yield
    lines = [f"  {label:<45} {OUTCOMES.get(label, 'not run')}" for label, _, _ in CASES]
    print("\nSIGKILL points reached:\n" + "\n".join(lines))


@pytest.mark.parametrize("label,when,side", CASES, ids=[c[0] for c in CASES])
def test_sigkilled_ingest_leaves_a_whole_index_and_recovers(tmp_path, baseline, embeddings, label, when, side):
    shutil.copytree(baseline.root / "data", tmp_path / "data")
    shutil.copytree(baseline.root / "corpus", tmp_path / "corpus")
    settings = settings_for(tmp_path)
    write_corpus(settings.index.corpus_dir, NEW_FILES)

    kill = run_and_kill(tmp_path, label, when)
    assert kill.returncode == -signal.SIGKILL, f"[{label}] not killed: {kill.returncode}\n{kill.stderr[-2000:]}"
    assert "Traceback" not in kill.stderr, kill.stderr[-3000:]

    # ---- 1. the committed index is whole and queryable
    snap = Snapshot.load(settings.index.index_dir)
    committed = set(snap.chunks) != set(baseline.snapshot.chunks)
    assert committed == kill.progress.committed
    # each side of the commit point is covered by a case of its own, whichever cases run
    if side == "old":
        assert not committed and kill.progress.phase().startswith("embedding"), kill.progress.phase()
    elif side == "new":
        assert committed, kill.progress.phase()
    if committed:
        assert set(snap.files) == set(NEW_FILES)
    else:
        assert snap.files == baseline.snapshot.files and snap.chunks == baseline.snapshot.chunks
    with Store(settings) as store:
        vectors = store.ids()
        assert set(snap.chunks) <= vectors, f"[{label}] snapshot names chunks without vectors"
        leftovers = vectors - set(snap.chunks)  # uncommitted new vectors, or stale ones not yet deleted
        got = answers(settings, embeddings, store)
    for question, ids in got.items():
        assert ids and set(ids) <= set(snap.chunks), question
        if not committed:
            assert ids == baseline.answers[question], f"[{label}] answers changed before the commit: {question}"
    OUTCOMES[label] = (f"{kill.progress.phase()} at {kill.progress.elapsed:.1f}s; "
                       f"{'new' if committed else 'old'} snapshot served; {len(leftovers)} extra vectors in Chroma")

    # ---- 2. the next ingest completes and is consistent
    with Store(settings) as store:
        report = ingest(settings, show_progress=False, embeddings=embeddings, store=store)
        assert not report.failed, report.summary()
        final = Snapshot.load(settings.index.index_dir)
        assert set(final.files) == set(NEW_FILES)
        if not committed:
            assert sorted(report.added) == ["added-1.txt", "added-2.txt", "added-3.txt"]
            assert report.updated == ["revised.txt"] and report.removed == ["withdrawn.txt"]
        else:
            assert not (report.added or report.updated or report.removed)
        view = IndexReader(settings, embeddings=embeddings, store=store).view()
        assert set(view.ids) == set(final.chunks) == store.ids()  # BM25 == snapshot == Chroma
        assert len(view.ids) == len(set(view.ids)) == view.bm25.n_docs
        for name, entry in final.files.items():
            assert entry.chunk_ids and all(final.chunks[c]["meta"]["source"] == name for c in entry.chunk_ids)
        assert sum(len(e.chunk_ids) for e in final.files.values()) == len(final.chunks)
        final_answers = answers(settings, embeddings, store)
    for ids in final_answers.values():
        assert ids and set(ids) <= set(final.chunks)
    assert not any(c["meta"]["source"] == "withdrawn.txt" for c in final.chunks.values())
    assert not Snapshot.path(settings.index.index_dir).with_suffix(".json.tmp").exists()
    catalogue = (settings.index.corpus_dir / GENERATED).read_text("utf-8-sig").splitlines()[1:]
    assert sorted(line.split(",", 1)[0] for line in catalogue) == sorted(NEW_FILES)
    assert sorted(p.name for p in settings.index.corpus_dir.iterdir()) == sorted([*NEW_FILES, GENERATED])
    # chunk ids are content hashes: every case ends in the very index a clean ingest builds
    assert {name: e.chunk_ids for name, e in final.files.items()} == \
        {name: e.chunk_ids for name, e in baseline.expected.files.items()}
    assert set(final.chunks) == set(baseline.expected.chunks)


# ------------------------------------------------------------------ two ingests at once


def test_ingest_waits_for_an_ingest_in_another_process(tmp_path):
    """While another process holds the index's ingest lock, ingest() waits, then runs."""
    import threading

    settings = settings_for(tmp_path)
    settings.index.corpus_dir.mkdir(parents=True)
    settings.index.index_dir.mkdir(parents=True)
    lock_path = settings.index.index_dir / "ingest.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT); "
                               "fcntl.flock(fd, fcntl.LOCK_EX); print('locked', flush=True); sys.stdin.read()",
         str(lock_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline() == b"locked\n"
        with Store(settings) as store:  # opened beforehand: once unblocked, the empty ingest takes milliseconds
            done = threading.Event()
            worker = threading.Thread(target=lambda: (ingest(settings, show_progress=False, store=store), done.set()))
            worker.start()
            assert not done.wait(3.0), "ingest ran while another process held the ingest lock"
            assert not Snapshot.path(settings.index.index_dir).exists()
            holder.stdin.close()  # the other process exits: the kernel drops its lock
            assert done.wait(120.0)
            worker.join()
        assert Snapshot.path(settings.index.index_dir).exists()
    finally:
        holder.kill()
        holder.wait()


def test_two_ingest_processes_at_once_stay_consistent(tmp_path, embeddings):
    """Process B read the corpus, then F was edited and process A ingested it while B was still embedding.

    Without a cross-process lock B, on committing, deletes A's not-yet-committed vectors for the
    new F as stale, and A then commits a snapshot naming them: chunks without vectors, for good
    (the next ingest skips the unchanged F). With the lock A waits for B and the index stays whole.
    """
    settings = settings_for(tmp_path)
    f = settings.index.corpus_dir / "f.txt"
    write_corpus(settings.index.corpus_dir, {"f.txt": BASE_FILES["revised.txt"]})
    with Store(settings) as store:
        ingest(settings, show_progress=False, embeddings=embeddings, store=store)
    (settings.index.corpus_dir / NATIONAL).write_text(BASE_FILES[NATIONAL], encoding="utf-8")  # B has this to embed

    env = {**os.environ, "ZLY_CORPUS_DIR": str(settings.index.corpus_dir), "ZLY_DATA_DIR": str(settings.index.data_dir),
           "ZLY_TODAY": TODAY.isoformat(), "ZLY_EMBED_BATCH_SIZE": str(BATCH), "PYTHONPATH": str(ROOT)}
    log_path = tmp_path / "b.stderr"
    with open(log_path, "wb") as log:
        b = subprocess.Popen([sys.executable, "-m", "assistant", "ingest"], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=log)
    try:
        deadline = time.monotonic() + PHASE_TIMEOUT
        while "向量化" not in log_path.read_text("utf-8", errors="replace"):  # B has read the whole corpus
            assert b.poll() is None, log_path.read_text("utf-8", errors="replace")[-3000:]
            assert time.monotonic() < deadline, "process B never started embedding"
            time.sleep(0.05)
        f.write_text(NEW_FILES["revised.txt"], encoding="utf-8")  # the edit B did not see

        class BCommitsMeanwhile:
            """A's store: right after A upserts its vectors, B finishes (commits and cleans up)."""

            def __init__(self, real: ChromaVectorStore):
                self.real = real

            def upsert(self, *args, **kwargs):
                self.real.upsert(*args, **kwargs)
                b.wait(timeout=PHASE_TIMEOUT)

            def __getattr__(self, name):
                return getattr(self.real, name)

        with Store(settings) as store:
            ingest(settings, show_progress=False, embeddings=embeddings, store=BCommitsMeanwhile(store))
            b.wait(timeout=PHASE_TIMEOUT)
            assert b.returncode == 0, log_path.read_text("utf-8", errors="replace")[-3000:]
            snap = Snapshot.load(settings.index.index_dir)
            vectors = store.ids()
            assert sorted(snap.files) == sorted(["f.txt", NATIONAL])
            assert snap.files["f.txt"].sha256 == hashlib.sha256(f.read_bytes()).hexdigest()  # the edit is in
            assert set(snap.chunks) - vectors == set(), "the snapshot names chunks without vectors"
            assert set(snap.chunks) == vectors
    finally:
        if b.poll() is None:
            b.kill()
        b.wait()
