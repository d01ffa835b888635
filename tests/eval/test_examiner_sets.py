"""Every examiner-written set under eval/ loads in the documented schema: its quotes are exact
substrings of its own documents (eval/outside*/docs) or of the corpus (eval/seed_new*), and a dev
and a test split share no question."""
from __future__ import annotations

from pathlib import Path

import pytest

from eval.schema import load_questions

ROOT = Path(__file__).resolve().parents[2]
SETS = sorted(p for p in (ROOT / "eval").iterdir() if p.is_dir() and p.name.startswith(("outside", "seed_new")))


@pytest.mark.parametrize("folder", SETS, ids=lambda p: p.name)
def test_both_splits_load_and_do_not_overlap(folder):
    docs = folder / "docs" if (folder / "docs").is_dir() else ROOT / "corpus"
    dev, test = (load_questions(folder / f"{split}.jsonl", corpus_dir=docs) for split in ("dev", "test"))
    assert dev and test
    assert not {q.question for q in dev} & {q.question for q in test}
    assert not {q.id for q in dev} & {q.id for q in test}
