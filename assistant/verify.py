"""Citation verification after generation.

Every sentence that cites [n] must be supported by chunk n: its key facts
(numbers, dates, 文号, quoted terms) appear in the chunk and enough of its
wording does. Unsupported citations are removed and the sentence flagged;
a sentence stating a number, date or 文号 found in no retrieved chunk is dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.results import Context

CITE = re.compile(r"\[(\d{1,2})\]")
FACT = re.compile(r"[\u4e00-\u9fa5]{1,12}〔\d{4}〕\d{1,4}号|\d+(?:[.\-:：]\d+)*|“[^”]{2,30}”")
_WS = re.compile(r"\s+")


def _squash(text: str) -> str:
    return _WS.sub("", text)


def key_facts(sentence: str) -> list[str]:
    facts = [_squash(m.group(0)).strip("“”") for m in FACT.finditer(CITE.sub("", sentence))]
    return [f for f in facts if f]


def _bigrams(text: str) -> set[str]:
    cjk = re.sub(r"[^\u4e00-\u9fff]", "", text)
    return {cjk[i:i + 2] for i in range(len(cjk) - 1)}


def supported(sentence: str, evidence: str, min_overlap: float = 0.5) -> bool:
    body = _squash(CITE.sub("", sentence))
    hay = _squash(evidence)
    if any(f not in hay for f in key_facts(sentence)):
        return False
    return not _bigrams(body) or _overlap(body, hay) >= min_overlap


_SENTENCE_END = re.compile(r"(?<=[。！？；])(?![\[\d\]])")


def attribute(answer: str, cited: dict[int, Context], min_chars: int = 6) -> str:
    """Add [n] to each sentence a model wrote without a marker, n = the passage that best supports it.

    Small models often answer correctly but forget the markers; attributing after the fact
    (the same support test verification applies) keeps such answers checkable. A sentence
    no passage supports stays unmarked and is never given a citation it lacks.
    """
    out_lines = []
    for line in answer.split("\n"):
        pieces = []
        for piece in _SENTENCE_END.split(line):
            body = CITE.sub("", piece).strip()
            if not CITE.search(piece) and len(_squash(body)) >= min_chars:
                backing = [n for n in cited if supported(body, cited[n].evidence_text())]
                if backing:
                    best = max(backing, key=lambda n: _overlap(body, cited[n].evidence_text()))
                    end = re.search(r"[。！？；]?\s*$", piece).start()
                    piece = f"{piece[:end]}[{best}]{piece[end:]}"
            pieces.append(piece)
        out_lines.append("".join(pieces))
    return "\n".join(out_lines)


def _overlap(sentence: str, evidence: str) -> float:
    grams = _bigrams(sentence)
    return len(grams & _bigrams(evidence)) / len(grams) if grams else 0.0


@dataclass
class Verified:
    text: str
    used: list[int]  # citation numbers that survived, in order of first use
    flags: list[str] = field(default_factory=list)


def verify_answer(answer: str, cited: dict[int, Context], all_contexts: list[Context]) -> Verified:
    """Check each cited line/sentence of `answer` against the chunk it cites."""
    flags: list[str] = []
    # a label names the file when the document has no title ("p12.txt"): its digits are no invented fact
    corpus_text = _squash("\n".join(f"{c.source}{c.title}{c.doc_no}{c.section}{c.evidence_text()}" for c in all_contexts))
    out_lines, used = [], []
    for line in answer.split("\n"):
        pieces = _SENTENCE_END.split(line) if CITE.search(line) else [line]
        kept = []
        for piece in pieces:
            numbers = [int(n) for n in CITE.findall(piece)]
            unknown = [f for f in key_facts(piece) if f not in corpus_text]
            if unknown:
                flags.append(f"removed a sentence stating {', '.join(unknown)} found in no retrieved passage")
                continue
            good = [n for n in numbers if n in cited and supported(piece, cited[n].evidence_text())]
            for n in numbers:
                if n not in good:
                    piece = piece.replace(f"[{n}]", "")
                    flags.append(f"citation [{n}] did not support: {CITE.sub('', piece).strip()[:40]}")
            if numbers and not good:
                piece = piece.rstrip() + "（未能核实出处）"
            kept.append(piece)
            used.extend(n for n in good if n not in used)
        out_lines.append("".join(kept))
    return Verified("\n".join(l for l in out_lines if l.strip()), used, flags)
