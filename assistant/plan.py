"""Question plans: what a question asks, as a small typed object the executor can run.

A `Plan` says which operation (look one value up, list per year, compare, the items two
notices share, count, change over time …), over which notices (scope: years, levels, regions,
files), for which notice fact (theme, slogans, co-issuers, deadlines … — the fields of
`index.facts.NoticeFacts`), about which topic words. The offline parser reads it from cue
words; with an LLM answerer configured a model may write it as JSON, validated against the
same schema, and the parser is used whenever that fails.

Follow-ups carry the plan: a turn that names only a year, a level, a fact or an operation
changes only that ("那2021年的呢" the year, "那市里的呢" the level, "这几项谁牵头" the
fact, "和前年比呢" the operation); a turn with its own topic or fact *and* its own scope is a new
plan and inherits nothing. The question shown to the user is rendered from the plan.
"""
from __future__ import annotations

import json
import logging
import re
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from assistant.evidence import THEME_ASKED
from assistant.query import parse_query
from index.settings import Settings

log = logging.getLogger(__name__)

Op = Literal["lookup", "list", "per_year", "compare", "difference", "common", "count", "change"]
FactName = Literal["theme", "slogans", "co_issuers", "co_issuer_count", "period", "deadlines", "deadlines.to", "contacts",
                   "activities", "activities.lead", "based_on", "attachments", "doc_no", "issuer", "date", "year"]
LEVEL_NAMES = {"national": "全国", "provincial": "省级", "municipal": "市级", "county": "县级"}
FACT_NAMES = {"theme": "活动主题", "slogans": "活动口号", "co_issuers": "联合发文部门", "co_issuer_count": "联合发文部门数",
              "period": "活动时间", "deadlines": "报送要求和截止时间", "deadlines.to": "报送对象", "contacts": "联系人及联系方式",
              "activities": "活动安排", "activities.lead": "牵头部门", "based_on": "依据的文件",
              "attachments": "附件", "doc_no": "文号", "issuer": "发文机关", "date": "成文日期", "year": "年份"}


class Scope(BaseModel):
    years: list[int] = Field(default_factory=list)
    levels: list[Literal["national", "provincial", "municipal", "county"]] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)
    docs: list[str] = Field(default_factory=list)  # corpus file names, when a turn pins a notice

    def empty(self) -> bool:
        return not (self.years or self.levels or self.regions or self.docs)


class Plan(BaseModel):
    op: Op = "lookup"
    scope: Scope = Field(default_factory=Scope)
    fact: FactName | None = None  # None: a free-text question the passages answer
    topic: list[str] = Field(default_factory=list)  # words the answer must be about ("电梯", a quoted slogan)
    # items of a list fact by their place in it: 1-based, negative from the end ("第8条" [8], "最后两家" [-2, -1])
    positions: list[int] = Field(default_factory=list)
    source: Literal["parser", "llm"] = "parser"

    def with_(self, **changes) -> "Plan":
        return self.model_copy(update=changes, deep=True)


# ---- cue words (the genre's wording, not any one notice's)
# Order matters: the first fact whose cue a question holds is the one asked for.
_FACT_CUES: list[tuple[str, str]] = [
    ("activities", r"(?:搞|办|开展|组织)了?(?:哪些|什么|啥)(?:主要|重点)?活动"),
    ("co_issuer_count", r"(?:几|多少)(?:个|家)?(?:部门|单位)"),
    ("co_issuers", r"(?:哪些|哪几个|什么)(?:部门|单位)(?:联合|共同|一起|参与)|联合(?:发文|主办|印发)?(?:的)?(?:部门|单位)"
                   r"|(?:部门|单位)名单"),
    ("doc_no", r"文号|发文字号|文件号|字号"),
    ("date", r"成文日期|印发日期|落款日期|(?:哪天|什么时候|何时)(?:印发|发布|签发)"),
    ("issuer", r"发文机关|发文单位|印发单位|(?:哪个|什么)(?:单位|部门|机关|机构)(?:印)?发|谁发的?|由谁(?:印)?发"),
    ("deadlines.to", r"(?:报|交|送)(?:到|给|至)[^，。？?]{0,4}(?:哪|谁)|报送(?:单位|对象|给谁|到哪)"
                     r"|(?:报|交|送)[^，。？?]{0,4}哪(?:个|家)(?:科|处|室|局|单位|部门|机构)"),
    ("deadlines", r"截止|最晚|几号前|哪天前|之前(?:报|交)|期限|(?:什么时候|何时|哪天)(?:报|交)"),
    ("contacts", r"联系人|联系电话|电话|邮箱|传真|联系方式|手机号?|号码"),
    ("activities.lead", r"牵头|负责|谁来办|由谁办|谁办"),
    ("based_on", r"依据|根据(?:哪|什么)|按照(?:哪|什么)"),
    ("attachments", r"附件(?:有|是|都|一共|共|包括)|几个附件|哪些附件"
                    r"|附件\s*\d+(?:\s*[、和与及]\s*(?:附件)?\s*\d+)*\s*的?(?:分别|各)?(?:名称|标题|题目|叫什么|叫啥|是什么|是啥)"),
    ("slogans", r"口号|标语"),
    ("theme", THEME_ASKED),
    ("period", r"几月份?(?:开展|搞|举办|举行)|哪个月|(?:什么时候|何时)(?:开展|搞|举办|举行)|活动时间|在几月"),
    ("activities", r"(?:哪些|什么|啥)(?:重点)?活动|活动安排|重点安排|(?:搞|办|开展)了?(?:哪些|什么|啥)"),
    ("year", r"哪(?:一)?年|哪个年份|何年"),
]
YEAR_CUE = _FACT_CUES[-1][1]  # "哪一年": the year asked
_OP_CUES: list[tuple[str, str]] = [
    ("common", r"相同|一样|重复|共同|共有|都有的|重合|一字不差"),
    ("difference", r"区别|不同|差在哪|差别|差异|异同|有何出入|对得上|没了|(?<!多)少了|去掉了?|不见了|删(?:掉|去|除)了?"
                   r"|多了(?:哪|什么|啥)|多出(?:了)?(?:哪|什么|啥)|新增了?(?:哪|什么|啥)"),
    ("change", r"变化|变了|变的|改了|有何调整|(?:和|跟|与|同|比)(?:去年|前年|上一年|往年|\d{2,4}年)(?:的)?(?:相)?比"),
    ("compare", r"对比|比较|哪(?:一)?年(?:最|更)|谁(?:最|更)多|(?:哪个|谁)(?:更)?(?:早|晚)"),
    ("count", r"(?<![哪这])几(?:个|项|条|类|家)|多少(?:个|项|条|类|家)?|有几"),
    ("per_year", r"历年|每年|各年|往年|历届|每届|分别|各自"),
    ("list", r"哪些|哪几|列一下|列出|列举|都有什么|有什么"),
]
_SEVERAL = re.compile(r"都|分别|各")
# whether the years agree, asked yes-or-no, of every year's items (not which items they share)
_SAME_ASKED = re.compile(r"(?:一样|相同|一致|变过)(?:吗|不|么|没有?)|是否(?:一样|相同|一致)")
_QUOTED = re.compile(r"[“\"「]([^”\"」]{2,40})[”\"」]")
# A follow-up's own words: a pronoun for the previous items or notice, or a bare "那…呢".
_PLURAL = re.compile(r"^(?:那么|那|还有)?[，,]?(?:这几项|这几个|这几条|这些|上述|以上|它们|其中)")
_SINGULAR = re.compile(r"^(?:那么|那|还有)?[，,]?(?:它|该通知|该文件|该方案|这个通知|这份通知|这份|这个|该)")
_BARE = re.compile(r"呢[？?]?\s*$")
_QWORDS = re.compile(r"什么|啥|哪|谁|几|多少|是否|有没有|怎么|如何|何时|吗")
# Words that name the notice or the question, not a topic.
_NOT_TOPIC = set("质量 质量月 活动 通知 方案 文件 全国 国家 总局 省里 省局 全省 省级 市里 县里 今年 去年 前年 明年 年 月 "
                 "那项 这项 那个 这个 那份 这份 内容 情况 要求 相关 有关 部门 单位 工作 开展 举办 安排 重点 哪年 哪一年 "
                 "历年 每年 各年 往年 分别 各自 一样 相同 不同 区别 变化 比较 对比 重复 共同 一共 多少 几个 "
                 "牵头 负责 主题 口号 标语 文号 附件 日期 时间 截止 联系人 电话 邮箱 依据 发文 印发 机关 联合 材料 "
                 "结尾 开头 那条 这条 那句 这句 写法 正文 全文 原文 部分 数量 数目 个数 总数 落款 名单 清单 列表 这块 那块 动作 新增 "
                 "表里 表中 里面 里头".split())


# Nouns that name the kind of item a fact lists ("按哪些规划或意见定的", "材料交给谁"): the fact itself, not a
# topic among its items.
_DUE = set("总结 材料 情况 信息".split())  # what a deadline asks to be sent
_KIND_NOUNS = {"based_on": set("纲要 规划 意见 决定 精神 部署 上级 要求 文件 通知".split()),
               "slogans": set("宣传 宣传语".split()), "attachments": set("名称 标题 题目".split()),
               "deadlines": _DUE, "deadlines.to": _DUE}


LIST_FACTS = ("slogans", "co_issuers", "activities", "attachments", "based_on")  # facts that are lists of items
_CN_NUMBER = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_UNIT = r"(?:条|项|个|家|句|名|位|件|份)"


def number(word: str) -> int:
    """A small number as written: "8", "八", "十二", "二十" (0 if none)."""
    if word.isdigit():
        return int(word)
    if len(word) == 2 and word[0] == "十":
        return 10 + _CN_NUMBER.get(word[1], 0)
    if len(word) == 2 and word[1] == "十":
        return 10 * _CN_NUMBER.get(word[0], 0)
    return _CN_NUMBER.get(word, 0)


_ORDINAL = re.compile(r"(?:倒数)?第[一两二三四五六七八九十\d]{1,3}" + _UNIT + r"|最后(?:的)?[一两二三四五六七八九十\d]{0,3}"
                      + _UNIT + r"|前[一两二三四五六七八九十\d]{1,3}" + _UNIT)


def positions_of(text: str) -> list[int]:
    """Places in a list a question names: "第8条" → [8], "倒数第二个" → [-2], "最后两家" → [-2, -1],
    "前三条" → [1, 2, 3]; [] when it names none ("第几个质量月" asks a number, not an item)."""
    n = r"([一两二三四五六七八九十\d]{1,3})"
    m = re.search(r"倒数第" + n + _UNIT, text)
    if m and number(m.group(1)):
        return [-number(m.group(1))]
    m = re.search(r"最后(?:的)?" + n + "?" + _UNIT, text)
    if m:
        k = number(m.group(1)) if m.group(1) else 1
        return list(range(-k, 0)) if k else []
    text = re.sub(r"第[一两二三四五六七八九十\d]{1,3}个?[“\"]?质量月", "", text)  # "第47个质量月" is no item
    m = re.search(r"(?<!倒数)第" + n + _UNIT, text)
    if m and number(m.group(1)):
        # "第2条和第8条", "第二、第五项": every place of the run, the unit written once or each time
        run = re.findall(r"(?<!倒数)第" + n + r"(?=" + _UNIT + r"|\s*[和、与及跟,，]\s*第)", text)
        return list(dict.fromkeys(number(x) for x in run if number(x))) or [number(m.group(1))]
    m = re.search(r"前" + n + _UNIT, text)
    if m and 0 < number(m.group(1)) <= 30:
        return list(range(1, number(m.group(1)) + 1))
    return []


def _fact_of(text: str) -> str | None:
    if _QUOTED.search(text) and re.search(YEAR_CUE, _QUOTED.sub("", text)):
        return "year"  # "“…”是哪年的口号": the year is asked, the quoted wording is the topic
    named = [name for name, cue in _FACT_CUES if name != "year" and re.search(cue, text)]
    if "co_issuers" in named and "issuer" in named:
        named.remove("issuer")  # "联合发文单位" are the co-issuers, not the one issuer
    if "based_on" in named and "issuer" in named:
        named.remove("issuer")  # "它照着哪家机关的文件办": the basis, quoted with who issued it
    if "co_issuer_count" in named and "activities.lead" in named:
        named.remove("activities.lead")  # "由总局牵头的有几个部门": 牵头 says who leads the departments counted
    if {"co_issuers", "co_issuer_count"} >= set(named[1:]) and named[:1] == ["co_issuer_count"]:
        named = named[:1]
    # two facts in one question ("几个部门发的，主题是啥") are for the passages, not one plan
    return named[0] if len(set(named) - {"activities"}) <= 1 and named else None


def _op_of(text: str, fact: str | None, years: list[int]) -> str | None:
    """The operation a question's own words name, or None when they name none."""
    if fact in LIST_FACTS and _SAME_ASKED.search(text) and re.search(r"各年|每年|历年|这几年|一般|哪些", text):
        return "per_year"  # "口号一般有哪几条？每年都一样吗": each year's items, to be seen side by side
    for name, cue in _OP_CUES:
        if re.search(cue, text):
            if name == "count" and (fact in ("doc_no", "contacts", "deadlines", "date", "year")
                                    or re.search(r"(?:电话|邮箱|手机|号码|传真|文号)(?:是|为)?多少", text)):
                continue  # "文号是多少" / "电话多少" ask for the value, not a count
            if name == "change" and len(years) < 1 and not re.search(r"去年|前年|上一年|往年", text):
                continue
            return name
    if len(years) > 1 and _SEVERAL.search(text):
        return "per_year"
    return None


def _topic_of(text: str) -> list[str]:
    from index.tokenize import pos_tokens

    # "“……共享美好生活”结尾的": a quoted fragment, its ellipsis marks what is left out
    quoted = [q.strip(" …．.。") for q in _QUOTED.findall(text) if q.strip(" …．.。")]
    # a time of the year names an item of a schedule ("安排在10月下旬的那项")
    quoted += re.findall(r"\d{1,2}月(?:上旬|中旬|下旬|底|初)|\d{1,2}[-—至到]\d{1,2}月", text)
    rest = _QUOTED.sub(" ", text)
    for _, cue in _FACT_CUES + _OP_CUES:
        rest = re.sub(cue, " ", rest)
    words = [w for w, flag in pos_tokens(rest) if flag.startswith(("n", "vn", "nz", "l", "i", "eng"))
             and not flag.startswith(("ns",)) and len(w) > 1 and w not in _NOT_TOPIC
             and not re.match(r"[个家项条位名份]", w)]  # the rest of a cue cut off ("哪|个局")
    return list(dict.fromkeys(quoted + words))


_OUR_PROVINCE = re.compile(r"咱们?省|咱们?全省")


def parse_plan(question: str, settings: Settings) -> Plan:
    """The plan a question states on its own (no history)."""
    text = (question or "").strip()
    # scope is read outside quotes: a quoted slogan's words are no place ("…利民惠民")
    info = parse_query(_QUOTED.sub("“”", text), settings.retrieval.today)
    if not info.levels and _OUR_PROVINCE.search(text):
        info.levels = ["provincial"]
    fact = _fact_of(text)
    op = _op_of(_PLURAL.sub("", text), fact, info.years)  # "这几项" points back, it does not count
    topic = _topic_of(_ORDINAL.sub("", text))
    if op is None:
        op = "per_year" if fact and re.search(r"历年|每年|各年", text) else "lookup"
    if op == "common" and fact and fact not in LIST_FACTS + ("activities.lead", "deadlines", "contacts"):
        op = "compare"  # "两年主题一样吗": one value a side, compared — not a list's shared items
    if op == "count" and fact == "co_issuers":
        fact = "co_issuer_count"
    if fact == "co_issuer_count" and op in ("lookup", "list"):
        op = "count"
    regions = [r for r in info.regions]
    # a place's short name ("射洪21年…") scopes the plan; it is no topic of it
    topic = [t for t in topic if not any(t in r for r in regions) and t not in _KIND_NOUNS.get(fact, ())]
    levels = list(info.levels)
    if fact == "based_on" and regions:
        levels = []  # "某县方案按的市里文件": the level is the basis's, the place the plan's
    scope = Scope(years=list(info.years), levels=levels, regions=regions)
    positions = positions_of(text) if fact in LIST_FACTS else []
    if fact == "attachments":  # "附件2、附件3的名称": attachments are listed in their numbers' order
        runs = re.finditer(r"附件\s*\d{1,2}(?:\s*[、和与及]\s*(?:附件)?\s*\d{1,2}(?![\d年]))*", text)
        positions = [int(n) for m in runs for n in re.findall(r"\d{1,2}", m.group(0))] or positions
    return Plan(op=op, scope=scope, fact=fact, topic=topic, positions=positions)


def _named_op(text: str, plan: Plan) -> bool:
    return _op_of(text, plan.fact, plan.scope.years) is not None


def follow(question: str, previous: Plan | None, settings: Settings) -> Plan | None:
    """The plan of `question` asked right after a turn whose plan was `previous`.

    None when the turn is neither a question of its own nor a follow-up the parser can read
    (the rules of assistant/followup.py then rewrite it)."""
    new = parse_plan(question, settings)
    text = (question or "").strip()
    if previous is None:
        return new
    own_scope = not new.scope.empty()
    pronoun = bool(_PLURAL.match(text) or _SINGULAR.match(text))
    bare = bool(_BARE.search(text)) and not _QWORDS.search(_BARE.sub("", text))
    own_level = new.scope.levels and new.topic and _QWORDS.search(text) and not re.match(r"^(?:那么|那|还有|另外)", text)
    if (new.fact or new.topic) and (new.scope.years or new.scope.regions or own_level) and not pronoun and not bare:
        return new  # its own topic and its own year, place or level (no 那/呢): a new question, nothing inherited
    changes: dict = {"source": new.source}
    scope = previous.scope.model_copy(deep=True)
    if new.scope.years:
        if new.op == "change":  # "和前年比呢": the earlier year joins the years already asked
            scope.years = sorted(set(previous.scope.years) | set(new.scope.years))
        else:
            scope.years = new.scope.years
    # "它是按照市里哪份文件定的": the level names the document it is based on, 它 stays the notice asked about
    qualifies_value = bool(_SINGULAR.match(text)) and new.fact == "based_on"
    if (new.scope.levels or new.scope.regions) and not qualifies_value:
        scope.levels, scope.regions, scope.docs = new.scope.levels, new.scope.regions, []
    changes["scope"] = scope
    if new.fact and new.fact != previous.fact:
        changes["fact"] = new.fact
    elif new.topic and not new.fact and not bare and not pronoun:
        changes["fact"] = None  # a topic of its own with no fact cue: a free-text question
    if _named_op(_PLURAL.sub("", text), new):
        changes["op"] = new.op
    elif new.fact and new.fact != previous.fact and previous.op in ("count", "common"):
        changes["op"] = "lookup"
    if new.topic:
        # "那X那项呢" names a new item of the same kind; "这几项…" keeps the items asked about
        changes["topic"] = new.topic if not _PLURAL.match(text) else previous.topic + new.topic
    elif not bare and not pronoun and new.fact and own_scope:
        changes["topic"] = []
    # "第8条是啥？" / "最后两家是谁？" after a list: those items of the same list
    positions = positions_of(text) if (new.fact or previous.fact) in LIST_FACTS else []
    changes["positions"] = positions
    if positions and not new.fact:
        changes["op"], changes["topic"] = "lookup", []
    if not (new.fact or new.topic or own_scope or _named_op(_PLURAL.sub("", text), new) or pronoun or positions):
        return None  # nothing the parser can read ("还有呢？"): the rule rewriter decides
    plan = previous.with_(**changes)
    if plan.op == "change" and len(plan.scope.years) < 2:
        plan = plan.with_(op="compare")
    return plan


def plan_question(question: str, history: list[str], settings: Settings) -> Plan | None:
    """The plan of the latest turn, rebuilt from the earlier user turns (oldest first)."""
    previous: Plan | None = None
    for turn in [t for t in history or [] if (t or "").strip()]:
        previous = follow(turn, previous, settings) or previous
    return follow(question, previous, settings)


# ---- the question shown to the user
_OP_WORDS = {"lookup": "是什么？", "list": "有哪些？", "per_year": "分别是什么？", "compare": "分别是什么，有何异同？",
             "difference": "有何不同？", "common": "中相同的有哪些？", "count": "有多少？", "change": "有何变化？"}


def render(plan: Plan) -> str:
    """A standalone question that says what the plan asks ("2024年、2025年省级通知的活动口号中相同的有哪些？")."""
    years = "、".join(f"{y}年" for y in plan.scope.years) or ("历年" if plan.op == "per_year" else "")
    where = "、".join(plan.scope.regions) or "、".join(LEVEL_NAMES.get(lv, lv) for lv in plan.scope.levels)
    about = "、".join(f"“{t}”" if len(t) > 6 else t for t in plan.topic)
    if plan.fact == "year":
        return f"{about}出自哪一年的“质量月”通知？"
    fact = FACT_NAMES.get(plan.fact or "", "")
    head = f"{years}{where}“质量月”通知" + (f"中{about}" if about else "") + (f"的{fact}" if fact else "")
    if plan.positions:
        if plan.fact == "attachments":
            return f"{years}{where}“质量月”通知的{position_words(plan.positions, plan.fact)}是什么？"
        return head + "中" + position_words(plan.positions, plan.fact) + "是什么？"
    return head + _OP_WORDS[plan.op]


def position_words(positions: list[int], fact: str | None = None) -> str:
    """[8] → 第8项, [-2, -1] → 最后2项, [1, 2, 3] → 前3项, [-2] → 倒数第2项; attachments by number (附件2、附件3)."""
    if fact == "attachments" and all(p > 0 for p in positions):
        return "、".join(f"附件{p}" for p in positions)
    if len(positions) == 1:
        return f"第{positions[0]}项" if positions[0] > 0 else f"倒数第{-positions[0]}项"
    if positions == list(range(1, len(positions) + 1)):
        return f"前{len(positions)}项"
    if positions == list(range(-len(positions), 0)):
        return f"最后{len(positions)}项"
    return "第" + "、".join(str(p) if p > 0 else f"倒数{-p}" for p in positions) + "项"  # [2, 8] → 第2、8项


# ---- the LLM path: the same schema, written as JSON by a model
def _llm_prompt(settings: Settings, history: list[str], question: str) -> str:
    template = (settings.index.prompts_dir / "plan_question.txt").read_text(encoding="utf-8")
    turns = "\n".join(f"{i}. {t}" for i, t in enumerate(history, 1)) or "（无）"
    today = settings.retrieval.today
    return (template.replace("{today}", f"{today.year}年{today.month}月{today.day}日")
            .replace("{history}", turns).replace("{question}", question))


def plan_from_json(raw: str) -> Plan | None:
    """A model's JSON plan, or None when it is not a valid Plan."""
    m = re.search(r"\{.*\}", raw or "", re.S)
    if not m:
        return None
    try:
        return Plan.model_validate({**json.loads(m.group(0)), "source": "llm"})
    except (ValueError, ValidationError):
        return None


def plan_with_model(question: str, history: list[str], settings: Settings, chat_model) -> Plan | None:
    """The parser's plan, or the model's when an LLM answerer is configured, llm_plans is on and its
    JSON is valid and agrees with the years the parser read (the slot small models most often get wrong)."""
    parsed = plan_question(question, history, settings)
    if settings.answer.answerer == "extractive" or chat_model is None or not settings.llm.llm_plans:
        return parsed
    try:
        raw = chat_model.chat([{"role": "user", "content": _llm_prompt(settings, history, question)}],
                              max_tokens=256, temperature=0.0)
    except Exception as exc:  # a failing model must not break the chat: the parser still plans
        log.warning("plan model failed (%s); using the parser", exc)
        return parsed
    planned = plan_from_json(raw)
    if planned is None or (parsed and parsed.scope.years and set(planned.scope.years) != set(parsed.scope.years)):
        return parsed
    return planned
