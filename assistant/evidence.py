"""Evidence units: the sentences, list items and table rows a cited answer quotes.

Retrieved chunks are cut into units small enough to quote and each unit is
scored against the question: jieba overlap with the question's focus terms,
the chunk's retrieval rank, and whether the unit holds the kind of fact the
question asks for (a date for 什么时候, a 文号 for 文号, a phone for 电话 …).
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.results import Context
from index.components.script import to_simplified
from index.gazetteer import find_places
from index.patterns import BYLINE, COUNT, DATE, DOC_NO, EMAIL, NAVIGATION, PHONE  # noqa: F401  (DOC_NO re-exported)
from index.store import fold
from index.tokenize import pos_tokens

# "第三块 / 第2部分 / 第五个方面": a part of an outline by its place
PART_ASKED = re.compile(r"第([一二三四五六七八九十\d]{1,2})(?:块|部分|个方面|方面|板块|大块)")
OUTLINE_CUES = re.compile(r"几块|各块|哪几块|标题|几部分|哪几部分|几个方面|哪些方面|哪些单位|哪几个单位|哪些部门|单位名|哪些地市|哪些设区市|各地")

# "在哪办的 / 具体在南昌哪个地方开的 / 举办地点": where an event was held
_VENUE = re.compile(r"(?<=[在到进往赴])[\u4e00-\u9fa5]{2,16}?(?:中心|广场|公园|大厦|大楼|会议室|会堂|礼堂|剧院|展馆|科技馆|体育馆"
                    r"|学校|大学|学院|社区|园区|基地|集团|公司|街道|商场|超市|市场)")
PLACE_ASKED = r"在[^，,。？?]{0,6}?哪(?:儿|里|个地方|个市|个城市|个县|个区|家[\u4e00-\u9fa5]{0,3})?[^，,。？?]{0,2}?(?:办|开|举行|举办|召开|启动)|举办地|地点"
_HELD_AT = re.compile(r"(?:在|于)([\u4e00-\u9fa5A-Za-z0-9（）()·\-“”]{2,30}?)(?:隆重)?(?:举行|举办|召开|启动|开幕|拉开)|地点[：:]\s*(\S{2,30})")
# "主题宣传 / 主题建议 / 主题活动" name a themed thing, not the theme asked for.
THEME_ASKED = r"主题(?!宣传|建议|活动|教育|征集|党日|论坛|展|演讲|沙龙|推广|日|周|实践|讲座|培训|作品|歌|曲)"
# Which kind of fact a question asks for, by its cue words.
# "那6个板块分别指啥 / 这两项措施指什么": the items of a set the text counted
_N_ITEMS_ASKED = r"(?:\d{1,2}|[两三四五六七八九十])\s*(?:个|项|大|类|条|块)[\u4e00-\u9fa5]{0,4}?(?:都|分别|各)?(?:是|有)(?:什么|啥|哪些)"
# What a person does at an event: asked as "谁主持…", "宣读…的是谁"; ranks the sentences that say it.
_DOING = "出席|讲话|致辞|主持|宣布|介绍|宣读|通报|发言|汇报"
QUESTION_KINDS = [
    ("doc_no", r"文号|发文字号|文件号|字号"),
    ("contact", r"联系人|联系电话|电话|手机|邮箱|传真|联系方式|找谁"),
    ("email", r"邮箱|电子邮件|邮件地址|email|e-mail"),
    ("phone", r"电话|手机|座机|号码"),
    ("addressee", r"主送|发给(?:哪|谁)|下发给|发往哪|发到哪|抄送"),
    ("basis", r"依据|根据哪|按照哪|上级文件|哪几个文件|哪些文件"),
    ("deadline", r"截止|最晚|之前|以前|前报|前要|期限|时间节点|几号前|哪天前"),
    ("issue_date", r"(印发|发的|发布的|落款|成文|签发).{0,6}(哪天|日期|时间|几月|几号|什么时候)|(哪天|几月几号|什么时候)(印发|发的|发布|签发)"),
    ("date", r"什么时候|何时|哪天|几号|几月几|日期|哪一天|时间安排|什么时间|时间段|哪个月|几月份|哪个[^，。？]{0,3}先|谁先|先后|更早|更晚"),
    ("who_leads", r"牵头|负责|协办|配合|哪个科|哪个部门|哪个单位|哪个机构|哪[两几三]?家|什么机构|什么单位|哪个司|谁(?:主办|承办|组织|举办)|谁来|由谁|谁办|谁搞|报到|报给"),
    ("person", rf"哪位|哪个领导|哪些领导|领导是谁|谁[^，。？?]{{0,6}}?(?:{_DOING})|负责人是谁|(?:{_DOING})[^，。？?]{{0,12}}是谁"
               r"|(?:人|者|领导|负责人|长|主任|书记|同志|代表|嘉宾|专家|员)[^，。？?]{0,3}叫什么名字"),
    ("place", PLACE_ASKED),
    ("theme", THEME_ASKED),
    ("slogan", r"口号|标语"),
    # "文号是多少" / "电话多少" ask for that fact, not a count
    ("count", r"(?<![号话箱码机])(?<!号是)(?<!话是)(?<!箱是)(?<!码是)(?<!机是)多少|(?<!哪)几(?:个|项|家|条|类|届|块|部分|方面)|第几"),
    ("issuer", r"谁发|发文机关|发文单位|发布机构|发布单位|哪个单位发|哪个部门发|印发单位|机构名称"),
    ("attachment", r"附件"),
    ("list", r"哪些|哪几|些(?:啥|什么)|(?:搞|做|干|办)了(?:什么|啥)|哪[两三四五六七八九十]|有什么|包括|包含|都有|列举|分别|各块|几块|" + _N_ITEMS_ASKED),
]
# Words that name the whole corpus rather than a passage: no evidence value.
GENERIC = set("质量 质量月 活动 通知 开展 工作 年 月 全国 国家 省 省里 全省 市 县 今年 去年 前年 "
              "主要 相关 有关 方面 内容 具体 情况 要求 文件 方案 规定 总局 省局 国家 附件 时候 日期 部门 单位 "
              "主题 口号 文号 联系人 电话 邮箱 多少 第几 宣传 落款 标题 各地 印发 发文 机构 名称".split())
# The cue words that say which kind of fact is asked carry no topic of their own.
# (the verbs of "在哪举行/启动" name the event asked about, they stay topic words)
GENERIC |= {w for kind, pattern in QUESTION_KINDS if kind != "place" for w in re.findall(r"[\u4e00-\u9fff]{2,}", pattern)}
GENERIC |= {"地点", "举办地", "地方", "城市"}
GENERIC |= set("手机 联系方式 时间段 单位名 哪几家 有没有 变化 区别 不同 一样 一模一样 相同 重复 差别 差异 对比 "
               "比较 异同 共同 分别".split())
# Words that name where a text was read ("市局网站上那篇"), not what it says.
GENERIC |= set("网站 网页 网上 官网 那篇 这篇 文章 报道 新闻 稿子 公众号".split())
# Words that name a part of the document ("正文里…那部分"), not what it says.
GENERIC |= set("正文 全文 原文 部分 那部分 这部分 那块 这块".split())
# Words that span years ask for every year's notice, not for a passage that says them.
GENERIC |= set("历年 每年 各年 往年 近年 历届 每届 这几年 近几年".split())
SAME = re.compile(r"一样|相同|重复|共同|都有的|同样|一致")  # "都有啥" asks for all of them, "都有的" for shared ones
COMPARED = re.compile(r"不一样|不同|区别|差别|差异|异同|一样吗|相同吗|对比|比较|有何出入|哪个(?:更)?(?:早|晚)|谁(?:更)?(?:早|晚)")
_INTERROGATIVE = re.compile(r"^(?:哪|几|多少|什么|怎|啥|是否|有无)")
# Parts of speech that carry content (nouns, names, verbal nouns, English, idioms, abbreviations).
_CONTENT_POS = ("n", "vn", "eng", "nz", "nt", "ns", "nr", "l", "i")


# measure words a count is given in ("19幅海报", "700余份资料", "3场次")
_MEASURE = "场次|人次|个|家|项|条|名|位|场|次|份|批|类|届|人|幅|张|册|本|篇|台|户|所|辆|件|起|期|轮|支|座|处|种|块|箱|盒|吨"
# "奖金是多少钱 / 经费多少元 / 补贴金额多少": a sum of money, counted in 元
_MONEY_ASKED = re.compile(r"([\u4e00-\u9fa5]{2,4}?)(?:是|为|有|给)?多少(?:钱|元|块钱|万元)|([\u4e00-\u9fa5]{0,2}金额)")
_COUNTED = re.compile(r"(?:多少|几)\s*(" + _MEASURE + r")?\s*([\u4e00-\u9fa5]{1,4})?")


def counted_thing(question: str) -> tuple[str, str]:
    """(measure word, noun) a "多少个部门 / 几家企业" question counts; ("", "") when it names neither.
    A rate ("合格率是多少", "…率从多少升到多少") is ("%", the rate's name)."""
    rate = re.search(r"([\u4e00-\u9fa5]{0,3}(?:率|比例|占比))(?:是|为|有|达到|达|从|由)?(?:多少|几)", question)
    if rate:
        return "%", rate.group(1)
    money = _MONEY_ASKED.search(question)
    if money:
        noun = (money.group(1) or money.group(2)).split("的")[-1]
        return "元", noun if noun.endswith("金额") else noun[-2:]  # 奖金, 经费, 补贴金额
    m = _COUNTED.search(question)
    if not m or question[max(0, m.start() - 1):m.start()] == "第":
        return "", ""
    noun = (m.group(2) or "").rstrip("？?的了呢啊")
    return m.group(1) or "", noun if len(noun) >= 2 else ""


def counts_thing(text: str, measure: str, noun: str) -> bool:
    """A number in `text` counting that thing: "26个部门", "51家企事业单位", "资料1400余份" — not an
    ordinal ("第42个")."""
    if measure == "%":  # the rate named, then its percentage: "合格率98.5%", "合格率保持100%"
        return bool(re.search(re.escape(noun[-3:]) + r"[^。；]{0,8}?\d+(?:\.\d+)?\s*[%％]", text))
    if measure == "元":  # a sum of money: "奖金2000元", "经费5万元"
        return bool(re.search(r"(?:\d+(?:\.\d+)?|[一二三四五六七八九十百千两]+)\s*(?:余|多)?\s*[万亿]?\s*元", text))
    number = r"(?<!第)(?<![是为])(?:\d+|[一二三四五六七八九十百两]+)\s*(?:余|多)?\s*"  # "是一项重要活动" counts nothing
    if measure and not noun:
        return bool(re.search(number + re.escape(measure), text))
    # the noun phrase's first or last two characters: "省级部门" counts 部门, "宣传资料" 资料 or 宣传
    for key in dict.fromkeys([noun[:2], noun[-2:]]):
        key = re.escape(key)
        if measure and re.search(number + re.escape(measure) + r"[^，。；,]{0,12}" + key, text) \
                or re.search(number + r"(?:" + _MEASURE + r")?\s*(?:[\u4e00-\u9fa5]{0,4})?" + key, text) \
                or re.search(key + r"[^。；，,\d]{0,10}\d+\s*(?:余|多)?\s*(?:" + _MEASURE + r"|%|％)", text):
            return True  # "26个部门", "51家企事业单位", "发放资料1400余份"
    return False


# A more specific kind replaces the general one it refines: "邮箱" is a contact, but only an e-mail
# answers it; "依据哪些文件，文号多少" wants the 文号 of the basis, not the notice's own.
_REFINES = {"email": "contact", "phone": "contact", "basis": "doc_no", "addressee": "list"}


# A question about the ways or channels ("用什么形式推广口号") has the theme or slogans as its topic, not its answer.
_MANNER = re.compile(r"渠道|途径|方式|形式|载体|怎么|怎样|如何")


def named_count(question: str) -> tuple[int, str]:
    """How many items a list question says there are, and of what: "哪五个系列" → (5, "系列"),
    "哪两家" → (2, ""); (0, "") if it names no number."""
    items = r"([两二三四五六七八九十]|\d{1,2})(?:个|项|大|类|条|家|方面|块)"
    # "哪三个方面" asks; "那15项" / "这四项" point back to a set — asked of only when nothing else is
    m = re.search("哪" + items, question) or re.search("[那这]" + items, question)
    if not m:
        return 0, ""
    word = m.group(1)
    n = int(word) if word.isdigit() else "  两三四五六七八九十".index(word) if word != "二" else 2
    after = pos_tokens(question[m.end():])[:1]  # the noun counted, if one follows ("系列"), not "一起办"
    noun = after[0][0] if after and after[0][1][:1] in ("n", "q") and len(after[0][0]) >= 2 else ""
    return n, "" if noun in GENERIC else noun


# A sentence opening an item of an enumeration: "一是…", "（二）…", "3．…"
ENUM_ITEM = re.compile(r"^(?:其)?[一二三四五六七八九十]是|^[（(][一二三四五六七八九十]{1,2}[)）]|^\d{1,2}[.、．](?!\d)")


def enumerates(text: str, n: int) -> bool:
    """The text names n things one after another: "宣传、提升、整治", "一是…二是…三是…", "(1)…(2)…"."""
    return max(len(re.findall(r"[、；和与及]", text)) + 1, len(re.findall(r"[一二三四五六七八九十]是", text)),
               len(re.findall(r"[（(]\d{1,2}[)）]|(?<![\d.])\d{1,2}[.、．](?!\d)", text))) >= n


def question_kinds(question: str) -> list[str]:
    kinds = [kind for kind, pattern in QUESTION_KINDS if re.search(pattern, question, re.I)]
    if _MANNER.search(question):
        kinds = [k for k in kinds if k not in ("theme", "slogan")]
    general = {_REFINES[k] for k in kinds if k in _REFINES}
    return [k for k in kinds if k not in general]


@dataclass
class Unit:
    text: str
    context: int  # index into the retrieval's contexts
    score: float = 0.0
    kind_match: bool = False


def split_units(ctx: Context) -> list[str]:
    """Sentences of running text; list items and table rows whole."""
    out: list[str] = []
    heading = ctx.section.split(" > ")[-1]
    for line in ctx.text.split("\n"):
        line = line.strip()
        if not line or line == heading:
            continue  # the heading line itself is context, not an answer
        if len(line) <= 60 and (NAVIGATION.search(line) or BYLINE.search(line)) and "\t" not in line:
            continue  # a web page's banner, breadcrumb or photo credit answers nothing
        if "\t" in line or len(line) <= 60:
            out.append(line)
            continue
        out.extend(s for s in re.split(r"(?<=[。！？])", line) if s.strip())
    return out


def focus_terms(question: str) -> list[str]:
    """Content words of the question that a passage answering it should contain."""
    quoted = re.findall(r"[“\"「]([^”\"」]{2,30})[”\"」]", question)
    # literal values the question quotes (a phone, an e-mail, a 文号, a long number) name their passage
    literals = PHONE.findall(question) + EMAIL.findall(question) + DOC_NO.findall(question) \
        + re.findall(r"(?<![\d年])\d{3,}(?![\d年])", question) + re.findall(r"[一二三四五六七八九十两\d]大", question)
    # an item's place in a list ("第4项是") is no word of its content
    plain = re.sub(r"第[一二三四五六七八九十两\d]{1,3}(?:项|条|个|家|句|名|位|件|份|块|部分)", "，", question)
    words = [w for w, flag in pos_tokens(plain) if flag.startswith(_CONTENT_POS)]
    return _content(quoted + literals + words)


def verb_terms(question: str) -> list[str]:
    """The question's own verbs ("会上宣读的是啥" → 宣读): what happened, for ranking sentences when the
    question names no topic beyond a place — never for the refusal gate (a verb is often paraphrased)."""
    # the verbs of the kind cues ("介绍…的是谁") count here: they say what the answer sentence does
    return list(dict.fromkeys(w for w, flag in pos_tokens(question)
                              if flag == "v" and len(w) > 1 and w not in _BARE_VERBS and not _INTERROGATIVE.match(w)))


def _content(words: list[str]) -> list[str]:
    out = []
    for t in words:
        t = re.sub(r"\s+", "", t.lower())
        if t not in GENERIC and not re.fullmatch(r"\d+年?", t) and not _INTERROGATIVE.match(t) \
                and len(t) > 1 and t not in out and t not in _BARE_VERBS and _PLACEHOLDER.sub("", t):
            out.append(t)
    return out


# verbs that say nothing of what happened
_BARE_VERBS = set("是 有 没有 进行 开展 举办 举行 组织 召开 搞 做 要 需要 应该 可以 能 属于 包括 叫 算".split())


# How any notice or report states a theme: "主题：…", "主题为/是“…”", "以“…”为主题", "“…”主题活动",
# "围绕“…”的质量月活动主题".
_THEME = re.compile(r"主\s*题\s*(?:[：:]|为|是|确定为)|以[“\"「][^”\"」]{4,40}[”\"」]为(?:活动)?主题"
                    r"|[“\"「][^”\"」]{4,40}[”\"」]的?[“\"]?(?:质量月)?[”\"]?(?:活动)?主题")
_ORG_LINE = re.compile(r"^[一二三四五六七八九十]{1,3}、[^：:]{2,15}[：:]")
_PERSON = re.compile(r"(?:长|书记|主任|主席|委员|巡视员|领导|负责人|同志|代表|专家|记者|经理|总裁|教授)[\u4e00-\u9fa5]{0,4}"
                     rf"(?:{_DOING}|表示|指出|参加|[,，、])|(?:副|常务)?(?:市|县|区|省|局|厅)长")
_OFFICE = re.compile(r"[\u4e00-\u9fa5]{1,10}(?:科|处|大队|办公室|所|厅|局|委|院|海关|联)(?![\u4e00-\u9fa5]?[理督])")


def kind_evidence(kind: str, text: str, section: str) -> bool:
    if kind == "doc_no":
        return bool(DOC_NO.search(text)) and (section == "版头" or len(text) < 160 or bool(re.search(r"》\s*[（(]", text))
                                               or bool(re.search(r"文\s*号|发文字号", text)))
    if kind == "issue_date":
        # a 落款 date line, or a letter's "(2031年9月·某地)" with the month and where it was signed
        return bool(re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日(?:印发)?", text)
                    or re.fullmatch(r"[（(]\s*\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?"
                                    r"\s*[·・•,，、\s]\s*[\u4e00-\u9fa5]{2,8}\s*[）)]", text.strip()))
    if kind == "contact":
        return bool(PHONE.search(text) or EMAIL.search(text) or "联系人" in text)
    if kind == "email":
        return bool(EMAIL.search(text))
    if kind == "phone":
        return bool(PHONE.search(text))
    if kind == "addressee":
        # the 主送 line: the bodies a notice is sent to, ending with a colon before the body
        return text.endswith(("：", ":")) and bool(re.search(r"[、，]", text)) and len(text) > 10
    if kind == "basis":
        return bool(re.search(r"(?:根据|按照|依据|贯彻落实|落实)[^。]{0,60}《", text))
    if kind == "deadline":
        return bool(re.search(r"\d{1,2}月\d{1,2}日", text)) and bool(re.search(r"前|报送|截止", text))
    if kind == "date":
        return bool(DATE.search(text) or re.search(r"\t全年\t", text))
    if kind == "who_leads":
        # a list under a body's own heading ("附件2 … > 一、省市场监管局"): each item is that body's
        heading = section.split(" > ")[-1]
        if re.fullmatch(r"[一二三四五六七八九十]{1,3}、[^：:，。]{2,15}[：:]?", heading) and _OFFICE.search(heading):
            return True
        if re.search(r"[\u4e00-\u9fa5]{2,}(?:公司|集团|协会|学会|商会)", text):
            return True  # "放在哪家企业 / 哪个协会承办": a company or association names who
        return "\t" in text or bool(_ORG_LINE.match(text) or _OFFICE.search(text)) \
            or bool(re.search(r"牵头|主办|承办|负责|组织|联合", text))
    if kind == "person":  # a person is named by a post or title: 副市长李某, 局长, 主任, 负责人
        return bool(_PERSON.search(text))
    if kind == "theme":
        last = section.split(" > ")[-1]
        return bool(re.search(r"主题[:：]?$", last) or _THEME.search(text))  # 活动主题, 征文主题, 宣传主题
    if kind == "slogan":
        return "口号" in section or "口号" in text or "标语" in text
    if kind == "count":
        return bool(COUNT.search(text))
    if kind == "place":  # "在常德举行", "地点：…", a venue, or a place in the event's name ("中国质量（南京）大会")
        return bool(_HELD_AT.search(text) or _VENUE.search(text) or find_places(text))
    if kind == "issuer":
        return section == "版头"
    if kind == "attachment":
        return text.startswith("附件") or bool(re.match(r"^\d{1,2}[.．、]", text)) and "附件" in section + text \
            or bool(re.match(r"^附件[：:]", text))
    return False


def score_units(question: str, contexts: list[Context], kinds: list[str],
                semantic: Callable[[list[str]], dict[str, float]] | None = None,
                semantic_weight: float = 0.0) -> list[Unit]:
    """Every unit of the contexts, best first. `semantic` maps unit texts to their closeness in
    meaning to the question (0..1, assistant/similarity.py), added with `semantic_weight`."""
    terms = topic_terms(question) or (verb_terms(question) if focus_terms(question) else [])  # only a place named
    # rarer terms (fewer contexts contain them) say more about which unit answers
    df = {t: sum(1 for c in contexts if says_term(t, to_simplified(re.sub(r"\s+", "", c.text + c.section).lower())))
          for t in terms}
    weights = {t: 1.0 + math.log((len(contexts) + 1) / (df[t] + 0.5)) + 0.2 * len(t) for t in terms}
    total = sum(weights.values()) or 1.0
    units: list[Unit] = []
    item = re.search(r"附件\s*(\d{1,2})", question)
    wanted_item = item.group(1) if item else ""
    labels: set[str] = set()
    measure, noun = counted_thing(question) if "count" in kinds else ("", "")
    asked = re.search(r"第几\s*([个届次期批轮])?(?![\u4e00-\u9fa5]{0,2}(?:附件|项|条|部分|块))", question) \
        if "count" in kinds else None
    ordinal = (asked.group(1) or "[个届次期批轮]") if asked else ""
    verbs = re.findall(rf"牵头|主办|承办|协办|举办|负责|组织|配合|参与|发布|指导|下发|印发|召开|{_DOING}", question) \
        if {"who_leads", "person"} & set(kinds) else []
    if "who_leads" in kinds and not verbs and re.search(r"[一起谁]办", question):
        verbs = ["主办", "举办", "承办", "联合"]  # colloquial "谁办的 / 一起办的"
    phrases = _phrases(question, terms)
    split = [split_units(ctx) for ctx in contexts]
    for ctx, texts in zip(contexts, split):
        top = ctx.section.split(" > ")[0]
        if "doc_no" in kinds and top.startswith("附件") and DOC_NO.search(top) and top not in labels:
            # a forwarded notice's own 文号 is in its 附件 label ("附件1 …《…通知》（国市监质发〔2022〕76号）")
            labels.add(top)
            texts.insert(0, top)
    closeness = semantic([t for texts in split for t in texts]) if semantic and semantic_weight > 0 else {}
    for ci, (ctx, texts) in enumerate(zip(contexts, split)):
        rank_bonus = 1.0 / (1 + ci)
        run_in = ""  # a short line heading the paragraphs after it ("走访企业。"), as news reports do
        for text in texts:
            if len(text) <= 16 and "，" not in text and "," not in text and not kind_evidence("date", text, ""):
                run_in = text
            if verbs:
                text = _clauses_doing(text, verbs, kinds, ctx.section)
            if (measure or noun) and not _SEVERAL_COUNTS.search(question):
                text = _clauses_counting(text, measure, noun, terms)
            hay = to_simplified(re.sub(r"\s+", "", text + run_in + ctx.section + ctx.title).lower())
            overlap = sum(w for t, w in weights.items() if says_term(t, hay)) / total
            plain = to_simplified(text)
            kind_ok = any(kind_evidence(k, plain, ctx.section if k != "attachment" else ctx.section + ctx.text)
                          for k in kinds if k != "count" or not (measure or noun))
            if "count" in kinds and (measure or noun):
                kind_ok = kind_ok or counts_thing(plain, measure, noun)
            if ordinal:  # "第几个质量月 / 第几届": only a sentence stating the ordinal answers
                kind_ok = bool(re.search(r"第\s*[\d一二三四五六七八九十百]+\s*" + ordinal, plain))
            if "who_leads" in kinds and any(v in plain for v in verbs) and _BODY.search(plain):
                kind_ok = True  # "哪个部门下发的": a body named beside the verb asked, whatever its name
            if "place" in kinds and kind_ok and not _new_place(plain, question):
                kind_ok = any(kind_evidence(k, plain, ctx.section) for k in kinds if k not in ("place", "count"))
            said = any(v in ("讲话", "致辞") for v in verbs) and re.search(r"讲话|致辞|表示|指出|强调|介绍", plain)
            if "person" in kinds and verbs and not said and not any(v in plain for v in verbs):
                # "谁出席讲话": a person named for something else does not answer
                kind_ok = any(kind_evidence(k, plain, ctx.section) for k in kinds if k not in ("person", "count"))
            score = overlap + 0.35 * rank_bonus + (0.6 if kind_ok else 0.0) + _phrase_bonus(phrases, plain)
            score += semantic_weight * closeness.get(text, 0.0)
            if "deadline" in kinds and kind_evidence("deadline", plain, ctx.section):
                score += 0.2  # "几号前报": a date something is due by, before any other date
            if verbs and any(v in plain for v in verbs):  # a reprint in traditional characters too
                score += 0.3  # "谁牵头组织的": the sentence that says who 牵头/组织, not any office named
            if wanted_item and re.match(rf"^(?:附件[：:]\s*)?{wanted_item}[.．、]", text) and "附件" in ctx.text:
                score += 0.6  # "附件4是什么" → the 4th line of the 附件 list
            if wanted_item and re.match(rf"^附件{wanted_item}(?!\d)", ctx.section):
                score += 0.5  # "附件1的口号" → passages inside 附件1
            units.append(Unit(text, ci, score, kind_ok))
    units.sort(key=lambda u: -u.score)
    return units


_BODY = re.compile(r"[\u4e00-\u9fa5]{2,}(?:领导小组|委员会|办公室|局|厅|部|委|中心|协会|学会|小组)")
_ACTOR = re.compile(r"[\u4e00-\u9fa5]{2,}(?:局|厅|委|办|部|中心|协会|学会)[\u4e00-\u9fa5]{0,8}(?:书记|局长|主任|处长|科长|巡视员|调研员|会长|负责人)")


def _new_place(text: str, question: str) -> bool:
    """The text says where something was held, and more than the place the question already names."""
    q = to_simplified(re.sub(r"\s+", "", question))
    named = [m.group(1) or m.group(2) or "" for m in _HELD_AT.finditer(text)] + [p.name for p in find_places(text)] \
        + [m.group(0) for m in _VENUE.finditer(text)]
    for where in named:
        where = re.sub(r"(?:省|市|县|区)$", "", re.sub(r"^(?:本|我|全)?[省市县区]?", "", where))
        if where and where not in q:
            return True
    return False


def _clauses_doing(text: str, verbs: list[str], kinds: list[str], section: str) -> str:
    """"副局长王某出席并宣布活动启动，局长李某介绍…" asked who 宣布: the sentence up to the last clause
    doing what was asked, when a later clause names another person or body doing something else."""
    bounds = [0] + [m.end() for m in re.finditer(r"[，,；;]", text)] + [len(text) + 1]
    clauses = [text[bounds[i]:bounds[i + 1] - 1] for i in range(len(bounds) - 1)]
    doing = [i for i, c in enumerate(clauses) if any(v in to_simplified(c) for v in verbs)]
    if not doing or doing[-1] == len(clauses) - 1:
        return text
    asked = [k for k in kinds if k in ("who_leads", "person")] + ["person"]
    actor = any(kind_evidence(k, c, section) or _ACTOR.search(c) for c in clauses[doing[-1] + 1:] for k in asked)
    return text[:bounds[doing[-1] + 1] - 1].strip() if actor else text


_SEVERAL_COUNTS = re.compile(r"加起来|一共|合计|总共|共计|分别|各|[和及与跟]")


def _clauses_counting(text: str, measure: str, noun: str, terms: list[str]) -> str:
    """"工业产品抽检合格率多少" in "…农产品抽检合格率98.6%，工业产品抽检合格率95.2%": the clause
    counting what was asked, when it names more of the question's terms than the other counting clauses."""
    parts = [p for p in re.split(r"(?<=[，,；;])", text) if p.strip()]
    counting = [p for p in parts if counts_thing(to_simplified(p), measure, noun)]
    if len(counting) < 2 or not terms:
        return text
    cover = {p: sum(t in to_simplified(re.sub(r"\s+", "", p)) for t in terms) for p in counting}
    top = max(cover.values())
    best = [p for p in counting if cover[p] == top]
    return best[0].rstrip("，,；;").strip() if len(best) == 1 else text


def _phrases(question: str, terms: list[str]) -> list[str]:
    """The question's runs of words around a focus term, longer than the term ("质量工作格局" around
    格局), longest first: a sentence holding the whole run says what was asked more surely than one
    holding its words apart."""
    q = to_simplified(re.sub(r"\s+", "", question))
    runs = re.split(r"[，,。？?！!、：:；;“”\"「」《》（）()]", q)
    out = {run[i:j] for run in runs for i in range(len(run)) for j in range(i + 4, min(len(run), i + 12) + 1)
           for t in terms if t in run[i:j] and j - i > len(t)}
    return sorted(out, key=len, reverse=True)


def _phrase_bonus(phrases: list[str], text: str) -> float:
    text = re.sub(r"\s+", "", text)
    best = next((p for p in phrases if p in text), "")
    return min(0.4, 0.1 * (len(best) - 3)) if best else 0.0


def _term_in(term: str, text: str) -> bool:
    """A focus term is found if it, the notices' word for it (小孩 → 儿童), or (for 3+ characters) one
    of its two-character parts is in `text`."""
    text = fold(text)
    if says_term(term, text):
        return True
    return len(term) > 2 and any(term[i:i + 2] in text for i in range(len(term) - 1))


# a placeholder staff type for "some words" ("进XX", "××活动", "某某杯")
_PLACEHOLDER = re.compile(r"x{2,}|×{2,}|某某|\*{2,}")


def says_term(term: str, folded: str) -> bool:
    """`term`, or one of the official words for an everyday one, in an already folded text; a term
    with a placeholder ("进xx") is found with as many characters in its place (进社区)."""
    if _PLACEHOLDER.search(term):
        parts = re.split(f"({_PLACEHOLDER.pattern})", term)  # words and, between them, the placeholders
        pattern = "".join(re.escape(p) if i % 2 == 0 else r"[\u4e00-\u9fff]{%d}" % len(p) for i, p in enumerate(parts))
        return bool(re.search(pattern, folded))
    return term in folded or any(w in folded for w in official_words(term))


def official_words(term: str) -> tuple[str, ...]:
    """What notices write for an everyday word (assistant/colloquial.tsv): 小孩 → 儿童, 少年…"""
    return _official().get(term, ())


@lru_cache(maxsize=1)
def _official() -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for line in (Path(__file__).resolve().parent / "colloquial.tsv").read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            word, official = line.split("\t")
            table[word.strip()] = tuple(w.strip() for w in official.split(",") if w.strip())
    return table


def topic_terms(question: str) -> list[str]:
    """Focus terms without the places named: a place scopes which documents answer (retrieval and
    the answerer's matching did that), it does not tell which of their passages or sentences does."""
    places = {p.name for p in find_places(question)}
    return [t for t in focus_terms(question) if t not in places and not any(t in p for p in places)]


def term_coverage(question: str, text: str, terms: list[str] | None = None) -> float:
    """Share of the question's focus terms (or `terms`) found in `text` (1.0 when there are none)."""
    terms = focus_terms(question) if terms is None else terms
    if not terms:
        return 1.0
    return sum(1 for t in terms if _term_in(t, text)) / len(terms)
