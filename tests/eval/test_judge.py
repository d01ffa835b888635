"""eval/judge.py: hand-labelled (sentence, passage, supported?) pairs cut from corpus/, its answer rule,
and its independence from the product (no import of assistant/ or index/, at any depth of the module)."""
from __future__ import annotations

import ast
import json
import sys
from collections import Counter
from pathlib import Path

import pytest

from eval import judge

ROOT = Path(__file__).resolve().parents[2]
PAIRS = [json.loads(line) for line in (ROOT / "tests" / "eval" / "judge_pairs.jsonl").read_text("utf-8").splitlines()
         if line.strip()]


def test_pairs_are_many_varied_and_cut_from_the_corpus():
    assert len(PAIRS) >= 40 and len({p["id"] for p in PAIRS}) == len(PAIRS)
    kinds = Counter(p["kind"] for p in PAIRS)
    for kind in ("wrong_citation", "department", "number_digit", "paraphrase"):
        assert kinds[kind] >= 5, kinds
    assert kinds["date_digit"] + kinds["doc_no_digit"] >= 5, kinds
    assert 0.3 < sum(p["supported"] for p in PAIRS) / len(PAIRS) < 0.7
    for p in PAIRS:
        assert p["passage"] in (ROOT / "corpus" / p["file"]).read_text("utf-8"), p["id"]


@pytest.mark.parametrize("pair", PAIRS, ids=[f"{p['id']}-{p['kind']}" for p in PAIRS])
def test_judge_agrees_with_the_hand_label(pair):
    verdict = judge.judge_citation(pair["sentence"], pair["passage"])
    assert verdict.supported is pair["supported"], (pair["note"], verdict)


def test_a_wrong_fact_is_named_in_the_verdict():
    p25 = next(p for p in PAIRS if p["kind"] == "date_digit" and "10月12日" in p["sentence"])
    assert judge.judge_citation(p25["sentence"], p25["passage"]).missing == ["10月12日"]


def test_markers_and_year_brackets():
    assert judge.strip_markers("a[1]b[1,2]c[1-3]d[^1]e[S1]f【1】g［1］h[ 2 ]i") == "abcdefghi"
    assert judge.strip_markers("国市监质发[2025]77号") == "国市监质发[2025]77号"  # 4 digits: a year, kept
    passage = "国市监质发〔2025〕77 号"
    for written in ("[2025]", "(2025)", "（2025）", "【2025】", "［2025］"):
        assert judge.supports(f"国市监质发{written}77号[1]", passage), written


def test_empty_sentence_or_passage_is_never_supported():
    assert not judge.supports("", "任何内容")
    assert not judge.supports("[1]", "任何内容")
    assert not judge.supports("活动主题", "")
    assert not judge.supports("！？", "！？")  # no bigram and no fact


def test_has_key_facts_is_whitespace_insensitive_and_exact_otherwise():
    answer = "文号：国市监质发〔2025〕77 号。\u3000主题：加强全面质量管理\xa0促进质量强国建设"
    assert judge.has_key_facts(answer, ["国市监质发〔2025〕 77号", "加强全面质量管理 促进质量强国建设"])
    assert not judge.has_key_facts(answer, ["国市监质发[2025]77号"])  # punctuation is compared exactly
    assert not judge.has_key_facts(answer, ["国市监质发〔2025〕77号"], ["加强全面质量管理"])
    assert judge.has_key_facts(answer, [], ["", "国市监质发〔2024〕74号"])  # empty strings never match


def _imports(path: Path) -> list[str]:
    """Every module a file imports, at any depth (inside functions too); relative imports resolved."""
    package = path.parent.name
    out = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package if node.level else ""
            out.append(".".join(x for x in (base, node.module) if x))
    return out


def test_judge_imports_nothing_of_the_product():
    mods = _imports(ROOT / "eval" / "judge.py")
    assert mods, "the parse found no import at all"
    assert not [m for m in mods if m.split(".")[0] in ("assistant", "index")], mods
    assert all(m.split(".")[0] in sys.stdlib_module_names for m in mods), mods  # stdlib only: nothing shared
