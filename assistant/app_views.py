"""Plain string formatting for the web app (assistant/app.py): no gradio here.

Every piece of text that comes from a document, a user or a file name goes
through `md_text` (for Markdown, e.g. chat messages) or `esc` (for HTML panels)
so a notice containing ``<script>`` or ``<img onerror=…>`` is shown as literal
text. The app additionally keeps gradio's own sanitising on.
"""
from __future__ import annotations

import html
import re

from assistant.results import AnswerResult

LEVELS = {"national": "全国", "provincial": "省级", "municipal": "市级", "county": "县级"}
ANSWERERS = {"extractive": "摘录式（原文摘录，不使用大模型）", "llamacpp": "本地大模型（llama.cpp）",
             "openai": "大模型接口（OpenAI 兼容）", "generative": "大模型生成"}
REFUSAL_MARK = "⚠ 语料中没有答案"
REFUSAL_CLASS = "zly-refusal"  # the one piece of our own HTML in chat messages (kept by the sanitiser); see CSS

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$:])")


def esc(text) -> str:
    """Text for an HTML panel."""
    return html.escape(str(text or ""), quote=True)


def md_text(text) -> str:
    """Untrusted text for a Markdown message: every markup character is neutralised.

    Markdown punctuation is backslash-escaped, then HTML special characters become
    entities; lines are stripped so indentation never turns into a code block, and
    double spaces (used in themes as separators) survive.
    """
    lines = [ln.strip() for ln in str(text or "").splitlines()]
    out = [html.escape(_MD_SPECIAL.sub(r"\\\1", ln), quote=False).replace("  ", " \u00a0") for ln in lines]
    return "\n".join(out)


def answerer_label(name: str) -> str:
    return ANSWERERS.get(name, name or "—")


def header_md(answerer: str, model: str) -> str:
    return (f"## 质量月通知助手\n回答方式：**{md_text(answerer_label(answerer))}**"
            f" · 模型：**{md_text(model or '—')}** · 所有回答均依据已导入的通知原文，并标注出处。")


# ---------------------------------------------------------------- chat


def answer_md(result: AnswerResult, partial: str | None = None) -> str:
    """The chat message for one answer; `partial` is the part streamed so far."""
    body = md_text(result.answer if partial is None else partial)
    if not result.answerable:
        body = f'<strong class="{REFUSAL_CLASS}">{REFUSAL_MARK}</strong>\n\n{body}'
    if partial is not None:
        return body + " ▌"
    parts = [body]
    if result.citations:
        refs = "\n".join(f"\\[{c.n}\\] 《{md_text(c.title)}》{md_text(c.doc_no)} · {md_text(c.section)}"
                         for c in result.citations)
        parts.append(f"**来源**\n{refs}")
    notes = []
    if result.rewritten_question and result.rewritten_question.strip() != result.question.strip():
        notes.append(f"检索问题：{md_text(result.rewritten_question)}")
    notes += [md_text(f) for f in result.flags]
    if notes:
        parts.append("\n".join(f"*{n}*" for n in notes))
    return "\n\n".join(parts)


def stream_pieces(text: str, size: int = 12) -> list[str]:
    """Growing prefixes of `text`, cut after punctuation where possible."""
    pieces, start = [], 0
    while start < len(text):
        end = min(len(text), start + size)
        m = re.search(r"[。；，：\n]", text[end:end + 8])
        end = end + m.end() if m else end
        pieces.append(text[:end])
        start = end
    return pieces


def sources_html(result: AnswerResult | None) -> str:
    if result is None:
        return '<div class="zly-empty">提问后，这里列出回答所引用的通知原文段落。</div>'
    if not result.citations:
        msg = "本次回答没有引用通知原文。" if result.answerable else "语料中没有找到能回答该问题的通知段落。"
        return f'<div class="zly-empty">{msg}</div>'
    items = []
    for c in result.citations:
        doc_no = f'<span class="zly-docno">{esc(c.doc_no)}</span>' if c.doc_no else ""
        items.append(
            f'<div class="zly-source"><div class="zly-source-head"><b>[{c.n}]</b> 《{esc(c.title)}》{doc_no}</div>'
            f'<div class="zly-section">{esc(c.section)}</div>'
            f'<blockquote class="zly-quote">{esc(c.text)}</blockquote></div>')
    return "".join(items)


def notice_html(meta: dict, text: str) -> str:
    head = f"《{esc(meta.get('title', ''))}》"
    bits = [meta.get("doc_no", ""), meta.get("date", ""), LEVELS.get(meta.get("level", ""), ""),
            meta.get("region", "")]
    sub = " · ".join(esc(b) for b in bits if b)
    return (f'<div class="zly-notice"><div class="zly-notice-head">{head}<div class="zly-section">{sub}</div></div>'
            f'<div class="zly-notice-text">{esc(text)}</div></div>')


# ---------------------------------------------------------------- catalogue / upload


def notice_label(meta: dict, source: str) -> str:
    return f"{meta.get('year') or ''} {meta.get('title') or source}".strip()


def catalogue_html(files: dict) -> str:
    """files: snapshot.files (name → entry with .meta)."""
    if not files:
        return '<div class="zly-empty">索引为空：请先导入通知文件。</div>'
    rows = []
    for name, entry in sorted(files.items(), key=lambda kv: (-(kv[1].meta.get("year") or 0), kv[0])):
        m = entry.meta
        cells = [m.get("year") or "", m.get("title") or "", m.get("doc_no") or "",
                 LEVELS.get(m.get("level", ""), m.get("level", "")), m.get("region") or "", name]
        rows.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>")
    head = "".join(f"<th>{h}</th>" for h in ("年份", "标题", "文号", "层级", "地区", "文件"))
    return f'<table class="zly-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def intake_reason(reason: str, max_mb: int, exts) -> str:
    """index.intake.IntakeError reasons (English) → a short Chinese message."""
    r = reason or ""
    if r.startswith("file too large"):
        return f"文件过大（单个文件不能超过 {max_mb} MB）"
    if r == "file is empty":
        return "文件为空"
    if r.startswith("unsupported file type"):
        return f"不支持的格式（支持：{'、'.join(exts)}）"
    if r.startswith("duplicate"):
        return f"重复：语料库中已有内容相同的文件 {r.rsplit(' as ', 1)[-1]}"
    if r.startswith("cannot add"):
        return f"无法读取文件内容，可能已损坏或不含文字（{r.split(': ', 1)[-1]}）"
    if r.startswith("refusing to write"):
        return "文件名不安全，已拒绝"
    if "appeared meanwhile" in r:
        return "同名文件正在写入，请稍后重试"
    return f"无法导入（{r}）"


def import_report_html(lines: list[tuple[str, bool, str]], report=None) -> str:
    """lines: (file name, ok, message); report: index.ingest.IngestReport or None."""
    items = "".join(f'<li class="{"zly-ok" if ok else "zly-fail"}">{"✔" if ok else "✘"} {esc(name)}：{esc(msg)}</li>'
                    for name, ok, msg in lines)
    out = f'<ul class="zly-import">{items}</ul>' if items else ""
    if report is not None:
        failed = {k: v for k, v in report.failed.items() if k not in report.skipped}
        out += (f'<div class="zly-summary">索引已更新：新增 {len(report.added)} 份，更新 {len(report.updated)} 份，'
                f'删除 {len(report.removed)} 份，未变 {len(report.skipped)} 份，失败 {len(failed)} 份；'
                f'共 {report.chunks} 个段落可检索。</div>')
        out += "".join(f'<div class="zly-fail">✘ {esc(k)} 未能编入索引：{esc(v)}</div>' for k, v in failed.items())
    return out


# ---------------------------------------------------------------- drafting


def draft_md(markdown: str) -> str:
    """A generated draft keeps its Markdown structure, but no HTML tag from its text can form.

    `**（一）标题。**正文` is not bold in CommonMark (the closing ** sits between CJK punctuation
    and a letter), so bold spans become <strong> here, after escaping.
    """
    text = (markdown or "").replace("&", "&amp;").replace("<", "&lt;")
    return re.sub(r"\*\*([^*\n]+?)\*\*", r"<strong>\1</strong>", text)


def draft_notes_html(draft) -> str:
    notes = [*getattr(draft, "flags", []), *getattr(draft, "notes", [])]
    used = getattr(draft, "sources_used", []) or []
    out = ""
    if used:
        out += "<div><b>参考的通知：</b>" + "；".join(esc(u) for u in used) + "</div>"
    if notes:
        out += '<ul class="zly-import">' + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>"
    return out


CSS = """
#zly-chat .zly-refusal { display: block; color: #b42318; font-weight: 600; margin-bottom: 4px; }
#zly-chat .message:has(.zly-refusal) { border-left: 4px solid #f79009; background: #fffaeb; }
.zly-empty { color: var(--body-text-color-subdued); padding: 8px 0; }
.zly-source { border-left: 3px solid var(--color-accent); padding: 4px 10px; margin: 0 0 12px 0; }
.zly-source-head { font-weight: 600; }
.zly-docno { font-weight: 400; margin-left: 6px; }
.zly-section { font-size: 0.9em; color: var(--body-text-color-subdued); }
.zly-quote { white-space: pre-wrap; margin: 4px 0 0 0; padding: 6px 8px; background: var(--background-fill-secondary);
             border-radius: 4px; font-size: 0.95em; }
.zly-notice-head { font-weight: 600; margin-bottom: 6px; }
.zly-notice-text { white-space: pre-wrap; line-height: 1.7; }
.zly-table { border-collapse: collapse; width: 100%; font-size: 0.92em; }
.zly-table th, .zly-table td { border: 1px solid var(--border-color-primary); padding: 4px 6px; text-align: left; }
.zly-table td:nth-child(1), .zly-table td:nth-child(4), .zly-table td:nth-child(5) { white-space: nowrap; }
.zly-import { margin: 4px 0; padding-left: 1.2em; }
.zly-ok { color: #1a7f37; } .zly-fail { color: #b42318; }
.zly-summary { margin-top: 6px; font-weight: 600; }
"""
