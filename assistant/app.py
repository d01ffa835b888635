"""The web app: 问答 (chat with sources), 文件导入 (upload + incremental ingest), 起草方案 (draft a plan).

The only module that imports gradio; all HTML/Markdown is built in assistant/app_views.py,
which escapes every piece of document, user and file-name text.

    serve(settings)          start the server (settings.host/port; login when settings.auth_users)
    build_app(settings)      the gr.Blocks, for tests: app.launch(**launch_kwargs(settings, ...))

Per-session state
    last_results   gr.State: list[AnswerResult], one per assistant message of the chatbot, in order;
                   the chat strictly alternates user/assistant messages, so the chatbot message at
                   index i belongs to last_results[i // 2] (see `result_for_message`). 👍/👎
                   (``chat.like``) store that result with the questions asked before it as history.
"""
from __future__ import annotations

import datetime as dt
import importlib.util
import logging
import time
from pathlib import Path

import gradio as gr

from assistant import app_views as V
from assistant.results import AnswerResult
from assistant.retrieve import Filters
from index.settings import Settings

log = logging.getLogger(__name__)
FEEDBACK_OPTIONS = ("Like", "Dislike")  # 👍/👎 under each answer, stored by assistant/feedback.py
STREAM_DELAY = 0.03  # s between streamed pieces of an answer
DRAFT_UNAVAILABLE = "起草功能不可用：本版本未安装起草模块（assistant/draft.py）。"
LEVEL_CHOICES = [("全部层级", ""), ("全国", "national"), ("省级", "provincial"), ("市级", "municipal"),
                 ("县级", "county")]


def result_for_message(results: list[AnswerResult], message_index: int) -> AnswerResult | None:
    i = message_index // 2
    return results[i] if 0 <= i < len(results) else None


def parse_auth(spec: str) -> list[tuple[str, str]] | None:
    """settings.auth_users "user:pass,user2:pass2" → gradio auth pairs (None = no login)."""
    spec = spec.get_secret_value() if hasattr(spec, "get_secret_value") else spec  # a SecretStr setting
    pairs = []
    for item in (spec or "").split(","):
        user, sep, password = item.strip().partition(":")
        if not item.strip():
            continue
        if not sep or not user.strip() or not password:
            raise ValueError("auth_users 格式应为 “用户名:密码,用户名2:密码2”")
        pairs.append((user.strip(), password))
    return pairs or None


def drafts_dir(settings: Settings) -> Path:
    return settings.data_dir / "drafts"


def launch_kwargs(settings: Settings, host: str | None = None, port: int | None = None) -> dict:
    drafts_dir(settings).mkdir(parents=True, exist_ok=True)
    return dict(
        server_name=host or settings.host, server_port=port or settings.port,
        auth=parse_auth(settings.auth_users), auth_message="请输入本单位分配的账号和密码。",
        max_file_size=2 * settings.max_upload_mb * 1024 * 1024,  # hard cap; intake gives the Chinese message
        allowed_paths=[str(drafts_dir(settings))], footer_links=[], ssr_mode=False, show_error=False,
        theme=gr.themes.Default(font=["Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "WenQuanYi Micro Hei",
                                      "ui-sans-serif", "system-ui", "sans-serif"]),
        css=V.CSS)


def serve(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    from assistant.pipeline import Assistant

    print("正在加载索引和模型…", flush=True)
    assistant = Assistant(settings)
    assistant.search("质量月活动主题")  # load the embedding model now, not on the first user's question
    build_app(settings, assistant).launch(**launch_kwargs(settings, host, port))


def build_app(settings: Settings, assistant=None) -> gr.Blocks:
    if assistant is None:
        from assistant.pipeline import Assistant
        assistant = Assistant(settings)

    def files() -> dict:
        return assistant.reader.view().snapshot.files

    def filter_choices():
        metas = [e.meta for e in files().values()]
        years = sorted({m["year"] for m in metas if m.get("year")}, reverse=True)
        regions = sorted({m["region"] for m in metas if m.get("region")})
        return ([("全部年份", "")] + [(f"{y}年", str(y)) for y in years], [("全部地区", "")] + [(r, r) for r in regions])

    def notice_choices(first: list[str] = ()) -> list[tuple[str, str]]:
        fs = files()
        order = [s for s in dict.fromkeys(first) if s in fs] + sorted(
            (s for s in fs if s not in first), key=lambda s: (-(fs[s].meta.get("year") or 0), s))
        return [(V.notice_label(fs[s].meta, s), s) for s in order]

    # ------------------------------------------------------------ 问答
    def respond(question, chat, results, year, level, region):
        question = (question or "").strip()
        if not question:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        chat = list(chat or []) + [{"role": "user", "content": V.md_text(question)},
                                   {"role": "assistant", "content": "正在检索通知…"}]
        yield chat, gr.skip(), "", gr.skip(), gr.skip()
        generated, result = "", None
        pending = AnswerResult(question=question, answer="", answerable=True)
        try:
            # an LLM answerer streams its tokens (unverified, shown as being written); the verified
            # result always comes last and replaces them
            for item in assistant.ask_stream(question, history=[r.question for r in results or []],
                                             filters=Filters(year=int(year) if year else None,
                                                             level=level or "", region=region or "")):
                if isinstance(item, AnswerResult):
                    result = item
                    break
                generated += item
                chat[-1] = {"role": "assistant", "content": V.answer_md(pending, partial=generated)}
                yield chat, gr.skip(), gr.skip(), gr.skip(), gr.skip()
        except Exception as exc:  # noqa: BLE001 — the user gets a message, the log the traceback
            log.exception("ask failed")
            result = AnswerResult(question=question, answer="处理这个问题时出错了，请稍后重试或联系管理员。",
                                  answerable=False, flags=[f"错误类型：{type(exc).__name__}"])
        if not generated:  # an extractive answer is ready at once: show it the way a chat writes
            for piece in V.stream_pieces(result.answer):
                chat[-1] = {"role": "assistant", "content": V.answer_md(result, partial=piece)}
                yield chat, gr.skip(), gr.skip(), gr.skip(), gr.skip()
                time.sleep(STREAM_DELAY)
        chat[-1] = {"role": "assistant", "content": V.answer_md(result)}
        cited = [c.source for c in result.citations]
        yield (chat, list(results or []) + [result], gr.skip(), V.sources_html(result),
               gr.Dropdown(choices=notice_choices(cited), value=cited[0] if cited else None))

    # ------------------------------------------------------------ 👍/👎 feedback, chat download
    def on_like(results, evt: gr.LikeData):
        from assistant.feedback import record_feedback

        index = evt.index if isinstance(evt.index, int) else evt.index[0]
        result = result_for_message(results or [], index)
        if result is None:
            return None, gr.skip()
        position = (results or []).index(result)
        liked = evt.liked is True or evt.liked == "Like"  # bool, or the feedback option's label
        fb_id = record_feedback(settings, result, +1 if liked else -1,
                                history=[r.question for r in results[:position]])
        note = "已记录：有帮助。" if liked else "已记录：回答有误。可在下方补充说明和正确答案，帮助改进。"
        return fb_id, gr.update(value=note, visible=True)

    def on_feedback_detail(fb_id, comment, correct):
        from assistant.feedback import update_feedback

        if not fb_id:
            return "请先在回答下方点 👍 或 👎。", gr.skip(), gr.skip()
        update_feedback(settings, fb_id, comment=comment or "", correct_answer=correct or "")
        return "已保存补充说明，谢谢！", "", ""

    def download_chat(results):
        from assistant.conversation import save_conversation

        if not results:
            return gr.skip()
        return gr.DownloadButton(value=str(save_conversation([(r.question, r) for r in results], settings)),
                                 visible=True)

    def show_sources(results, evt: gr.SelectData):
        result = result_for_message(results or [], evt.index if isinstance(evt.index, int) else evt.index[0])
        cited = [c.source for c in result.citations] if result else []
        return V.sources_html(result), gr.Dropdown(choices=notice_choices(cited), value=cited[0] if cited else None)

    def open_notice(source):
        entry = files().get(source or "")
        if entry is None:
            return gr.Accordion(open=True), '<div class="zly-empty">请先在上方选择一份通知。</div>'
        return gr.Accordion(open=True), V.notice_html(entry.meta, entry.clean_text)

    def new_chat():
        return [], [], V.sources_html(None)

    # ------------------------------------------------------------ 文件导入
    def import_files(paths, progress=gr.Progress(track_tqdm=True)):
        from index.ingest import ingest
        from index.intake import IntakeError, add_to_corpus

        paths = [p for p in (paths or []) if p]
        if not paths:
            return '<div class="zly-fail">请先选择要导入的文件。</div>', gr.skip(), gr.skip(), gr.skip(), gr.skip()
        lines, added = [], {}
        for i, p in enumerate(paths):
            progress((i, len(paths)), desc="正在检查并保存文件", unit="份")
            name = Path(p).name
            try:
                dest = add_to_corpus(Path(p).read_bytes(), name, settings)
                added[dest.relative_to(settings.corpus_dir.resolve()).as_posix()] = name
            except IntakeError as err:
                lines.append((name, False, V.intake_reason(err.reason, settings.max_upload_mb,
                                                           settings.allowed_exts)))
            except OSError:
                lines.append((name, False, "无法读取上传的文件，请重新选择"))
        report = None
        if added:
            progress(0.0, desc="正在更新索引（向量化需要一些时间）")
            report = ingest(settings, show_progress=True, embeddings=assistant.reader.embeddings,
                            store=assistant.reader.store)
            for stored, name in added.items():
                if stored in report.failed:  # never leave a file in the corpus that the index refuses
                    (settings.corpus_dir / stored).unlink(missing_ok=True)
                    lines.append((name, False, f"未能编入索引，已撤回：{report.failed.pop(stored)}"))
                else:
                    lines.append((name, True, f"已导入（保存为 {stored}）"))
        years, regions = filter_choices()
        return (V.import_report_html(lines, report), V.catalogue_html(files()), gr.Dropdown(choices=years),
                gr.Dropdown(choices=regions), gr.Dropdown(choices=notice_choices()))

    # ------------------------------------------------------------ 起草方案
    draft_ready = importlib.util.find_spec("assistant.draft") is not None

    def make_draft(locality, year, level, template, departments, progress=gr.Progress()):
        def fail(message: str):
            hidden = gr.DownloadButton(visible=False)
            return "", f'<div class="zly-fail">{message}</div>', "", hidden, hidden

        try:
            from assistant.draft import DraftError, draft_plan, write_docx
        except ImportError:
            return fail(DRAFT_UNAVAILABLE)
        from index.intake import split_safe_name

        locality = (locality or "").strip()
        if not locality or not year:
            return fail("请填写地区和年份。")
        progress(0.2, desc="正在检索历年通知并起草")
        try:
            draft = draft_plan(settings, assistant.reader, locality, int(year), level=level or None,
                               template=Path(template) if template else None,
                               departments=Path(departments) if departments else None)
            out = drafts_dir(settings) / f"{dt.datetime.now():%Y%m%d-%H%M%S-%f}"
            out.mkdir(parents=True)
            stem = split_safe_name(f"{locality}{int(year)}年质量月活动方案.md")[0] or "质量月活动方案"
            md_path, docx_path = out / f"{stem}.md", out / f"{stem}.docx"
            md_path.write_text(draft.markdown, encoding="utf-8")
            write_docx(draft, docx_path)
        except DraftError as exc:  # its message is for the user
            return fail(f"无法起草：{V.esc(exc)}")
        except Exception as exc:  # noqa: BLE001
            log.exception("draft failed")
            return fail(f"起草失败（{V.esc(type(exc).__name__)}），请检查上传的模板或部门名单。")
        done = '<div class="zly-ok">初稿已生成。请逐条核对，并补全【待补】处后再使用。</div>'
        return (V.draft_md(draft.markdown), done, V.draft_notes_html(draft),
                gr.DownloadButton(value=str(docx_path), visible=True),
                gr.DownloadButton(value=str(md_path), visible=True))

    # ------------------------------------------------------------ layout
    years, regions = filter_choices()
    exts = "、".join(settings.allowed_exts)
    with gr.Blocks(title="质量月通知助手", analytics_enabled=False) as app:
        gr.Markdown(V.header_md(assistant.answerer.name, assistant.model_name), elem_id="zly-header")
        with gr.Tab("问答"):
            with gr.Row():
                year_f = gr.Dropdown(years, value="", label="年份", scale=1)
                level_f = gr.Dropdown(LEVEL_CHOICES, value="", label="层级", scale=1)
                region_f = gr.Dropdown(regions, value="", label="地区", scale=1)
            with gr.Row():
                with gr.Column(scale=3):
                    chat = gr.Chatbot(label="对话", height=520, sanitize_html=True, render_markdown=True,
                                      allow_tags=False, latex_delimiters=[], feedback_options=FEEDBACK_OPTIONS,
                                      placeholder="请在下方输入问题，例如：2025年全国质量月的活动主题是什么？",
                                      elem_id="zly-chat", buttons=["copy"])
                    with gr.Row():
                        question = gr.Textbox(placeholder="请输入问题，按回车发送", show_label=False, scale=5,
                                              max_lines=4, elem_id="zly-question")
                        send = gr.Button("发送", variant="primary", scale=1, elem_id="zly-send")
                    with gr.Row():
                        clear = gr.Button("新对话", size="sm")
                        export_btn = gr.Button("导出对话（Markdown）", size="sm", elem_id="zly-export")
                        export_file = gr.DownloadButton("下载对话记录", visible=False, size="sm",
                                                        elem_id="zly-export-file")
                    feedback_note = gr.Markdown("", visible=False, elem_id="zly-feedback-note")
                    with gr.Accordion("反馈：补充说明和正确答案（可选）", open=False):
                        fb_comment = gr.Textbox(label="说明", lines=2, elem_id="zly-fb-comment")
                        fb_correct = gr.Textbox(label="正确答案（如知道）", lines=2, elem_id="zly-fb-correct")
                        fb_send = gr.Button("提交反馈", size="sm", elem_id="zly-fb-send")
                        fb_status = gr.Markdown("")
                with gr.Column(scale=2):
                    gr.Markdown("### 来源")
                    sources = gr.HTML(V.sources_html(None), elem_id="zly-sources", max_height=420)
                    with gr.Row():
                        notice_pick = gr.Dropdown(notice_choices(), value=None, label="查看通知全文", scale=4,
                                                  elem_id="zly-notice-pick")
                        open_btn = gr.Button("打开全文", scale=1, elem_id="zly-open")
                    with gr.Accordion("通知全文", open=False) as notice_box:
                        notice = gr.HTML("", elem_id="zly-notice", max_height=600)
            last_results = gr.State([])  # list[AnswerResult], aligned with the assistant messages (see docstring)
            feedback_id = gr.State(None)  # id of the last 👍/👎 row, for its comment and correct answer

        with gr.Tab("文件导入"):
            gr.Markdown(f"上传质量月通知（支持 {exts}，单个文件不超过 {settings.max_upload_mb} MB），"
                        "保存到语料库后自动更新索引。导入失败的文件不会影响现有索引。")
            upload = gr.File(file_count="multiple", type="filepath", label="选择文件（可多选）", elem_id="zly-upload")
            import_btn = gr.Button("导入并更新索引", variant="primary", elem_id="zly-import")
            import_result = gr.HTML("", elem_id="zly-import-result")
            gr.Markdown("### 已编入索引的通知")
            catalogue = gr.HTML(V.catalogue_html(files()), elem_id="zly-catalogue")

        with gr.Tab("起草方案"):
            if not draft_ready:
                gr.HTML(f'<div class="zly-fail">{DRAFT_UNAVAILABLE}</div>')
            gr.Markdown("根据语料中的上级通知和往年方案，起草本地区质量月活动方案初稿。初稿须经人工审核后使用。")
            with gr.Row():
                locality = gr.Textbox(label="地区", placeholder="例如：永安市", elem_id="zly-locality")
                d_year = gr.Number(value=settings.today.year, precision=0, label="年份", elem_id="zly-year")
                d_level = gr.Dropdown([("自动判断", ""), ("县级", "county"), ("市级", "city")], value="",
                                      label="层级")
            with gr.Row():
                template = gr.File(label="方案模板（可选，往年本地方案）", type="filepath", height=120)
                departments = gr.File(label="部门名单（可选）", type="filepath", height=120)
            draft_btn = gr.Button("生成方案", variant="primary", interactive=draft_ready, elem_id="zly-draft")
            draft_status = gr.HTML("", elem_id="zly-draft-status")
            with gr.Row():
                dl_docx = gr.DownloadButton("下载 Word（.docx）", visible=False, elem_id="zly-dl-docx")
                dl_md = gr.DownloadButton("下载 Markdown（.md）", visible=False, elem_id="zly-dl-md")
            draft_view = gr.Markdown("", sanitize_html=True, latex_delimiters=[], elem_id="zly-draft-view")
            with gr.Accordion("起草依据与核对提示", open=False):
                draft_notes = gr.HTML("", elem_id="zly-draft-notes")

        # several colleagues at once: answering is ~0.1 s of work, so let a few run side by side
        ask_io = dict(fn=respond, inputs=[question, chat, last_results, year_f, level_f, region_f],
                      outputs=[chat, last_results, question, sources, notice_pick],
                      concurrency_limit=settings.chat_concurrency, concurrency_id="chat")
        chat.like(on_like, [last_results], [feedback_id, feedback_note])
        fb_send.click(on_feedback_detail, [feedback_id, fb_comment, fb_correct], [fb_status, fb_comment, fb_correct])
        export_btn.click(download_chat, [last_results], [export_file])
        question.submit(**ask_io)
        send.click(**ask_io)
        chat.select(show_sources, [last_results], [sources, notice_pick])
        open_btn.click(open_notice, [notice_pick], [notice_box, notice])
        clear.click(new_chat, None, [chat, last_results, sources])
        chat.clear(new_chat, None, [chat, last_results, sources])  # the chatbot's own 🗑 keeps last_results aligned
        import_btn.click(import_files, [upload], [import_result, catalogue, year_f, region_f, notice_pick])
        draft_btn.click(make_draft, [locality, d_year, d_level, template, departments],
                        [draft_view, draft_status, draft_notes, dl_docx, dl_md])
    return app
