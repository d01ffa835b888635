"""The answerer's reading of a question and of a sentence, on invented wording (no index needed)."""
from __future__ import annotations

import pytest

from assistant.evidence import ENUM_ITEM, kind_evidence, named_count, question_kinds
from assistant.extractive import _enumeration, _of_other_year, _pledges_level


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


@pytest.mark.parametrize("question,thing", [
    ("现场贴了几幅展板？", ("幅", "展板")),
    ("一共发了多少份倡议书", ("份", "倡议书")),
    ("检查了几家超市？", ("家", "超市")),
    ("抽检合格率从多少升到了多少？", ("%", "检合格率")),  # a rate's change asks the rate, not a count of 升到
])
def test_the_counted_thing_follows_its_measure_word(question, thing):
    from assistant.evidence import counted_thing

    assert counted_thing(question) == thing


def _unit_texts(question: str, text: str) -> list[str]:
    from assistant.evidence import question_kinds, score_units
    from assistant.results import Context

    ctx = Context("c1", "report.txt", "某县质量月报道", "", "正文", text, 1.0)
    return [u.text for u in score_units(question, [ctx], question_kinds(question))]


def test_a_who_question_keeps_the_clauses_doing_what_was_asked():
    text = "市局副局长王某出席并宣布活动启动，县局局长李某介绍了全年质量提升任务。"
    assert _unit_texts("谁宣布活动启动的？", text)[0] == "市局副局长王某出席并宣布活动启动"
    # no other actor after the verb: the sentence stays whole
    whole = "活动由县质量强县办宣布启动，现场气氛热烈。"
    assert _unit_texts("谁宣布活动启动的？", whole)[0] == whole


def test_a_rate_question_keeps_the_clause_of_the_rate_asked():
    text = "全县农产品抽检合格率98.6%，工业产品抽检合格率95.2%。"
    assert _unit_texts("那个县工业产品抽检合格率多少？", text)[0].rstrip("。") == "工业产品抽检合格率95.2%"
    # a question asking for both keeps both
    assert _unit_texts("农产品和工业产品的抽检合格率各多少？", text)[0] == text


def test_a_body_named_beside_the_verb_asked_answers_who():
    from assistant.evidence import question_kinds, score_units
    from assistant.results import Context

    ctx = Context("c1", "report.txt", "某省质量月报道", "", "正文",
                  "为开展好活动，某省质量发展委员会下发了《关于开展质量月活动的通知》。各地积极组织开展宣传。", 1.0)
    units = score_units("那个通知是哪个部门下发的？", [ctx], question_kinds("那个通知是哪个部门下发的？"))
    assert units[0].kind_match and "下发" in units[0].text


@pytest.mark.parametrize("question,asked", [
    ("启动仪式具体在县城哪个地方开的？", True),
    ("那次宣传活动在哪办的？", True),
    ("总局的海报在哪儿能下载？", False),   # where to find a thing, not where an event was held
    ("这两份通知差在哪？", False),
])
def test_where_an_event_was_held_is_a_kind_of_fact(question, asked):
    assert ("place" in question_kinds(question)) is asked


def test_a_place_the_question_already_names_does_not_say_where_exactly():
    from assistant.evidence import _new_place

    question = "活动具体在南昌哪个地方开的？"
    assert not _new_place("9月5日，全省质量月活动在南昌启动。", question)
    assert _new_place("9月5日，全省质量月活动在南昌市秋水广场启动。", question)


def test_an_ordinal_question_is_answered_only_by_a_sentence_stating_an_ordinal():
    text = "全市消费品质量合格率达92.94%，排全省前列。活动标志着第45个“质量月”在全市展开。"
    assert "第45个" in _unit_texts("今年是第几个质量月？", text)[0]


@pytest.mark.parametrize("question,thing", [
    ("比赛一等奖奖金是多少钱？", ("元", "奖金")),
    ("这次的补贴金额是多少", ("元", "补贴金额")),
])
def test_a_sum_of_money_is_counted_in_yuan(question, thing):
    from assistant.evidence import counted_thing, counts_thing

    assert counted_thing(question) == thing
    assert counts_thing("一等奖奖金2000元，二等奖1000元。", *thing)
    assert not counts_thing("获奖作品颁发荣誉证书。", *thing)


def test_a_question_naming_only_a_place_is_ranked_by_what_its_verbs_say():
    from assistant.evidence import focus_terms, verb_terms

    assert "宣读" in verb_terms("某某县会上宣读的是啥方案？") and "宣读" not in focus_terms("某某县会上宣读的是啥方案？")
    text = "9月4日，某某县召开质量月启动仪式。副县长出席会议。县市场局负责同志宣读了《全县质量月活动方案》。"
    assert "宣读" in _unit_texts("某某县会上宣读的是啥方案？", text)[0]


def test_a_heading_ending_in_theme_states_a_theme():
    from assistant.evidence import kind_evidence

    assert kind_evidence("theme", "讲好身边故事", "一、征文主题")
    assert kind_evidence("theme", "讲好身边故事", "（二）宣传主题：")
    assert not kind_evidence("theme", "讲好身边故事", "一、征文要求")


def test_an_everyday_word_is_found_as_the_notices_write_it():
    from assistant.evidence import official_words, term_coverage

    assert "儿童" in official_words("小孩")
    assert term_coverage("跟小孩有关的活动有哪些？", "开展儿童用品质量安全守护行动。", ["小孩"]) == 1.0
    assert term_coverage("跟小孩有关的活动有哪些？", "开展电梯安全宣传周活动。", ["小孩"]) == 0.0
    # "报材料" is what a notice writes as 报送 its 总结
    assert term_coverage("月底要报哪些材料？", "请于10月8日前将活动总结报送市局。", ["材料"]) == 1.0


def test_all_of_them_is_no_shared_items_question():
    from assistant.evidence import SAME

    assert not SAME.search("这几年跟电梯有关的活动都有啥？")
    assert SAME.search("两年都有的口号是哪几条？") and SAME.search("两份通知的主题一样吗？")


def test_a_verb_asked_is_found_in_a_traditional_character_reprint():
    text = "9月9日，由某省市場監督管理局主辦、某市市場監管局承辦的啟動儀式在某地舉行。現場設置了宣傳展位。"
    assert "主辦" in _unit_texts("某省质量月启动仪式是谁主办、谁承办的？", text)[0]


def test_who_did_what_is_a_person_question():
    assert "person" in question_kinds("启动仪式上介绍去年成效的是谁？")
    assert "person" in question_kinds("会上谁宣读的方案？")


def test_an_indefinite_one_is_no_count_and_a_title_in_half_width_brackets_cites_a_doc_no():
    from assistant.evidence import counts_thing, kind_evidence

    assert not counts_thing("质量月是一项重要的群众性质量活动。", "项", "活动")
    assert counts_thing("各单位将联动开展50项主题活动。", "项", "活动")
    long = "《关于开展2031年全国质量月活动的通知》(国市监质〔2031〕9号)确定" + "各地开展质量提升行动，" * 15
    assert kind_evidence("doc_no", long, "正文")


@pytest.mark.parametrize("question,person", [
    ("那本宣传册叫什么名字？", False),  # a thing's name, not a person's
    ("这个平台叫什么名字", False),
    ("现场主持人叫什么名字？", True),
    ("这次展会是谁在牵头主办？", False),  # who leads, not a person
    ("开幕式上的方案是谁在台上宣读的？", True),  # 谁 … 宣读, words between
])
def test_a_name_asked_is_a_persons_only_when_a_person_is_named(question, person):
    assert ("person" in question_kinds(question)) == person


@pytest.mark.parametrize("text,dated", [
    ("各项活动将于十月上旬陆续开展", True),
    ("整治工作安排在八月底到九月间", True),
    ("开展为期三个月的专项整治", False),
    ("质量月期间集中宣传", False),
])
def test_a_month_in_chinese_numerals_is_a_date(text, dated):
    assert kind_evidence("date", text, "正文") == dated


def test_a_sentence_dated_by_another_year_does_not_date_the_year_asked():
    assert _of_other_year("9月5日，2021年全市活动在体育馆开幕", 2022)
    assert not _of_other_year("9月5日，2022年全市活动开幕，2021年在体育馆", 2022)
    assert not _of_other_year("9月5日活动在体育馆开幕", 2022)  # no year: the document's own


@pytest.mark.parametrize("question", ["那个区质量月都搞了些啥？", "他们办了什么？", "附件里做了些什么"])
def test_what_a_place_did_is_a_list_question(question):
    assert "list" in question_kinds(question)


def test_a_placeholder_stands_for_as_many_characters():
    from assistant.evidence import focus_terms, says_term, term_coverage

    assert focus_terms("文件里“送XX”的说法都有哪些？") == ["送xx"]  # the bare placeholder is no term
    assert says_term("送xx", "组织送技术、送标准下乡") and not says_term("送xx", "报送")
    assert term_coverage("“某某节”办了几次？", "举办第二届质量文化节。", ["某某节"]) == 1.0


@pytest.mark.parametrize("line,dated", [
    ("2031年8月20日", True),
    ("（2031年9月·杭州）", True),  # a letter signed with the month and the city
    ("2031年9月", False),  # a bare month is an activity period, not a signing date
])
def test_a_signing_date_line(line, dated):
    from assistant.evidence import kind_evidence

    assert kind_evidence("issue_date", line, "版头") is dated
