"""`python -m assistant draft …`: print the plan (Markdown or JSON) and optionally write Word."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from index.settings import Settings


def run_draft_cli(args, settings: Settings) -> int:
    from assistant.drafting.build import DraftError, draft_plan
    from assistant.drafting.export import write_outputs
    from index.reader import IndexReader

    request = f"起草{args.locality}{args.year}年“质量月”活动方案"
    try:
        draft = draft_plan(settings, IndexReader(settings), args.locality, args.year, level=args.level,
                           template=Path(args.template) if args.template else None,
                           departments=Path(args.departments) if args.departments else None)
    except (DraftError, OSError) as exc:
        print(f"无法起草：{exc}", file=sys.stderr)
        return 2
    files = write_outputs(draft, Path(args.out)) if args.out else {}
    if args.json:
        print(json.dumps({"request": request, "locality": draft.locality, "year": draft.year,
                          "year_used": draft.year_used, "level": draft.level,
                          "draft_markdown": draft.markdown, "citations": draft.citations, "flags": draft.flags,
                          "sources_used": draft.sources_used, "notes": draft.notes,
                          "docx": files.get("docx"), "files": files}, ensure_ascii=False, indent=1))
        return 0
    print(draft.markdown)
    for note in draft.notes:
        print(f"（{note}）", file=sys.stderr)
    for flag in draft.flags:
        print(f"[需核对] {flag}", file=sys.stderr)
    for kind, path in files.items():
        print(f"已写出 {kind}: {path}", file=sys.stderr)
    return 0
