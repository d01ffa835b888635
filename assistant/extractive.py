"""The model-free answerer: quotes the passages that answer, with citations.

It picks evidence units (assistant/evidence.py) from the retrieved chunks that
match the question's year and level, answers a list or table question whole
(sibling chunks of the same section are pulled in), gives one labelled answer
per notice when the question names no year and the notices differ, and
refuses — naming what the corpus does hold — when no unit carries the kind of
fact asked for or the question's key terms are nowhere in the evidence.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from assistant.evidence import Unit, question_kinds, score_units, term_coverage
from assistant.results import Context
from assistant.retrieve import Retrieval
from index.gazetteer import find_places, province_of
from index.settings import Settings

LEVEL_NAMES = {"national": "全国", "provincial": "省级", "municipal": "市级", "county": "县级"}
# Kinds whose answer is a specific fact: without a unit holding it, the corpus does not say.
FACT_KINDS = {"doc_no", "contact", "deadline", "who_leads", "theme", "slogan"}
PER_NOTICE_KINDS = {"theme", "slogan", "doc_no", "deadline", "contact"}


@dataclass
class Draft:
    """An answer before citation verification: text with [n] markers and the chunk each n cites."""
    text: str
    answerable: bool
    cited: dict[int, Context] = field(default_factory=dict)


def doc_label(ctx: Context) -> str:
    label = f"《{ctx.title}》" if ctx.title else ctx.source
    return label + (f"（{ctx.doc_no}）" if ctx.doc_no else "")


def _unit_display(unit: Unit, ctx: Context) -> str:
    if "\t" in unit.text and ctx.header:
        names = ctx.header.split("\t")
        cells = unit.text.split("\t")
        return "；".join(f"{n}：{c}" for n, c in zip(names, cells) if c.strip() and n != "序号")
    return unit.text


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, settings: Settings, siblings: Callable[[Context], list[Context]] | None = None,
                 corpus_regions: Callable[[], set[str]] | None = None):
        self.settings = settings
        self.siblings = siblings or (lambda ctx: [ctx])
        self.corpus_regions = corpus_regions or (lambda: set())

    # ---- refusal
    def refusal(self, retrieval: Retrieval, reason: str) -> Draft:
        nearest = retrieval.contexts[0] if retrieval.contexts else None
        text = reason
        if nearest:
            year = f"{nearest.year}年" if nearest.year else ""
            text += f"语料中与此最接近的是{year}{doc_label(nearest)}。"
        if retrieval.available_years:
            text += f"（语料现有年份：{'、'.join(map(str, retrieval.available_years))}）"
        return Draft(text, answerable=False)

    def _out_of_corpus_place(self, question: str) -> str:
        covered = self.corpus_regions()
        provinces = {province_of(r) or r for r in covered}
        for place in find_places(question):
            home = province_of(place.name) or place.name
            if place.name not in covered and home not in provinces:
                return place.name
        return ""

    # ---- answering
    def answer(self, question: str, retrieval: Retrieval) -> Draft:
        if retrieval.missing_year:
            return self.refusal(retrieval, f"语料中没有{retrieval.missing_year}年的“质量月”通知，无法回答该年份的问题。")
        place = self._out_of_corpus_place(question)
        if place:
            return self.refusal(retrieval, f"语料中没有{place}的“质量月”通知。")
        if not retrieval.contexts:
            return Draft("语料中没有找到与该问题相关的内容。", answerable=False)
        kinds = question_kinds(question)
        contexts = self._matching(retrieval)
        units = score_units(question, contexts, kinds)
        need_fact = [k for k in kinds if k in FACT_KINDS]
        if need_fact:
            units = [u for u in units if u.kind_match] or []
            if not units:
                what = {"doc_no": "文号", "contact": "联系人或联系方式", "deadline": "截止时间",
                        "who_leads": "牵头部门", "theme": "活动主题", "slogan": "活动口号"}[need_fact[0]]
                return self.refusal(retrieval, f"检索到的通知中没有写明相关的{what}。")
        if not units:
            return self.refusal(retrieval, "语料中没有找到能回答该问题的内容。")
        best = units[0]
        ctx = contexts[best.context]
        if term_coverage(question, ctx.title + ctx.section + ctx.text) < self.settings.min_answer_score:
            return self.refusal(retrieval, "语料中没有找到能直接回答该问题的内容。")
        if not retrieval.info.year and any(k in PER_NOTICE_KINDS for k in kinds):
            per_notice = self._per_notice(units, contexts)
            if len(per_notice) > 1:
                return self._compose_per_notice(per_notice, contexts)
        return self._compose(question, units, contexts, kinds)

    def _matching(self, retrieval: Retrieval) -> list[Context]:
        """Contexts of the year and level the question asks about, when there are any."""
        contexts = retrieval.contexts
        info = retrieval.info
        year = retrieval.nearest_year or info.year
        if year and any(c.year == year for c in contexts):
            contexts = [c for c in contexts if c.year == year]
        if info.level and any(c.level == info.level for c in contexts):
            contexts = [c for c in contexts if c.level == info.level]
        return contexts

    def _per_notice(self, units: list[Unit], contexts: list[Context]) -> dict[tuple, Unit]:
        best: dict[tuple, Unit] = {}
        for u in units:
            ctx = contexts[u.context]
            key = (ctx.year, ctx.level, ctx.source)
            if u.kind_match and key not in best:
                best[key] = u
        return dict(list(best.items())[:4])

    def _compose_per_notice(self, per_notice: dict[tuple, Unit], contexts: list[Context]) -> Draft:
        cited: dict[int, Context] = {}
        lines = ["问题未指明年份，各通知的说法如下："]
        for (year, level, _), unit in sorted(per_notice.items(), key=lambda kv: -(kv[0][0] or 0)):
            ctx = contexts[unit.context]
            n = len(cited) + 1
            cited[n] = ctx
            label = f"{year}年{LEVEL_NAMES.get(level, '')}" if year else LEVEL_NAMES.get(level, "")
            lines.append(f"- {label}：{doc_label(ctx)}「{ctx.section}」")
            lines.append(f"  {_unit_display(unit, ctx)}[{n}]")
        return Draft("\n".join(lines), True, cited)

    def _compose(self, question: str, units: list[Unit], contexts: list[Context], kinds: list[str]) -> Draft:
        best = units[0]
        top_ctx = contexts[best.context]
        whole = "list" in kinds or top_ctx.kind == "list" and ("slogan" in kinds or "list" in kinds)
        chosen: list[tuple[Context, str]] = []
        if whole and top_ctx.kind in ("list", "table_row"):
            for sib in self.siblings(top_ctx):
                chosen.extend((sib, line) for line in sib.text.split("\n") if line.strip())
        else:
            floor = best.score * 0.75
            limit = self.settings.max_answer_sentences if ("who_leads" in kinds or "list" in kinds) else 3
            seen: set[str] = set()
            for u in units:
                if u.score < floor or len(chosen) >= limit:
                    break
                if u.text in seen or (best.kind_match and not u.kind_match):
                    continue
                seen.add(u.text)
                chosen.append((contexts[u.context], _unit_display(u, contexts[u.context])))
        cited: dict[int, Context] = {}
        numbers: dict[str, int] = {}
        lines = []
        for ctx, text in chosen:
            if ctx.chunk_id not in numbers:
                numbers[ctx.chunk_id] = len(cited) + 1
                cited[numbers[ctx.chunk_id]] = ctx
                lines.append(f"根据{doc_label(ctx)}「{ctx.section}」：")
            lines.append(f"{text}[{numbers[ctx.chunk_id]}]")
        return Draft("\n".join(lines), True, cited)
