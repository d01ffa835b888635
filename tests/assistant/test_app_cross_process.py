"""The app as its own process (`python -m assistant serve`) while the command line changes the index
from another: what `add`, an edit + `ingest` and a delete + `ingest` commit is what the next question
in the open page is answered from, without a reload or a restart and without an error.

Real subprocesses over a writable copy of the session's real index, the real model, Debian's chromium.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from test_app_browser import ANSWER_TIMEOUT, UI_TIMEOUT, ask, browser, browser_test, free_port  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
NAME = "2021-zhejiang-provincial-notice.txt"
THEME, REVISED = "质量筑梦 品质钱塘", "质量筑梦 品质之江"
NOTICE = f"""浙江省市场监督管理局关于开展2021年全省“质量月”活动的通知
浙市监质〔2021〕18号
各市、县（市、区）市场监督管理局，省局各处室：
根据市场监管总局等部门关于开展2021年全国“质量月”活动的部署，结合我省实际，现就开展2021年全省“质量月”活动有关事项通知如下：
一、活动主题
{THEME}
二、活动时间
2021年9月1日至9月30日。
三、工作要求
各地要结合实际制定活动方案，于2021年10月15日前将活动总结报送省局质量发展处。
浙江省市场监督管理局
2021年8月20日
"""
QUESTION = "2021年浙江省质量月活动主题是什么？"
TITLE = "浙江省市场监督管理局关于开展2021年全省“质量月”活动的通知"
SERVE_TIMEOUT = 300  # s: the app process loads the model on 2 shared cores


@pytest.fixture
def workspace(built_index, tmp_path):
    shutil.copytree(built_index.index.corpus_dir, tmp_path / "corpus")
    shutil.copytree(built_index.index.index_dir, tmp_path / "data" / "index")
    env = {**os.environ, "ZLY_CORPUS_DIR": str(tmp_path / "corpus"), "ZLY_DATA_DIR": str(tmp_path / "data"),
           "ZLY_TODAY": built_index.retrieval.today.isoformat(), "PYTHONPATH": str(ROOT)}
    env.pop("ZLY_AUTH_USERS", None)
    return tmp_path, env


def cli(env, *args) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "assistant", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
    return proc


@pytest.fixture
def served(workspace):
    tmp, env = workspace
    port = free_port()
    log = open(tmp / "serve.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + SERVE_TIMEOUT
        while True:
            assert proc.poll() is None, (tmp / "serve.log").read_text()[-3000:]
            try:
                if urllib.request.urlopen(url, timeout=5).status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the app did not start: " + (tmp / "serve.log").read_text()[-3000:]
            time.sleep(1)
        yield url, tmp, env
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        print((tmp / "serve.log").read_text(errors="replace")[-4000:])  # shown when the test fails


def ask_fresh(page, question: str) -> tuple[str, str]:
    """A new chat in the same open page; (answer, sources panel)."""
    page.click("#zly-new-chat")
    page.wait_for_function("() => !document.querySelector('#zly-chat [data-testid=\"bot\"]')")
    answer = ask(page, question)
    return answer, page.locator("#zly-sources").inner_text()


@browser_test
def test_cli_changes_reach_the_running_app(browser, served):
    url, tmp, env = served
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    context.set_default_timeout(UI_TIMEOUT)
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("#zly-question textarea")
    answer, _ = ask_fresh(page, QUESTION)  # the app has read the index as it was before
    assert THEME not in answer and "出错" not in answer

    notice = tmp / NAME
    notice.write_text(NOTICE, encoding="utf-8")
    cli(env, "add", str(notice), "--quiet")
    stored = tmp / "corpus" / NAME
    assert stored.exists()
    answer, sources = ask_fresh(page, QUESTION)
    assert "出错" not in answer and THEME in answer and TITLE in sources, answer

    stored.write_text(NOTICE.replace(THEME, REVISED), encoding="utf-8")
    assert "updated 1" in cli(env, "ingest", "--quiet").stdout
    answer, sources = ask_fresh(page, QUESTION)
    assert "出错" not in answer and REVISED in answer and THEME not in answer and TITLE in sources, answer

    stored.unlink()
    assert "removed 1" in cli(env, "ingest", "--quiet").stdout
    answer, sources = ask_fresh(page, QUESTION)
    assert "出错" not in answer and REVISED not in answer and TITLE not in answer + sources, answer
    page.screenshot(path="/tmp/ui2/cross-process.png", full_page=True)
    context.close()
