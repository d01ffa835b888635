"""知识库: every document with its metadata (and trust level), search, edit, delete, replace, re-index
(all, or one document from its row), its chunks, and the upload of new notices. An upload that nearly
equals an indexed notice is held back with its changed lines until the user clicks 仍然导入.
Everything is read from the index at the moment it is shown."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import gradio as gr

from assistant.app import library_ops as ops
from assistant.app.context import LEVEL_CHOICES, AppContext
from assistant.app.library_views import catalogue_html, chunks_html, import_report_html, near_duplicates_html


@dataclass
class LibraryTab:
    search: gr.Textbox
    catalogue: gr.HTML
    doc_pick: gr.Dropdown


def discard_uploads(paths) -> None:
    """Gradio keeps every upload in its cache; once read (accepted or not) it is ours to remove."""
    cache = Path(os.environ.get("GRADIO_TEMP_DIR") or "/nonexistent").resolve()
    for p in paths or []:
        path = Path(p).resolve()
        if cache in path.parents:
            path.unlink(missing_ok=True)


def make_handlers(ctx: AppContext) -> dict:
    def listing(query=""):
        return catalogue_html(ops.document_rows(ctx), query), gr.Dropdown(choices=ctx.notice_choices())

    def pick(name):
        entry = ctx.files().get(name or "")
        if entry is None:
            return "", "", "", "", "", None, chunks_html([])
        m = entry.meta
        return (m.get("title") or "", m.get("doc_no") or "", str(m.get("year") or ""), m.get("level") or "",
                m.get("region") or "", m.get("trust") or None, chunks_html(ops.document_chunks(ctx, name)))

    def save(name, query, title, doc_no, year, level, region, trust, progress=gr.Progress()):
        progress(0.3, desc="正在保存并重新编入索引")
        values = dict(title=title, doc_no=doc_no, year=year, level=level, region=region, trust=trust)
        return (ops.save_metadata(ctx, name, values) if name else "请先选择一份文档。", *listing(query))

    def delete(name, query, progress=gr.Progress()):
        progress(0.3, desc="正在删除并更新索引")
        return (ops.delete_document(ctx, name) if name else "请先选择一份文档。", *listing(query))

    def replace(name, upload, query, progress=gr.Progress()):
        if not name or not upload:
            return "请先选择文档，并上传新版本文件。", *listing(query)
        progress(0.3, desc="正在替换并重新编入索引")
        try:
            return ops.replace_document(ctx, name, upload), *listing(query)
        finally:
            discard_uploads([upload])

    def reindex_all(query, progress=gr.Progress()):
        progress(0.3, desc="正在检查全部文档并更新索引")
        report = ops.reindex(ctx)
        return import_report_html([], report), *listing(query)

    def reindex_one(name, query, progress=gr.Progress()):
        if not name:
            return "请先选择一份文档。", *listing(query)
        progress(0.3, desc="正在重新读取这份文档并编入索引")
        message, report = ops.reindex_documents(ctx, [name])
        ok = report is not None and name not in report.failed
        return import_report_html([(name, ok, message)], report), *listing(query)

    def reindex_row(key, query, progress=gr.Progress()):
        """key: the URL-quoted name a row's 重建索引 link carries."""
        return reindex_one(unquote(key or ""), query, progress)

    def upload(paths, query, progress=gr.Progress()):
        paths = [p for p in (paths or []) if p]
        if not paths:
            return '<div class="zly-fail">请先选择要导入的文件。</div>', *listing(query), [], gr.Button(visible=False)
        try:
            items, unreadable = ops.read_uploads(paths)
        finally:
            discard_uploads(paths)
        lines, report, held = ops.import_uploads(ctx, items, progress)
        html = import_report_html(unreadable + lines, report) + near_duplicates_html(held)
        return html, *listing(query), held, gr.Button(visible=bool(held))

    def force_import(held, query, progress=gr.Progress()):
        """仍然导入: the held-back near-duplicates, imported as they are."""
        if not held:
            return "没有待导入的文件。", *listing(query), [], gr.Button(visible=False)
        lines, report, _ = ops.import_uploads(ctx, [(h.name, h.data) for h in held], progress, force=True)
        return import_report_html(lines, report), *listing(query), [], gr.Button(visible=False)
    return dict(listing=listing, pick=pick, save=save, delete=delete, replace=replace, reindex_all=reindex_all,
                reindex_one=reindex_one, reindex_row=reindex_row, upload=upload, force_import=force_import)


def build_library_tab(ctx: AppContext) -> LibraryTab:
    s = ctx.settings
    h = make_handlers(ctx)
    exts = "、".join(s.security.allowed_exts)
    with gr.Accordion("导入新文档", open=False, elem_id="zly-upload-box"):
        gr.Markdown(f"支持 {exts}，单个文件不超过 {s.security.max_upload_mb} MB；导入失败的文件不会影响现有索引。")
        files = gr.File(file_count="multiple", type="filepath", label="选择文件（可多选）", elem_id="zly-upload")
        import_btn = gr.Button("导入并更新索引", variant="primary", elem_id="zly-import")
    status = gr.HTML("", elem_id="zly-import-result")
    force_btn = gr.Button("仍然导入", visible=False, elem_id="zly-force-import")
    held = gr.State([])  # library_ops.HeldBack of this session's last upload
    with gr.Row(equal_height=True):
        search = gr.Textbox(show_label=False, placeholder="搜索标题、文号、地区、年份…", scale=4, elem_id="zly-lib-search")
        reindex_btn = gr.Button("重新检查并更新索引", scale=1, elem_id="zly-reindex")
    catalogue = gr.HTML("", elem_id="zly-catalogue")
    with gr.Accordion("查看与编辑一份文档", open=True):
        doc_pick = gr.Dropdown([], value=None, label="文档", elem_id="zly-doc-pick")
        with gr.Row():
            title = gr.Textbox(label="标题", scale=3, elem_id="zly-meta-title")
            doc_no = gr.Textbox(label="文号", scale=2, elem_id="zly-meta-docno")
        with gr.Row():
            year = gr.Textbox(label="年份", min_width=80, elem_id="zly-meta-year")
            level = gr.Dropdown([("未知", "")] + LEVEL_CHOICES[1:], label="层级", min_width=80, elem_id="zly-meta-level")
            region = gr.Textbox(label="地区", min_width=80, elem_id="zly-meta-region")
            trust = gr.Dropdown([("正式公文", "official"), ("用户上传", "user")], value=None, label="来源",
                                min_width=80, elem_id="zly-meta-trust")
        with gr.Row():
            save_btn = gr.Button("保存修改", variant="primary", elem_id="zly-meta-save")
            reindex_one_btn = gr.Button("重建这份文档的索引", elem_id="zly-doc-reindex")
            delete_btn = gr.Button("删除文档", variant="stop", elem_id="zly-doc-delete")
        new_version = gr.File(label="替换为新版本（上传文件）", type="filepath", height=100, elem_id="zly-replace-file")
        replace_btn = gr.Button("替换", elem_id="zly-replace")
        chunks = gr.HTML("", elem_id="zly-chunks", max_height=500)
    # the page script (client.js) writes a row's quoted file name here and clicks the button
    reindex_req = gr.Textbox(elem_id="zly-reindex-req", elem_classes=["zly-hidden"], show_label=False)
    reindex_go = gr.Button("重建索引", elem_id="zly-reindex-go", elem_classes=["zly-hidden"])
    out = [status, catalogue, doc_pick]
    search.change(h["listing"], [search], [catalogue, doc_pick], show_progress="hidden")
    doc_pick.change(h["pick"], [doc_pick], [title, doc_no, year, level, region, trust, chunks])
    save_btn.click(h["save"], [doc_pick, search, title, doc_no, year, level, region, trust], out,
                   show_progress_on=[status])
    reindex_one_btn.click(h["reindex_one"], [doc_pick, search], out, show_progress_on=[status])
    reindex_go.click(h["reindex_row"], [reindex_req, search], out, show_progress_on=[status],
                     api_visibility="private")
    delete_btn.click(h["delete"], [doc_pick, search], out, show_progress_on=[status])
    replace_btn.click(h["replace"], [doc_pick, new_version, search], out, show_progress_on=[status])
    reindex_btn.click(h["reindex_all"], [search], out, show_progress_on=[status])
    import_btn.click(h["upload"], [files, search], out + [held, force_btn], show_progress_on=[status],
                     api_name="import_files")
    force_btn.click(h["force_import"], [held, search], out + [held, force_btn], show_progress_on=[status],
                    api_visibility="private")
    return LibraryTab(search, catalogue, doc_pick)
