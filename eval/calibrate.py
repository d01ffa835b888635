"""Calibrate the evidence gate: sweep `min_answer_score` over a (dev) question set.

    python -m eval calibrate --questions eval/outside/dev.jsonl --add eval/outside/docs --out DIR

For each threshold the same questions are answered again (one index, one model load) and the
curve of refusals is written: of the answerable questions, how many were answered correctly and
how many refused (false refusals); of the unanswerable ones, how many were refused (true
refusals). Pick the threshold on a dev split, never on the test split, and set it with
ZLY_MIN_ANSWER_SCORE.
"""
from __future__ import annotations

import json
from pathlib import Path

from eval.runner import OursPipeline, ask_all, build_assistant, summarize
from eval.schema import load_questions
from index.settings import Settings

THRESHOLDS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)


def calibrate(settings: Settings, questions_path, out_dir, thresholds=THRESHOLDS) -> list[dict]:
    from assistant.pipeline import Assistant

    questions = load_questions(questions_path, corpus_dir=settings.index.corpus_dir)
    base = build_assistant(settings)
    rows = []
    for t in thresholds:
        s = settings.with_(min_answer_score=t)
        m = summarize(ask_all(OursPipeline(Assistant(s, reader=base.reader)), questions), questions)
        rows.append({"min_answer_score": t, "accuracy_answerable": m["accuracy"]["answerable"],
                     "false_refusals": m["refusal_rate"]["answerable_refused"],
                     "true_refusals": m["refusal_rate"]["unanswerable_refused"],
                     "accuracy_overall": m["accuracy"]["overall"]})
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "calibration.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    lines = [f"# Evidence gate calibration on `{questions_path}`", "",
             f"Current setting: min_answer_score = {settings.answer.min_answer_score}", "",
             "| min_answer_score | accuracy (answerable) | false refusals | true refusals | accuracy (all) |",
             "|---|---|---|---|---|"]
    lines += [f"| {r['min_answer_score']:.1f} | {_pct(r['accuracy_answerable'])} | {_pct(r['false_refusals'])} "
              f"| {_pct(r['true_refusals'])} | {_pct(r['accuracy_overall'])} |" for r in rows]
    (out / "calibration.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return rows


def _pct(x) -> str:
    return "—" if x is None else f"{100 * x:.1f}%"
