"""The web app in a real browser: Playwright drives Debian's /usr/bin/chromium (never `playwright install`).

One app runs in-process on a free loopback port over a writable copy of the session's real index, plus
a notice whose text carries HTML/JS payloads that must show up as literal text.
"""
from __future__ import annotations

import asyncio
import shutil
import socket
import urllib.error
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ANSWER_TIMEOUT = 180_000  # ms; the first question loads the embedding model on 2 cores
UI_TIMEOUT = 120_000  # ms; generous: CI machines are small and may be busy

_no_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium missing: apt-get install chromium")


def browser_test(fn):
    return pytest.mark.browser(pytest.mark.slow(_no_chromium(fn)))

EVIL_NAME = "2025-anxi-county-xss-notice.txt"
EVIL_NOTICE = """安溪县市场监督管理局关于开展2025年“质量月”活动的通知
安市监〔2025〕12号
各乡镇市场监管所、局机关各股室：
为做好2025年“质量月”工作，现将有关事项通知如下：
一、活动主题
<script>alert("xss-theme")</script>质量安全<img src=x onerror=alert("xss-img")>共建共享
二、活动时间
2025年9月1日至9月30日
三、工作要求
各单位要按照<b onmouseover=alert(4)>通知</b>要求认真组织，材料注明[质量月](javascript:alert(3))字样。
安溪县市场监督管理局
2025年8月30日
"""
UPLOAD_NOTICE = """德化县市场监督管理局关于开展2025年“质量月”活动的通知
德市监〔2025〕21号
各乡镇市场监管所：
现将2025年“质量月”活动有关事项通知如下：
一、活动主题
瓷都品质 德化质造
二、活动时间
2025年9月1日至9月30日
德化县市场监督管理局
2025年8月28日
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_settings(built_index, embeddings, tmp_path_factory):
    """A writable copy of the session index (corpus + index) with the XSS notice ingested."""
    from index.ingest import ingest
    from index.settings import Settings

    tmp = tmp_path_factory.mktemp("app")
    shutil.copytree(built_index.index.corpus_dir, tmp / "corpus")
    shutil.copytree(built_index.index.index_dir, tmp / "data" / "index")
    (tmp / "corpus" / EVIL_NAME).write_text(EVIL_NOTICE, encoding="utf-8")
    settings = Settings(data_dir=tmp / "data", corpus_dir=tmp / "corpus", today=built_index.retrieval.today)
    report = ingest(settings, show_progress=False, embeddings=embeddings)
    assert report.added == [EVIL_NAME] and not report.failed, report.summary()
    return settings


@pytest.fixture(scope="module")
def app_assistant(app_settings, embeddings):
    from assistant.pipeline import Assistant
    from index.reader import IndexReader

    return Assistant(app_settings, reader=IndexReader(app_settings, embeddings=embeddings))


def _launch(settings, assistant):
    from assistant.app import build_app, launch_kwargs

    port = free_port()
    app = build_app(settings, assistant=assistant)
    app.launch(**launch_kwargs(settings, port=port), prevent_thread_lock=True, quiet=True)
    return app, f"http://127.0.0.1:{port}/"


def _close(app) -> None:
    """Stop the server. Gradio sets its asyncio stop event from this (non-loop) thread; when a waiter of
    that event is settling at the same moment, set() raises InvalidStateError though the server stops."""
    try:
        app.close()
    except asyncio.InvalidStateError:
        pass


@pytest.fixture(scope="module")
def app_url(app_settings, app_assistant):
    app, url = _launch(app_settings, app_assistant)
    yield url
    _close(app)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, app_url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN", accept_downloads=True)
    context.set_default_timeout(UI_TIMEOUT)
    pg = context.new_page()
    pg.dialogs = []

    def on_dialog(dialog):
        pg.dialogs.append(dialog.message)
        dialog.dismiss()

    pg.on("dialog", on_dialog)
    pg.goto(app_url)
    pg.wait_for_selector("#zly-question textarea")
    yield pg
    context.close()


def ask(page, question: str) -> str:
    """Type a question, wait until the streamed answer is final, return the last answer's text."""
    bots = page.locator('#zly-chat [data-testid="bot"]')
    before = bots.count()
    page.locator("#zly-question textarea").fill(question)
    page.keyboard.press("Enter")
    page.wait_for_function(
        """n => { const b = document.querySelectorAll('#zly-chat [data-testid="bot"]');
                  if (b.length <= n) return false;
                  const t = b[b.length - 1].innerText;
                  return !t.includes('正在检索') && !t.includes('▌'); }""",
        arg=before, timeout=ANSWER_TIMEOUT)
    page.wait_for_timeout(500)  # the last event also fills the 来源 panel
    return bots.last.inner_text()


@browser_test
def test_answer_with_citation_and_whole_notice(page, app_assistant):
    answer = ask(page, "2025年全国质量月的活动主题是什么？")
    assert "加强全面质量管理" in answer
    assert "[1]" in answer and "来源" in answer
    sources = page.locator("#zly-sources")
    assert "国市监质发〔2025〕77号" in sources.inner_text()
    assert "加强全面质量管理" in sources.locator(".zly-quote").first.inner_text()
    page.screenshot(path="/tmp/app.png", full_page=True)

    page.click("#zly-open")  # the notice picker is preset to the first cited notice
    whole = app_assistant.reader.view().snapshot.files["2025-national-samr-notice.txt"].clean_text
    tail = [ln for ln in whole.splitlines() if ln.strip()][-3]  # far from the quoted passage
    notice = page.locator("#zly-notice")
    notice.get_by_text(tail, exact=False).first.wait_for(state="visible", timeout=UI_TIMEOUT)
    assert "关于开展2025年全国“质量月”活动的通知" in notice.inner_text()


@browser_test
def test_out_of_corpus_question_is_refused(page):
    answer = ask(page, "浙江省2025年质量月主题是什么？")
    assert "⚠ 语料中没有答案" in answer
    assert "加强全面质量管理" not in answer
    assert page.locator("#zly-chat .zly-refusal").count() == 1
    assert "语料中没有找到" in page.locator("#zly-sources").inner_text()


@browser_test
def test_document_html_is_shown_literally(page):
    answer = ask(page, "安溪县2025年质量月活动主题是什么？")
    assert '<script>alert("xss-theme")</script>质量安全<img src=x onerror=alert("xss-img")>共建共享' in answer
    assert '<script>alert("xss-theme")</script>' in page.locator("#zly-sources").inner_text()

    page.locator("#zly-notice-pick input").click()
    page.get_by_role("option", name="安溪县市场监督管理局", exact=False).first.click()
    page.click("#zly-open")
    notice = page.locator("#zly-notice")
    notice.get_by_text("[质量月](javascript:alert(3))", exact=False).wait_for(timeout=UI_TIMEOUT)
    assert '<b onmouseover=alert(4)>通知</b>' in notice.inner_text()

    page.wait_for_timeout(1000)
    page.screenshot(path="/tmp/app-xss.png", full_page=True)
    assert page.dialogs == []
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("b[onmouseover], [onerror]").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.evaluate("[...document.scripts].filter(s => s.textContent.includes('xss-theme')).length") == 0


@browser_test
def test_upload_indexes_file(page, tmp_path):
    from playwright.sync_api import expect

    good = tmp_path / "2025-dehua-county-notice.txt"
    good.write_text(UPLOAD_NOTICE, encoding="utf-8")
    bad = tmp_path / "<img src=x onerror=alert(5)>.exe"
    bad.write_bytes(b"MZ\x90\x00 not a notice")
    page.get_by_role("tab", name="知识库").click()
    page.get_by_text("导入新文档").click()
    page.locator("#zly-upload input[type=file]").set_input_files([str(good), str(bad)])
    # gradio renders a file name as stem + extension spans, sometimes with a space between: match the stem
    expect(page.locator("#zly-upload")).to_contain_text("2025-dehua-county-notice", timeout=UI_TIMEOUT)
    expect(page.locator("#zly-upload")).to_contain_text("onerror=alert(5)", timeout=UI_TIMEOUT)
    page.click("#zly-import")
    result = page.locator("#zly-import-result")
    result.get_by_text("索引已更新").wait_for(timeout=ANSWER_TIMEOUT)
    text = result.inner_text()
    assert "✔ 2025-dehua-county-notice.txt：已导入" in text
    assert "不支持的格式" in text and "onerror=alert(5).exe" in text  # gradio itself drops the <> from names
    assert "新增 1 份" in text
    assert "德化县市场监督管理局关于开展2025年“质量月”活动的通知" in page.locator("#zly-catalogue").inner_text()
    assert page.dialogs == [] and page.locator("img[src='x']").count() == 0
    page.screenshot(path="/tmp/app-upload.png", full_page=True)

    page.get_by_role("tab", name="问答").click()
    assert "瓷都品质 德化质造" in ask(page, "德化县2025年质量月活动主题是什么？")


@browser_test
def test_draft_and_docx_download(page, tmp_path):
    from docx import Document

    page.get_by_role("tab", name="起草方案").click()
    page.locator("#zly-locality textarea, #zly-locality input").first.fill("永安市")
    page.locator("#zly-year input").fill("2025")
    page.click("#zly-draft")
    page.locator("#zly-dl-docx").wait_for(state="visible", timeout=ANSWER_TIMEOUT)
    assert "质量月" in page.locator("#zly-draft-view").inner_text()
    page.screenshot(path="/tmp/app-draft.png", full_page=True)
    with page.expect_download() as info:
        page.click("#zly-dl-docx")
    target = tmp_path / "draft.docx"
    info.value.save_as(target)
    assert info.value.suggested_filename.endswith(".docx")
    assert "质量月" in "\n".join(p.text for p in Document(str(target)).paragraphs)


@browser_test
def test_login_required_when_auth_users_set(browser, app_settings, app_assistant):
    settings = app_settings.with_(auth_users="tester:s3cret-pw")
    app, url = _launch(settings, app_assistant)
    try:
        with pytest.raises(urllib.error.HTTPError) as err:  # the API is closed too, not just the page
            urllib.request.urlopen(url + "config", timeout=10)
        assert err.value.code in (401, 403)
        context = browser.new_context(locale="zh-CN")
        context.set_default_timeout(UI_TIMEOUT)
        pg = context.new_page()
        pg.goto(url)
        pg.wait_for_selector("input[type=password]", timeout=UI_TIMEOUT)
        assert pg.locator("#zly-chat").count() == 0
        assert "请输入本单位分配的账号和密码" in pg.content()

        def login(password):
            pg.locator("input[type=text]").first.fill("tester")
            pg.fill("input[type=password]", password)
            pg.get_by_role("button", name="登录").click()

        login("wrong")
        pg.wait_for_timeout(2000)
        assert pg.locator("#zly-chat").count() == 0
        login("s3cret-pw")
        pg.wait_for_selector("#zly-chat", timeout=UI_TIMEOUT)
        context.close()
    finally:
        _close(app)


# ---------------------------------------------------------------- the escaping itself (no browser)


def test_views_escape_markup():
    from assistant.app import draft_views as D
    from assistant.app import views as V
    from assistant.results import AnswerResult, Citation

    evil = '<script>alert(1)</script><img src=x onerror=alert(2)>[a](javascript:x) $x$'
    md = V.md_text(evil)
    assert "<" not in md and "](" not in md and "\\$" in md
    panel = V.sources_html(AnswerResult("q", "a", True, citations=[Citation(1, evil, evil, evil, evil, evil)]))
    assert "<script" not in panel and "<img" not in panel and panel.count("&lt;script&gt;") == 4
    assert "<img" not in V.notice_html({"title": evil}, evil)
    assert "<img" not in D.draft_md("**（一）标题。**" + evil)
    assert D.draft_md("**（一）标题。**正文").startswith("<strong>（一）标题。</strong>")
    refusal = V.answer_md(AnswerResult("q", evil, False, rewritten_question="检索" + evil))
    assert refusal.count("<") == 2 and V.REFUSAL_MARK in refusal and "检索问题" in refusal


def test_views_intake_reasons_in_chinese():
    from assistant.app.library_views import intake_reason

    assert intake_reason("file too large: 70 MB > 60 MB limit", 60, [".txt"]).startswith("文件过大")
    assert intake_reason("unsupported file type .exe (supported: .txt)", 60, [".txt"]).startswith("不支持的格式")
    assert intake_reason("duplicate: the corpus already has this exact file as a.txt", 60, []) == \
        "重复：知识库中已有内容相同的文件 a.txt"
    assert intake_reason("not a PDF file (no %PDF header) — is the extension right?", 60, []).startswith("不是有效的 PDF")
    assert not any(c.isascii() and c.isalpha() for c in intake_reason("something new and English", 60, []))


def test_parse_auth():
    from assistant.app import parse_auth

    assert parse_auth("") is None
    assert parse_auth("a:b, c:d:e") == [("a", "b"), ("c", "d:e")]
    with pytest.raises(ValueError):
        parse_auth("nopassword")


@browser_test
def test_dislike_is_stored_with_comment(page, app_settings):
    import sqlite3

    ask(page, "2025年全国质量月的活动主题是什么？")
    db = app_settings.index.data_dir / "feedback.sqlite"
    before = sqlite3.connect(db).execute("select count(*) from feedback").fetchone()[0] if db.exists() else 0
    bot = page.locator('#zly-chat [data-testid="bot"]').last
    bot.hover()
    # the app's UI language is Chinese: gradio labels 👎 "踩" (English UI: "Dislike")
    dislike = page.locator('#zly-chat button[aria-label="踩"], #zly-chat button[aria-label="Dislike"]').last
    dislike.click(timeout=UI_TIMEOUT)
    page.locator("#zly-feedback-note").get_by_text("回答有误").wait_for(timeout=UI_TIMEOUT)
    page.get_by_text("反馈：补充说明和正确答案（可选）").click()  # open the accordion
    page.locator("#zly-fb-comment textarea").fill("主题应写全")
    page.locator("#zly-fb-correct textarea").fill("加强全面质量管理 促进质量强国建设")
    page.click("#zly-fb-send")
    page.get_by_text("已保存补充说明").wait_for(timeout=UI_TIMEOUT)
    rows = sqlite3.connect(db).execute(
        "select rating, question, comment, correct_answer from feedback order by id").fetchall()
    assert len(rows) == before + 1
    rating, question, comment, correct = rows[-1]
    assert rating == -1 and "活动主题" in question
    assert comment == "主题应写全" and correct.startswith("加强全面质量管理")


@browser_test
def test_conversation_downloads_as_markdown(page, tmp_path):
    ask(page, "2025年全国质量月的活动主题是什么？")
    page.click("#zly-export")
    with page.expect_download(timeout=UI_TIMEOUT) as info:
        page.locator("#zly-export-file").click()
    path = tmp_path / "chat.md"
    info.value.save_as(path)
    text = path.read_text(encoding="utf-8")
    assert "加强全面质量管理" in text and "国市监质发〔2025〕77号" in text
