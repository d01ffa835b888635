"""The 历年对比 table builder on the session's real index of the seed corpus (facts read at ingest)."""
from __future__ import annotations

import dataclasses
import re

import pytest

from assistant.app.compare_views import compare_html, fact_key, parse_fact_key
from assistant.fact_table import KINDS, LEVELS, UNKNOWN, build_table, items_of
from index.facts_store import FactStore
from index.snapshot import Snapshot

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def store(built_index):
    return FactStore(Snapshot.load(built_index.index.index_dir))


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_notice_has_one_cell_and_every_value_its_span(store, kind):
    notices = store.all_facts()
    table = build_table(notices, kind)
    placed = [e.notice for y in table.years for c, _ in table.columns for e in table.cell(y, c)]
    assert sorted((n.doc_id, n.part) for n in placed) == sorted((n.doc_id, n.part) for n in notices)
    assert [label for _, label in table.columns][:4] == [label for _, label in LEVELS]  # split only when needed
    assert table.years == sorted(table.years, reverse=True) and UNKNOWN not in table.years
    texts = {name: e.clean_text for name, e in store.snapshot.files.items()}
    for y in table.years:
        for c, _ in table.columns:
            for entry in table.cell(y, c):
                assert str(entry.notice.year) == y
                for item in entry.items:
                    span = texts[item.doc_id][item.start:item.end]
                    assert span and item.doc_id == entry.notice.doc_id
                    if kind in ("theme", "period", "slogans"):
                        assert flat(span) == flat(item.text)  # the cell shows what the span says
                    elif not item.detail and kind == "co_issuers":
                        assert span in item.text  # "26" → "26个部门"
                    else:
                        assert flat(span) in flat(item.text)


def test_forwarded_national_notice_sits_in_the_national_column(store):
    """A provincial file forwarding the national notice gives two cells of its year: 全国 and 省级."""
    table = build_table(store.all_facts(), "theme")
    forwarded = [nf for nf in store.all_facts() if nf.part != "main" and nf.level == "national"]
    assert forwarded
    for nf in forwarded:
        cell = table.cell(str(nf.year), "national")
        assert any(e.notice is nf for e in cell)
        carrier = [e for e in table.cell(str(nf.year), "provincial") if e.notice.doc_id == nf.doc_id]
        assert carrier and carrier[0].items[0].text != cell[0].items[0].text  # 质量强省 vs 质量强国


def test_unknown_year_and_level_are_kept_and_regions_split(store):
    notices = store.all_facts()
    provincial = [nf for nf in notices if nf.level == "provincial"]
    odd = [dataclasses.replace(notices[0], year=None), dataclasses.replace(notices[1], level=""),
           dataclasses.replace(provincial[0], region="另一省份")]
    table = build_table(notices + odd, "theme")
    assert table.years[-1] == UNKNOWN and table.columns[-1] == (UNKNOWN, UNKNOWN)
    assert any(e.notice is odd[0] for c, _ in table.columns for e in table.cell(UNKNOWN, c))
    assert any(e.notice is odd[1] for e in table.cell(str(odd[1].year), UNKNOWN))
    labels = [label for _, label in table.columns]
    assert "省级·另一省份" in labels and any(lb.startswith("省级·") and lb != "省级·另一省份" for lb in labels)
    assert "省级" not in labels


def test_html_cites_every_value_and_says_when_unstated(store):
    table = build_table(store.all_facts(), "slogans")
    html = compare_html(table, KINDS["slogans"])
    links = re.findall(r'href="#zly-fact-([^"]+)"', html)
    values = [i for y in table.years for c, _ in table.columns for e in table.cell(y, c) for i in e.items]
    assert len(links) == len(values) > 0
    for key in links:
        doc, start, end = parse_fact_key(key.replace("&amp;", "&"))
        assert doc in store.snapshot.files and 0 <= start < end
    assert "未写明" in html  # notices without 口号, and levels with no notice of a year
    assert parse_fact_key(fact_key(values[0])) == (values[0].doc_id, values[0].start, values[0].end)
    assert parse_fact_key("nonsense") is None


def test_deadlines_show_time_what_and_where(store):
    for nf in store.all_facts():
        shown = items_of(nf, "deadlines")
        assert len(shown) == len([d for d in nf.deadlines if d.by is not None])
        for item, d in zip(shown, [d for d in nf.deadlines if d.by is not None]):
            assert item.text.startswith(str(d.by.value)) and (d.to is None or str(d.to.value) in item.text)


def test_values_from_a_notice_are_escaped():
    from assistant.fact_table import Entry, FactTable, CellValue
    from index.facts import NoticeFacts

    nf = NoticeFacts(doc_id="x<y>.txt", part="main", title="<b>t</b>", year=2025, level="county", region="某县")
    entry = Entry(nf, [CellValue('<script>alert("x")</script>', "x<y>.txt", 0, 5)])
    html = compare_html(FactTable("theme", ["2025"], [("county", "县级")], {("2025", "county"): [entry]}), "主题")
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>t</b>" not in html
