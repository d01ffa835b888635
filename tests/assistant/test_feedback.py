"""👍/👎 feedback in a real SQLite file, its export as draft eval cases, and the chat download."""
from __future__ import annotations

import datetime
import json
import sqlite3

import pytest
from pydantic import SecretStr

from assistant import feedback
from assistant.conversation import conversation_markdown, save_conversation
from assistant.results import AnswerResult, Citation
from eval import feedback_cli
from eval.schema import SchemaError, load_questions
from index.settings import Settings

TODAY = datetime.date(2025, 9, 1)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data", today=TODAY)


def make_result(question="那省里的呢？", rewritten="2025年省里质量月主题是什么？",
                answer="根据《关于开展2025年全国“质量月”活动的通知》：加强全面质量管理 促进质量强国建设[1]") -> AnswerResult:
    cite = Citation(n=1, source="2025-national-samr-notice.txt", title="关于开展2025年全国“质量月”活动的通知",
                    doc_no="国市监质发〔2025〕77号", section="一、活动主题", text="加强全面质量管理 促进质量强国建设",
                    chunk_id="c1")
    return AnswerResult(question=question, answer=answer, answerable=True, citations=[cite],
                        answerer="extractive", model="—", rewritten_question=rewritten)


def test_like_and_dislike_are_stored_in_sqlite(settings):
    liked = feedback.record_feedback(settings, make_result(question="2025年全国质量月主题是什么？",
                                                           rewritten="2025年全国质量月主题是什么？"), +1)
    disliked = feedback.record_feedback(settings, make_result(), -1, comment="问的是省里的，答成了全国的",
                                        correct_answer="加强全面质量管理 促进质量强省建设",
                                        history=["2025年全国质量月主题是什么？"])
    assert disliked > liked

    path = settings.index.data_dir / "feedback.sqlite"
    assert path.is_file()
    with sqlite3.connect(path) as conn:  # a plain sqlite3 reader sees the documented table
        cols = [r[1] for r in conn.execute("PRAGMA table_info(feedback)")]
        rows = conn.execute("SELECT id, rating, question, rewritten_question, answerer, model, settings_version, "
                            "comment, correct_answer, citations_json, created_at FROM feedback ORDER BY id").fetchall()
        assert conn.execute("PRAGMA user_version").fetchone()[0] == feedback.SCHEMA_VERSION
    assert cols[:12] == ["id", "created_at", "rating", "question", "rewritten_question", "answer", "citations_json",
                         "answerer", "model", "settings_version", "comment", "correct_answer"]
    assert [r[1] for r in rows] == [1, -1]
    row = rows[1]
    assert row[2:6] == ("那省里的呢？", "2025年省里质量月主题是什么？", "extractive", "—")
    assert row[6] == feedback.settings_version(settings) and len(row[6]) == 12
    assert row[7:9] == ("问的是省里的，答成了全国的", "加强全面质量管理 促进质量强省建设")
    assert json.loads(row[9])[0]["doc_no"] == "国市监质发〔2025〕77号"
    assert datetime.datetime.fromisoformat(row[10]).tzinfo is not None

    with pytest.raises(ValueError):
        feedback.record_feedback(settings, make_result(), 0)


def test_comment_added_after_the_click(settings):
    fid = feedback.record_feedback(settings, make_result(), -1)
    assert feedback.update_feedback(settings, fid, comment="年份不对", correct_answer="促进质量强省建设")
    row = feedback.get_feedback(settings, fid)
    assert (row["comment"], row["correct_answer"], row["rating"]) == ("年份不对", "促进质量强省建设", -1)
    assert feedback.update_feedback(settings, fid, rating=+1)
    assert feedback.get_feedback(settings, fid)["rating"] == 1
    assert not feedback.update_feedback(settings, 9999, comment="x")


def test_export_gives_one_draft_case_per_dislike(settings, tmp_path):
    feedback.record_feedback(settings, make_result(question="2025年全国质量月主题是什么？",
                                                   rewritten="2025年全国质量月主题是什么？"), +1)
    fid = feedback.record_feedback(settings, make_result(), -1, comment="答成了全国的",
                                   correct_answer="2025年福建省主题是“加强全面质量管理 促进质量强省建设”。",
                                   history=["2025年全国质量月主题是什么？"])
    out = tmp_path / "feedback.draft.jsonl"
    assert feedback.export_disliked(settings, out) == 1
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    case = json.loads(lines[0])
    assert case["id"] == f"fb-{fid}"
    assert case["question"] == "那省里的呢？" and case["history"] == ["2025年全国质量月主题是什么？"]
    assert case["answer"] == "2025年福建省主题是“加强全面质量管理 促进质量强省建设”。"
    assert case["type"] == "factoid" and case["draft"] is True
    assert case["must_include"] == [] and case["must_not_include"] == [] and case["sources"] == []
    assert "答成了全国的" in case["review_note"] and "2025年省里质量月主题是什么？" in case["review_note"]
    assert case["feedback"]["wrong_answer"].startswith("根据")
    # a draft: the question-set loader refuses it until a maintainer fills in must_include and sources
    with pytest.raises(SchemaError, match="must_include"):
        load_questions(out)


def test_follow_up_without_history_exports_the_standalone_question(settings, tmp_path):
    feedback.record_feedback(settings, make_result(), -1)
    out = tmp_path / "d.draft.jsonl"
    feedback.export_disliked(settings, out)
    case = json.loads(out.read_text(encoding="utf-8"))
    assert case["question"] == "2025年省里质量月主题是什么？" and case["answer"] == ""


def test_eval_feedback_cli_export(settings, tmp_path, capsys):
    out = tmp_path / "cli.draft.jsonl"
    assert feedback_cli.main(["export", "--out", str(out), "--data-dir", str(settings.index.data_dir)]) == 1  # no store yet
    feedback.record_feedback(settings, make_result(), -1, correct_answer="促进质量强省建设")
    assert feedback_cli.main(["export", "--out", str(out), "--data-dir", str(settings.index.data_dir)]) == 0
    assert "1 disliked" in capsys.readouterr().out
    assert json.loads(out.read_text(encoding="utf-8"))["answer"] == "促进质量强省建设"
    assert feedback_cli.main(["list", "--data-dir", str(settings.index.data_dir)]) == 0


def test_settings_version_ignores_secrets_and_paths(tmp_path):
    base = Settings(data_dir=tmp_path / "a", today=TODAY)
    assert feedback.settings_version(base) == feedback.settings_version(
        Settings(data_dir=tmp_path / "b", today=TODAY, openai_api_key=SecretStr("sk-secret")))
    assert feedback.settings_version(base) != feedback.settings_version(Settings(data_dir=tmp_path / "a", top_k=3))
    assert feedback.settings_version(base) != feedback.settings_version(
        Settings(data_dir=tmp_path / "a", answerer="openai"))


# ---- the chat download

def test_conversation_markdown_lists_citations(settings):
    first = make_result(question="2025年全国质量月主题是什么？", rewritten="2025年全国质量月主题是什么？")
    second = make_result()
    refused = AnswerResult(question="2026年的呢？", answer="语料中没有2026年的“质量月”通知。", answerable=False,
                           answerer="extractive", model="—", rewritten_question="2026年全国质量月主题是什么？")
    md = conversation_markdown([("2025年全国质量月主题是什么？", first), ("那省里的呢？", second),
                                ("2026年的呢？", refused)])
    assert md.startswith("# ")
    assert "## 1. 2025年全国质量月主题是什么？" in md and "## 2. 那省里的呢？" in md
    assert md.count("检索问题：") == 2  # only where the question was rewritten
    assert "检索问题：2025年省里质量月主题是什么？" in md
    assert "1. 《关于开展2025年全国“质量月”活动的通知》（国市监质发〔2025〕77号） · 「一、活动主题」" in md
    assert "   > 加强全面质量管理 促进质量强国建设" in md
    assert "语料中没有2026年" in md

    path = save_conversation([("那省里的呢？", second)], settings,
                             now=datetime.datetime(2025, 9, 1, 10, 0, tzinfo=datetime.timezone.utc))
    assert path.parent == settings.index.data_dir / "conversations" and path.suffix == ".md"
    assert "国市监质发〔2025〕77号" in path.read_text(encoding="utf-8")
