"""Two-step questions naming their subject by what it did: which one first, then the rest asked of it."""
from __future__ import annotations

from assistant.bridge import named_in, quoted_lines, two_steps


def test_a_described_subject_is_asked_in_two_steps():
    steps = two_steps("去年市里办了质量论坛的那个区，还搞了什么比赛？")
    assert steps.first == "去年市里办了质量论坛的是哪个区？" and steps.kind == "区"
    assert steps.second("某某区") == "某某区还搞了什么比赛？"
    assert two_steps("点名表扬的那家企业，它的负责人是谁？").second("甲公司") == "甲公司的负责人是谁？"
    assert two_steps("那个市的口号是什么？") is None  # no description of what it did
    assert two_steps("报给局里哪个科？") is None


def test_the_name_comes_from_the_quoted_lines_and_is_not_the_one_asked_about():
    lines = quoted_lines("根据《某通知》「附件」：\n五、省某某厅：开展质量宣传。[1]\n")
    assert lines == ["五、省某某厅：开展质量宣传。"]
    assert named_in(lines, "厅", "开展质量宣传的是哪个厅？") == "省某某厅"
    assert named_in(["推进泰州市等地质量强市建设，扬州市参加。"], "市", "扬州市说推进的是哪个市") == "泰州市"

