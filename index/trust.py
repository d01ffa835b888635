"""How far a document can be trusted: "official" or "user".

"official": it carries its own 文号 in the 版头, or its issuer is a government body named in
the 版头 (the lines above the body). Everything else (a news report, a colleague's notes, a
forged notice without masthead) is "user". A person can correct it in
corpus/_catalogue_overrides.csv (column `trust`).
"""
from __future__ import annotations

import re

OFFICIAL, USER = "official", "user"

_BODY_END = re.compile(r"(人民政府|政府|委员会|委|办公厅|办公室|总局|局|厅|部|署|小组|院)$")
_PLACE_OR_STATE = re.compile(r"国务院|国家|中华人民共和国|中共|省|市|县|区|州|盟|旗|总局|部$|署$")
_NOT_GOVERNMENT = re.compile(r"公司|集团|协会|学会|商会|企业|有限|学校|大学|医院|研究会|联合会|报社|网")
_MASTHEAD_LINES = 15


def masthead(clean: str) -> list[str]:
    """Lines before the body starts (the first sentence or 一、 heading), at most 15."""
    head = []
    for line in (l.strip().lstrip("#").strip() for l in clean.split("\n")):
        if not line:
            continue
        if "。" in line or re.match(r"^[一二三四五六七八九十]+、", line) or len(head) >= _MASTHEAD_LINES:
            break
        head.append(line)
    return head


def is_government_body(name: str) -> bool:
    name = re.sub(r"(等|文件)$", "", name.strip())
    return (2 <= len(name) <= 40 and bool(_BODY_END.search(name)) and bool(_PLACE_OR_STATE.search(name))
            and not _NOT_GOVERNMENT.search(name))


def trust_level(clean: str, meta: dict) -> str:
    if meta.get("doc_no"):
        return OFFICIAL
    head = masthead(clean)
    issuer = re.sub(r"等$", "", meta.get("issuer") or "")
    if issuer and is_government_body(issuer) and any(issuer in line for line in head):
        return OFFICIAL
    # a 版头 line that is a body's name alone ("某某局文件")
    if any(is_government_body(line) and " " not in line for line in head):
        return OFFICIAL
    return USER
