"""Conversations: kept in SQLite per user (reopen, rename, delete) and exported as Markdown.

Store: ``<settings.index.data_dir>/conversations.sqlite`` beside the feedback db (stdlib sqlite3)::

    conversations(id, user, title, created_at, updated_at)      -- user "" when login is off
    turns(conversation_id, idx, question, result_json)          -- AnswerResult without its contexts

Times are stored as ISO 8601 in Beijing time (Asia/Shanghai), which is what the users read.
"""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from contextlib import closing
from dataclasses import asdict
from pathlib import Path
from zoneinfo import ZoneInfo

from assistant.results import AnswerResult, Citation
from index.settings import Settings

BEIJING = ZoneInfo("Asia/Shanghai")
DB_NAME = "conversations.sqlite"
TITLE_CHARS = 30
ANSWERER_NAMES = {"extractive": "摘录式（原文摘录，不使用大模型）", "llamacpp": "本地大模型（llama.cpp）",
                  "openai": "大模型接口（OpenAI 兼容）", "generative": "大模型生成"}
SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT NOT NULL, title TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS turns (
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL, question TEXT NOT NULL, result_json TEXT NOT NULL,
    PRIMARY KEY (conversation_id, idx));
CREATE INDEX IF NOT EXISTS conversations_user ON conversations (user, updated_at);
"""


def now_beijing() -> dt.datetime:
    return dt.datetime.now(BEIJING)


def _connect(settings: Settings) -> sqlite3.Connection:
    path = Path(settings.index.data_dir) / DB_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=10)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.executescript(SCHEMA)
    return conn


def _result_json(result: AnswerResult) -> str:
    data = asdict(result)
    data["contexts"] = []  # the cited passages are in citations; contexts would bloat every row
    return json.dumps(data, ensure_ascii=False)


def result_from_json(text: str) -> AnswerResult:
    data = json.loads(text)
    data["citations"] = [Citation(**c) for c in data.get("citations", [])]
    data["contexts"] = []
    return AnswerResult(**data)


def add_turn(settings: Settings, user: str, conversation_id: int | None, question: str,
             result: AnswerResult) -> int:
    """Append a turn, creating the conversation (titled by its first question) when id is None."""
    stamp = now_beijing().isoformat(timespec="seconds")
    with closing(_connect(settings)) as conn, conn:
        row = conn.execute("SELECT id FROM conversations WHERE id = ? AND user = ?",
                           (conversation_id or -1, user)).fetchone()
        if row is None:
            title = " ".join(question.split())[:TITLE_CHARS] or "新对话"
            conversation_id = conn.execute(
                "INSERT INTO conversations (user, title, created_at, updated_at) VALUES (?, ?, ?, ?)",
                (user, title, stamp, stamp)).lastrowid
        idx = conn.execute("SELECT COUNT(*) FROM turns WHERE conversation_id = ?", (conversation_id,)).fetchone()[0]
        conn.execute("INSERT INTO turns VALUES (?, ?, ?, ?)", (conversation_id, idx, question, _result_json(result)))
        conn.execute("UPDATE conversations SET updated_at = ? WHERE id = ?", (stamp, conversation_id))
    return int(conversation_id)


def list_conversations(settings: Settings, user: str) -> list[dict]:
    """This user's conversations, newest first: id, title, created_at, updated_at, turns."""
    with closing(_connect(settings)) as conn:
        rows = conn.execute(
            "SELECT c.*, (SELECT COUNT(*) FROM turns t WHERE t.conversation_id = c.id) AS turns "
            "FROM conversations c WHERE user = ? ORDER BY updated_at DESC, id DESC", (user,)).fetchall()
    return [dict(r) for r in rows]


def load_turns(settings: Settings, user: str, conversation_id: int) -> list[tuple[str, AnswerResult]]:
    with closing(_connect(settings)) as conn:
        rows = conn.execute(
            "SELECT t.question, t.result_json FROM turns t JOIN conversations c ON c.id = t.conversation_id "
            "WHERE c.id = ? AND c.user = ? ORDER BY t.idx", (conversation_id, user)).fetchall()
    return [(r["question"], result_from_json(r["result_json"])) for r in rows]


def rename_conversation(settings: Settings, user: str, conversation_id: int, title: str) -> bool:
    title = " ".join((title or "").split())[:80]
    if not title:
        return False
    with closing(_connect(settings)) as conn, conn:
        return conn.execute("UPDATE conversations SET title = ? WHERE id = ? AND user = ?",
                            (title, conversation_id, user)).rowcount > 0


def delete_conversation(settings: Settings, user: str, conversation_id: int) -> bool:
    with closing(_connect(settings)) as conn, conn:
        return conn.execute("DELETE FROM conversations WHERE id = ? AND user = ?",
                            (conversation_id, user)).rowcount > 0


# ---------------------------------------------------------------- Markdown export


def _quote(text: str) -> str:
    lines = [line.strip() for line in (text or "").replace("\t", " | ").splitlines() if line.strip()]
    return "\n".join(f"   > {line}" for line in lines)


def _citation(c: Citation) -> str:
    label = f"《{c.title}》" if c.title else c.source
    if c.doc_no:
        label += f"（{c.doc_no}）"
    parts = [f"{c.n}. {label}"]
    if c.section:
        parts.append(f"「{c.section}」")
    if c.source and c.title:
        parts.append(f"`{c.source}`")
    out = " · ".join(parts)
    quote = _quote(c.text)
    return out + ("\n" + quote if quote else "")


def _turn_markdown(i: int, question: str, result: AnswerResult | None) -> list[str]:
    question = question or (result.question if result else "")
    out = [f"## {i}. {' '.join(question.split())}", ""]
    if result is None:
        return out + ["（无回答）", ""]
    rewritten = (result.rewritten_question or "").strip()
    if rewritten and rewritten != question.strip():
        out += [f"*检索问题：{rewritten}*", ""]
    out += [(result.answer or "").strip() or "（无回答）", ""]
    if result.citations:
        out += ["**来源**", ""]
        out += [_citation(c) for c in sorted(result.citations, key=lambda c: c.n)]
        out.append("")
    elif not result.answerable:
        out += ["*（语料中没有可引用的依据）*", ""]
    meta = [ANSWERER_NAMES.get(result.answerer, result.answerer)] if result.answerer else []
    if result.model and result.model not in ("", "—"):
        meta.append(f"模型 {result.model}")
    if meta:
        out += [f"<sub>回答方式：{'，'.join(meta)}</sub>", ""]
    return out


def conversation_markdown(turns: list[tuple[str, AnswerResult]], title: str = "质量月通知助手 · 对话记录",
                          exported_at: dt.datetime | None = None) -> str:
    """Every turn: the question, the answer, the searched question when a follow-up was rewritten,
    and the cited passages as a numbered source list ([n] in the answer = n. in the list)."""
    out = [f"# {title}", ""]
    if exported_at:
        out += [f"导出时间：{exported_at.astimezone(BEIJING):%Y-%m-%d %H:%M:%S}（北京时间）", ""]
    for i, (question, result) in enumerate(turns, 1):
        out += _turn_markdown(i, question, result)
    return "\n".join(out).rstrip() + "\n"


def save_conversation(turns: list[tuple[str, AnswerResult]], settings: Settings,
                      now: dt.datetime | None = None, title: str | None = None) -> Path:
    """Write the Markdown under <data_dir>/conversations/ and return the path (for a download button)."""
    now = (now or now_beijing()).astimezone(BEIJING)
    folder = Path(settings.index.data_dir) / "conversations"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"质量月对话-{now:%Y%m%d-%H%M%S}.md"
    n = 1
    while path.exists():
        n += 1
        path = folder / f"质量月对话-{now:%Y%m%d-%H%M%S}-{n}.md"
    heading = f"质量月通知助手 · {title}" if title else "质量月通知助手 · 对话记录"
    path.write_text(conversation_markdown(turns, title=heading, exported_at=now), encoding="utf-8")
    return path
