"""What ingest reads from corpus/, what intake writes there, and what each file is worth.

* corpus/ never follows a symlink out of itself; every other file is indexed, "_"-names too;
  only the two catalogue files are reserved; intake never makes a name ingest would skip.
* files intake and ingest create get the process umask's mode.
* a file over the per-file budget is refused before any embedding and moved out of corpus/.
* trust: "official" for a notice with its own 文号 or a government masthead, "user" otherwise,
  in chunk metadata and the catalogue.
* near-duplicates of an indexed notice are found with their changed lines; notices of other
  years or places in the real corpus are not near-duplicates of each other.

Real notices from corpus/, real Chroma on disk in tmp_path, the real embedding model.
"""
from __future__ import annotations

import csv
import os
import shutil
import stat
from itertools import combinations
from pathlib import Path

import pytest

from index.catalogue import GENERATED
from index.clean import clean_text
from index.ingest import ingest
from index.intake import IntakeError, NearDuplicateError, add_to_corpus
from index.load import load_text
from index.intake import check_upload
from index.near_duplicate import find_near_duplicate, lines_of, similarity
from index.settings import Settings
from index.snapshot import Snapshot

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
NATIONAL = "2025-national-samr-notice.txt"
PROVINCIAL = "2024-fujian-provincial-notice.txt"
REAL = sorted(p.name for p in CORPUS.glob("*.txt"))
SECRET = "root:x:0:0:zly-secret-line:/root:/bin/bash"
NEWS = ("永安市开展质量月宣传活动\n记者 林晓\n9月5日，永安市在燕江广场开展质量月集中宣传，"
        "现场发放质量安全宣传资料，解答群众咨询。\n活动吸引了众多市民参与。\n")


class CountingEmbeddings:
    def __init__(self, inner):
        self.inner, self.passages = inner, 0

    def embed_documents(self, texts):
        self.passages += len(texts)
        return self.inner.embed_documents(texts)


@pytest.fixture
def settings(tmp_path) -> Settings:
    s = Settings(corpus_dir=tmp_path / "corpus", data_dir=tmp_path / "data")
    s.index.corpus_dir.mkdir()
    return s


def all_chunk_text(settings: Settings) -> str:
    return "\n".join(c["text"] for c in Snapshot.load(settings.index.index_dir).chunks.values())


# ------------------------------------------------------------------ corpus boundary


def test_symlinks_are_never_followed(settings, tmp_path, embeddings):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd").write_text(SECRET + "\n", encoding="utf-8")
    (outside / "notice.txt").write_text(SECRET + "\n", encoding="utf-8")
    shutil.copy(CORPUS / NATIONAL, settings.index.corpus_dir / NATIONAL)
    (settings.index.corpus_dir / "passwd.txt").symlink_to(outside / "passwd")
    (settings.index.corpus_dir / "linked-folder").symlink_to(outside, target_is_directory=True)
    (settings.index.corpus_dir / "inner-link.txt").symlink_to(settings.index.corpus_dir / NATIONAL)  # even inside

    report = ingest(settings, show_progress=False, embeddings=embeddings)
    assert report.added == [NATIONAL] and not report.failed, report.summary()
    assert set(report.ignored) == {"passwd.txt", "linked-folder", "inner-link.txt"}
    assert all("符号链接" in why for why in report.ignored.values())
    assert "warning: passwd.txt" in report.summary()
    assert SECRET not in all_chunk_text(settings)
    assert list(Snapshot.load(settings.index.index_dir).files) == [NATIONAL]


def test_only_catalogue_names_are_reserved(settings, embeddings):
    text = (CORPUS / NATIONAL).read_text("utf-8")
    (settings.index.corpus_dir / "_内部备忘.txt").write_text(text, encoding="utf-8")
    (settings.index.corpus_dir / "_archive").mkdir()
    shutil.copy(CORPUS / PROVINCIAL, settings.index.corpus_dir / "_archive" / PROVINCIAL)
    (settings.index.corpus_dir / ".upload-123.part").write_text(text + "x", encoding="utf-8")  # intake mid-write
    report = ingest(settings, show_progress=False, embeddings=embeddings)
    assert sorted(report.added) == ["_archive/" + PROVINCIAL, "_内部备忘.txt"], report.summary()
    assert not report.failed and not report.ignored
    rows = list(csv.DictReader((settings.index.corpus_dir / GENERATED).read_text("utf-8-sig").splitlines()))
    assert sorted(r["file"] for r in rows) == sorted(report.added)  # the catalogue itself is not indexed
    assert ingest(settings, show_progress=False, embeddings=embeddings).skipped == sorted(report.added)


@pytest.mark.parametrize("name", ["CON.txt", "nul.md", "_catalogue.csv", "_Catalogue_Overrides.csv"])
def test_intake_never_makes_a_name_ingest_skips(settings, embeddings, name):
    allowed = settings.with_(allowed_exts=(".txt", ".md", ".csv"))
    try:
        path = add_to_corpus((CORPUS / NATIONAL).read_bytes(), name, allowed)
    except IntakeError as err:  # .csv is no notice format: refused, never stored under a reserved name
        assert name.endswith(".csv") and "unsupported" in err.reason
        assert not any(settings.index.corpus_dir.iterdir())
        return
    assert not path.name.startswith(("_", "."))
    report = ingest(settings, show_progress=False, embeddings=embeddings)
    assert report.added == [path.name], report.summary()


# ------------------------------------------------------------------ umask


@pytest.mark.parametrize("mask", [0o002, 0o022, 0o077])
def test_created_files_follow_umask(settings, embeddings, mask):
    old = os.umask(mask)
    try:
        stored = add_to_corpus((CORPUS / NATIONAL).read_bytes(), NATIONAL, settings)
        ingest(settings, show_progress=False, embeddings=embeddings)
    finally:
        os.umask(old)
    expected = 0o666 & ~mask
    for path in (stored, settings.index.corpus_dir / GENERATED, Snapshot.path(settings.index.index_dir),
                 settings.index.index_dir / "ingest.lock"):
        assert stat.S_IMODE(path.stat().st_mode) == expected, (path.name, oct(path.stat().st_mode))


# ------------------------------------------------------------------ per-file budget


def test_default_budget_is_twenty_times_the_largest_real_notice():
    s = Settings()
    largest = max(len(clean_text(load_text(CORPUS / n, s).text)) for n in REAL)
    assert 20 * largest <= s.index.max_file_chars < 21 * largest


def test_oversize_file_refused_at_intake_before_it_lands(settings):
    huge = ((CORPUS / PROVINCIAL).read_text("utf-8") + "\n") * 21  # 21× the largest real notice
    with pytest.raises(IntakeError) as caught:
        add_to_corpus(huge.encode("utf-8"), "大文件.txt", settings)
    assert "文件过大" in caught.value.reason and "ZLY_MAX_FILE_CHARS" in caught.value.reason
    assert list(settings.index.corpus_dir.iterdir()) == []


def test_oversize_file_at_ingest_is_withdrawn_before_embedding(settings, embeddings):
    small = settings.with_(max_file_chars=3000)  # the provincial notice has ~6,300
    shutil.copy(CORPUS / NATIONAL, small.index.corpus_dir / NATIONAL)
    shutil.copy(CORPUS / PROVINCIAL, small.index.corpus_dir / PROVINCIAL)
    counting = CountingEmbeddings(embeddings)
    report = ingest(small, show_progress=False, embeddings=counting)
    assert report.added == [NATIONAL] and set(report.failed) == {PROVINCIAL}, report.summary()
    assert "文件过大" in report.failed[PROVINCIAL]
    moved = Path(report.withdrawn[PROVINCIAL])
    assert moved.read_bytes() == (CORPUS / PROVINCIAL).read_bytes() and small.index.data_dir in moved.parents
    assert not (small.index.corpus_dir / PROVINCIAL).exists()
    assert counting.passages == len(Snapshot.load(small.index.index_dir).files[NATIONAL].chunk_ids)  # none of it
    again = ingest(small, show_progress=False, embeddings=counting)  # the next run never sees it
    assert not again.failed and again.skipped == [NATIONAL]


def test_chunk_budget(settings, embeddings):
    few = settings.with_(max_file_chunks=5)
    shutil.copy(CORPUS / NATIONAL, few.index.corpus_dir / NATIONAL)
    report = ingest(few, show_progress=False, embeddings=CountingEmbeddings(embeddings))
    assert "ZLY_MAX_FILE_CHUNKS" in report.failed[NATIONAL] and not report.added


# ------------------------------------------------------------------ trust


def test_real_notices_are_official_in_chunks_and_catalogue(built_index):
    snap = Snapshot.load(built_index.index.index_dir)
    assert {e.meta["trust"] for e in snap.files.values()} == {"official"}
    assert {c["meta"]["trust"] for c in snap.chunks.values()} == {"official"}
    rows = list(csv.DictReader((built_index.index.corpus_dir / GENERATED).read_text("utf-8-sig").splitlines()))
    assert {r["trust"] for r in rows} == {"official"}


def test_news_report_is_user_trust(settings, embeddings):
    (settings.index.corpus_dir / "质量月新闻.txt").write_text(NEWS, encoding="utf-8")
    # the 2025 provincial notice has no 文号: official through its government masthead alone
    shutil.copy(CORPUS / "2025-fujian-provincial-notice.txt", settings.index.corpus_dir / "provincial.txt")
    ingest(settings, show_progress=False, embeddings=embeddings)
    snap = Snapshot.load(settings.index.index_dir)
    assert snap.files["质量月新闻.txt"].meta["trust"] == "user"
    assert snap.files["provincial.txt"].meta["trust"] == "official"
    assert {snap.chunks[c]["meta"]["trust"] for c in snap.files["质量月新闻.txt"].chunk_ids} == {"user"}


def test_index_without_trust_gets_it_without_reembedding(settings, embeddings):
    shutil.copy(CORPUS / NATIONAL, settings.index.corpus_dir / NATIONAL)
    ingest(settings, show_progress=False, embeddings=embeddings)
    snap = Snapshot.load(settings.index.index_dir)  # as an older version wrote it
    for entry in snap.files.values():
        entry.meta.pop("trust")
    for chunk in snap.chunks.values():
        chunk["meta"].pop("trust")
    snap.save(settings.index.index_dir)
    counting = CountingEmbeddings(embeddings)
    ingest(settings, show_progress=False, embeddings=counting)
    snap = Snapshot.load(settings.index.index_dir)
    assert counting.passages == 0
    assert {c["meta"]["trust"] for c in snap.chunks.values()} == {"official"}


# ------------------------------------------------------------------ near-duplicates


def test_revised_copy_is_a_near_duplicate_with_its_diff(settings, embeddings):
    shutil.copy(CORPUS / PROVINCIAL, settings.index.corpus_dir / PROVINCIAL)
    ingest(settings, show_progress=False, embeddings=embeddings)
    text = (CORPUS / PROVINCIAL).read_text("utf-8")
    line = max((l for l in lines_of(text) if not set(l) & set("*#\t")), key=len)  # one plain sentence
    revised = text.replace(line, line[:20] + "（已修订：截止日期改为10月15日）" + line[20:])

    match = check_upload(revised.encode("utf-8"), "福建质量月通知修订版.txt", settings)
    assert match is not None and match.existing == PROVINCIAL and 0.9 <= match.similarity < 1
    assert len(match.diff) == 2, match.diff  # one line out, one in (as cleaned for the index)
    assert match.diff[0].startswith(f"- {line[:20]}") and "已修订" not in match.diff[0]
    assert match.diff[1].startswith(f"+ {line[:20]}") and "已修订" in match.diff[1]
    with pytest.raises(NearDuplicateError) as caught:
        add_to_corpus(revised.encode("utf-8"), "福建质量月通知修订版.txt", settings)
    assert caught.value.match.diff == match.diff and "近似重复" in caught.value.reason
    assert sorted(p.name for p in settings.index.corpus_dir.iterdir()) == sorted([PROVINCIAL, GENERATED])
    forced = add_to_corpus(revised.encode("utf-8"), "福建质量月通知修订版.txt", settings, force=True)
    assert forced.exists()


def test_real_notices_are_not_near_duplicates_of_each_other():
    s = Settings()
    texts = {n: lines_of(clean_text(load_text(CORPUS / n, s).text)) for n in REAL}
    scores = {(a, b): similarity(texts[a], texts[b]) for a, b in combinations(REAL, 2)}
    assert max(scores.values()) < s.index.near_duplicate_ratio, scores


def test_unrelated_upload_is_no_near_duplicate(built_index):
    assert check_upload(NEWS.encode("utf-8"), "news.txt", built_index) is None
    assert find_near_duplicate(clean_text(NEWS), built_index) is None
