"""Optional LLM polish of body paragraphs, kept only if it passes the same fact check.

The extractive draft is already a usable plan; a model may only make the prose read better.
A rewrite is rejected (the original kept, the reason flagged) when it brings in a number, date,
文号 or 届次 that no cited source has, alters a quoted name or 《title》, drops a 【待补】
placeholder, or changes the paragraph's length so much that content was lost or invented.
"""
from __future__ import annotations

import re

from assistant.drafting.factcheck import fact_check
from assistant.drafting.model import PlanDraft
from index.settings import Settings

_KEEP = re.compile(r"“[^“”]*”|《[^《》]*》|【[^【】]*】")
LEVEL_NAME = {"county": "县级", "city": "设区市级"}
# The default 1.5B model on two CPU cores needs about a minute per paragraph (measured: 69 s for
# one 有关要求 item), so only the prose that benefits most is polished (总体要求, then the 有关要求
# items); the rest stays extractive and a draft stays within a few minutes.
MAX_PARAGRAPHS = 3
MAX_SOURCE_CHARS = 600  # the prompt is read token by token too


def _prompt(settings: Settings, draft: PlanDraft, paragraph: str, sources: list[str]) -> str:
    template = (settings.index.prompts_dir / "polish_paragraph.txt").read_text(encoding="utf-8")
    bureau = next((b.text.removesuffix("文件") for b in draft.blocks if b.kind == "masthead"), draft.locality)
    return template.format(bureau=bureau, locality=draft.locality, year=draft.year,
                           level_name=LEVEL_NAME.get(draft.level, ""), sources="\n".join(sources)[:MAX_SOURCE_CHARS],
                           paragraph=paragraph)


def rejection(original: str, polished: str, sources: list[str]) -> str:
    """Why a rewrite cannot be used ("" when it can)."""
    if not polished.strip():
        return "模型未返回内容"
    if not 0.6 <= len(polished) / max(len(original), 1) <= 1.5:
        return "篇幅变化过大"
    missing = [span for span in _KEEP.findall(original) if span not in polished]
    if missing:
        return f"改动了原文的引号、书名号或占位内容：{missing[0]}"
    problems = fact_check(polished, sources)
    return "；".join(problems)


def polish(draft: PlanDraft, settings: Settings) -> None:
    from assistant.llm import LLMError, make_chat_model

    try:
        model = make_chat_model(settings)
    except (LLMError, ImportError, OSError) as exc:
        draft.notes.append(f"未润色（模型不可用：{exc}）")
        return
    if model is None:
        return
    texts = {c.n: c.text for c in draft.citation_list}
    request = f"{draft.year}年 {draft.locality}"
    done = accepted = 0
    candidates = [b for b in draft.blocks if b.polishable]
    # 总体要求 first, then the 有关要求 items, then the 活动内容 paragraphs
    order = candidates[:1] + [b for b in candidates[1:] if b.kind == "item"] + \
        [b for b in candidates[1:] if b.kind != "item"]
    for block in order[:MAX_PARAGRAPHS]:
        sources = [texts[n] for n in block.cites] + [request]
        messages = [{"role": "user", "content": _prompt(settings, draft, block.text, sources[:-1])}]
        try:
            polished = model.chat(messages, max_tokens=min(settings.llm.llm_max_tokens * 2, len(block.text) * 2 + 32),
                                  temperature=settings.llm.llm_temperature).strip()
        except LLMError as exc:
            draft.notes.append(f"润色中断（{exc}），其余段落保留原文。")
            return
        done += 1
        reason = rejection(block.text, polished, sources)
        if polished == block.text:
            continue  # the model changed nothing
        if reason:
            draft.flags.append(f"润色结果未采用（{block.head or block.text[:16]}…）：{reason}")
        else:
            block.text, accepted = polished, accepted + 1
    draft.notes.append(f"{getattr(model, 'name', settings.answer.answerer)} 润色 {done} 段，"
                       f"改写且通过事实核对而采用 {accepted} 段，其余保留原文。")
