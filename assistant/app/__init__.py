"""The web app (gradio): one module per tab, assembled by builder.py.

    builder.py        build_app(settings, assistant) → gr.Blocks; launch_kwargs; serve
    chat_tab.py       问答: chat, filters, sources beside the answer, citations that open the notice,
                      saved conversations
    library_tab.py    知识库: documents with their metadata, search, edit, delete, replace, re-index,
                      chunk viewer, upload
    compare_tab.py    历年对比: one notice fact across years × levels, each value opening its source
    draft_tab.py      起草方案: the plan drafter with its 起草依据
    feedback_tab.py   反馈: 👎 answers for an admin, exported as draft eval cases
    auth.py           login users and throttling
    views.py, library_views.py, compare_views.py, draft_views.py   plain HTML/Markdown builders (no gradio), all escaping
    style.css, client.js                         the page's styles and script

Names are resolved lazily so `assistant.app.views` can be imported without gradio.
"""
from __future__ import annotations

_EXPORTS = {"build_app": "builder", "launch_kwargs": "builder", "serve": "builder", "parse_auth": "auth",
            "result_for_message": "chat_tab", "drafts_dir": "context"}


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(name)
    import importlib

    return getattr(importlib.import_module(f"assistant.app.{_EXPORTS[name]}"), name)


__all__ = list(_EXPORTS)
