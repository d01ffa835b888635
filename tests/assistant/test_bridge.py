"""Two-step questions naming their subject by what it did: which one first, then the rest asked of it."""
from __future__ import annotations

from assistant.bridge import name_bound, named_in, quoted_lines, two_steps


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



def test_a_later_part_pointing_back_gets_the_name_the_answer_before_quoted():
    answer = "依据的文件：《某通知》。\n根据《某方案》「正文」：\n根据某省质量工作领导小组办公室《关于开展某年活动的通知》要求，现制定本方案。[1]"
    question = "某县方案依据的通知是哪个机构发的？这个机构去年发的通知主题是啥？"
    # any body ("这个机构") is named by a word bodies' names end in, the verb before it left out
    assert name_bound("这个机构去年发的通知主题是啥？", answer, question) == "某省质量工作领导小组办公室去年发的通知主题是啥？"
    assert name_bound("报给了这个科吗？", "根据《某方案》「四」：\n活动信息报送至局综合科。[1]", "") == "报给了局综合科吗？"
    assert name_bound("它的主题是啥？", answer, question) == "它的主题是啥？"  # no pointer: left as asked
    assert name_bound("这个科牵头几项？", "语料中没有找到。", "") == "这个科牵头几项？"  # nothing quoted
