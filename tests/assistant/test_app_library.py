"""知识库 in Debian's chromium: near-duplicate uploads held back with their diff until 仍然导入, trust
levels shown, corrected and marked on cited passages, and one document re-indexed from its row.

Same set-up as test_app_browser.py (its fixtures are imported): a writable copy of the session's real
index, the real embedding model, the app in-process on a free port.
"""
from __future__ import annotations

import csv
import re

from test_app_browser import (ANSWER_TIMEOUT, UI_TIMEOUT, app_assistant, app_settings, app_url, ask,  # noqa: F401
                              browser, browser_test, page)

from index.ingest import ingest
from index.snapshot import Snapshot

SEED = "2025-national-samr-notice.txt"
# A colleague's notes: no 文号, no government body heading it — a "user" document.
USER_NOTE = """质量月宣传工作的几点设想（个人整理，供讨论）
整理人：综合科 小王
一、想法
建议今年质量月期间举办“青禾质量开放日”，邀请居民走进县检验检测中心参观实验室。
二、时间
青禾质量开放日初步定在9月20日上午。
"""


def theme_line(text: str) -> str:
    """The line after the notice's 活动主题 heading."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return next(lines[i + 1] for i, ln in enumerate(lines) if ln.endswith("活动主题"))


def open_library(page):
    page.get_by_role("tab", name="知识库").click()
    page.locator("#zly-catalogue").get_by_text("国市监质发〔2025〕77号").first.wait_for()


def upload(page, path):
    from playwright.sync_api import expect

    page.get_by_text("导入新文档").click()
    page.locator("#zly-upload input[type=file]").set_input_files([str(path)])
    expect(page.locator("#zly-upload")).to_contain_text(path.stem, timeout=UI_TIMEOUT)
    page.click("#zly-import")


def remove(settings, assistant, name):
    (settings.index.corpus_dir / name).unlink(missing_ok=True)
    reader = assistant.reader
    ingest(settings, show_progress=False, embeddings=reader.embeddings, store=reader.store)


@browser_test
def test_near_duplicate_upload_shows_diff_and_needs_confirmation(page, app_settings, app_assistant, tmp_path):
    seed = (app_settings.index.corpus_dir / SEED).read_text(encoding="utf-8")
    theme = theme_line(seed)
    changed = ("增" if theme[0] != "增" else "加") + theme[1:]  # one character of the theme
    copy = tmp_path / "revised-national-notice.txt"
    copy.write_text(seed.replace(theme, changed, 1), encoding="utf-8")
    before = Snapshot.load(app_settings.index.index_dir)

    open_library(page)
    upload(page, copy)
    result = page.locator("#zly-import-result")
    result.get_by_text("近似重复").wait_for(timeout=ANSWER_TIMEOUT)
    text = result.inner_text()
    assert "未导入" in text and SEED in text
    assert re.search(r"(9\d|100)% 相同", text), text
    diff = page.locator("#zly-import-result .zly-diff")
    assert diff.locator(".zly-del").all_inner_texts() == [f"- {theme}"]
    assert diff.locator(".zly-add").all_inner_texts() == [f"+ {changed}"]
    assert not (app_settings.index.corpus_dir / copy.name).exists()
    assert Snapshot.load(app_settings.index.index_dir).commit == before.commit  # nothing indexed
    page.screenshot(path="/tmp/ui2/near-duplicate.png", full_page=True)

    page.click("#zly-force-import")
    result.get_by_text("索引已更新").wait_for(timeout=ANSWER_TIMEOUT)
    assert f"✔ {copy.name}：已导入" in result.inner_text() and "新增 1 份" in result.inner_text()
    assert copy.name in Snapshot.load(app_settings.index.index_dir).files
    page.locator("#zly-force-import").wait_for(state="hidden")
    remove(app_settings, app_assistant, copy.name)


@browser_test
def test_trust_level_listed_corrected_and_marked_in_sources(page, app_settings, app_assistant, tmp_path):
    note = tmp_path / "quality-month-ideas.txt"
    note.write_text(USER_NOTE, encoding="utf-8")
    open_library(page)
    upload(page, note)
    page.locator("#zly-import-result").get_by_text("索引已更新").wait_for(timeout=ANSWER_TIMEOUT)
    header = page.locator("#zly-catalogue th").all_inner_texts()
    cells = [r.locator("td").all_inner_texts() for r in page.locator("#zly-catalogue tbody tr").all()]
    by_file = {c[header.index("文件")]: c[header.index("来源")] for c in cells}
    assert by_file[note.name] == "用户上传" and by_file[SEED] == "正式公文"
    page.screenshot(path="/tmp/ui2/library-trust.png", full_page=True)

    page.get_by_role("tab", name="问答").click()
    answer = ask(page, "青禾质量开放日在哪里举办？")
    assert "检验检测中心" in answer
    head = page.locator("#zly-sources .zly-source-head").filter(has_text="质量月宣传工作的几点设想").first
    assert "用户上传，非正式公文" in head.inner_text()
    page.screenshot(path="/tmp/ui2/sources-user.png", full_page=True)

    # an admin who knows better corrects the level in the metadata editor
    page.get_by_role("tab", name="知识库").click()
    page.locator("#zly-doc-pick input").click()
    page.get_by_role("option", name="质量月宣传工作的几点设想", exact=False).first.click()
    page.locator("#zly-meta-trust input").wait_for()
    page.wait_for_function("() => document.querySelector('#zly-meta-trust input').value === '用户上传'")
    page.locator("#zly-meta-trust input").click()
    page.get_by_role("option", name="正式公文").click()
    page.click("#zly-meta-save")
    page.locator("#zly-import-result").get_by_text("已保存").wait_for(timeout=ANSWER_TIMEOUT)
    overrides = list(csv.DictReader((app_settings.index.corpus_dir / "_catalogue_overrides.csv").open(encoding="utf-8-sig")))
    assert [r["trust"] for r in overrides if r["file"] == note.name] == ["official"]
    assert app_assistant.reader.view().snapshot.files[note.name].meta["trust"] == "official"
    page.get_by_role("tab", name="问答").click()
    page.click("#zly-new-chat")
    page.wait_for_function("() => !document.querySelector('#zly-chat [data-testid=\"bot\"]')")
    assert "检验检测中心" in ask(page, "青禾质量开放日在哪里举办？")
    assert "非正式公文" not in page.locator("#zly-sources").inner_text()
    remove(app_settings, app_assistant, note.name)


@browser_test
def test_one_document_is_reindexed_from_its_row(page, app_settings, app_assistant):
    # an entry indexed by an older metadata reader: a stale title the next ingest would keep (same hash)
    snap = Snapshot.load(app_settings.index.index_dir)
    entry = snap.files[SEED]
    title = entry.meta["title"]
    snap.files[SEED].meta = {**entry.meta, "title": "旧版读取的标题"}
    snap.save(app_settings.index.index_dir)
    page.reload()
    open_library(page)
    catalogue = page.locator("#zly-catalogue")
    row = catalogue.locator("tbody tr").filter(has_text=SEED)
    assert "旧版读取的标题" in row.inner_text()

    row.get_by_text("重建索引").click()
    result = page.locator("#zly-import-result")
    result.get_by_text("索引已更新").wait_for(timeout=ANSWER_TIMEOUT)
    text = result.inner_text()
    assert "已重新读取并编入索引" in text and "更新 1 份" in text and "新增 0 份" in text
    catalogue.get_by_text(title).first.wait_for()
    assert "旧版读取的标题" not in catalogue.inner_text()
    after = Snapshot.load(app_settings.index.index_dir)
    assert after.files[SEED].meta["title"] == title and after.files[SEED].chunk_ids == entry.chunk_ids
    assert set(after.chunks) <= app_assistant.reader.store.ids()  # every passage still has its vector
    page.get_by_role("tab", name="问答").click()
    assert "国市监质发〔2025〕77号" in ask(page, "2025年全国质量月活动的通知文号是什么？")


@browser_test
def test_replacing_a_document_with_its_revised_version_is_not_refused(page, app_settings, tmp_path):
    name = "2025-fujian-provincial-notice.txt"
    old = (app_settings.index.corpus_dir / name).read_text(encoding="utf-8")
    last = [ln for ln in old.splitlines() if ln.strip()][-1]
    revised = tmp_path / name
    revised.write_text(old.replace(last, last + "（修订）", 1), encoding="utf-8")  # a near-copy of itself
    open_library(page)
    page.locator("#zly-doc-pick input").click()
    page.get_by_role("option", name="福建省市场监管局关于组织开展2025年", exact=False).first.click()
    page.locator("#zly-chunks").get_by_text("共", exact=False).first.wait_for()
    page.locator("#zly-replace-file input[type=file]").set_input_files([str(revised)])
    page.locator("#zly-replace-file").get_by_text(revised.stem, exact=False).first.wait_for()
    page.click("#zly-replace")
    page.locator("#zly-import-result").get_by_text("已替换为新版本").wait_for(timeout=ANSWER_TIMEOUT)
    assert "（修订）" in (app_settings.index.corpus_dir / name).read_text(encoding="utf-8")
    assert "（修订）" in Snapshot.load(app_settings.index.index_dir).files[name].clean_text
