"""Assembles the tabs into one gr.Blocks and serves it.

    serve(settings)          start the server (settings.app.host/port; login when settings.security.auth_users)
    build_app(settings)      the gr.Blocks, for tests: app.launch(**launch_kwargs(settings, ...))

Every page load re-reads the catalogue (filters, notice lists, the 知识库 table, the 历年对比 facts) and
the user's saved conversations, so a reload or another session sees an upload made elsewhere.
"""
from __future__ import annotations

import os
from pathlib import Path

import gradio as gr
from starlette.middleware import Middleware

from assistant.app import views as V
from assistant.app.auth import LoginPageScrub, LoginThrottle, parse_auth
from assistant.app.chat_tab import build_chat_tab, conversation_choices, user_of
from assistant.app.compare_tab import build_compare_tab, make_table
from assistant.app.context import AppContext, drafts_dir
from assistant.app.draft_tab import build_draft_tab
from assistant.app.feedback_tab import build_feedback_tab, is_admin
from assistant.app.library_tab import build_library_tab
from assistant.app.library_ops import document_rows
from assistant.app.library_views import catalogue_html
from index.settings import Settings

HERE = Path(__file__).parent
FONTS = ["Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "WenQuanYi Micro Hei", "ui-sans-serif", "system-ui",
         "sans-serif"]


def upload_dir(settings: Settings) -> Path:
    """Gradio's upload cache for this app: under its data dir, not a /tmp shared by every instance."""
    return Path(settings.index.data_dir).resolve() / "uploads"


def launch_kwargs(settings: Settings, host: str | None = None, port: int | None = None) -> dict:
    drafts_dir(settings).mkdir(parents=True, exist_ok=True)
    auth = parse_auth(settings.security.auth_users)
    return dict(
        server_name=host or settings.app.host, server_port=port or settings.app.port,
        auth=auth, auth_message="请输入本单位分配的账号和密码。",
        max_file_size=2 * settings.security.max_upload_mb * 1024 * 1024,  # hard cap; intake gives the Chinese message
        allowed_paths=[str(drafts_dir(settings)), str(Path(settings.index.data_dir) / "conversations"),
                       str(Path(settings.index.data_dir) / "feedback_exports")],
        footer_links=[], ssr_mode=False, show_error=False,
        theme=gr.themes.Default(font=FONTS), css=(HERE / "style.css").read_text(encoding="utf-8"),
        head=f"<script>{(HERE / 'client.js').read_text(encoding='utf-8')}</script>",
        app_kwargs={"middleware": [Middleware(LoginPageScrub), Middleware(LoginThrottle, settings=settings)]}
        if auth else {})


def serve(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    from assistant.pipeline import Assistant

    print("正在加载索引和模型…", flush=True)
    assistant = Assistant(settings)
    assistant.retriever.invoke("质量月活动主题")  # load the embedding model now, not on the first user's question
    build_app(settings, assistant).launch(**launch_kwargs(settings, host, port))


def build_app(settings: Settings, assistant=None) -> gr.Blocks:
    if assistant is None:
        from assistant.pipeline import Assistant
        assistant = Assistant(settings)
    upload_dir(settings).mkdir(parents=True, exist_ok=True)
    os.environ["GRADIO_TEMP_DIR"] = str(upload_dir(settings))  # read by gradio when components are made
    ctx = AppContext(settings, assistant)
    with gr.Blocks(title="质量月通知助手", analytics_enabled=False) as app:
        gr.Markdown(V.header_md(assistant.answerer.name, assistant.model_name), elem_id="zly-header")
        with gr.Tab("问答", elem_id="zly-tab-chat"):
            chat = build_chat_tab(ctx)
        with gr.Tab("知识库", elem_id="zly-tab-library"):
            library = build_library_tab(ctx)
        with gr.Tab("历年对比", elem_id="zly-tab-compare"):
            compare = build_compare_tab(ctx)
        with gr.Tab("起草方案", elem_id="zly-tab-draft"):
            build_draft_tab(ctx)
        with gr.Tab("反馈", elem_id="zly-tab-feedback", visible=False) as feedback_tab:
            show_feedback, (fb_from, fb_to, fb_table) = build_feedback_tab(ctx)
        _on_load(app, ctx, chat, library, compare, feedback_tab, show_feedback, (fb_from, fb_to, fb_table))
    return app


def _on_load(app, ctx: AppContext, chat, library, compare, feedback_tab, show_feedback, fb) -> None:
    compare_table = make_table(ctx)

    def fresh(query, fb_from, fb_to, kind, request: gr.Request = None):
        years, regions = ctx.filter_choices()
        user = user_of(request)
        admin = is_admin(ctx, getattr(request, "username", None))
        return (gr.Dropdown(choices=years), gr.Dropdown(choices=regions), gr.Dropdown(choices=ctx.notice_choices()),
                gr.Dropdown(choices=conversation_choices(ctx, user)),
                catalogue_html(document_rows(ctx), query), gr.Dropdown(choices=ctx.notice_choices()),
                gr.Tab(visible=admin), show_feedback(fb_from, fb_to, request) if admin else "", compare_table(kind))

    def filters_now(kind):
        years, regions = ctx.filter_choices()
        return (gr.Dropdown(choices=years), gr.Dropdown(choices=regions), gr.Dropdown(choices=ctx.notice_choices()),
                compare_table(kind))

    # a change made in the 知识库 tab shows in this session's filters and 历年对比 table at once
    library.catalogue.change(filters_now, [compare.kind], [chat.year, chat.region, chat.notice_pick, compare.table],
                             api_visibility="private", show_progress="hidden")
    app.load(fresh, [library.search, fb[0], fb[1], compare.kind],
             [chat.year, chat.region, chat.notice_pick, chat.conv_pick, library.catalogue, library.doc_pick,
              feedback_tab, fb[2], compare.table], api_visibility="private", show_progress="hidden")
