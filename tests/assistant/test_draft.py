"""Plan drafting on the real index of the real corpus, read back from the exported Word file.

Uses the session's `built_index` / `index_reader` (tests/conftest.py): the five notices, ingested
once into a tmp data dir. Every draft must also pass its own fact check with zero findings.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import docx
import pytest

from assistant.draft import DraftError, PlanDraft, draft_plan, fact_check, run_draft_cli, write_docx
from assistant.drafting.polish import rejection
from index.patterns import DOC_NO

pytestmark = pytest.mark.slow

THEME_2025 = "加强全面质量管理"
THEME_2024 = "加强质量支撑 共建质量强省"
TEMPLATE = "2023-yongan-county-plan.txt"
COLUMNS = ["序号", "活动主题", "活动内容", "时间安排", "牵头部门", "协办单位", "备注"]
INVENTED_NO = re.compile(r"[\u4e00-\u9fa5]{2,}〔20\d{2}〕\d+号")


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def settings(built_index):
    return built_index.with_(answerer="extractive")


@pytest.fixture(scope="module")
def draft(settings, index_reader) -> PlanDraft:
    return draft_plan(settings, index_reader, "永安市", 2025, template=Path(TEMPLATE))


@pytest.fixture(scope="module")
def word(draft, tmp_path_factory):
    path = write_docx(draft, tmp_path_factory.mktemp("docx") / "plan.docx")
    return docx.Document(str(path))


def doc_text(document) -> str:
    """The plan's own text: everything before the 起草依据 appendix, which quotes its sources (other
    years, other places) on purpose."""
    paras = [p.text for p in document.paragraphs]
    parts = paras[:max([i for i, t in enumerate(paras) if t == "起草依据"] or [len(paras)])]
    parts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def own_doc_nos(text: str, sources: list[str]) -> list[str]:
    """文号 in `text` that no source has: an invented one."""
    known = flat("".join(sources))
    return [m.group(0) for m in INVENTED_NO.finditer(flat(text)) if m.group(0)[-12:] not in known]


# ------------------------------------------------------------------ 永安市 2025, read back from Word

def test_docx_headings_follow_the_template_plan(word):
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    for name in ["总体要求", "活动主题", "活动内容", "重点活动安排", "有关要求"]:
        assert any(name in h for h in headings), (name, headings)
    assert headings[0].startswith("一、") and any(h.startswith("（一）") for h in headings)
    assert any(p.style.name == "Title" and "2025年“质量月”活动方案" in p.text for p in word.paragraphs)
    # 公文 fonts: body 仿宋 with the east-Asian slot set, 一、 headings 黑体
    normal = word.styles["Normal"].element.rPr.rFonts
    assert normal.get(docx.oxml.ns.qn("w:eastAsia")) == "仿宋_GB2312"
    h1 = word.styles["Heading 1"].element.rPr.rFonts
    assert h1.get(docx.oxml.ns.qn("w:eastAsia")) == "黑体"


def test_docx_schedule_is_a_real_table(word):
    assert len(word.tables) == 1
    table = word.tables[0]
    assert [c.text for c in table.rows[0].cells] == COLUMNS
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert len(rows) >= 5
    assert [r[0] for r in rows] == [str(i) for i in range(1, len(rows) + 1)]
    assert all(r[1] and r[2] and r[4] for r in rows)  # every activity has a name, content and a lead
    assert all("9月" in r[3] for r in rows)  # inside the year's 质量月
    roster = {"质量科", "市管科", "执法大队", "特安科", "消保科", "计量所", "办公室", "各监管所"}
    assert {r[4] for r in rows} <= roster  # 永安's own departments, from its 2023 plan
    assert "特安科" in {r[4] for r in rows if "电梯" in r[2]}
    assert "执法大队" in {r[4] for r in rows if "铁拳" in r[2]}


def test_docx_attachments_start_new_pages_and_placeholders_stay(word):
    body = word.element.body.xml
    assert body.count('w:type="page"') + len(word.sections) - 1 >= 2  # 附件1 page break, 附件2 new section
    text = doc_text(word)
    assert "【待补" in text and "永市监质〔2025〕【待补】号" in flat(text)
    assert "附件1" in text and "附件2" in text


def test_docx_basis_appendix_keys_every_marker(draft, word):
    """Word is traceable: the body carries the Markdown's [S#] markers and the 起草依据 appendix lists each."""
    paras = [p.text for p in word.paragraphs]
    start = max(i for i, t in enumerate(paras) if t == "起草依据")
    body, appendix = "\n".join(paras[:start]), paras[start + 1:]
    used = set(re.findall(r"\[S(\d+)\]", draft.markdown))
    listed = {m.group(1) for t in appendix if (m := re.match(r"^\[S(\d+)\] ", t))}
    assert used and used <= listed and set(re.findall(r"\[S(\d+)\]", body)) <= listed
    assert len(listed) == len(draft.citation_list)
    for c in draft.citation_list:  # each entry: what it supports, the notice, and the passage quoted
        i = appendix.index(next(t for t in appendix if t.startswith(f"[S{c.n}] ")))
        assert c.title in appendix[i] and c.section in appendix[i]
        assert flat(appendix[i + 1]) == flat(c.text)
    marks = [r for p in word.paragraphs[:start] for r in p.runs if re.fullmatch(r"(\[S\d+\])+", r.text)]
    assert marks and all(r.font.superscript for r in marks)


def test_docx_footer_has_a_page_field(word):
    qn = docx.oxml.ns.qn
    first = word.sections[0].footer
    codes = [el.text.strip() for el in first._element.iter(qn("w:instrText"))]
    assert codes == ["PAGE"]
    kinds = [el.get(qn("w:fldCharType")) for el in first._element.iter(qn("w:fldChar"))]
    assert kinds == ["begin", "separate", "end"]
    assert all(s.footer.is_linked_to_previous for s in word.sections[1:])  # the landscape 安排表 too


def test_docx_placeholders_are_highlighted(word):
    from docx.enum.text import WD_COLOR_INDEX

    paragraphs = list(word.paragraphs) + [p for t in word.tables for row in t.rows for c in row.cells
                                          for p in c.paragraphs]
    todo = [p for p in paragraphs if "【待补" in p.text]
    assert todo
    for p in todo:
        lit = "".join(r.text for r in p.runs if r.font.highlight_color == WD_COLOR_INDEX.YELLOW)
        assert lit == "".join(re.findall(r"【待补[^】]*】", p.text)), p.text
    plain = [r for p in paragraphs for r in p.runs if "【待补" not in r.text]
    assert plain and not any(r.font.highlight_color for r in plain)


def test_template_is_never_of_a_later_year(settings, index_reader):
    """The default template is the locality's own or the nearest plan, but never one after the year asked."""
    from assistant.drafting.template import default_template

    snapshot = index_reader.view().snapshot
    plans = {n: e.meta for n, e in snapshot.files.items() if "方案" in e.meta.get("title", "")}
    assert plans
    years = sorted({int(m["year"]) for m in plans.values() if m.get("year")})
    for locality in {m.get("region") for m in plans.values()} | {"南平市"}:
        for year in range(years[0] - 1, years[-1] + 2):
            for level in ("county", "city"):
                tpl = default_template(snapshot, locality, year, level)
                assert not tpl.source or int(plans[tpl.source].get("year") or 0) <= year, (locality, year, tpl.source)
    own = next(n for n, m in plans.items() if m.get("region"))
    assert default_template(snapshot, plans[own]["region"], int(plans[own]["year"]) + 1, "county").source == own
    d = draft_plan(settings, index_reader, plans[own]["region"], years[0] - 1)
    assert d.template_source == "" and "内置县级方案结构" in " ".join(d.notes)


def test_content_is_2025_never_older(draft, word):
    text = doc_text(word) + draft.markdown
    assert THEME_2025 in text and "促进质量强国建设" in text
    for stale in [THEME_2024, "增强质量意识 推进高质量发展", "第六届", "2023", "闽质强省办〔2023〕7号"]:
        assert flat(stale) not in flat(text), stale
    assert "国市监质发〔2025〕77号" in flat(text)
    assert "八项规定" in text and "摊派收费" in text
    slogans = ["坚持质量第一 建设质量强国", "人人创造质量 人人享受质量"]
    assert all(flat(s) in flat(text) for s in slogans)


def test_sources_citations_and_fact_check(draft, index_reader):
    assert draft.sources_used[:2] == ["2025-fujian-provincial-notice.txt", "2025-national-samr-notice.txt"]
    assert draft.year_used == 2025 and draft.unsupported == []
    cited = {c["source"] for c in draft.citations}
    assert {"2025-fujian-provincial-notice.txt", "2025-national-samr-notice.txt"} <= cited
    files = index_reader.view().snapshot.files
    for c in draft.citations:  # every quoted passage stands in its (cleaned) notice, as cited
        assert flat(c["text"]) in flat(files[c["source"]].clean_text), c
        assert c["title"] == files[c["source"]].meta["title"] or c["source"].startswith("2022-"), c
    markers = {int(n) for n in re.findall(r"\[S(\d+)\]", draft.markdown)}
    assert markers == {c["n"] for c in draft.citations}
    texts = [c["text"] for c in draft.citations] + ["2025年永安市"]
    assert fact_check(draft.markdown, texts) == []
    assert own_doc_nos(draft.markdown, texts) == []
    # dated rows of the 2023 plan are dropped and reported, not carried into 2025
    assert any("第六届" in f for f in draft.flags)


# ------------------------------------------------------------------ other years and places

def test_2026_says_no_notice_and_uses_2025(settings, index_reader):
    d = draft_plan(settings, index_reader, "永安市", 2026)
    assert d.year_used == 2025 and all(s.startswith("2025-") for s in d.sources_used[:2])
    top = d.markdown.split("\n\n")[0]
    assert "没有2026年" in top and "2025年" in top
    assert "【待补：2026年“质量月”活动主题" in d.markdown
    assert "〔2026〕" not in d.markdown.replace("永市监质〔2026〕【待补】号", "")
    assert d.unsupported == []


def test_2024_uses_only_the_provincial_notice(settings, index_reader):
    d = draft_plan(settings, index_reader, "建宁县", 2024)
    # guidance: the provincial notice only; the template plan is listed as a (layout) source too
    assert [s for s in d.sources_used if s != d.template_source] == ["2024-fujian-provincial-notice.txt"]
    assert THEME_2024 in d.markdown and THEME_2025 not in d.markdown
    assert "国市监质发〔2024〕74号" in d.markdown  # the national notice it cites
    assert "实施质量强省战略 推进高质量发展" in d.markdown
    assert "【待补：三明市2024年" in d.markdown
    assert d.unsupported == []


def test_2022_city_has_nothing_from_later_years(settings, index_reader):
    d = draft_plan(settings, index_reader, "南平市", 2022)
    for later in ["2023", "2024", "2025", "纲要", "新质生产力", "二十届", "各设区市"]:
        assert later not in d.markdown, later
    assert "推动质量变革创新" in d.markdown and "国市监质发〔2022〕76号" in d.markdown
    assert "【待补：2022年“质量月”活动口号" in d.markdown  # not in the corpus: never another year's
    assert d.unsupported == []


def test_city_voice_and_generic_roster(settings, index_reader):
    d = draft_plan(settings, index_reader, "三明市", 2025)
    assert d.level == "city"
    assert "各县（市、区）" in d.markdown
    for upper in ["各设区市", "平潭综合实验区", "省局相关处室"]:
        assert upper not in d.markdown, upper
    table = next(b for b in d.blocks if b.kind == "table")
    assert all("【待补】" in row[4] for row in table.rows)  # no roster known for 三明: placeholders


def test_rewrite_for_another_county_leaves_nothing_of_yongan(settings, index_reader, tmp_path):
    d = draft_plan(settings, index_reader, "沙县区", 2025, template=Path(TEMPLATE))
    out = write_docx(d, tmp_path / "shaxian.docx")
    text = d.markdown + doc_text(docx.Document(str(out)))
    for old in ["永安", "2023", "永市监质", "第六届"]:
        assert old not in text, old
    assert "三明市沙县区市场监督管理局" in text and "【待补：发文字号】" in text
    assert [h for h in ["总体要求", "活动主题", "有关要求"] if h not in text] == []


def test_departments_file_is_honoured(settings, index_reader, tmp_path):
    roster = tmp_path / "departments.txt"
    roster.write_text("# 沙县区局科室\n质量发展股\n特种设备安全监察股\t特种设备,电梯\n"
                      "稽查执法大队\t铁拳,执法\n各市场监管所\n", encoding="utf-8")
    d = draft_plan(settings, index_reader, "沙县区", 2025, departments=roster)
    table = next(b for b in d.blocks if b.kind == "table")
    leads = {row[4] for row in table.rows}
    assert leads <= {"质量发展股", "特种设备安全监察股", "稽查执法大队"}
    assert {row[4] for row in table.rows if "电梯" in row[2]} == {"特种设备安全监察股"}
    assert {row[5] for row in table.rows} == {"各市场监管所"}
    assert not any("【待补】" in row[4] for row in table.rows)


def test_user_template_changes_the_structure(settings, index_reader, tmp_path):
    plan = tmp_path / "我们去年的方案.txt"
    plan.write_text("沙县区市场监督管理局关于印发2024年“质量月”活动方案的通知\n各市场监管所：\n"
                    "一、指导思想\n略。\n二、组织领导\n略。\n三、活动主题\n略。\n四、主要任务\n略。\n"
                    "五、工作要求\n略。\n附件：1. 活动安排表\n", encoding="utf-8")
    d = draft_plan(settings, index_reader, "沙县区", 2025, template=plan)
    heads = [b.text for b in d.blocks if b.kind == "heading1"]
    # the user's order and wording; the essential section it lacked goes after the tasks
    assert heads == ["一、指导思想", "二、组织领导", "三、活动主题", "四、主要任务", "五、重点活动安排", "六、工作要求"]
    assert "【待补：组织领导】" in d.markdown
    assert any(b.kind == "table" for b in d.blocks)


# ------------------------------------------------------------------ fact check and polish guard

def test_fact_check_flags_invented_doc_no_date_and_edition():
    sources = ["根据国市监质发〔2025〕77 号，于10月11日前报送，开展第三届“福纤杯”竞赛。"]
    assert fact_check("依据国市监质发〔2025〕77号，于10月11日前报送[S1]。", sources) == []
    planted = "依据永市监质〔2025〕12号，于2025年9月5日召开第四届大会，共7个部门参加。"
    found = " ".join(fact_check(planted, sources))
    for fact in ["监质〔2025〕12号", "2025年9月5日", "第四届", "7"]:
        assert fact in found, fact
    assert fact_check("永市监质〔2025〕【待补】号", sources + ["2025"]) == []  # a placeholder is no claim
    assert DOC_NO.search("永市监质〔2025〕12号")


def test_polish_guard_rejects_new_facts_and_altered_names():
    original = "开展“守护消费”执法铁拳行动，于【待补：报送时限】前报送。"
    sources = [original]
    assert rejection(original, "深入开展“守护消费”执法铁拳行动，于【待补：报送时限】前报送。", sources) == ""
    assert "第五届" in rejection(original, "开展第五届“守护消费”执法铁拳行动，于【待补：报送时限】前报送。", sources)
    assert rejection(original, "开展守护消费执法铁拳行动，于【待补：报送时限】前报送情况。", sources)
    assert rejection(original, "开展“守护消费”执法铁拳行动，于9月30日前报送。", sources)


def test_polish_with_a_model_keeps_only_checked_rewrites(settings, index_reader, monkeypatch):
    class Fake:
        name = "fake"

        def chat(self, messages, *, max_tokens, temperature):
            paragraph = messages[-1]["content"].rsplit("待润色段落：\n", 1)[1].strip()
            return paragraph.replace("。", "，并于2031年12月31日前完成。", 1)  # an invented date

    monkeypatch.setattr("assistant.llm.make_chat_model", lambda s: Fake())
    d = draft_plan(settings.with_(answerer="openai"), index_reader, "永安市", 2025)
    assert "2031" not in d.markdown
    assert any("润色结果未采用" in f and "2031" in f for f in d.flags)
    assert d.unsupported == []


# ------------------------------------------------------------------ CLI

def test_cli_json_and_word_export(settings, tmp_path, capsys, monkeypatch):
    class Args:
        locality, year, level, template, departments, json = "永安市", 2025, None, TEMPLATE, None, True
        out = str(tmp_path / "plan.docx")

    assert run_draft_cli(Args(), settings) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"request", "locality", "year", "draft_markdown", "citations", "flags", "sources_used", "docx"} <= set(data)
    assert Path(data["docx"]).is_file() and (tmp_path / "plan.md").is_file()
    assert (tmp_path / "plan.送审核对表.md").read_text(encoding="utf-8").count("| S") == len(data["citations"])
    assert "## 二、活动主题" in data["draft_markdown"]


def test_errors_are_plain(settings, index_reader):
    with pytest.raises(DraftError):
        draft_plan(settings, index_reader, "永安市", 2025, template=Path("/nonexistent/plan.docx"))
    with pytest.raises(DraftError):
        draft_plan(settings, index_reader, "永安市", 2025, level="province")


def test_last_years_word_draft_works_as_template(draft, settings, index_reader, tmp_path):
    """「照我们去年那份的格式」: our own exported .docx read back as the template for next year."""
    last_year = write_docx(draft, tmp_path / "2025.docx")
    d = draft_plan(settings, index_reader, "永安市", 2026, template=last_year)
    assert "永市监质〔2026〕【待补】号" in d.markdown  # the bureau's 文号 prefix survives
    table = next(b for b in d.blocks if b.kind == "table")
    assert table.columns == COLUMNS
    assert not any("【待补】" in row[4] for row in table.rows)  # its roster, read from the Word table
    assert [row[1] for row in table.rows].count("认真总结，及时报送") == 1
    assert d.unsupported == []


# ------------------------------------------------------------------ facts behind the draft

def test_guidance_reads_theme_period_slogans_deadline_from_the_facts(index_reader):
    """Each notice's theme, 活动时间, 口号 and 报送 deadline come from its facts, cited to the paragraph
    holding the fact's span; without facts the paragraph readers give the same values (fallback)."""
    import dataclasses

    from assistant.drafting.guidance import notice_units, slogan_list

    units = [u for u in notice_units(index_reader.view().snapshot) if "方案" not in u.title]
    assert units and all(u.facts is not None for u in units)
    used = {"theme": 0, "period": 0, "slogans": 0, "deadline": 0}
    for u in units:
        f = u.facts
        if f.theme:
            para = u.para_at(f.theme)
            assert para is not None and para.unit is u and flat(str(f.theme.value)) in flat(para.text)
            assert flat(u.theme) == flat(str(f.theme.value))
            used["theme"] += 1
        if f.period:
            time, para = u.time_source()
            assert time == str(f.period.value) and flat(time) in flat(para.text)
            used["period"] += 1
        if f.slogans:
            assert [flat(s) for s in slogan_list(u)[1]] == [flat(str(s.value)) for s in f.slogans]
            used["slogans"] += 1
        if found := u.report_deadline():
            date, para = found
            assert date in para.text and "总结" in para.text
            used["deadline"] += 1
        bare = dataclasses.replace(u, facts=None, paras=[])
        bare.paras = [dataclasses.replace(p, unit=bare) for p in u.paras]
        assert bare.report_deadline() is None
        if f.theme:
            assert flat(bare.theme) == flat(u.theme)  # the old reader agrees on the seed notices
    assert all(used.values()), used
