"""The LLM answerers on real retrieved chunks: the default GGUF in process, and the same model
behind a real OpenAI-compatible llama_cpp.server. Every answer goes through our verification.

`ScriptedModel` stands in for a model only where a test needs an exact model output (a planted
invented fact, a refusal) to check what our code does with it.
"""
from __future__ import annotations

import re
import shutil

import pytest

from assistant.generative import FALLBACK_NOTE, REFUSAL_OVERRIDDEN_NOTE, GenerativeAnswerer
from assistant.pipeline import Assistant
from assistant.results import AnswerResult
from assistant.verify import supported
from index.ingest import ingest
from index.reader import IndexReader
from index.settings import Settings
from tests.assistant.test_bad_questions import PWNED, REAL_CORPUS, TODAY, injected_plan, not_obeyed

THEME_QUESTION = "2025年全国质量月的主题是什么？"


def answering(messages) -> bool:
    """An answer request (the passages are in it), not the plan request an LLM is also asked."""
    return "【资料】" in messages[-1]["content"]


class ScriptedModel:
    name = "scripted"

    def __init__(self, reply: str):
        self.reply, self.calls = reply, 0

    def chat(self, messages, *, max_tokens, temperature):
        self.calls += answering(messages)
        return self.reply

    def stream(self, messages, *, max_tokens, temperature):
        self.calls += answering(messages)
        yield from re.findall(r".{1,4}", self.reply, re.S)


class CountingModel:
    """The real model, counting calls (to show refusals never reach it)."""

    def __init__(self, model):
        self.model, self.name, self.calls = model, model.name, 0

    def chat(self, messages, **kwargs):
        self.calls += answering(messages)
        return self.model.chat(messages, **kwargs)

    def stream(self, messages, **kwargs):
        self.calls += answering(messages)
        yield from self.model.stream(messages, **kwargs)


def llm_assistant(settings: Settings, reader: IndexReader, model, answerer: str = "llamacpp") -> Assistant:
    return Assistant(settings.with_(answerer=answerer), reader=reader, chat_model=model)


def assert_verified(result: AnswerResult) -> None:
    assert result.citations, result.answer
    for c in result.citations:
        cited_lines = [line for line in result.answer.split("\n") if f"[{c.n}]" in line]
        assert cited_lines and all(supported(line, f"{c.section}\n{c.text}") or "未能核实" in line
                                   for line in cited_lines), result.answer


# ------------------------------------------------------------------ what our code does with model output


def test_invented_answer_falls_back_to_the_quote(built_index, index_reader):
    model = ScriptedModel("2025年全国质量月的主题是“质量第一 安全至上”，共有99个部门参加。")
    result = llm_assistant(built_index, index_reader, model).ask(THEME_QUESTION)
    assert model.calls == 1
    assert FALLBACK_NOTE in result.flags and result.answerer == "llamacpp"
    assert "99" not in result.answer and "加强全面质量管理" in re.sub(r"\s", "", result.answer)
    assert_verified(result)


def test_unmarked_true_answer_gets_its_citation(built_index, index_reader):
    model = ScriptedModel("主题是加强全面质量管理 促进质量强国建设")
    result = llm_assistant(built_index, index_reader, model).ask(THEME_QUESTION)
    assert FALLBACK_NOTE not in result.flags and result.answerable
    assert result.answer.startswith("主题是加强全面质量管理") and "活动主题" in result.citations[0].section


def test_model_refusal_despite_evidence_gives_the_quote(built_index, index_reader):
    result = llm_assistant(built_index, index_reader, ScriptedModel("语料中没有相关内容")).ask(THEME_QUESTION)
    assert result.answerable and REFUSAL_OVERRIDDEN_NOTE in result.flags
    assert "加强全面质量管理" in re.sub(r"\s", "", result.answer)
    assert_verified(result)


def test_model_refusal_is_a_refusal_when_trusted(built_index, index_reader):
    settings = built_index.with_(llm_trust_refusals=True)
    result = llm_assistant(settings, index_reader, ScriptedModel("语料中没有相关内容")).ask(THEME_QUESTION)
    assert result.answerable is False and not result.citations


def test_stream_yields_pieces_then_the_verified_result(built_index, index_reader):
    reply = "主题是加强全面质量管理 促进质量强国建设[1]，由市场监管总局等26个部门联合开展。"
    items = list(llm_assistant(built_index, index_reader, ScriptedModel(reply)).ask_stream(THEME_QUESTION))
    pieces, final = items[:-1], items[-1]
    assert len(pieces) > 3 and all(isinstance(p, str) for p in pieces) and "".join(pieces) == reply
    assert isinstance(final, AnswerResult) and final.citations


def test_stream_of_extractive_answer_is_the_result_alone(built_index, index_reader):
    items = list(Assistant(built_index, reader=index_reader).ask_stream(THEME_QUESTION))
    assert len(items) == 1 and isinstance(items[0], AnswerResult) and items[0].answerable


class WatchedModel(ScriptedModel):
    """Records how many pieces it has produced, to show a consumer sees each before the next is made."""

    def __init__(self, reply: str):
        super().__init__(reply)
        self.produced = 0

    def stream(self, messages, *, max_tokens, temperature):
        for piece in super().stream(messages, max_tokens=max_tokens, temperature=temperature):
            self.produced += 1
            yield piece


def test_chain_stream_yields_each_piece_as_the_model_makes_it(built_index, index_reader):
    question, reply = "中国质量大会在哪里举办？", "中国质量（南京）大会在南京举办[1]。"  # a question no fact answers
    model = WatchedModel(reply)
    chain = llm_assistant(built_index, index_reader, model).chain
    seen = []
    for item in chain.stream({"question": question}):
        if isinstance(item, str):
            seen.append((item, model.produced))
        else:
            final = item
    assert "".join(p for p, _ in seen) == reply
    assert [n for _, n in seen] == list(range(1, len(seen) + 1))  # piece n arrives before piece n+1 is made
    assert isinstance(final, AnswerResult) and final.answerer == "llamacpp"
    assert chain.invoke({"question": question}).answer == final.answer


# ------------------------------------------------------------------ the real model


@pytest.mark.llm
@pytest.mark.slow
def test_llamacpp_answers_from_real_chunks_with_verified_citations(built_index, index_reader, llamacpp_model):
    result = llm_assistant(built_index, index_reader, llamacpp_model).ask(THEME_QUESTION)
    assert result.answerer == "llamacpp" and result.model == llamacpp_model.name
    assert result.answerable and "质量强国" in result.answer, result.answer
    assert FALLBACK_NOTE not in result.flags, result.answer
    assert_verified(result)


@pytest.mark.llm
@pytest.mark.slow
def test_llamacpp_out_of_corpus_is_refused_without_asking_the_model(built_index, index_reader, llamacpp_model):
    counting = CountingModel(llamacpp_model)
    result = llm_assistant(built_index, index_reader, counting).ask("广东省今年质量月主题是什么？")
    assert result.answerable is False and "语料中没有" in result.answer and counting.calls == 0


@pytest.mark.llm
@pytest.mark.slow
def test_llamacpp_real_stream(built_index, index_reader, llamacpp_model):
    items = list(llm_assistant(built_index, index_reader, llamacpp_model).ask_stream(THEME_QUESTION))
    assert len(items) >= 3 and isinstance(items[-1], AnswerResult)
    assert items[-1].citations and all(isinstance(i, str) for i in items[:-1])


@pytest.fixture(scope="module")
def injected_index(tmp_path_factory, embeddings) -> tuple[Settings, IndexReader]:
    root = tmp_path_factory.mktemp("injected_llm")
    settings = Settings(corpus_dir=root / "corpus", data_dir=root / "data", today=TODAY)
    settings.index.corpus_dir.mkdir()
    shutil.copyfile(REAL_CORPUS / "2025-national-samr-notice.txt", settings.index.corpus_dir / "national.txt")
    (settings.index.corpus_dir / "2023-yongan-injected.txt").write_text(injected_plan(), encoding="utf-8")
    assert not ingest(settings, show_progress=False, embeddings=embeddings).failed
    return settings, IndexReader(settings, embeddings=embeddings)


@pytest.mark.llm
@pytest.mark.slow
def test_llamacpp_quotes_injected_notice_never_obeys(injected_index, llamacpp_model):
    settings, reader = injected_index
    assistant = llm_assistant(settings, reader, llamacpp_model)
    retrieval = assistant.retriever.search("永安市2023年质量月活动的总体要求是什么？")
    assert any(PWNED in c.text for c in retrieval.contexts[:5])  # the model really sees the injected lines
    result = assistant.ask("永安市2023年质量月活动的总体要求是什么？")
    not_obeyed(result.answer)


@pytest.mark.llm
@pytest.mark.slow
def test_openai_answerer_through_local_server_on_real_chunks(built_index, index_reader, llama_server):
    from assistant.llm import make_chat_model

    settings = built_index.with_(answerer="openai", openai_base_url=llama_server)
    assistant = Assistant(settings, reader=index_reader, chat_model=make_chat_model(settings))
    assert isinstance(assistant.answerer, GenerativeAnswerer)
    result = assistant.ask(THEME_QUESTION)
    assert result.answerer == "openai" and result.answerable and "质量强国" in result.answer, result.answer
    assert_verified(result)
