"""The (sentence, cited passage) pairs of an answer, as the eval grades them.

The product marks a cited sentence with [n] (assistant.verify.CITE); each marker group covers its
line's text since the previous group. Read by eval.runner (citation_checks) and eval.agreement.
"""
from __future__ import annotations

import re

from eval import metrics as M

MARKERS = re.compile(r"(?:\[\d{1,2}\])+")  # the pipeline's [n] markers, grouped


def cited_pairs(answer: str, citations: list[dict]) -> list[dict]:
    """(sentence, chunk) pairs: each [n] covers its line's text since the previous marker group."""
    by_n = {c["n"]: c.get("text", "") for c in citations}
    pairs = []
    for line in (answer or "").split("\n"):
        start = 0
        for m in MARKERS.finditer(line):
            sentence = line[start:m.start()].strip() or line[:m.start()].strip()
            for n in dict.fromkeys(int(x) for x in re.findall(r"\d+", m.group(0))):
                chunk = by_n.get(n, "")
                pairs.append({"n": n, "sentence": sentence, "chunk_text": chunk,
                              "supported": M.citation_supported(sentence, chunk)})
            start = m.end()
    return pairs
