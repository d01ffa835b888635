"""The eval runner: its per-question helpers, bad input, and short end-to-end runs on the real index."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from eval.runner import cited_pairs, compare, run, summarize  # noqa: E402
from eval.schema import load_questions  # noqa: E402

QUESTIONS = ROOT / "eval" / "questions.jsonl"
DRAFTING = ROOT / "eval" / "drafting.jsonl"
ANSWER_FIELDS = {"id", "question", "answer", "answerable", "citations", "contexts", "answerer", "latency_ms"}
METRIC_KEYS = {"retrieval", "accuracy", "refusal_rate", "citation", "latency_ms", "by_type", "drafting", "run"}


def _subset(tmp_path: Path, n_single: int = 3) -> Path:
    """5 questions of the real set: 3 answerable singles, 1 unanswerable, 1 follow-up."""
    rows = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    singles = [r for r in rows if r["type"] != "unanswerable" and not r.get("history")][:n_single]
    picked = singles + [next(r for r in rows if r["type"] == "unanswerable"),
                        next(r for r in rows if r.get("history"))]
    path = tmp_path / "q5.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in picked), encoding="utf-8")
    return path


# ---------------------------------------------------------------- helpers (no models)

def test_cited_pairs_take_the_text_each_marker_covers():
    cits = [{"n": 1, "text": "活动主题：加强全面质量管理 促进质量强国建设"}, {"n": 2, "text": "联系电话：0591-87580701"}]
    answer = "根据《通知》：\n主题是“加强全面质量管理 促进质量强国建设”[1]\n电话0591-87580701[2]，主题同上[1][2]"
    pairs = cited_pairs(answer, cits)
    assert [(p["n"], p["sentence"]) for p in pairs] == [
        (1, "主题是“加强全面质量管理 促进质量强国建设”"), (2, "电话0591-87580701"), (1, "，主题同上"), (2, "，主题同上")]
    assert pairs[0]["supported"] and pairs[1]["supported"]
    assert cited_pairs("电话是0591-12345678[1]", cits)[0]["supported"] is False  # wrong number
    assert cited_pairs("无出处[3]", cits)[0]["chunk_text"] == ""  # unknown [n] is an unsupported pair


def test_summarize_splits_single_and_followup(tmp_path):
    qs = load_questions(_subset(tmp_path))
    recs = []
    for q in qs:
        ok = not q.history  # singles right, the follow-up wrong
        recs.append({"id": q.id, "type": q.type, "history": q.history, "correct": ok, "latency_ms": 100.0,
                     "answerable": q.answerable, "gold_rank": 1 if q.answerable else None, "citations": [],
                     "citation_checks": [{"n": 1, "sentence": "x", "supported": True}]})
    m = summarize(recs, qs)
    assert m["accuracy"]["single"] == 1.0 and m["accuracy"]["followup"] == 0.0
    assert m["n_followup"] == 1 and m["n_single"] == 4
    assert m["retrieval"]["hit@1"] == 1.0 and m["citation"]["precision"] == 1.0
    assert m["citation"]["recall"] == 0.0  # nothing cited a gold chunk
    assert m["latency_ms"]["p50"] == 100.0


def test_malformed_questions_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.jsonl"
    good = QUESTIONS.read_text(encoding="utf-8").splitlines()[0]
    bad.write_text(good + "\n" + '{"id": "x", "question": "问？", "type": "trivia"}\n', encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "eval", "run", "--questions", str(bad), "--out", str(tmp_path / "o")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, env={"PYTHONPATH": str(ROOT),
                                                                                  "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 2, proc.stderr
    assert "bad.jsonl line 2" in proc.stderr and "'type' must be one of" in proc.stderr
    assert not (tmp_path / "o" / "answers.jsonl").exists()


# ---------------------------------------------------------------- end to end (real index)

@pytest.mark.slow
def test_run_end_to_end(tmp_path, built_index, embeddings):
    out = tmp_path / "out"
    drafting = tmp_path / "d1.jsonl"
    drafting.write_text(DRAFTING.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    m = run(built_index, _subset(tmp_path), out, drafting_path=drafting, embeddings=embeddings)
    for name in ("answers.jsonl", "drafts.jsonl", "metrics.json", "report.md", "accuracy_by_type.png", "latency.png"):
        assert (out / name).is_file(), name
    lines = [json.loads(x) for x in (out / "answers.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 5
    for rec in lines:
        assert ANSWER_FIELDS <= set(rec), rec["id"]
        assert not rec.get("error"), rec
        for c in rec["citations"]:
            assert {"n", "source", "title", "doc_no", "section", "text"} <= set(c)
        for c in rec["contexts"]:
            assert {"source", "title", "doc_no", "section", "text", "score"} <= set(c)
    assert any(r["contexts"] for r in lines)
    saved = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert METRIC_KEYS <= set(saved) and saved == json.loads(json.dumps(m))
    assert {"hit@1", "hit@3", "hit@5", "hit@10", "mrr"} <= set(saved["retrieval"])
    assert {"answerable", "unanswerable", "single", "followup"} <= set(saved["accuracy"])
    assert {"p50", "p95"} <= set(saved["latency_ms"]) and saved["run"]["today"] == "2025-09-01"
    assert saved["citation"]["judge_vs_verifier"]["pairs"] == saved["citation"]["pairs"]  # the same pairs, twice judged
    drafts = [json.loads(x) for x in (out / "drafts.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(drafts) == 1
    assert {"id", "request", "draft_markdown", "citations", "flags", "docx", "rubric_results"} <= set(drafts[0])
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "## By question type" in report and "## Failures" in report
    assert "eval judge and product verifier agree" in report


@pytest.mark.slow
def test_compare_end_to_end(tmp_path, built_index, embeddings):
    results = compare(built_index, _subset(tmp_path, n_single=1), tmp_path / "cmp", embeddings=embeddings,
                      baseline_dir=tmp_path / "baseline-data")
    assert set(results) == {"ours", "baseline"}
    for name in ("ours", "baseline"):
        assert (tmp_path / "cmp" / name / "answers.jsonl").is_file()
    base = [json.loads(x) for x in (tmp_path / "cmp" / "baseline" / "answers.jsonl").read_text("utf-8").splitlines()]
    assert all(c["title"] == "" and c["section"] == "" for r in base for c in r["contexts"])  # no metadata
    table = (tmp_path / "cmp" / "compare.md").read_text(encoding="utf-8")
    assert "| hit@5 |" in table and "baseline" in table
