"""The OpenAI-compatible backend against a real llama_cpp.server, and its error hygiene."""
from __future__ import annotations

import logging

import pytest

from assistant.llm import LLMError, make_chat_model
from index.settings import Settings

SECRET = "sk-SECRET-TEST"


@pytest.mark.llm
@pytest.mark.slow
def test_answers_through_llama_cpp_server(llama_server, grounded_messages):
    model = make_chat_model(Settings(answerer="openai", openai_base_url=llama_server, openai_api_key=SECRET))
    assert model.name == "qwen2.5"
    answer = model.chat(grounded_messages, max_tokens=64, temperature=0.0)
    assert "青山质量" in answer, answer
    pieces = list(model.stream(grounded_messages, max_tokens=64, temperature=0.0))
    assert len(pieces) >= 3 and "青山质量" in "".join(pieces), pieces


# Needs only the openai client (core requirements), so it is not marked llm and always runs.
def test_wrong_base_url_gives_clear_error_without_the_key(caplog, unused_port, grounded_messages):
    caplog.set_level(logging.DEBUG)
    for name in ("openai", "httpx", "httpx2", "httpcore", "httpcore2"):
        caplog.set_level(logging.DEBUG, logger=name)
    base = f"http://127.0.0.1:{unused_port}/v1"  # nothing listens there
    model = make_chat_model(Settings(answerer="openai", openai_base_url=base, openai_api_key=SECRET,
                                     openai_timeout=5.0))
    assert SECRET not in repr(model)
    with pytest.raises(LLMError) as info:
        model.chat(grounded_messages, max_tokens=8, temperature=0.0)
    with pytest.raises(LLMError) as info_stream:
        list(model.stream(grounded_messages, max_tokens=8, temperature=0.0))
    for err in (info.value, info_stream.value):
        assert base in str(err)
        assert SECRET not in str(err) and SECRET not in repr(err)
        assert err.__suppress_context__  # the client's own exception is not printed with ours
    assert caplog.records  # the client did log: the check below looked at something
    assert SECRET not in caplog.text
