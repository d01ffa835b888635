"""Two-step questions that name their subject by a description: "…做了X的那个厅，还做了什么Y" /
"…表扬过的那个县，它后来办了什么". The first step asks which one ("…做了X的是哪个厅？"); the
name read off its answer replaces the description (or the pronoun) in the second step, which is
asked as a follow-up of the first, so it keeps the first step's year and level.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from index.gazetteer import find_places

# "<what it did>的那个<kind>，<what is asked of it>" — the kind is a place or an organisation word
_DESCRIBED = re.compile(r"^(?P<what>.{4,}?)的(?:那|这)(?:个|家|一)?(?P<kind>市|县|区|州|省|厅|局|委|办|处|科|部门|单位|企业|公司|协会)"
                        r"[，,\s]*(?P<rest>.{3,})$")
# the second step must point back at it or ask for more of it
_POINTS_BACK = re.compile(r"它们|它|其|该|这个|那个|这家|那家|^还|^又|^另外")
_PRONOUN = re.compile(r"它们|它|其(?=[\u4e00-\u9fa5])")
# a kind that any organisation is ("这个机构"): its name ends in one of the words bodies' names end in
_ANY_ORGANISATION = ("机构", "单位", "部门")
_ORGANISATION = r"(?:办公室|领导小组|委员会|协会|中心|局|厅|委|办|处|科|院|所)"
_PLACE_KINDS = {"市": ("prefecture", "county"), "县": ("county",), "区": ("county",), "州": ("prefecture",),
                "省": ("province",)}


@dataclass
class TwoSteps:
    first: str  # "…做了X的是哪个厅？"
    kind: str  # 厅
    rest: str  # "还做了什么Y？"

    def second(self, name: str) -> str:
        """The second step with the name read off the first step's answer."""
        if _PRONOUN.search(self.rest):
            return _PRONOUN.sub(name, self.rest, count=1)
        return name + self.rest


def two_steps(question: str) -> TwoSteps | None:
    m = _DESCRIBED.match(question.strip())
    if not m or not _POINTS_BACK.search(m.group("rest")):
        return None
    what, kind = m.group("what"), m.group("kind")
    return TwoSteps(first=f"{what}的是哪个{kind}？", kind=kind, rest=m.group("rest"))


def named_in(answer_lines: list[str], kind: str, question: str) -> str:
    """The first name of that kind in the quoted lines of the first step's answer that the question
    does not already hold: a place for 市/县/区/州/省, an organisation ending in the kind otherwise."""
    for line in answer_lines:
        if kind in _PLACE_KINDS:
            for place in find_places(line):
                if place.kind in _PLACE_KINDS[kind] and place.name not in question and place.name[:2] not in question:
                    return place.name
            continue
        ends = _ORGANISATION + "+" if kind in _ANY_ORGANISATION else re.escape(kind)
        for m in re.finditer(r"[\u4e00-\u9fa5]{1,16}?" + ends, line):
            name = re.sub(r"^.*?(?:报送至|报送到|报送给|报至|报给|送至|交至|交给)", "", m.group(0))  # "…报送至局某某科"
            name = re.sub(r"^(?:[一二三四五六七八九十]+|由|经|和|与|及|会同|联合|组织|根据|按照|依据)", "", name)
            if len(name) > len(kind) + 1 and name not in question:
                return name
    return ""


def quoted_lines(answer: str) -> list[str]:
    """The lines of an extractive answer that quote a passage (they end in a citation mark)."""
    return [re.sub(r"\[\d{1,2}\]$", "", line) for line in answer.split("\n") if re.search(r"\[\d{1,2}\]$", line)]


# "…交给哪个处？这个处电话多少？": a later part pointing back at the one the part before named
_POINTER = re.compile(r"(?:这个|那个|这家|那家|该)(?P<kind>机构|单位|部门|厅|局|委|办|处|科|企业|公司|协会|市|县|区|州|省)")


def name_bound(part: str, answer: str, question: str) -> str:
    """`part` with its pointer ("这个机构") replaced by the name of that kind the previous answer quotes;
    `part` as it is when it points at nothing or the answer names none."""
    m = _POINTER.search(part)
    name = named_in(quoted_lines(answer), m.group("kind"), question) if m else ""
    return part[:m.start()] + name + part[m.end():] if name else part

