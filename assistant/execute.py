"""Run a question plan over the notice facts of the pinned snapshot, passages second.

The facts (index/facts.py) answer what a plan asks of one or several notices — a theme per
year, the slogans two notices share, how many departments issued a notice, who leads an
activity. Each value becomes an `Item` with the passage (chunk) that holds it, so the answer
cites where it was read. When the facts cannot answer (no fact of that kind, a topic no value
mentions), `run` returns None and the passage answerer runs as before.

Scope matching: a notice whose year, level or region was not read "may match" (unknown never
hides), but within each side of a question the notices that match exactly are preferred.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.plan import FACT_NAMES, LEVEL_NAMES, Plan
from assistant.results import Context
from index.facts import Fact, NoticeFacts
from index.facts_store import FactStore
from index.gazetteer import level_of, same_place, short_names_of
from index.store import IndexStore, mentions_place

_WS = re.compile(r"\s+")
_COUNT_IN_ISSUER = re.compile(r"等\s*(\d{1,3})\s*个?(?:部门|单位)")
# What an attachment's title says it holds, per fact: an attachment not in the file leaves that fact unread.
_ATTACHMENT_HOLDS = {"slogans": "口号", "activities": "活动", "activities.lead": "活动", "co_issuers": "单位"}
# Facts only a notice's own text states: when no notice of the year and level asked is indexed, the
# passages of other notices cannot answer them either.
_OWN_FACTS = ("theme", "slogans", "period", "contacts", "deadlines")
_LEVEL_WORD = {"national": "全国", "provincial": "省", "municipal": "市", "county": "县"}


_SIDED = ("compare", "difference", "common", "change")
_DOCUMENT_FACTS = ("doc_no", "issuer", "date")  # facts of a whole document, not of a passage
_CITED_FACTS = ("co_issuer_count", "doc_no")  # also read off another notice's citation of the notice


def _two_sided(plan: Plan) -> bool:
    """Two years or a comparing op: a place and another level named are then two sides, not one notice."""
    return len(plan.scope.years) > 1 or plan.op in _SIDED


def squash(text: str) -> str:
    return _WS.sub("", str(text))


@dataclass
class Item:
    value: object  # what the answer states (str, or int for a count)
    chunk: Context  # the passage the value was read from
    role: str  # which side of the question it answers ("2024年 省级"), or "shared"
    notice: NoticeFacts | None = None
    detail: str = ""  # what the value belongs to (the activity a lead leads, a deadline's subject)


@dataclass
class Evidence:
    plan: Plan
    items: list[Item] = field(default_factory=list)
    sides: list[str] = field(default_factory=list)  # every side asked about, in order (incl. ones without a value)
    missing: str = ""  # why the index cannot answer (the notice or its attachment is not in it), else ""


def notice_label(nf: NoticeFacts) -> str:
    level = "全国" if nf.level == "national" else (nf.region or LEVEL_NAMES.get(nf.level, ""))
    return f"{nf.year}年{level}" if nf.year else level or nf.title


_FACT_STORES: list = [None, None]  # [snapshot, FactStore]: only the pinned snapshot's facts are worth keeping


def fact_store(store: IndexStore) -> FactStore:
    snapshot = store.reader.view().snapshot
    if _FACT_STORES[0] is not snapshot:
        _FACT_STORES[:] = [snapshot, FactStore(snapshot)]
    return _FACT_STORES[1]


class Executor:
    def __init__(self, store: IndexStore):
        self.store = store

    # ---- scope
    @staticmethod
    def fit(nf: NoticeFacts, plan: Plan) -> int | None:
        """How exactly a notice matches the plan's scope (higher is better), None when it cannot."""
        s, score = plan.scope, 0
        if s.docs:
            if nf.doc_id not in s.docs:
                return None
            score += 2
        if s.years:
            if nf.year in s.years:
                score += 2
            elif nf.year:
                return None
        place = 0
        if s.regions:
            names = [n for r in s.regions for n in [r] + short_names_of(r)]
            if any(same_place(nf.region, r) for r in s.regions) or any(n in nf.title + nf.issuer for n in names):
                place = 2
            elif nf.level in s.levels and nf.level not in {level_of(r) for r in s.regions} and _two_sided(plan):
                place = 1  # "永安的口号和全国的(省里的)比": a place and another level, each its own side
            elif nf.region or nf.level:
                return None
        elif s.levels:
            if nf.level in s.levels:
                place = 1
            elif nf.level:
                return -1  # another level: used only for values whose section names the level asked
        return score + place

    def sides(self, plan: Plan, notices: list[NoticeFacts]) -> list[tuple[str, list[NoticeFacts]]]:
        """The notices answering each side of the question: per year, per place or level, or one side."""
        scored = [(nf, self.fit(nf, plan)) for nf in notices]
        scored = [(nf, f) for nf, f in scored if f is not None]
        s = plan.scope
        several = plan.op in ("per_year", "compare", "difference", "common", "change", "count") or \
            (plan.op in ("lookup", "list") and not s.years and not s.docs)
        if len(s.years) > 1 or several and len(s.regions) <= 1 and len(s.levels) <= 1:
            key = lambda nf: nf.year  # noqa: E731
        elif len(s.regions) > 1:
            key = lambda nf: next((r for r in s.regions if r == nf.region or r[:2] in nf.title), None)  # noqa: E731
        elif len(s.levels) > 1:
            key = lambda nf: nf.level  # noqa: E731
        else:
            key = lambda nf: ""  # noqa: E731
        groups: dict = {}
        for nf, f in scored:
            groups.setdefault(key(nf), []).append((nf, f))
        if len(s.years) > 1:
            for y in s.years:
                groups.setdefault(y, [])
        out = []
        for k, members in groups.items():
            tiers = sorted({f for _, f in members}, reverse=True)
            out.append((k, [[nf for nf, f in members if f == t] for t in tiers]))
        if all(isinstance(k, int) or k is None for k, _ in out):
            out.sort(key=lambda kv: (kv[0] is None, kv[0] or 0))  # years in order, unknown last
        return out

    # ---- values of one notice
    def values(self, nf: NoticeFacts, plan: Plan) -> list[tuple]:
        """(value, the fact it was read from, detail[, what else the item says]) for the fact the plan
        asks of this notice."""
        name, topic = plan.fact, plan.topic
        if name in ("theme", "period"):
            f = getattr(nf, name)
            return [(f.value, f, "")] if f else []
        if name == "co_issuer_count":
            f = nf.co_issuer_count
            return [(f.value, f, "")] if f else []
        if name in ("slogans", "co_issuers"):
            return [(f.value, f, "") for f in getattr(nf, name)]
        if name in ("activities", "activities.lead"):
            out = []
            for a in nf.activities:
                if not a.title:
                    continue
                about = "".join(str(f.value) for f in (a.content, a.time, a.co) if f)
                if name == "activities":
                    out.append((a.title.value, a.title, "", about))
                elif a.lead:
                    out.append((a.lead.value, a.lead, str(a.title.value), about))
            return out
        if name == "deadlines":
            return [(d.by.value if d.by else d.what.value, d.by or d.what,
                     f"{d.what.value if d.what else ''}→{d.to.value if d.to else ''}") for d in nf.deadlines
                    if d.by or d.what]
        if name == "deadlines.to":  # "报给谁": whom it goes to, with what and by when
            return [(d.to.value, d.to, f"{d.what.value if d.what else ''}{'，' + str(d.by.value) + '前' if d.by else ''}")
                    for d in nf.deadlines if d.to]
        if name == "contacts":
            return [(f.value, f, "") for c in nf.contacts for f in (c.name, c.phone, c.email) if f]
        if name == "based_on":
            return [(f"《{r.title.value}》" + (f"（{r.doc_no.value}）" if r.doc_no else ""), r.doc_no or r.title, "")
                    for r in nf.based_on if r.title]
        if name == "attachments":
            return [(a.title.value, a.title, a.number or "") for a in nf.attachments]
        if name in ("doc_no", "issuer", "date"):
            value = getattr(nf, name)
            return [(value, None, "")] if value else []
        return []

    @staticmethod
    def _about(value: str, detail: str, topic: list[str]) -> bool:
        return Executor._topic_words(value, detail, topic) > 0

    @staticmethod
    def _topic_words(value: str, detail: str, topic: list[str]) -> int:
        hay = squash(value + detail)
        return sum(squash(t) in hay for t in topic)

    # ---- passages
    def chunk_for(self, nf: NoticeFacts, value: object, fact: Fact | None) -> Context | None:
        """The chunk of the notice's file whose text holds the value, nearest to where it was read."""
        view = self.store.reader.view()
        entry = view.snapshot.files.get(nf.doc_id)
        if entry is None:
            return None
        want = squash(fact.span.text(entry.clean_text) if fact else value)
        want = want or squash(value)
        clean, cursor, best, best_pos = entry.clean_text, 0, None, -1
        at = fact.span.start if fact else None
        for cid in entry.chunk_ids:
            record = view.record(cid)
            head = record["text"].strip()[:20]
            pos = clean.find(head, cursor) if head else -1
            if pos >= 0:
                cursor = pos
            if want not in squash(record["text"]):
                continue
            part_ok = record["meta"].get("year") in (nf.year, None) or not nf.year
            if best is None or at is not None and 0 <= pos <= at and pos > best_pos and part_ok:
                best, best_pos = cid, pos
        return self.store.passage(best, 1.0, view) if best else None

    def _cited(self, notices: list[NoticeFacts], year, plan: Plan) -> list[Item]:
        """A national notice's 文号 or co-issuer count read from another notice that cites it ("…总局等27
        部门《关于开展2024年全国…》（国市监质发〔2024〕74号）"), for a year whose own notice is not in the index."""
        for nf in notices:
            for ref in nf.based_on:
                if not ref.title or (year and str(year) not in str(ref.title.value)):
                    continue
                if plan.scope.levels and "national" in plan.scope.levels and "全国" not in str(ref.title.value):
                    continue
                if plan.fact == "doc_no" and ref.doc_no:
                    value, fact = ref.doc_no.value, ref.doc_no
                else:
                    m = _COUNT_IN_ISSUER.search(str(ref.issuer.value)) if ref.issuer else None
                    value, fact = (int(m.group(1)), ref.issuer) if m else (None, None)
                chunk = self.chunk_for(nf, fact.value, fact) if fact else None
                if chunk:
                    return [Item(value, chunk, f"{year}年全国" if year else "", nf, str(ref.title.value))]
        return []

    def _cited_years(self, plan: Plan, notices: list[NoticeFacts], sides: list) -> list:
        """"这几年总局通知的文号": the years a national notice is only cited in (no side of their own yet)."""
        if plan.fact not in _CITED_FACTS or plan.scope.years or plan.scope.regions or plan.scope.levels != ["national"]:
            return []
        have = {k for k, _ in sides}
        years = {int(y) for nf in notices for ref in nf.based_on if ref.title
                 for y in re.findall(r"((?:19|20)\d{2})年全国", str(ref.title.value))}
        return [(y, []) for y in sorted(years - have)]

    # ---- the plan
    def run(self, plan: Plan) -> Evidence | None:
        if plan.fact is None:
            return None
        notices = fact_store(self.store).all_facts()
        if plan.fact == "year":
            return self._which_year(plan, notices)
        evidence = Evidence(plan)
        holding = self._documents_holding(plan)
        if holding:
            notices = [nf for nf in notices if nf.doc_id in holding]
        sides = self.sides(plan, notices)
        cited = self._cited_years(plan, notices, sides)
        if cited:
            sides = sorted(sides + cited, key=lambda kv: (not isinstance(kv[0], int), kv[0] or 0))
        for key, tiers in sides:
            found = []
            for members in tiers:  # the best-matching notices first; the next tier only if they hold nothing
                found = self._side_items(plan, members)
                if found:
                    break
            # a place named asks for that place's own count, not the national one its notices cite
            if not found and plan.fact in _CITED_FACTS and isinstance(key, int) and not plan.scope.regions:
                found = self._cited(notices, key, plan)
            label = f"{key}年" if isinstance(key, int) else (found[0].role if found else str(key or ""))
            if found or key in plan.scope.years:  # a side without a value is named only when it was asked for
                evidence.sides.append(label)
            evidence.items.extend(found)
        if not evidence.items:
            evidence.missing = self._why_missing(plan, sides, notices)
            return evidence if evidence.missing else None
        if len(plan.scope.regions) > 1 and len({i.notice.doc_id for i in evidence.items if i.notice}) < len(plan.scope.regions):
            return None  # a place whose facts hold nothing: the passages may (metadata can be wrong)
        if plan.op in _SIDED and len(evidence.sides) < 2 and len({i.role for i in evidence.items}) < 2:
            return None  # a comparison with one side read from facts: the passages may hold the other
        if plan.op == "common":
            return self._common(evidence)
        return evidence

    def _documents_holding(self, plan: Plan) -> set[str]:
        """"讲到X的那份文件哪天印发的": a fact of the whole document (文号, 发文机关, 日期) asked of the
        documents whose text says every topic word; empty when none or all of them do (no narrowing)."""
        words = [t for t in plan.topic if len(squash(t)) >= 2]
        if plan.fact not in _DOCUMENT_FACTS or not words:
            return set()
        holding = set.intersection(*({c.source for c in self.store.containing(w)} for w in words))
        return holding if holding != set(self.store.documents()) else set()

    def _side_items(self, plan: Plan, members: list[NoticeFacts]) -> list[Item]:
        found = []
        for nf in members:
            named_place = plan.scope.regions and _two_sided(plan) \
                and self.fit(nf, plan.with_(scope=plan.scope.model_copy(update={"levels": []})))
            other_level = plan.scope.levels and nf.level and nf.level not in plan.scope.levels and not named_place
            label = notice_label(nf) if not other_level else \
                f"{f'{nf.year}年' if nf.year else ''}{'全国' if plan.scope.levels[0] == 'national' else LEVEL_NAMES[plan.scope.levels[0]]}"
            vals = [v if len(v) == 4 else (*v, "") for v in self.values(nf, plan)]
            if plan.topic and plan.fact not in _DOCUMENT_FACTS:
                vals = [v for v in vals if self._about(str(v[0]), v[2] + v[3], plan.topic)] or \
                    (vals if self._about(nf.title, "", plan.topic) and plan.fact not in
                     ("activities", "activities.lead") else [])
                if plan.op == "lookup" and vals:
                    # "消费维权进社区那项谁牵头": the item naming most topic words, not every other 进社区
                    # a word of the notice's or an attachment's title ("安排表中那项") names the document, not the item
                    titles = squash(nf.title + "".join(str(a.title.value) for a in nf.attachments if a.title))
                    telling = [t for t in plan.topic if squash(t) not in titles] or plan.topic
                    said = [self._topic_words(str(v[0]), v[2] + v[3], telling) for v in vals]
                    vals = [v for v, n in zip(vals, said) if n == max(said)]
            if plan.positions:  # "第8条 / 最后两家": those places in this notice's list, when it has them
                vals = [vals[p - 1 if p > 0 else p] for p in plan.positions if -len(vals) <= (p - 1 if p > 0 else p) < len(vals)]
            for value, fact, detail, _ in vals:
                chunk = self.chunk_for(nf, value, fact)
                if chunk and other_level and not any(_LEVEL_WORD[lv] in chunk.section for lv in plan.scope.levels):
                    continue  # a notice of another level, unless the part quoted is of the level asked
                if chunk:
                    found.append(Item(value, chunk, label, nf, detail))
        return found

    def _why_missing(self, plan: Plan, sides: list, notices: list[NoticeFacts]) -> str:
        """A refusal the facts can justify: the notice asked about is not in the index, or the fact
        is in an attachment whose text the file does not carry. "" when neither is certain."""
        s = plan.scope
        if len(s.years) > 1 or len(s.levels) > 1 or len(s.regions) > 1:
            return ""
        matched = [nf for _, tiers in sides for nf in (tiers[0] if tiers else []) if self.fit(nf, plan) >= 0]
        word = _ATTACHMENT_HOLDS.get(plan.fact or "")
        for nf in matched:
            for a in nf.attachments:
                title = str(a.title.value)
                if word and not a.present and word in title and (not plan.topic or any(t in title for t in plan.topic)):
                    return (f"{notice_label(nf)}的《{nf.title}》把{FACT_NAMES[plan.fact]}列在附件"
                            f"{a.number or ''}“{title}”中，索引中没有该附件的全文，无法列出。")
        if matched or plan.fact not in _OWN_FACTS or not s.years or not (s.levels or s.regions):
            return ""
        if any(mentions_place(self.store, r) for r in s.regions):
            return ""  # the place is named in some passage: its document's metadata may be wrong or unknown
        where = "、".join(s.regions) or LEVEL_NAMES.get(s.levels[0], "")
        cited = [str(r.title.value) for nf in notices for r in nf.based_on if r.title
                 and str(s.years[0]) in str(r.title.value)
                 and any(w and w in str(r.title.value) + str(r.issuer.value if r.issuer else "")
                         for w in [_LEVEL_WORD.get(lv, "") for lv in s.levels] + [x[:2] for x in s.regions])]
        return (f"语料中没有{s.years[0]}年{where}“质量月”通知的原文" +
                (f"（只在其他通知中被引用：《{cited[0]}》）" if cited else "") +
                f"，无法回答其{FACT_NAMES[plan.fact]}。")

    def years_saying(self, words: list[str]) -> list[int]:
        """The years of the passages that say every word ("办第二届某某杯那年": 第二届 and 某某杯 in one passage)."""
        held = [{c.chunk_id: c.year for c in self.store.containing(w)} for w in words]
        if not held:
            return []
        return sorted({year for cid, year in held[0].items() if year and all(cid in h for h in held[1:])})

    def years_holding(self, fragment: str, themes: bool = True, slogans: bool = True) -> list[int]:
        """The years whose notices' theme or slogans hold the wording ("主题里带“…”的那年")."""
        want = squash(fragment)
        return sorted({nf.year for nf in fact_store(self.store).all_facts() if nf.year
                       for f in ([nf.theme] if nf.theme and themes else []) + (list(nf.slogans) if slogans else [])
                       if want in squash(f.value)})

    def _which_year(self, plan: Plan, notices: list[NoticeFacts]) -> Evidence | None:
        """"“…”是哪年的口号": every indexed document whose text holds the quoted wording, labelled from
        its facts where a theme or slogan holds it (facts first, passages second)."""
        quoted = [squash(t) for t in plan.topic if len(squash(t)) >= 4]
        if not quoted:
            return None
        # as written: "甲乙 丙丁" is a slogan's two halves, not the same words run into a sentence
        written = [re.compile(r"\s+".join(map(re.escape, t.split()))) for t in plan.topic if len(squash(t)) >= 4]
        evidence = Evidence(plan)
        view = self.store.reader.view()
        for source, entry in sorted(view.snapshot.files.items()):
            if not any(w.search(entry.clean_text) for w in written):
                continue
            held = [(nf, f) for nf in notices if nf.doc_id == source
                    for f in ([nf.theme] if nf.theme else []) + list(nf.slogans) if any(q in squash(f.value) for q in quoted)]
            if held:
                for nf, f in held:
                    chunk = self.chunk_for(nf, f.value, f)
                    if chunk:
                        evidence.items.append(Item(f.value, chunk, notice_label(nf), nf,
                                                   "主题" if f is nf.theme else "口号"))
                continue
            for cid in entry.chunk_ids:
                if any(w.search(view.record(cid)["text"]) for w in written):
                    chunk = self.store.passage(cid, 1.0, view)
                    year, place = chunk.year, chunk.region or LEVEL_NAMES.get(chunk.level, "")
                    value = next(t for t in plan.topic if squash(t) in squash(chunk.text))
                    evidence.items.append(Item(value, chunk, f"{year}年{place}" if year else place or chunk.title,
                                               None, "原文"))
                    break
        evidence.sides = list(dict.fromkeys(i.role for i in evidence.items))
        return evidence if evidence.items else None

    @staticmethod
    def _common(evidence: Evidence) -> Evidence | None:
        """The values every side holds (two sides: the first two that have values)."""
        by_side: dict[str, list[Item]] = {}
        for item in evidence.items:
            by_side.setdefault(item.role, []).append(item)
        groups = list(by_side.values())[:2]
        if len(groups) < 2:
            return None
        other = {squash(i.value): i for i in groups[1]}
        shared = Evidence(evidence.plan, sides=[g[0].role for g in groups])
        for item in groups[0]:
            twin = other.get(squash(item.value))
            if twin:
                shared.items += [Item(item.value, item.chunk, "shared", item.notice),
                                 Item(twin.value, twin.chunk, "shared", twin.notice)]
        shared.items += [Item(None, g[0].chunk, g[0].role, g[0].notice) for g in groups if not shared.items]
        return shared
