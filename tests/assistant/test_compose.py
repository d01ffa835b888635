"""The composer on fixed evidence: the direct answer first, each supporting passage quoted once, and a
draft the citation check accepts whole."""
from __future__ import annotations

from assistant.compose import compose
from assistant.execute import Evidence, Item
from assistant.plan import Plan, Scope
from assistant.results import Context
from assistant.verify import verify_answer


def ctx(cid: str, title: str, section: str, text: str, year: int) -> Context:
    return Context(cid, f"{cid}.txt", title, "", section, text, 1.0, year=year, level="provincial")


A = ctx("a", "关于开展2031年“质量月”活动的通知", "附件1 活动口号", "1. 青山质量 万家安心\n2. 标准引领 品质向上", 2031)
B = ctx("b", "关于开展2032年“质量月”活动的通知", "附件1 活动口号", "1. 标准引领 品质向上\n2. 质量兴业 诚信为本", 2032)


def test_common_answer_first_then_each_passage_once():
    plan = Plan(op="common", scope=Scope(years=[2031, 2032]), fact="slogans")
    ev = Evidence(plan, [Item("标准引领 品质向上", A, "shared"), Item("标准引领 品质向上", B, "shared")],
                  ["2031年某省", "2032年某省"])
    draft = compose(ev)
    first = draft.text.split("\n")[0]
    assert "共有" in first and "1条" in first and "标准引领 品质向上" in first and "[" not in first
    assert sorted(draft.cited) == [1, 2] and draft.text.count("[1]") == 1 and draft.text.count("[2]") == 1
    checked = verify_answer(draft.text, draft.cited, [A, B])
    assert checked.used == [1, 2] and not checked.flags


def test_per_year_lists_every_side_and_says_which_has_none():
    plan = Plan(op="per_year", scope=Scope(years=[2031, 2032, 2033]), fact="slogans")
    ev = Evidence(plan, [Item("青山质量 万家安心", A, "2031年某省"), Item("质量兴业 诚信为本", B, "2032年某省")],
                  ["2031年某省", "2032年某省", "2033年"])
    lines = compose(ev).text.split("\n")
    assert lines[1].startswith("- 2031年某省") and "青山质量" in lines[1]
    assert lines[2].startswith("- 2032年某省") and "质量兴业" in lines[2]
    assert lines[3].startswith("- 2033年") and "未写明" in lines[3]


def test_lead_answer_names_the_activity():
    row = Context("r", "r.txt", "某县方案", "", "附件2 计划安排表", "3\t计量进社区\t宣传计量知识\t9月\t计量科\t各所", 1.0,
                  header="序号\t活动主题\t活动内容\t时间\t牵头部门\t协办单位", kind="table_row")
    ev = Evidence(Plan(fact="activities.lead"), [Item("计量科", row, "2031年某县", detail="计量进社区")], ["2031年某县"])
    draft = compose(ev)
    assert draft.text.startswith("2031年某县牵头部门：计量科（计量进社区）")
    assert verify_answer(draft.text, draft.cited, [row]).used == [1]


def test_missing_evidence_is_a_refusal():
    draft = compose(Evidence(Plan(fact="theme"), missing="语料中没有2031年全国“质量月”通知的原文。"))
    assert not draft.answerable and not draft.cited and "2031" in draft.text


def test_two_lists_differing_say_what_each_side_alone_has():
    plan = Plan(op="difference", scope=Scope(years=[2031, 2032]), fact="slogans")
    ev = Evidence(plan, [Item("青山质量 万家安心", A, "2031年某省"), Item("标准引领 品质向上", A, "2031年某省"),
                         Item("标准引领  品质向上", B, "2032年某省"), Item("质量兴业 诚信为本", B, "2032年某省")],
                  ["2031年某省", "2032年某省"])
    lines = compose(ev).text.split("\n")
    assert "仅2031年某省有：“青山质量 万家安心”。" in lines
    assert "仅2032年某省有：“质量兴业 诚信为本”。" in lines  # spacing aside, the shared slogan is no difference
