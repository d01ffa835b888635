"""反馈 (admin): 👎 answers with the users' comments and corrections, by date, exported as draft
eval cases exactly as `python -m eval feedback export` writes them (assistant.feedback.draft_case)."""
from __future__ import annotations

import datetime as dt
import json

import gradio as gr

from assistant import feedback as fb
from assistant.app.context import AppContext, beijing, beijing_now
from assistant.app.views import esc


def is_admin(ctx: AppContext, username: str | None) -> bool:
    """With login off the one local user is the admin; with login on only the listed users are."""
    if not fb_login_on(ctx):
        return True
    admins = {u.strip() for u in ctx.settings.security.admin_users.split(",") if u.strip()}
    return bool(username) and username in admins


def fb_login_on(ctx: AppContext) -> bool:
    return bool(ctx.settings.security.auth_users.get_secret_value().strip())


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def disliked(ctx: AppContext, start: str, end: str) -> list[dict]:
    lo, hi = _day(start), _day(end)
    rows = []
    for row in fb.list_feedback(ctx.settings, rating=-1):
        day = beijing(dt.datetime.fromisoformat(row["created_at"])).date()
        if (lo is None or day >= lo) and (hi is None or day <= hi):
            rows.append(row)
    return rows


def rows_html(rows: list[dict]) -> str:
    if not rows:
        return '<div class="zly-empty">所选时间内没有 👎 反馈。</div>'
    head = "".join(f"<th>{h}</th>" for h in ("时间（北京）", "问题", "回答", "说明", "正确答案"))
    body = "".join(
        "<tr>" + "".join(f"<td>{esc(v)}</td>" for v in (
            f"{beijing(dt.datetime.fromisoformat(r['created_at'])):%Y-%m-%d %H:%M}", r["question"],
            r["answer"][:200] + ("…" if len(r["answer"]) > 200 else ""), r.get("comment") or "—",
            r.get("correct_answer") or "—")) + "</tr>" for r in rows)
    return (f'<div class="zly-section">共 {len(rows)} 条</div><div class="zly-scroll"><table class="zly-table">'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")


def make_handlers(ctx: AppContext):
    def show(start, end, request: gr.Request = None):
        if not is_admin(ctx, getattr(request, "username", None)):
            return '<div class="zly-fail">只有管理员可以查看反馈。</div>'
        return rows_html(disliked(ctx, start, end))

    def export(start, end, request: gr.Request = None):
        if not is_admin(ctx, getattr(request, "username", None)):
            return gr.skip(), "只有管理员可以导出反馈。"
        rows = disliked(ctx, start, end)
        if not rows:
            return gr.skip(), "所选时间内没有 👎 反馈，未导出。"
        folder = ctx.settings.index.data_dir / "feedback_exports"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"feedback-{beijing_now():%Y%m%d-%H%M%S}.draft.jsonl"
        path.write_text("".join(json.dumps(fb.draft_case(r), ensure_ascii=False) + "\n" for r in rows),
                        encoding="utf-8")
        return gr.DownloadButton(value=str(path), visible=True), f"已导出 {len(rows)} 条待审核评测用例。"
    return show, export


def build_feedback_tab(ctx: AppContext) -> tuple:
    show, export = make_handlers(ctx)
    gr.Markdown("用户点 👎 的回答，以及补充的说明和正确答案。导出的是**待审核**评测用例（*.draft.jsonl），"
                "须由维护者补全后才能并入评测集。")
    with gr.Row(equal_height=True):
        start = gr.Textbox(label="起始日期", placeholder="2025-09-01", min_width=110, elem_id="zly-fb-from")
        end = gr.Textbox(label="截止日期", placeholder="2025-09-30", min_width=110, elem_id="zly-fb-to")
        refresh = gr.Button("查询", min_width=70, elem_id="zly-fb-query")
        export_btn = gr.Button("导出为评测用例", min_width=100, elem_id="zly-fb-export")
    status = gr.Markdown("", elem_id="zly-fb-export-status")
    download = gr.DownloadButton("下载 .draft.jsonl", visible=False, elem_id="zly-fb-download")
    table = gr.HTML("", elem_id="zly-fb-table")
    refresh.click(show, [start, end], [table])
    export_btn.click(export, [start, end], [download, status])
    return show, (start, end, table)
