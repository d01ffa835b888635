"""The answerer on documents it was not written for: the seeds plus real outside documents
(eval/outside/docs: news reports from many provinces, a letter, a plan behind a 政府信息公开 header,
GBK text, .html) and layouts written here — OCR spacing, a table pasted one cell per line, a
news report with run-in headings, a report whose official speaks last, a traditional-character reprint with pinyin, a county report quoting a
national theme — all added the way `python -m assistant add` adds files."""
from __future__ import annotations

import re

import pytest

from tests.assistant.conftest import assistant_with_added
from tests.conftest import ROOT

LAYOUTS = ROOT / "tests" / "assistant" / "fixtures" / "layouts"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def mixed(tmp_path_factory, embeddings):
    return assistant_with_added([str(LAYOUTS), str(ROOT / "eval" / "outside" / "docs")],
                                tmp_path_factory.mktemp("mixed"), embeddings)


def ask(mixed, question: str):
    result = mixed.ask(question)
    assert result.answerable, result.answer
    return result


@pytest.mark.parametrize("question,facts,source", [
    # OCR spacing: "2 0 个部门", "1 0 月1 5日", spaced masthead characters
    ("江西2021年质量月的主题是什么？", ["建设质量强省 服务高质量跨越式发展"], "ocr_notice.txt"),
    ("江西省2021年质量月活动总结什么时候之前要报上去？", ["10月15日"], "ocr_notice.txt"),
    ("江西2021年质量月是多少个部门联合开展的？", ["20个部门"], "ocr_notice.txt"),
    ("江西21年质量月通知的文号？", ["赣质强办〔2021〕6号"], "ocr_notice.txt"),
    # a table pasted one cell per line
    ("安吉县2022年质量开放日哪天搞？", ["9月10日"], "cell_table_plan.txt"),
    ("安吉县计量惠民义诊由哪个科牵头？", ["计量科"], "cell_table_plan.txt"),
    # a news report: run-in headings, no 一、/（一） structure
    ("青阳县2023年质量开放日在哪天？", ["9月19日"], "news_runin.txt"),
    ("青阳县质量月受理了多少人次咨询？", ["210人次"], "news_runin.txt"),
    ("青阳县质量月走进学校发了多少份宣传资料？", ["800余份"], "news_runin.txt"),
    # a report whose official speaks in its last paragraph, introduced by 介绍, asked as 接受采访
    ("泰顺县那次质量月宣传，接受采访的是哪位？", ["郑海鸥"], "quoted_official_report.txt"),
])
def test_layouts_are_answered_from_their_document(mixed, question, facts, source):
    result = ask(mixed, question)
    text = result.answer.replace(" ", "")
    for fact in facts:
        assert fact.replace(" ", "") in text, result.answer
    assert any(c.source == source for c in result.citations)


@pytest.mark.parametrize("question,facts,source", [
    ("汕尾市2022年质量月宣传活动是哪个单位主办的？", ["汕尾市市场监督管理局"], "o10.txt"),
    ("始兴县2020年质量月现场宣传活动的主题？", ["建设质量强国 决胜全面小康"], "o27.txt"),
    ("山东省2023年质量月启动仪式在哪个市举行？", ["淄博市"], "o18.txt"),
])
def test_real_news_reports_of_other_provinces(mixed, question, facts, source):
    result = ask(mixed, question)
    for fact in facts:
        assert fact.replace(" ", "") in result.answer.replace(" ", ""), result.answer
    assert any(c.source == source for c in result.citations)
    assert any("用户上传" in f for f in result.flags)  # a news report is no official notice


def test_a_year_no_document_is_dated_with_but_one_names_is_not_refused(mixed):
    """Unknown never hides: o13 states no year; a question about its place is answered from it."""
    result = ask(mixed, "石城县局那次质量月宣传咨询服务活动的主题是什么？")
    assert any(c.source == "o13.txt" for c in result.citations)


def test_a_detail_the_report_does_not_state_is_refused(mixed):
    result = mixed.ask("青阳县质量月一共有多少个部门参与联合主办？")
    assert not result.answerable


@pytest.mark.parametrize("question,fact", [
    ("临川区质量月发了多少份宣传资料？", "2600余份"),
    ("临川区2022年质量月的主题是什么？", "推进质量提升共建质量强区"),
    ("临川区启动仪式是哪个单位联合各部门举办的？", "市场监督管理局"),
])
def test_a_traditional_reprint_is_asked_in_simplified(mixed, question, fact):
    """A mirror site's reprint in traditional characters, with pinyin after some of them: found and
    quoted as written (the quote is in traditional characters, the answer's facts are the same)."""
    from index.components.script import to_simplified

    result = ask(mixed, question)
    assert fact in to_simplified(result.answer.replace(" ", "")), result.answer
    assert any(c.source == "trad_mirror.txt" for c in result.citations)
    assert "(zhì)" not in result.answer


def test_a_traditional_reprint_gets_its_place_year_and_headline(mixed):
    row = mixed.store.documents()["trad_mirror.txt"]
    assert (row["year"], row["level"], row["region"]) == (2022, "county", "临川区")
    assert row["title"] == "临川区举办2022年“质量月”活动启动仪式"  # not joined to the 来源 line under it


def test_a_person_is_named_only_for_what_they_did(mixed):
    read_out = ask(mixed, "临川区质量月启动仪式上是哪位区领导宣读的活动方案？")
    assert "周明亮" in read_out.answer
    # nobody is said to have given a speech: the official who read the plan out is no answer
    assert not mixed.ask("临川区质量月启动仪式是哪位领导致辞的？").answerable


def test_a_list_of_n_things_the_report_only_counts_is_refused(mixed):
    """"五大类22项活动" after three examples: the five kinds are not listed, so they are not made up."""
    result = mixed.ask("临川区质量月的五大类活动具体是哪五类？")
    assert not result.answerable, result.answer


def test_two_places_two_numbers(mixed):
    """Each side of a two-place question is answered from its own document, whatever level words it uses."""
    result = ask(mixed, "临川区启动仪式有多少个部门参与，青阳县质量月受理了多少人次咨询，各是多少？")
    sources = {c.source for c in result.citations}
    assert {"trad_mirror.txt", "news_runin.txt"} <= sources, result.answer
    assert "12" in result.answer and "210" in result.answer


def test_two_places_stand_without_the_similarity_tie_break(mixed):
    """Each place named has its own score floor: the lexical score alone keeps both sides."""
    weight = mixed.settings.answer.unit_similarity_weight
    mixed.settings.answer.unit_similarity_weight = 0.0
    try:
        test_two_places_two_numbers(mixed)
    finally:
        mixed.settings.answer.unit_similarity_weight = weight


def test_an_enumeration_is_answered_item_by_item(mixed):
    """"那三大活动都是啥" over a paragraph "一是…。…二是…": the sentence opening each item, not the whole text."""
    doc = (ROOT / "eval" / "outside" / "docs" / "o07.txt").read_text(encoding="utf-8")
    openings = [m.group(1) for m in re.finditer(r"[一二三]是([^,，。]+)", doc)]
    assert len(openings) >= 3
    result = ask(mixed, "义乌2018年质量月那三大活动都是啥？")
    for opening in openings[:3]:
        assert opening in result.answer, result.answer
    assert len(result.answer) < len(doc) / 2  # the items' openings, not every sentence of them


def test_a_place_count_is_not_answered_with_the_national_count(mixed):
    """A county asked for by name: the national co-issuer count its province's notice cites is no answer."""
    result = mixed.ask("永安2022年质量月是多少个部门联合开展的？")
    assert "全国的联合发文部门数" not in result.answer, result.answer


def test_a_missing_notice_is_answered_from_a_report_quoting_it(mixed):
    """No national notice of that year is indexed, but a county report quotes its theme (a pledge of
    质量强国): the report answers, and the answer says the notice itself is not in the index."""
    result = ask(mixed, "2017年全国质量月的主题是什么？")
    assert "追求卓越品质" in result.answer.replace(" ", "")
    assert any(c.source == "county_quotes_national_theme.txt" for c in result.citations)
    assert any("其他文件" in f for f in result.flags), result.flags
    # its county theme is not the province's: a provincial question stays refused
    assert not mixed.ask("2017年全省质量月的主题是什么？").answerable


def test_a_comparison_with_a_side_named_only_by_what_it_says(mixed):
    """"和那篇…的综述里的主题有啥不一样": the second document is found by its content, and its theme is
    read from its own text, though the passage that matched the description does not state it."""
    result = ask(mixed, "德清县质量月的主题，和那篇说联合18个部门进社区的综述里的主题有啥不一样？")
    text = result.answer.replace(" ", "")
    assert "追求卓越品质" in text and "品质引领消费" in text, result.answer
    assert {"county_quotes_national_theme.txt", "undated_review.txt"} <= {c.source for c in result.citations}


def test_a_place_nothing_names_is_answered_from_a_report_naming_no_place_with_a_warning(mixed):
    """Unknown never hides: a city's report that only says 我市 may be the one about a city no
    document names; the answer says that the file names no place."""
    result = mixed.ask("铜川市2022年质量月启动仪式在哪家企业举行？")
    assert result.answerable and "星河仪表股份有限公司" in result.answer, result.answer
    assert any(c.source == "unnamed_city_report.txt" for c in result.citations)
    assert any("没有写明地区" in f for f in result.flags)


def test_a_place_nothing_names_is_refused_when_no_placeless_document_fits(mixed):
    result = mixed.ask("铜川市2023年质量月启动仪式在哪家企业举行？")  # the placeless report is of 2022
    assert not result.answerable and "铜川市" in result.answer, result.answer


def test_a_question_on_one_item_of_an_enumeration_gets_its_sentence(mixed):
    """"帮扶了哪些行业" over a summary "一是…。二是…": the sentence on that, not the opening of every item."""
    result = ask(mixed, "柯桥区2022年质量月的质量帮扶进企业行动，重点帮扶了哪些行业？")
    assert "印染" in result.answer and "家纺" in result.answer, result.answer
