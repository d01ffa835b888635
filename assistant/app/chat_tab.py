"""问答: the chat, its filters, sources beside the answer, citations that open the notice, saved chats.

Per-session state
    results   list[AnswerResult], one per assistant message, in order: the chat strictly alternates
              user/assistant messages, so chatbot message i belongs to results[i // 2].
    conv_id   the id of this chat in assistant/conversation.py's store (None until the first answer).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import gradio as gr

from assistant import conversation as conv
from assistant.app import views as V
from assistant.app.context import LEVEL_CHOICES, AppContext
from assistant.app.filters import clashes, filter_conflict, follow_filters, follow_question, follow_question_label
from assistant.results import AnswerResult
from assistant.retrieve import Filters

log = logging.getLogger(__name__)
FEEDBACK_OPTIONS = ("Like", "Dislike")  # 👍/👎 under each answer, stored by assistant/feedback.py
ERROR_REPLY = "处理这个问题时出错了，请稍后重试或联系管理员。"
ASKED_BACK = "提示"  # the answerer name of a question asked back (filters contradict it)
SEARCHING = "正在检索通知…"


def result_for_message(results: list[AnswerResult], message_index: int) -> AnswerResult | None:
    i = message_index // 2
    return results[i] if 0 <= i < len(results) else None


def user_of(request: gr.Request | None) -> str:
    return (getattr(request, "username", None) or "") if request is not None else ""


def chat_messages(turns: list[tuple[str, AnswerResult]]) -> list[dict]:
    out = []
    for i, (question, result) in enumerate(turns):
        out += [{"role": "user", "content": V.question_md(question)},
                {"role": "assistant", "content": V.answer_md(result, turn=i)}]
    return out


def conversation_choices(ctx: AppContext, user: str) -> list[tuple[str, int]]:
    return [(f"{c['title']} · {c['updated_at'][5:16].replace('T', ' ')}（{c['turns']}问）", c["id"])
            for c in conv.list_conversations(ctx.settings, user)]


@dataclass
class ChatTab:
    year: gr.Dropdown
    level: gr.Dropdown
    region: gr.Dropdown
    notice_pick: gr.Dropdown
    conv_pick: gr.Dropdown


def _ask(ctx: AppContext, question: str, history: list[str], filters: Filters):
    """Items of assistant.ask_stream, or one AnswerResult saying what went wrong."""
    conflict = filter_conflict(question, filters, ctx.settings.retrieval.today)
    if conflict:
        yield AnswerResult(question=question, answer=conflict, answerable=True, answerer=ASKED_BACK,
                           flags=["筛选条件与问题不一致，尚未检索。"])
        return
    try:
        yield from ctx.assistant.ask_stream(question, history=history, filters=filters)
    except Exception as exc:  # noqa: BLE001 — the user gets a message, the log the traceback
        log.exception("ask failed")
        yield AnswerResult(question=question, answer=ERROR_REPLY, answerable=False,
                           flags=[f"错误类型：{type(exc).__name__}"])


def sources_html(ctx: AppContext, result: AnswerResult | None, turn: int | None = None) -> str:
    """The sources panel; trust levels are read from the catalogue as it is now (an admin may correct one)."""
    user_docs = {name for name, entry in ctx.files().items() if entry.meta.get("trust") == "user"}
    return V.sources_html(result, turn, user_docs)


def make_respond(ctx: AppContext):
    def respond(question, chat, results, conv_id, year, level, region, request: gr.Request = None):
        question = (question or "").strip()
        if not question:
            yield (gr.skip(),) * 10
            return
        results = list(results or [])
        turn = len(results)
        chat = list(chat or []) + [{"role": "user", "content": V.question_md(question)},
                                   {"role": "assistant", "content": SEARCHING}]
        yield chat, gr.skip(), "", gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.Row(visible=False), "", gr.skip()
        filters = Filters(year=int(year) if year else None, level=level or "", region=region or "")
        generated, result = "", None
        pending = AnswerResult(question=question, answer="", answerable=True)
        # Only an LLM answerer yields text before its verified result; an extractive answer is
        # complete when it arrives and is shown at once.
        for item in _ask(ctx, question, [r.question for r in results], filters):
            if isinstance(item, AnswerResult):
                result = item
                break
            generated += item
            chat[-1] = {"role": "assistant", "content": V.answer_md(pending, partial=generated)}
            yield chat, *(gr.skip(),) * 9
        chat[-1] = {"role": "assistant", "content": V.answer_md(result, turn=turn)}
        user = user_of(request)
        try:
            conv_id = conv.add_turn(ctx.settings, user, conv_id, question, result)
        except Exception:  # noqa: BLE001 — a full disk must not cost the user the answer
            log.exception("saving the conversation failed")
        cited = [c.source for c in result.citations]
        asked_back = result.answerer == ASKED_BACK
        yield (chat, results + [result], gr.skip(), sources_html(ctx, result, turn),
               gr.Dropdown(choices=ctx.notice_choices(cited), value=cited[0] if cited else None), conv_id,
               gr.Dropdown(choices=conversation_choices(ctx, user), value=conv_id), gr.Row(visible=asked_back),
               question if asked_back else "",
               gr.Button(follow_question_label(clashes(question, filters, ctx.settings.retrieval.today))) if asked_back
               else gr.skip())
    return respond


def make_conflict_handlers(ctx: AppContext):
    """The two answers to a question asked back: follow the question, or follow the filters. Each
    sets the question box and filters, then the question is asked again (chained in _wire)."""
    today = ctx.settings.retrieval.today

    def current(year, level, region) -> Filters:
        return Filters(year=int(year) if year else None, level=level or "", region=region or "")

    def by_question(pending, year, level, region):
        if not pending:
            return (gr.skip(),) * 4
        f = follow_question(pending, current(year, level, region), today)
        return pending, str(f.year or ""), f.level, f.region

    def by_filters(pending, year, level, region):
        if not pending:
            return (gr.skip(),) * 4
        return follow_filters(pending, current(year, level, region), today), gr.skip(), gr.skip(), gr.skip()
    return by_question, by_filters


def make_open_citation(ctx: AppContext):
    def open_citation(key, results):
        """key "turn-n" from a clicked [n] → the notice's full text with that passage marked."""
        try:
            turn, n = (int(x) for x in (key or "").split("-")[:2])
            result = (results or [])[turn]
            cite = next(c for c in result.citations if c.n == n)
        except (ValueError, IndexError, StopIteration):
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        entry = ctx.files().get(cite.source)
        if entry is None:
            return gr.Accordion(open=True), '<div class="zly-empty">这份通知已不在知识库中。</div>', gr.skip(), gr.skip()
        cited = [c.source for c in result.citations]
        return (gr.Accordion(open=True), V.notice_html(entry.meta, entry.clean_text, highlight=cite.text),
                gr.Dropdown(choices=ctx.notice_choices(cited), value=cite.source), sources_html(ctx, result, turn))
    return open_citation


def scroll_to_hit_js(panel: str) -> str:
    """Scroll the marked passage of a notice panel into view once the panel has rendered it."""
    return ("""() => { let tries = 0; const go = () => { const m = document.querySelector('%s mark.zly-hit');
  if (m) { m.scrollIntoView({block: 'center'}); } else if (tries++ < 20) { setTimeout(go, 100); } }; setTimeout(go, 50); }"""
            % panel)


SCROLL_TO_HIT = scroll_to_hit_js("#zly-notice")


def make_feedback_handlers(ctx: AppContext):
    from assistant.feedback import record_feedback, update_feedback

    def on_like(results, evt: gr.LikeData):
        index = evt.index if isinstance(evt.index, int) else evt.index[0]
        result = result_for_message(results or [], index)
        if result is None:
            return None, gr.skip()
        position = (results or []).index(result)
        liked = evt.liked is True or evt.liked == "Like"  # bool, or the feedback option's label
        fb_id = record_feedback(ctx.settings, result, +1 if liked else -1,
                                history=[r.question for r in results[:position]])
        note = "已记录：有帮助。" if liked else "已记录：回答有误。可在下方补充说明和正确答案，帮助改进。"
        return fb_id, gr.update(value=note, visible=True)

    def on_feedback_detail(fb_id, comment, correct):
        if not fb_id:
            return "请先在回答下方点 👍 或 👎。", gr.skip(), gr.skip()
        update_feedback(ctx.settings, fb_id, comment=comment or "", correct_answer=correct or "")
        return "已保存补充说明，谢谢！", "", ""
    return on_like, on_feedback_detail


def make_conversation_handlers(ctx: AppContext):
    s = ctx.settings

    def reopen(conv_id, request: gr.Request = None):
        if not conv_id:
            return (gr.skip(),) * 4
        turns = conv.load_turns(s, user_of(request), int(conv_id))
        last = turns[-1][1] if turns else None
        return chat_messages(turns), [r for _, r in turns], int(conv_id), sources_html(ctx, last, len(turns) - 1)

    def rename(conv_id, title, request: gr.Request = None):
        user = user_of(request)
        if not conv_id or not conv.rename_conversation(s, user, int(conv_id), title):
            return gr.skip(), "请先选择对话并填写新名称。"
        return gr.Dropdown(choices=conversation_choices(ctx, user), value=int(conv_id)), "已重命名。"

    def delete(conv_id, current, request: gr.Request = None):
        user = user_of(request)
        if not conv_id or not conv.delete_conversation(s, user, int(conv_id)):
            return gr.skip(), gr.skip(), "请先选择要删除的对话。"
        return (gr.Dropdown(choices=conversation_choices(ctx, user), value=None),
                None if current == conv_id else current, "已删除。")

    def export(conv_id, results, request: gr.Request = None):
        user = user_of(request)
        turns = conv.load_turns(s, user, int(conv_id)) if conv_id else [(r.question, r) for r in results or []]
        if not turns:
            return gr.skip(), "还没有可导出的对话。"
        titles = {c["id"]: c["title"] for c in conv.list_conversations(s, user)}
        path = conv.save_conversation(turns, s, title=titles.get(conv_id))
        return gr.DownloadButton(value=str(path), visible=True), "已生成，请点击“下载对话记录”。"
    return reopen, rename, delete, export


def new_chat():
    return [], [], V.sources_html(None), None


def _filters_row(ctx: AppContext):
    years, regions = ctx.filter_choices()
    with gr.Row(elem_id="zly-filters", equal_height=True):
        year = gr.Dropdown(years, value="", label="年份", scale=1, min_width=90, elem_id="zly-year-f")
        level = gr.Dropdown(LEVEL_CHOICES, value="", label="层级", scale=1, min_width=90, elem_id="zly-level-f")
        region = gr.Dropdown(regions, value="", label="地区", scale=1, min_width=90, elem_id="zly-region-f")
    return year, level, region


def _chat_column(ctx: AppContext) -> dict:
    c = {}
    c["chat"] = gr.Chatbot(show_label=False, height="max(240px, calc(100dvh - 330px))", sanitize_html=True,
                           render_markdown=True, allow_tags=False, latex_delimiters=[],
                           feedback_options=FEEDBACK_OPTIONS, elem_id="zly-chat", buttons=["copy"],
                           placeholder="请在下方输入问题，例如：本年度质量月通知要求哪天前报送总结？")
    with gr.Row(equal_height=True, elem_id="zly-ask-row"):
        c["question"] = gr.Textbox(placeholder="请输入问题，按回车发送", show_label=False, scale=5, min_width=160,
                                   max_lines=4, elem_id="zly-question")
        c["send"] = gr.Button("发送", variant="primary", scale=1, min_width=64, elem_id="zly-send")
    # shown when the filters contradict the question (see assistant/app/filters.py)
    with gr.Row(visible=False, elem_id="zly-conflict") as c["conflict_row"]:
        c["by_question"] = gr.Button("按问题中的年份", size="sm", variant="primary", elem_id="zly-by-question")
        c["by_filters"] = gr.Button("按筛选条件", size="sm", elem_id="zly-by-filters")
    c["pending"] = gr.State("")  # the question asked back
    with gr.Row():
        c["clear"] = gr.Button("新对话", size="sm", elem_id="zly-new-chat")
        c["export"] = gr.Button("导出对话（Markdown）", size="sm", elem_id="zly-export")
        c["export_file"] = gr.DownloadButton("下载对话记录", visible=False, size="sm", elem_id="zly-export-file")
    c["feedback_note"] = gr.Markdown("", visible=False, elem_id="zly-feedback-note")
    with gr.Accordion("反馈：补充说明和正确答案（可选）", open=False):
        c["fb_comment"] = gr.Textbox(label="说明", lines=2, elem_id="zly-fb-comment")
        c["fb_correct"] = gr.Textbox(label="正确答案（如知道）", lines=2, elem_id="zly-fb-correct")
        c["fb_send"] = gr.Button("提交反馈", size="sm", elem_id="zly-fb-send")
        c["fb_status"] = gr.Markdown("")
    with gr.Accordion("历史对话", open=False, elem_id="zly-history"):
        c["conv_pick"] = gr.Dropdown([], value=None, label="已保存的对话（北京时间）", elem_id="zly-conv-pick")
        with gr.Row():
            c["conv_open"] = gr.Button("打开", size="sm", elem_id="zly-conv-open")
            c["conv_delete"] = gr.Button("删除", size="sm", variant="stop", elem_id="zly-conv-delete")
        with gr.Row(equal_height=True):
            c["conv_title"] = gr.Textbox(show_label=False, placeholder="新名称", scale=3, elem_id="zly-conv-title")
            c["conv_rename"] = gr.Button("重命名", size="sm", scale=1, elem_id="zly-conv-rename")
        c["conv_status"] = gr.Markdown("", elem_id="zly-conv-status")
    return c


def _sources_column(ctx: AppContext) -> dict:
    c = {}
    gr.Markdown("**来源**（点回答中的 [n] 可在全文中定位）")
    c["sources"] = gr.HTML(V.sources_html(None), elem_id="zly-sources", max_height=420)
    with gr.Row(equal_height=True):
        c["notice_pick"] = gr.Dropdown(ctx.notice_choices(), value=None, label="查看通知全文", scale=4,
                                       elem_id="zly-notice-pick")
        c["open"] = gr.Button("打开全文", scale=1, min_width=80, elem_id="zly-open")
    with gr.Accordion("通知全文", open=False, elem_id="zly-notice-box") as c["notice_box"]:
        c["notice"] = gr.HTML("", elem_id="zly-notice", max_height=600)
    # the page script (client.js) writes "turn-n" here and clicks the button when a [n] is clicked
    c["cite_req"] = gr.Textbox(elem_id="zly-cite-req", elem_classes=["zly-hidden"], show_label=False)
    c["cite_go"] = gr.Button("定位引文", elem_id="zly-cite-go", elem_classes=["zly-hidden"])
    return c


def build_chat_tab(ctx: AppContext) -> ChatTab:
    year, level, region = _filters_row(ctx)
    with gr.Row():
        with gr.Column(scale=3, min_width=320):
            c = _chat_column(ctx)
        with gr.Column(scale=2, min_width=320):
            c.update(_sources_column(ctx))
    results = gr.State([])
    conv_id = gr.State(None)
    feedback_id = gr.State(None)
    _wire(ctx, c, results, conv_id, feedback_id, (year, level, region))
    return ChatTab(year, level, region, c["notice_pick"], c["conv_pick"])


def _wire(ctx: AppContext, c: dict, results, conv_id, feedback_id, filters) -> None:
    chat = c["chat"]
    # several colleagues at once: answering is ~0.1 s of work, so let a few run side by side
    ask_io = dict(fn=make_respond(ctx), inputs=[c["question"], chat, results, conv_id, *filters],
                  outputs=[chat, results, c["question"], c["sources"], c["notice_pick"], conv_id, c["conv_pick"],
                           c["conflict_row"], c["pending"], c["by_question"]],
                  concurrency_limit=ctx.settings.app.chat_concurrency, concurrency_id="chat",
                  show_progress_on=[chat], api_name="respond")
    c["question"].submit(**ask_io)
    c["send"].click(**ask_io)
    by_question, by_filters = make_conflict_handlers(ctx)
    pick_io = dict(inputs=[c["pending"], *filters], outputs=[c["question"], *filters], api_visibility="private")
    c["by_question"].click(by_question, **pick_io).then(**{**ask_io, "api_name": None, "api_visibility": "private"})
    c["by_filters"].click(by_filters, **pick_io).then(**{**ask_io, "api_name": None, "api_visibility": "private"})
    on_like, on_detail = make_feedback_handlers(ctx)
    chat.like(on_like, [results], [feedback_id, c["feedback_note"]])
    c["fb_send"].click(on_detail, [feedback_id, c["fb_comment"], c["fb_correct"]],
                       [c["fb_status"], c["fb_comment"], c["fb_correct"]])
    reopen, rename, delete, export = make_conversation_handlers(ctx)
    c["export"].click(export, [conv_id, results], [c["export_file"], c["conv_status"]])
    c["conv_open"].click(reopen, [c["conv_pick"]], [chat, results, conv_id, c["sources"]])
    c["conv_rename"].click(rename, [c["conv_pick"], c["conv_title"]], [c["conv_pick"], c["conv_status"]])
    c["conv_delete"].click(delete, [c["conv_pick"], conv_id], [c["conv_pick"], conv_id, c["conv_status"]])
    c["cite_go"].click(make_open_citation(ctx), [c["cite_req"], results],
                       [c["notice_box"], c["notice"], c["notice_pick"], c["sources"]],
                       api_visibility="private").then(None, js=SCROLL_TO_HIT)
    c["open"].click(make_open_notice(ctx), [c["notice_pick"]], [c["notice_box"], c["notice"]])
    chat.select(make_show_sources(ctx), [results], [c["sources"], c["notice_pick"]])
    c["clear"].click(new_chat, None, [chat, results, c["sources"], conv_id], api_name="new_chat")
    chat.clear(new_chat, None, [chat, results, c["sources"], conv_id])  # its own 🗑 keeps results aligned


def make_open_notice(ctx: AppContext):
    def open_notice(source):
        entry = ctx.files().get(source or "")
        if entry is None:
            return gr.Accordion(open=True), '<div class="zly-empty">请先在上方选择一份通知。</div>'
        return gr.Accordion(open=True), V.notice_html(entry.meta, entry.clean_text)
    return open_notice


def make_show_sources(ctx: AppContext):
    def show_sources(results, evt: gr.SelectData):
        index = evt.index if isinstance(evt.index, int) else evt.index[0]
        result = result_for_message(results or [], index)
        cited = [c.source for c in result.citations] if result else []
        return (sources_html(ctx, result, index // 2 if result else None),
                gr.Dropdown(choices=ctx.notice_choices(cited), value=cited[0] if cited else None))
    return show_sources
