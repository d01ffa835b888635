"""The answerer on real outside documents of a later examiner set (eval/outside7/docs): traditional-character
reprints with pinyin corruption, a county renamed since the division table, a report citing a notice's 文号
in half-width brackets. Questions are worded here; expected values are read from the files."""
from __future__ import annotations

import re

import pytest

from index.components.script import to_simplified
from tests.assistant.conftest import assistant_with_added
from tests.conftest import ROOT

DOCS = ROOT / "eval" / "outside7" / "docs"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def outside(tmp_path_factory, embeddings):
    return assistant_with_added([str(DOCS)], tmp_path_factory.mktemp("outside7"), embeddings)


def plain(text: str) -> str:
    """Simplified, without whitespace and the pinyin a mirror site put after characters ("質(zhì)")."""
    text = re.sub(r"<[^>]+>|\([a-zü\u0101-\u01dc]+\)", "", text)
    return re.sub(r"\s+", "", to_simplified(text))


def line_with(name: str, *words: str) -> str:
    text = (DOCS / name).read_text("utf-8")
    return next(l for l in text.split("\n") if all(w in plain(l) for w in words))


def test_who_hosted_read_from_a_traditional_reprint(outside):
    line = plain(line_with("p10.txt", "主办", "承办"))
    host = re.search(r"由([\u4e00-\u9fa5]+?)主办", line).group(1)
    result = outside.ask("2025年海南省的质量月启动仪式由哪个单位主办？")
    assert host in plain(result.answer), result.answer


def test_the_person_doing_what_was_asked(outside):
    line = plain(line_with("p09.html", "介绍"))
    who = re.search(r"、?([\u4e00-\u9fa5]{0,4}长[\u4e00-\u9fa5]{2,5}?)介绍", line).group(1)  # the post and name
    result = outside.ask("2024年西藏质量月启动仪式上，是谁介绍了上一年的成效？")
    assert who in plain(result.answer), (who, result.answer)


def test_a_doc_no_cited_in_half_width_brackets(outside):
    number = re.search(r"〔2019〕\d+号", plain((DOCS / "p14.txt").read_text("utf-8"))).group(0)
    result = outside.ask("2019年全国质量月通知是什么文号？")
    assert number in plain(result.answer), result.answer


def test_a_county_made_a_city_is_asked_by_its_short_name(outside):
    theme = re.search(r"以“([^”]+)”为主题", plain((DOCS / "p02.txt").read_text("utf-8"))).group(1)
    result = outside.ask("射洪2021年质量月宣传活动的主题是什么？")
    assert theme in plain(result.answer), result.answer

