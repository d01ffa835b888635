"""HTML of the 历年对比 tab (no gradio): the years × levels table, every value a link to its span."""
from __future__ import annotations

from urllib.parse import quote, unquote

from assistant.app.views import esc
from assistant.fact_table import FactTable, CellValue

NOT_STATED = "未写明"


def fact_key(item: CellValue) -> str:
    """What a clicked value sends back: the notice file and the span's offsets (nothing kept server-side)."""
    return f"{quote(item.doc_id, safe='')}~{item.start}~{item.end}"


def parse_fact_key(key: str) -> tuple[str, int, int] | None:
    try:
        doc, start, end = (key or "").split("~")
        return unquote(doc), int(start), int(end)
    except ValueError:
        return None


def _link(item: CellValue, title: str) -> str:
    return (f'<a class="zly-fact" href="#zly-fact-{esc(fact_key(item))}" title="{esc(title)}">'
            f'{esc(item.text)}</a>')


def _entry_html(entry) -> str:
    nf = entry.notice
    name = f"《{nf.title}》{nf.doc_no}" if nf.title else nf.doc_id
    head = f'<div class="zly-section">{esc(name)}</div>'
    if not entry.items:
        return f'<div class="zly-fact-entry"><span class="zly-unstated">{NOT_STATED}</span>{head}</div>'
    main = [i for i in entry.items if not i.detail]
    detail = [i for i in entry.items if i.detail]
    body = "<br>".join(_link(i, name) for i in main)
    if detail:
        body += (f'<details><summary>文中列出的部门（{len(detail)}个）</summary>'
                 + "、".join(_link(i, name) for i in detail) + "</details>")
    return f'<div class="zly-fact-entry">{body}{head}</div>'


def compare_html(table: FactTable, label: str) -> str:
    if not table.years:
        return '<div class="zly-empty">知识库中还没有通知。</div>'
    head = "".join(f"<th>{esc(lab)}</th>" for _, lab in table.columns)
    rows = []
    for year in table.years:
        cells = []
        for key, _ in table.columns:
            entries = table.cell(year, key)
            inner = "".join(_entry_html(e) for e in entries) or f'<span class="zly-unstated">{NOT_STATED}</span>'
            cells.append(f"<td>{inner}</td>")
        year_label = f"{year}年" if year.isdigit() else year
        rows.append(f'<tr><th scope="row">{esc(year_label)}</th>{"".join(cells)}</tr>')
    return (f'<div class="zly-scroll" id="zly-compare-scroll"><table class="zly-table zly-compare">'
            f'<caption>{esc(label)}：历年各级通知对比（点击内容可查看原文出处）</caption>'
            f'<thead><tr><th>年份</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>')
