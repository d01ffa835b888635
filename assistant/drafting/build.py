"""draft_plan: guidance → template structure → composed, cited, fact-checked plan."""
from __future__ import annotations

import re
from pathlib import Path

from assistant.drafting.activities import candidates, select
from assistant.drafting.compose import Composer, numeral
from assistant.drafting.factcheck import fact_check
from assistant.drafting.guidance import LEVEL_RANK, notice_units, select_guidance
from assistant.drafting.model import Block, PlanDraft
from assistant.drafting.roster import generic_roster, roster_from_file, roster_from_plan
from assistant.drafting.schedule import key_blocks, table_block
from assistant.drafting.template import ESSENTIAL, DEFAULT_SECTIONS, Template, default_template, load_template
from assistant.drafting.voice import Locality
from index.gazetteer import lookup
from index.load import LoadError
from index.settings import Settings


FACT = "事实核对："  # prefix of the flags the fact check raises (PlanDraft.unsupported)


class DraftError(ValueError):
    """The draft cannot be made (empty index, unknown level); the message is for the user."""


def draft_plan(settings: Settings, reader, locality: str, year: int, level: str | None = None,
               template: Path | None = None, departments: Path | None = None) -> PlanDraft:
    snapshot = reader.view().snapshot
    if not snapshot.files:
        raise DraftError("索引为空：请先运行 python -m assistant ingest 导入通知。")
    place = lookup(locality)
    level = level or ("city" if place and place.kind == "prefecture" else "county")
    if level not in ("county", "city"):
        raise DraftError(f"暂只支持县级（county）和市级（city）方案，收到：{level}")
    g = select_guidance(notice_units(snapshot), locality, year, level)
    if not g.units:
        raise DraftError("语料库中没有可作依据的国家或省级“质量月”通知。")
    loc = Locality(locality, level, place, place.parent if place and level == "county" else "", g.province)
    draft = PlanDraft(locality, year, g.year_used, level)
    try:
        tpl = load_template(template, settings, snapshot) if template else \
            default_template(snapshot, locality, year, level)
        roster = _roster(tpl, loc, departments)
    except (LoadError, OSError, UnicodeDecodeError) as exc:
        raise DraftError(f"模板或部门名单无法读取：{getattr(exc, 'reason', exc)}") from None
    c = Composer(draft, g, loc)
    _notes(draft, g, tpl, roster, place)
    draft.blocks = _blocks(c, tpl, roster, loc)
    used = [roster.source if roster.origin == "plan" else "", tpl.source]  # the template's layout is a source too
    draft.sources_used = g.sources + [s for s in dict.fromkeys(used) if s in snapshot.files and s not in g.sources]
    draft.template_source = tpl.source
    if settings.answer.answerer != "extractive":
        from assistant.drafting.polish import polish

        polish(draft, settings)
    check(draft)
    return draft


def _roster(tpl: Template, loc: Locality, departments: Path | None):
    if departments:
        return roster_from_file(Path(departments), loc.level)
    if tpl.region == loc.name and (plan := roster_from_plan(tpl)):
        return plan
    return generic_roster(loc.level)


def _notes(draft: PlanDraft, g, tpl: Template, roster, place) -> None:
    used = "；".join(f"{u.citation_title()}{'（' + u.doc_no + '）' if u.doc_no else ''}〔{u.source}〕" for u in g.units)
    if g.missing:
        draft.notes.append(f"语料库中没有{g.year}年的“质量月”通知，本稿依据{g.year_used}年通知起草。")
    draft.notes.append(f"依据：{used}")
    draft.notes.append(f"格式参照：{tpl.source + '（' + tpl.title + '）' if tpl.source else '内置县级方案结构'}")
    origin = {"file": f"部门名单来自 {roster.source}", "plan": f"部门名单取自本地往年方案 {roster.source}",
              "generic": "本地部门名单未知：安排表使用通用科室名称（标【待补】）"}[roster.origin]
    draft.notes.append(origin)
    if place is None:
        draft.notes.append(f"“{draft.locality}”不在地名表中：省级通知未按省份筛选，市县口径请核对。")


def _top_note(c: Composer, roster) -> Block:
    g = c.g
    if g.missing:
        text = (f"起草说明：语料库中没有{g.year}年“质量月”活动通知（国家和省级均未收录），本稿依据"
                f"{g.year_used}年通知起草；文中【待补：…】处须在{g.year}年通知下发后替换或核对。")
    else:
        levels = "和".join(dict.fromkeys(u.short.removesuffix("通知") + ("级" if u.level != "national" else "")
                                         for u in sorted(g.units, key=lambda u: -LEVEL_RANK.get(u.level, 0))))
        text = f"起草说明：本稿依据{g.year}年{levels}“质量月”通知起草；【待补：…】处请补充本地信息。"
    if roster.generic:
        text += "安排表牵头部门、协办单位为通用名称，请按本局实际科室填写。"
    return Block("note", text)


def _sections(tpl: Template) -> list[tuple[str, str]]:
    """The template's sections, with any essential one it lacks put where it belongs."""
    sections = list(tpl.sections)
    defaults = {role: name for name, role in DEFAULT_SECTIONS}
    for i, role in enumerate(ESSENTIAL):
        if role in {r for _, r in sections}:
            continue
        pos = max([j + 1 for j, (_, r) in enumerate(sections) if r in ESSENTIAL[:i]] or [0])
        sections.insert(pos, (defaults[role], role))
    return sections


def _attachment_title(title: str, tpl: Template, c: Composer) -> str:
    if tpl.year:
        title = title.replace(f"{tpl.year}年", f"{c.year}年")
    if tpl.issuer:
        title = title.replace(tpl.issuer, c.loc.bureau_name)
    return title if "年" in title else f"{c.year}年“质量月”{title}"


def _blocks(c: Composer, tpl: Template, roster, loc: Locality) -> list[Block]:
    own = tpl.region == loc.name
    prefix = tpl.doc_no_prefix if own else ""
    # Only a plan of the locality's own attests its bureau's exact name; otherwise it is a suggestion to confirm.
    issuer = loc.bureau_name if own else f"【待补：发文机关全称，如{loc.bureau_name}】"
    blocks = [_top_note(c, roster), Block("masthead", f"{issuer}文件"),
              Block("doc_no", f"{prefix}〔{c.year}〕【待补】号" if prefix else "【待补：发文字号】"),
              Block("title", f"{loc.bureau_name}关于印发{c.year}年“质量月”活动方案的通知"),
              Block("addressee", tpl.addressee if own and tpl.addressee else
                    ("各县（市、区）市场监管局，市局各科室、直属单位：" if loc.level == "city"
                     else "各市场监管所、综合执法大队，局机关各科室：")),
              c.opening()]
    sections = _sections(tpl)
    has_time = any(r == "time" for _, r in sections)
    acts = select(candidates(c.g, loc))
    done: set[str] = set()
    for i, (heading, role) in enumerate(sections):
        no = f"{numeral(i)}、"
        blocks.append(Block("heading1", f"{no}{heading}"))
        if role in done or role not in ("overview", "theme", "time", "tasks", "key", "req"):
            blocks.append(Block("para", f"【待补：{heading}】"))
        elif role == "overview":
            blocks += c.overview(no + heading, with_time=not has_time)
        elif role == "theme":
            blocks += c.theme(no + heading)
        elif role == "time":
            blocks.append(c.time())
        elif role == "tasks":
            blocks += c.tasks(no + heading)
        elif role == "key":
            blocks += key_blocks(c, acts, no + heading)
        else:
            blocks += c.requirements(no + heading)
        done.add(role)
    titles = [_attachment_title(t, tpl, c) for t, _ in tpl.attachments]
    blocks.append(Block("attachment_list", "附件：" + "\n".join(f"{n}. {t}" for n, t in enumerate(titles, 1))))
    blocks.append(Block("signature", f"{issuer}\n【待补：成文日期】"))
    for n, ((_, role), title) in enumerate(zip(tpl.attachments, titles), 1):
        label = f"附件{n}"
        if role == "schedule":
            heading = title if loc.bureau_name in title else f"{loc.bureau_name}{title}"
            blocks.append(Block("attachment", label, head=heading))
            blocks.append(table_block(c, acts, tpl, roster, label))
        elif role == "slogans":
            blocks.append(Block("attachment", label, head=title))
            blocks += c.slogans()[0]
        else:
            blocks += [Block("attachment", label, head=title), Block("para", f"【待补：{title}】")]
    return blocks


def check(draft: PlanDraft) -> None:
    """Fact-check every block against the passages it cites (plus the request itself)."""
    texts = {cit.n: cit.text for cit in draft.citation_list}
    # Always citable: the request itself and the year's 活动时间 (the 安排表's "9月" rests on it).
    common = [f"{draft.year}年 {draft.year_used}年 {draft.locality}"] + draft.facts
    for block in draft.blocks:
        if block.kind == "attachment":  # "附件1": numbering, not a claim
            pieces = [(block.head, block.cites)]
        elif block.kind == "table":
            keep = [i for i, name in enumerate(block.columns) if not re.search(r"序号|备注", name)]
            pieces = [("\t".join(row[i] for i in keep), cites) for row, cites in zip(block.rows, block.row_cites)]
        else:
            pieces = [(block.head + block.text, block.cites)]
        for text, cites in pieces:
            for problem in fact_check(text, [texts[n] for n in cites] + common):
                flag = f"{FACT}{text[:24]}…：{problem}"
                if flag not in draft.flags:
                    draft.flags.append(flag)
