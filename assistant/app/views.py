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
TRUST_LABELS = {"official": "正式公文", "user": "用户上传"}  # index/trust.py levels
USER_UPLOAD_MARK = "用户上传，非正式公文"
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
    model = f" · 模型：{md_text(model)}" if model and model != "—" else ""
    return (f"**质量月通知助手** · 回答方式：{md_text(answerer_label(answerer))}{model}"
            " · 回答均依据已导入的通知原文并标注出处")


# ---------------------------------------------------------------- chat

QUESTION_SHOWN = 300  # characters of a question shown in its bubble; the rest is folded away
_CITE = re.compile(r"\\\[(\d{1,2})\\\]")  # a [n] marker after md_text escaped it


def question_md(question: str) -> str:
    """The user's bubble: a long question is cut, so a pasted page never fills the chat."""
    q = (question or "").strip()
    if len(q) <= QUESTION_SHOWN:
        return md_text(q)
    return md_text(q[:QUESTION_SHOWN]) + f"…\n\n*（问题共 {len(q)} 字，此处只显示前 {QUESTION_SHOWN} 字）*"


def cite_links(body: str, turn: int) -> str:
    """[n] → a link the page script turns into “open the notice at this passage”."""
    return _CITE.sub(lambda m: f"[\\[{m.group(1)}\\]](#zly-cite-{turn}-{m.group(1)})", body)


def answer_md(result: AnswerResult, partial: str | None = None, turn: int | None = None) -> str:
    """The chat message for one answer; `partial` is the part streamed so far, `turn` its index
    in the conversation (citations become links only in a final answer)."""
    body = md_text(result.answer if partial is None else partial)
    if not result.answerable:
        body = f'<strong class="{REFUSAL_CLASS}">{REFUSAL_MARK}</strong>\n\n{body}'
    if partial is not None:
        return body + " ▌"
    if turn is not None and result.citations:
        body = cite_links(body, turn)
    parts = [body]
    if result.citations:
        refs = "  \n".join(f"\\[{c.n}\\] 《{md_text(c.title)}》{md_text(c.doc_no)} · {md_text(c.section)}"
                           for c in result.citations)
        parts.append(f"**来源**  \n{refs}")
    notes = []
    if result.rewritten_question and result.rewritten_question.strip() != result.question.strip():
        notes.append(f"检索问题：{md_text(result.rewritten_question)}")
    notes += [md_text(f) for f in result.flags]
    if notes:
        parts.append("  \n".join(f"*{n}*" for n in notes))
    return "\n\n".join(parts)


def cited_passages(result: AnswerResult) -> list[tuple[list[int], object]]:
    """Each cited passage once, with every [n] that points at it."""
    groups: dict[tuple, tuple[list[int], object]] = {}
    for c in sorted(result.citations, key=lambda c: c.n):
        key = (c.source, c.chunk_id or c.text)
        groups.setdefault(key, ([], c))[0].append(c.n)
    return list(groups.values())


def sources_html(result: AnswerResult | None, turn: int | None = None, user_docs=frozenset()) -> str:
    """The cited passages; one from a document in `user_docs` (trust "user": no 文号, no government
    masthead) is marked as not an official notice."""
    if result is None:
        return '<div class="zly-empty">提问后，这里列出回答所引用的通知原文段落。</div>'
    if not result.citations:
        msg = "本次回答没有引用通知原文。" if result.answerable else "语料中没有找到能回答该问题的通知段落。"
        return f'<div class="zly-empty">{msg}</div>'
    items = []
    for numbers, c in cited_passages(result):
        marks = "".join(f'<a class="zly-cite" href="#zly-cite-{turn}-{n}">[{n}]</a>' if turn is not None
                        else f"<b>[{n}]</b>" for n in numbers)
        doc_no = f'<span class="zly-docno">{esc(c.doc_no)}</span>' if c.doc_no else ""
        if getattr(c, "trust", "") == "user" or c.source in user_docs:
            doc_no += f'<span class="zly-user-doc">{USER_UPLOAD_MARK}</span>'
        items.append(
            f'<div class="zly-source"><div class="zly-source-head">{marks} 《{esc(c.title)}》{doc_no}</div>'
            f'<div class="zly-section">{esc(c.section)}</div>'
            f'<blockquote class="zly-quote">{esc(c.text)}</blockquote></div>')
    return "".join(items)


def locate_passage(text: str, passage: str) -> tuple[int, int] | None:
    """Where a cited passage sits in the notice's full text: the passage itself, else the span
    from its first to its last line found there (a table row's chunk is reformatted)."""
    passage = (passage or "").strip()
    if not passage or not text:
        return None
    at = text.find(passage)
    if at >= 0:
        return at, at + len(passage)
    spans = []
    for line in (ln.strip() for ln in passage.splitlines()):
        for piece in (p.strip() for p in line.split("\t")):
            if len(piece) >= 6 and (at := text.find(piece)) >= 0:
                spans.append((at, at + len(piece)))
    if not spans:
        return None
    start = min(s for s, _ in spans)
    end = max(e for s, e in spans if s - start < 2000)  # stay inside one region of the notice
    return start, end


def line_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The passage (line) of the cleaned text that holds the span [start, end)."""
    return text.rfind("\n", 0, start) + 1, (text.find("\n", end) if "\n" in text[end:] else len(text))


def notice_html(meta: dict, text: str, highlight: str = "", span: tuple[int, int] | None = None) -> str:
    """The whole notice; `highlight` (a cited passage's text) or `span` (a fact's offsets in the cleaned
    text: its line is marked, the span itself set bold) is marked for the page script to scroll to."""
    head = f"《{esc(meta.get('title', ''))}》"
    bits = [meta.get("doc_no", ""), meta.get("date", ""), LEVELS.get(meta.get("level", ""), ""),
            meta.get("region", "")]
    sub = " · ".join(esc(b) for b in bits if b)
    if span and 0 <= span[0] < span[1] <= len(text):
        (s, e), (fs, fe) = line_around(text, *span), span
        body = (f'{esc(text[:s])}<mark class="zly-hit" id="zly-hit">{esc(text[s:fs])}'
                f'<b class="zly-fact-hit">{esc(text[fs:fe])}</b>{esc(text[fe:e])}</mark>{esc(text[e:])}')
    elif found := locate_passage(text, highlight):
        s, e = found
        body = f'{esc(text[:s])}<mark class="zly-hit" id="zly-hit">{esc(text[s:e])}</mark>{esc(text[e:])}'
    else:
        body = esc(text)
    return (f'<div class="zly-notice"><div class="zly-notice-head">{head}<div class="zly-section">{sub}</div></div>'
            f'<div class="zly-notice-text">{body}</div></div>')


def notice_label(meta: dict, source: str) -> str:
    return f"{meta.get('year') or ''} {meta.get('title') or source}".strip()
