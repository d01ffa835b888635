"""The chat layout, citations, 知识库, saved conversations, filters and the 反馈 page in Debian's chromium.

Same set-up as test_app_browser.py (its fixtures are imported): a writable copy of the session's
real index, the real embedding model, the app in-process on a free port.
"""
from __future__ import annotations

import csv
import json

import pytest
from test_app_browser import (ANSWER_TIMEOUT, UI_TIMEOUT, _launch, app_assistant, app_settings,  # noqa: F401
                              app_url, ask, browser, browser_test, page)

THEME_Q = "2025年全国质量月的活动主题是什么？"


def new_page(browser, url, width, height):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN", accept_downloads=True)
    context.set_default_timeout(UI_TIMEOUT)
    pg = context.new_page()
    pg.goto(url)
    pg.wait_for_selector("#zly-question textarea")
    return pg


def question_on_screen(pg) -> bool:
    box = pg.locator("#zly-question textarea").bounding_box()
    return pg.evaluate("scrollY") == 0 and box["y"] + box["height"] <= pg.viewport_size["height"]


@browser_test
@pytest.mark.parametrize("width,height", [(1366, 768), (390, 844)])
def test_question_box_on_screen_and_sources_placed(browser, app_url, width, height):
    pg = new_page(browser, app_url, width, height)
    assert question_on_screen(pg)
    ask(pg, THEME_Q)
    assert question_on_screen(pg)
    chat, sources = pg.locator("#zly-chat").bounding_box(), pg.locator("#zly-sources").bounding_box()
    if width > 1000:
        assert sources["x"] >= chat["x"] + chat["width"] - 1  # beside the answer
    else:
        assert sources["y"] >= chat["y"] + chat["height"] - 1  # under it
        assert pg.evaluate("document.documentElement.scrollWidth") <= width  # nothing sideways
    pg.screenshot(path=f"/tmp/ui-chat-{width}.png")
    pg.context.close()


@browser_test
def test_long_question_is_folded_and_labels_are_plain(page):
    long_q = ("请问2025年全国质量月的活动主题是什么，" * 300)[:5000]
    ask(page, long_q)
    user = page.locator('#zly-chat [data-testid="user"]').last
    assert user.bounding_box()["height"] < 400
    assert "问题共 5000 字" in user.inner_text()
    assert page.locator("#zly-chat").get_by_text("对话", exact=True).count() == 0  # no label over the chat
    labels = page.locator("#zly-chat [aria-label]").evaluate_all("els => els.map(e => e.getAttribute('aria-label'))")
    assert labels and not [lb for lb in labels if "<" in lb or ">" in lb or "&lt;" in lb or "](#" in lb]


@browser_test
def test_extractive_answer_appears_whole(page):
    page.evaluate("""() => { window.zlySeen = []; new MutationObserver(() => {
        const b = document.querySelectorAll('#zly-chat [data-testid="bot"]');
        if (b.length) window.zlySeen.push(b[b.length - 1].innerText); }).observe(
        document.querySelector('#zly-chat'), {subtree: true, childList: true, characterData: true}); }""")
    final = ask(page, THEME_Q)
    seen = [t for t in page.evaluate("window.zlySeen") if t and "正在检索" not in t]
    assert not [t for t in seen if "▌" in t]
    assert all(final.startswith(t.strip()[:40]) for t in seen)  # never a growing prefix


@browser_test
def test_citation_link_opens_notice_at_passage(page, app_assistant):
    ask(page, THEME_Q)
    link = page.locator('#zly-chat a[href*="#zly-cite-"]').first
    assert link.inner_text() == "[1]"
    link.click()
    hit = page.locator("#zly-notice mark.zly-hit")
    hit.wait_for(state="visible", timeout=UI_TIMEOUT)
    assert "加强全面质量管理" in hit.inner_text()
    assert hit.evaluate("m => { const r = m.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; }")
    quotes = page.locator("#zly-sources .zly-quote").all_inner_texts()
    assert len(quotes) == len(set(quotes)) >= 1  # each cited passage once


def answer_after_click(page, button: str) -> str:
    """Click a button that asks a question again; return the new answer's text (as ask() does)."""
    bots = page.locator('#zly-chat [data-testid="bot"]')
    before = bots.count()
    page.click(button)
    page.wait_for_function(
        """n => { const b = document.querySelectorAll('#zly-chat [data-testid="bot"]');
                  return b.length > n && !b[b.length - 1].innerText.includes('正在检索'); }""",
        arg=before, timeout=ANSWER_TIMEOUT)
    page.wait_for_timeout(500)
    return bots.last.inner_text()


def pick_year(page, label: str) -> None:
    page.locator("#zly-year-f input").click()
    page.get_by_role("option", name=label).click()


@browser_test
def test_filter_that_contradicts_question_is_asked_back(page, app_assistant):
    from assistant.retrieve import Filters

    pick_year(page, "2024年")
    answer = ask(page, THEME_Q)
    assert "不一致" in answer and "2025年" in answer and "2024年" in answer and "请问按哪个回答" in answer
    assert "加强全面质量管理" not in answer
    by_question = page.locator("#zly-by-question")
    assert by_question.inner_text() == "按问题中的年份" and page.locator("#zly-by-filters").is_visible()

    answer = answer_after_click(page, "#zly-by-question")  # the question's 2025, the filter back to 全部
    assert "加强全面质量管理" in answer and "不一致" not in answer
    assert page.locator("#zly-year-f input").input_value() == "全部年份"
    assert page.locator('#zly-chat [data-testid="user"]').last.inner_text() == THEME_Q
    by_question.wait_for(state="hidden")

    pick_year(page, "2024年")
    assert "不一致" in ask(page, THEME_Q)
    answer = answer_after_click(page, "#zly-by-filters")  # the question re-worded to the filter's year
    asked = page.locator('#zly-chat [data-testid="user"]').last.inner_text()
    assert asked == THEME_Q.replace("2025", "2024")
    assert page.locator("#zly-year-f input").input_value() == "2024年"
    expected = app_assistant.ask(asked, filters=Filters(year=2024)).answer
    assert "不一致" not in answer and expected.splitlines()[0].strip() in answer


@browser_test
def test_conversation_is_saved_reopened_renamed_deleted(browser, app_url, tmp_path):
    pg = new_page(browser, app_url, 1366, 900)
    ask(pg, THEME_Q)
    pg.reload()
    pg.wait_for_selector("#zly-question textarea")
    pg.get_by_text("历史对话").click()
    pg.locator("#zly-conv-pick input").click()
    option = pg.get_by_role("option", name="2025年全国质量月的活动主题", exact=False).first
    assert "问）" in option.inner_text()
    option.click()
    pg.click("#zly-conv-open")
    pg.locator('#zly-chat [data-testid="bot"]').get_by_text("加强全面质量管理").first.wait_for()
    pg.locator("#zly-conv-title textarea, #zly-conv-title input").first.fill("主题查询")
    pg.click("#zly-conv-rename")
    pg.locator("#zly-conv-status").get_by_text("已重命名").wait_for()
    pg.click("#zly-export")
    with pg.expect_download() as info:
        pg.locator("#zly-export-file").click()
    info.value.save_as(tmp_path / "c.md")
    text = (tmp_path / "c.md").read_text(encoding="utf-8")
    assert "主题查询" in text and "北京时间" in text and "回答方式：摘录式" in text and "extractive" not in text
    pg.click("#zly-conv-delete")
    pg.locator("#zly-conv-status").get_by_text("已删除").wait_for()
    pg.context.close()


@browser_test
def test_library_lists_edits_and_deletes_documents(browser, app_url, app_settings):
    pg = new_page(browser, app_url, 1366, 900)
    pg.get_by_role("tab", name="知识库").click()
    table = pg.locator("#zly-catalogue")
    table.get_by_text("国市监质发〔2025〕77号").wait_for()
    header = table.locator("th").all_inner_texts()
    assert header[:8] == ["标题", "文号", "类型", "年份", "层级", "地区", "段落数", "添加日期"]
    pg.locator("#zly-lib-search textarea, #zly-lib-search input").first.fill("77号")
    pg.wait_for_function("() => document.querySelectorAll('#zly-catalogue tbody tr').length === 1")
    pg.locator("#zly-doc-pick input").click()
    pg.get_by_role("option", name="安溪县", exact=False).first.click()
    pg.locator("#zly-chunks").get_by_text("共", exact=False).first.wait_for()
    region = pg.locator("#zly-meta-region textarea, #zly-meta-region input").first
    region.fill("测试县")
    pg.click("#zly-meta-save")
    pg.locator("#zly-import-result").get_by_text("已保存").wait_for(timeout=ANSWER_TIMEOUT)
    rows = list(csv.DictReader((app_settings.index.corpus_dir / "_catalogue_overrides.csv").open(encoding="utf-8-sig")))
    assert [r["region"] for r in rows if "anxi" in r["file"]] == ["测试县"]
    other = new_page(browser, app_url, 1366, 900)  # another session sees the change on load
    other.locator("#zly-region-f input").click()
    other.get_by_role("option", name="测试县").wait_for()
    pg.click("#zly-doc-delete")
    pg.locator("#zly-import-result").get_by_text("已删除").wait_for(timeout=ANSWER_TIMEOUT)
    assert not list(app_settings.index.corpus_dir.glob("*anxi*"))
    other.reload()
    other.get_by_role("tab", name="知识库").click()
    other.locator("#zly-catalogue").get_by_text("国市监质发〔2025〕77号").wait_for()
    assert "安溪县" not in other.locator("#zly-catalogue").inner_text()
    pg.context.close()
    other.context.close()


@browser_test
def test_feedback_page_filters_and_exports(page, app_settings, app_assistant, tmp_path):
    from assistant.feedback import record_feedback, update_feedback

    result = app_assistant.ask("2025年全国质量月的活动时间是什么？")
    fb_id = record_feedback(app_settings, result, -1)
    update_feedback(app_settings, fb_id, comment="时间不全", correct_answer="2025年9月")
    page.reload()
    page.get_by_role("tab", name="反馈").click()
    page.click("#zly-fb-query")
    page.locator("#zly-fb-table").get_by_text("时间不全").wait_for()
    page.locator("#zly-fb-from textarea, #zly-fb-from input").first.fill("2099-01-01")
    page.click("#zly-fb-query")
    page.locator("#zly-fb-table").get_by_text("没有 👎 反馈").wait_for()
    page.locator("#zly-fb-from textarea, #zly-fb-from input").first.fill("")
    page.click("#zly-fb-export")
    with page.expect_download() as info:
        page.locator("#zly-fb-download").click()
    info.value.save_as(tmp_path / "fb.jsonl")
    cases = [json.loads(line) for line in (tmp_path / "fb.jsonl").read_text(encoding="utf-8").splitlines()]
    case = next(c for c in cases if c["feedback"]["id"] == fb_id)
    assert case["draft"] is True and case["answer"] == "2025年9月" and "时间不全" in case["review_note"]


@browser_test
def test_draft_shows_basis_for_markers(page):
    import importlib.util

    if importlib.util.find_spec("assistant.draft") is None:
        pytest.skip("drafting not in this checkout")
    page.get_by_role("tab", name="起草方案").click()
    page.locator("#zly-locality textarea, #zly-locality input").first.fill("永安市")
    page.locator("#zly-year input").fill("2025")
    page.click("#zly-draft")
    page.locator("#zly-dl-docx").wait_for(state="visible", timeout=ANSWER_TIMEOUT)
    view = page.locator("#zly-draft-view").inner_text()
    basis = page.locator("#zly-draft-basis")
    markers = {m for m in __import__("re").findall(r"\[S(\d+)\]", view)}
    assert markers and all(basis.locator(f"#zly-basis-{n}").count() == 1 for n in markers)
    if "【待补】" in view:
        assert page.locator("#zly-draft-view .zly-todo").count() >= 1
    page.screenshot(path="/tmp/ui-draft.png")
