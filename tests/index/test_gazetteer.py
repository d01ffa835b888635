"""Place names read as words from the national division table (cpca), not from any one province."""
from __future__ import annotations

import pytest

from index.gazetteer import find_places, level_of, within


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


def test_a_county_renamed_since_the_code_table_is_named_as_written():
    from index.gazetteer import lookup, same_place

    assert [p.name for p in find_places("射洪市重点围绕质量宣传")] == ["射洪市"]
    assert level_of("射洪市") == "county" and same_place("射洪市", "射洪县") and not same_place("射洪市", "遂宁市")
    assert lookup("射洪市") == lookup("射洪县")


def test_autonomous_prefectures_by_their_short_names():
    assert [(p.name, p.kind) for p in find_places("楚雄州举行质量月启动仪式")] == [("楚雄彝族自治州", "prefecture")]
    assert [p.name for p in find_places("黔东南州开展质量月")] == ["黔东南苗族侗族自治州"]


def test_a_short_name_before_a_local_outlet_or_said_is_a_place():
    assert [p.name for p in find_places("宜都融媒讯 今年9月")] == ["宜都市"]
    assert [p.name for p in find_places("射洪说围绕五个方面开展")] == ["射洪县"]


@pytest.mark.parametrize("text, names", [
    ("深圳市南山区的活动", ["深圳市", "南山区"]),  # written apart: both, as before
    ("广州市辖区内", ["广州市"]),  # 市辖区 is no district of 广州
])
def test_a_city_and_its_district_sharing_the_city_suffix(text, names):
    assert [p.name for p in find_places(text)] == names


def test_a_district_whose_name_begins_with_the_citys_suffix():
    # "济南市中区": 济南市 + 市中区, the 市 read twice; 市中区 is under 济南市 in the code table
    places = find_places("济南市中区举办质量月活动")
    assert [(p.name, p.parent) for p in places] == [("济南市", "山东省"), ("市中区", "济南市")]


def test_within_walks_up_the_divisions():
    assert within("麻章区", "湛江市") and within("麻章区", "广东省")
    assert not within("湛江市", "湛江市") and not within("麻章区", "茂名市") and not within("", "湛江市")
