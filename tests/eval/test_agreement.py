"""eval/agreement.py: the judge and the product's verifier asked about the same cited pairs of a run."""
from __future__ import annotations

import json
from pathlib import Path

from eval.__main__ import main as eval_main
from eval.agreement import agreement

ROOT = Path(__file__).resolve().parents[2]
NOTICE = (ROOT / "corpus" / "2025-fujian-provincial-notice.txt").read_text("utf-8")
SUMMARY = NOTICE[NOTICE.index("活动结束后，要及时总结"):NOTICE.index("7263441@qq.com）。") + 17]


def _record(answer: str) -> dict:
    return {"id": "t1", "answer": answer,
            "citations": [{"n": 1, "section": "三、活动安排", "text": SUMMARY}]}


def test_counts_where_they_agree_and_where_only_the_verifier_accepts():
    # The second line names the wrong unit (质量监督处 for 质量发展处): the wording still overlaps, which is
    # all the verifier looks at; the judge checks unit names.
    records = [_record("并于10月11日前将活动总结报送省局质量发展处[1]\n并于10月11日前将活动总结报送省局质量监督处[1]"),
               {"id": "t2", "answer": "没有引用", "citations": []}]
    got = agreement(records)
    assert (got["pairs"], got["both"], got["verifier_only"], got["judge_only"], got["neither"]) == (2, 1, 1, 0, 0)
    assert got["agreement"] == 0.5
    assert [d["sentence"] for d in got["disagreements"]] == ["并于10月11日前将活动总结报送省局质量监督处"]


def test_cli_writes_agreement_json(tmp_path, capsys):
    rows = [_record("联系电话：0591-87580701[1]")]
    (tmp_path / "answers.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    assert eval_main(["agreement", str(tmp_path)]) == 0
    saved = json.loads((tmp_path / "agreement.json").read_text("utf-8"))
    assert saved["pairs"] == 1 and saved["agreement"] == 1.0
    assert "agree 100.0%" in capsys.readouterr().out
    assert eval_main(["agreement", str(tmp_path / "missing")]) == 2
