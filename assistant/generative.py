"""LLM answerer (llamacpp / openai): the model writes the answer, our checks keep it honest.

The same hard refusals as the extractive answerer come first (a year or place
the corpus lacks, a fact no passage holds), so no model is asked to answer what
the corpus cannot. The model sees numbered passages marked as data, and its
answer then goes through the same citation verification as every answer.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from assistant.extractive import Draft, ExtractiveAnswerer
from assistant.llm import ChatModel
from assistant.results import Context
from assistant.retrieve import Retrieval
from assistant.verify import attribute, verify_answer
from index.settings import Settings

REFUSAL_MARKERS = ("语料中没有", "没有相关内容", "无法回答", "未提及", "没有提到")
FALLBACK_NOTE = "模型的回答未能在资料中核实，改为直接摘录原文回答。"
REFUSAL_OVERRIDDEN_NOTE = "模型表示资料中没有答案，但检索到的原文与问题相关，以下直接摘录原文，请核对。"


def load_prompt(settings: Settings, name: str) -> str:
    return (Path(settings.index.prompts_dir) / name).read_text(encoding="utf-8")


class GenerativeAnswerer:
    def __init__(self, settings: Settings, model: ChatModel, fallback: ExtractiveAnswerer):
        self.settings = settings
        self.model = model
        self.fallback = fallback
        self.name = settings.answer.answerer
        self.model_name = model.name

    def passages(self, retrieval: Retrieval, picked: dict[int, Context]) -> dict[int, Context]:
        """What the model reads: the passages the extractive answerer found the answer in, then
        the rest in retrieval order, within the character budget (always at least one)."""
        chosen, seen, used = {}, set(), 0
        for ctx in list(picked.values()) + retrieval.contexts:
            if ctx.chunk_id in seen or len(chosen) >= self.settings.llm.llm_max_passages:
                continue
            if chosen and used + len(ctx.text) > self.settings.llm.llm_passage_chars:
                continue
            seen.add(ctx.chunk_id)
            used += len(ctx.text)
            chosen[len(chosen) + 1] = ctx
        return chosen

    def messages(self, question: str, cited: dict[int, Context], facts: str = "") -> list[dict]:
        blocks = [f"[{n}] {ctx.title}（{ctx.doc_no or '无文号'}）「{ctx.section}」\n{ctx.text}"
                  for n, ctx in cited.items()]
        if facts:  # the plan's answer from the notices' facts: the model phrases it, citing the same [n]
            blocks.insert(0, load_prompt(self.settings, "answer_facts.txt").format(facts=facts))
        user = load_prompt(self.settings, "answer_user.txt").format(contexts="\n\n".join(blocks), question=question)
        return [{"role": "system", "content": load_prompt(self.settings, "answer_system.txt")},
                {"role": "user", "content": user}]

    def prepare(self, question: str, retrieval: Retrieval,
                facts: Draft | None = None) -> tuple[Draft, list[dict] | None, dict[int, Context]]:
        """The extractive draft (or the plan's answer from the facts, when there is one), and the
        model's prompt unless that draft already refuses."""
        baseline = facts or self.fallback.answer(question, retrieval)
        if not baseline.answerable:
            return baseline, None, {}  # the corpus cannot answer: don't ask a model to try
        cited = self.passages(retrieval, baseline.cited)
        return baseline, self.messages(question, cited, baseline.text if facts else ""), cited

    def settle(self, text: str, baseline: Draft, cited: dict[int, Context]) -> Draft:
        """Turn the model's raw text into a draft: attribute unmarked sentences, and when no
        sentence survives verification, or the model says the passages lack an answer the
        evidence gate found, fall back to the extractive answer, saying so."""
        text = text.strip()
        if not text or any(m in text for m in REFUSAL_MARKERS):
            if self.settings.llm.llm_trust_refusals:
                return Draft(text or "语料中没有相关内容。", answerable=False)
            return self.quoted(baseline, REFUSAL_OVERRIDDEN_NOTE)
        text = attribute(text, cited)
        if not verify_answer(text, cited, list(cited.values())).used:
            return self.quoted(baseline, FALLBACK_NOTE)
        return Draft(text, answerable=True, cited=cited)

    @staticmethod
    def quoted(baseline: Draft, note: str) -> Draft:
        """The extractive answer in place of the model's, with a flag saying why."""
        return Draft(baseline.text, baseline.answerable, baseline.cited, [*baseline.flags, note])

    def answer(self, question: str, retrieval: Retrieval, facts: Draft | None = None) -> Draft:
        baseline, messages, cited = self.prepare(question, retrieval, facts)
        if messages is None:
            return baseline
        text = self.model.chat(messages, max_tokens=self.settings.llm.llm_max_tokens,
                               temperature=self.settings.llm.llm_temperature)
        return self.settle(text, baseline, cited)

    def stream(self, question: str, retrieval: Retrieval, facts: Draft | None = None) -> Iterator[str | Draft]:
        """The model's text piece by piece as it is generated, then the settled Draft."""
        baseline, messages, cited = self.prepare(question, retrieval, facts)
        if messages is None:
            yield baseline
            return
        pieces = []
        for piece in self.model.stream(messages, max_tokens=self.settings.llm.llm_max_tokens,
                                       temperature=self.settings.llm.llm_temperature):
            pieces.append(piece)
            yield piece
        yield self.settle("".join(pieces), baseline, cited)
