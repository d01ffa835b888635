"""python -m eval feedback export --out FILE [--data-dir DIR]
python -m eval feedback list [--data-dir DIR] [--disliked]

``export`` turns every 👎 stored by the chat app (``<data_dir>/feedback.sqlite``, see
docs/feedback.md) into a DRAFT evaluation case in the questions.jsonl schema: the user's
correct answer as ``answer``, ``must_include``/``sources`` left empty for a maintainer,
``"draft": true`` and a ``review_note``. Name the file ``*.draft.jsonl``: eval.schema rejects
the drafts until they are completed, which is the point.

Exit codes: 0 ok, 1 no feedback store, 2 bad arguments.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m eval feedback", description="user feedback (👍/👎) from the chat")
    sub = p.add_subparsers(dest="command", required=True)
    e = sub.add_parser("export", help="write disliked answers as draft eval cases (JSON Lines)")
    e.add_argument("--out", required=True, help="output file, e.g. eval/feedback.draft.jsonl")
    e.add_argument("--data-dir", default=None, help="data dir holding feedback.sqlite (default: settings data_dir)")
    ls = sub.add_parser("list", help="show stored feedback")
    ls.add_argument("--data-dir", default=None)
    ls.add_argument("--disliked", action="store_true", help="only 👎")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from assistant import feedback
    from index.settings import Settings

    settings = Settings(data_dir=Path(args.data_dir)) if args.data_dir else Settings()
    store = feedback.db_path(settings)
    if not store.exists():
        print(f"error: no feedback stored yet ({store} does not exist)", file=sys.stderr)
        return 1
    if args.command == "export":
        n = feedback.export_disliked(settings, args.out)
        print(f"{n} disliked answer(s) -> {args.out} (drafts: fill in type, must_include and sources, "
              f"then move them into eval/questions.jsonl)")
        return 0
    rows = feedback.list_feedback(settings, rating=-1 if args.disliked else None)
    for r in rows:
        mark = "+1" if r["rating"] > 0 else "-1"
        print(f"{r['id']:>4} {mark} {r['created_at']}  {r['question']}"
              + (f"  → {r['rewritten_question']}" if r["rewritten_question"] != r["question"] else ""))
        if r["comment"] or r["correct_answer"]:
            print(f"       comment: {r['comment']}  correct: {r['correct_answer']}")
    print(f"{len(rows)} row(s) in {store}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
