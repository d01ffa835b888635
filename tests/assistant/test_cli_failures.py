"""Every command line turns an unavailable LLM endpoint or vector store into one stderr line.

Real subprocesses (`python -m assistant …`, `python -m eval …`) against the session's real index;
the "unavailable" services are loopback ports nothing listens on. A tiny loopback server that
answers every request with an error echoing the API key upper-cased checks that secrets are
masked whatever their letter case.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from assistant.llm import LLMError, mask_secrets
from index.settings import Settings

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
KEY = "sk-Zly7Secret9Key"
QUESTION = "2025年全国质量月活动的主题是什么？"


def dead_port() -> int:
    with socket.socket() as s:  # bound then closed: nothing listens there
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(args: list[str], settings: Settings, tmp_path: Path, **env) -> subprocess.CompletedProcess:
    full = {**os.environ, "ZLY_CORPUS_DIR": str(settings.index.corpus_dir), "ZLY_DATA_DIR": str(settings.index.data_dir),
            "ZLY_TODAY": "2025-09-01", "PYTHONPATH": str(ROOT), **env}
    return subprocess.run([sys.executable, "-m", *args], cwd=tmp_path, env=full, capture_output=True,
                          text=True, timeout=600)


def assert_one_clear_line(proc: subprocess.CompletedProcess, *fragments: str) -> str:
    assert proc.returncode != 0, proc.stdout[-500:]
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    errors = [l for l in proc.stderr.splitlines() if l.startswith("错误：")]
    assert len(errors) == 1, proc.stderr[-3000:]
    for fragment in fragments:
        assert fragment in errors[0], errors[0]
    return errors[0]


@pytest.fixture
def eval_questions(tmp_path) -> Path:
    path = tmp_path / "questions.jsonl"
    item = {"id": "t-1", "question": QUESTION, "type": "factoid", "answer": "-", "must_include": ["质量"],
            "must_not_include": [], "history": [],
            "sources": [{"file": "2025-national-samr-notice.txt", "quote": "质量"}]}
    path.write_text(json.dumps(item, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


LLM_COMMANDS = {
    "ask": ["assistant", "ask", QUESTION],
    "draft": ["assistant", "draft", "--locality", "永安市", "--year", "2025"],
    "eval": ["eval", "run", "--questions", "{questions}", "--out", "{out}"],
}
STORE_COMMANDS = {
    **LLM_COMMANDS,
    "search": ["assistant", "search", QUESTION],
    "ingest": ["assistant", "ingest", "--quiet"],
    "add": ["assistant", "add", "{notice}", "--quiet"],
}


def command(name: str, table: dict, tmp_path: Path, eval_questions: Path) -> list[str]:
    notice = tmp_path / "新通知.txt"
    notice.write_text("永安市市场监督管理局关于开展质量月活动的通知\n各股室：\n现就开展质量月活动通知如下。\n",
                      encoding="utf-8")
    values = {"questions": str(eval_questions), "out": str(tmp_path / "out"), "notice": str(notice)}
    return [a.format(**values) for a in table[name]]


@pytest.mark.parametrize("name", list(LLM_COMMANDS))
def test_dead_llm_endpoint_is_one_line(name, built_index, tmp_path, eval_questions):
    args = command(name, LLM_COMMANDS, tmp_path, eval_questions)
    if args[0] == "eval":
        args += ["--data-dir", str(built_index.index.data_dir), "--corpus-dir", str(built_index.index.corpus_dir)]
    proc = run(args, built_index, tmp_path, ZLY_ANSWERER="openai", ZLY_OPENAI_API_KEY=KEY,
               ZLY_OPENAI_BASE_URL=f"http://127.0.0.1:{dead_port()}/v1")
    line = assert_one_clear_line(proc, "语言模型不可用")
    assert KEY.lower() not in (proc.stdout + proc.stderr).lower(), line


@pytest.mark.parametrize("name", list(STORE_COMMANDS))
def test_dead_store_server_is_one_line(name, built_index, tmp_path, eval_questions):
    port = dead_port()
    args = command(name, STORE_COMMANDS, tmp_path, eval_questions)
    settings = built_index
    if name in ("ingest", "add"):  # these write: a private corpus, never the session's
        settings = Settings(corpus_dir=tmp_path / "corpus", data_dir=tmp_path / "data")
    if args[0] == "eval":
        args += ["--data-dir", str(tmp_path / "data"), "--corpus-dir", str(built_index.index.corpus_dir)]
    proc = run(args, settings, tmp_path, ZLY_STORE_BACKEND="http", ZLY_CHROMA_PORT=str(port))
    assert_one_clear_line(proc, "向量库不可用", f"127.0.0.1:{port}")


# ------------------------------------------------------------------ secrets, whatever their case


class EchoKeyHandler(BaseHTTPRequestHandler):
    """An OpenAI-compatible server that refuses every call, echoing the key it got upper-cased."""

    def do_POST(self):  # noqa: N802
        key = self.headers.get("Authorization", "").removeprefix("Bearer ")
        body = json.dumps({"error": {"message": f"Incorrect API key provided: {key.upper()} ({key.lower()})",
                                     "type": "invalid_request_error"}}).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def echo_server():
    server = HTTPServer(("127.0.0.1", 0), EchoKeyHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/v1"
    server.shutdown()
    server.server_close()


def test_key_echoed_in_another_case_is_masked(echo_server, caplog):
    from assistant.components.openai_llm import OpenAIChatModel

    model = OpenAIChatModel(Settings(answerer="openai", openai_base_url=echo_server, openai_api_key=KEY))
    with pytest.raises(LLMError) as caught, caplog.at_level(logging.DEBUG):
        model.chat([{"role": "user", "content": "你好"}], max_tokens=4, temperature=0.0)
    message = str(caught.value)
    logging.getLogger("test").error("LLM failed: %s", message)  # what a caller's log line would hold
    assert "HTTP 401" in message and "***" in message
    for text in (message, caplog.text):
        assert KEY.lower() not in text.lower(), text


def test_cli_masks_key_echoed_upper_cased(echo_server, built_index, tmp_path):
    proc = run(["assistant", "ask", QUESTION], built_index, tmp_path, ZLY_ANSWERER="openai",
               ZLY_OPENAI_API_KEY=KEY, ZLY_OPENAI_BASE_URL=echo_server)
    line = assert_one_clear_line(proc, "语言模型不可用", "HTTP 401", "***")
    assert KEY.lower() not in (proc.stdout + proc.stderr).lower(), line


def test_mask_secrets_ignores_case():
    text = f"key {KEY} / {KEY.upper()} / {KEY.lower()} / {KEY.swapcase()}"
    assert mask_secrets(text, KEY) == "key *** / *** / *** / ***"
    assert mask_secrets("no secret here", "", "ab") == "no secret here"  # empty and too short: left alone
