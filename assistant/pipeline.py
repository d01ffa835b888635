"""The answer chain: question → (follow-up rewrite) → hybrid retrieval → answerer → citation check.

`Assistant` is what the CLI, the app and the eval runner use. The chain itself
is a LangChain Runnable (`Assistant.chain`) of typed steps (assistant/steps.py):

    Question → Standalone → Retrieved → AnswerResult

`chain.invoke({"question": …, "history": […]})` returns the AnswerResult;
`chain.stream(…)` yields an LLM answerer's text pieces (str, not yet verified) as
they are generated and the verified AnswerResult last.
"""
from __future__ import annotations

import queue
import re
import threading
import time
from dataclasses import replace
from typing import Any, Iterator

from langchain_core.runnables import Runnable, RunnableConfig, RunnableLambda

from assistant.bridge import TwoSteps, name_bound, named_in, quoted_lines, two_steps
from assistant.compose import compose, day_left_open
from assistant.execute import Executor
from assistant.extractive import Draft, ExtractiveAnswerer
from assistant.similarity import UnitSimilarity
from assistant.followup import new_topic, rewrite_question
from assistant.plan import YEAR_CUE, plan_with_model, render
from assistant.query import parse_query, plain_wording
from assistant.results import AnswerResult, Citation
from assistant.retrieve import Filters, HybridRetriever, Retrieval
from assistant.steps import Question, Retrieved, Standalone
from assistant.verify import verify_answer
from index.reader import IndexReader
from index.tokenize import pos_tokens
from index.store import IndexStore
from index.settings import Settings


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
# "…口号有哪些？就是省局发的那份": a part that only says which document was meant, asking nothing of its own
_CLARIFIES = re.compile(r"^(?:就是?|即|也就是|指的?是|我说的是)(?!.*(?:什么|啥|哪|谁|几|多少|吗|怎么|如何))")
# "主题里带“…”的那年" / "口号有“…”那一年": a year named by a wording its notices hold
_THAT_YEAR = re.compile(r"[^，,。？?“”\"]{0,8}[“\"]([^”\"]{2,30})[”\"][^，,。？?“”]{0,6}?那(?:一)?年")


# "办第二届某某杯那年，…": a year named by what was done in it, unquoted
_DID_THAT_YEAR = re.compile(r"^(?:搞|办|开展|举办|举行|评|发布|启动)了?(?P<what>[^，,。？?“”\"]{2,16}?)的?那(?:一)?年")
# a theme as an answer states it: 以“…”为主题, 主题为“…”, “…”(的)活动主题
_THEME_STATED = re.compile(r"以[“\"]([^”\"]{4,40})[”\"]为(?:活动)?主题|主题(?:为|是|：)[“\"]?([^”\"\n]{4,40}?)[”\"\n。]"
                           r"|[“\"]([^”\"]{4,40})[”\"]的?(?:活动)?主题")
# a later part pointing back at the year the part before asked for ("哪年…？那年…")
_BACK_TO_YEAR = re.compile(r"那一?年|当年|同一?年")


def split_questions(question: str) -> list[str]:
    """Several questions in one message ("…第几届？…搞了什么活动？"), each long enough to stand alone."""
    parts = [p.strip() + "？" for p in re.split(r"[？?]", question) if p.strip()]
    if len(parts) < 2 or any(len(p) < 8 for p in parts) \
            or any(_EACH_OF_THEM.match(p) or _CLARIFIES.match(p) for p in parts[1:]):
        return [question]
    return parts[:MAX_PARTS]


def _step(fn, name: str, takes, gives) -> Runnable:
    """One chain step with its input and output types declared (annotations are strings here)."""
    return RunnableLambda(fn, name=name).with_types(input_type=takes, output_type=gives)


class AnswerStep(Runnable[Retrieved, AnswerResult]):
    """The last step: answer the retrieved passages and check the citations.

    `invoke` returns the AnswerResult; `stream` first yields an LLM answerer's text
    pieces as they are generated (an extractive answer has none), then the AnswerResult."""

    def __init__(self, assistant: Assistant):
        self.assistant = assistant

    @property
    def InputType(self) -> type[Retrieved]:  # noqa: N802 — LangChain's name
        return Retrieved

    @property
    def OutputType(self) -> type[AnswerResult]:  # noqa: N802 — LangChain's name
        return AnswerResult

    def invoke(self, input: Retrieved, config: RunnableConfig | None = None, **kwargs: Any) -> AnswerResult:
        return self._call_with_config(self.assistant.answer, input, config)

    def stream(self, input: Retrieved, config: RunnableConfig | None = None,
               **kwargs: Any) -> Iterator[str | AnswerResult]:
        yield from self._transform_stream_with_config(iter([input]), self._pieces, config)

    def _pieces(self, inputs: Iterator[Retrieved]) -> Iterator[str | AnswerResult]:
        for retrieved in inputs:
            yield from self.assistant.answer_pieces(retrieved)


class Assistant:
    def __init__(self, settings: Settings, reader: IndexReader | None = None, chat_model=None):
        """`chat_model`: an already loaded ChatModel to answer with (else built from settings)."""
        self.settings = settings
        self.reader = reader or IndexReader(settings)
        self.store = IndexStore(self.reader)
        self.retriever = HybridRetriever(reader=self.reader, settings=settings)
        self.extractive = ExtractiveAnswerer(settings, self.store, UnitSimilarity(self.reader.embeddings))
        self.answerer = self._make_answerer(chat_model)
        self.executor = Executor(self.store)
        self.chain: Runnable[Question | dict | str, AnswerResult] = (
            _step(Question.of, "question", Question | dict | str, Question)
            | _step(self.rewrite, "rewrite", Question, Standalone)
            | _step(self.retrieve, "retrieve", Standalone, Retrieved)
            | AnswerStep(self).with_config(run_name="answer"))

    def _make_answerer(self, chat_model):
        if self.settings.answer.answerer == "extractive":
            return self.extractive
        from assistant.generative import GenerativeAnswerer
        from assistant.llm import make_chat_model

        return GenerativeAnswerer(self.settings, chat_model or make_chat_model(self.settings), self.extractive)

    @property
    def model_name(self) -> str:
        return getattr(self.answerer, "model_name", "") or "—"

    # ---- the chain steps
    def rewrite(self, asked: Question) -> Standalone:
        model = getattr(self.answerer, "model", None)  # reuse the answerer's LLM, never load a second copy
        fresh = new_topic(asked.question)
        history = [] if fresh is not None else asked.history
        question = self._year_named(fresh or asked.question)
        text = rewrite_question(question, history, self.settings, chat_model=model) if history else question
        return Standalone(asked=asked, text=text, plan=plan_with_model(question, history, self.settings, model))

    def _year_named(self, question: str) -> str:
        """Two steps in one question: "主题里带“…”的那年，…" names its year by a theme's or slogan's
        wording, "办第二届某某杯那年，…" by what was done in it; when one year holds it, the question is asked
        of that year."""
        if parse_query(question, self.settings.retrieval.today).years:
            return question
        if m := _THAT_YEAR.search(question):
            said = m.group(0)
            theme, slogan = "主题" in said, bool(re.search("口号|标语", said))
            years = self.executor.years_holding(m.group(1), themes=theme or not slogan, slogans=slogan or not theme)
        elif m := _DID_THAT_YEAR.search(question):  # the years of the passages saying every word of what was done
            years = self.executor.years_saying([w for w, _ in pos_tokens(m.group("what")) if len(w) > 1])
        else:
            return question
        return question[:m.start()] + f"{years[0]}年" + question[m.end():] if len(years) == 1 else question

    # ---- question plans (assistant/plan.py → execute.py → compose.py): facts answer first; None → passages
    def _planned(self, retrieved: Retrieved) -> tuple[Retrieved, Draft] | None:
        """The plan's answer and the question it was read as, or None when the passages should answer."""
        if retrieved.plan is None or retrieved.asked.filters or retrieved.retrieval.missing_year:
            return None
        evidence = self.executor.run(retrieved.plan)
        if evidence is None:
            return None
        draft = compose(evidence)
        if day_left_open(evidence, retrieved.asked.history + [retrieved.asked.question]):
            # the notice names no day: said so (with the wording it does use), not given as the day asked
            return retrieved, Draft("所问通知没有写明具体的截止日期。原文的说法：\n" + draft.text, False, draft.cited)
        if not draft.answerable:
            # facts say the notice asked about is not indexed: a passage refusal says more (what is
            # nearest); a passage that answers (a report quoting that notice) answers, with the facts' caveat
            passages = self.extractive.answer(retrieved.standalone, retrieved.retrieval)
            if passages.answerable:
                passages.flags.append(draft.text + "以下答案取自其他文件中的引述，请与原文核对。")
            return retrieved, passages
        return replace(retrieved, standalone=render(retrieved.plan)), draft
    # ---- end of question plans

    def retrieve(self, standalone: Standalone) -> Retrieved:
        query = standalone.text[: self.settings.answer.max_question_chars]
        filters = standalone.asked.filters
        retrieval = self.retriever.search(query, filters=filters)
        info = retrieval.info
        if not filters and not retrieval.missing_year and (len(info.years) > 1 or len(info.levels) > 1
                                                           or len(info.regions) > 1):
            self._retrieve_each_side(query, retrieval)
        return Retrieved(asked=standalone.asked, standalone=standalone.text, plan=standalone.plan,
                         retrieval=retrieval)
    def _retrieve_each_side(self, query: str, retrieval: Retrieval) -> None:
        """A comparison ("19年省里的口号和总局的有何不同") needs passages of every year/level it names:
        search once per side with that side as a filter and interleave the results."""
        info = retrieval.info
        places = [Filters(region=r) for r in info.regions] if len(info.regions) > 1 else []
        # two years or levels are sides too, also beside two places: a county's plan would fill both
        # places' searches when the county is inside the other place named (某市's award, its county's plan)
        several = len(info.years) > 1 or len(info.levels) > 1
        times = [Filters(year=y, level=lv) for y in (info.years or [None]) for lv in (info.levels or [""])] \
            if several or not places else []
        sides = (places + times)[:4]
        per_side = [self.retriever.search(query, filters=f).contexts for f in sides]
        merged, seen = [], set()
        for rank in range(self.settings.retrieval.top_k):
            for contexts in per_side + [retrieval.contexts]:
                if rank < len(contexts) and contexts[rank].chunk_id not in seen:
                    seen.add(contexts[rank].chunk_id)
                    merged.append(contexts[rank])
        retrieval.contexts = merged[: self.settings.retrieval.top_k * 2]

    def answer(self, retrieved: Retrieved) -> AnswerResult:
        planned = self._planned(retrieved)
        if planned is not None and not self._phrases(planned[1]):
            return self.finish(*planned)
        if planned is not None:  # an LLM phrases the facts' answer, citing the same passages
            retrieved, facts = planned
            return self.finish(retrieved, self.answerer.answer(retrieved.standalone, retrieved.retrieval, facts))
        return self.finish(retrieved, self.answerer.answer(retrieved.standalone, retrieved.retrieval))

    def _phrases(self, facts: Draft) -> bool:
        """Whether the answerer is a language model that should phrase an answer found in the facts."""
        return self.answerer is not self.extractive and facts.answerable

    def answer_pieces(self, retrieved: Retrieved) -> Iterator[str | AnswerResult]:
        """`answer`, streamed: an LLM answerer's text pieces, then the AnswerResult."""
        stream = getattr(self.answerer, "stream", None)
        planned = self._planned(retrieved)
        if planned is not None and not self._phrases(planned[1]) or stream is None:
            yield self.finish(*planned) if planned is not None else self.answer(retrieved)
            return
        facts = None
        if planned is not None:
            retrieved, facts = planned
        for item in stream(retrieved.standalone, retrieved.retrieval, facts):
            if isinstance(item, Draft):
                yield self.finish(retrieved, item)
                return
            yield item
        raise RuntimeError("answerer stream ended without a draft")

    def finish(self, retrieved: Retrieved, draft: Draft) -> AnswerResult:
        """Citation verification and the result record (public: the eval baseline reuses it)."""
        retrieval, asked = retrieved.retrieval, retrieved.asked
        flags = list(retrieval.notes) + draft.flags
        text, citations = draft.text, []
        if draft.cited:
            checked = verify_answer(draft.text, draft.cited, retrieval.contexts + list(draft.cited.values()))
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
        if len(asked.question) > self.settings.answer.max_question_chars:
            flags.append(f"问题过长，只按前{self.settings.answer.max_question_chars}个字检索。")
        return AnswerResult(
            question=asked.question, answer=text, answerable=answerable, citations=citations,
            contexts=retrieval.contexts, answerer=self.answerer.name, model=self.model_name,
            latency_ms=round((time.perf_counter() - asked.started) * 1000, 1),
            rewritten_question=retrieved.standalone, flags=flags,
            plan=retrieved.plan.model_dump() if retrieved.plan else None)

    # ---- public API

    def ask(self, question: str, history: list[str] | None = None, filters: Filters | None = None) -> AnswerResult:
        started = time.perf_counter()
        problem = check_question(question, self.settings)
        if problem:
            return AnswerResult(question=question, answer=problem, answerable=False, answerer=self.answerer.name,
                                model=self.model_name, latency_ms=round((time.perf_counter() - started) * 1000, 1))
        question = plain_wording(question)
        with self.reader.pinned():  # one answer, one snapshot, even if a re-index commits meanwhile
            parts = split_questions(question[: self.settings.answer.max_question_chars])
            steps = two_steps(question) if len(parts) == 1 else None
            if len(parts) > 1:
                result = self._ask_parts(question, parts, list(history or []), filters, started)
            elif steps:
                result = self._ask_two_steps(question, steps, list(history or []), filters, started)
            else:
                result = self.chain.invoke(Question(question, list(history or []), filters))
                result = self._year_of_theme(question, result, started)
        if len(question) > self.settings.answer.max_question_chars and not any("问题过长" in f for f in result.flags):
            result.flags.append(f"问题过长，只按前{self.settings.answer.max_question_chars}个字检索。")
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
        if check_question(question, self.settings) or two_steps(question) \
                or len(split_questions(question[: self.settings.answer.max_question_chars])) > 1:
            return self.ask(question, history, filters)  # several answers merged: nothing to stream
        started, question = time.perf_counter(), plain_wording(question)
        with self.reader.pinned():
            for item in self.chain.stream(Question(question, history, filters)):
                if isinstance(item, AnswerResult):
                    return self._year_of_theme(question, item, started)  # as ask() does: the chat gets it too
                emit(item)
        raise RuntimeError("answer chain ended without a result")

    def _ask_parts(self, question: str, parts: list[str], history: list[str], filters, started: float):
        """"第几届？这届奖后来搞了什么活动？": answer each part in turn, later parts read as follow-ups."""
        results = []
        for i, part in enumerate(parts):
            if results:
                part = self._year_found(part, results[-1])
                if results[-1].answerable:  # "这个机构…": the one the part before named
                    part = name_bound(part, results[-1].answer, question)
                parts[i] = part
            results.append(self.chain.invoke(Question(part, list(history), filters)))
            history.append(part)
        return self._merged(question, parts, results, started)

    def _year_found(self, part: str, before: AnswerResult) -> str:
        """"哪年开始评X的？那年的通知谁印发的？": 那年 is the year of the document that answered the part before."""
        said = _BACK_TO_YEAR.search(part)
        if not said or not before.answerable or not before.citations or parse_query(part, self.settings.retrieval.today).years:
            return part
        first = before.citations[0].chunk_id
        year = next((c.year for c in before.contexts if c.chunk_id == first and c.year), None)
        return part[:said.start()] + f"{year}年" + part[said.end():] if year else part

    def _year_of_theme(self, question: str, result: AnswerResult, started: float) -> AnswerResult:
        """"某县那份材料的主题像哪年的？": the theme found, then the documents stating it, each with its year."""
        if not result.plan or result.plan.get("fact") != "theme" or not result.answerable \
                or not re.search(YEAR_CUE, question):
            return result
        themes = list(dict.fromkeys(t for m in _THEME_STATED.finditer(result.answer) for t in m.groups() if t))
        if len(themes) != 1:
            return result
        then = f"“{themes[0]}”是哪一年的主题？"
        return self._merged(question, [question, then], [result, self.chain.invoke(Question(then, []))], started)

    def _ask_two_steps(self, question: str, steps: TwoSteps, history: list[str], filters, started: float):
        """"搞了X的那个厅，还做了什么": which one first, then the rest asked of the name found."""
        first = self.chain.invoke(Question(steps.first, list(history), filters))
        name = named_in(quoted_lines(first.answer), steps.kind, question) if first.answerable else ""
        if not name:  # nothing names it: the question as asked
            return self.chain.invoke(Question(question, history, filters))
        second = steps.second(name)
        then = self.chain.invoke(Question(second, history + [steps.first], filters))
        return self._merged(question, [steps.first, second], [first, then], started)

    def _merged(self, question: str, parts: list[str], results: list[AnswerResult], started: float) -> AnswerResult:
        """One answer of several parts: "（1）…（2）…", citations renumbered across them."""
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
