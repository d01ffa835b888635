"""python -m eval run --questions FILE [--drafting FILE] --out DIR [--pipeline ours|baseline] [--answerer NAME]
                    [--add FILE_OR_DIR …]   (documents added to a throwaway copy of the corpus first)
python -m eval compare --questions FILE --out DIR
python -m eval feedback export --out FILE   (disliked answers from the app → draft eval cases)
python -m eval agreement RUN_DIR   (how often the eval's judge and the product's verifier agree on RUN_DIR's citations)

Exit codes: 0 ok, 2 bad input (a malformed evaluation file names its line), 1 other failure.
"""
from __future__ import annotations

import argparse
import json
import datetime as dt
import sys
from pathlib import Path

from eval.schema import SchemaError


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--questions", required=True, help="questions JSONL (eval/README.md schema)")
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--answerer", default=None, help="extractive | llamacpp | openai (default: settings)")
    p.add_argument("--data-dir", "--index-dir", dest="data_dir", default=None,
                   help="data dir holding index/ (built/refreshed here; default: settings data_dir)")
    p.add_argument("--corpus-dir", default=None, help="corpus folder (default: settings corpus_dir)")
    p.add_argument("--baseline-dir", default=None, help="baseline data dir (default: <data-dir>/baseline)")
    p.add_argument("--today", default="2025-09-01", help="evaluation date for 今年/去年 (default 2025-09-01)")
    p.add_argument("--add", nargs="+", default=None, metavar="PATH",
                   help="documents (files or folders) added to a throwaway copy of the corpus before the run, "
                        "as `python -m assistant add` would; the copy and its index live in <out>/workspace")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m eval", description="evaluate the 质量月 assistant")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="answer every question (and drafting task), write answers/metrics/report")
    _common(r)
    r.add_argument("--drafting", default=None, help="drafting tasks JSONL")
    r.add_argument("--pipeline", choices=("ours", "baseline"), default="ours")
    c = sub.add_parser("compare", help="run ours and the LangChain-default baseline side by side")
    _common(c)
    k = sub.add_parser("calibrate", help="sweep the evidence gate's min_answer_score over a (dev) set")
    _common(k)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["feedback"]:
        from eval.feedback_cli import main as feedback_main

        return feedback_main(argv[1:])
    if argv[:1] == ["agreement"]:
        if len(argv) != 2 or not (Path(argv[1]) / "answers.jsonl").is_file():
            print("usage: python -m eval agreement RUN_DIR   (a folder holding answers.jsonl)", file=sys.stderr)
            return 2
        from eval.agreement import main as agreement_main

        return agreement_main(argv[1])
    args = build_parser().parse_args(argv)
    from eval import runner

    try:
        settings = runner.make_settings(args.data_dir, args.corpus_dir, args.answerer,
                                        today=dt.date.fromisoformat(args.today))
        if args.add:
            from eval.workspace import with_added

            settings = with_added(settings, args.add, Path(args.out) / "workspace")
        _check_llm(settings)
        if args.command == "run":
            m = runner.run(settings, args.questions, args.out, drafting_path=args.drafting,
                           pipeline=args.pipeline, baseline_dir=args.baseline_dir)
            a = m["accuracy"]
            print(f"hit@5 {m['retrieval']['hit@5']:.3f}  accuracy answerable {a['answerable'] or 0:.3f} "
                  f"unanswerable {a['unanswerable'] or 0:.3f} follow-up {a['followup'] or 0:.3f}  "
                  f"citation P {m['citation']['precision']:.3f} R {m['citation']['recall']:.3f}  "
                  f"p50 {m['latency_ms']['p50']:.0f} ms -> {args.out}/report.md")
        elif args.command == "calibrate":
            from eval.calibrate import calibrate

            for row in calibrate(settings, args.questions, args.out):
                print(json.dumps(row))
            print(f"-> {args.out}/calibration.md")
        else:
            runner.compare(settings, args.questions, args.out, baseline_dir=args.baseline_dir)
            print(f"-> {args.out}/compare.md")
    except SchemaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # e.g. a bad --answerer or --today
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ImportError as exc:  # e.g. an LLM answerer whose extra is not installed
        print(f"error: not available: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 — an unreachable LLM or store: one line, no traceback
        from assistant.cli_errors import report

        return report(exc)
    return 0


def _check_llm(settings) -> None:
    """An unreachable model endpoint would otherwise fail every question one by one and still exit 0."""
    if settings.answer.answerer != "openai":
        return  # extractive needs none; llamacpp is loaded in-process (a failure raises at once)
    from assistant.llm import make_chat_model

    make_chat_model(settings).chat([{"role": "user", "content": "你好"}], max_tokens=1, temperature=0.0)


if __name__ == "__main__":
    sys.exit(main())
