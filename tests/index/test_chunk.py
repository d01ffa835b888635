"""Structure-aware chunking of the real notices: heading paths, table rows, merging, splitting,
the forwarded national notice inside the 2022 Fujian file, and per-chunk notice metadata."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from index.chunk import chunk_notice
from index.clean import clean_text
from index.settings import Settings

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
FILES = sorted(p.name for p in CORPUS.glob("*.txt"))
NATIONAL_2025 = "2025-national-samr-notice.txt"
FUJIAN_2025 = "2025-fujian-provincial-notice.txt"
FUJIAN_2024 = "2024-fujian-provincial-notice.txt"
FUJIAN_2022 = "2022-fujian-forwarding-national-notice.txt"
YONGAN_2023 = "2023-yongan-county-plan.txt"
MAX, MIN = Settings().index.chunk_max_chars, Settings().index.chunk_min_chars
FORWARDED = "附件1 国家市场监督管理总局等21部门《关于开展2022年全国“质量月”活动的通知》（国市监质发〔2022〕76号）"
TABLE_HEADER = "序号\t活动主题\t活动内容\t时间安排\t牵头部门\t协办单位\t备注"


def clean(name: str) -> str:
    return clean_text((CORPUS / name).read_text("utf-8"))


_CHUNKS: dict[tuple, list] = {}


def chunks(name: str, max_chars: int = MAX, min_chars: int = MIN):
    key = (name, max_chars, min_chars)
    if key not in _CHUNKS:
        _CHUNKS[key] = chunk_notice(clean(name), max_chars, min_chars)
    return _CHUNKS[key]


def find(name: str, needle: str):
    found = [c for c in chunks(name) if needle in c.text]
    assert found, f"no chunk of {name} contains {needle!r}"
    return found


@pytest.mark.parametrize("name,needle,section", [
    (FUJIAN_2025, "专项开展充电宝、建筑保温材料、消防产品质量安全整治行动", "三、活动安排 > （四）加大质量安全监管力度"),
    (FUJIAN_2025, "10月11日前将活动总结报送省局质量发展处", "三、活动安排 > （六）推动质量社会共治格局构建"),
    (FUJIAN_2025, "第三届“福纤杯”检测技能竞赛", "附件1 2025年“质量月”主要活动安排"),
    (FUJIAN_2025, "质量筑基新动能  品牌领航新发展", "附件2 2025年全国“质量月”活动口号"),
    (FUJIAN_2025, "加强全面质量管理  促进质量强省建设", "二、活动主题"),
    (NATIONAL_2025, "举办中国质量（南京）大会", "三、活动内容 > （一）深入推进《纲要》贯彻实施"),
    (NATIONAL_2025, "2025年9月", "二、活动时间"),
    (NATIONAL_2025, "市场监管总局等26个部门将联合开展", "正文"),
    (FUJIAN_2024, "两岸集成电路标准化技术委员会", "附件3 2024年全省“质量月”各地开展的主要活动 > 二、厦门市"),
    (FUJIAN_2024, "全民讲质量 质量利全民", "附件1 2024年全省“质量月”活动口号"),
    (FUJIAN_2024, "着力推进晋江市等市（县、区）质量强市培育建设工作", "二、重点安排 > （四）推进质量强市（县、区）培育建设"),
    (YONGAN_2023, "质量风险分析与控制", "三、活动内容 > （三）深入开展质量提升行动"),
    (YONGAN_2023, "质的有效提升 量的合理增长", "附件1 2023年“质量月”活动口号"),
    (FUJIAN_2022, "林忠辉", "四、认真总结，及时报送"),
    (FUJIAN_2022, "着力突破制约产业发展的质量瓶颈",
     FORWARDED + " > 二、活动重点 > （二）提高产业和区域质量竞争力，更好促进国内国际双循环"),
])
def test_heading_path(name, needle, section):
    assert [c.section for c in find(name, needle)] == [section]


def test_bare_section_titles_are_not_chunks_of_their_own():
    for name in FILES:
        for c in chunks(name):
            assert c.text.strip() != c.section.split(" > ")[-1], f"{name}: bare heading chunk {c.text!r}"


def test_heading_and_its_one_line_paragraph_form_one_chunk():
    theme = find(YONGAN_2023, "增强质量意识 推进高质量发展")
    assert [c.text for c in theme] == ["二、活动主题\n增强质量意识 推进高质量发展"]
    heading_with_paragraph = find(YONGAN_2023, "不断创新“质量月”活动形式")
    assert heading_with_paragraph[0].text.startswith("（一）加强质量主题宣传教育\n不断创新")


def test_masthead_chunk():
    head = chunks(NATIONAL_2025)[0]
    assert (head.kind, head.section, head.order) == ("masthead", "版头", 0)
    assert "关于开展2025年全国“质量月”活动的通知" in head.text
    assert "国市监质发〔2025〕77号" in head.text
    assert head.text.endswith("2025年8月26日")  # the 落款 travels with the 版头
    yongan = chunks(YONGAN_2023)[0]
    assert "永市监质〔2023〕35号" in yongan.text and "2023年9月13日" in yongan.text


def test_yongan_table_rows_are_one_chunk_each_with_the_header():
    rows = [c for c in chunks(YONGAN_2023) if c.kind == "table_row"]
    assert len(rows) == 12
    raw_rows = [l for l in clean(YONGAN_2023).split("\n") if "\t" in l and not l.startswith("序号")]
    assert [c.text for c in rows] == raw_rows  # each row verbatim, in order, no row split or merged
    for i, c in enumerate(rows, start=1):
        assert c.text.split("\t")[0] == str(i)
        assert c.header == TABLE_HEADER
        assert c.section == "附件2 永安市市场监督管理局2023年“质量月”活动计划安排表"
    # even short rows (row 4 is 39 characters) are not merged with their neighbours
    assert len(rows[3].text) < MIN
    assert not any(c.text.startswith("序号") for c in chunks(YONGAN_2023))


def test_table_header_goes_into_what_is_embedded():
    from index.ingest import embed_text_from_record

    row = [c for c in chunks(YONGAN_2023) if c.kind == "table_row"][6]
    record = {"text": row.text, "meta": {"title": "T", "section": row.section, "header": row.header}}
    embedded = embed_text_from_record(record)
    assert TABLE_HEADER in embedded and row.text in embedded and row.section in embedded


def test_tiny_pieces_are_merged_with_their_siblings():
    # 联系人 / 电话 / 邮箱 are three tiny lines under the same heading: one chunk with the paragraph before.
    contact = find(FUJIAN_2022, "蔡煜刚")
    assert len(contact) == 1
    assert "联系人：市场监管总局质量发展局 蔡煜刚\n电 话：010-82262033、82260622（传真）\n邮 箱：caiyugang@samr.gov.cn" \
        in contact[0].text
    assert contact[0].text.startswith("各地区各部门要对活动开展情况进行督促指导。")
    # the national notice's 26 co-issuer lines and date end up together, not as 11 tiny chunks
    issuers = find(NATIONAL_2025, "最高人民检察院 国家发展改革委 工业和信息化部")
    body = [c for c in issuers if c.kind != "masthead"]
    assert len(body) == 1 and "全国总工会 全国工商联" in body[0].text
    # "主  题：" + its one-line theme
    assert [c.text for c in find(FUJIAN_2025, "主  题：")] == ["主  题：\n加强全面质量管理  促进质量强国建设"]


@pytest.mark.parametrize("name", FILES)
def test_merge_invariant(name):
    """A chunk under `min_chars` only stays alone if merging it into its same-section predecessor
    would overflow `max_chars`, or it is a table row, or it starts a new section."""
    cs = chunks(name)
    for prev, c in zip(cs, cs[1:]):
        if len(c.text) >= MIN or c.kind == "table_row" or prev.kind in ("table_row", "masthead"):
            continue
        if prev.section == c.section:
            assert len(prev.text) + len(c.text) > MAX, f"{name}: tiny chunk not merged: {c.text!r}"


@pytest.mark.parametrize("name", FILES)
def test_chunks_are_at_most_max_chars(name):
    for c in chunks(name):
        if c.kind != "masthead":
            assert len(c.text) <= MAX, f"{name}: {len(c.text)} chars in {c.section}"


def test_long_block_is_split_at_sentence_end():
    # 2024 附件2 "一、省市场监管局：…" is 446 characters: two pieces, cut after a 。
    pieces = [c for c in chunks(FUJIAN_2024) if c.section.endswith("一、省市场监管局")]
    assert len(pieces) == 2
    assert all(len(p.text) <= MAX for p in pieces)
    assert pieces[0].text.endswith("。") and pieces[0].text.startswith("一、省市场监管局：")
    line = next(l for l in clean(FUJIAN_2024).split("\n") if l.startswith("一、省市场监管局："))
    assert pieces[0].text + pieces[1].text == line  # nothing lost or duplicated at the cut


def _boundaries(text: str) -> set[int]:
    """Offsets in the cleaned text where a chunk may start or end: line ends and sentence ends."""
    marks = {0, len(text)}
    for i, ch in enumerate(text):
        if ch == "\n":
            marks.update((i, i + 1))
        elif ch in "。！？；":
            marks.add(i + 1)
    return marks


@pytest.mark.parametrize("max_chars", [MAX, 200, 120])
@pytest.mark.parametrize("name", FILES)
def test_chunks_are_verbatim_and_cut_only_at_line_or_sentence_ends(name, max_chars):
    text = clean(name)
    marks = _boundaries(text)
    single_sentence = re.compile(r"^[^。！？；]*[。！？；]?$")
    for c in chunks(name, max_chars=max_chars):
        if c.kind == "masthead":
            continue  # 版头 + 落款: two separate runs of lines
        starts = [m.start() for m in re.finditer(re.escape(c.text), text)]
        assert starts, f"{name}: chunk text is not verbatim from the cleaned notice: {c.text[:50]}…"
        assert any(s in marks and s + len(c.text) in marks for s in starts), \
            f"{name}: chunk cut mid-sentence: {c.text[:20]}…{c.text[-20:]}"
        if c.kind != "table_row":  # a table row is never split, whatever its length
            assert len(c.text) <= max_chars or single_sentence.match(c.text), \
                f"{name}: {len(c.text)} chars and more than one sentence: {c.text[:40]}…"


def test_forwarded_national_notice_carries_its_own_metadata():
    cs = chunks(FUJIAN_2022)
    forwarded = [c for c in cs if c.section.startswith("附件1 ")]
    assert forwarded, "no chunk of the forwarded notice"
    for c in forwarded:
        assert c.section.startswith(FORWARDED)
        assert c.part == {"doc_no": "国市监质发〔2022〕76号", "level": "national", "region": "全国", "year": 2022}
    assert find(FUJIAN_2022, "推动质量变革创新 促进质量强国建设")[0].part["level"] == "national"
    assert find(FUJIAN_2022, "蔡煜刚")[0].part["doc_no"] == "国市监质发〔2022〕76号"
    # the forwarding notice's own text is not part of the forwarded one
    for needle in ("林忠辉", "推动质量变革创新 促进质量强省建设", "现将国家市场监督管理总局等21部门"):
        assert find(FUJIAN_2022, needle)[0].part == {}


def test_chunk_order_is_sequential():
    for name in FILES:
        assert [c.order for c in chunks(name)] == list(range(len(chunks(name))))


# ---- the same, through the real ingest: what the index stores per chunk

NOTICE_FIELDS = ("title", "issuer", "doc_no", "date")


@pytest.mark.slow
def test_every_indexed_chunk_carries_the_notice_metadata(built_index):
    from index.snapshot import Snapshot

    snap = Snapshot.load(built_index.index.index_dir)
    assert sorted(snap.files) == FILES
    parts = {name: [c.part for c in chunks(name)] for name in FILES}
    for name, entry in snap.files.items():
        assert entry.chunk_ids, name
        assert len(entry.chunk_ids) == len(chunks(name))
        for cid in entry.chunk_ids:
            rec = snap.chunks[cid]
            m = rec["meta"]
            assert m["source"] == name and m["doc_sha"] == entry.sha256
            for key in NOTICE_FIELDS:
                assert m[key] == entry.meta[key], (name, key)
            assert m["section"] and m["kind"] in ("masthead", "text", "list", "table_row")
            assert isinstance(m["order"], int)
            assert rec["tokens"], f"{name}: chunk without BM25 tokens"
            # an attached notice (the forwarded 2022 national one, a 全国 slogan list) has its own
            # level/year/region; everything else carries the file's
            part = parts[name][m["order"]]
            expected = tuple(part.get(k, entry.meta[k]) for k in ("year", "level", "region"))
            assert (m["year"], m["level"], m["region"]) == expected, (name, m["section"])
            assert m["part_doc_no"] == part.get("doc_no", "")


@pytest.mark.slow
def test_forwarded_notice_chunks_are_indexed_as_national(built_index):
    from index.snapshot import Snapshot

    snap = Snapshot.load(built_index.index.index_dir)
    metas = [snap.chunks[c]["meta"] for c in snap.files[FUJIAN_2022].chunk_ids]
    forwarded = [m for m in metas if m["section"].startswith("附件1 ")]
    own = [m for m in metas if not m["section"].startswith("附件1 ")]
    assert forwarded and own
    for m in forwarded:
        assert (m["part_doc_no"], m["level"], m["region"], m["year"]) == ("国市监质发〔2022〕76号", "national", "全国", 2022)
        assert m["doc_no"] == "闽质强省办〔2022〕4号"  # the file's own 文号 is kept alongside
    for m in own:
        assert (m["part_doc_no"], m["level"], m["region"]) == ("", "provincial", "福建省")
