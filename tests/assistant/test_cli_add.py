"""`python -m assistant add`: nothing stays in corpus/ that the index refused, and it says why.

Real subprocesses on a tmp corpus of real notices, real Chroma on disk, the real model.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from index.clean import clean_text
from index.ingest import ingest
from index.near_duplicate import lines_of
from index.settings import Settings
from index.snapshot import Snapshot

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
NATIONAL = "2025-national-samr-notice.txt"
PROVINCIAL = "2024-fujian-provincial-notice.txt"


@pytest.fixture
def indexed(tmp_path, embeddings) -> Settings:
    """A corpus with the national notice in a sub-folder, indexed."""
    settings = Settings(corpus_dir=tmp_path / "corpus", data_dir=tmp_path / "data")
    (settings.index.corpus_dir / "archive").mkdir(parents=True)
    shutil.copy(CORPUS / NATIONAL, settings.index.corpus_dir / "archive" / NATIONAL)
    assert ingest(settings, show_progress=False, embeddings=embeddings).added == [f"archive/{NATIONAL}"]
    return settings


def add(settings: Settings, *args: str, **env) -> subprocess.CompletedProcess:
    full = {**os.environ, "ZLY_CORPUS_DIR": str(settings.index.corpus_dir), "ZLY_DATA_DIR": str(settings.index.data_dir),
            "PYTHONPATH": str(ROOT), **env}
    return subprocess.run([sys.executable, "-m", "assistant", "add", *args, "--quiet"], cwd=ROOT, env=full,
                          capture_output=True, text=True, timeout=600)


def corpus_names(settings: Settings) -> set[str]:
    return {p.relative_to(settings.index.corpus_dir).as_posix() for p in settings.index.corpus_dir.rglob("*") if p.is_file()}


def test_file_that_fails_indexing_is_withdrawn(indexed, tmp_path):
    before, names = Snapshot.load(indexed.index.index_dir), corpus_names(indexed)
    copy = tmp_path / "zz-copy.txt"  # the same bytes as the indexed notice in archive/
    shutil.copy(CORPUS / NATIONAL, copy)
    proc = add(indexed, "--force", str(copy))  # past the near-duplicate check; ingest refuses a 2nd copy
    assert proc.returncode == 1, proc.stdout + proc.stderr[-2000:]
    line = next(l for l in proc.stderr.splitlines() if l.startswith(f"failed {copy}:"))
    assert "已从语料库撤回" in line and "same content as archive/" in line, line
    assert corpus_names(indexed) == names  # zz-copy.txt is gone again
    after = Snapshot.load(indexed.index.index_dir)
    assert after.files.keys() == before.files.keys() and after.chunks.keys() == before.chunks.keys()


def test_oversize_file_is_refused_with_chinese_reason(indexed, tmp_path):
    names = corpus_names(indexed)
    proc = add(indexed, str(CORPUS / PROVINCIAL), ZLY_MAX_FILE_CHARS="3000")
    assert proc.returncode == 1
    line = next(l for l in proc.stderr.splitlines() if l.startswith("failed "))
    assert "文件过大" in line and "ZLY_MAX_FILE_CHARS" in line, line
    assert corpus_names(indexed) == names


def test_near_duplicate_needs_force_and_shows_the_diff(indexed, tmp_path):
    text = (CORPUS / NATIONAL).read_text("utf-8")
    line = max((l for l in lines_of(text) if not set(l) & set("*#\t")), key=len)
    revised = tmp_path / "全国质量月通知（修订）.txt"
    revised.write_text(text.replace(line, line[:12] + "（修订：报送时间调整）" + line[12:]), encoding="utf-8")
    names = corpus_names(indexed)

    refused = add(indexed, str(revised))
    assert refused.returncode == 1 and corpus_names(indexed) == names
    assert "近似重复" in refused.stderr and "--force" in refused.stderr
    diff = [l.strip() for l in refused.stderr.splitlines() if l.startswith(("  - ", "  + "))]
    # one line out, the same line with the insertion in (as the index cleans them)
    assert len(diff) == 2 and diff[0].startswith("- ") and diff[1].startswith("+ "), refused.stderr
    assert diff[0][2:] in lines_of(clean_text(text)) and diff[1][2:] in lines_of(clean_text(revised.read_text("utf-8")))
    assert "修订：报送时间调整" in diff[1] and "修订" not in diff[0]

    forced = add(indexed, "--force", str(revised))
    assert forced.returncode == 0, forced.stderr[-2000:]
    assert revised.name in Snapshot.load(indexed.index.index_dir).files
