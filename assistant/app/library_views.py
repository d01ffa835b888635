"""HTML of the 知识库 tab: the document table, a document's chunks, upload reports. No gradio here.

Every document-derived string goes through `esc`.
"""
from __future__ import annotations

from urllib.parse import quote

from assistant.app.views import LEVELS, TRUST_LABELS, esc

UNKNOWN = "未知"
KINDS = (("方案", "方案"), ("通知", "通知"), ("报道", "新闻"), ("新闻", "新闻"), ("讲话", "讲话"), ("总结", "总结"))
COLUMNS = ("标题", "文号", "类型", "年份", "层级", "地区", "段落数", "添加日期", "来源", "文件")
REINDEX_LINK = "#zly-reindex-"  # client.js sends the (URL-quoted) file name after it to the server


def doc_kind(meta: dict) -> str:
    """通知 / 方案 / 新闻 … read from the title (the catalogue has no such column)."""
    title = meta.get("title") or ""
    for word, kind in KINDS:
        if word in title:
            return kind
    return UNKNOWN


def doc_row(name: str, entry, added: str) -> list[str]:
    m = entry.meta
    return [m.get("title") or name, m.get("doc_no") or UNKNOWN, doc_kind(m), str(m.get("year") or UNKNOWN),
            LEVELS.get(m.get("level") or "", m.get("level") or UNKNOWN), m.get("region") or UNKNOWN,
            str(len(entry.chunk_ids)), added or UNKNOWN, TRUST_LABELS.get(m.get("trust") or "", UNKNOWN), name]


def matches(row: list[str], query: str) -> bool:
    words = (query or "").split()
    hay = " ".join(row).lower()
    return all(w.lower() in hay for w in words)


def catalogue_html(rows: list[list[str]], query: str = "") -> str:
    """rows: doc_row(...) for every document, already ordered."""
    if not rows:
        return '<div class="zly-empty">知识库为空：请先导入通知文件。</div>'
    shown = [r for r in rows if matches(r, query)]
    if not shown:
        return f'<div class="zly-empty">没有与“{esc(query)}”匹配的文档（共 {len(rows)} 份）。</div>'
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + _actions(r[-1]) + "</tr>" for r in shown)
    head = "".join(f"<th>{h}</th>" for h in COLUMNS) + "<th>操作</th>"
    count = f'<div class="zly-section">共 {len(rows)} 份文档' + (f"，匹配 {len(shown)} 份" if query else "") + "</div>"
    return (f'{count}<div class="zly-scroll"><table class="zly-table zly-catalogue"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def _actions(name: str) -> str:
    """Re-index this one document (a link the page script turns into a request, like a [n] citation)."""
    return (f'<td><a class="zly-reindex-one" href="{REINDEX_LINK}{esc(quote(name, safe=""))}" '
            f'title="重新读取这份文档并编入索引">重建索引</a></td>')


def chunks_html(chunks: list[dict]) -> str:
    """A document's chunks in order: section, kind, text."""
    if not chunks:
        return '<div class="zly-empty">请选择一份文档。</div>'
    items = []
    for i, ch in enumerate(chunks, 1):
        m = ch["meta"]
        items.append(f'<div class="zly-source"><div class="zly-source-head">#{i} {esc(m.get("section") or "（正文）")}'
                     f'<span class="zly-docno">{esc(m.get("kind") or "")}</span></div>'
                     f'<blockquote class="zly-quote">{esc(ch["text"])}</blockquote></div>')
    return f'<div class="zly-section">共 {len(chunks)} 个段落</div>' + "".join(items)


# Reasons from index.intake / index.load (English, for the CLI) → what the page says.
_REASONS = (
    ("file is empty", "文件为空"),
    ("not a PDF", "不是有效的 PDF 文件（扩展名是否正确？）"),
    ("no text layer", "PDF 没有文字层（可能是扫描件），请先做文字识别（OCR）"),
    ("encrypted PDF", "PDF 已加密，请去掉密码后重新导入"),
    ("too many pages", "PDF 页数过多"),
    ("PDF is damaged", "PDF 文件已损坏，请重新导出后再试"),
    ("zip bomb", "Word 文件结构可疑（解压后过大），已拒绝"),
    ("not a valid .docx", "不是有效的 Word（.docx）文件"),
    ("not a Word document", "不是有效的 Word（.docx）文件"),
    ("damaged .docx", "Word 文件中的表格已损坏，无法读取"),
    ("looks binary", "看起来不是文本文件，请检查扩展名"),
    ("byte-order mark", "文字编码有误，请另存为 UTF-8 后再试"),
    ("text encoding", "无法识别文字编码，请另存为 UTF-8 后再试"),
    ("no text to index", "清理后没有可编入索引的文字"),
    ("no text", "文件中没有可读取的文字"),
    ("refusing to write", "文件名不安全，已拒绝"),
    ("appeared meanwhile", "同名文件正在写入，请稍后重试"),
    ("same content as", "与知识库中另一份文件内容相同，未重复编入"),
)


def intake_reason(reason: str, max_mb: int, exts) -> str:
    """index.intake.IntakeError / index.load.LoadError reasons (English) → a short Chinese message."""
    r = reason or ""
    if r.startswith("file too large"):
        return f"文件过大（单个文件不能超过 {max_mb} MB）"
    if r.startswith("unsupported file type"):
        return f"不支持的格式（支持：{'、'.join(exts)}）"
    if r.startswith("duplicate"):
        return f"重复：知识库中已有内容相同的文件 {r.rsplit(' as ', 1)[-1]}"
    for needle, message in _REASONS:
        if needle.lower() in r.lower():
            return message
    return "无法读取文件内容，可能已损坏或格式不符"


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
        out += "".join(f'<div class="zly-fail">✘ {esc(k)} 未能编入索引：{esc(intake_reason(v, 0, ()))}</div>'
                       for k, v in failed.items())
    return out


def near_duplicates_html(held) -> str:
    """Uploads held back as near-copies of an indexed notice (library_ops.HeldBack): which notice,
    how alike, the changed lines (- 原文 / + 上传), and what 仍然导入 does."""
    if not held:
        return ""
    items = []
    for h in held:
        m = h.match
        diff = "".join(
            f'<div class="{"zly-del" if line.startswith("-") else "zly-add"}">{esc(line)}</div>' for line in m.diff)
        more = f'<div class="zly-section">……另有 {m.more} 行改动</div>' if m.more else ""
        items.append(
            f'<div class="zly-neardup"><div class="zly-fail">✘ {esc(h.name)}：未导入。{esc(m.message())}。</div>'
            f'<div class="zly-section">改动的行（- 已收录的《{esc(m.title or m.existing)}》，+ 本次上传）：</div>'
            f'<div class="zly-diff">{diff or "（正文相同，只有格式不同）"}{more}</div></div>')
    return ("".join(items) + '<div class="zly-section">如果这确是另一份文件或新版本，'
            "请点“仍然导入”；否则无需操作，知识库保持不变。</div>")
