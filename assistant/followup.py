"""Follow-up questions rewritten into standalone ones, before retrieval.

A chat is a conversation: after "19年总局那份的宣传标语列一下" staff ask "那省里的呢？",
"2018年呢？", "它的发文字号给我", "这些活动谁来牵头？". Retrieval only sees one string, so
each follow-up is rewritten into the question it stands for, using the earlier user turns.

Without a model (the default) the rewrite is done by rules over *slots* of the turns —
year, level/region, the notice, the topic — read with :func:`assistant.query.parse_query`:

* **slot switch** — the new turn names only a year, a level or a place ("那2024年呢？",
  "那省里的呢？", "2026年的呢？"): the previous standalone question with those slots
  replaced (relative years are written out: 去年 → 2024年).
* **pronoun** — "它/该通知/这个通知…" stands for the previous turn's notice ("它的发文字号给我"
  → "江西19年那份通知的发文字号给我"); "这几项/这些/上述…" for the items the previous
  turn asked about; "其中…" narrows to a part of the previous notice.
* **new attribute of the same topic** — the new turn only asks for another kind of fact
  ("报给谁？电话多少？", "有截止日期吗？", "那口号呢？"): the previous topic is kept and the
  previous question word and attribute are dropped.
* **parallel substitution** — "那质量科呢？" after a question about 消保科: the department
  (科/处/局/所/队…) is swapped in the previous question.
* **ellipsis** — nothing but question words ("一共几个？"): appended to the previous question.
* **own topic, missing scope** — "那总局文件里提了哪些重点行业？": the new question with the
  year (and level/region, if it names none) carried over, never the old topic.
* **full new question** — its own topic *and* its own year ("嘉兴市2021年方案的截止时间？"):
  returned unchanged; nothing is inherited.

Follow-ups chain: turn 1 is rewritten given turn 0, turn 2 given the rewritten turn 1, …

With an LLM answerer configured (``settings.answer.answerer != "extractive"``) a condense-question
prompt (``prompts/condense_question.txt``) is tried first; its output is sanity-checked
(one line of Chinese, < 200 chars, same years as the rules found) and the rules are used
whenever the model fails or answers implausibly. Full new questions never go to the model.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from assistant.evidence import PART_ASKED
from assistant.query import LEVEL_WORDS, parse_query, parse_years
from index.gazetteer import place_spans
from index.settings import Settings
from index.tokenize import tokens

log = logging.getLogger(__name__)

# ---- vocabulary (general, not tied to particular notices)
# (a possessive "我们/咱们" after it says whose, not what: "我们永安的呢")
_CUE = re.compile(r"^(?:(?:那么|那请问|那(?![个份些边里天次项])|还有|另外|然后|再问一下|再问|请问|顺便问一下|追问|好的|嗯)"
                  r"[，,、\s]*)?(?:(?:我们|咱们|咱)(?![县市区省]))?[，,、\s]*")
# "好的。再问个别的：…" / "换个话题，…": the user says the question that follows is a new one
_NEW_TOPIC = re.compile(r"^(?:好的?|嗯|行|ok)?[。，,！!\s]*(?:(?:再|另外|我)?(?:问|说|聊)(?:个|一个|点|一下)?"
                        r"(?:别的|其他的?|新的|另一个)(?:问题|事儿?)?|换个(?:话题|问题|事儿?))[：:，,。！!\s]*", re.I)
_SINGULAR = re.compile(r"^(?:它|该通知|该文件|该方案|这个通知|这份通知|这个文件|这份文件|这个方案|这份方案|此通知"
                       r"|那个通知|那份通知|那个文件|那份文件|那个方案|那份方案|这个|这份|该|其(?![中他它余实次]))")
_PLURAL = re.compile(r"^(?:这几项|这几个|这几条|这几类|这几家|这两项|这两个|这三项|这些|上述|以上|它们|前面这些|刚才那些)")
_SUBSCOPE = re.compile(r"^(?:这其中|其中|这里面|里面|当中)[，,]?")
# Where a question's own question part begins.
_QWORD = re.compile(r"什么|啥|哪|谁|(?<![这那])几|多少|是否|有没有|有无|怎么|如何|何时|吗")
_QWORD_STRIP = re.compile(r"什么时候|什么|啥|哪些|哪几[个项家条类]?|哪个|哪天|哪|谁|几[个项家条类届次天号月]?|多少"
                          r"|是否|有没有|有无|怎么样|怎么|如何|何时|一共|总共|分别|具体|吗|呢|吧|啊|呀")
_FILLER = re.compile(r"[的了是又也再有在给要请问还都就呢吗吧啊呀？?，,。！!、：:；;\s]|一下")
# Words that name the notice itself rather than a topic.
_GENERIC = re.compile(r"质量月|活动|通知|文件|方案|那个|这个|那份|这份|那边|这边|里面|里|中")
# Nouns a question uses to name a notice (or a part of one), or the event a report tells of, before
# asking about it (a question on a 开放日 keeps 开放日 in the follow-up it anchors).
_ANCHOR = re.compile(r"计划安排表|安排表|活动方案|实施方案|方案|通知|文件|计划|附件\s*\d+|通报|公告"
                     r"|启动仪式|启动会|宣传活动|宣传咨询活动|开放日|推进会|大会")
_LOCATIVE = re.compile(r"^(?:里面|里|中|内)?[，,]?")
# Words of an attribute (the kind of fact asked), not of a topic.
_ATTRIBUTE = re.compile(r"文号|发文字号|文件号|字号|联系人|联系电话|联系方式|电话|手机|邮箱|传真|截止日期|截止时间|截止"
                        r"|日期|时间|期限|几号|哪天|牵头单位|牵头部门|牵头|负责单位|负责|协办单位|协办|配合单位|配合"
                        r"|活动主题|活动口号|活动时间|主题|口号|标语|发文机关|发文单位|落款|成文|印发|报给|报送|报|交给|要求"
                        r"|单位|部门|科室|处室|[科处]")
_TAIL_VERB = re.compile(r"(?:报给|报送给?|交给|发给|送给|[给是为有由在向的和及与，,、：:\s])+$")
_UNIT_SUFFIX = re.compile(r"(?:大队|中心|[科处局所队办厅委会站院室组司])$")
_NOTICE_ATTR = re.compile(r"文号|发文字号|字号|附件|发文|印发|落款|成文|抄送|主送")
_OUTLINE_ASKED = re.compile(r"哪几|哪些|几块|几部分|几个方面|分别|列一下|列出")
_POINTS_BACK = re.compile(r"[那这该此上前][一两二三四五六七八九几]?[篇份个项条次家]")  # "那两篇", "这份": named before
_SMALL_TALK = re.compile(r"^(?:谢谢|多谢|感谢|好的|好|明白了?|收到|知道了|ok|OK|嗯+|再见|你好|您好)[！!。.，,～~]*$")
_ALL_YEARS = re.compile(r"历年|每年|各年|哪一年|哪年|几年|往年|近几年|这几年|历届")

# year expressions, as parse_years reads them (but not inside 〔2024〕 of a 文号)
_YEAR_SPAN = re.compile(r"(?<![\d〔\[])20\d{2}\s*年?(?![\d〕\]])|(?<![\d〔])\d{2}\s*年(?!度?\d)"
                        r"|二[〇零]二[〇零一二三四五六七八九]年?|今年|本年|去年|上一年|前年|明年")


@dataclass
class _Turn:
    text: str
    years: list[int] = field(default_factory=list)
    level: str = ""
    regions: list[str] = field(default_factory=list)
    year_spans: list[tuple[int, int]] = field(default_factory=list)
    scope_spans: list[tuple[int, int]] = field(default_factory=list)  # level words and place names
    cue: str = ""  # 那 / 还有 … at the start
    pronoun: str = ""  # "singular" | "plural" | "subscope" | ""
    body: str = ""  # the text after cue and pronoun
    content: str = ""  # what is left once scope, question words, fillers and notice words are removed
    has_qword: bool = False

    @property
    def has_scope(self) -> bool:
        return bool(self.years or self.level or self.regions)

    @property
    def has_place(self) -> bool:
        return bool(self.level or self.regions)

    def scope_words(self) -> str:
        """The level words and places as the turn writes them, in order."""
        return "".join(self.text[a:b] for a, b in self.scope_spans)


def _place_spans(text: str) -> list[tuple[int, int]]:
    return [(a, b) for a, b, _ in place_spans(text)]


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _remove_spans(text: str, spans: list[tuple[int, int]]) -> str:
    for a, b in sorted(spans, reverse=True):
        text = text[:a] + text[b:]
    return text


def _analyse(text: str, settings: Settings) -> _Turn:
    text = (text or "").strip()
    info = parse_query(text, settings.retrieval.today)
    turn = _Turn(text=text, years=list(info.years), level=info.level or "", regions=list(info.regions))
    turn.year_spans = [m.span() for m in _YEAR_SPAN.finditer(text)]
    level_spans = [m.span() for _, pattern in LEVEL_WORDS for m in re.finditer(pattern, text)]
    turn.scope_spans = _merge(level_spans + _place_spans(text))
    if not turn.level and (turn.regions or level_spans):
        turn.level = (getattr(info, "levels", None) or ["?"])[0]

    rest = text
    m = _CUE.match(rest)
    if m and m.group(0):
        turn.cue, rest = m.group(0), rest[m.end():]
    for kind, pattern in (("subscope", _SUBSCOPE), ("plural", _PLURAL), ("singular", _SINGULAR)):
        m = pattern.match(rest)
        if m and m.group(0):
            turn.pronoun, rest = kind, rest[m.end():]
            break
    turn.body = rest.strip()

    offset = len(text) - len(rest)
    spans = [(a - offset, b - offset) for a, b in turn.year_spans + turn.scope_spans if a >= offset]
    content = _remove_spans(rest, _merge([s for s in spans if s[0] >= 0]))
    turn.has_qword = bool(_QWORD.search(content))
    content = _QWORD_STRIP.sub("", content)
    content = _GENERIC.sub("", content)
    content = _FILLER.sub("", content)
    turn.content = content
    return turn


# ---- pieces of the previous (standalone) question

def _year_text(years: list[int]) -> str:
    return "、".join(f"{y}年" for y in years)


def _first_sentence(text: str) -> str:
    m = re.search(r"[？?]", text)
    return text[: m.end()] if m else text


def _absolute(text: str, settings: Settings) -> str:
    """今年/去年/25年 … written out as 2025年/2024年, so the shown question reads on its own."""
    def repl(m: re.Match) -> str:
        span = m.group(0).replace(" ", "")
        years = parse_years(span if span.endswith("年") else span + "年", settings.retrieval.today)
        return f"{years[0]}年" if years else m.group(0)

    return _YEAR_SPAN.sub(repl, text)


def _question_start(text: str) -> int:
    """Index where the question part ("是什么", "有哪些", "什么时候报") of `text` begins."""
    m = _QWORD.search(_first_sentence(text))
    return m.start() if m else len(_first_sentence(text).rstrip("？?。"))


def _stem(prev: str) -> str:
    """The previous question without its question part and the attribute it asked for.

    "2019年省局通知要求材料哪天前交？" → "2019年省局通知要求材料";
    "19年总局那份的宣传标语列一下" → "19年总局那份".
    """
    stem = prev[: _question_start(prev)]
    while True:
        new = _TAIL_VERB.sub("", stem)
        m = re.search(f"(?:{_ATTRIBUTE.pattern})$", new)
        if m and m.start() > 0:
            new = new[: m.start()]
        if new == stem:
            break
        stem = new
    return stem


def _subject(prev: str, prev_turn: _Turn) -> str:
    """The notice the previous question is about, in its own words ("2019年江西省的质量月通知",
    "宁波20年那份安排表里，"); without a notice word, its scope ("19年总局那份")."""
    end = _question_start(prev)
    m = _ANCHOR.search(prev, 0, end)
    if m:
        loc = _LOCATIVE.match(prev[m.end():])
        return prev[: m.end() + (loc.end() if loc else 0)]
    return _scope_phrase(prev_turn)


def _scope_phrase(turn: _Turn) -> str:
    return (_year_text(turn.years) + turn.scope_words() + "质量月") if turn.has_scope else ""


def _join(subject: str, body: str) -> str:
    if not subject or not body:
        return subject or body
    if re.search(r"[里中内，,的：？?。]$", subject) or body.startswith("的") or re.search(f"(?:{_ANCHOR.pattern})$", subject):
        return subject + body
    return subject + "，" + body


def _replace_slots(prev: str, prev_turn: _Turn, new: _Turn) -> str:
    """`prev` with the years and/or level/region that `new` names put in place of its own."""
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement) on prev
    if new.years:
        if prev_turn.year_spans:
            first, *others = prev_turn.year_spans
            edits.append((first[0], first[1], _year_text(new.years)))
            edits.extend((a, b, "") for a, b in others)
        else:
            at = prev_turn.scope_spans[0][0] if prev_turn.scope_spans else 0
            edits.append((at, at, _year_text(new.years)))
    anchor = _ANCHOR.search(prev)
    asked_of = [sp for sp in prev_turn.scope_spans if anchor and sp[0] >= anchor.end()]
    if new.has_place and asked_of and len(prev_turn.scope_spans) > 1:
        # "东山那份计划按照市里哪份文件定的" → "那县里的呢": the place of the thing asked about changes,
        # not the document the question is about
        edits.append((asked_of[-1][0], asked_of[-1][1], new.scope_words()))
    elif new.has_place:
        words = new.scope_words()
        if prev_turn.scope_spans:
            first, *others = prev_turn.scope_spans
            edits.append((first[0], first[1], words))
            edits.extend((a, b, "") for a, b in others)
        else:
            at = prev_turn.year_spans[0][1] if prev_turn.year_spans else 0
            edits.append((at, at, words))
    out = prev
    for a, b, repl in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        out = out[:a] + repl + out[b:]
    return out


def _parallel_swap(prev: str, new_content: str) -> str:
    """"那质量科呢？" after a question about 消保科: swap the unit of the same kind, or ""."""
    for tok in tokens(new_content):
        m = _UNIT_SUFFIX.search(tok)
        if len(tok) < 2 or not m:
            continue
        for old in tokens(prev):
            if old != tok and len(old) >= 2 and old.endswith(m.group(0)) and old in prev and old not in new_content:
                return prev.replace(old, tok, 1)
    return ""


def _sibling_swap(prev: str, new: _Turn) -> str:
    """"2023年的工作要求呢？" after "…工作措施分哪几部分？": a phrase of the same length and the same
    first two characters (a sibling heading or item) takes the old one's place, or ""."""
    offset = len(new.text) - len(new.body)
    spans = [(a - offset, b - offset) for a, b in new.year_spans + new.scope_spans if a >= offset]
    phrase = re.sub(r"^[的之]+|[的呢吗？?。\s]+$", "", _remove_spans(new.body, spans))
    if not re.fullmatch(r"[\u4e00-\u9fff]{3,8}", phrase):
        return ""
    end = _question_start(prev)
    for i in range(end - len(phrase) + 1):
        old = prev[i:i + len(phrase)]
        if old != phrase and old[:2] == phrase[:2] and re.fullmatch(r"[\u4e00-\u9fff]+", old):
            return prev[:i] + phrase + prev[i + len(phrase):]
    return ""


def _attribute_only(content: str) -> bool:
    return bool(content) and not _ATTRIBUTE.sub("", content)


def _is_standalone(new: _Turn) -> bool:
    """Its own topic and its own year (and no pronoun to resolve): a full new question."""
    return bool(new.content) and bool(new.years) and not new.pronoun and not _ends_with_ne(new)


def _ends_with_ne(turn: _Turn) -> bool:
    return bool(re.search(r"呢[？?]?$", turn.text)) and not turn.has_qword


def rewrite_once(question: str, previous: str, settings: Settings) -> str:
    """The standalone form of `question` asked right after the standalone question `previous`."""
    question = (question or "").strip()
    previous = (previous or "").strip()
    if not previous or not question:
        return question
    new = _analyse(question, settings)
    if _is_standalone(new):
        return question
    prev_turn = _analyse(previous, settings)

    if not new.content and not new.pronoun:
        if new.has_scope:  # 那2024年呢？ / 那省里的呢？ / 2026年的呢？
            return _absolute(_replace_slots(previous, prev_turn, new), settings)
        if _SMALL_TALK.match(question):
            return question
        # nothing but question words: 一共几个？ / 还有呢？
        return _absolute(_first_sentence(previous) + question, settings)

    named = _named_answer(question, previous)
    if named:  # "那个文件" = the 文件 the previous question asked for ("依据哪些文件")
        return _absolute(named, settings)
    if new.pronoun:
        return _resolve_pronoun(new, previous, prev_turn, settings)
    return _resolve_own_content(question, new, previous, prev_turn, settings)


def _resolve_pronoun(new: _Turn, previous: str, prev_turn: _Turn, settings: Settings) -> str:
    """这些/其中/它 … : the pronoun stands for what the previous question asked about."""
    if new.pronoun == "plural":
        m = _PLURAL.match(new.text[len(new.cue):])
        word = m.group(0) if m else ""
        if word and word in previous:  # the previous question named the items the same way
            head = previous[: previous.index(word) + len(word)]
            return _absolute(head + new.body, settings) if not (new.years or new.has_place) \
                else _compose(head, new.body, new, settings)
        elif _ANCHOR.search(previous[: _question_start(previous)]):
            head = _subject(previous, prev_turn) + _listed(previous)
        else:
            head = _stem(previous) + "这些"
        return _compose(head, new.body, new, settings, sep="")

    if new.pronoun == "subscope":  # 其中某市办了什么活动？ — a part of the previous notice
        subject = _subject(previous, prev_turn)
        sep = "" if re.search(r"[里中内，,]$", subject) else "中"
        return _absolute(subject + sep + new.body, settings)

    if new.pronoun == "singular":  # 它的文号是多少？ — the previous notice (or the previous topic)
        if _ANCHOR.search(previous[: _question_start(previous)]):
            head = _subject(previous, prev_turn)
        else:
            head = _stem(previous)
            named = _ANCHOR.search(new.text[len(new.cue):len(new.text) - len(new.body)])
            if named:  # 该通知的… : the pronoun itself says it is the notice
                head += named.group(0)
            elif _NOTICE_ATTR.search(new.body):  # 它的文号/附件… can only be the notice's
                head += "通知"
        if new.has_place and not _pronoun_scoped(new):
            # "它是按照市里哪份文件定的": 它 is that notice; the place names what is asked of it
            return _absolute(_join(head, new.body), settings)
        return _compose(head, new.body, new, settings)
    raise ValueError(f"unknown pronoun kind {new.pronoun!r}")


def _pronoun_scoped(new: _Turn) -> bool:
    """A place right after the pronoun scopes it ("它省里的版本呢"); one later in the sentence does not."""
    start = len(new.text) - len(new.body)
    return any(a <= start + 1 for a, _ in new.scope_spans)


def _resolve_own_content(question: str, new: _Turn, previous: str, prev_turn: _Turn, settings: Settings) -> str:
    """A follow-up with no pronoun but a content of its own: another fact of the same topic,
    a parallel item (那电梯呢？), or a topic of its own that inherits the scope it leaves out."""
    if _SMALL_TALK.match(question):
        return question
    if PART_ASKED.match(_CUE.sub("", question)) and _OUTLINE_ASKED.search(previous):
        # "第三部分说了什么" after "工作措施分几部分": a part of the outline just listed, of the same topic
        stem = re.sub(r"(?:分为?|分成|包括|包含|都有|有)$", "", _stem(previous))
        return _compose(stem + "的", _CUE.sub("", question), new, settings, sep="")

    if _attribute_only(new.content) and not (new.has_place and _ANCHOR.search(new.body)):
        # another fact about the same topic: 报给谁？电话多少？ / 有截止日期吗？ / 那口号呢？
        return _compose(_stem(previous), new.body, new, settings)
    if _ends_with_ne(new) and not new.has_place:  # 那质量科呢？ / 那电梯呢？
        swapped = _parallel_swap(previous, new.content) or _sibling_swap(previous, new)
        if swapped:
            return _compose(swapped, "", new, settings)
        return _compose(_first_sentence(previous), new.body, new, settings)

    # its own topic: carry over the scope it leaves out, never the old topic
    if _ALL_YEARS.search(question):
        return question
    if new.has_place and new.has_qword and not new.cue and not _ends_with_ne(new) and not _attribute_only(new.content) \
            and not _POINTS_BACK.search(question):
        return question  # its own topic, place and question word, no 那/呢/那两篇: a new question, it inherits nothing
    if new.has_place or _ANCHOR.search(new.body):
        missing = ("" if new.years else _year_text(prev_turn.years)) + \
            ("" if new.has_place else prev_turn.scope_words())
        return _absolute(missing + new.body, settings) if missing else question
    return _compose(_subject(previous, prev_turn), new.body, new, settings)


def _named_answer(question: str, prev: str) -> str:
    """"（那）市里那份文件的发文字号？" after "…方案根据哪几份文件？": the thing the previous
    question asked for, named by a demonstrative — "…方案根据的市里文件的发文字号？"."""
    start = _question_start(prev)
    asked = re.match(r"(?:哪个|哪份|哪些|哪几[个份项]?|什么)([\u4e00-\u9fff]{1,6})", prev[start:])
    if not asked:
        return ""
    rest = question[len(_CUE.match(question).group(0)):] if _CUE.match(question) else question
    for k in range(len(asked.group(1)), 1, -1):  # at least two characters of the noun
        noun = asked.group(1)[:k]
        m = re.search(f"(?:那个|这个|那份|这份|那些|这些|该){re.escape(noun)}", rest)
        if m:
            head = re.sub(r"[是为有的，,\s]+$", "", prev[:start])
            head = re.sub(r"是(?=[\u4e00-\u9fff]{1,3}$)", "", head)
            return head + "的" + rest[: m.start()] + noun + rest[m.end():]
    return ""


def _listed(prev: str) -> str:
    """What the previous question asked to be listed ("有哪些重点安排？" → "的重点安排")."""
    m = re.search(r"(?:哪些|哪几[项个类条家]?|什么)([\u4e00-\u9fff]{1,12}?)[？?]", prev[_question_start(prev):])
    return ("的" + m.group(1)) if m else ""


def _compose(head: str, body: str, new: _Turn, settings: Settings, sep: str | None = None) -> str:
    """head (carried over) + body (the new turn); a year or place the new turn names replaces the
    carried-over one in the head instead of standing twice."""
    if new.years or new.has_place:
        head = _replace_slots(head, _analyse(head, settings), new)
        if body:
            b = _analyse(body, settings)
            body = _remove_spans(body, (b.year_spans if new.years else []) + (b.scope_spans if new.has_place else []))
            body = re.sub(r"^的+", "的", body)
    return _absolute(head + body if sep == "" else _join(head, body), settings)


# ---- the LLM path

_MODEL_CACHE: dict[tuple, object] = {}


def _chat_model(settings: Settings):
    key = (settings.answer.answerer, str(settings.llm.llm_model_path), settings.llm.openai_base_url, settings.llm.openai_model)
    if key not in _MODEL_CACHE:
        from assistant.llm import make_chat_model

        _MODEL_CACHE[key] = make_chat_model(settings)
    return _MODEL_CACHE[key]


def _prompt(settings: Settings, history: list[str], question: str) -> str:
    template = (settings.index.prompts_dir / "condense_question.txt").read_text(encoding="utf-8")
    turns = "\n".join(f"{i}. {t}" for i, t in enumerate(history, 1))
    today = settings.retrieval.today
    return (template.replace("{today}", f"{today.year}年{today.month}月{today.day}日")
            .replace("{history}", turns).replace("{question}", question))


def _clean_llm(text: str) -> str:
    text = (text or "").strip()
    text = text.splitlines()[0].strip() if text else ""
    text = re.sub(r"^(?:改写后的问题|改写后|改写|独立问题|完整问题|问题|输出)\s*[:：]\s*", "", text)
    text = text.strip().strip("\"'“”「」‘’`").strip()
    rest = _CUE.sub("", text)  # a standalone question does not start with 那/还有
    return rest if re.search(r"[\u4e00-\u9fff]", rest) else text


def _level_of(text: str, settings: Settings) -> str:
    info = parse_query(text, settings.retrieval.today)
    return info.level or (info.regions and info.region_levels[0]) or ""


def llm_output_ok(candidate: str, rules: str, settings: Settings, question: str = "",
                  history: list[str] | None = None) -> bool:
    """Whether a model's rewrite may be used instead of the rules' one.

    It must be one line of Chinese under 200 chars; name the same years and the same level as
    the rules found (the slots a small model most often gets wrong); not merely repeat an
    earlier turn; and keep the words of what the new turn asks ("报给谁？电话多少？" → 电话).
    """
    if not candidate or len(candidate) >= 200 or not re.search(r"[\u4e00-\u9fff]", candidate):
        return False
    rule_years = set(parse_years(rules, settings.retrieval.today))
    if rule_years and set(parse_years(candidate, settings.retrieval.today)) != rule_years:
        return False
    rule_level = _level_of(rules, settings)
    if rule_level and _level_of(candidate, settings) != rule_level:
        return False
    squeeze = lambda t: re.sub(r"[\s？?。！!，,]", "", t)  # noqa: E731
    if question and squeeze(candidate) != squeeze(question) and \
            any(squeeze(candidate) == squeeze(turn) for turn in history or []):
        return False
    if question:
        asked = [t for t in tokens(_analyse(question, settings).content) if len(t) >= 2]
        if any(t not in candidate for t in asked):
            return False
    return True


def rewrite_with_rules(question: str, history: list[str], settings: Settings) -> str:
    """Chain the rules over the conversation: turn k is rewritten given the rewritten turn k-1."""
    standalone = ""
    for turn in [t for t in history if (t or "").strip()] + [question]:
        standalone = rewrite_once(turn, standalone, settings) if standalone else turn.strip()
    return standalone


def rewrite_question(question: str, history: list[str], settings: Settings, chat_model=None) -> str:
    """The standalone question to search for `question`, given the earlier user turns (oldest first)."""
    history = [t for t in (history or []) if (t or "").strip()]
    if not history:
        return question
    rules = rewrite_with_rules(question, history, settings)
    if settings.answer.answerer == "extractive" and chat_model is None:
        return rules
    if _is_standalone(_analyse(question, settings)):
        return question  # a full new question: nothing for a model to add, nothing to pollute
    try:
        model = chat_model or _chat_model(settings)
        if model is None:
            return rules
        raw = model.chat([{"role": "user", "content": _prompt(settings, history, question)}],
                         max_tokens=128, temperature=0.0)
    except Exception as exc:  # a failing model must not break the chat: the rules still answer
        log.warning("condense-question model failed (%s); using the rules", exc)
        return rules
    candidate = _clean_llm(raw)
    return candidate if llm_output_ok(candidate, rules, settings, question, history) else rules


def new_topic(question: str) -> str | None:
    """The question without its "再问个别的：" when the user marks it as a new one (it inherits nothing), else None."""
    m = _NEW_TOPIC.match(question)
    return question[m.end():] if m and m.end() > 0 and question[m.end():].strip() else None
