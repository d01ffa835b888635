"""历年对比: one fact (theme, slogans, co-issuers, deadlines, period) across years × levels, each value cited.

The table is read from the facts of the committed snapshot every time it is shown (page load, a new
choice, a change in the 知识库 tab). A click on a value opens the notice's full text scrolled to the
line holding that fact, the way a clicked [n] does in 问答 (client.js → hidden textbox → handler).
"""
from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from assistant.app import views as V
from assistant.app.chat_tab import scroll_to_hit_js
from assistant.app.compare_views import compare_html, parse_fact_key
from assistant.app.context import AppContext
from assistant.fact_table import KINDS, build_table
from index.facts_store import FactStore

DEFAULT_KIND = "theme"


@dataclass
class CompareTab:
    kind: gr.Dropdown
    table: gr.HTML


def make_table(ctx: AppContext):
    def table(kind):
        kind = kind if kind in KINDS else DEFAULT_KIND
        notices = FactStore(ctx.assistant.reader.view().snapshot).all_facts()
        return compare_html(build_table(notices, kind), KINDS[kind])
    return table


def make_open_fact(ctx: AppContext):
    def open_fact(key):
        parsed = parse_fact_key(key)
        if parsed is None:
            return gr.skip(), gr.skip()
        doc, start, end = parsed
        entry = ctx.files().get(doc)
        if entry is None:
            return gr.Accordion(open=True), '<div class="zly-empty">这份通知已不在知识库中，请刷新页面。</div>'
        return gr.Accordion(open=True), V.notice_html(entry.meta, entry.clean_text, span=(start, end))
    return open_fact


def build_compare_tab(ctx: AppContext) -> CompareTab:
    gr.Markdown("选择一项内容，查看历年各级“质量月”通知的写法。表格中每项内容都可点击，查看其在通知原文中的出处。")
    kind = gr.Dropdown([(label, key) for key, label in KINDS.items()], value=DEFAULT_KIND, label="对比内容",
                       elem_id="zly-compare-kind")
    table = gr.HTML("", elem_id="zly-compare")
    with gr.Accordion("通知全文", open=False, elem_id="zly-compare-notice-box") as notice_box:
        notice = gr.HTML("", elem_id="zly-compare-notice", max_height=600)
    # the page script (client.js) writes the clicked value's key here and clicks the button
    req = gr.Textbox(elem_id="zly-fact-req", elem_classes=["zly-hidden"], show_label=False)
    go = gr.Button("定位出处", elem_id="zly-fact-go", elem_classes=["zly-hidden"])
    kind.change(make_table(ctx), [kind], [table], show_progress="hidden", api_visibility="private")
    go.click(make_open_fact(ctx), [req], [notice_box, notice], api_visibility="private").then(
        None, js=scroll_to_hit_js("#zly-compare-notice"))
    return CompareTab(kind, table)
