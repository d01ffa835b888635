"""Evaluation metrics (pure functions, stdlib only).

Every text comparison here is whitespace-insensitive: all whitespace
(spaces, tabs, newlines, U+3000, NBSP, ...) is removed from BOTH sides before
comparing.  Nothing else is normalised (punctuation, full/half width and
case are compared exactly), except where a function documents otherwise.

Inputs may be the dataclasses from :mod:`eval.schema` or plain dicts with the
same field names.  See eval/README.md for the exact definitions.  Whether an
answer holds its key facts and whether a passage supports a cited sentence is
decided by :mod:`eval.judge`, which shares no code with the product.
"""
from __future__ import annotations

import math
import re
from typing import Any, Iterable, Mapping, Sequence

from eval import judge

__all__ = [
    "normalize",
    "contains",
    "retrieval_ranks",
    "hit_at",
    "mrr",
    "answer_correct",
    "strip_citation_markers",
    "key_facts",
    "cjk_bigrams",
    "citation_supported",
    "citation_precision",
    "citation_recall",
    "latency_percentiles",
    "grade_rubric",
]


def normalize(text: str | None) -> str:
    """Remove all whitespace."""
    return judge.squash(text)


def contains(haystack: str | None, needle: str | None) -> bool:
    """Whitespace-insensitive substring test (an empty needle never matches)."""
    return judge.contains(haystack, needle)


def _get(obj: Any, key: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(key, default)
    return getattr(obj, key, default)


# --------------------------------------------------------------------------
# retrieval
# --------------------------------------------------------------------------

def retrieval_ranks(contexts_texts: Sequence[str], quotes: Sequence[str]) -> int | None:
    """1-based rank of the first retrieved chunk containing any gold quote.

    ``contexts_texts`` are the retrieved chunk texts in rank order.  Returns
    None when no chunk contains a quote (or there are no quotes).
    """
    qs = [normalize(q) for q in quotes]
    qs = [q for q in qs if q]
    if not qs:
        return None
    for i, text in enumerate(contexts_texts, start=1):
        t = normalize(text)
        if any(q in t for q in qs):
            return i
    return None


def hit_at(ranks: Iterable[int | None], k: int) -> float:
    """Share of ranks that are not None and <= k (0.0 for an empty list)."""
    ranks = list(ranks)
    if not ranks:
        return 0.0
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks)


def mrr(ranks: Iterable[int | None]) -> float:
    """Mean reciprocal rank; None counts as 0 (0.0 for an empty list)."""
    ranks = list(ranks)
    if not ranks:
        return 0.0
    return sum(1.0 / r for r in ranks if r) / len(ranks)


# --------------------------------------------------------------------------
# answers
# --------------------------------------------------------------------------

def answer_correct(answer: str | None, answerable_pred: bool, q: Any) -> bool:
    """Grade one answer against a question.

    * unanswerable question (``type == "unanswerable"``): correct iff the
      system declared it unanswerable (``answerable_pred`` is False); the
      answer text is not inspected.
    * answerable question: correct iff ``answerable_pred`` is True, every
      ``must_include`` string occurs in the answer and no
      ``must_not_include`` string occurs (whitespace-insensitive).
    """
    if _get(q, "type") == "unanswerable":
        return not answerable_pred
    return bool(answerable_pred) and judge.has_key_facts(answer, _get(q, "must_include", []),
                                                         _get(q, "must_not_include", []))


# --------------------------------------------------------------------------
# citations
# --------------------------------------------------------------------------

def strip_citation_markers(text: str) -> str:
    """Remove markers such as [1], [1,2], [^3], 【2】 from a sentence (eval.judge)."""
    return judge.strip_markers(text)


def key_facts(sentence: str) -> list[str]:
    """Key facts of a cited sentence, whitespace-free (eval.judge rule b.2)."""
    return [f.text for f in judge.facts(sentence)]


def cjk_bigrams(text: str) -> set[str]:
    """Set of bigrams of adjacent CJK characters (whitespace removed first)."""
    return judge.bigrams(text)


def citation_supported(sentence: str, chunk_text: str, min_overlap: float = 0.5) -> bool:
    """Does ``chunk_text`` support the cited ``sentence``? Decided by eval.judge (rule b)."""
    return judge.supports(sentence, chunk_text, min_overlap)


def _citations(answer: Any) -> list[Any]:
    return list(_get(answer, "citations", None) or [])


def _chunk_text(citation: Any) -> str:
    if isinstance(citation, str):
        return citation
    for key in ("chunk_text", "text", "chunk"):
        v = _get(citation, key)
        if isinstance(v, str):
            return v
    return ""


def citation_precision(answers: Iterable[Any]) -> float:
    """Micro-averaged share of (sentence, cited chunk) pairs that are supported.

    Each answer has ``citations``: a list of ``{"sentence": str,
    "chunk_text": str}`` (one entry per cited sentence/chunk pair).  Returns
    0.0 when there are no citations at all.
    """
    total = ok = 0
    for a in answers:
        for c in _citations(a):
            total += 1
            if citation_supported(_get(c, "sentence", "") or "", _chunk_text(c)):
                ok += 1
    return ok / total if total else 0.0


def citation_recall(answers: Iterable[Any] | Mapping[str, Any], questions: Iterable[Any]) -> float:
    """Share of answerable questions whose answer cites a chunk containing a gold quote.

    ``answers`` is a list of answer records with ``id`` (question id) and
    ``citations`` (as for :func:`citation_precision`; an optional
    ``cited_chunks`` list of chunk texts is also read), or a dict id ->
    answer record.  A question without an answer counts as a miss.  Returns
    0.0 when there are no answerable questions.
    """
    if isinstance(answers, Mapping):
        by_id = dict(answers)
    else:
        by_id = {}
        for a in answers:
            by_id[_get(a, "id")] = a
    n = hits = 0
    for q in questions:
        if _get(q, "type") == "unanswerable":
            continue
        n += 1
        a = by_id.get(_get(q, "id"))
        if a is None:
            continue
        quotes = [normalize(_get(s, "quote", "")) for s in (_get(q, "sources", []) or [])]
        quotes = [x for x in quotes if x]
        texts = [normalize(_chunk_text(c)) for c in _citations(a)]
        texts += [normalize(t) for t in (_get(a, "cited_chunks", None) or []) if isinstance(t, str)]
        if any(qt in t for t in texts for qt in quotes):
            hits += 1
    return hits / n if n else 0.0


# --------------------------------------------------------------------------
# latency
# --------------------------------------------------------------------------

def _percentile(sorted_vals: list[float], p: float) -> float:
    # Linear interpolation between closest ranks (numpy's default "linear").
    if len(sorted_vals) == 1:
        return float(sorted_vals[0])
    pos = (len(sorted_vals) - 1) * p / 100.0
    lo = math.floor(pos)
    hi = math.ceil(pos)
    frac = pos - lo
    return float(sorted_vals[lo] + (sorted_vals[hi] - sorted_vals[lo]) * frac)


def latency_percentiles(ms_list: Iterable[float]) -> dict[str, float]:
    """{"p50", "p95"} of the latencies (linear interpolation); 0.0 for an empty list."""
    vals = sorted(float(x) for x in ms_list if x is not None)
    if not vals:
        return {"p50": 0.0, "p95": 0.0}
    return {"p50": _percentile(vals, 50), "p95": _percentile(vals, 95)}


# --------------------------------------------------------------------------
# drafting rubric
# --------------------------------------------------------------------------

_NUMBERING = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d{1,2}[.、．)）]|附件|第[一二三四五六七八九十\d]+[章节条部分])"
)
_MD_LEAD = re.compile(r"^[#>*\-+_`=\s]+")
HEADING_PREFIX_CHARS = 40


def heading_candidates(markdown: str) -> list[str]:
    """Whitespace-free heading-like texts of a draft (see README, 'structure')."""
    out: list[str] = []
    for raw in (markdown or "").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("|") or raw.count("\t") >= 2:  # table rows are not headings
            continue
        is_atx = line.startswith("#")
        bold_lead = line.lstrip("#> ").startswith(("**", "__"))
        text = normalize(_MD_LEAD.sub("", line).replace("**", "").replace("__", ""))
        if not text:
            continue
        if is_atx:
            out.append(text)
        elif len(text) <= HEADING_PREFIX_CHARS or bold_lead or _NUMBERING.match(text):
            out.append(text[:HEADING_PREFIX_CHARS])
    return out


def _basename(name: str) -> str:
    return re.split(r"[\\/]", normalize(name))[-1]


def grade_rubric(draft_markdown: str, cited_sources: Iterable[str], rubric: Iterable[Any]) -> list[dict]:
    """Grade a draft against a rubric.

    Returns one dict per rubric item: ``{"check", "kind", "passed",
    "matched", "missing"}``, where ``matched`` are the values found and
    ``missing`` the values not found (for ``must_not_include``, ``matched``
    are the offending values).  Rules per kind:

    * must_include: value occurs in the draft; passed iff
      len(matched) >= min_match (default: all values).
    * must_not_include: passed iff len(matched) < min_match (default 1,
      i.e. none of the values may occur).
    * structure: value occurs in a heading-like line (see
      :func:`heading_candidates`); passed iff len(matched) >= min_match
      (default all).
    * citation: value (a corpus file name) occurs in one of
      ``cited_sources`` (compared as whitespace-free substrings, so paths
      and "file#chunk" ids work); passed iff len(matched) >= min_match
      (default all).
    """
    draft = normalize(draft_markdown)
    headings = heading_candidates(draft_markdown)
    cited = [normalize(c) for c in (cited_sources or []) if isinstance(c, str)]
    results: list[dict] = []
    for item in rubric:
        kind = _get(item, "kind")
        values = list(_get(item, "values", []) or [])
        min_match = _get(item, "min_match")
        matched: list[str] = []
        missing: list[str] = []
        for v in values:
            nv = normalize(v)
            if kind in ("must_include", "must_not_include"):
                found = bool(nv) and nv in draft
            elif kind == "structure":
                found = bool(nv) and any(nv in h for h in headings)
            elif kind == "citation":
                bv = _basename(v)
                found = bool(bv) and any(bv in c for c in cited)
            else:
                raise ValueError(f"unknown rubric kind {kind!r}")
            (matched if found else missing).append(v)
        if kind == "must_not_include":
            passed = len(matched) < (min_match or 1)
        else:
            need = len(values) if min_match is None else min_match
            passed = len(matched) >= need
        results.append({
            "check": _get(item, "check"),
            "kind": kind,
            "passed": passed,
            "matched": matched,
            "missing": missing,
        })
    return results
