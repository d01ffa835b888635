"""The answerer's reading of a question and of a sentence, on invented wording (no index needed)."""
from __future__ import annotations

import pytest

from assistant.evidence import ENUM_ITEM, named_count, question_kinds
from assistant.extractive import _enumeration, _pledges_level


@pytest.mark.parametrize("question,count", [
    ("这次展销会分哪四个展区？", 4),
    ("那12项任务分哪两类？", 2),      # the number asked for, not the one pointed back to
    ("这三项措施分别是什么？", 3),
    ("一共有多少个展区？", 0),
])
def test_named_count(question, count):
    assert named_count(question)[0] == count


@pytest.mark.parametrize("question", ["那5个环节都是啥？", "这三项举措分别是什么", "两大行动是什么"])
def test_the_items_of_a_counted_set_are_a_list_question(question):
    assert "list" in question_kinds(question)


def test_an_enumeration_keeps_its_lead_in_and_item_openings():
    sentences = ["本周共开展三项工作。", "一是走访企业。", "共走访30家。", "二是开展培训。", "三是抽检产品。", "另有其他。"]
    units = [(None, s) for s in sentences]
    assert [s for _, s in _enumeration(units)] == ["本周共开展三项工作。", "一是走访企业。", "二是开展培训。", "三是抽检产品。"]
    assert _enumeration([(None, "一是走访企业。"), (None, "共走访30家。")]) == []  # one item is no enumeration
    assert ENUM_ITEM.match("（二）开展培训") and ENUM_ITEM.match("3．抽检") and not ENUM_ITEM.match("3.5万元")


def test_a_theme_pledging_a_strong_nation_is_the_national_one():
    assert _pledges_level("围绕“提升服务品质 共建质量强国”主题开展活动", "national")
    assert not _pledges_level("围绕“提升服务品质 共建质量强省”主题开展活动", "national")
    assert not _pledges_level("贯彻《质量强国建设纲要》", "national")  # the plan's title is no theme


def test_a_sentence_holding_the_asked_phrase_whole_scores_above_one_holding_its_words_apart():
    from assistant.evidence import _phrase_bonus, _phrases

    phrases = _phrases("通知里说的服务保障体系是哪几句？", ["体系"])
    assert "服务保障体系" in phrases and "体系" not in phrases
    assert _phrase_bonus(phrases, "要健全“快速响应、专业支撑”的服务保障体系。") > 0
    assert _phrase_bonus(phrases, "保障服务到位，完善体系建设。") == 0
