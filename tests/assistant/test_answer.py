"""The answer chain on the real corpus with the extractive answerer (no model).

Expected facts are read from the corpus files or the generated catalogue where they can be
(文号, titles), so the tests check that answers carry what the notices say, cited to the
right notice and section, and that verification and refusals hold.
"""
from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from langchain_core.runnables import Runnable

from assistant.extractive import Draft
from assistant.pipeline import Assistant
from assistant.steps import Question, Retrieved, Standalone
from assistant.results import AnswerResult
from assistant.verify import attribute, supported, verify_answer
from index.gazetteer import within

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
LEVEL_WORD = {"national": "全国", "provincial": "福建省", "county": "永安市"}


def catalogue() -> list[dict]:
    with open(CORPUS / "_catalogue.csv", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def in_corpus(fact: str) -> bool:
    return any(squash(fact) in squash(p.read_text("utf-8")) for p in CORPUS.glob("*.txt"))


@pytest.fixture(scope="module")
def assistant(built_index, index_reader) -> Assistant:
    return Assistant(built_index, reader=index_reader)


def assert_well_cited(result: AnswerResult, index_reader) -> None:
    """Every [n] in the answer resolves to a citation, every citation is used and quotes its chunk."""
    markers = {int(n) for n in re.findall(r"\[(\d{1,2})\]", result.answer)}
    assert markers == {c.n for c in result.citations}, result.answer
    view = index_reader.view()
    for c in result.citations:
        chunk = view.record(c.chunk_id)
        assert c.text == chunk["text"] and c.section == chunk["meta"]["section"]
        assert c.title == chunk["meta"]["title"] and c.doc_no == chunk["meta"]["doc_no"]


# ------------------------------------------------------------------ the chain


def test_chain_is_a_langchain_runnable_of_typed_steps(assistant):
    assert isinstance(assistant.chain, Runnable)
    assert [s.OutputType for s in assistant.chain.steps] == [Question, Standalone, Retrieved, AnswerResult]
    result = assistant.chain.invoke(Question("2025年全国质量月的主题是什么？"))
    assert isinstance(result, AnswerResult) and result.answerable
    followup = assistant.chain.invoke({"question": "那省里的呢？", "history": ["2025年全国质量月的主题是什么？"]})
    assert followup.answerable and "省" in followup.rewritten_question
    assert {c.source for c in followup.citations} != {c.source for c in result.citations}


def test_theme_cites_notice_section_and_doc_no(assistant, index_reader):
    result = assistant.ask("25年全国质量月的主题是啥？")
    assert result.answerable and result.answerer == "extractive"
    assert "加强全面质量管理" in squash(result.answer) and in_corpus("加强全面质量管理")
    national = next(r for r in catalogue() if r["level"] == "national" and r["year"] == "2025")
    first = result.citations[0]
    assert first.source == national["file"] and first.doc_no == national["doc_no"]
    assert "活动主题" in first.section
    assert_well_cited(result, index_reader)


@pytest.mark.parametrize("row", [r for r in catalogue() if r["doc_no"]], ids=lambda r: r["file"])
def test_doc_no_of_every_notice_that_has_one(assistant, index_reader, row):
    result = assistant.ask(f"{row['year']}年{LEVEL_WORD[row['level']]}质量月通知的文号是多少？")
    assert result.answerable
    assert row["doc_no"] in result.answer, result.answer
    assert_well_cited(result, index_reader)


def test_forwarded_notice_gives_its_own_doc_no(assistant):
    """The 2022 national notice lives inside the Fujian 2022 forwarding notice: its own 文号 is asked."""
    forwarding = next(r for r in catalogue() if r["year"] == "2022")
    own = re.search(r"国市监质发〔2022〕\d+号", (CORPUS / forwarding["file"]).read_text("utf-8")).group(0)
    result = assistant.ask("2022年全国质量月通知的文号是多少？")
    assert result.answerable and own in result.answer, result.answer


def test_notice_without_doc_no_is_not_given_one(assistant):
    row = next(r for r in catalogue() if r["level"] == "provincial" and r["year"] == "2025")
    assert row["doc_no"] == ""  # the 2025 Fujian notice has no 文号
    result = assistant.ask("2025年福建省质量月通知的文号是多少？")
    assert not re.search(r"〔2025〕\d+号", result.answer.split("语料中与此最接近")[0]), result.answer
    assert result.answerable is False


def test_deadline(assistant):
    result = assistant.ask("今年省里质量月总结最晚哪天前要交上去？")
    assert result.answerable and "10月11日" in result.answer and in_corpus("于10月11日前将活动总结报送")


def test_contact_phone(assistant):
    result = assistant.ask("今年省里质量月联系电话是多少？")
    assert result.answerable and "0591-87580701" in result.answer and in_corpus("0591-87580701")


def test_list_is_answered_whole(assistant):
    result = assistant.ask("今年省里质量月说要专项整治哪几类产品？")
    items = ("充电宝", "建筑保温材料", "消防产品")
    assert result.answerable and all(i in result.answer for i in items), result.answer


def test_who_leads_from_the_plan_table(assistant):
    result = assistant.ask("永安23年那个月饼价格和过度包装监管，谁牵头的？")
    assert result.answerable and "执法大队" in result.answer
    assert result.citations[0].section.startswith("附件2")


def test_count(assistant):
    result = assistant.ask("今年全国质量月一共多少个部门联合开展？")
    assert result.answerable and "26个部门" in result.answer


def test_answer_differs_by_year_each_labelled(assistant):
    result = assistant.ask("福建省历年质量月主题分别是什么？")
    assert result.answerable
    assert "2025年" in result.answer and "2024年" in result.answer
    assert "促进质量强省建设" in squash(result.answer) and "共建质量强省" in squash(result.answer)
    assert {c.source for c in result.citations} >= {r["file"] for r in catalogue()
                                                    if r["level"] == "provincial" and r["year"] in ("2024", "2025")}


# ------------------------------------------------------------------ refusals


@pytest.mark.parametrize("question,nearest", [
    ("广东省今年质量月主题是什么？", "福建省"),  # another province
    ("2030年全国质量月主题是什么？", "2025"),  # a year with no notice
    ("2021年全国质量月通知文号是多少？", "2022"),
    ("2025年全国质量月活动经费预算是多少？", "2025"),  # a fact never stated
])
def test_out_of_corpus_is_refused_and_names_the_nearest(assistant, question, nearest):
    result = assistant.ask(question)
    assert result.answerable is False and not result.citations
    assert result.answer.startswith(("语料中没有", "检索到的")), result.answer
    assert "最接近" in result.answer and nearest in result.answer.split("最接近")[1]


# ------------------------------------------------------------------ citation verification


@pytest.fixture(scope="module")
def theme_turn(assistant) -> Retrieved:
    question = "2025年全国质量月的主题是什么？"
    return assistant.retrieve(Standalone(asked=Question(question), text=question))


def _theme_and_other(turn: Retrieved):
    theme = next(c for c in turn.retrieval.contexts if "活动主题" in c.section)
    other = next(c for c in turn.retrieval.contexts if "加强全面质量管理" not in c.text)
    return theme, other


def test_planted_wrong_citation_is_removed_and_flagged(assistant, theme_turn):
    theme, other = _theme_and_other(theme_turn)
    draft = Draft("2025年全国质量月的主题是“加强全面质量管理 促进质量强国建设”[1]", True, {1: other})
    result = assistant.finish(theme_turn, draft)
    assert not result.citations and "[1]" not in result.answer
    assert "未能核实出处" in result.answer and any("did not support" in f for f in result.flags)
    assert result.answerable is False  # an answer left with no verified citation is not shown as answered


def test_right_citation_survives_and_wrong_one_beside_it_goes(assistant, theme_turn):
    theme, other = _theme_and_other(theme_turn)
    draft = Draft("主题是“加强全面质量管理 促进质量强国建设”[1][2]", True, {1: other, 2: theme})
    result = assistant.finish(theme_turn, draft)
    assert [c.chunk_id for c in result.citations] == [theme.chunk_id]
    assert result.answer.count("[1]") == 1 and "[2]" not in result.answer  # renumbered


def test_invented_number_is_never_shown(assistant, theme_turn):
    theme, _ = _theme_and_other(theme_turn)
    planted = "本次活动共安排经费3721万元[1]。"
    draft = Draft(f"主题是“加强全面质量管理 促进质量强国建设”[1]。\n{planted}", True, {1: theme})
    result = assistant.finish(theme_turn, draft)
    assert "3721" not in result.answer and result.citations
    assert any("3721" in f for f in result.flags)


def test_attribution_marks_supported_sentences_only(theme_turn):
    theme, other = _theme_and_other(theme_turn)
    text = "今年的主题是加强全面质量管理 促进质量强国建设。各地要组织开展质量月宇宙飞船大赛。"
    marked = attribute(text, {1: other, 2: theme})
    assert "建设[2]。" in marked and marked.endswith("大赛。")
    checked = verify_answer(marked, {1: other, 2: theme}, [other, theme])
    assert checked.used == [2]


def test_supported_needs_the_key_facts():
    evidence = "请于10月11日前将活动总结报送省局质量发展处。"
    assert supported("活动总结于10月11日前报送省局质量发展处", evidence)
    assert not supported("活动总结于10月12日前报送省局质量发展处", evidence)


# ------------------------------------------------------------------ CLI JSON


@pytest.mark.slow
def test_cli_ask_json_fields(built_index):
    env = dict(os.environ, PYTHONPATH=str(ROOT), ZLY_DATA_DIR=str(built_index.index.data_dir),
               ZLY_CORPUS_DIR=str(built_index.index.corpus_dir), ZLY_TODAY=built_index.retrieval.today.isoformat(),
               ZLY_ANSWERER="extractive")
    proc = subprocess.run([sys.executable, "-m", "assistant", "ask", "今年全国质量月的主题是什么？", "--json"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(proc.stdout)
    assert {"answer", "answerable", "citations", "contexts", "answerer", "latency_ms"} <= set(data)
    assert data["answerable"] is True and data["answerer"] == "extractive"
    assert {"n", "source", "title", "doc_no", "section", "text"} <= set(data["citations"][0])
    assert {"source", "title", "doc_no", "section", "text", "score"} <= set(data["contexts"][0])
    assert len(data["contexts"]) >= 3


def test_outline_lists_every_sub_heading(assistant, index_reader):
    """"分几部分？每部分标题是什么" is one question about one set: every sub-heading, each cited."""
    view = index_reader.view()
    national = next(r for r in catalogue() if r["level"] == "national" and r["year"] == "2025")
    sections = {view.snapshot.chunks[c]["meta"]["section"] for c in view.snapshot.files[national["file"]].chunk_ids}
    parent = next(s.split(" > ")[0] for s in sections if "活动内容" in s)
    heads = sorted({s.split(" > ")[1] for s in sections if s.startswith(parent + " > ")})
    assert len(heads) > 2
    result = assistant.ask("25年全国质量月的活动内容分几部分？每部分标题是什么")
    assert result.answerable and f"共分{len(heads)}部分" in result.answer, result.answer
    assert all(h in result.answer for h in heads) and len(result.citations) == len(heads)


def test_contact_of_the_forwarding_notice(assistant):
    """"省里转发国家通知时的联系人" asks the provincial notice, whose contact line sits in its own text."""
    forwarding = next(r for r in catalogue() if r["year"] == "2022")
    text = (CORPUS / forwarding["file"]).read_text("utf-8")
    name, phone = re.search(r"联系人：([\u4e00-\u9fa5]{2,4})（[^）]*），电话：(\d{11})", text).groups()
    result = assistant.ask("22年省里转发国家质量月通知那次，联系人是谁？手机多少？")
    assert result.answerable and name in result.answer and phone in result.answer, result.answer


def test_a_year_named_by_its_theme_wording_is_asked_of_that_year(assistant):
    """"主题里带“…”的那年，…": a fragment of one year's theme (read from the facts, not written here)
    sets the year of the question asked after it."""
    from assistant.execute import fact_store

    notices = fact_store(assistant.executor.store).all_facts()
    themes = {(nf.year, squash(str(nf.theme.value))) for nf in notices if nf.theme and nf.year}
    year, theme = next((y, t) for y, t in sorted(themes)
                       if not any(t[:4] in other for y2, other in themes if y2 != y))
    standalone = assistant.rewrite(Question(f"主题里带“{theme[:4]}”的那年，质量月的口号有哪些？", []))
    assert standalone.plan.scope.years == [year], standalone.plan
    # a question that names its year keeps it
    kept = assistant.rewrite(Question(f"2019年主题里带“{theme[:4]}”的那年口号有哪些？", []))
    assert kept.plan.scope.years == [2019]


def test_a_part_of_an_outline_by_its_place(assistant, index_reader):
    """"…的第N块讲了啥": the n-th sub-section under the heading the question names, whole (the
    sections come from the index, not from this test)."""
    from index.store import IndexStore

    store = IndexStore(index_reader)
    result = assistant.ask("2025年全国质量月通知里活动内容的第三块讲了啥？")
    assert result.answerable, result.answer
    sections = {c.section for c in result.citations}
    assert len(sections) == 1
    cited = result.citations[0]
    ctx = next(c for c in assistant.retriever.search(cited.text[:40]).contexts if c.chunk_id == cited.chunk_id)
    parts = store.outline(ctx)
    assert len(parts) >= 3 and parts[2].section == cited.section, (cited.section, [p.section for p in parts])


def test_a_question_over_every_year_is_answered_per_year(assistant):
    """"历年…分别是什么" with no fact of its own: one passage per year, not the best year alone."""
    result = assistant.ask("历年质量月通知里关于计量的活动分别是什么？")
    assert result.answerable, result.answer
    years = {row["year"] for row in catalogue() for c in result.citations if row["file"] == c.source}
    assert len(years) >= 2, result.answer
    assert all("计量" in c.text for c in result.citations)


# ---- items, parts and mentions read off the document's own structure (expected values from the files)

def _section_lines(name: str, start: str, stop: str) -> list[str]:
    lines = [l.strip() for l in (CORPUS / name).read_text("utf-8").split("\n") if l.strip()]
    at = next(i for i, l in enumerate(lines) if re.fullmatch(start, l))
    end = next((i for i in range(at + 1, len(lines)) if re.match(stop, lines[i])), len(lines))
    return lines[at + 1:end]


def test_the_nth_numbered_item_of_a_named_attachment(assistant):
    items = [l for l in _section_lines("2025-fujian-provincial-notice.txt", r"附件\s*1", r"附件\s*2")
             if re.match(r"\d{1,2}[.．、]", l)]
    result = assistant.ask("2025年省局通知附件1的第4项是什么？")
    assert result.answerable and squash(items[3]) in squash(result.answer), result.answer
    assert not any(squash(i) in squash(result.answer) for i in items[:3] + items[4:])


def test_the_parts_of_a_heading_the_question_names(assistant):
    parts = [re.split(r"[。.]", l, 1)[0] for l in _section_lines(
        "2025-national-samr-notice.txt", r"#*\s*三、活动内容", r"#*\s*四、") if re.match(r"[（(]", l)]
    result = assistant.ask("2025年总局通知的活动内容分哪几部分？")
    assert len(parts) >= 5
    for part in parts:  # each sub-heading, whatever its brackets
        assert squash(re.sub(r"^[（(].[)）]\s*", "", part)) in squash(result.answer), (part, result.answer)


def test_which_documents_mention_a_term_looks_beyond_the_retrieved_passages(assistant):
    holding = {p.name for p in CORPUS.glob("*.txt") if "电梯" in p.read_text("utf-8")}
    result = assistant.ask("哪几年的质量月文件里提到过“电梯”？")
    assert len(holding) >= 3 and {c.source for c in result.citations} == holding, result.answer


def test_a_label_naming_the_file_is_no_invented_number():
    from assistant.results import Context

    ctx = Context("c1", "p12.txt", "", "", "正文", "今天，我市启动质量月活动。", 1.0)
    answer = "根据p12.txt「正文」：\n今天，我市启动质量月活动。[1]"
    assert verify_answer(answer, {1: ctx}, [ctx]).text.startswith("根据p12.txt")


def _headings(lines: list[str]) -> set[str]:
    return {re.split(r"[。.]", re.sub(r"^#*\s*(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)", "", l), 1)[0]
            for l in lines if re.match(r"^#*\s*(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)", l)}


def test_headings_two_levels_share_are_compared_as_headings(assistant):
    lines = [l.strip() for l in (CORPUS / "2022-fujian-forwarding-national-notice.txt").read_text("utf-8").split("\n")]
    cut = next(i for i, l in enumerate(lines) if l.startswith("附件"))  # the national notice follows its list
    shared = _headings(lines[:cut]) & _headings(lines[cut:])
    result = assistant.ask("2022年省级转发通知和国家级通知，有哪几条标题是相同的？")
    assert len(shared) >= 2
    assert f"相同的有{len(shared)}条" in result.answer, result.answer
    assert all(squash(h) in squash(result.answer) for h in shared), result.answer


def test_what_else_the_body_doing_one_thing_did(assistant):
    line = next(l for l in (CORPUS / "2024-fujian-provincial-notice.txt").read_text("utf-8").split("\n")
                if "省农业农村厅" in l)
    promoted = next(s for s in re.split(r"(?<=。)", line) if "产销" in s)
    result = assistant.ask("24年省里附件里搞国家标准宣贯培训的那个厅，还做了哪些产销对接？")
    assert squash(promoted) in squash(result.answer), result.answer


def test_two_steps_on_the_real_notice(assistant):
    line = next(l for l in (CORPUS / "2024-fujian-provincial-notice.txt").read_text("utf-8").split("\n")
                if "质量专项整治行动" in l and "厅" in l)
    body = re.sub(r"\*", "", line).split("：")[0].split("、")[-1]  # the 厅 the line is about
    exam = next(s for s in re.split(r"(?<=。)", line) if "考试" in s)
    result = assistant.ask("24年省里附件里开展质量专项整治行动的那个厅，还组织了什么考试？")
    assert body in result.answer and squash(exam) in squash(result.answer), result.answer


def test_items_of_a_list_about_an_everyday_word(assistant):
    lines = [l.strip() for l in (CORPUS / "2025-fujian-provincial-notice.txt").read_text("utf-8").split("\n")]
    children = [l for l in lines if re.match(r"\d{1,2}[.．、]", l) and re.search("少儿|儿童|少年", l)]
    result = assistant.ask("2025年省局附件1里跟小孩有关的活动有哪些？")
    assert children and all(squash(l) in squash(result.answer) for l in children), result.answer
    others = [l for l in lines if re.match(r"\d{1,2}[.．、]", l) and l not in children]
    assert not any(squash(l) in squash(result.answer) for l in others[:5]), result.answer


def test_plain_wording_names_an_attachment_by_its_number():
    from assistant.query import plain_wording

    assert plain_wording("通知的第二个附件叫什么？") == "通知的附件2叫什么？"
    assert plain_wording("第3个附件和第十份附件") == "附件3和附件10"
    assert plain_wording("第二个活动") == "第二个活动"


def test_that_year_in_a_later_part_is_the_year_the_first_part_found(assistant):
    # the year comes from the document that answered part one, not from the question
    row = next(r for r in catalogue() if r["level"] == "provincial" and r["year"] == "2024")
    text = (CORPUS / row["file"]).read_text("utf-8")
    assert "电动自行车" in text and not any("电动自行车" in (CORPUS / r["file"]).read_text("utf-8")
                                           for r in catalogue() if r["level"] == "provincial" and r["year"] != "2024")
    result = assistant.ask("省里哪一年的质量月通知提到电动自行车？那年的通知文号是多少？")
    assert result.rewritten_question.split("；")[1].startswith("2024年"), result.rewritten_question
    assert row["doc_no"] in result.answer, result.answer


def test_a_place_whose_documents_are_of_other_years_is_refused_for_the_year_asked(assistant):
    county = next(r for r in catalogue() if r["level"] == "county")
    years = {r["year"] for r in catalogue() if r["region"] == county["region"]}
    later = max(int(r["year"]) for r in catalogue())
    assert str(later) not in years
    result = assistant.ask(f"{later}年{county['region']}质量月的活动主题是什么？")
    assert not result.answerable, result.answer


def test_a_question_marked_as_new_inherits_no_year(assistant):
    result = assistant.ask("好的，再问个别的：质量月活动的口号有哪些？", history=["2022年全国质量月的主题是什么？"])
    assert "2022" not in result.rewritten_question, result.rewritten_question


def test_a_year_named_by_what_was_done_in_it(assistant):
    """"搞X那年，…" without quotes: the year of the passages saying every word of X (found in the corpus here,
    a numbered event such as 第N届 that one year's notice alone names)."""
    found = {}
    for row in catalogue():
        for m in re.finditer(r"第([一二三四五六七八九十])届“([\u4e00-\u9fa5]{2,6})”", (CORPUS / row["file"]).read_text("utf-8")):
            found.setdefault(m.groups(), set()).add(int(row["year"]))
    (nth, name), years = next((k, v) for k, v in found.items() if len(v) == 1)
    standalone = assistant.rewrite(Question(f"办第{nth}届{name}那年，省里的活动口号有哪些？", []))
    assert standalone.plan.scope.years == sorted(years), standalone.plan


def test_a_part_saying_only_which_document_is_meant_is_no_question_of_its_own(assistant):
    from assistant.pipeline import split_questions

    assert split_questions("去年省里的主题是啥？就是省局发的那个") == ["去年省里的主题是啥？就是省局发的那个"]
    assert len(split_questions("去年省里的主题是啥？就是省局那个通知的口号有哪些？")) == 2  # it asks its own


def test_a_day_asked_of_a_notice_that_sets_none_is_said_to_be_open(assistant):
    """A notice whose only deadline is open ("活动结束后") gives no day to "几号前交": the answer says so and
    quotes its wording; asked whether there is a day, it answers (the year is found from the facts)."""
    from assistant.execute import fact_store

    notices = fact_store(assistant.executor.store).all_facts()
    nf = next(nf for nf in notices if nf.level == "provincial" and nf.deadlines
              and not any(d.by and re.search(r"\d", str(d.by.value)) for d in nf.deadlines))
    day = assistant.ask(f"{nf.year}年省里那份通知，活动总结最晚几号前交上去？")
    assert not day.answerable and "没有写明" in day.answer, day.answer
    whether = assistant.ask(f"{nf.year}年省里那份通知有没有给总结定截止日期？")
    assert "没有写明具体的截止日期" not in whether.answer, whether.answer  # a yes-or-no question is not refused so


def test_a_comparison_of_the_national_month_and_a_province_answers_both_sides(assistant):
    # "全国…和某省…哪个早": one level word and one place — a side for each, not the best passage alone
    year = max(int(r["year"]) for r in catalogue() if r["level"] == "national")
    province = next(r["region"] for r in catalogue() if r["level"] == "provincial" and r["year"] == str(year))
    result = assistant.ask(f"{year}年全国的质量月通知和{province[:2]}的质量月通知，哪个早？")
    assert f"{year}年全国" in result.answer and f"{year}年省级" in result.answer, result.answer


def test_the_year_of_a_theme_is_asked_after_the_theme(assistant):
    # "从主题看是哪一年的": the theme the document states, then every indexed document stating it, with its year
    county = next(r for r in catalogue() if r["level"] == "county")
    question = f"{county['region']}那份方案的主题，看起来是哪一年的？"
    for result in (assistant.ask(question), list(assistant.ask_stream(question))[-1]):  # the chat streams
        assert result.answerable and "（2）" in result.answer \
            and f"{county['year']}年" in result.answer.split("（2）")[1], result.answer


def test_two_years_are_searched_beside_two_places(assistant):
    # a county and its city named, with two years: each year's passages are searched too, not only each place's
    county = next(r for r in catalogue() if r["level"] == "county")
    later = next(r for r in catalogue() if r["level"] == "provincial" and int(r["year"]) > int(county["year"]))
    text = (CORPUS / later["file"]).read_text("utf-8")
    city = next(c for c in ("三明市", "福州市", "厦门市", "南平市") if c in text and within(county["region"], c))
    question = (f"{city}的工作，{county['region'][:2]}{county['year'][2:]}年的方案和省里"
                f"{later['year'][2:]}年通知里各写了什么？")
    retrieved = assistant.retrieve(Standalone(Question(question, []), question))
    assert any(c.source == later["file"] and city in c.text for c in retrieved.retrieval.contexts), \
        [(c.source, c.text[:30]) for c in retrieved.retrieval.contexts]
