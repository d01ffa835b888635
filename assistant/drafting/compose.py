"""The plan's prose sections, each paragraph built from the year's guidance and cited to it.

Only connective phrases are written here ("结合永安市实际，扎实开展…"); every fact — theme,
tasks, requirements, deadlines, 文号 — is the guidance's own sentence, re-voiced for the
locality. What the guidance cannot say (the locality's 文号, dates, contacts, the next year's
theme) becomes a 【待补：…】 placeholder.
"""
from __future__ import annotations

import re

from assistant.drafting.guidance import Guidance, Para, GuidanceNotice, references, slogan_list
from assistant.drafting.model import Block, PlanDraft
from assistant.drafting.voice import Locality, foreign_place, localise, normalise, sentences, similar, upper_only

# Requirement sentences are grouped under the 公文's usual sub-headings. Matched in this order
# (strong words first: a sentence naming 八项规定 is about discipline even if it says 基层) …
REQ_MATCH = [
    ("discipline", r"八项规定|摊派|搭车收费|形式主义|勤俭|自愿|减负|简朴|疫情"),
    ("report", r"总结|报送|反馈"),
    ("publicity", r"宣传|海报|标语|横幅|曝光|报道"),
    ("organise", r"高度重视|精心组织|组织领导|认真谋划|工作方案|策划|责任分工|组织实施"),
]
# … and written out in this order, under these headings.
REQ_HEADINGS = [("organise", "高度重视，精心组织"), ("mobilise", "广泛动员，重心下移"),
                ("publicity", "加强宣传，营造氛围"), ("discipline", "严格要求，增进实效"),
                ("report", "认真总结，及时报送")]
_NOISE = re.compile(r"^附件|联系人|电\s*话|邮\s*箱|传真|@|^\d+[.．]\s*\d{4}年")
_NOISE_PARA = re.compile(r"^(?:附件|\d{1,2}[.．、]\s*\d{4}年)")  # attachment lists, signature blocks
_PURPOSE_STOP = re.compile(r"，(?=现|经研究|决定|特|就开展|(?:国家市场监督管理总局|市场监管总局)等|省质量强省办)")
DEADLINE = re.compile(r"于((?:\d{4}年)?\d{1,2}月\d{1,2}日)前")
NUMERALS = "一二三四五六七八九十"


def numeral(i: int) -> str:
    return NUMERALS[i] if i < 10 else "十" + NUMERALS[i - 10]


class Composer:
    def __init__(self, draft: PlanDraft, guidance: Guidance, loc: Locality):
        self.draft, self.g, self.loc = draft, guidance, loc
        self.year = guidance.year
        self.stale = (f"【待补：{self.year}年通知下发后据实更新（本段参照{guidance.year_used}年通知）】"
                      if guidance.missing else "")

    def cite(self, item: str, para: Para) -> int:
        u = para.unit
        return self.draft.cite(item, u.source, u.title, u.doc_no, para.section, para.text)

    def keep(self, sentence: str) -> bool:
        """A sentence fit for the locality's plan (not a higher level's own event, not elsewhere)."""
        if _NOISE.search(sentence) or upper_only(sentence, self.loc) or \
                foreign_place(localise(sentence, self.loc), self.loc):
            return False
        return not (self.g.missing and str(self.g.year_used) in sentence)

    # ---- 根据…要求
    def opening(self) -> Block:
        if self.g.missing:
            parts = [f"【待补：{self.year}年全国“质量月”活动通知名称及文号】",
                     f"【待补：{self.year}年{self.loc.province or '省级'}“质量月”活动通知名称及文号】"]
            cites: list[int] = []
        else:
            parts, cites = [], []
            for unit in sorted(self.g.units, key=lambda u: -{"national": 2, "provincial": 1}.get(u.level, 0)):
                no = f"（{unit.doc_no}）" if unit.doc_no else ""
                title = unit.citation_title()
                for para in unit.role("preamble"):  # "市场监管总局等" → "市场监管总局等26个部门"
                    m = re.search(re.escape(unit.issuer) + r"\d+个?部门", para.text) if unit.issuer.endswith("等") else None
                    if m:
                        title = title.replace(unit.issuer, m.group(0), 1)
                        cites.append(self.cite("正文（发文依据）", para))
                        break
                parts.append(title + no)
                cites.append(self.cite("正文（发文依据）", self._doc_no_para(unit)))
                for issuer, ref_title, doc_no, para in references(unit):
                    if all(doc_no != u.doc_no for u in self.g.units):  # cited, but not in the corpus
                        parts.insert(len(parts) - 1, f"{issuer}《{ref_title}》（{doc_no}）")
                        cites.append(self.cite("正文（发文依据）", para))
        if self.g.parent and not any(u.level == "municipal" for u in self.g.units):
            parts.append(f"【待补：{self.g.parent}{self.year}年“质量月”活动通知名称及文号（如有）】")
        refs = "、".join(parts[:-1]) + "和" + parts[-1] if len(parts) > 1 else parts[0]
        text = f"根据{refs}要求，现就扎实开展{self.year}年“质量月”活动有关事项通知如下："
        return Block("para", text, cites=cites)

    def _doc_no_para(self, unit: GuidanceNotice) -> Para:
        """Where the unit's 文号 is written: its masthead, or the file forwarding it."""
        plain = lambda s: re.sub(r"\s+", "", s)
        for holder in [unit] + [u for u in self.g.units if u.source == unit.source and u is not unit]:
            for para in holder.paras:
                if unit.doc_no and plain(unit.doc_no) in plain(para.text):
                    return para
        return unit.paras[0]

    # ---- 总体要求
    def overview(self, heading: str, with_time: bool) -> list[Block]:
        clauses, cites = [], []
        for unit in self.g.units:  # closest level first
            for para in unit.role("preamble"):
                text = normalise(para.text)
                if not (text.startswith("为") or unit.part):
                    continue
                purpose = _PURPOSE_STOP.split(text.lstrip("为"), maxsplit=1)[0].rstrip("，。")
                first = purpose.split("，")[0]
                if not clauses:
                    clauses, cites = [purpose], [self.cite(heading, para)]
                elif "精神" in first and "精神" not in clauses[0]:
                    clauses.insert(0, first)  # the national notice's political line, if ours lacks one
                    cites.append(self.cite(heading, para))
                break
        body = localise("，".join(clauses), self.loc) if clauses else "【待补：指导思想】"
        text = (f"为{body}，结合{self.loc.name}实际，扎实开展{self.year}年“质量月”活动，"
                f"进一步增强全社会质量意识，推动{self.loc.name}高质量发展。{self.stale}")
        blocks = [Block("para", text, cites=cites, polishable=True)]
        if with_time:
            blocks.append(self.time())
        return blocks

    def time(self) -> Block:
        for unit in self.g.units:
            time, para = unit.time_source()
            if para is not None:
                if self.g.missing:
                    text = f"活动时间：【待补：{self.year}年活动时间（{self.g.year_used}年为{time}）】。"
                else:
                    text = f"活动时间：{time if '年' in time else f'{self.year}年“质量月”期间（{time}）'}。"
                self.draft.facts.append(para.text)  # the 安排表's "9月" rests on it too
                return Block("para", text, cites=[self.cite("活动时间", para)])
        return Block("para", f"活动时间：【待补：{self.year}年活动时间】。")

    # ---- 活动主题
    def theme(self, heading: str) -> list[Block]:
        themed = [(u, u.theme) for u in self.g.units if u.theme]
        if not themed:
            return [Block("para", f"【待补：{self.year}年“质量月”活动主题】", polishable=False)]
        if self.g.missing:
            ref = "；".join(f"{u.short}主题为“{t}”" for u, t in themed)
            return [Block("para", f"【待补：{self.year}年“质量月”活动主题（{self.year}年通知下发后替换）】", ),
                    Block("para", f"（参考：{self.g.year_used}年{ref}。）",
                          cites=[self.cite(heading, self._theme_para(u)) for u, _ in themed])]
        unit, theme = themed[0]
        blocks = [Block("para", theme, cites=[self.cite(heading, self._theme_para(unit))])]
        for other, t in themed[1:]:
            if t != theme:
                label = "全国“质量月”活动主题" if other.level == "national" else f"{other.short}主题"
                blocks.append(Block("para", f"（{label}：{t}）", cites=[self.cite(heading, self._theme_para(other))]))
        return blocks

    @staticmethod
    def _theme_para(unit: GuidanceNotice) -> Para:
        if unit.facts and unit.facts.theme and (held := unit.para_at(unit.facts.theme)):
            return held
        for para in unit.role("theme") + unit.role("preamble") + unit.role("slogans"):
            if unit.theme.replace(" ", "") in re.sub(r"\s+", "", para.text):
                return para
        return unit.paras[0]

    # ---- 活动内容
    def tasks(self, heading: str) -> list[Block]:
        source = next((u for u in self.g.units if len(u.role("tasks")) >= 3), None)
        if source is None:
            return [Block("para", "【待补：活动内容】")]
        blocks = [Block("note", self.stale)] if self.stale else []
        n = 0
        for para in source.role("tasks"):
            body = "".join(s for s in sentences(para.body) if self.keep(s))
            if not body:
                continue
            label = re.sub(r"^（[一二三四五六七八九十]+）", "", para.label)
            item = f"{heading}（{numeral(n)}）"
            blocks.append(Block("heading2", f"（{numeral(n)}）{localise(label, self.loc)}"))
            blocks.append(Block("para", localise(body, self.loc), cites=[self.cite(item, para)], polishable=True))
            n += 1
        return blocks

    # ---- 有关要求
    def requirements(self, heading: str) -> list[Block]:
        groups: dict[str, list[tuple[str, Para]]] = {key: [] for key, _ in REQ_HEADINGS}
        # the 报送 deadline: from the notices' facts, else the first "于…前" of a requirement
        deadline = next((d for u in self.g.units if (d := u.report_deadline())), None)
        for unit in self.g.units:
            for para in unit.role("req", "closing"):
                if _NOISE_PARA.match(para.text):
                    continue
                body = re.sub(r"（[^（）]*附件[^（）]*）", "", para.body)  # "（主要活动安排详见附件1…）"
                for s in sentences(body):
                    if deadline is None and (m := DEADLINE.search(s)):
                        deadline = (m.group(1), para)
                    if _NOISE.search(s) or foreign_place(localise(s, self.loc), self.loc) or (
                            self.g.missing and str(self.g.year_used) in s):
                        continue
                    key = next((k for k, words in REQ_MATCH if re.search(words, s)), "mobilise")
                    if key == "report":
                        continue  # reporting is rewritten for the locality below
                    if not any(similar(s, t) for t, _ in groups[key]) and len(groups[key]) < 3:
                        groups[key].append((s, para))
        blocks, n = [], 0
        for key, head in REQ_HEADINGS:
            item = f"{heading}（{numeral(n)}）"
            if key == "report":
                text, cites = self._report(deadline, item)
            elif groups[key]:
                text = localise("".join(s for s, _ in groups[key]), self.loc)
                cites = list(dict.fromkeys(self.cite(item, p) for _, p in groups[key]))
            else:
                continue
            blocks.append(Block("item", text, head=f"（{numeral(n)}）{head}。", cites=cites, polishable=key != "report"))
            n += 1
        return blocks

    def _report(self, deadline, item: str) -> tuple[str, list[int]]:
        units = "各市场监管所、各相关科室" if self.loc.level == "county" else "各县（市、区）市场监管局"
        text = (f"{units}要对“质量月”活动开展情况进行督促检查，活动结束后及时总结，于【待补：报送时限】前将"
                f"活动总结、典型案例及图片视频等报送{self.loc.bureau}【待补：承办科室】。"
                f"联系人：【待补】，联系电话：【待补】。")
        if deadline is None:
            return text, []
        date, para = deadline
        upper = "上级" if self.g.missing else para.unit.issuer.rstrip("等") or "上级"
        when = f"【待补：以{self.year}年通知为准（{self.g.year_used}年为{date}前）】" if self.g.missing else f"{date}前"
        return text + f"（{upper}要求于{when}报送活动总结，本级时限应早于此。）", [self.cite(item, para)]

    def report_row(self, item: str) -> tuple[str, list[int]]:
        """The 安排表's closing row: the guidance's own 总结/报送 instruction, pointed at this bureau."""
        text = (f"活动结束后及时总结，于【待补：报送时限】前将活动总结、典型案例等报送"
                f"{self.loc.bureau}【待补：承办科室】。")
        for unit in self.g.units:
            for para in unit.role("req", "closing"):
                if "总结" in para.text and re.search(r"报送|反馈", para.text):
                    return text, [self.cite(item, para)]
        return text, []

    # ---- 附件1 口号
    def slogans(self) -> tuple[list[Block], str]:
        for unit in self.g.units:
            theme, slogans, section = slogan_list(unit)
            if slogans:
                lines = unit.role("slogans")  # one line per paragraph: cite the page as a whole
                para = Para("\n".join(p.text for p in lines), section, "slogans", unit)
                cite = [self.cite("附件1 活动口号", para)]
                head = []
                if self.g.missing:
                    head = [Block("para", f"【待补：{self.year}年活动口号（{self.year}年通知下发后替换）】以下为"
                                          f"{self.g.year_used}年口号，供参考：")]
                return head + [Block("slogan", f"{i}. {s}", cites=cite) for i, s in enumerate(slogans, 1)], section
        where = next((u.doc_no for u in self.g.units for p in u.paras if "口号" in p.text and u.doc_no), "")
        hint = f"（见{where}附件，语料库未收录）" if where else ""
        return [Block("para", f"【待补：{self.year}年“质量月”活动口号{hint}】")], ""
