"""Follow-up questions rewritten into standalone ones (assistant/followup.py).

The rule tests need no index and no model. The last test runs the real CLI over the session's
built index: ``python -m assistant ask "那省里的呢？" --history FILE --json``.
"""
from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.followup import llm_output_ok, rewrite_question
from assistant.query import parse_query
from index.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
TODAY = datetime.date(2025, 9, 1)


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings(today=TODAY)


def slots(text: str):
    info = parse_query(text, TODAY)
    return info.years, info.level


# ---- slot switches

def test_year_switch_keeps_level_and_topic(settings):
    out = rewrite_question("那2024年呢？", ["2025年全国质量月主题是什么？"], settings)
    assert out == "2024年全国质量月主题是什么？"


def test_a_part_of_the_outline_just_listed_keeps_its_topic(settings):
    out = rewrite_question("第三块讲了些什么？", ["2023年市里方案的工作措施分哪几块？"], settings)
    assert out.startswith("2023年市里方案的工作措施") and "第三块" in out, out


def test_relative_year_is_written_out(settings):
    out = rewrite_question("那去年呢？", ["今年省里的质量月主题是啥？"], settings)
    assert slots(out) == ([2024], "provincial")
    assert "主题" in out and "去年" not in out and "今年" not in out


def test_level_switch_keeps_year_and_topic(settings):
    out = rewrite_question("那省里的呢？", ["2025年全国质量月主题是什么？"], settings)
    assert slots(out) == ([2025], "provincial")
    assert "主题" in out and "全国" not in out


def test_region_switch(settings):
    out = rewrite_question("那三明市的呢？", ["2025年全国质量月主题是什么？"], settings)
    info = parse_query(out, TODAY)
    assert info.years == [2025] and info.regions == ["三明市"] and "全国" not in out and "主题" in out


def test_year_and_level_switch_together(settings):
    out = rewrite_question("那2024年省里的呢？", ["2025年全国质量月主题是什么？"], settings)
    assert slots(out) == ([2024], "provincial") and "主题" in out


# ---- pronouns

def test_it_stands_for_the_previous_notice(settings):
    out = rewrite_question("它的文号是多少？", ["2024年福建省的质量月通知是哪个单位发的？"], settings)
    assert out == "2024年福建省的质量月通知的文号是多少？"
    assert "哪个单位" not in out  # the old question part is dropped


def test_it_without_a_notice_word_names_the_notice(settings):
    out = rewrite_question("它的附件4是什么？", ["2025年全国质量月主题是什么？"], settings)
    assert slots(out) == ([2025], "national")
    assert "通知的附件4" in out and "主题" not in out


def test_these_items_keep_the_previous_topic(settings):
    prev = "永安2023年活动计划安排表里，月饼过度包装监管、电梯安全宣传周、燃气具抽检这几项具体做什么？"
    out = rewrite_question("这几项分别谁牵头？", [prev], settings)
    assert out.startswith("永安2023年活动计划安排表里，月饼过度包装监管、电梯安全宣传周、燃气具抽检这几项")
    assert out.endswith("分别谁牵头？") and "具体做什么" not in out


def test_these_items_refer_to_what_was_listed(settings):
    out = rewrite_question("这几项分别谁牵头？", ["2024年省里质量月通知有哪些重点安排？"], settings)
    assert slots(out) == ([2024], "provincial")
    assert "重点安排" in out and out.endswith("谁牵头？") and "哪些" not in out


def test_qizhong_narrows_without_switching_level(settings):
    out = rewrite_question("其中三明市搞了哪些活动？", ["2024年全省质量月附件3列了哪些地市？"], settings)
    assert out == "2024年全省质量月附件3中三明市搞了哪些活动？"


def test_that_document_is_the_one_the_previous_question_asked_for(settings):
    out = rewrite_question("那三明市那个文件的文号是多少？", ["我们永安23年质量月方案是依据哪些文件制定的？"], settings)
    info = parse_query(out, TODAY)
    assert info.years == [2023] and "永安" in out and "三明市" in out and out.endswith("文件的文号是多少？")
    assert "哪些" not in out


# ---- ellipsis and new attributes of the same topic

def test_new_attribute_keeps_the_topic_not_the_old_question(settings):
    out = rewrite_question("报给谁？电话多少？", ["2025年省局质量月通知要求总结什么时候报？"], settings)
    assert slots(out)[0] == [2025] and "总结" in out and "什么时候" not in out
    assert out.endswith("报给谁？电话多少？")


def test_attribute_switch_drops_the_old_attribute(settings):
    out = rewrite_question("那口号呢？", ["2025年全国质量月主题是什么？"], settings)
    assert slots(out) == ([2025], "national") and "口号" in out and "主题" not in out


def test_parallel_unit_is_swapped(settings):
    out = rewrite_question("那质量科呢？", ["永安23年计划安排表里，消保科牵头的是哪几项？"], settings)
    assert out == "永安2023年计划安排表里，质量科牵头的是哪几项？"


def test_bare_question_words_are_appended(settings):
    out = rewrite_question("一共几个？", ["2022年全国质量月是哪些部门联合搞的？"], settings)
    assert out == "2022年全国质量月是哪些部门联合搞的？一共几个？"


def test_own_topic_inherits_only_the_scope(settings):
    out = rewrite_question("那国家的通知里点名整治哪些产品？", ["2025年省里质量月通知里专项整治哪些产品？"], settings)
    assert slots(out) == ([2025], "national") and "省里" not in out


# ---- must not inherit

@pytest.mark.parametrize("history", [
    ["2024年省里质量月通知有哪些重点安排？", "其中质量强链那项具体要干什么？"],
    ["2025年全国质量月主题是什么？"],
])
def test_full_new_question_is_unchanged(settings, history):
    q = "永安市2023年方案的活动主题是什么？"
    assert rewrite_question(q, history, settings) == q


def test_full_new_question_keeps_its_own_relative_year(settings):
    q = "今年省里质量月主题是什么？"
    assert rewrite_question(q, ["2022年省里质量月的联系人是谁？"], settings) == q


def test_all_years_question_does_not_inherit_a_year(settings):
    q = "历年的主题分别是什么？"
    assert rewrite_question(q, ["2025年全国质量月主题是什么？"], settings) == q


def test_small_talk_is_left_alone(settings):
    assert rewrite_question("谢谢", ["2025年全国质量月主题是什么？"], settings) == "谢谢"


def test_no_history_no_rewrite(settings):
    assert rewrite_question("那省里的呢？", [], settings) == "那省里的呢？"


# ---- chains

def test_chain_of_three_follow_ups(settings):
    history = ["2025年全国质量月主题是什么？"]
    steps = ["那省里的呢？", "2024年呢？", "它的文号是多少？"]
    outs = []
    for q in steps:
        outs.append(rewrite_question(q, history, settings))
        history = history + [q]
    assert slots(outs[0]) == ([2025], "provincial") and "主题" in outs[0]
    assert slots(outs[1]) == ([2024], "provincial") and "主题" in outs[1]
    assert slots(outs[2]) == ([2024], "provincial") and "文号" in outs[2] and "主题" not in outs[2]


def test_chain_resets_after_a_full_question(settings):
    history = ["2025年全国质量月主题是什么？", "永安市2023年方案的活动主题是什么？"]
    out = rewrite_question("它的文号是多少？", history, settings)
    info = parse_query(out, TODAY)
    assert info.years == [2023] and "永安市" in info.regions and "全国" not in out


# ---- the LLM path (a scripted model: no weights needed)

class ScriptedModel:
    name = "scripted"

    def __init__(self, reply: str | Exception):
        self.reply = reply
        self.calls: list[list[dict]] = []

    def chat(self, messages, *, max_tokens, temperature):
        self.calls.append(messages)
        if isinstance(self.reply, Exception):
            raise self.reply
        return self.reply

    def stream(self, messages, *, max_tokens, temperature):
        yield self.chat(messages, max_tokens=max_tokens, temperature=temperature)


@pytest.fixture(scope="module")
def llm_settings() -> Settings:
    return Settings(today=TODAY, answerer="openai")


def test_llm_rewrite_is_used_when_plausible(llm_settings):
    model = ScriptedModel("改写：2025年福建省质量月活动主题是什么？")
    out = rewrite_question("那省里的呢？", ["2025年全国质量月主题是什么？"], llm_settings, chat_model=model)
    assert out == "2025年福建省质量月活动主题是什么？"
    prompt = model.calls[0][-1]["content"]
    assert "2025年全国质量月主题是什么？" in prompt and "那省里的呢？" in prompt and "2025年9月1日" in prompt


@pytest.mark.parametrize("reply", ["", "Sure! Here is the question.", "那" * 250,
                                   "2024年省里质量月主题是什么？",  # wrong year: the rules keep 2025
                                   RuntimeError("server down")])
def test_implausible_llm_output_falls_back_to_rules(llm_settings, settings, reply):
    history = ["2025年全国质量月主题是什么？"]
    out = rewrite_question("那省里的呢？", history, llm_settings, chat_model=ScriptedModel(reply))
    assert out == rewrite_question("那省里的呢？", history, settings)


@pytest.mark.parametrize("reply", [
    "2025年省局质量月通知要求总结什么时候报？",  # repeats the previous turn
    "2025年省局质量月通知的联系人是谁？",  # drops 电话, which the new turn asks for
])
def test_llm_output_that_loses_the_new_question_falls_back(llm_settings, settings, reply):
    history = ["2025年省局质量月通知要求总结什么时候报？"]
    out = rewrite_question("报给谁？电话多少？", history, llm_settings, chat_model=ScriptedModel(reply))
    assert out == rewrite_question("报给谁？电话多少？", history, settings)


def test_llm_output_loses_a_leading_cue(llm_settings):
    model = ScriptedModel("那2022年全国质量月主题是什么？")
    out = rewrite_question("那2022年呢？", ["2025年全国质量月主题是什么？"], llm_settings, chat_model=model)
    assert out == "2022年全国质量月主题是什么？"


def test_full_question_never_goes_to_the_model(llm_settings):
    model = ScriptedModel("2025年全国质量月主题是什么？")
    q = "永安市2023年方案的活动主题是什么？"
    assert rewrite_question(q, ["2025年全国质量月主题是什么？"], llm_settings, chat_model=model) == q
    assert model.calls == []


def test_llm_output_check(settings):
    assert llm_output_ok("2025年省里质量月主题是什么？", "2025年省里质量月主题是什么？", settings)
    assert not llm_output_ok("2023年省里质量月主题是什么？", "2025年省里质量月主题是什么？", settings)
    assert not llm_output_ok("What is the theme?", "2025年省里质量月主题是什么？", settings)
    assert not llm_output_ok("2025年全国质量月主题是什么？", "2025年省里质量月主题是什么？", settings)  # level


def test_condense_prompt_has_its_placeholders(settings):
    text = (settings.index.prompts_dir / "condense_question.txt").read_text(encoding="utf-8")
    for slot in ("{today}", "{history}", "{question}"):
        assert slot in text


# ---- history through the CLI, over a real index

@pytest.mark.slow
def test_cli_ask_with_history(built_index, tmp_path):
    history = tmp_path / "history.json"
    history.write_text(json.dumps(["2025年全国质量月主题是什么？"], ensure_ascii=False), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT), ZLY_DATA_DIR=str(built_index.index.data_dir),
               ZLY_CORPUS_DIR=str(built_index.index.corpus_dir), ZLY_MODELS_DIR=str(built_index.index.models_dir),
               ZLY_TODAY=built_index.retrieval.today.isoformat(), ZLY_ANSWERER="extractive")
    proc = subprocess.run([sys.executable, "-m", "assistant", "ask", "那省里的呢？", "--history", str(history), "--json"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(proc.stdout)
    assert data["question"] == "那省里的呢？"
    assert "2025" in data["rewritten_question"] and "主题" in data["rewritten_question"]
    assert data["answerable"] is True
    assert "促进质量强省建设" in "".join(data["answer"].split())

    # one turn per line works too
    lines = tmp_path / "history.txt"
    lines.write_text("2025年全国质量月主题是什么？\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "assistant", "ask", "那2022年呢？", "--history", str(lines), "--json"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "2022" in json.loads(proc.stdout)["rewritten_question"]


@pytest.mark.parametrize("previous, turn, kept", [
    ("青阳县2023年质量月启动仪式在哪举行？", "下一届在哪办？", "启动仪式"),
    ("临川区2022年质量月宣传活动是谁主办的？", "发了多少份资料？", "宣传活动"),
])
def test_a_follow_up_about_a_reported_event_keeps_the_event(settings, previous, turn, kept):
    out = rewrite_question(turn, [previous], settings)
    assert kept in out and turn.rstrip("？") in out, out


def test_a_place_after_the_pronoun_names_what_is_asked_of_it(settings):
    """"它是依据省里哪个文件的": 它 stays the plan asked about; "那市里的呢" then swaps that qualifier."""
    history = ["宁化那个方案的文号多少"]
    second = rewrite_question("它是依据省里哪个文件的", history, settings)
    assert second.startswith("宁化") and "省里" in second, second
    third = rewrite_question("那市里的呢？", history + ["它是依据省里哪个文件的"], settings)
    assert third.startswith("宁化") and "市里" in third and "省里" not in third, third


def test_a_new_topic_naming_its_own_level_inherits_no_year(settings):
    q = "国家局的通知里对网络交易平台提了什么要求？"
    assert rewrite_question(q, ["2024年省里附件2里省教育厅做了什么？", "省文旅厅呢？"], settings) == q


def test_an_attribute_asked_of_another_level_keeps_the_year(settings):
    out = rewrite_question("全国的通知写了报送截止日期没有？", ["2025年省里质量月总结报给哪个处？"], settings)
    assert slots(out)[0] == [2025]


def test_a_pair_pointed_back_to_keeps_the_year(settings):
    out = rewrite_question("江西和湖北那两篇的主题一样吗？", ["2021年江西质量月主题是什么？"], settings)
    assert slots(out)[0] == [2021]


def test_a_sibling_heading_takes_the_old_ones_place(settings):
    out = rewrite_question("2023年的工作要求呢？", ["2024年省里通知的工作措施分哪几部分？"], settings)
    assert out == "2023年省里通知的工作要求分哪几部分？"


@pytest.mark.parametrize("question, fresh", [
    ("好的。再问个别的：那个展会在哪办？", "那个展会在哪办？"),
    ("换个话题，今年的口号有哪些", "今年的口号有哪些"),
    ("问个其他的问题：文号是多少？", "文号是多少？"),
    ("好的，那省里的呢？", None),  # a follow-up, not a new topic
    ("再问一下省里的呢", None),
])
def test_a_question_marked_as_new_drops_its_marker(question, fresh):
    from assistant.followup import new_topic

    assert new_topic(question) == fresh



@pytest.mark.parametrize("question, place", [("我们沙县的呢？", "沙县"), ("那咱们建宁的呢？", "建宁")])
def test_a_possessive_before_a_place_keeps_the_previous_topic(settings, question, place):
    out = rewrite_question(question, ["前年省里质量月的口号有哪些？"], settings)
    assert place in out and "口号" in out and "我们" not in out and "咱们" not in out, out
