"""Place names read as words from the national division table (cpca), not from any one province."""
from __future__ import annotations

import pytest

from index.gazetteer import find_places, level_of


@pytest.mark.parametrize("text", ["行政和事业单位要带头", "确保永安全生产", "营造建宁静和谐的环境", "坚持公平和公正",
                                  "推进质量惠民和安全"])
def test_a_name_inside_other_words_is_no_place(text):
    assert find_places(text) == [], text


@pytest.mark.parametrize("text, names", [
    ("政和县的方案", ["政和县"]),
    ("泰州和扬州的活动", ["泰州市", "扬州市"]),
    ("平遥县那次活动", ["平遥县"]),
])
def test_full_and_short_names_are_places(text, names):
    assert [p.name for p in find_places(text)] == names


@pytest.mark.parametrize("text, names", [
    ("商洛和宜都分别发了多少份资料", ["商洛市", "宜都市"]),
    ("宜都和商洛", ["宜都市", "商洛市"]),
    ("咸阳、宜都的活动", ["咸阳市", "宜都市"]),
])
def test_a_county_short_name_joined_to_a_place_is_a_place(text, names):
    assert [p.name for p in find_places(text)] == names


def test_levels_come_from_the_table():
    assert level_of("宜都市") == "county" and level_of("商洛市") == "municipal" and level_of("陕西省") == "provincial"
