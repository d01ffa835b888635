"""Renderings of a PlanDraft: Markdown (with [S<n>] citation markers), the 送审核对表, and Word.

Word goes through assistant.components.word_writer.GongwenDocument, the module that writes
python-docx. The .docx carries the same [S#] markers as the Markdown (small, raised, grey; the
安排表's rows are named in the appendix instead, so the table stays a clean table) and ends with a
起草依据 appendix that lists every marker with its notice, 文号, section and passage. The
送审核对表 maps each item to its source for the reviewer and is written beside it.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: model imports this module to render a PlanDraft
    from assistant.drafting.model import PlanDraft


def _marks(cites: list[int]) -> str:
    return "".join(f"[S{n}]" for n in dict.fromkeys(cites))


def _cell(text: str) -> str:
    return text.replace("|", "｜").replace("\n", " ")


def to_markdown(draft: PlanDraft, markers: bool = True) -> str:
    out: list[str] = []
    m = _marks if markers else (lambda cites: "")
    for b in draft.blocks:
        if b.kind == "note":
            if b.text:
                out.append(f"> **{b.text}**")
        elif b.kind == "masthead":
            out.append(f"**{b.text}**")
        elif b.kind in ("doc_no", "addressee", "slogan"):
            out.append(b.text + (m(b.cites) if b.kind == "slogan" else ""))
        elif b.kind == "title":
            out.append(f"# {b.text}")
        elif b.kind == "heading1":
            out.append(f"## {b.text}")
        elif b.kind == "heading2":
            out.append(f"### {b.text}")
        elif b.kind == "item":
            out.append(f"**{b.head}**{b.text}{m(b.cites)}")
        elif b.kind == "para":
            out.append(b.text + m(b.cites))
        elif b.kind in ("attachment_list", "signature"):
            out.append("  \n".join(b.text.split("\n")))
        elif b.kind == "attachment":
            out.append("---")
            out.append(f"## {b.text}")
            out.append(f"### {b.head}")
        elif b.kind == "table":
            lines = ["| " + " | ".join(b.columns) + " |", "|" + "---|" * len(b.columns)]
            for row, cites in zip(b.rows, b.row_cites):
                cells = [_cell(v) for v in row]
                if markers and cites and cells:
                    cells[-1] = (cells[-1] + " " + _marks(cites)).strip()
                lines.append("| " + " | ".join(cells) + " |")
            out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


def review_markdown(draft: PlanDraft) -> str:
    lines = [f"# 送审核对表：{draft.locality}{draft.year}年“质量月”活动方案", ""]
    lines += [f"- {n}" for n in draft.notes]
    if draft.flags:
        lines += ["", "## 需核对的问题", ""] + [f"- {f}" for f in draft.flags]
    lines += ["", "## 引用来源", "", "| 编号 | 条目 | 来源文件 | 通知 | 文号 | 章节 | 原文摘录 |", "|---|---|---|---|---|---|---|"]
    for c in draft.citation_list:
        quote = c.text if len(c.text) <= 160 else c.text[:160] + "…"
        lines.append(f"| S{c.n} | {_cell(c.item)} | {_cell(c.source)} | {_cell(c.title)} | {_cell(c.doc_no) or '（无）'} "
                     f"| {_cell(c.section)} | {_cell(quote)} |")
    return "\n".join(lines) + "\n"


BASIS_TITLE = "起草依据"


def basis_entries(draft: PlanDraft) -> list[tuple[str, str, str]]:
    """(marker, what it supports ← which notice and section, the passage) for every citation of the draft."""
    out = []
    for c in draft.citation_list:
        doc_no = f"（{c.doc_no}）" if c.doc_no else ""
        out.append((f"[S{c.n}]", f"{c.item} ← 《{c.title}》{doc_no} · {c.section}", " ".join(c.text.split())))
    return out


def write_docx(draft: PlanDraft, path: Path) -> Path:
    """The plan as a 公文-style .docx (attachments on new pages, the 安排表 a real table, [S#] markers
    and the 起草依据 appendix last)."""
    from assistant.components.word_writer import GongwenDocument

    doc = GongwenDocument()
    blocks = draft.blocks
    for i, b in enumerate(blocks):
        if b.kind == "note":
            if b.text:
                doc.note(b.text)
        elif b.kind == "masthead":
            doc.masthead(b.text)
        elif b.kind == "doc_no":
            doc.doc_number(b.text)
        elif b.kind == "title":
            doc.title(b.text)
        elif b.kind == "addressee":
            doc.paragraph(b.text, indent=False)
        elif b.kind == "heading1":
            doc.heading(b.text, 1)
        elif b.kind == "heading2":
            doc.heading(b.text, 2)
        elif b.kind == "item":
            doc.paragraph(b.text, head=b.head, marks=_marks(b.cites))
        elif b.kind == "para":
            doc.paragraph(b.text, marks=_marks(b.cites))
        elif b.kind == "slogan":
            doc.paragraph(b.text, indent=False, marks=_marks(b.cites))
        elif b.kind == "attachment_list":
            for n, line in enumerate(b.text.split("\n")):
                doc.paragraph(line, indent=n == 0)
        elif b.kind == "signature":
            for line in b.text.split("\n"):
                doc.paragraph(line, indent=False, align="right")
        elif b.kind == "attachment":
            wide = i + 1 < len(blocks) and blocks[i + 1].kind == "table"  # the 安排表 gets a landscape page
            doc.attachment(b.text, b.head, landscape=wide)
        elif b.kind == "table":
            doc.table(b.columns, b.rows)
    if draft.citation_list:
        doc.basis(BASIS_TITLE, basis_entries(draft))
    return doc.save(path)


def write_review_docx(draft: PlanDraft, path: Path) -> Path:
    """The 送审核对表 as Word, for reviewers who do not read Markdown."""
    from assistant.components.word_writer import GongwenDocument

    doc = GongwenDocument()
    doc.title(f"送审核对表：{draft.locality}{draft.year}年“质量月”活动方案")
    for line in draft.notes + [f"需核对：{f}" for f in draft.flags]:
        doc.paragraph(line, indent=False)
    doc.table(["编号", "条目", "来源文件", "文号", "章节", "原文摘录"],
              [[f"S{c.n}", c.item, c.source, c.doc_no or "（无）", c.section, c.text] for c in draft.citation_list])
    return doc.save(path)


def write_outputs(draft: PlanDraft, out: Path) -> dict[str, str]:
    """plan.docx, plan.md beside it, and the 送审核对表 (plan.送审核对表.md/.docx)."""
    out = Path(out)
    md, review = out.with_suffix(".md"), out.with_name(out.stem + ".送审核对表.md")
    write_docx(draft, out)
    md.write_text(draft.markdown, encoding="utf-8")
    review.write_text(draft.review_markdown, encoding="utf-8")
    review_docx = write_review_docx(draft, out.with_name(out.stem + ".送审核对表.docx"))
    return {"docx": str(out), "markdown": str(md), "review": str(review), "review_docx": str(review_docx)}
