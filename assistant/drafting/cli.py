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
    # The draft stands without the model (it only polishes), so it is still printed and written;
    # but a configured model that could not be reached is a failure the caller must see.
    llm_down = [n for n in draft.notes if n.startswith(_LLM_DOWN)]
    if args.json:
        print(json.dumps({"request": request, "locality": draft.locality, "year": draft.year,
                          "year_used": draft.year_used, "level": draft.level,
                          "draft_markdown": draft.markdown, "citations": draft.citations, "flags": draft.flags,
                          "sources_used": draft.sources_used, "notes": draft.notes,
                          "docx": files.get("docx"), "files": files}, ensure_ascii=False, indent=1))
        return _llm_failure(llm_down)
    print(draft.markdown)
    for note in draft.notes:
        print(f"（{note}）", file=sys.stderr)
    for flag in draft.flags:
        print(f"[需核对] {flag}", file=sys.stderr)
    for kind, path in files.items():
        print(f"已写出 {kind}: {path}", file=sys.stderr)
    return _llm_failure(llm_down)


_LLM_DOWN = ("未润色（模型不可用", "润色中断（")  # notes assistant/drafting/polish.py leaves


def _llm_failure(notes: list[str]) -> int:
    if not notes:
        return 0
    from assistant.cli_errors import UNAVAILABLE

    print(f"错误：语言模型不可用，方案未经润色（{notes[0]}）", file=sys.stderr)
    return UNAVAILABLE
