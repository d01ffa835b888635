"""Concrete activities for 重点活动安排 and the 计划安排表, picked from the year's guidance.

A notice's tasks are long sentences that bundle several activities ("组织…活动、…宣传活动，
围绕电梯安全…开展相关宣传周活动，开展…开放日活动"), so sentences are cut where a new
action verb starts a clause. An activity is kept when it fits the locality: not an event only a
higher level runs (voice.tsv), not another place's, not another agency's remit
(departments.tsv topic "other"). Then a spread of topics is chosen, closest guidance first.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.drafting.guidance import Guidance, Para
from assistant.drafting.roster import classify, topics
from assistant.drafting.voice import Locality, foreign_place, localise, sentences, similar, upper_only

_VERB = r"(?:深入|持续|大力|广泛|积极|集中|组织|专项)?(?:开展|组织|举办|实施|推进|发布|公布|围绕|宣传|推广)"
_CLAUSE_START = re.compile(rf"[，；](?={_VERB})")
_ACTIVITY_NOUN = re.compile(r"活动|行动|宣传周|开放日|培训|讲座|竞赛|抽查|整治|帮扶|巡诊|宣传|检查|铁拳|专项|宣贯|监管|执法|召回")
_NOT_ACTIVITY = re.compile(r"^(?:深入学习|全面落实|切实把|坚持|坚守|聚焦突出|鼓励|引导|健全|激发)")
MAX_ROWS = 10  # the model plan has 12 rows; a few more are carried over from the locality's own plan


@dataclass
class PlanActivity:
    text: str  # localised, as it goes into the plan
    para: Para  # where it came from (cited)
    topic: str
    score: float

    @property
    def title(self) -> str:
        """A short name for the 活动主题 column: the first clause, cut at a list if long."""
        head = re.split(r"[，；。]", self.text)[0]
        if len(head) > 32:  # cut at a list comma that is not inside a “quoted name”
            cuts = [i for i, ch in enumerate(head[:30]) if ch == "、" and head[:i].count("“") == head[:i].count("”")]
            if cuts and cuts[-1] > 6:
                head = head[:cuts[-1]] + "等"
        return head


def _units(sentence: str) -> list[str]:
    """Cut a sentence into activity clauses, each starting with an action verb."""
    body = sentence.rstrip("。；")
    parts = [p for p in _CLAUSE_START.split(body) if p]
    return [p if p.endswith("。") else p + "。" for p in parts]


def _owner_ok(para: Para, loc: Locality) -> bool:
    """Attachment entries name their owner (附件3 > 五、三明市; 附件2 > 六、省农业农村厅)."""
    path = para.section.split(" > ")[1 if para.unit.part else 0:]
    if len(path) < 2 or not path[0].startswith("附件"):
        return True
    owner = re.sub(r"^[一二三四五六七八九十]{1,3}、", "", path[-1])
    if owner in (loc.name, loc.parent):
        return True
    return "市场监管" in owner and owner.startswith("省")


def _agency_entry(para: Para) -> bool:
    """An entry of a 各单位开展的主要活动 list: the higher level's own programme."""
    path = para.section.split(" > ")[1 if para.unit.part else 0:]
    return len(path) >= 2 and path[0].startswith("附件") and path[-1].lstrip("一二三四五六七八九十、").startswith("省")


def candidates(guidance: Guidance, loc: Locality) -> list[PlanActivity]:
    found: list[PlanActivity] = []
    for rank, unit in enumerate(guidance.units):
        for para in unit.role("key", "tasks"):
            if not _owner_ok(para, loc):
                continue
            body = re.sub(r"^[^：]{1,12}：", "", para.body) if para.role == "key" else para.body
            local_owner = para.section.split(" > ")[-1].endswith((loc.name, loc.parent or "\0"))
            for sentence in sentences(body):
                units = _units(sentence)
                if upper_only(units[0], loc):
                    continue  # "举办中国质量大会，宣传…，推进…": the rest describes the same event
                for unit_text in units:
                    act = _activity(unit_text, para, loc, rank, local_owner, guidance)
                    if act:
                        found.append(act)
    return found


def _activity(text: str, para: Para, loc: Locality, rank: int, local_owner: bool,
              guidance: Guidance) -> PlanActivity | None:
    if not _ACTIVITY_NOUN.search(text) or _NOT_ACTIVITY.match(text) or len(text) < 8:
        return None
    if upper_only(text, loc) or foreign_place(localise(text, loc), loc):
        return None
    if guidance.missing and re.search(rf"{guidance.year_used}", text):
        return None  # a named campaign of last year ("剑网2025") is not this year's
    topic = classify(text)
    if topic == "other":
        return None
    score = len(_ACTIVITY_NOUN.findall(text)) + ("“" in text) - 0.5 * rank + (2 if local_owner else 0)
    score += 1 if para.role == "key" else 0
    score -= 1.5 if _agency_entry(para) else 0
    return PlanActivity(localise(text, loc), para, topic, score)


def select(acts: list[PlanActivity], limit: int = MAX_ROWS) -> list[PlanActivity]:
    """A spread over topics: the best activity of each topic first, then second-best, …"""
    by_topic: dict[str, list[PlanActivity]] = {}
    for act in sorted(acts, key=lambda a: -a.score):
        pool = by_topic.setdefault(act.topic, [])
        if not any(similar(act.text, other.text) for lst in by_topic.values() for other in lst):
            pool.append(act)
    order = [t.name for t in topics() if t.name != "other"]  # departments.tsv's order
    chosen: list[PlanActivity] = []
    for round_ in range(3):
        for name in order:
            pool = by_topic.get(name, [])
            if len(pool) > round_ and len(chosen) < limit:
                chosen.append(pool[round_])
    return sorted(chosen, key=lambda a: order.index(a.topic))
