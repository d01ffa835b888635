"""How often the eval's judge (eval/judge.py) and the product's verifier (assistant/verify.py) agree.

Both are asked about the same (sentence, cited passage) pairs of a run's answers.jsonl, cut the way
the runner cuts them (eval.pairs.cited_pairs). This module imports the product on purpose: it
compares the two. The verifier is given the passage as it checks one (section heading + text; a
table row's header is not stored in answers.jsonl, so it is missing here).

    python -m eval agreement RUN_DIR      → prints the figures, writes RUN_DIR/agreement.json
"""
from __future__ import annotations

import json
from pathlib import Path

from eval.pairs import cited_pairs

MAX_EXAMPLES = 10


def _pairs(record: dict) -> list[dict]:
    cits = [c for c in record.get("citations") or [] if isinstance(c, dict) and "n" in c]
    sections = {c["n"]: c.get("section") or "" for c in cits}
    pairs = cited_pairs(record.get("answer") or "", cits)
    for p in pairs:
        p["evidence"] = f"{sections.get(p['n'], '')}\n{p['chunk_text']}"
    return pairs


def agreement(records: list[dict]) -> dict:
    """Counts of (judge, verifier) verdicts over every cited pair, the share where they agree, and examples."""
    from assistant.verify import supported as verifier_supports

    counts = {"both": 0, "judge_only": 0, "verifier_only": 0, "neither": 0}
    examples = []
    for rec in records:
        for p in _pairs(rec):
            judge_ok = bool(p["supported"])
            verifier_ok = bool(p["chunk_text"]) and verifier_supports(p["sentence"], p["evidence"])
            key = ("both" if verifier_ok else "judge_only") if judge_ok else ("verifier_only" if verifier_ok else "neither")
            counts[key] += 1
            if judge_ok != verifier_ok and len(examples) < MAX_EXAMPLES:
                examples.append({"id": rec.get("id"), "n": p["n"], "sentence": p["sentence"],
                                 "judge": judge_ok, "verifier": verifier_ok})
    n = sum(counts.values())
    return {"pairs": n, "agreement": (counts["both"] + counts["neither"]) / n if n else None,
            **counts, "disagreements": examples}


def read_answers(run_dir) -> list[dict]:
    path = Path(run_dir) / "answers.jsonl"
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def main(run_dir) -> int:
    result = agreement(read_answers(run_dir))
    (Path(run_dir) / "agreement.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), "utf-8")
    if not result["pairs"]:
        print("no cited pairs in this run")
        return 0
    print(f"judge vs. verifier on {result['pairs']} cited pairs: agree {result['agreement']:.1%} "
          f"(both supported {result['both']}, neither {result['neither']}, "
          f"judge only {result['judge_only']}, verifier only {result['verifier_only']})")
    for d in result["disagreements"]:
        print(f"  {d['id']} [{d['n']}] judge={d['judge']} verifier={d['verifier']}: {d['sentence'][:60]}")
    return 0
