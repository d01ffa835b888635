"""Load and validate the evaluation files (stdlib only).

* ``eval/questions.jsonl`` -> :func:`load_questions` -> ``list[EvalQuestion]``
* ``eval/drafting.jsonl``  -> :func:`load_drafting`  -> ``list[DraftTask]``

Both files are JSON Lines: one JSON object per line, UTF-8.  Blank lines are
skipped.  Any malformed line raises :class:`SchemaError` whose message names
the file, the 1-based line number and the problem, e.g.::

    eval/questions.jsonl line 7: 'type' must be one of factoid, list, ...

Unknown extra fields are allowed and kept in ``.extra`` (a held-out set
written by someone else may carry its own annotations).  See eval/README.md
for the full description of both schemas.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

__all__ = [
    "SchemaError",
    "Source",
    "EvalQuestion",
    "RubricItem",
    "DraftTask",
    "QUESTION_TYPES",
    "RUBRIC_KINDS",
    "LEVELS",
    "load_questions",
    "load_drafting",
    "parse_question",
    "parse_draft_task",
]

QUESTION_TYPES: tuple[str, ...] = (
    "factoid",
    "list",
    "numeric",
    "date_deadline",
    "who_leads",
    "cross_doc_compare",
    "year_disambiguation",
    "multi_hop",
    "unanswerable",
)
RUBRIC_KINDS: tuple[str, ...] = ("must_include", "must_not_include", "structure", "citation")
# The brief names county|city; "province" is accepted too so that a held-out
# set may contain provincial drafting tasks.
LEVELS: tuple[str, ...] = ("county", "city", "province")


def document_text(path: Path) -> str:
    """A corpus file's text as a reader sees it: UTF-8 (BOM allowed) or GBK/GB18030 text; for an
    .html page its visible text, one line per block element. Stdlib only."""
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        text = raw.decode("utf-8", errors="replace")
    if path.suffix.lower() not in (".html", ".htm"):
        return text
    from html.parser import HTMLParser

    class _Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.parts: list[str] = []

        def handle_starttag(self, tag, attrs):
            if tag in ("p", "div", "br", "h1", "h2", "h3", "li", "tr", "title"):
                self.parts.append("\n")

        def handle_data(self, data):
            self.parts.append(data)

    parser = _Text()
    parser.feed(text)
    return "".join(parser.parts)


class SchemaError(ValueError):
    """A line of an evaluation file does not follow the schema."""

    def __init__(self, file: str | Path, line: int | None, problem: str):
        self.file = str(file)
        self.line = line
        self.problem = problem
        where = f"{self.file} line {line}" if line is not None else self.file
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Source:
    file: str
    quote: str


@dataclass
class EvalQuestion:
    id: str
    question: str
    type: str
    answer: str
    must_include: list[str]
    must_not_include: list[str]
    sources: list[Source]
    history: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    line: int | None = None

    @property
    def answerable(self) -> bool:
        return self.type != "unanswerable"

    @property
    def quotes(self) -> list[str]:
        return [s.quote for s in self.sources]


@dataclass
class RubricItem:
    check: str
    kind: str
    values: list[str]
    min_match: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class DraftTask:
    id: str
    request: str
    locality: str
    year: int
    rubric: list[RubricItem]
    level: str | None = None
    template: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    line: int | None = None


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

class _LineError(Exception):
    """Internal: a problem on the current line (file/line added by caller)."""


def _req(obj: dict, key: str) -> Any:
    if key not in obj:
        raise _LineError(f"missing required field '{key}'")
    return obj[key]


def _str(obj: dict, key: str, *, nonempty: bool = True, required: bool = True) -> str | None:
    if not required and obj.get(key) is None:
        return None
    val = _req(obj, key)
    if not isinstance(val, str):
        raise _LineError(f"'{key}' must be a string, got {type(val).__name__}")
    if nonempty and not val.strip():
        raise _LineError(f"'{key}' must be a non-empty string")
    return val


def _str_list(obj: dict, key: str, *, required: bool = True, default: list | None = None) -> list[str]:
    if key not in obj or obj[key] is None:
        if required:
            raise _LineError(f"missing required field '{key}'")
        return list(default or [])
    val = obj[key]
    if not isinstance(val, list):
        raise _LineError(f"'{key}' must be a list of strings, got {type(val).__name__}")
    for i, item in enumerate(val):
        if not isinstance(item, str):
            raise _LineError(f"'{key}[{i}]' must be a string, got {type(item).__name__}")
        if not item.strip():
            raise _LineError(f"'{key}[{i}]' must be a non-empty string")
    return list(val)


def _iter_json_lines(path: Path) -> Iterable[tuple[int, dict]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SchemaError(path, None, "file not found") from None
    except UnicodeDecodeError as e:
        raise SchemaError(path, None, f"not valid UTF-8: {e}") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    for lineno, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as e:
            raise SchemaError(path, lineno, f"not valid JSON: {e}") from None
        if not isinstance(obj, dict):
            raise SchemaError(path, lineno, f"must be a JSON object, got {type(obj).__name__}")
        yield lineno, obj


# --------------------------------------------------------------------------
# questions
# --------------------------------------------------------------------------

_QUESTION_FIELDS = {
    "id", "question", "type", "answer", "must_include", "must_not_include", "sources", "history",
}


def parse_question(obj: dict, *, line: int | None = None) -> EvalQuestion:
    """Validate one decoded JSON object; raises ``_LineError`` (internal) on problems."""
    qid = _str(obj, "id")
    question = _str(obj, "question")
    qtype = _req(obj, "type")
    if qtype not in QUESTION_TYPES:
        raise _LineError(f"'type' must be one of {', '.join(QUESTION_TYPES)}; got {qtype!r}")
    answer = _str(obj, "answer", nonempty=False)
    must_include = _str_list(obj, "must_include")
    must_not_include = _str_list(obj, "must_not_include")
    history = _str_list(obj, "history", required=False, default=[])

    raw_sources = _req(obj, "sources")
    if not isinstance(raw_sources, list):
        raise _LineError(f"'sources' must be a list, got {type(raw_sources).__name__}")
    sources: list[Source] = []
    for i, s in enumerate(raw_sources):
        if not isinstance(s, dict):
            raise _LineError(f"'sources[{i}]' must be an object with 'file' and 'quote'")
        for k in ("file", "quote"):
            if k not in s:
                raise _LineError(f"'sources[{i}]' is missing '{k}'")
            if not isinstance(s[k], str) or not s[k].strip():
                raise _LineError(f"'sources[{i}].{k}' must be a non-empty string")
        sources.append(Source(file=s["file"], quote=s["quote"]))

    if qtype == "unanswerable":
        if must_include:
            raise _LineError("unanswerable questions must have empty must_include")
        if sources:
            raise _LineError("unanswerable questions must have empty sources")
    else:
        if not must_include:
            raise _LineError(f"answerable questions (type {qtype!r}) need at least one must_include string")
        if not sources:
            raise _LineError(f"answerable questions (type {qtype!r}) need at least one source")

    extra = {k: v for k, v in obj.items() if k not in _QUESTION_FIELDS}
    return EvalQuestion(
        id=qid, question=question, type=qtype, answer=answer,
        must_include=must_include, must_not_include=must_not_include,
        sources=sources, history=history, extra=extra, line=line,
    )


def load_questions(path: str | Path, corpus_dir: str | Path | None = None) -> list[EvalQuestion]:
    """Load and validate ``questions.jsonl``.

    If ``corpus_dir`` is given, every source file must exist there and every
    quote must be an exact substring of that file.
    """
    path = Path(path)
    corpus_cache: dict[str, str] = {}
    seen: dict[str, int] = {}
    out: list[EvalQuestion] = []
    for lineno, obj in _iter_json_lines(path):
        try:
            q = parse_question(obj, line=lineno)
        except _LineError as e:
            raise SchemaError(path, lineno, str(e)) from None
        if q.id in seen:
            raise SchemaError(path, lineno, f"duplicate id {q.id!r} (first used on line {seen[q.id]})")
        seen[q.id] = lineno
        if corpus_dir is not None:
            for i, s in enumerate(q.sources):
                if s.file not in corpus_cache:
                    fp = Path(corpus_dir) / s.file
                    if not fp.is_file():
                        raise SchemaError(path, lineno, f"sources[{i}].file {s.file!r} not found in {corpus_dir}")
                    corpus_cache[s.file] = document_text(fp)
                if s.quote not in corpus_cache[s.file]:
                    raise SchemaError(path, lineno, f"sources[{i}].quote is not an exact substring of {s.file}")
        out.append(q)
    return out


# --------------------------------------------------------------------------
# drafting tasks
# --------------------------------------------------------------------------

_TASK_FIELDS = {"id", "request", "locality", "year", "level", "template", "rubric"}
_RUBRIC_FIELDS = {"check", "kind", "values", "min_match"}


def _parse_rubric_item(obj: Any, i: int) -> RubricItem:
    if not isinstance(obj, dict):
        raise _LineError(f"'rubric[{i}]' must be an object")
    for k in ("check", "kind", "values"):
        if k not in obj:
            raise _LineError(f"'rubric[{i}]' is missing '{k}'")
    check = obj["check"]
    if not isinstance(check, str) or not check.strip():
        raise _LineError(f"'rubric[{i}].check' must be a non-empty string")
    kind = obj["kind"]
    if kind not in RUBRIC_KINDS:
        raise _LineError(f"'rubric[{i}].kind' must be one of {', '.join(RUBRIC_KINDS)}; got {kind!r}")
    values = obj["values"]
    if not isinstance(values, list) or not values:
        raise _LineError(f"'rubric[{i}].values' must be a non-empty list of strings")
    for j, v in enumerate(values):
        if not isinstance(v, str) or not v.strip():
            raise _LineError(f"'rubric[{i}].values[{j}]' must be a non-empty string")
    min_match = obj.get("min_match")
    if min_match is not None:
        if isinstance(min_match, bool) or not isinstance(min_match, int):
            raise _LineError(f"'rubric[{i}].min_match' must be an integer")
        if not 1 <= min_match <= len(values):
            raise _LineError(f"'rubric[{i}].min_match' must be between 1 and {len(values)} (number of values)")
    extra = {k: v for k, v in obj.items() if k not in _RUBRIC_FIELDS}
    return RubricItem(check=check, kind=kind, values=list(values), min_match=min_match, extra=extra)


def parse_draft_task(obj: dict, *, line: int | None = None) -> DraftTask:
    tid = _str(obj, "id")
    request = _str(obj, "request")
    locality = _str(obj, "locality")
    year = _req(obj, "year")
    if isinstance(year, bool) or not isinstance(year, int):
        raise _LineError(f"'year' must be an integer, got {type(year).__name__}")
    level = obj.get("level")
    if level is not None and level not in LEVELS:
        raise _LineError(f"'level' must be one of {', '.join(LEVELS)} (or omitted); got {level!r}")
    template = _str(obj, "template", required=False)
    rubric_raw = _req(obj, "rubric")
    if not isinstance(rubric_raw, list) or not rubric_raw:
        raise _LineError("'rubric' must be a non-empty list")
    rubric = [_parse_rubric_item(r, i) for i, r in enumerate(rubric_raw)]
    extra = {k: v for k, v in obj.items() if k not in _TASK_FIELDS}
    return DraftTask(
        id=tid, request=request, locality=locality, year=year, rubric=rubric,
        level=level, template=template, extra=extra, line=line,
    )


def load_drafting(path: str | Path, corpus_dir: str | Path | None = None) -> list[DraftTask]:
    """Load and validate ``drafting.jsonl``.

    If ``corpus_dir`` is given, ``template`` and every ``citation`` value must
    name a file that exists there.
    """
    path = Path(path)
    seen: dict[str, int] = {}
    out: list[DraftTask] = []
    for lineno, obj in _iter_json_lines(path):
        try:
            t = parse_draft_task(obj, line=lineno)
        except _LineError as e:
            raise SchemaError(path, lineno, str(e)) from None
        if t.id in seen:
            raise SchemaError(path, lineno, f"duplicate id {t.id!r} (first used on line {seen[t.id]})")
        seen[t.id] = lineno
        if corpus_dir is not None:
            names = [t.template] if t.template else []
            names += [v for r in t.rubric if r.kind == "citation" for v in r.values]
            for n in names:
                if not (Path(corpus_dir) / n).is_file():
                    raise SchemaError(path, lineno, f"corpus file {n!r} not found in {corpus_dir}")
        out.append(t)
    return out
