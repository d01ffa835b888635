"""A chat as a Markdown file, with its citations: the "download conversation" button."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from assistant.results import AnswerResult, Citation
from index.settings import Settings


def _quote(text: str) -> str:
    lines = [line.strip() for line in (text or "").replace("\t", " | ").splitlines() if line.strip()]
    return "\n".join(f"   > {line}" for line in lines)


def _citation(c: Citation) -> str:
    label = f"《{c.title}》" if c.title else c.source
    if c.doc_no:
        label += f"（{c.doc_no}）"
    parts = [f"{c.n}. {label}"]
    if c.section:
        parts.append(f"「{c.section}」")
    if c.source and c.title:
        parts.append(f"`{c.source}`")
    out = " · ".join(parts)
    quote = _quote(c.text)
    return out + ("\n" + quote if quote else "")


def conversation_markdown(turns: list[tuple[str, AnswerResult]], title: str = "质量月通知助手 · 对话记录",
                          exported_at: dt.datetime | None = None) -> str:
    """Every turn: the question, the answer, the searched question when a follow-up was rewritten,
    and the cited passages as a numbered source list ([n] in the answer = n. in the list)."""
    out = [f"# {title}", ""]
    if exported_at:
        out += [f"导出时间：{exported_at.isoformat(timespec='seconds')}", ""]
    for i, (question, result) in enumerate(turns, 1):
        question = question or (result.question if result else "")
        out += [f"## {i}. {' '.join(question.split())}", ""]
        if result is None:
            out += ["（无回答）", ""]
            continue
        rewritten = (result.rewritten_question or "").strip()
        if rewritten and rewritten != question.strip():
            out += [f"*检索问题：{rewritten}*", ""]
        out += [(result.answer or "").strip() or "（无回答）", ""]
        if result.citations:
            out += ["**来源**", ""]
            out += [_citation(c) for c in sorted(result.citations, key=lambda c: c.n)]
            out.append("")
        elif not result.answerable:
            out += ["*（语料中没有可引用的依据）*", ""]
        meta = [m for m in (result.answerer, result.model if result.model not in ("", "—") else "") if m]
        if meta:
            out += [f"<sub>回答方式：{' / '.join(meta)}</sub>", ""]
    return "\n".join(out).rstrip() + "\n"


def save_conversation(turns: list[tuple[str, AnswerResult]], settings: Settings,
                      now: dt.datetime | None = None) -> Path:
    """Write the Markdown under <data_dir>/conversations/ and return the path (for a download button)."""
    now = now or dt.datetime.now().astimezone()
    folder = Path(settings.data_dir) / "conversations"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"质量月对话-{now:%Y%m%d-%H%M%S}.md"
    n = 1
    while path.exists():
        n += 1
        path = folder / f"质量月对话-{now:%Y%m%d-%H%M%S}-{n}.md"
    path.write_text(conversation_markdown(turns, exported_at=now), encoding="utf-8")
    return path

