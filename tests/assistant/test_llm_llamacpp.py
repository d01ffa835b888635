"""The default GGUF, assembled from the pinned wheels, loaded with llama-cpp-python and asked
a grounded Chinese question (passage and messages come from conftest). Real model, no mocks."""
from __future__ import annotations

import pytest

from assistant.llm import ChatModel, as_runnable, make_chat_model
from index.components.wheels import sha256_file
from index.settings import Settings


def test_extractive_means_no_model():
    assert make_chat_model(Settings(answerer="extractive")) is None


@pytest.mark.llm
@pytest.mark.slow
def test_default_gguf_is_the_verified_file(default_gguf, llm_settings):
    assert default_gguf.read_bytes()[:4] == b"GGUF"
    assert sha256_file(default_gguf) == llm_settings.llm.llm_gguf_sha256


@pytest.mark.llm
@pytest.mark.slow
def test_grounded_chinese_answer(llamacpp_model, grounded_messages):
    assert isinstance(llamacpp_model, ChatModel)
    assert "qwen2.5" in llamacpp_model.name
    answer = llamacpp_model.chat(grounded_messages, max_tokens=64, temperature=0.0)
    assert "青山质量" in answer and "万家安心" in answer, answer


@pytest.mark.llm
@pytest.mark.slow
def test_stream_pieces_join_to_the_answer(llamacpp_model, grounded_messages):
    pieces = list(llamacpp_model.stream(grounded_messages, max_tokens=64, temperature=0.0))
    assert len(pieces) >= 3, pieces  # really streamed, not one final blob
    text = "".join(pieces)
    assert "青山质量" in text, text
    assert text == llamacpp_model.chat(grounded_messages, max_tokens=64, temperature=0.0)


@pytest.mark.llm
@pytest.mark.slow
def test_langchain_runnable(llamacpp_model, grounded_messages, passage):
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate

    prompt = ChatPromptTemplate.from_messages([("system", grounded_messages[0]["content"]),
                                               ("human", "材料：{passage}\n\n问题：{question}")])
    chain = prompt | as_runnable(llamacpp_model, max_tokens=64, temperature=0.0) | StrOutputParser()
    inputs = {"passage": passage, "question": "今年质量月活动由哪个单位牵头组织？"}
    assert "市场监督管理局" in chain.invoke(inputs)
    assert len(list(chain.stream(inputs))) >= 3
