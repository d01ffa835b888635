"""Consistency checks of the evaluation data against the corpus."""
from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from eval.metrics import answer_correct, normalize  # noqa: E402
from eval.schema import QUESTION_TYPES, load_drafting, load_questions  # noqa: E402

CORPUS = ROOT / "corpus"
QUESTIONS = ROOT / "eval" / "questions.jsonl"
DRAFTING = ROOT / "eval" / "drafting.jsonl"
# The five notices this evaluation set is written against (other files may be added to corpus/).
CORPUS_FILES = [
    "2022-fujian-forwarding-national-notice.txt",
    "2023-yongan-county-plan.txt",
    "2024-fujian-provincial-notice.txt",
    "2025-fujian-provincial-notice.txt",
    "2025-national-samr-notice.txt",
]


@pytest.fixture(scope="module")
def corpus() -> dict[str, str]:
    return {f: (CORPUS / f).read_text(encoding="utf-8") for f in CORPUS_FILES}


@pytest.fixture(scope="module")
def questions():
    return load_questions(QUESTIONS, corpus_dir=CORPUS)


@pytest.fixture(scope="module")
def tasks():
    return load_drafting(DRAFTING, corpus_dir=CORPUS)


def test_corpus_present():
    for f in CORPUS_FILES:
        assert (CORPUS / f).is_file(), f


def test_every_quote_is_exact_substring(questions, corpus):
    for q in questions:
        for s in q.sources:
            assert s.file in corpus, (q.id, s.file)
            assert s.quote in corpus[s.file], (q.id, s.file, s.quote)


def test_quotes_short_and_single_paragraph(questions):
    for q in questions:
        for s in q.sources:
            assert len(s.quote) <= 80, (q.id, s.quote)
            assert "\n" not in s.quote, (q.id, s.quote)


def test_ids_unique(questions):
    ids = [q.id for q in questions]
    assert len(ids) == len(set(ids))


def test_counts(questions):
    singles = [q for q in questions if not q.history]
    followups = [q for q in questions if q.history]
    assert len(singles) >= 60
    assert len(followups) >= 15
    counts = Counter(q.type for q in singles)
    for t in QUESTION_TYPES:
        assert counts[t] >= 4, (t, counts[t])
    assert 8 <= counts["unanswerable"] <= 12


def test_followup_ids_and_history(questions):
    for q in questions:
        if q.id.startswith("fu-"):
            assert q.history, q.id
            assert all(isinstance(h, str) and h for h in q.history)
        else:
            assert not q.history, q.id


def test_every_notice_is_covered(questions):
    used = Counter(s.file for q in questions for s in q.sources)
    for f in CORPUS_FILES:
        assert used[f] >= 10, (f, used[f])


def test_must_include_is_in_gold_quotes(questions):
    """Each required string is backed by the quoted corpus text (whitespace-insensitive)."""
    for q in questions:
        if not q.answerable:
            continue
        quoted = normalize("".join(s.quote for s in q.sources))
        for m in q.must_include:
            assert normalize(m) in quoted, (q.id, m)


def test_gold_answers_pass_their_own_checks(questions):
    for q in questions:
        assert answer_correct(q.answer, q.answerable, q), q.id
        for bad in q.must_not_include:
            assert normalize(bad) not in normalize(q.answer), (q.id, bad)
        assert not set(map(normalize, q.must_include)) & set(map(normalize, q.must_not_include)), q.id


def test_unanswerable_shape(questions):
    for q in questions:
        if q.type == "unanswerable":
            assert q.must_include == [] and q.sources == [] and q.answer.strip(), q.id


def test_drafting_file_loads(tasks):
    assert len(tasks) >= 6
    years = {t.year for t in tasks}
    assert {2022, 2024, 2025, 2026} <= years
    assert {"county", "city"} <= {t.level for t in tasks}
    ids = [t.id for t in tasks]
    assert len(ids) == len(set(ids))
    for t in tasks:
        kinds = {r.kind for r in t.rubric}
        assert {"must_include", "must_not_include", "structure", "citation"} <= kinds, t.id


def test_drafting_forbidden_strings_absent_from_right_year_guidance(tasks, corpus):
    """A draft that copies correctly from its own year's guidance must not be penalised.

    Forbidden strings may appear in the task's template (stale content to be
    replaced) and in rubric items flagged ``copy_trap`` (text that is right in
    the provincial notice but wrong in a lower-level draft).
    """
    for t in tasks:
        cited = {v for r in t.rubric if r.kind == "citation" for v in r.values} - {t.template}
        texts = {f: normalize(corpus[f]) for f in cited}
        for r in t.rubric:
            if r.kind != "must_not_include" or r.extra.get("copy_trap"):
                continue
            for v in r.values:
                for f, text in texts.items():
                    assert normalize(v) not in text, (t.id, r.check, v, f)
