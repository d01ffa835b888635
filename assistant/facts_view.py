"""`python -m assistant facts`: the facts read off each indexed notice, with a quote of where each was read."""
from __future__ import annotations

import json

from index.facts import NoticeFacts
from index.facts_store import FactStore
from index.settings import Settings

FIELDS = ("theme", "period", "co_issuers", "co_issuer_count", "slogans", "activities", "deadlines", "contacts",
          "based_on", "attachments")
_HEAD = ("doc_id", "part", "title", "doc_no", "issuer", "date", "year", "level", "region", "kind")


def select(store: FactStore, year: int | None = None) -> list[NoticeFacts]:
    return [nf for nf in store.all_facts() if year is None or nf.year == year]


def quote(clean: str, start: int, end: int, margin: int = 12) -> str:
    """The span with a little context either side, on one line."""
    left = clean[max(0, start - margin):start]
    right = clean[end:end + margin]
    return ("…" + left + "【" + clean[start:end] + "】" + right + "…").replace("\n", " ").replace("\t", " ")


def render(nf: NoticeFacts, clean: str, fact: str | None = None) -> str:
    out = [f"{nf.doc_id}  [{nf.part}]  {nf.year or '?'}  {nf.level or '?'}  {nf.region or '?'}",
           f"  {nf.title}  {nf.doc_no}".rstrip()]
    listed = [(name, f) for name, f in nf.facts() if fact is None or name == fact or name.startswith(fact + ".")]
    for name, f in listed:
        value = str(f.value)
        value = value if len(value) <= 60 else value[:60] + "…"
        out.append(f"  {name}: {value}  〔{f.how}〕")
        out.append(f"      {quote(clean, f.span.start, f.span.end) if len(str(f.value)) <= 60 else ''}".rstrip())
    for a in nf.attachments if fact in (None, "attachments") else []:
        out.append(f"  附件{a.number or ''}: {'在文中' if a.present else '未附全文'}")
    if not listed:
        out.append("  （未读到此项）" if fact else "  （未读到事实）")
    return "\n".join(line for line in out if line.strip())


def run(args, settings: Settings) -> int:
    store = FactStore.load(settings)
    if not store.snapshot.files:
        print("索引为空：请先运行 python -m assistant ingest")
        return 1
    if args.fact and args.fact.split(".")[0] not in FIELDS:
        print(f"未知的事实类型：{args.fact}（可选：{'、'.join(FIELDS)}）")
        return 2
    notices = select(store, args.year)
    if args.json:
        rows = []
        for nf in notices:
            data = nf.to_dict()
            if args.fact:
                data = {k: data[k] for k in _HEAD} | {args.fact.split(".")[0]: data[args.fact.split(".")[0]]}
            rows.append(data)
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    if not notices:
        print(f"没有{args.year}年的通知" if args.year else "没有通知")
        return 0
    for nf in notices:
        print(render(nf, store.snapshot.files[nf.doc_id].clean_text, args.fact))
        print()
    return 0
