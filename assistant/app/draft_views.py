"""HTML of the 起草方案 tab (no gradio): the preview, its 起草依据 and the review notes."""
from __future__ import annotations

import re

from assistant.app.views import esc

def draft_md(markdown: str) -> str:
    """A generated draft keeps its Markdown structure, but no HTML tag from its text can form.

    `**（一）标题。**正文` is not bold in CommonMark (the closing ** sits between CJK punctuation
    and a letter), so bold spans become <strong> here, after escaping. 【待补】 is marked, and each
    [S#] links to its line in the 起草依据 list.
    """
    text = (markdown or "").replace("&", "&amp;").replace("<", "&lt;")
    text = re.sub(r"\*\*([^*\n]+?)\*\*", r"<strong>\1</strong>", text)
    text = re.sub(r"【待补[^】\n]*】", lambda m: f'<span class="zly-todo">{m.group(0)}</span>', text)
    return re.sub(r"\[S(\d+)\]", r'<a class="zly-cite" href="#zly-basis-\1">[S\1]</a>', text)


def basis_html(draft) -> str:
    """起草依据: every [S#] of the draft with the notice, 文号, section and the passage it rests on."""
    cites = getattr(draft, "citation_list", []) or []
    if not cites:
        return '<div class="zly-empty">本稿没有引用语料中的通知段落。</div>'
    items = []
    for c in cites:
        doc_no = f"（{esc(c.doc_no)}）" if c.doc_no else ""
        items.append(f'<li id="zly-basis-{c.n}"><b>[S{c.n}]</b> {esc(c.item)} ← 《{esc(c.title)}》{doc_no}'
                     f'<div class="zly-section">{esc(c.section)}</div>'
                     f'<blockquote class="zly-quote">{esc(c.text)}</blockquote></li>')
    return f'<ol class="zly-basis">{"".join(items)}</ol>'


def draft_notes_html(draft) -> str:
    notes = [*getattr(draft, "flags", []), *getattr(draft, "notes", [])]
    used = getattr(draft, "sources_used", []) or []
    out = ""
    if used:
        out += "<div><b>参考的通知：</b>" + "；".join(esc(u) for u in used) + "</div>"
    if notes:
        out += '<ul class="zly-import">' + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>"
    return out
