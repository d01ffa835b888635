"""Hand-made cases for eval/metrics.py and eval/schema.py."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from eval.metrics import (  # noqa: E402
    answer_correct,
    citation_precision,
    citation_recall,
    citation_supported,
    grade_rubric,
    hit_at,
    key_facts,
    latency_percentiles,
    mrr,
    retrieval_ranks,
)
from eval.schema import SchemaError, load_drafting, load_questions, parse_question  # noqa: E402

Q_THEME = {
    "id": "t1", "type": "factoid", "question": "今年国家质量月主题？", "answer": "",
    "must_include": ["加强全面质量管理", "促进质量强国建设"],
    "must_not_include": ["加强质量支撑"],
    "sources": [{"file": "2025-national-samr-notice.txt", "quote": "加强全面质量管理 促进质量强国建设"}],
}
Q_DOCNO = {
    "id": "t2", "type": "factoid", "question": "文号？", "answer": "",
    "must_include": ["国市监质发〔2025〕77号"], "must_not_include": ["国市监质发〔2024〕74号"],
    "sources": [{"file": "2025-national-samr-notice.txt", "quote": "国市监质发〔2025〕77 号"}],
}
Q_UNANS = {
    "id": "t3", "type": "unanswerable", "question": "广东省主题？", "answer": "语料无广东文件",
    "must_include": [], "must_not_include": [], "sources": [],
}

CHUNK_2025_P = "活动结束后，要及时总结，并于10月11日前将活动总结报送省局质量发展处（联系电话：0591-87580701；电子邮箱：7263441@qq.com）。"
CHUNK_2022 = "于2022年10月10日前将活动总结（纸质版或电子版）……联系人：林忠辉（省市场监督管理局质量发展处），电话：18959167520"
CHUNK_NAT = "# 关于开展 2025 年全国“质量月”活动的通知\n\n国市监质发〔2025〕77 号\n\n市场监管总局等 26 个部门将联合开展"


# ---------------------------------------------------------------- retrieval

def test_retrieval_hit_and_miss():
    ctx = ["无关内容", "## 一、活动主题\n\n加强全面质量管理 促进质量强国建设\n", "其他"]
    assert retrieval_ranks(ctx, ["加强全面质量管理促进质量强国建设"]) == 2  # whitespace-insensitive
    assert retrieval_ranks(ctx, ["加强质量支撑 共建质量强省"]) is None
    assert retrieval_ranks(ctx, []) is None
    assert retrieval_ranks(ctx, ["xx", "其他"]) == 3  # any quote counts
    ranks = [1, 2, None, 5]
    assert hit_at(ranks, 1) == 0.25
    assert hit_at(ranks, 5) == 0.75
    assert mrr(ranks) == pytest.approx((1 + 0.5 + 0 + 0.2) / 4)
    assert hit_at([], 3) == 0.0 and mrr([]) == 0.0


# ---------------------------------------------------------------- answers

def test_answer_correct_hit():
    assert answer_correct("2025年主题是“加强全面质量管理  促进质量强国建设”。", True, Q_THEME)


def test_answer_correct_whitespace_insensitive_both_sides():
    assert answer_correct("文号：国市监质发〔2025〕77 号", True, Q_DOCNO)
    q = dict(Q_DOCNO, must_include=["国市监质发〔2025〕 77 号"])
    assert answer_correct("国市监质发〔2025〕77号", True, q)


def test_answer_correct_misses():
    assert not answer_correct("主题是加强全面质量管理。", True, Q_THEME)  # missing half
    assert not answer_correct("加强全面质量管理 促进质量强国建设；去年是加强质量支撑", True, Q_THEME)  # forbidden
    assert not answer_correct("加强全面质量管理 促进质量强国建设", False, Q_THEME)  # marked unanswerable


def test_answer_correct_refusal():
    assert answer_correct("抱歉，资料中没有广东省的通知。", False, Q_UNANS)
    assert not answer_correct("广东主题是……", True, Q_UNANS)
    # an answerable question refused is wrong
    assert not answer_correct("资料中没有相关信息", False, Q_DOCNO)


def test_answer_correct_accepts_dataclass():
    q = parse_question(Q_THEME)
    assert answer_correct("加强全面质量管理 促进质量强国建设", True, q)


# ---------------------------------------------------------------- citations

def test_key_facts():
    facts = key_facts("文号为国市监质发〔2025〕77号[1]，电话0591-87580701，于10月11日前报送“质量月”总结。")
    assert "质发〔2025〕77号" in facts
    assert "0591-87580701" in facts
    assert "10月11日" in facts
    assert "质量月" in facts
    assert "1" not in facts  # the [1] marker is not a fact


def test_citation_supported_good():
    s = "各地需于10月11日前将活动总结报送省局质量发展处[1]。"
    assert citation_supported(s, CHUNK_2025_P)
    assert citation_supported("2025年全国质量月文号为国市监质发〔2025〕77号【2】", CHUNK_NAT)
    assert citation_supported("电话 0591-87580701 [3]", CHUNK_2025_P)  # no CJK bigram, facts only


def test_citation_supported_wrong_citation():
    # right wording, wrong year's chunk: the date does not appear
    assert not citation_supported("各地需于10月11日前将活动总结报送省局质量发展处[1]。", CHUNK_2022)
    # number not in chunk
    assert not citation_supported("市场监管总局等27个部门联合开展[1]", CHUNK_NAT)
    # 文号 not in chunk
    assert not citation_supported("文号为国市监质发〔2024〕74号[1]", CHUNK_NAT)
    # little character overlap
    assert not citation_supported("永安市开展电梯安全宣传周活动由特安科牵头[1]", CHUNK_2025_P)
    assert not citation_supported("", CHUNK_2025_P)
    assert not citation_supported("10月11日前报送", "")


def test_citation_supported_whitespace_and_year_brackets():
    chunk = "国市监质发〔2025〕77 号\n市场监管总局等 26 个部门将联合开展 2025 年全国“质量月”活动"
    assert citation_supported("市场监管总局等26个部门联合开展2025年全国“质量月”活动（国市监质发[2025]77号）[1]", chunk)


def test_citation_precision_and_recall():
    answers = [
        {"id": "t2", "answer": "国市监质发〔2025〕77号", "answerable": True,
         "citations": [{"sentence": "文号为国市监质发〔2025〕77号[1]", "chunk_text": CHUNK_NAT},
                       {"sentence": "共有27个部门参与[2]", "chunk_text": CHUNK_NAT}]},
        {"id": "t1", "answer": "…", "answerable": True,
         "citations": [{"sentence": "10月11日前报送总结[1]", "chunk_text": CHUNK_2025_P}]},
        {"id": "t3", "answer": "无", "answerable": False, "citations": []},
    ]
    assert citation_precision(answers) == pytest.approx(2 / 3)
    assert citation_precision([]) == 0.0
    # t2 cites a chunk containing its gold quote; t1 does not; t3 is unanswerable (ignored)
    qs = [Q_THEME, Q_DOCNO, Q_UNANS]
    assert citation_recall(answers, qs) == pytest.approx(1 / 2)
    assert citation_recall({a["id"]: a for a in answers}, qs) == pytest.approx(1 / 2)
    assert citation_recall([], qs) == 0.0


# ---------------------------------------------------------------- latency

def test_latency_percentiles():
    assert latency_percentiles([400, 100, 300, 200]) == {"p50": 250.0, "p95": pytest.approx(385.0)}
    assert latency_percentiles([42]) == {"p50": 42.0, "p95": 42.0}
    assert latency_percentiles([]) == {"p50": 0.0, "p95": 0.0}


# ---------------------------------------------------------------- rubric

DRAFT = """# 沙县区市场监督管理局关于印发2025年“质量月”活动方案的通知

【待补：文号】

## 一、活动主题

加强全面质量管理  促进质量强国建设

## 二、活动内容

**（一）深入推进两个《纲要》贯彻实施。**略。

五、有关要求

要严格贯彻落实中央八项规定及其实施细则精神。本段也提到活动主题但不是标题，也提到计划安排表。

附件 1

| 序号 | 活动主题 | 活动内容 | 时间安排 | 牵头部门 | 协办单位 |
|---|---|---|---|---|---|
| 1 | 宣传 | 播放口号 | 9月 | 质量科 | 办公室 |
"""


def test_grade_rubric():
    rubric = [
        {"check": "结构", "kind": "structure", "values": ["活动主题", "活动内容", "有关要求", "附件1"]},
        {"check": "安排表标题", "kind": "structure", "values": ["计划安排表"]},
        {"check": "主题", "kind": "must_include", "values": ["加强全面质量管理 促进质量强国建设"]},
        {"check": "口号", "kind": "must_include", "values": ["坚持质量第一 建设质量强国", "质量发展 利民惠民", "加强全面质量管理"], "min_match": 1},
        {"check": "旧主题", "kind": "must_not_include", "values": ["加强质量支撑", "增强质量意识"]},
        {"check": "残留", "kind": "must_not_include", "values": ["中央八项规定"]},
        {"check": "引用", "kind": "citation", "values": ["2025-national-samr-notice.txt", "2025-fujian-provincial-notice.txt"]},
        {"check": "引用任一", "kind": "citation", "values": ["2025-national-samr-notice.txt", "2023-yongan-county-plan.txt"], "min_match": 1},
    ]
    cited = ["corpus/2025-national-samr-notice.txt#chunk-3", "2024-fujian-provincial-notice.txt"]
    res = {r["check"]: r for r in grade_rubric(DRAFT, cited, rubric)}
    assert res["结构"]["passed"], res["结构"]
    # "计划安排表" only occurs in body text and "活动主题" in a table header: not headings
    assert not res["安排表标题"]["passed"]
    assert res["主题"]["passed"]
    assert res["口号"]["passed"] and res["口号"]["matched"] == ["加强全面质量管理"]
    assert res["旧主题"]["passed"] and res["旧主题"]["matched"] == []
    assert not res["残留"]["passed"] and res["残留"]["matched"] == ["中央八项规定"]
    assert not res["引用"]["passed"] and res["引用"]["missing"] == ["2025-fujian-provincial-notice.txt"]
    assert res["引用任一"]["passed"]
    for r in res.values():
        assert set(r) == {"check", "kind", "passed", "matched", "missing"}


def test_grade_rubric_on_stale_template(tmp_path):
    """The 2023 永安 plan itself, handed in as a 2025 draft, must fail the staleness checks."""
    tasks = {t.id: t for t in load_drafting(ROOT / "eval" / "drafting.jsonl")}
    template = (ROOT / "corpus" / "2023-yongan-county-plan.txt").read_text(encoding="utf-8")
    res = grade_rubric(template, ["2023-yongan-county-plan.txt"], tasks["da-01-yongan-2025"].rubric)
    failed = {r["check"] for r in res if not r["passed"]}
    assert "不得沿用往年主题" in failed
    assert "2025年主题后半句（国家版或省版）" in failed
    assert "引用2025年国家和省级通知" in failed
    passed = {r["check"] for r in res if r["passed"]}
    assert "附件2为活动计划安排表" in passed  # "永安市市场监督管理局 2023 年“质量月”活动计划安排表"


# ---------------------------------------------------------------- schema

def _write(tmp_path: Path, lines: list[str], name="q.jsonl") -> Path:
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def _j(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)


def test_schema_malformed_json_line(tmp_path):
    p = _write(tmp_path, [_j(Q_THEME), "", '{"id": "t9", "question": '])
    with pytest.raises(SchemaError) as e:
        load_questions(p)
    assert "line 3" in str(e.value) and "not valid JSON" in str(e.value)
    assert str(p) in str(e.value)
    assert e.value.line == 3


def test_schema_bad_type(tmp_path):
    p = _write(tmp_path, [_j(dict(Q_THEME, type="trivia"))])
    with pytest.raises(SchemaError, match=r"line 1: 'type' must be one of factoid"):
        load_questions(p)


def test_schema_unanswerable_with_sources(tmp_path):
    bad = dict(Q_UNANS, sources=[{"file": "x.txt", "quote": "y"}])
    p = _write(tmp_path, [_j(Q_THEME), _j(bad)])
    with pytest.raises(SchemaError, match=r"line 2: unanswerable questions must have empty sources"):
        load_questions(p)


def test_schema_missing_field_and_wrong_types(tmp_path):
    no_answer = {k: v for k, v in Q_THEME.items() if k != "answer"}
    with pytest.raises(SchemaError, match=r"line 1: missing required field 'answer'"):
        load_questions(_write(tmp_path, [_j(no_answer)]))
    with pytest.raises(SchemaError, match=r"line 1: 'must_include' must be a list of strings"):
        load_questions(_write(tmp_path, [_j(dict(Q_THEME, must_include="加强"))]))
    with pytest.raises(SchemaError, match=r"line 1: 'history' must be a list of strings"):
        load_questions(_write(tmp_path, [_j(dict(Q_THEME, history="那2024年呢"))]))
    with pytest.raises(SchemaError, match=r"line 1: 'sources\[0\]' is missing 'quote'"):
        load_questions(_write(tmp_path, [_j(dict(Q_THEME, sources=[{"file": "a.txt"}]))]))
    with pytest.raises(SchemaError, match=r"line 1: must be a JSON object"):
        load_questions(_write(tmp_path, ["[1, 2]"]))


def test_schema_duplicate_id(tmp_path):
    p = _write(tmp_path, [_j(Q_THEME), _j(Q_THEME)])
    with pytest.raises(SchemaError, match=r"line 2: duplicate id 't1'"):
        load_questions(p)


def test_schema_quote_checked_against_corpus(tmp_path):
    bad = dict(Q_THEME, sources=[{"file": "2025-national-samr-notice.txt", "quote": "加强质量支撑"}])
    with pytest.raises(SchemaError, match=r"line 1: sources\[0\]\.quote is not an exact substring"):
        load_questions(_write(tmp_path, [_j(bad)]), corpus_dir=ROOT / "corpus")


def test_schema_extra_fields_and_defaults(tmp_path):
    p = _write(tmp_path, [_j(dict(Q_THEME, difficulty="easy")), _j(dict(Q_UNANS, history=["2025年呢？"]))])
    qs = load_questions(p)
    assert qs[0].history == [] and qs[0].extra == {"difficulty": "easy"}
    assert qs[1].history == ["2025年呢？"] and not qs[1].answerable


def test_schema_drafting_errors(tmp_path):
    good = {"id": "d1", "request": "起草", "locality": "永安市", "year": 2025,
            "rubric": [{"check": "c", "kind": "must_include", "values": ["a", "b"], "min_match": 1}]}
    tasks = load_drafting(_write(tmp_path, [_j(good)], "d.jsonl"))
    assert tasks[0].level is None and tasks[0].rubric[0].min_match == 1
    bad_kind = dict(good, rubric=[{"check": "c", "kind": "regex", "values": ["a"]}])
    with pytest.raises(SchemaError, match=r"line 2: 'rubric\[0\]\.kind' must be one of"):
        load_drafting(_write(tmp_path, [_j(good), _j(bad_kind)], "d.jsonl"))
    bad_min = dict(good, rubric=[{"check": "c", "kind": "must_include", "values": ["a"], "min_match": 2}])
    with pytest.raises(SchemaError, match=r"line 1: 'rubric\[0\]\.min_match' must be between 1 and 1"):
        load_drafting(_write(tmp_path, [_j(bad_min)], "d.jsonl"))
    with pytest.raises(SchemaError, match=r"line 1: 'year' must be an integer"):
        load_drafting(_write(tmp_path, [_j(dict(good, year="2025"))], "d.jsonl"))
    with pytest.raises(SchemaError, match=r"line 1: 'level' must be one of"):
        load_drafting(_write(tmp_path, [_j(dict(good, level="town"))], "d.jsonl"))
