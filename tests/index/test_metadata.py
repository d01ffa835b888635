"""公文 metadata of the five real notices, and the catalogue override file applied on re-ingest."""
from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from index.catalogue import GENERATED, OVERRIDES, apply_overrides, read_overrides
from index.clean import clean_text
from index.metadata import extract_metadata
from index.patterns import DOC_NO

CORPUS = Path(__file__).resolve().parents[2] / "corpus"

EXPECTED = {
    "2025-national-samr-notice.txt": dict(
        title="关于开展2025年全国“质量月”活动的通知", issuer="市场监管总局等", doc_no="国市监质发〔2025〕77号",
        date="2025-08-26", year=2025, year_source="title", kind="notice", level="national", region="全国",
        parent_region=""),
    "2025-fujian-provincial-notice.txt": dict(
        title="福建省市场监管局关于组织开展2025年“质量月”活动的通知", issuer="福建省市场监管局", doc_no="",
        date="", year=2025, year_source="title", kind="notice", level="provincial", region="福建省",
        parent_region=""),
    "2024-fujian-provincial-notice.txt": dict(
        title="福建省质量强省工作领导小组办公室关于开展2024年全省“质量月”活动的通知",
        issuer="福建省质量强省工作领导小组办公室", doc_no="闽质强省办〔2024〕9号", date="2024-08-14", year=2024,
        year_source="title", kind="notice", level="provincial", region="福建省", parent_region=""),
    "2023-yongan-county-plan.txt": dict(
        title="永安市市场监督管理局关于印发2023年“质量月”活动方案的通知", issuer="永安市市场监督管理局",
        doc_no="永市监质〔2023〕35号", date="2023-09-13", year=2023, year_source="title", kind="plan",
        level="county", region="永安市", parent_region="三明市"),
    "2022-fujian-forwarding-national-notice.txt": dict(
        title="福建省质量强省工作联席会议办公室转发国家市场监督管理总局等21部门关于开展2022年全国“质量月”活动的通知",
        issuer="福建省质量强省工作联席会议办公室", doc_no="闽质强省办〔2022〕4号",
        date="",  # the forwarding notice states no 成文日期 (its 落款 was lost with the forwarded notice's)
        year=2022, year_source="title", kind="notice", level="provincial", region="福建省", parent_region=""),
}
# 文号 each notice quotes in its text but that are NOT its own.
CITED = {
    "2024-fujian-provincial-notice.txt": ["国市监质发〔2024〕74号"],
    "2023-yongan-county-plan.txt": ["闽质强省办〔2023〕7号", "明强市办〔2023〕8号"],
    "2022-fujian-forwarding-national-notice.txt": ["国市监质发〔2022〕76号"],
}


def meta_of(name: str):
    return extract_metadata(clean_text((CORPUS / name).read_text("utf-8")))


def test_expectations_cover_the_whole_corpus():
    assert sorted(EXPECTED) == sorted(p.name for p in CORPUS.glob("*.txt"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_notice_metadata(name):
    assert meta_of(name).as_dict() == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(CITED))
def test_cited_doc_numbers_are_never_taken_as_own(name):
    text = clean_text((CORPUS / name).read_text("utf-8"))
    own = meta_of(name).doc_no
    for cited in CITED[name]:
        assert cited in text  # the notice really quotes it
        assert DOC_NO.search(cited)  # and it is 文号-shaped, so only position tells it apart
        assert own != cited


def test_notice_without_doc_no_gets_none_not_a_cited_one():
    # The 2025 Fujian notice has no 版头 文号; nothing quoted anywhere may stand in for it.
    assert meta_of("2025-fujian-provincial-notice.txt").doc_no == ""


def test_read_and_apply_overrides(tmp_path):
    (tmp_path / OVERRIDES).write_text(
        "file,title,issuer,doc_no,date,year,level,region,parent_region\n"
        "a.txt,,,闽市监〔2025〕1号,2025-08-20,2025,,,\n"
        "b.txt,,,,,,,,\n", encoding="utf-8-sig")
    overrides = read_overrides(tmp_path)
    assert overrides == {"a.txt": {"doc_no": "闽市监〔2025〕1号", "date": "2025-08-20", "year": 2025}}
    meta = {"title": "t", "doc_no": "", "date": "", "year": 2024, "level": "provincial"}
    assert apply_overrides("a.txt", meta, overrides) == {
        "title": "t", "doc_no": "闽市监〔2025〕1号", "date": "2025-08-20", "year": 2025, "level": "provincial"}
    assert apply_overrides("c.txt", meta, overrides) == meta


def _catalogue(corpus: Path) -> dict[str, dict]:
    rows = csv.DictReader(io.StringIO((corpus / GENERATED).read_text("utf-8-sig")))
    return {r["file"]: r for r in rows}


FUJIAN_2025 = "2025-fujian-provincial-notice.txt"
OVERRIDE_ROW = {"doc_no": "闽市监质函〔2025〕99号", "date": "2025-08-29"}  # invented for the test


def _write_overrides(corpus: Path, values: dict) -> None:
    header = "file,title,issuer,doc_no,date,year,level,region,parent_region\n"
    row = f"{FUJIAN_2025},,,{values.get('doc_no', '')},{values.get('date', '')},,,,\n"
    (corpus / OVERRIDES).write_text(header + row, encoding="utf-8-sig")


@pytest.fixture
def small_index(tmp_path, embeddings):
    from index.settings import Settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / FUJIAN_2025, corpus / FUJIAN_2025)
    return Settings(data_dir=tmp_path / "data", corpus_dir=corpus)


@pytest.mark.slow
def test_catalogue_override_is_applied_on_reingest(small_index, embeddings):
    from index.ingest import ingest
    from index.snapshot import Snapshot

    settings = small_index
    first = ingest(settings, show_progress=False, embeddings=embeddings)
    assert first.added == [FUJIAN_2025]
    assert _catalogue(settings.index.corpus_dir)[FUJIAN_2025]["doc_no"] == ""  # as extracted: none

    _write_overrides(settings.index.corpus_dir, OVERRIDE_ROW)
    second = ingest(settings, show_progress=False, embeddings=embeddings)
    assert second.updated == [FUJIAN_2025], second.summary()  # same bytes, but the override changed

    snap = Snapshot.load(settings.index.index_dir)
    entry = snap.files[FUJIAN_2025]
    assert entry.meta["doc_no"] == OVERRIDE_ROW["doc_no"]
    assert entry.meta["date"] == OVERRIDE_ROW["date"]
    assert entry.meta["title"] == EXPECTED[FUJIAN_2025]["title"]  # empty override cells change nothing
    for cid in entry.chunk_ids:
        assert snap.chunks[cid]["meta"]["doc_no"] == OVERRIDE_ROW["doc_no"]
        assert snap.chunks[cid]["meta"]["date"] == OVERRIDE_ROW["date"]
    row = _catalogue(settings.index.corpus_dir)[FUJIAN_2025]
    assert (row["doc_no"], row["date"], row["year"]) == (OVERRIDE_ROW["doc_no"], OVERRIDE_ROW["date"], "2025")

    third = ingest(settings, show_progress=False, embeddings=embeddings)
    assert third.skipped == [FUJIAN_2025] and not third.updated  # applied once, then stable


@pytest.mark.slow
def test_removing_an_override_restores_the_extracted_value(small_index, embeddings):
    from index.ingest import ingest
    from index.snapshot import Snapshot

    settings = small_index
    _write_overrides(settings.index.corpus_dir, OVERRIDE_ROW)
    ingest(settings, show_progress=False, embeddings=embeddings)
    (settings.index.corpus_dir / OVERRIDES).unlink()
    ingest(settings, show_progress=False, embeddings=embeddings)
    assert Snapshot.load(settings.index.index_dir).files[FUJIAN_2025].meta["doc_no"] == ""


def test_a_news_agency_dateline_is_no_place_of_the_report():
    text = "某报北京9月2日电（记者 王某）全国质协系统质量月活动启动仪式日前举行，全国质量月活动随即展开。\n会议发布了年度活动安排。"
    m = extract_metadata(clean_text(text))
    assert m.level == "national" and m.region == "全国"


def test_a_city_report_that_never_names_its_city_is_municipal_with_region_unknown():
    text = "今天，我市在一家企业启动2019年全国质量月活动。\n今年我市将实施十大质量提升行动，全市各区同步开展。"
    m = extract_metadata(clean_text(text))
    assert (m.level, m.region) == ("municipal", "")


def test_a_headline_after_the_sites_column_name_and_no_time_stamp():
    page = "专题报道|2021年某省“质量月”活动启动\n时间:2021-09-08 10:20:00\n某报讯 9月6日，某省质量月活动在省会启动。"
    assert extract_metadata(clean_text(page)).title == "2021年某省“质量月”活动启动"


def test_a_reprints_original_title_is_its_headline_and_a_byline_is_none():
    page = "(原标题:我县召开质量强县工作会议)\n9月4日上午，固安县召开质量强县工作会议。县政府副县长出席会议。"
    assert extract_metadata(clean_text(page)).title == "我县召开质量强县工作会议"
    report = "【资料图】\n□王某 本报记者 李某\n金秋九月，全省开展质量月活动。"
    assert "记者" not in extract_metadata(clean_text(report)).title


def test_a_county_report_opening_with_its_citys_meeting_is_the_countys():
    text = "(原标题:我县召开质量月启动仪式)\n9月4日上午，廊坊市质量强市视频会议后，固安县立即召开启动仪式。\n我县将开展系列活动，县政府分管领导出席。"
    m = extract_metadata(clean_text(text))
    assert (m.level, m.region) == ("county", "固安县")


def test_a_radio_sites_dateline_and_a_kind_word_on_its_own_line():
    text = "某某网海口9月10日消息(记者 王某)9月9日，由海南省市场监督管理局主办的2031年海南省质量月启动仪式在海口举行。"
    m = extract_metadata(clean_text(text))
    assert (m.level, m.region) == ("provincial", "海南省")
    letter = "2031年全国“质量月”企业质量诚信\n倡议书\n各企业：为推动质量提升，我们倡议如下。"
    m = extract_metadata(clean_text(letter))
    assert m.title == "2031年全国“质量月”企业质量诚信倡议书" and m.level == "national" and m.kind == "letter"


def test_the_year_beside_september_and_a_tie_to_the_later_year():
    text = "为推动高质量发展，2031年9月，市质量办等单位开展质量月活动。\n2030年度质量奖企业代表发言。\n2030年度获奖名单公布。"
    assert extract_metadata(clean_text(text)).year == 2031
