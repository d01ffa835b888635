"""Command line: python -m assistant ingest | search | ask | draft | add | facts | serve."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from index.settings import Settings


def _settings(args) -> Settings:
    return Settings()


def cmd_ingest(args) -> int:
    from index.ingest import ingest

    report = ingest(_settings(args), show_progress=not args.quiet)
    print(report.summary())
    return 0


def cmd_search(args) -> int:
    from assistant.retrieve import HybridRetriever

    result = HybridRetriever.from_settings(_settings(args)).search(args.question, k=args.k)
    if args.json:
        print(json.dumps({"query": args.question, "missing_year": result.missing_year,
                          "nearest_year": result.nearest_year, "notes": result.notes,
                          "contexts": [c.__dict__ for c in result.contexts]}, ensure_ascii=False, indent=1))
        return 0
    if result.missing_year:
        print(f"(corpus has no notice for {result.missing_year}; showing {result.nearest_year})")
    for note in result.notes:
        print(f"({note})")
    for rank, c in enumerate(result.contexts, 1):
        print(f"{rank}. [{c.score:.4f}] {c.title} {c.doc_no}".rstrip())
        print(f"   {c.section}  ({c.source})")
        print("   " + c.text.replace("\n", "\n   "))
    return 0


def cmd_ask(args) -> int:
    from assistant.pipeline import Assistant

    history = _read_history(args.history) if args.history else []
    result = Assistant(_settings(args)).ask(args.question, history=history)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=1))
        return 0
    if result.rewritten_question and result.rewritten_question != args.question:
        print(f"(searched as: {result.rewritten_question})")
    print(result.answer)
    for c in result.citations:
        print(f"[{c.n}] {c.title} {c.doc_no} · {c.section} ({c.source})")
    return 0


def _read_history(path: str) -> list[str]:
    """A conversation file: a JSON list of earlier user turns, or one turn per line."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return [line.strip() for line in text.splitlines() if line.strip()]
    turns = []
    for item in data if isinstance(data, list) else []:
        if isinstance(item, str):
            turns.append(item)
        elif isinstance(item, dict) and item.get("role", "user") == "user":
            turns.append(str(item.get("content", "")))
    return turns


def cmd_add(args) -> int:
    """Copy files into corpus/ and index them; a file the index then refuses is withdrawn again."""
    from index.ingest import ingest
    from index.intake import IntakeError, NearDuplicateError, add_to_corpus

    settings = _settings(args)
    failed, added = 0, {}  # corpus-relative name → the path given
    for name in args.files:
        path = Path(name)
        try:
            dest = add_to_corpus(path.read_bytes(), path.name, settings, force=args.force)
        except NearDuplicateError as exc:
            failed += 1
            print(f"failed {path}: {exc}；确是新版本请加 --force 再导入。改动的行：", file=sys.stderr)
            print("  " + exc.match.diff_text().replace("\n", "\n  "), file=sys.stderr)
            continue
        except (IntakeError, OSError) as exc:
            failed += 1
            print(f"failed {path}: {exc}", file=sys.stderr)
            continue
        added[dest.relative_to(settings.index.corpus_dir.resolve()).as_posix()] = path
        print(f"added {path} -> {dest.relative_to(settings.index.corpus_dir.resolve())}")
    report = ingest(settings, show_progress=not args.quiet)
    for stored, path in added.items():
        if stored in report.failed:  # never leave a file in the corpus that the index refuses
            (settings.index.corpus_dir / stored).unlink(missing_ok=True)
            failed += 1
            print(f"failed {path}: 未能编入索引，已从语料库撤回：{report.failed[stored]}", file=sys.stderr)
    print(report.summary())
    return 1 if failed else 0


def cmd_draft(args) -> int:
    from assistant.draft import run_draft_cli

    return run_draft_cli(args, _settings(args))


def cmd_serve(args) -> int:
    from assistant.app import serve

    serve(_settings(args), host=args.host, port=args.port)
    return 0


def cmd_facts(args) -> int:
    from assistant.facts_view import run

    return run(args, _settings(args))


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m assistant", description="质量月 notice assistant")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("ingest", help="index corpus/ (incremental)")
    s.add_argument("--quiet", action="store_true")
    s.set_defaults(func=cmd_ingest)
    s = sub.add_parser("search", help="show the ranked passages for a question")
    s.add_argument("question")
    s.add_argument("-k", type=int, default=None)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_search)
    s = sub.add_parser("ask", help="answer a question with citations")
    s.add_argument("question")
    s.add_argument("--history", help="earlier user turns: JSON list or one per line")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_ask)
    s = sub.add_parser("add", help="copy notice files into corpus/ and index them")
    s.add_argument("files", nargs="+")
    s.add_argument("--force", action="store_true",
                   help="add a near-duplicate of an indexed notice anyway (e.g. a revised version)")
    s.add_argument("--quiet", action="store_true")
    s.set_defaults(func=cmd_add)
    s = sub.add_parser("draft", help="draft a locality's 质量月 plan")
    s.add_argument("--locality", required=True)
    s.add_argument("--year", type=int, required=True)
    s.add_argument("--level", choices=["county", "city"], default=None)
    s.add_argument("--template")
    s.add_argument("--departments")
    s.add_argument("--out")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_draft)
    s = sub.add_parser("facts", help="facts read off each indexed notice (theme, deadlines, contacts …)")
    s.add_argument("--fact", help="one kind: theme, period, co_issuers, slogans, activities, deadlines, …")
    s.add_argument("--year", type=int)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_facts)
    s = sub.add_parser("serve", help="start the chat web app")
    s.add_argument("--host", default=None)
    s.add_argument("--port", type=int, default=None)
    s.set_defaults(func=cmd_serve)
    return p


def main(argv: list[str] | None = None) -> int:
    from assistant.cli_errors import run_guarded

    args = build_parser().parse_args(argv)
    return run_guarded(args.func, args)
