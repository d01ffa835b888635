"""Session fixtures for the LLM tests: one loaded in-process model, one real llama_cpp.server.

Tests using them are marked ``llm``; tests/conftest.py skips those when llama_cpp is missing.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from index.settings import Settings

SERVER_START_TIMEOUT = 180.0  # s; loading a 1.1 GB GGUF from a cold page cache on 2 cores


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# An invented theme, so the answer can only come from the passage, not from pretraining.
PASSAGE = ("根据《关于开展2031年“质量月”活动的通知》，今年质量月活动的主题是“青山质量 万家安心”，"
           "活动时间为9月1日至9月30日，由县市场监督管理局牵头组织。")


@pytest.fixture
def passage() -> str:
    return PASSAGE


@pytest.fixture
def grounded_messages() -> list[dict]:
    return [
        {"role": "system", "content": "你是市场监管业务助手。只根据给出的材料回答，答案要简短。"},
        {"role": "user", "content": f"材料：{PASSAGE}\n\n问题：今年质量月活动的主题是什么？"},
    ]


@pytest.fixture
def unused_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def llm_settings() -> Settings:
    return Settings(answerer="llamacpp")


@pytest.fixture(scope="session")
def default_gguf(llm_settings):
    from assistant.components.gguf_default import ensure_default_gguf
    return ensure_default_gguf(llm_settings)  # assembles from the wheels on first run


@pytest.fixture(scope="session")
def llamacpp_model(llm_settings, default_gguf):
    from assistant.llm import make_chat_model
    return make_chat_model(llm_settings)


@pytest.fixture(scope="session")
def llama_server(llm_settings, default_gguf, tmp_path_factory):
    """Base URL (…/v1) of a real OpenAI-compatible llama_cpp.server on a free loopback port."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("llama_server") / "server.log"
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(default_gguf),
           "--model_alias", llm_settings.llm.openai_model, "--host", "127.0.0.1", "--port", str(port),
           "--n_ctx", str(llm_settings.llm.llm_context), "--n_threads", str(llm_settings.llm.llm_threads)]
    # Same OpenMP wait policy as the in-process backend (see llamacpp_llm.py): CI may be busy.
    env = {**os.environ, "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "PASSIVE")}
    with open(log_path, "wb") as log:  # a file, not a pipe: a full pipe would stall the server
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited with {proc.returncode}:\n{log_path.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(base + "/models", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"llama_cpp.server not ready after {SERVER_START_TIMEOUT:.0f}s:\n"
                            f"{log_path.read_text()[-2000:]}")
            time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def assistant_with_added(paths: list[str], workdir, embeddings):
    """An Assistant over a throwaway copy of the corpus with `paths` added, as `--add` builds it."""
    from assistant.pipeline import Assistant
    from eval.workspace import with_added
    from index.ingest import ingest
    from index.reader import IndexReader
    from tests.conftest import TODAY

    settings = with_added(Settings(today=TODAY), paths, workdir)
    report = ingest(settings, show_progress=False, embeddings=embeddings)
    assert not report.failed, report.summary()
    return Assistant(settings, reader=IndexReader(settings, embeddings=embeddings))
