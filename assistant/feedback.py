"""👍/👎 on answers, stored locally so the question set can grow from real use.

The store is one SQLite file, ``<settings.index.data_dir>/feedback.sqlite`` (stdlib ``sqlite3``;
created on first use). Schema (``PRAGMA user_version`` = 1; see docs/feedback.md)::

    CREATE TABLE feedback (
        id                 INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at         TEXT    NOT NULL,   -- ISO 8601, local time with offset
        rating             INTEGER NOT NULL,   -- +1 liked, -1 disliked
        question           TEXT    NOT NULL,   -- what the user typed
        rewritten_question TEXT    NOT NULL,   -- the standalone question actually searched
        answer             TEXT    NOT NULL,
        citations_json     TEXT    NOT NULL,   -- JSON list of Citation dicts (n, source, title, doc_no, section, text, chunk_id)
        answerer           TEXT    NOT NULL,   -- extractive | llamacpp | openai
        model              TEXT    NOT NULL,   -- model name, "—" for extractive
        settings_version   TEXT    NOT NULL,   -- settings_version(settings): 12 hex chars
        comment            TEXT    NOT NULL DEFAULT '',
        correct_answer     TEXT    NOT NULL DEFAULT '',
        history_json       TEXT    NOT NULL DEFAULT '[]'  -- earlier user turns, oldest first
    );

``record_feedback`` adds a row when 👍/👎 is clicked and returns its id; ``update_feedback``
adds the comment and the correct answer the user types afterwards. ``export_disliked``
turns the 👎 rows into DRAFT evaluation cases (``python -m eval feedback export``).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from contextlib import closing
from dataclasses import asdict
from pathlib import Path

from pydantic import SecretStr

from assistant.results import AnswerResult
from index.settings import Settings

DB_NAME = "feedback.sqlite"
SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at         TEXT    NOT NULL,
    rating             INTEGER NOT NULL CHECK (rating IN (1, -1)),
    question           TEXT    NOT NULL,
    rewritten_question TEXT    NOT NULL,
    answer             TEXT    NOT NULL,
    citations_json     TEXT    NOT NULL,
    answerer           TEXT    NOT NULL,
    model              TEXT    NOT NULL,
    settings_version   TEXT    NOT NULL,
    comment            TEXT    NOT NULL DEFAULT '',
    correct_answer     TEXT    NOT NULL DEFAULT '',
    history_json       TEXT    NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS feedback_rating ON feedback (rating, id);
"""

# Settings that do not change what an answer says: where files live, how the app is served,
# connection details, the clock (today changes daily; the question records what it meant).
_NOT_ANSWER_AFFECTING = {
    "corpus_dir", "data_dir", "models_dir", "prompts_dir", "store_backend", "chroma_host", "chroma_port",
    "host", "port", "auth_users", "max_upload_mb", "allowed_exts", "max_file_mb", "today",
    "embed_batch_size", "embed_device", "llm_threads", "openai_timeout", "openai_base_url",
}


def db_path(settings: Settings) -> Path:
    return Path(settings.index.data_dir) / DB_NAME


def settings_version(settings: Settings) -> str:
    """A short hash of the settings values that affect answers, and of the prompt files.

    Secrets (any SecretStr field) and machine-specific values are left out, so the hash can be
    stored and shared; two installs with the same answer settings get the same version.
    """
    values = {}
    for name, value in sorted(settings.flat_items(), key=lambda item: item[0]):
        if name in _NOT_ANSWER_AFFECTING or isinstance(value, SecretStr):
            continue
        if isinstance(value, Path):
            value = value.name  # the model file, not where it sits
        values[name] = value
    prompts = Path(settings.index.prompts_dir)
    if prompts.is_dir():
        values["prompts"] = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                             for p in sorted(prompts.glob("*.txt"))}
    blob = json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:12]


def connect(settings: Settings) -> sqlite3.Connection:
    """A connection to the feedback store, creating the file and table on first use."""
    path = db_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=10)
    conn.row_factory = sqlite3.Row
    conn.executescript(SCHEMA)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return conn


def record_feedback(settings: Settings, result: AnswerResult, rating: int, comment: str = "",
                    correct_answer: str = "", history: list[str] | None = None) -> int:
    """Store a 👍 (rating > 0) or 👎 (rating < 0) on `result`; returns the row id."""
    if not rating:
        raise ValueError("rating must be +1 (like) or -1 (dislike)")
    row = {
        "created_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "rating": 1 if rating > 0 else -1,
        "question": result.question or "",
        "rewritten_question": result.rewritten_question or result.question or "",
        "answer": result.answer or "",
        "citations_json": json.dumps([asdict(c) for c in result.citations], ensure_ascii=False),
        "answerer": result.answerer or "",
        "model": result.model or "",
        "settings_version": settings_version(settings),
        "comment": (comment or "").strip(),
        "correct_answer": (correct_answer or "").strip(),
        "history_json": json.dumps([t for t in (history or []) if t], ensure_ascii=False),
    }
    with closing(connect(settings)) as conn, conn:
        cur = conn.execute(f"INSERT INTO feedback ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                           list(row.values()))
        return int(cur.lastrowid)


def update_feedback(settings: Settings, feedback_id: int, *, rating: int | None = None,
                    comment: str | None = None, correct_answer: str | None = None) -> bool:
    """Change a stored row (the comment and correct answer typed after the click, or a changed
    mind about 👍/👎). Returns False when there is no such row."""
    sets, values = [], []
    if rating is not None:
        if not rating:
            raise ValueError("rating must be +1 (like) or -1 (dislike)")
        sets.append("rating = ?")
        values.append(1 if rating > 0 else -1)
    for name, value in (("comment", comment), ("correct_answer", correct_answer)):
        if value is not None:
            sets.append(f"{name} = ?")
            values.append(value.strip())
    if not sets:
        return get_feedback(settings, feedback_id) is not None
    with closing(connect(settings)) as conn, conn:
        cur = conn.execute(f"UPDATE feedback SET {', '.join(sets)} WHERE id = ?", [*values, int(feedback_id)])
        return cur.rowcount > 0


def get_feedback(settings: Settings, feedback_id: int) -> dict | None:
    with closing(connect(settings)) as conn:
        row = conn.execute("SELECT * FROM feedback WHERE id = ?", (int(feedback_id),)).fetchone()
    return dict(row) if row else None


def list_feedback(settings: Settings, rating: int | None = None) -> list[dict]:
    """Stored rows, oldest first; only 👍 (rating=1) or only 👎 (rating=-1) when given."""
    if not db_path(settings).exists():
        return []
    with closing(connect(settings)) as conn:
        if rating is None:
            rows = conn.execute("SELECT * FROM feedback ORDER BY id").fetchall()
        else:
            rows = conn.execute("SELECT * FROM feedback WHERE rating = ? ORDER BY id",
                                (1 if rating > 0 else -1,)).fetchall()
    return [dict(r) for r in rows]


def draft_case(row: dict) -> dict:
    """One 👎 row as a DRAFT case in the eval/questions.jsonl schema (eval/README.md).

    It is deliberately incomplete: `type` is a guess ("factoid"), `must_include` and `sources`
    are empty, so eval.schema.load_questions rejects it until a maintainer has reviewed it.
    """
    history = json.loads(row.get("history_json") or "[]")
    question, rewritten = row["question"], row["rewritten_question"]
    note = [f"👎 {row['created_at']}（{row['answerer']}/{row['model']}，settings {row['settings_version']}）"]
    if row.get("comment"):
        note.append(f"用户意见：{row['comment']}")
    if rewritten and rewritten != question:
        note.append(f"检索时改写为：{rewritten}")
        if not history:  # a follow-up without its conversation: keep the standalone form
            question = rewritten
    if not row.get("correct_answer"):
        note.append("用户未给出正确答案")
    note.append("待维护者补全：type、must_include（1–3个关键字符串）、must_not_include、sources（文件+原文引文）")
    return {
        "id": f"fb-{row['id']}",
        "question": question,
        "type": "factoid",
        "answer": row.get("correct_answer") or "",
        "must_include": [],
        "must_not_include": [],
        "sources": [],
        "history": history,
        "draft": True,
        "review_note": "；".join(note),
        "feedback": {
            "id": row["id"], "created_at": row["created_at"], "rating": row["rating"],
            "wrong_answer": row["answer"], "rewritten_question": rewritten,
            "citations": json.loads(row.get("citations_json") or "[]"), "answerer": row["answerer"],
            "model": row["model"], "settings_version": row["settings_version"], "comment": row.get("comment", ""),
        },
    }


def export_disliked(settings: Settings, out_path: str | Path) -> int:
    """Write every 👎 as a draft case (JSON Lines, one per line, oldest first); returns how many."""
    cases = [draft_case(row) for row in list_feedback(settings, rating=-1)]
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for case in cases:
            fh.write(json.dumps(case, ensure_ascii=False) + "\n")
    return len(cases)
