"""The answer chain: question → (follow-up rewrite) → hybrid retrieval → answerer → citation check.

`Assistant` is what the CLI, the app and the eval runner use. The chain itself
is a LangChain Runnable (`Assistant.chain`), so it can be composed or traced
like any other LangChain pipeline.
"""
from __future__ import annotations

import queue
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Iterator

from langchain_core.runnables import Runnable, RunnableLambda

from assistant.compose import compose
from assistant.execute import Executor
from assistant.extractive import Draft, ExtractiveAnswerer
from assistant.followup import rewrite_question
from assistant.plan import Plan, plan_with_model, render
from assistant.results import AnswerResult, Citation, Context
from assistant.retrieve import Filters, HybridRetriever, Retrieval
from assistant.verify import verify_answer
from index.reader import IndexReader
from index.store import IndexStore
from index.settings import Settings


@dataclass
class Turn:
    """What flows through the chain."""
    question: str
    history: list[str] = field(default_factory=list)
    filters: Filters | None = None
    standalone: str = ""
    retrieval: Retrieval | None = None
    draft: Draft | None = None
    plan: Plan | None = None
    started: float = field(default_factory=time.perf_counter)


def check_question(question: str, settings: Settings) -> str:
    """A reply for questions that cannot be searched at all, or "" when the question is fine."""
    q = (question or "").strip()
    if not q:
        return "请输入问题，例如：“今年质量月活动的口号有哪些？”"
    if not re.search(r"[\u4e00-\u9fffA-Za-z0-9]", q):
        return "没有看懂这个问题：请用文字描述您想查询的内容。"
    if not re.search(r"[\u4e00-\u9fff]", q):
        return "本助手根据中文通知作答，请用中文提问，例如：“今年质量月活动的口号有哪些？”"
    if _INSTRUCTION.search(q):
        return "我只根据已导入的通知回答与“质量月”有关的问题，不执行改变规则、透露配置或提示词的指令。请直接提问通知内容。"
    return ""


# Messages that address the assistant's rules rather than the notices ("忽略以上所有指令…").
_INSTRUCTION = re.compile(r"忽略.{0,8}(指令|指示|要求|规则)|系统提示词|提示词|system\s*prompt|开发者模式|"
                          r"(输出|告诉我|透露).{0,8}(配置|密钥|API|指令)|重复你.{0,6}指令|ignore (all|previous)", re.I)
MAX_PARTS = 4


# A part that opens with 各/每/分别 asks about each item of the set the part before it counted
# ("分几块？各块标题是什么"): one question about one set, not two.
_EACH_OF_THEM = re.compile(r"^(?:各|每|分别)")


def split_questions(question: str) -> list[str]:
    """Several questions in one message ("…第几届？…搞了什么活动？"), each long enough to stand alone."""
    parts = [p.strip() + "？" for p in re.split(r"[？?]", question) if p.strip()]
    if len(parts) < 2 or any(len(p) < 8 for p in parts) or any(_EACH_OF_THEM.match(p) for p in parts[1:]):
        return [question]
    return parts[:MAX_PARTS]


class Assistant:
    def __init__(self, settings: Settings, reader: IndexReader | None = None, chat_model=None):
        """`chat_model`: an already loaded ChatModel to answer with (else built from settings)."""
        self.settings = settings
        self.reader = reader or IndexReader(settings)
        self.store = IndexStore(self.reader)
        self.retriever = HybridRetriever(reader=self.reader, settings=settings)
        self.extractive = ExtractiveAnswerer(settings, self.store)
        self.answerer = self._make_answerer(chat_model)
        self.executor = Executor(self.store)
        self.chain: Runnable = (RunnableLambda(self._rewrite) | RunnableLambda(self._retrieve)
                                | RunnableLambda(self._answer))

    def _make_answerer(self, chat_model):
        if self.settings.answerer == "extractive":
            return self.extractive
        from assistant.generative import GenerativeAnswerer
        from assistant.llm import make_chat_model

        return GenerativeAnswerer(self.settings, chat_model or make_chat_model(self.settings), self.extractive)

    @property
    def model_name(self) -> str:
        return getattr(self.answerer, "model_name", "") or "—"

    # ---- the chain steps
    def _rewrite(self, turn: Turn) -> Turn:
        model = getattr(self.answerer, "model", None)  # reuse the answerer's LLM, never load a second copy
        turn.standalone = rewrite_question(turn.question, turn.history, self.settings, chat_model=model) \
            if turn.history else turn.question
        turn.plan = plan_with_model(turn.question, turn.history, self.settings, model)
        return turn

    # ---- question plans (assistant/plan.py → execute.py → compose.py): facts answer first; None → passages
    def _planned(self, turn: Turn) -> Draft | None:
        if turn.plan is None or turn.filters or turn.retrieval.missing_year:
            return None
        evidence = self.executor.run(turn.plan)
        if evidence is None:
            return None
        draft = compose(evidence)
        if not draft.answerable:  # facts say the index cannot answer: a passage refusal says more (what is nearest)
            passages = self.extractive.answer(turn.standalone, turn.retrieval)
            return passages if not passages.answerable else draft
        turn.standalone = render(turn.plan)
        return draft
    # ---- end of question plans

    def _retrieve(self, turn: Turn) -> Turn:
        query = turn.standalone[: self.settings.max_question_chars]
        turn.retrieval = self.retriever.search(query, filters=turn.filters)
        info = turn.retrieval.info
        if not turn.filters and not turn.retrieval.missing_year and (len(info.years) > 1 or len(info.levels) > 1
                                                                     or len(info.regions) > 1):
            self._retrieve_each_side(query, turn.retrieval)
        return turn

    def _retrieve_each_side(self, query: str, retrieval: Retrieval) -> None:
        """A comparison ("19年省里的口号和总局的有何不同") needs passages of every year/level it names:
        search once per side with that side as a filter and interleave the results."""
        info = retrieval.info
        if len(info.regions) > 1:
            sides = [Filters(region=r) for r in info.regions][:4]
        else:
            sides = [Filters(year=y, level=lv) for y in (info.years or [None]) for lv in (info.levels or [""])][:4]
        per_side = [self.retriever.search(query, filters=f).contexts for f in sides]
        merged, seen = [], set()
        for rank in range(self.settings.top_k):
            for contexts in per_side + [retrieval.contexts]:
                if rank < len(contexts) and contexts[rank].chunk_id not in seen:
                    seen.add(contexts[rank].chunk_id)
                    merged.append(contexts[rank])
        retrieval.contexts = merged[: self.settings.top_k * 2]

    def _answer(self, turn: Turn) -> AnswerResult:
        draft = self._planned(turn) or self.answerer.answer(turn.standalone, turn.retrieval)
        return self.finish(turn, draft)

    def finish(self, turn: Turn, draft: Draft) -> AnswerResult:
        """Citation verification and the result record (public: the eval baseline reuses it)."""
        flags = list(turn.retrieval.notes) + draft.flags
        text, citations = draft.text, []
        if draft.cited:
            checked = verify_answer(draft.text, draft.cited, turn.retrieval.contexts + list(draft.cited.values()))
            flags.extend(checked.flags)
            renumber = {old: new for new, old in enumerate(checked.used, 1)}
            text = re.sub(r"\[(\d{1,2})\]", lambda m: f"[{renumber[int(m.group(1))]}]"
                          if int(m.group(1)) in renumber else "", checked.text)
            for old in checked.used:
                c = draft.cited[old]
                citations.append(Citation(n=renumber[old], source=c.source, title=c.title, doc_no=c.doc_no,
                                          section=c.section, text=c.text, chunk_id=c.chunk_id))
        answerable = draft.answerable and (bool(citations) or not draft.cited)
        users = {c.source for c in draft.cited.values() if c.trust == "user"} & {c.source for c in citations}
        if users:
            flags.append("引用了用户上传的文件（非正式公文）：" + "、".join(sorted(users)) + "，请与正式通知核对。")
        if len(turn.question) > self.settings.max_question_chars:
            flags.append(f"问题过长，只按前{self.settings.max_question_chars}个字检索。")
        return AnswerResult(
            question=turn.question, answer=text, answerable=answerable, citations=citations,
            contexts=turn.retrieval.contexts, answerer=self.answerer.name, model=self.model_name,
            latency_ms=round((time.perf_counter() - turn.started) * 1000, 1),
            rewritten_question=turn.standalone, flags=flags,
            plan=turn.plan.model_dump() if turn.plan else None)

    # ---- public API
    def search(self, question: str, k: int | None = None, filters: Filters | None = None) -> Retrieval:
        return self.retriever.search(question, k=k, filters=filters)

    def ask(self, question: str, history: list[str] | None = None, filters: Filters | None = None) -> AnswerResult:
        started = time.perf_counter()
        problem = check_question(question, self.settings)
        if problem:
            return AnswerResult(question=question, answer=problem, answerable=False, answerer=self.answerer.name,
                                model=self.model_name, latency_ms=round((time.perf_counter() - started) * 1000, 1))
        with self.reader.pinned():  # one answer, one snapshot, even if a re-index commits meanwhile
            parts = split_questions(question[: self.settings.max_question_chars])
            if len(parts) > 1:
                result = self._ask_parts(question, parts, list(history or []), filters, started)
            else:
                result = self.chain.invoke(Turn(question=question, history=list(history or []), filters=filters))
        if len(question) > self.settings.max_question_chars and not any("问题过长" in f for f in result.flags):
            result.flags.append(f"问题过长，只按前{self.settings.max_question_chars}个字检索。")
        return result

    def ask_stream(self, question: str, history: list[str] | None = None,
                   filters: Filters | None = None) -> Iterator[str | AnswerResult]:
        """Like `ask`, but an LLM answerer's text arrives piece by piece (str, not yet verified)
        before the verified AnswerResult, which is always the last item.

        The work runs in its own thread: the snapshot pin is a context variable, and a UI may
        resume this generator from a different thread or context each time."""
        items: queue.Queue = queue.Queue()
        done = object()

        def work():
            try:
                items.put(self._ask_streaming(question, list(history or []), filters, items.put))
            except BaseException as exc:  # noqa: BLE001 — re-raised in the consumer
                items.put(exc)
            finally:
                items.put(done)

        threading.Thread(target=work, name="ask-stream", daemon=True).start()
        while (item := items.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item

    def _ask_streaming(self, question: str, history: list[str], filters, emit) -> AnswerResult:
        stream = getattr(self.answerer, "stream", None)
        if stream is None or check_question(question, self.settings) \
                or len(split_questions(question[: self.settings.max_question_chars])) > 1:
            return self.ask(question, history, filters)
        with self.reader.pinned():
            turn = self._retrieve(self._rewrite(Turn(question=question, history=history, filters=filters)))
            planned = self._planned(turn)
            if planned is not None:
                return self.finish(turn, planned)
            for item in stream(turn.standalone, turn.retrieval):
                if isinstance(item, Draft):
                    return self.finish(turn, item)
                emit(item)
        raise RuntimeError("answerer stream ended without a draft")

    def _ask_parts(self, question: str, parts: list[str], history: list[str], filters, started: float):
        """"第几届？这届奖后来搞了什么活动？": answer each part in turn, later parts read as follow-ups."""
        results = []
        for part in parts:
            results.append(self.chain.invoke(Turn(question=part, history=list(history), filters=filters)))
            history.append(part)
        lines, citations, contexts, seen = [], [], [], set()
        for i, r in enumerate(results, 1):
            offset = len(citations)
            text = re.sub(r"\[(\d{1,2})\]", lambda m: f"[{int(m.group(1)) + offset}]", r.answer)
            lines.append(f"（{i}）{r.rewritten_question or parts[i - 1]}\n{text}")
            for c in r.citations:
                citations.append(Citation(**{**c.__dict__, "n": c.n + offset}))
            contexts.extend(c for c in r.contexts if c.chunk_id not in seen and not seen.add(c.chunk_id))
        return AnswerResult(
            question=question, answer="\n\n".join(lines), answerable=any(r.answerable for r in results),
            citations=citations, contexts=contexts, answerer=self.answerer.name, model=self.model_name,
            latency_ms=round((time.perf_counter() - started) * 1000, 1),
            rewritten_question="；".join(r.rewritten_question for r in results),
            flags=[f for r in results for f in r.flags])
