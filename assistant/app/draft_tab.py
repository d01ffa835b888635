"""起草方案: draft a locality's 活动方案 from the corpus, preview it with its 起草依据, download .docx/.md."""
from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

import gradio as gr

from assistant.app.context import AppContext, beijing_now
from assistant.app.draft_views import basis_html, draft_md, draft_notes_html
from assistant.app.views import esc

log = logging.getLogger(__name__)
DRAFT_UNAVAILABLE = "起草功能不可用：本版本未安装起草模块（assistant/draft.py）。"


def _fail(message: str):
    hidden = gr.DownloadButton(visible=False)
    return "", f'<div class="zly-fail">{message}</div>', "", "", hidden, hidden


def _write(ctx: AppContext, draft, locality: str, year: int) -> tuple[Path, Path]:
    from assistant.draft import write_docx
    from index.intake import split_safe_name

    out = ctx.drafts_dir / f"{beijing_now():%Y%m%d-%H%M%S-%f}"
    out.mkdir(parents=True)
    stem = split_safe_name(f"{locality}{year}年“质量月”活动方案.md")[0] or "“质量月”活动方案"
    md_path, docx_path = out / f"{stem}.md", out / f"{stem}.docx"
    md_path.write_text(draft.markdown + _basis_markdown(draft), encoding="utf-8")
    write_docx(draft, docx_path)
    return md_path, docx_path


def _basis_markdown(draft) -> str:
    from assistant.drafting.export import BASIS_TITLE, basis_entries

    lines = [f"{marker} {where}：{quote}" for marker, where, quote in basis_entries(draft)]
    return (f"\n---\n\n## {BASIS_TITLE}\n\n" + "\n\n".join(lines) + "\n") if lines else ""


def make_draft_handler(ctx: AppContext):
    def make_draft(locality, year, level, template, departments, progress=gr.Progress()):
        try:
            from assistant.draft import DraftError, draft_plan
        except ImportError:
            return _fail(DRAFT_UNAVAILABLE)
        locality = (locality or "").strip()
        if not locality or not year:
            return _fail("请填写地区和年份。")
        progress(0.2, desc="正在检索历年通知并起草")
        try:
            draft = draft_plan(ctx.settings, ctx.assistant.reader, locality, int(year), level=level or None,
                               template=Path(template) if template else None,
                               departments=Path(departments) if departments else None)
            md_path, docx_path = _write(ctx, draft, locality, int(year))
        except DraftError as exc:  # its message is for the user
            return _fail(f"无法起草：{esc(exc)}")
        except Exception as exc:  # noqa: BLE001
            log.exception("draft failed")
            return _fail(f"起草失败（{esc(type(exc).__name__)}），请检查上传的模板或部门名单。")
        done = '<div class="zly-ok">初稿已生成。请逐条核对，并补全【待补】处后再使用。</div>'
        return (draft_md(draft.markdown), done, basis_html(draft), draft_notes_html(draft),
                gr.DownloadButton(value=str(docx_path), visible=True), gr.DownloadButton(value=str(md_path), visible=True))
    return make_draft


def build_draft_tab(ctx: AppContext) -> None:
    ready = importlib.util.find_spec("assistant.draft") is not None
    if not ready:
        gr.HTML(f'<div class="zly-fail">{DRAFT_UNAVAILABLE}</div>')
    gr.Markdown("根据语料中的上级通知和往年方案，起草本地区质量月活动方案初稿。初稿须经人工审核后使用。")
    with gr.Row():
        locality = gr.Textbox(label="地区", placeholder="例如：某某县", min_width=120, elem_id="zly-locality")
        year = gr.Number(value=ctx.settings.retrieval.today.year, precision=0, label="年份", min_width=80, elem_id="zly-year")
        level = gr.Dropdown([("自动判断", ""), ("县级", "county"), ("市级", "city")], value="", label="层级",
                            min_width=80)
    with gr.Row():
        template = gr.File(label="方案模板（可选，往年本地方案）", type="filepath", height=120)
        departments = gr.File(label="部门名单（可选）", type="filepath", height=120)
    button = gr.Button("生成方案", variant="primary", interactive=ready, elem_id="zly-draft")
    status = gr.HTML("", elem_id="zly-draft-status")
    with gr.Row():
        dl_docx = gr.DownloadButton("下载 Word（.docx）", visible=False, elem_id="zly-dl-docx")
        dl_md = gr.DownloadButton("下载 Markdown（.md）", visible=False, elem_id="zly-dl-md")
    view = gr.Markdown("", sanitize_html=True, latex_delimiters=[], elem_id="zly-draft-view")
    with gr.Accordion("起草依据（与正文中的 [S#] 对应）", open=True):
        basis = gr.HTML("", elem_id="zly-draft-basis")
    with gr.Accordion("核对提示", open=False):
        notes = gr.HTML("", elem_id="zly-draft-notes")
    button.click(make_draft_handler(ctx), [locality, year, level, template, departments],
                 [view, status, basis, notes, dl_docx, dl_md], show_progress_on=[status], api_name="make_draft")
