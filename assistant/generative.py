"""LLM answerer (llamacpp / openai): the model writes the answer, our checks keep it honest.

The same hard refusals as the extractive answerer come first (a year or place
the corpus lacks, a fact no passage holds), so no model is asked to answer what
the corpus cannot. The model sees numbered passages marked as data, and its
answer then goes through the same citation verification as every answer.
"""
from __future__ import annotations

from pathlib import Path

from assistant.extractive import Draft, ExtractiveAnswerer
from assistant.llm import ChatModel
from assistant.retrieve import Retrieval
from index.settings import Settings

REFUSAL_MARKERS = ("语料中没有", "没有相关内容", "无法回答", "未提及", "没有提到")


def load_prompt(settings: Settings, name: str) -> str:
    return (Path(settings.prompts_dir) / name).read_text(encoding="utf-8")


class GenerativeAnswerer:
    def __init__(self, settings: Settings, model: ChatModel, fallback: ExtractiveAnswerer):
        self.settings = settings
        self.model = model
        self.fallback = fallback
        self.name = settings.answerer
        self.model_name = model.name

    def messages(self, question: str, retrieval: Retrieval) -> tuple[list[dict], dict]:
        cited = {n: ctx for n, ctx in enumerate(retrieval.contexts[:5], 1)}
        blocks = [f"[{n}] {ctx.title}（{ctx.doc_no or '无文号'}）「{ctx.section}」\n{ctx.text}"
                  for n, ctx in cited.items()]
        user = load_prompt(self.settings, "answer_user.txt").format(contexts="\n\n".join(blocks), question=question)
        return [{"role": "system", "content": load_prompt(self.settings, "answer_system.txt")},
                {"role": "user", "content": user}], cited

    def answer(self, question: str, retrieval: Retrieval) -> Draft:
        baseline = self.fallback.answer(question, retrieval)
        if not baseline.answerable:
            return baseline  # the corpus cannot answer: don't ask a model to try
        messages, cited = self.messages(question, retrieval)
        text = self.model.chat(messages, max_tokens=self.settings.llm_max_tokens,
                               temperature=self.settings.llm_temperature).strip()
        if not text or any(m in text for m in REFUSAL_MARKERS):
            return Draft(text or "语料中没有相关内容。", answerable=False)
        return Draft(text, answerable=True, cited=cited)
