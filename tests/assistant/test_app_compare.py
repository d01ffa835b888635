"""历年对比 in Debian's chromium: the years × levels table, sideways scrolling on a phone, and values that
open the notice at the fact's passage. Same set-up as test_app_browser.py (its fixtures are imported):
a writable copy of the session's real index plus a county notice carrying HTML/JS payloads.
"""
from __future__ import annotations

import re

import pytest
from test_app_browser import (UI_TIMEOUT, app_assistant, app_settings, app_url, browser,  # noqa: F401
                              browser_test)


def open_compare(browser, url, width, height):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    context.set_default_timeout(UI_TIMEOUT)
    pg = context.new_page()
    pg.dialogs = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.goto(url)
    pg.wait_for_selector("#zly-question textarea")
    pg.get_by_role("tab", name="历年对比").click()
    pg.locator("#zly-compare table.zly-compare").wait_for(state="visible")
    return pg


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def click_and_check(pg, link) -> None:
    """The clicked value opens its notice with the fact's line marked, the value itself in it, on screen."""
    value = link.inner_text()
    link.click()
    hit = pg.locator("#zly-compare-notice mark.zly-hit b.zly-fact-hit")
    hit.wait_for(state="visible", timeout=UI_TIMEOUT)
    pg.wait_for_function("""v => { const b = document.querySelector('#zly-compare-notice b.zly-fact-hit');
        return b && b.innerText.replace(/\\s+/g, '') === v; }""", arg=flat(value), timeout=UI_TIMEOUT)
    pg.wait_for_timeout(400)  # the scroll runs after the panel renders
    assert hit.evaluate("m => { const r = m.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }")


@browser_test
def test_compare_table_desktop_cites_each_value(browser, app_url, app_settings):
    pg = open_compare(browser, app_url, 1366, 900)
    table = pg.locator("#zly-compare table.zly-compare")
    heads = table.locator("thead th").all_inner_texts()
    assert heads[:2] == ["年份", "全国"] and "省级" in heads and "市级" in heads
    # two counties in the index (the 2023 plan and the uploaded 2025 notice): 县级 splits by region
    assert len([h for h in heads if h.startswith("县级·")]) == 2
    years = table.locator("tbody th[scope=row]").all_inner_texts()
    assert years == sorted(years, reverse=True) and "2025年" in years and "2022年" in years
    assert "未写明" in table.inner_text()
    # the county notice whose theme line is markup: its cell names it and says the theme is not stated
    col = heads.index("县级·安溪县") + 1
    cell = table.locator(f"tbody tr:has(th:text-is('2025年')) td:nth-child({col})").inner_text()
    assert "未写明" in cell and "安溪县" in cell and not pg.dialogs
    pg.screenshot(path="/tmp/ui-compare.png")  # docs/screenshot-compare.png
    first = table.locator("tbody tr").first.locator("a.zly-fact").first
    click_and_check(pg, first)
    # another fact: 口号, each slogan its own cited link
    pg.locator("#zly-compare-kind input").click()
    pg.get_by_role("option", name="口号").click()
    pg.wait_for_function("() => document.querySelector('#zly-compare caption')?.innerText.startsWith('口号')")
    slogans = pg.locator("#zly-compare a.zly-fact")
    assert slogans.count() >= 10
    click_and_check(pg, slogans.nth(3))
    assert not pg.dialogs
    pg.context.close()


@browser_test
def test_compare_table_scrolls_sideways_on_a_phone(browser, app_url):
    pg = open_compare(browser, app_url, 390, 844)
    box = pg.locator("#zly-compare-scroll")
    assert pg.evaluate("document.documentElement.scrollWidth") <= 390  # the page itself never scrolls sideways
    assert box.evaluate("b => b.scrollWidth > b.clientWidth + 50")  # the table does, inside its box
    box.evaluate("b => { b.scrollLeft = b.scrollWidth; }")
    assert box.evaluate("b => b.scrollLeft") > 0
    last = pg.locator("#zly-compare tbody tr td:last-child a.zly-fact").first
    last.scroll_into_view_if_needed()
    click_and_check(pg, last)
    pg.screenshot(path="/tmp/ui-compare-390.png")
    pg.context.close()
