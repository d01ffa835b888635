"""The evaluation's own judge: does an answer hold its key facts, does a cited passage support a sentence?

Written from the rules in eval/README.md alone and importing nothing from assistant/ or index/
(tests/eval/test_judge.py checks that), so a blind spot in the product's verifier cannot hide in the
figures that measure it. Standard library only.

Rules
-----
Whitespace: every comparison first removes all whitespace (str.split's: spaces, tabs, newlines,
U+3000, NBSP) from both sides. Nothing else is normalised, except the year brackets in (b).

(a) ``has_key_facts(answer, must_include, must_not_include)``: every must_include string occurs in the
    answer and no must_not_include string does.

(b) ``judge_citation(sentence, passage)``: the passage supports the sentence when
    1. with the citation markers ([1] [1,2] [1-3] [^1] [S1] 【1】 ［1］, 1-3 digits, so [2025] stays)
       taken out and the year brackets [2025] (2025) （2025） 【2025】 ［2025］ written 〔2025〕 on both sides,
    2. every FACT of the sentence occurs in the passage (a leading list number 3. 3、 （3） is none):
       * 文号: 〔YYYY〕N号 with up to two CJK characters before it (质发〔2025〕77号);
       * e-mail and web addresses; Latin words of 2+ letters (CNAS, QC, LED);
       * dates Y年M月D日, M月D日, Y年M月 — a date with a year also counts when the passage has the
         date without the year and the year as a number elsewhere;
       * numbers: a digit run, with runs joined by - – — . : ： × / ~ taken as one (0591-87580701,
         1024×768, 6-10); it must stand in the passage with no digit touching it, so 26 is not in 2026
         (whitespace between digits separates them); a two-digit year such as 23年 also matches 2023;
       * terms inside “…”, 「…」, 《…》;
       * names of units: a word ending in 处 科 司 局 厅 部 委 院 所 队 室 中心 办公室 委员会 at the end of
         a run of CJK text or before a word such as 牵头/负责/承担/联合/等/和; it must occur as its suffix with
         the (up to) two characters before it, minus leading function words such as 由/向/至/报送:
         报送省局质量发展处 → 发展处, 由特安科牵头 → 特安科, 报送总局 → 总局. So 质量科 vs 计量所 or
         联席会议办公室 vs 领导小组办公室 differ, while a longer or shorter form of the same name matches;
    3. at least half (``min_overlap``) of the sentence's distinct CJK bigrams (adjacent CJK characters;
       punctuation breaks a run) occur in the passage.
    A sentence with no CJK bigram is supported iff it has a fact and all its facts occur. An empty
    sentence or passage is never supported.

What it cannot see: a fact that is present in the passage but attached to the wrong row or item of
it (the passage holds both the right and the wrong value), and negations.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["squash", "contains", "has_key_facts", "strip_markers", "facts", "bigrams",
           "Verdict", "judge_citation", "supports"]


def squash(text: str | None) -> str:
    """The text with all whitespace removed."""
    return "".join((text or "").split())


def contains(haystack: str | None, needle: str | None) -> bool:
    """Whitespace-insensitive substring test; an empty needle never matches."""
    n = squash(needle)
    return bool(n) and n in squash(haystack)


def has_key_facts(answer: str | None, must_include, must_not_include=()) -> bool:
    """Rule (a): all of must_include and none of must_not_include occur in the answer."""
    text = squash(answer)
    need = [squash(s) for s in must_include or ()]
    bad = [squash(s) for s in must_not_include or ()]
    return all(s in text for s in need if s) and not any(s in text for s in bad if s)


# ------------------------------------------------------------------ step 1: markers and years

_OPEN_CLOSE = {"[": "]", "【": "】", "［": "］"}
_MARK_BODY = re.compile(r"\^?[A-Za-z]{0,3}\d{1,3}(?:[,，、\-–~][A-Za-z]{0,3}\d{1,3})*")
_YEAR_IN_BRACKETS = re.compile(r"[\[［(（【](\d{4})[\]］)）】]")


def strip_markers(text: str | None) -> str:
    """The text without citation markers such as [1], [1,2], [^3], [S1], 【2】 (spaces inside allowed)."""
    text = text or ""
    out, i = [], 0
    while i < len(text):
        close = _OPEN_CLOSE.get(text[i])
        end = text.find(close, i + 1) if close else -1
        if end > 0 and _MARK_BODY.fullmatch(squash(text[i + 1:end])):
            i = end + 1
            continue
        out.append(text[i])
        i += 1
    return "".join(out)


_SPACE_BETWEEN_DIGITS = re.compile(r"(?<=\d)\s+(?=\d)")


def _canon(text: str) -> str:
    """Squashed, with year brackets written 〔YYYY〕 (how 文号 are printed). Whitespace between two
    digits becomes "|", so table cells such as "7<tab>2023年" do not fuse into the number 72023."""
    return _YEAR_IN_BRACKETS.sub(r"〔\1〕", squash(_SPACE_BETWEEN_DIGITS.sub("|", text)))


# ------------------------------------------------------------------ step 2: facts

def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF


_DOC_NO = re.compile(r"〔\d{4}〕\d+号")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_WEB = re.compile(r"(?:https?://|www\.)[A-Za-z0-9._~:/?#@!$&'*+,;=%\-]+")
_DATE = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(?:(\d{1,2})日)?")
_NUMBER = re.compile(r"\d+(?:[\-–—.:：×/~]\d+)*")
_LATIN = re.compile(r"[A-Za-z]{2,}")
_QUOTED = re.compile(r"“([^“”]{1,60})”|「([^「」]{1,60})」|《([^《》]{1,60})》")

UNIT_SUFFIXES = ("办公室", "委员会", "中心", "处", "科", "司", "局", "厅", "部", "委", "院", "所", "队", "室")
# what may follow a unit name inside a run: 牵头 负责 联合 协办 主办 配合 会同 承担 组织 指导 督促 统筹
# 等 和 与 及 的 将 要 在 对 为 是 关于
_AFTER_UNIT = set("牵负联协主配会承组指督统等和与及的将要在对为是关")
# function words dropped from the front of a unit name's two leading characters
_FUNCTION = set("由向至到报送交给与和及将对在从经为是的各")


@dataclass(frozen=True)
class Claim:
    kind: str  # doc_no | email | web | date | number | latin | term | unit
    text: str
    year: str = ""  # dates with a year: the year, so the date can also match as (M月D日 + year)
    undated: str = ""  # ... and the date without it
    long_year: str = ""  # a number written "23年": the year 2023, which counts as well

    def found_in(self, passage: str) -> bool:
        if self.kind == "number":
            return any(_has_number(passage, n) for n in (self.text, self.long_year) if n)
        if self.text in passage:
            return True
        return bool(self.year) and self.undated in passage and _has_number(passage, self.year)


def _has_number(passage: str, number: str) -> bool:
    return re.search(rf"(?<!\d){re.escape(number)}(?!\d)", passage) is not None


def _blank(text: str, rx: re.Pattern, found: list[Claim], kind: str) -> str:
    for m in rx.finditer(text):
        found.append(Claim(kind, m.group(0).rstrip(".,;:")))
    return rx.sub(" ", text)


def _unit_names(raw: str) -> list[Claim]:
    out = []
    for run in re.findall(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+", raw):
        for i in range(1, len(run)):
            for suffix in UNIT_SUFFIXES:
                if not run.startswith(suffix, i):
                    continue
                after = i + len(suffix)
                if after < len(run) and run[after] not in _AFTER_UNIT:
                    continue
                head = run[max(0, i - 2):i].lstrip("".join(_FUNCTION))
                if head:
                    out.append(Claim("unit", head + suffix))
    return out


_LIST_NUMBER = re.compile(r"^[\s>*#\-+]*(?:\d{1,2}[.、．](?!\d)|[（(]\d{1,2}[）)])")


def facts(sentence: str) -> list[Claim]:
    """The facts of a sentence (rule b.2), markers removed, in order of kind, without repeats."""
    raw = _LIST_NUMBER.sub("", strip_markers(sentence))
    text = _canon(raw)
    found: list[Claim] = []
    for m in _DOC_NO.finditer(text):
        head = text[max(0, m.start() - 2):m.start()]
        while head and not _is_cjk(head[0]):
            head = head[1:]
        head = head if all(_is_cjk(c) for c in head) else ""
        found.append(Claim("doc_no", head + m.group(0)))
    rest = _DOC_NO.sub(" ", text)
    rest = _blank(rest, _EMAIL, found, "email")
    rest = _blank(rest, _WEB, found, "web")
    for m in _DATE.finditer(rest):
        year, month, day = m.groups()
        if day:
            found.append(Claim("date", m.group(0), year or "", f"{month}月{day}日" if year else ""))
        elif year:
            found.append(Claim("date", m.group(0), year, f"{month}月"))
    rest = _DATE.sub(lambda m: " " if (m.group(1) or m.group(3)) else m.group(0), rest)
    for m in _NUMBER.finditer(rest):
        short_year = len(m.group(0)) == 2 and rest.startswith("年", m.end())
        found.append(Claim("number", m.group(0), long_year=f"20{m.group(0)}" if short_year else ""))
    found += [Claim("latin", w) for w in _LATIN.findall(rest)]
    for m in _QUOTED.finditer(text):
        term = next(g for g in m.groups() if g)
        found.append(Claim("term", term))
    found += _unit_names(_YEAR_IN_BRACKETS.sub(" ", raw))
    return list(dict.fromkeys(found))


# ------------------------------------------------------------------ step 3: wording

def bigrams(text: str) -> set[str]:
    """Distinct pairs of adjacent CJK characters (whitespace removed first; punctuation breaks a run)."""
    text = squash(text)
    return {text[i:i + 2] for i in range(len(text) - 1) if _is_cjk(text[i]) and _is_cjk(text[i + 1])}


@dataclass
class Verdict:
    supported: bool
    missing: list[str] = field(default_factory=list)  # facts of the sentence not in the passage
    overlap: float = 0.0  # share of the sentence's CJK bigrams found in the passage

    def __bool__(self) -> bool:
        return self.supported


def judge_citation(sentence: str | None, passage: str | None, min_overlap: float = 0.5) -> Verdict:
    """Rule (b), with the reason: which facts are missing and how much wording overlaps."""
    body = strip_markers(sentence)
    hay = _canon(passage or "")
    if not squash(body) or not hay:
        return Verdict(False)
    fs = facts(body)
    missing = [f.text for f in fs if not f.found_in(hay)]
    grams = bigrams(body)
    overlap = sum(g in hay for g in grams) / len(grams) if grams else 0.0
    if missing:
        return Verdict(False, missing, overlap)
    return Verdict(overlap >= min_overlap if grams else bool(fs), [], overlap)


def supports(sentence: str | None, passage: str | None, min_overlap: float = 0.5) -> bool:
    """Does the passage support the cited sentence? (rule b)"""
    return judge_citation(sentence, passage, min_overlap).supported
