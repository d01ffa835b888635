"""The fact patterns of 公文 text, in one place: metadata, evidence, verification and drafting share them.

Written for any agency's notice, plan or news report: 文号 of any prefix and bracket style,
dates with or without a year, phones, e-mails and counted things.
"""
from __future__ import annotations

import re

# 文号: issuer prefix, year in 〔〕 (also [] () 【】 as scans and web pages write it), number, 号.
DOC_NO = re.compile(r"[\u4e00-\u9fa5]{1,12}\s*[〔\[［(（【]\s*(?:19|20)\d{2}\s*[〕\]］)）】]\s*\d{1,4}\s*号")
# The same 文号 as mentioned in running text, known by the two characters before its bracket
# ("…质发〔2025〕77号"): what a claim is matched on, whatever words precede it.
DOC_NO_TAIL = re.compile(r"[\u4e00-\u9fa5]{2}〔\d{4}〕\d{1,4}号")
FULL_DATE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
DATE_LINE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")  # a 落款 date on its own line
ISO_DATE = re.compile(r"((?:19|20)\d{2})[-/.](\d{1,2})[-/.](\d{1,2})")
DATE = re.compile(r"\d{1,2}月\d{1,2}日(?:前)?|\d{4}年\d{1,2}月(?:\d{1,2}日)?|\d{1,2}-\d{1,2}月"
                  r"|\d{1,2}月(?:中旬|上旬|下旬|底)?"
                  r"|(?<![一二三四五六七八九十])(?:十[一二]?|[一二三四五六七八九])月(?:份|中旬|上旬|下旬|底|初|间)")  # 八月底到九月间
YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
PHONE = re.compile(r"\d{3,4}-\d{7,8}|1[3-9]\d{9}|\d{7,8}（传真）")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
COUNT = re.compile(r"\d+(?:\.\d+)?\s*(?:余|多)?\s*(?:个|项|家|部门|条|类|届|份|人次|人|场|次|件|批次|批|万|亿|%|％)"
                   r"|[一二三四五六七八九十]+(?:个|项|类|大)")


def normalise_doc_no(text: str) -> str:
    """One spelling of a 文号: no spaces, year in 〔〕."""
    text = re.sub(r"\s+", "", text)
    return re.sub(r"[\[［(（【]((?:19|20)\d{2})[\]］)）】]", r"〔\1〕", text)


def iso_date(text: str) -> str:
    """The first full date in `text` as yyyy-mm-dd, or ""."""
    m = FULL_DATE.search(text) or ISO_DATE.search(text)
    if not m:
        return ""
    y, mo, d = (int(g) for g in m.groups())
    return f"{y:04d}-{mo:02d}-{d:02d}" if 1 <= mo <= 12 and 1 <= d <= 31 else ""

# Web page furniture around a report: breadcrumbs, site banners, bylines — never the report itself.
NAVIGATION = re.compile(r"位置[:：]|首页|>|http|www\.|网站|来源[:：]|发布时间|点击|编辑[:：]|作者[:：]|放大|打印|责编"
                        r"|扫一扫|分享到|手机打开|字号[:：]|字体[:：]|关闭窗口|Copyrig|版权所有")

# Lines of a web page that are no headline: a bare date/time stamp, a photo credit or byline.
BYLINE = re.compile(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?(?!\d)|摄影|供图|图片来源"
                    r"|^(?:记者|通讯员|图|文)[:：\s]|本报记者|特约记者|^[□■]")

# The mark after which a forwarding notice carries the forwarded one in full: "（此件主动公开）", either bracket.
PUBLIC_MARK = re.compile(r"^[（(]此件.{0,6}公开.{0,4}[）)]$")
