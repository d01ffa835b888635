"""The two answers to a question asked back for contradicting filters (assistant/app/filters.py)."""
from __future__ import annotations

import datetime as dt

from assistant.app.filters import clashes, filter_conflict, follow_filters, follow_question, follow_question_label
from assistant.retrieve import Filters

TODAY = dt.date(2025, 9, 1)


def test_follow_the_question_clears_only_the_clashing_filters():
    f = Filters(year=2024, level="provincial", region="")
    q = "2025年省里的质量月主题是什么？"
    assert clashes(q, f, TODAY) == ["year"]
    assert follow_question(q, f, TODAY) == Filters(year=None, level="provincial")
    assert follow_question_label(["year", "region"]) == "按问题中的年份、地区"
    assert "按问题中的年份" in filter_conflict(q, f, TODAY)


def test_follow_the_filters_rewords_year_place_and_level():
    cases = [("2025年全国质量月的活动主题是什么？", Filters(year=2024), "2024年全国质量月的活动主题是什么？"),
             ("今年的口号是什么？", Filters(year=2023), "2023年的口号是什么？"),
             ("福建省25年的主题？", Filters(year=2022), "福建省2022年的主题？"),
             ("二〇二五年主题？", Filters(year=2024), "2024年主题？"),
             ("福建省的主题？", Filters(region="浙江省"), "浙江省的主题？"),
             ("全国的主题？", Filters(level="provincial"), "省级的主题？")]
    for question, filters, expected in cases:
        reworded = follow_filters(question, filters, TODAY)
        assert reworded == expected, (question, reworded)
        assert not clashes(reworded, filters, TODAY)
    untouched = "2024年的主题？"
    assert follow_filters(untouched, Filters(year=2024), TODAY) == untouched
