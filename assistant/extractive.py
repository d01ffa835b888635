"""The model-free answerer: quotes the passages that answer, with citations.

It picks evidence units (assistant/evidence.py) from the retrieved chunks that
match the question's year and level, answers a list or table question whole
(sibling chunks of the same section are pulled in), gives one labelled answer
per notice when the question names no year and the notices differ, and
refuses — naming what the corpus does hold — when no unit carries the kind of
fact asked for or the question's key terms are nowhere in the evidence.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from assistant.evidence import counted_thing, enumerates, named_count, official_words, says_term, split_units
from assistant.evidence import (COMPARED, DOC_NO, ENUM_ITEM, OUTLINE_CUES, PART_ASKED, SAME, Unit, kind_evidence,
                                question_kinds, score_units, term_coverage, topic_terms, verb_terms)
from assistant.results import Context
from assistant.similarity import UnitSimilarity
from assistant.retrieve import Retrieval
from assistant.plan import number, positions_of
from index.components.script import to_simplified
from index.gazetteer import find_places, level_of, same_place, short_names_of
from index.settings import Settings
from index.store import DocumentStore, PassageStore, fold, mentions_place, year_words

LEVEL_NAMES = {"national": "全国", "provincial": "省级", "municipal": "市级", "county": "县级"}
# Kinds whose answer is a specific fact: without a unit holding it, the corpus does not say.
FACT_KINDS = {"doc_no", "contact", "email", "phone", "deadline", "date", "issue_date", "who_leads", "person", "theme", "slogan", "place",
              "addressee", "basis"}
PER_NOTICE_KINDS = {"theme", "slogan", "doc_no", "deadline", "contact"}
DOC_LEVEL_KINDS = {"doc_no", "issuer", "issue_date", "addressee", "basis"}
_HEADINGS_ASKED = re.compile(r"标题|题目")  # "哪几条标题一样": the notices' headings are compared, not a list
_EVERY_YEAR = re.compile(r"每年|历年|各年|这几年|近几年|历届|每届|哪几年|哪些年|都提到|提到过|提过|出现过")  # one answer per year: "每年…分别是啥", "哪几年提到过…"
VALUE_KINDS = {"date", "deadline", "issue_date", "phone", "email", "doc_no"}  # answered only by stating the value
SUBJECT_KINDS = {"date", "deadline", "contact", "count", "who_leads"}
WHAT = {"place": "举办地点", "person": "人员", "email": "电子邮箱", "phone": "电话号码", "addressee": "主送单位", "basis": "依据的文件", "issue_date": "成文日期", "doc_no": "文号", "contact": "联系人或联系方式", "deadline": "截止时间", "date": "日期或时间",
        "who_leads": "牵头或承办单位", "theme": "活动主题", "slogan": "活动口号"}
# a numbered line of a list or table: "7.开展…", "3、…", "（2）…", "11\t…"
_NUMBERED = re.compile(r"^(?:(\d{1,2})\s*(?:[.．、]|\t)|[（(](\d{1,2})[）)])\s*(?=\S)")
_HEADING_NUMBER = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d{1,2}[.．、])\s*")
_REFERENCE = re.compile(r"([\u4e00-\u9fa5]{0,30})《([^》]{2,80})》（(" + DOC_NO.pattern + r")）")


def cited_references(contexts: list[Context]) -> list[tuple[int | None, str, str]]:
    """(year, level, region) of notices the passages cite by title and 文号, e.g. 《…》（国市监质发〔2024〕74号）."""
    out = []
    for ctx in contexts:
        for issuer, title, doc_no in _REFERENCE.findall(ctx.text.replace(" ", "")):
            year = re.search(r"(20\d{2})", title + doc_no)
            text = issuer + title
            level = "national" if "全国" in title or doc_no.startswith("国") else (
                "provincial" if "省" in text else "")
            places = find_places(issuer)
            out.append((int(year.group(1)) if year else None, level, places[0].name if places else ""))
    return out


@dataclass
class Draft:
    """An answer before citation verification: text with [n] markers and the chunk each n cites."""
    text: str
    answerable: bool
    cited: dict[int, Context] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)  # shown with the answer, e.g. why a fallback was used


_LEVEL_WORDS = {"national": r"全国|国家|总局", "provincial": r"全省|省", "municipal": r"全市|市级", "county": r"全县|县"}


def _described(ctx: Context) -> str:
    """A passage with what names it: its document's title, 文号 and place, its section."""
    return ctx.title + ctx.doc_no + (ctx.region or "") + ctx.section + ctx.text


def _names_level(text: str, level: str) -> bool:
    return bool(re.search(_LEVEL_WORDS.get(level, "$^"), text))


def _pledges_level(text: str, level: str) -> bool:
    """A theme pledges its level's goal: "共建质量强国" is the national theme wherever it is quoted
    (a province's says 质量强省, a city's 质量强市)."""
    return level == "national" and bool(re.search(r"质量强国[”\"]", text))


def _names_region(ctx: Context, region: str) -> bool:
    """The passage is of that place: its document's region, title or the passage itself names it."""
    names = [region] + short_names_of(region)
    return same_place(ctx.region, region) or any(n in ctx.title + ctx.section + ctx.text for n in names)


_WHEN_KINDS = {"date", "deadline"}
_OF_A_YEAR = _WHEN_KINDS | {"count"}  # a date or a figure is of the year its sentence names


def _of_other_year(text: str, year: int) -> bool:
    """The sentence dates what it says by a year, and not by the one asked."""
    said = {int(y) for y in re.findall(r"((?:19|20)\d{2})\s*年", text)}
    return bool(said) and year not in said


def _names_all(question: str, text: str) -> bool:
    """The sentence names every one of the items a question counts ("哪六大板块" → six)."""
    wanted, noun = named_count(question)
    return wanted > 1 and enumerates(text, wanted) and (not noun or noun in to_simplified(text))


def _enumeration(units: list[tuple[Context, str]]) -> list[tuple[Context, str]]:
    """A paragraph that enumerates ("包括4个方面。一是…。…二是…"): its lead-in and the sentence
    opening each item, not every sentence of every item; [] when it has no such items."""
    starts = [i for i, (_, text) in enumerate(units) if ENUM_ITEM.match(text)]
    if len(starts) < 2:
        return []
    return units[max(0, starts[0] - 1):starts[0]] + [units[i] for i in starts]


def _scope_of(info) -> Callable[[Context], object]:
    """Which of the places (or else years) a question names a passage belongs to."""
    if len(info.regions) > 1:
        return lambda c: next((r for r in info.regions if _names_region(c, r)), None)
    if len(info.years) > 1:
        return lambda c: c.year
    return lambda c: None


def _squashed(text: str) -> str:
    """As focus terms are compared: no whitespace, simplified, lower case (the store's fold)."""
    return fold(text)


def _about_topic(lines: list[tuple[Context, str]], terms: list[str], ctx: Context) -> list[tuple[Context, str]]:
    """"跟X有关的活动有啥": of a list whose heading does not say X, the items that do ([] when none)."""
    if not terms or any(says_term(t, _squashed(ctx.title + ctx.section)) for t in terms):
        return []
    return [(c, line) for c, line in lines if any(says_term(t, _squashed(line)) for t in terms)]


def doc_label(ctx: Context) -> str:
    label = f"《{ctx.title}》" if ctx.title else ctx.source
    label += f"（{ctx.doc_no}）" if ctx.doc_no else ""
    return label + ("〔用户上传，非正式公文〕" if ctx.trust == "user" else "")


def _unit_display(unit: Unit, ctx: Context) -> str:
    if "\t" in unit.text and ctx.header:
        names = ctx.header.split("\t")
        cells = unit.text.split("\t")
        return "；".join(f"{n}：{c}" for n, c in zip(names, cells) if c.strip() and n != "序号")
    return unit.text


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, settings: Settings, store: DocumentStore | None = None,
                 similarity: UnitSimilarity | None = None):
        """`similarity`: sentence-to-question closeness by the embedding model; without it units are
        chosen by their words alone."""
        self.settings = settings
        self.store = store or PassageStore([])
        self.similarity = similarity

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
        """A place the question names that no document in the index names or is from."""
        for place in find_places(question):
            if not mentions_place(self.store, place.name):
                return place.name
        return ""

    @staticmethod
    def _placeless(place: str, retrieval: Retrieval) -> list[Context]:
        """Passages of documents whose place was not read ("我市…" only), of the place's level and the
        year asked where those are known: unknown never hides, so such a document may be the one asked about."""
        level, years = level_of(place), retrieval.info.years
        return [c for c in retrieval.contexts if not c.region and c.level != "national"
                and (not c.level or not level or c.level == level) and (not years or not c.year or c.year in years)]

    def _missing_notice(self, question: str, retrieval: Retrieval) -> str:
        """The notice the question is about, when no document could be it and no passage cites it.

        Unknown metadata never rules a document out: a document whose year, level or region
        was not read may well be the one asked about."""
        info = retrieval.info
        if not re.search(r"通知|方案|文件|文号|发文", question) or not (info.years or info.level or info.regions):
            return ""
        local = [r for r, lvl in zip(info.regions, info.region_levels) if lvl in ("municipal", "county")]
        known = set(self.store.profiles())
        if "文号" in question or "文件" in question:
            known |= set(cited_references(retrieval.contexts))  # a cited notice is known by title and 文号 only
        for year, level, region in known:
            if (not info.years or not year or year in info.years) \
                    and (not info.level or not level or level == info.level or local) \
                    and (not local or not region or region in local):
                return ""
        if any((not info.years or not c.year or c.year in info.years) and any(_names_region(c, r) for r in local)
               for c in retrieval.contexts):
            return ""  # a passage of that year speaks of the place ("省里通知附件里XX市的活动"): it may answer
        year = f"{info.years[0]}年" if info.years else ""
        where = local[0] if local else LEVEL_NAMES.get(info.level, "")
        return f"语料中没有{year}{where}的“质量月”通知或方案。"

    # ---- answering
    def answer(self, question: str, retrieval: Retrieval) -> Draft:
        unnamed = self._out_of_corpus_place(question)
        # only a document that names no place can be the one about a place nothing names
        placeless = self._placeless(unnamed, retrieval) if unnamed else []
        early = self._early_refusal(question, retrieval, unnamed, placeless)
        if early:
            return early
        kinds = question_kinds(question)
        contexts = placeless if unnamed else self._matching(retrieval)
        if not contexts and retrieval.info.regions and retrieval.info.years:
            return self.refusal(retrieval, f"语料中没有{retrieval.info.years[0]}年{retrieval.info.regions[0]}的相关内容。")
        if not retrieval.info.years and _EVERY_YEAR.search(question):
            contexts = self._with_mentions(question, contexts)
        absent = self._absent_attachment(question, contexts, kinds, retrieval.info.level)
        if absent:
            return self.refusal(retrieval, absent)
        if DOC_LEVEL_KINDS & set(kinds):
            contexts = self._with_mastheads(contexts)
        units = self._evidence(question, retrieval, contexts, kinds)
        if isinstance(units, Draft) and "person" in kinds and contexts:
            # "会上接受采访的是谁": the person may be named in a passage of the same report not retrieved
            whole = contexts + [p for p in self.store.document(contexts[0]) if p.chunk_id not in
                                {c.chunk_id for c in contexts}]
            found = self._evidence(question, retrieval, whole, kinds)
            if not isinstance(found, Draft):
                units, contexts = found, whole
        if isinstance(units, Draft):
            return units
        draft = self._compose_best(question, retrieval, units, contexts, kinds)
        if unnamed:
            draft.flags.append(f"所引文件没有写明地区，不一定是{unnamed}的，请核对。")
        unstated = [k for k in kinds if k in VALUE_KINDS and k in WHAT]
        if unstated and not any(u.kind_match for u in units):
            draft.flags.append(f"所引原文没有写明具体的{WHAT[unstated[0]]}。")
        return draft

    def _early_refusal(self, question: str, retrieval: Retrieval, unnamed: str,
                       placeless: list[Context]) -> Draft | None:
        """A refusal that needs no passage read: a year, place or notice the index does not hold
        (`unnamed`: a place no document names; `placeless`: the passages that may still be about it)."""
        if retrieval.missing_year:
            return self.refusal(retrieval, f"语料中没有{retrieval.missing_year}年的“质量月”通知，无法回答该年份的问题。")
        if unnamed and not placeless:
            return self.refusal(retrieval, f"语料中没有{unnamed}的“质量月”通知。")
        if not retrieval.contexts:
            return Draft("语料中没有找到与该问题相关的内容。", answerable=False)
        missing = self._missing_notice(question, retrieval)
        return self.refusal(retrieval, missing) if missing else None

    def _semantic(self, question: str) -> tuple[Callable[[list[str]], dict[str, float]] | None, float]:
        """How score_units asks for the units' closeness in meaning to the question, and its weight."""
        if not self.similarity:
            return None, 0.0
        return partial(self.similarity.scores, question), self.settings.answer.unit_similarity_weight

    @staticmethod
    def _facts_needed(kinds: list[str]) -> list[str]:
        if "issue_date" in kinds:
            return ["issue_date"]  # "哪天印发" asks for the 成文日期, not any date in the text
        return [k for k in kinds if k in FACT_KINDS]

    def _evidence(self, question: str, retrieval: Retrieval, contexts: list[Context],
                  kinds: list[str]) -> list[Unit] | Draft:
        """The units that answer, best first, or the refusal saying what the passages do not state."""
        units = score_units(question, contexts, kinds, *self._semantic(question))
        need_fact = self._facts_needed(kinds)
        if "issue_date" in kinds:
            units = [u for u in units if kind_evidence("issue_date", u.text, contexts[u.context].section)]
        years = retrieval.info.years
        if _OF_A_YEAR & set(kinds) and len(years) == 1:
            # "2031年的开幕式是几号" is not answered by "9月5日，2030年开幕式在…举行", nor
            # "2031年办了多少场" by "2030年…办了12场"
            units = [u for u in units if not _of_other_year(u.text, years[0])]
        if need_fact:
            units = self._kind_units(question, units, contexts)
            if not units:
                return self.refusal(retrieval, f"检索到的通知中没有写明相关的{WHAT[need_fact[0]]}。")
        measure, noun = counted_thing(question) if kinds == ["count"] else ("", "")
        if noun and not any(u.kind_match for u in units) and not OUTLINE_CUES.search(question):
            # "多少个部门" with no passage counting 部门: the number is not stated (a list is counted below)
            if measure == "元":  # a sum of money is stated or not; no list counts it
                return self.refusal(retrieval, f"检索到的段落中没有写明{noun}的金额。")
            if not any(c.kind in ("list", "table_row") for c in contexts[:3]):
                return self.refusal(retrieval, f"检索到的段落中没有写明{noun[:2]}的数量。")
        if not units:
            return self.refusal(retrieval, "语料中没有找到能回答该问题的内容。")
        wanted, noun = named_count(question)
        if wanted > 1 and not _WHEN_KINDS & set(kinds) \
                and not any(enumerates(u.text, wanted) and noun in u.text for u in units) \
                and not any(c.kind in ("list", "table_row") for c in contexts[:3]):
            # "五大系列是哪五个": a passage that only says "五大系列" does not name them
            return self.refusal(retrieval, f"检索到的段落中没有逐项列出这{wanted}项。")
        if (need_fact or "count" in kinds) and self._other_level_only(retrieval.info, contexts):
            # "23年省里的主题" where only a county plan of 2023 is indexed: its theme is not the one asked
            units = [u for u in units if _names_level(u.text, retrieval.info.level)
                     or "theme" in kinds and _pledges_level(u.text, retrieval.info.level)]
            if not units:
                year = f"{retrieval.info.years[0]}年" if retrieval.info.years else ""
                return self.refusal(retrieval, f"语料中没有{year}{LEVEL_NAMES[retrieval.info.level]}的"
                                               f"“质量月”通知，检索到的只有其他层级的文件。")
        everything = "".join(_described(c) for c in contexts)
        if term_coverage(question, everything) < self.settings.answer.min_answer_score:
            return self.refusal(retrieval, "语料中没有找到能直接回答该问题的内容。")
        if SUBJECT_KINDS & set(kinds):
            # a date, phone or count belongs to a subject: it comes from the passages that name that
            # subject best (half the question's terms, or as many as any passage names)
            topic = topic_terms(question)
            cover = {i: term_coverage(question, _described(c), topic) for i, c in enumerate(contexts)}
            info = retrieval.info
            # a question about several years or places, or comparing, has a subject in each: the floor is per document
            each = len(info.years) > 1 or len(info.regions) > 1 or COMPARED.search(question)
            side = (lambda u: contexts[u.context].source) if each else (lambda u: "")
            floors: dict[str, float] = {}
            for u in units:
                floors[side(u)] = min(0.5, max(floors.get(side(u), 0.0), cover[u.context]))
            units = [u for u in units if cover[u.context] >= floors[side(u)] and (floors[side(u)] > 0 or u.kind_match)]
        if not units:
            return self.refusal(retrieval, "检索到的段落都没有提到问题中的关键内容。")
        if "doc_no" in kinds:
            units = self._prefer_matching_doc_no(units, contexts, retrieval)
        return units

    def _compose_best(self, question: str, retrieval: Retrieval, units: list[Unit], contexts: list[Context],
                      kinds: list[str]) -> Draft:
        """The answer from the best units: one per notice, a count, an outline or quoted sentences."""
        best = units[0]
        ctx = contexts[best.context]
        info = retrieval.info
        several = len(info.years) > 1 or len(info.levels) > 1 or len(info.regions) > 1 \
            or bool(COMPARED.search(question)) and len(set(info.levels) | set(info.region_levels)) > 1  # 全国…和某省…
        every_year = not info.years and _EVERY_YEAR.search(question)
        if several or every_year or not info.years and any(k in PER_NOTICE_KINDS for k in kinds):
            need_kind = not (several or every_year) or bool(self._facts_needed(kinds))
            topic = topic_terms(question)
            # a year is answered by a sentence on the topic, not by its best sentence whatever it says
            said = units
            if every_year and topic:  # a term written whole ("开放日") before any of its parts ("开放")
                said = [u for u in units if all(says_term(t, _squashed(u.text)) for t in topic)] \
                    or [u for u in units if any(says_term(t, _squashed(u.text)) for t in topic)] \
                    or [u for u in units if term_coverage(question, u.text, topic) > 0]
            per_notice = self._per_notice(said, contexts, need_kind=need_kind,
                                          scope=(lambda c: c.year) if every_year else _scope_of(info))
            if len(per_notice) > 1 and SAME.search(question) and {"slogan", "list"} & set(kinds):
                common = self._common_items(question, per_notice, contexts)
                if common:
                    return common
            if len(per_notice) > 1:
                more = self._more_mentions(per_notice, said, contexts, topic) if every_year and topic else None
                return self._compose_per_notice(per_notice, contexts, several, more)
        if COMPARED.search(question) and self._facts_needed(kinds):
            # "和那篇…综述里的口号有何出入": one side named by scope, the other only by what it says —
            # the two notices holding the fact asked, best first
            per_notice = dict(list(self._per_notice(units, contexts).items())[:2])
            if len(per_notice) == 1:
                contexts, other = self._other_side(question, contexts, kinds, per_notice)
                per_notice.update(other)
            if len(per_notice) > 1:
                return self._compose_per_notice(per_notice, contexts, several=True)
        if "count" in kinds and ctx.kind in ("list", "table_row") and not best.kind_match:
            return self._compose_count(ctx)
        part = PART_ASKED.search(question)
        if part:
            # "活动安排的第五块讲了啥": the n-th sub-section of the outline the question names
            n, terms = number(part.group(1)), topic_terms(question)
            for i in self._passages_of(units):
                parent = contexts[i].section.rsplit(" > ", 1)[0]
                parts = self.store.outline(contexts[i])
                if len(parts) >= n > 0 and term_coverage(question, parent, terms) > 0:
                    return self._compose_part(parts[n - 1])
        places = positions_of(question)
        if len(places) == 1 and places[0] > 0 and not PART_ASKED.search(question):
            drafted = self._numbered_item(question, places[0], units, contexts)
            if drafted:
                return drafted
        if "list" in kinds or "count" in kinds:
            # "活动内容分哪几条": a heading the question names whose section has sub-sections
            for i in self._passages_of(units):
                heading = _HEADING_NUMBER.sub("", contexts[i].section.rsplit(" > ", 1)[0].rsplit(" > ", 1)[-1])
                parts = self.store.outline(contexts[i]) if " > " in contexts[i].section else []
                if len(heading) >= 2 and heading in question and len(parts) > 1:
                    return self._compose_outline(contexts[i], parts)
        if OUTLINE_CUES.search(question):
            # the best unit may sit in a 版头 or 正文 with no sub-sections: take the first passage,
            # in order of evidence, that belongs to a section with several parts
            for i in self._passages_of(units):
                parts = self.store.outline(contexts[i])
                if len(parts) > 1:
                    return self._compose_outline(contexts[i], parts)
        return self._compose(question, units, contexts, kinds)

    @staticmethod
    def _kind_units(question: str, units: list[Unit], contexts: list[Context]) -> list[Unit]:
        """Units holding the kind of fact asked for — unless they all sit in passages that name none
        of the question's terms while another passage does: then the cue word misled (a "主题建议"
        in a letter is no 活动主题) and the best passage's own units are kept."""
        kind = [u for u in units if u.kind_match]
        topic = topic_terms(question)
        cover = {i: term_coverage(question, _described(c), topic) for i, c in enumerate(contexts)}
        best = max(cover.values(), default=0.0)
        if kind and best > 0 and max(cover[u.context] for u in kind) == 0:
            # a sentence of the kind doing what was asked ("局长某某介绍…" for "介绍…的是谁") did not mislead
            verbs = verb_terms(question)
            doing = [u for u in kind if any(v in to_simplified(u.text) for v in verbs)]
            if doing:
                return doing
            # the cue word misled, or (a date asked) the passage about it states none: its own sentences
            # answer ("及时报送", flagged as stating no date) — another passage's date is not its
            return [u for u in units if cover[u.context] == best] or kind
        return kind

    @staticmethod
    def _other_level_only(info, contexts: list[Context]) -> bool:
        """The question names a level (not a place) and every passage is of another, known level."""
        return bool(info.level and info.level_named and not info.regions and contexts
                    and all(c.level and c.level != info.level for c in contexts))

    def _absent_attachment(self, question: str, contexts: list[Context], kinds: list[str], level: str = "") -> str:
        """The notice lists the attachment that would answer ("附件2 …口号"), but its text is not in
        the file: say so instead of quoting the attachment list. A file forwarding another notice
        holds both: the one of the level asked is meant ("总局那份的附件3")."""
        if not contexts:
            return ""
        notices = list(self.store.facts(contexts[0].source))
        notice = next((nf for nf in notices if level and nf.level == level), notices[0] if notices else None)
        if notice is None:
            return ""
        item = re.search(r"附件\s*(\d{1,2})", question)
        if item and (re.match(r"\s*(?:是|叫)", question[item.end():])
                     or re.search(r"名称|标题|题目|叫什么", question[item.end():])):
            return ""  # "附件4是什么 / 附件2、附件3的名称": the attachments' titles answer, whether or not their text is here
        for att in notice.attachments:
            title = att.title.value if att.title else ""
            wanted = item and att.number == item.group(1) \
                or not item and "slogan" in kinds and not notice.slogans and "口号" in title
            if wanted and not att.present:
                return f"{doc_label(contexts[0])}的附件{att.number or ''}《{title}》未随文收录，语料中没有它的内容。"
        return ""

    def _prefer_matching_doc_no(self, units: list[Unit], contexts: list[Context], retrieval: Retrieval) -> list[Unit]:
        """A 文号 of the level and year asked beats the 文号 of the notice that merely cites it."""
        info = retrieval.info
        for u in units:
            ctx = contexts[u.context]
            refs = cited_references([Context("", "", "", "", "", u.text, 0.0)])
            if any((not info.years or y in info.years) and (not info.level or lv == info.level) for y, lv, _ in refs):
                u.score += 0.5
            elif ctx.section == "版头" and (not info.level or ctx.level == info.level):
                u.score += 0.3
        return sorted(units, key=lambda u: -u.score)

    def _compose_outline(self, ctx: Context, parts: list[Context]) -> Draft:
        """"分几块？各块标题" / "列了哪些单位": the headings of the sub-sections, each cited to its passage."""
        parent = ctx.section.rsplit(" > ", 1)[0]
        lines, cited = [f"{doc_label(ctx)}「{parent}」下共分{len(parts)}部分："], {}
        for part in parts:
            n = len(cited) + 1
            cited[n] = part
            lines.append(f"{part.section.rsplit(' > ', 1)[-1]}[{n}]")
        return Draft("\n".join(lines), True, cited)

    def _with_mentions(self, question: str, contexts: list[Context]) -> list[Context]:
        """"哪几年的文件提到过X": the passages of each document that write X whole (every term of it,
        two per document at most), retrieved or not."""
        terms = [t for t in topic_terms(question) if len(t) >= 2]
        if not terms:
            return contexts
        out, have = list(contexts), {c.chunk_id for c in contexts}
        per_source: dict[str, int] = {}
        for c in contexts:
            if all(says_term(t, _squashed(c.text)) for t in terms):
                per_source[c.source] = per_source.get(c.source, 0) + 1
        longest = max(terms, key=len)
        found = [c for word in (longest,) + official_words(longest) for c in self.store.containing(word)]
        for ctx in list({c.chunk_id: c for c in found}.values()):
            if ctx.chunk_id in have or per_source.get(ctx.source, 0) >= 2 \
                    or not all(says_term(t, _squashed(ctx.text)) for t in terms):
                continue
            if len(out) >= len(contexts) + self.settings.retrieval.top_k:
                break
            per_source[ctx.source] = per_source.get(ctx.source, 0) + 1
            have.add(ctx.chunk_id)
            out.append(ctx)
        return out

    def _with_mastheads(self, contexts: list[Context]) -> list[Context]:
        """Document-level facts (文号, 成文日期, 发文机关, 主送, 依据) live in the 版头 and the opening
        paragraph: bring both in for each notice."""
        out, seen = list(contexts), {c.chunk_id for c in contexts}
        for ctx in contexts[:4]:
            for head in [self.store.masthead(ctx)] + self.store.opening(ctx):
                if head and head.chunk_id not in seen:
                    seen.add(head.chunk_id)
                    out.append(head)
        return out

    @staticmethod
    def _matching_references(question: str, text: str) -> str:
        """From a sentence citing several notices, keep the 《title》（文号） of the one the question names."""
        refs = list(_REFERENCE.finditer(text.replace(" ", "")))
        if len(refs) < 2:
            return text
        places = {p.name for p in find_places(question)} | {p.name[:2] for p in find_places(question)}
        wanted = [re.sub(r"^[和及与、]", "", m.group(0)) for m in refs if any(p and p in m.group(1) for p in places)]
        if not wanted and re.search(r"省里|省级|全省|省质量", question):
            wanted = [m.group(0) for m in refs if "省" in m.group(1) or "省" in m.group(3)[:3]]
        return "；".join(wanted) if wanted else text

    def _passages_of(self, units: list[Unit]) -> list[int]:
        """The passages the units come from, in order of their best unit (top_k at most)."""
        return list(dict.fromkeys(u.context for u in units))[:self.settings.retrieval.top_k]

    def _numbered_item(self, question: str, n: int, units: list[Unit], contexts: list[Context]) -> Draft | None:
        """"附件1第7项是啥": the n-th numbered line of the list the question names (by its 附件 number
        or its topic words), read across the passages of that section."""
        attachment = re.search(r"附件\s*(\d{1,2})", question)
        terms = topic_terms(question)

        def named(ctx: Context) -> bool:
            if attachment:
                return re.match(rf"附件\s*{attachment.group(1)}(?!\d)", ctx.section) is not None
            return not terms or term_coverage(question, ctx.section, terms) > 0

        for i in self._passages_of(units):
            if not named(contexts[i]):
                continue
            for sib in self.store.siblings(contexts[i]):
                for line in sib.text.split("\n"):
                    m = _NUMBERED.match(line.strip())
                    if m and int(m.group(1) or m.group(2)) == n:
                        item = line.strip().replace("\t", " ")
                        return Draft(f"根据{doc_label(sib)}「{sib.section}」，第{n}项：\n{item}[1]", True, {1: sib})
        return None

    def _compose_part(self, first: Context) -> Draft:
        """A sub-section whole: its passages in order, each cited."""
        cited = {n: sib for n, sib in enumerate(self.store.siblings(first), 1)}
        lines = [f"根据{doc_label(first)}「{first.section}」："] + [f"{sib.text}[{n}]" for n, sib in cited.items()]
        return Draft("\n".join(lines), True, cited)

    def _compose_count(self, ctx: Context) -> Draft:
        items = [c for sib in self.store.siblings(ctx) for c in [sib] if sib.text]
        lines_by_ctx = [(sib, [l for l in sib.text.split("\n") if re.match(r"^\d{1,2}(?:[.．、]|\t)", l)])
                        for sib in items]
        total = sum(len(lines) for _, lines in lines_by_ctx)
        if not total:
            return Draft(f"根据{doc_label(ctx)}「{ctx.section}」：\n{ctx.text}[1]", True, {1: ctx})
        cited, out = {}, [f"{doc_label(ctx)}「{ctx.section}」共列出{total}项："]
        for sib, lines in lines_by_ctx:
            if lines:
                n = len(cited) + 1
                cited[n] = sib
                out.extend(f"{line.replace(chr(9), ' ')}[{n}]" for line in lines)
        return Draft("\n".join(out), True, cited)

    def _matching(self, retrieval: Retrieval) -> list[Context]:
        """Contexts of the year, place and level the question asks about, when there are any.

        A passage whose year or level is unknown is kept: unknown never hides. A place named is
        the document's scope and comes before a level word ("XX市那篇里说的全国主题"); a level
        read only off the place does not filter at all."""
        contexts = retrieval.contexts
        info = retrieval.info
        years = [retrieval.nearest_year] if retrieval.nearest_year else info.years
        # the place first: a place's report of one year may quote a figure of the year before
        regions = [r for r in info.regions if any(_names_region(c, r) for c in contexts)]
        # "永安的方案和总局的通知": a level other than the place's own is a side of its own
        # (two sides: two years or a comparison; otherwise the level word names the notice holding the place)
        other = info.level if regions and info.level_named and info.level not in {level_of(r) for r in regions} \
            and (len(info.years) > 1 or COMPARED.search(retrieval.query)) else ""
        if regions:
            # a document whose 版头 or title names the place is of that place, every passage of it ("由县
            # 市场监管局主办" says 县 alone); a place named in one section (附件3's 三明市) is that section
            # (a document whose place was not read, naming this place somewhere, is of it too)
            whole = {c.source for r in regions for c in contexts
                     if _names_region(c, r) and (c.kind == "masthead" or same_place(c.region, r) or r[:2] in c.title
                                                 or not c.region)}
            contexts = [c for c in contexts if c.source in whole or any(_names_region(c, r) for r in regions)
                        or other and c.level == other]
        if years and any(c.year in years for c in contexts):
            contexts = [c for c in contexts if c.year in years or not c.year]
        elif regions and len(years) == 1 and not retrieval.nearest_year and not other:
            # "某县2025年的主题" where that county's documents are of other years: only a passage that
            # names the year asked (or of a document whose year was not read) may speak of it
            contexts = [c for c in contexts if not c.year or any(w in c.text for w in year_words(years[0]))]
        # two places named are two scopes: a level word then describes something else ("省级部门数")
        if info.level and info.level_named and len(info.regions) < 2 and not other and any(c.level == info.level for c in contexts):
            contexts = [c for c in contexts if c.level == info.level or not c.level]
        return contexts

    def _other_side(self, question: str, contexts: list[Context], kinds: list[str],
                    taken: dict[tuple, Unit]) -> tuple[list[Context], dict[tuple, Unit]]:
        """The next retrieved document's own statement of the fact asked, read from its whole section:
        the passage that matched the question's description of it may not be the one stating the fact."""
        done = {key[2] for key in taken}
        for ctx in contexts:
            if ctx.source in done:
                continue
            sibs = self.store.siblings(ctx)
            found = [u for u in score_units(question, sibs, kinds) if u.kind_match]
            if found:
                u = found[0]
                return contexts + sibs, {(ctx.year, ctx.level, ctx.source):
                                         Unit(u.text, len(contexts) + u.context, u.score, True)}
            done.add(ctx.source)
        return contexts, {}

    def _per_notice(self, units: list[Unit], contexts: list[Context], need_kind: bool = True,
                    scope: Callable[[Context], object] = lambda c: None) -> dict[tuple, Unit]:
        """The best unit of each notice (year, level, file) — for comparisons and year-less questions.
        A unit must score half the best of its scope (each place or year the question names is one):
        one side's sentences are not measured against the other side's."""
        best: dict[tuple, Unit] = {}
        floors: dict[object, float] = {}
        for u in units:  # best first
            floors.setdefault(scope(contexts[u.context]), u.score * 0.5)
        for u in units:
            ctx = contexts[u.context]
            key = (ctx.year, ctx.level, ctx.source)
            if (u.kind_match or not need_kind) and u.score >= floors[scope(ctx)] and key not in best:
                best[key] = u
        return dict(list(best.items())[:6])

    def _common_items(self, question: str, per_notice: dict[tuple, Unit], contexts: list[Context]) -> Draft | None:
        """"两份口号有哪几条一样": the list items two notices share, each cited to both lists;
        "哪几条标题一样": the numbered headings of the two notices (a forwarded notice's part is a
        notice of its own level)."""
        groups, headings = [], bool(_HEADINGS_ASKED.search(question))
        what = "两份通知的标题" if headings else "两份清单"
        for unit in list(per_notice.values())[:2]:
            ctx = contexts[unit.context]
            groups.append(self._headings(ctx) if headings else self._list_items(ctx))
        if len(groups) < 2:
            return None
        shared = [k for k in groups[0] if k in groups[1] and groups[0][k][0].chunk_id != groups[1][k][0].chunk_id]
        if not shared:
            return Draft(f"{what}中没有完全相同的条目。", True, {})
        cited: dict[int, Context] = {}
        lines = [f"{what}中相同的有{len(shared)}条："]
        for key in shared:
            marks = []
            for group in groups:
                ctx = group[key][0]
                n = next((i for i, c in cited.items() if c.chunk_id == ctx.chunk_id), len(cited) + 1)
                cited[n] = ctx
                marks.append(f"[{n}]")
            lines.append(_HEADING_NUMBER.sub("", groups[0][key][1]).rstrip("。；;") + "".join(marks))
        return Draft("\n".join(lines), True, cited)

    def _list_items(self, ctx: Context) -> dict[str, tuple[Context, str]]:
        """The numbered lines ("1. …") of a passage's list, keyed without number and spaces."""
        items: dict[str, tuple[Context, str]] = {}
        for sib in self.store.siblings(ctx):
            for line in sib.text.split("\n"):
                key = re.sub(r"^\d{1,2}[.．、]\s*|\s+", "", line)
                if re.match(r"^\d{1,2}[.．、]", line) and key:
                    items.setdefault(key, (sib, line))
        return items

    def _headings(self, ctx: Context) -> dict[str, tuple[Context, str]]:
        """The numbered headings (一、… （一）…) of the part of a document at `ctx`'s level, keyed
        without number, closing stop and spaces."""
        items: dict[str, tuple[Context, str]] = {}
        for p in self.store.document(ctx):
            if p.level != ctx.level or p.kind == "masthead":
                continue
            for heading in p.section.split(" > "):
                key = re.sub(r"\s+", "", _HEADING_NUMBER.sub("", heading)).rstrip("。；;")
                if _HEADING_NUMBER.match(heading) and key:
                    items.setdefault(key, (p, heading))
        return items

    @staticmethod
    def _more_mentions(per_notice: dict[tuple, Unit], units: list[Unit], contexts: list[Context],
                       topic: list[str]) -> dict[tuple, list[Unit]]:
        """"哪几年提到过X": the other sentences of each notice that write X whole (two at most)."""
        more: dict[tuple, list[Unit]] = {}
        for u in units:
            ctx = contexts[u.context]
            key = (ctx.year, ctx.level, ctx.source)
            first = per_notice.get(key)
            if first and u is not first and u.text != first.text and all(says_term(t, _squashed(u.text)) for t in topic) \
                    and len(more.setdefault(key, [])) < 2 and u.text not in [m.text for m in more[key]]:
                more[key].append(u)
        return more

    def _compose_per_notice(self, per_notice: dict[tuple, Unit], contexts: list[Context],
                            several: bool = False, more: dict[tuple, list[Unit]] | None = None) -> Draft:
        """One labelled answer per notice; `more` adds further units of a notice (every place it
        mentions what was asked), each cited to its own passage."""
        cited: dict[int, Context] = {}
        numbers: dict[str, int] = {}
        lines = ["各通知的说法如下：" if several else "问题未指明年份，各通知的说法如下："]
        for key, unit in sorted(per_notice.items(), key=lambda kv: -(kv[0][0] or 0)):
            year, level, _ = key
            ctx = contexts[unit.context]
            label = f"{year}年{LEVEL_NAMES.get(level, '')}" if year else LEVEL_NAMES.get(level, "")
            lines.append(f"- {label}：{doc_label(ctx)}「{ctx.section}」")
            for u in [unit] + (more or {}).get(key, []):
                c = contexts[u.context]
                if c.chunk_id not in numbers:
                    numbers[c.chunk_id] = len(cited) + 1
                    cited[numbers[c.chunk_id]] = c
                lines.append(f"  {_unit_display(u, c)}[{numbers[c.chunk_id]}]")
        return Draft("\n".join(lines), True, cited)

    @staticmethod
    def _rest_of_terms(terms: list[str], chosen: list[tuple[Context, str]], units: list[Unit],
                       contexts: list[Context], seen: set[str], kind_only: bool) -> list[tuple[Context, str]]:
        """"搞X的那个厅，还做了什么Y": the sentences quoted name X; a sentence of the same passage that
        names the term still unsaid (Y) is the rest of the answer, whatever its score."""
        said = _squashed("".join(text for _, text in chosen))
        missing = [t for t in terms if not says_term(t, said)]
        quoted = {c.chunk_id for c, _ in chosen}
        more: list[tuple[Context, str]] = []
        for u in units:
            if not missing or len(more) >= 2:
                break
            ctx = contexts[u.context]
            if ctx.chunk_id in quoted and u.text not in seen and (u.kind_match or not kind_only) \
                    and any(says_term(t, _squashed(u.text)) for t in missing):
                seen.add(u.text)
                more.append((ctx, _unit_display(u, ctx)))
                missing = [t for t in missing if not says_term(t, _squashed(u.text))]
        return more

    def _compose(self, question: str, units: list[Unit], contexts: list[Context], kinds: list[str]) -> Draft:
        best = units[0]
        top_ctx = contexts[best.context]
        whole = "list" in kinds or top_ctx.kind == "list" and ("slogan" in kinds or "list" in kinds)
        chosen: list[tuple[Context, str]] = []
        if whole and top_ctx.kind in ("list", "table_row"):
            for sib in self.store.siblings(top_ctx):
                chosen.extend((sib, line) for line in sib.text.split("\n") if line.strip())
            chosen = _about_topic(chosen, topic_terms(question), top_ctx) or chosen
        elif "list" in kinds and top_ctx.kind == "text":
            # "哪些活动" answered by a paragraph: quote the whole paragraph, sentence by sentence —
            # or, when it enumerates ("一是…二是…"), the opening sentence of each item
            heading = top_ctx.section.split(" > ")[-1]
            sibs = self.store.siblings(top_ctx)
            at = next((i for i, c in enumerate(sibs) if c.chunk_id == top_ctx.chunk_id), 0)
            for sib in sibs:
                chosen.extend((sib, u) for u in split_units(sib) if u != heading)
            items = _enumeration([(sib, u) for sib in sibs[at:] for u in split_units(sib) if u != heading])
            terms = topic_terms(question)
            said = max((term_coverage(question, text, terms) for _, text in items), default=0.0)
            if items and terms and term_coverage(question, best.text, terms) > said:
                chosen = [(top_ctx, best.text)]  # "X方面帮扶了哪些": the sentence on X, not the heads of 一是…二是…
            elif items:
                chosen = items
            elif _names_all(question, best.text):
                chosen = [(top_ctx, best.text)]  # "哪六大板块": the one sentence naming all six
        else:
            floor = best.score * 0.75
            limit = self.settings.answer.max_answer_sentences if ("who_leads" in kinds or "list" in kinds) else 3
            seen: set[str] = set()
            terms = topic_terms(question)
            for u in units:
                if u.score < floor or len(chosen) >= limit:
                    break
                if u.text in seen or (best.kind_match and not u.kind_match):
                    continue
                if chosen and terms and contexts[u.context].chunk_id not in {c.chunk_id for c, _ in chosen} \
                        and term_coverage(question, "".join(_described(c) for c, _ in chosen), terms) == 1.0:
                    continue  # the passages quoted already say every term asked: another one only adds noise
                seen.add(u.text)
                text = _unit_display(u, contexts[u.context])
                if {"doc_no", "basis"} & set(kinds):
                    text = self._matching_references(question, text)
                chosen.append((contexts[u.context], text))
            chosen += self._rest_of_terms(terms, chosen, units, contexts, seen, best.kind_match)
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
