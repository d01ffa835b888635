"""Question plans from invented questions: the op, scope and fact each reads, follow-up chains that change
only what a turn names, a fresh question after several turns inheriting nothing, and the LLM JSON path."""
from __future__ import annotations

import datetime as dt

import pytest

from assistant.plan import Plan, parse_plan, plan_from_json, plan_question, plan_with_model, render
from index.settings import Settings

S = Settings(today=dt.date(2025, 9, 1))


@pytest.mark.parametrize("question, op, fact, years, levels", [
    ("2019年全国质量月的主题是什么？", "lookup", "theme", [2019], ["national"]),
    ("历年省里质量月的主题分别是什么？", "per_year", "theme", [], ["provincial"]),
    ("2018年和2020年省里的口号有哪些是一样的？", "common", "slogans", [2018, 2020], ["provincial"]),
    ("2018年和2020年全国质量月的主题有什么不同？", "difference", "theme", [2018, 2020], ["national"]),
    ("2020年全国质量月是多少个部门联合开展的？", "count", "co_issuer_count", [2020], ["national"]),
    ("17、19、20这三年全国质量月分别是几个部门联合的？", "count", "co_issuer_count", [2017, 2019, 2020], ["national"]),
    ("今年省里的活动总结最晚几号要交？", "lookup", "deadlines", [2025], ["provincial"]),
    ("2021年省里通知的文号是多少？", "lookup", "doc_no", [2021], ["provincial"]),
    # one value a side ("主题一样吗") is compared, not searched for shared list items
    ("2019年全国和省里的主题一样吗？", "compare", "theme", [2019], ["national", "provincial"]),
    ("这几年全国质量月联合发文的部门数量分别是多少？", "count", "co_issuer_count", [], ["national"]),
    # what one year's list has and the other's lacks is a difference of the list fact
    ("2018年全国联合单位名单里有、2020年去掉了的是哪些？", "difference", "co_issuers", [2018, 2020], ["national"]),
    ("2020年全国质量月主题跟18年的比，变的是哪几个字？", "change", "theme", [2020, 2018], ["national"]),
    # what one year has beyond the other is a difference too
    ("省里20年的口号比19年多了哪些？", "difference", "slogans", [2020, 2019], ["provincial"]),
    # 牵头 describes the lead issuer of the count asked, not an activity's lead
    ("全国质量月由总局牵头，历年是多少个部门联合开展的？", "count", "co_issuer_count", [], ["national"]),
    ("2019年和2020年全国通知的附件2分别是啥？", "per_year", "attachments", [2019, 2020], ["national"]),
    # whether the years' lists agree, asked yes-or-no: every year's list; a single value is compared
    ("全国质量月一般有哪些口号？各年一样吗？", "per_year", "slogans", [], ["national"]),
    ("历年全国质量月的主题一样吗？", "compare", "theme", [], ["national"]),
])
def test_single_questions(question, op, fact, years, levels):
    plan = parse_plan(question, S)
    assert (plan.op, plan.fact, plan.scope.years, plan.scope.levels) == (op, fact, years, levels)
    assert plan.source == "parser"


def test_quoted_wording_asks_which_year_and_names_no_place():
    plan = parse_plan("“品质惠民 发展利民”是哪一年的口号？", S)
    assert plan.fact == "year" and plan.topic == ["品质惠民 发展利民"]
    assert plan.scope.regions == []  # the quoted words are not a place, though a county is called 惠民


def test_time_of_year_is_a_topic():
    plan = parse_plan("某县方案里排在10月上旬的那项活动由谁牵头？", S)
    assert plan.fact == "activities.lead" and "10月上旬" in plan.topic


def test_follow_up_changes_only_what_it_names():
    history = ["2021年全国质量月的口号有哪些？"]
    first = plan_question(history[0], [], S)
    year = plan_question("换成2019年的呢", history, S)
    assert year.scope.years == [2019] and year.scope.levels == ["national"] and year.fact == first.fact
    level = plan_question("那省里的呢？", history, S)
    assert level.scope.years == [2021] and level.scope.levels == ["provincial"] and level.fact == "slogans"
    change = plan_question("和前年比呢？", ["2021年省里质量月的主题是什么？"], S)
    assert change.op == "change" and change.scope.years == [2021, 2023] and change.fact == "theme"


def test_chain_carries_the_plan_over_several_turns():
    turns = ["2020年全国质量月的主题是什么？", "那省里的呢？", "换成2018年的呢", "口号有哪些？"]
    plan = plan_question(turns[-1], turns[:-1], S)
    assert plan.scope.years == [2018] and plan.scope.levels == ["provincial"] and plan.fact == "slogans"
    assert "2018年" in render(plan) and "口号" in render(plan)


def test_these_items_keep_the_topic_and_ask_a_new_fact():
    plan = plan_question("这几项谁牵头？", ["某市2020年方案里关于计量的活动有哪些？"], S)
    assert plan.fact == "activities.lead" and "计量" in plan.topic and plan.op == "list"
    other = plan_question("那培训那项呢？", ["某市2020年方案里关于计量的活动谁牵头？"], S)
    assert other.fact == "activities.lead" and other.topic == ["培训"] and other.scope.years == [2020]


def test_fresh_question_after_several_turns_inherits_nothing():
    history = ["2020年全国质量月的主题是什么？", "那省里的呢？", "口号有哪些？", "这几项里哪条最长？"]
    fresh = "2018年省里质量月通知的文号是多少？"
    assert plan_question(fresh, history, S) == parse_plan(fresh, S)


def test_unreadable_turn_is_left_to_the_rule_rewriter():
    assert plan_question("还有呢？", ["2020年全国质量月的主题是什么？"], S) is None


def test_llm_json_is_validated_and_falls_back_to_the_parser():
    good = plan_from_json('{"op": "per_year", "scope": {"years": [2019, 2020]}, "fact": "theme", "topic": []}')
    assert good and good.source == "llm" and good.op == "per_year"
    assert plan_from_json('{"op": "explain", "fact": "theme"}') is None
    assert plan_from_json("不是JSON") is None

    class Model:
        def __init__(self, reply):
            self.reply = reply

        def chat(self, messages, **kw):
            assert "2019年全国" in messages[0]["content"]
            return self.reply

    llm = S.with_(answerer="openai", llm_plans=True)
    question = "2019年全国质量月的主题是什么？"
    parsed = plan_question(question, [], llm)
    assert plan_with_model(question, [], llm, Model("胡言乱语")) == parsed
    wrong_year = '{"op": "lookup", "scope": {"years": [2018]}, "fact": "theme"}'
    assert plan_with_model(question, [], llm, Model(wrong_year)) == parsed
    right = '{"op": "lookup", "scope": {"years": [2019], "levels": ["national"]}, "fact": "theme"}'
    assert plan_with_model(question, [], llm, Model(right)).source == "llm"
    assert isinstance(plan_with_model(question, [], S, Model(right)), Plan) \
        and plan_with_model(question, [], S, Model(right)).source == "parser"


@pytest.mark.parametrize("turn, positions", [
    ("第5条是什么？", [5]), ("倒数第二条呢？", [-2]), ("最后三家是谁？", [-3, -2, -1]), ("前两项是什么？", [1, 2]),
    ("最后一个呢？", [-1]), ("第十二条？", [12]), ("第3条和第7条是啥？", [3, 7]), ("第二、第六项呢？", [2, 6]),
])
def test_an_item_by_its_place_in_the_previous_list(turn, positions):
    plan = plan_question(turn, ["2019年省里质量月的口号有哪些？"], S)
    assert plan.fact == "slogans" and plan.scope.years == [2019] and plan.positions == positions
    assert plan.topic == []


def test_places_are_rendered_as_asked():
    from assistant.plan import position_words
    assert [position_words(p) for p in ([3, 7], [1, 2], [-2, -1], [4])] == ["第3、7项", "前2项", "最后2项", "第4项"]
    assert parse_plan("第45个质量月的口号第3条是什么？", S).positions == [3]  # the month's ordinal is no item


def test_an_ordinal_that_is_no_list_place_is_read_as_none():
    assert parse_plan("2019年是全国第几个质量月？", S).positions == []
    assert parse_plan("2019年是第42个质量月吗？", S).positions == []  # no list fact asked


def test_whom_a_report_goes_to_is_its_own_fact():
    plan = parse_plan("2019年省里的活动总结要报给谁？", S)
    assert plan.fact == "deadlines.to" and plan.scope.years == [2019]
    assert parse_plan("2019年省里的活动总结几号前报？", S).fact == "deadlines"


def test_attachments_asked_by_number():
    plan = parse_plan("2019年和2021年全国通知的附件2、附件3名称有啥变化？", S)
    assert plan.fact == "attachments" and plan.positions == [2, 3] and plan.scope.years == [2019, 2021]
    assert "附件2、附件3" in render(plan)


def test_a_quoted_fragment_with_an_ellipsis_is_its_words():
    plan = parse_plan("“……质量强国”结尾的那条口号各年怎么写的？", S)
    assert plan.fact == "slogans" and plan.op == "per_year" and plan.topic == ["质量强国"]


def test_a_level_qualifying_the_document_a_notice_is_based_on_keeps_the_scope():
    first = parse_plan("宁化县那个方案的文号多少？", S)
    plan = plan_question("它是依据省里哪个文件的？", ["宁化县那个方案的文号多少？"], S)
    assert plan.fact == "based_on" and plan.scope.regions == first.scope.regions


def test_words_for_a_number_are_no_topic():
    assert parse_plan("这几年全国质量月联合发文的部门数量分别是多少？", S).topic == []


def test_the_kind_of_item_a_fact_lists_is_no_topic():
    # "文件或规划" names what a notice is based on; filtering its basis by 规划 would drop a year citing a notice
    assert parse_plan("市里的通知一般按照哪些上级文件或规划来定？", S).topic == []
    assert parse_plan("市里的通知依据的文件里跟标准化有关的是哪个？", S).topic == ["标准化"]


@pytest.mark.parametrize("question, op, fact", [
    ("两年的口号有没有一字不差的？", "common", "slogans"),
    ("合格率从多少提到多少了？", "count", None),  # 多少了 says no 少了 (a difference)
    ("那份通知留的手机号是谁的？", "lookup", "contacts"),
    ("联系人电话是多少？", "lookup", "contacts"),
])
def test_cue_words_read_as_people_write_them(question, op, fact):
    plan = parse_plan(question, S)
    assert (plan.op, plan.fact) == (op, fact)


def test_a_follow_up_asking_for_a_phone_number_asks_no_count():
    plan = plan_question("电话邮箱多少？", ["去年省里的总结几号前交？"], S)
    assert plan is None or plan.op != "count"
