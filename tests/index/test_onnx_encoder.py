"""The onnx backend (the default) gives the vectors sentence-transformers gives, so an index built
by either backend serves questions embedded by the other."""
from __future__ import annotations

import numpy as np
import pytest

from index.components import onnx_encoder
from index.settings import Settings

pytestmark = pytest.mark.slow

TEXTS = [
    "今年质量月活动的主题是什么？",
    "质量月",
    "一、活动主题\n加强全面质量管理 促进质量强国建设。" * 40,  # past 512 tokens: truncated alike
    "9\t“铁拳”出击，助力产品质量安全\t通过在商超LED屏宣传，加大宣传力度。\t9月\t执法大队",
    "Quality Month is held every September in China.",
]


@pytest.fixture(scope="module")
def torch_embeddings():
    from index.components.st_embeddings import SentenceTransformerEmbeddings

    return SentenceTransformerEmbeddings(Settings(embed_backend="torch"))


def _cos_rows(a, b) -> np.ndarray:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def test_default_backend_is_onnx(embeddings):
    assert embeddings.settings.embedding.embed_backend == "onnx"
    assert onnx_encoder.is_exported(onnx_encoder.onnx_folder(embeddings.settings.index.models_dir, embeddings.name))


def test_passages_match_torch_in_order(embeddings, torch_embeddings, monkeypatch):
    # batches of 2 over texts of very different lengths: sorting by length must not reorder the output
    monkeypatch.setattr(embeddings.settings.embedding, "embed_batch_size", 2)
    ours = embeddings.embed_documents(TEXTS)
    ref = torch_embeddings.embed_documents(TEXTS)
    assert _cos_rows(ours, ref).min() >= 0.9999
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)


def test_queries_match_torch(embeddings, torch_embeddings):
    ours = [embeddings.embed_query(t) for t in TEXTS]
    ref = [torch_embeddings.embed_query(t) for t in TEXTS]
    assert _cos_rows(ours, ref).min() >= 0.9999
    # and a question is not embedded as a passage (the prompts reach the onnx path)
    assert _cos_rows(ours[:1], embeddings.embed_documents(TEXTS[:1]))[0] < 0.999


def test_unsupported_model_falls_back_to_torch(torch_embeddings, tmp_path):
    """A model with a layer the exporter does not know (here a Dense head) is refused before any
    file is written, and the embeddings run it with torch instead of failing."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.models import Dense

    from index.components.st_embeddings import SentenceTransformerEmbeddings

    st = torch_embeddings.model
    with_dense = SentenceTransformer(modules=[st[0], st[1], Dense(384, 64)], device="cpu")
    with pytest.raises(onnx_encoder.UnsupportedModel, match="Dense"):
        onnx_encoder.export(with_dense, tmp_path / "refused", source="with-dense")
    assert not list(tmp_path.iterdir())

    with_dense.save(str(tmp_path / "with-dense"))
    settings = Settings(embed_model=str(tmp_path / "with-dense"), models_dir=tmp_path / "models")
    vector = SentenceTransformerEmbeddings(settings).embed_query(TEXTS[0])
    expected = with_dense.encode([settings.embedding.embed_query_prompt + TEXTS[0]], normalize_embeddings=True)
    assert len(vector) == 64 and _cos_rows([vector], expected)[0] >= 0.9999
    assert not list((tmp_path / "models").rglob("*.onnx"))


def test_export_that_disagrees_with_its_model_is_discarded(embeddings, torch_embeddings, tmp_path):
    """The check that keeps an export only if it reproduces the model: run on the real exported
    graph against the same model with perturbed weights, it must refuse and remove the folder."""
    import copy

    import torch

    exported = onnx_encoder.onnx_folder(embeddings.settings.index.models_dir, embeddings.name)
    folder = tmp_path / "candidate"
    folder.mkdir()
    for name in (onnx_encoder.MODEL, onnx_encoder.TOKENIZER, onnx_encoder.CONFIG):
        (folder / name).symlink_to(exported / name)

    onnx_encoder.check_export(torch_embeddings.model, folder)  # the true model: kept
    assert onnx_encoder.is_exported(folder)

    other = copy.deepcopy(torch_embeddings.model)
    torch.manual_seed(0)
    with torch.no_grad():
        for p in other[0].auto_model.encoder.parameters():
            p.add_(torch.randn_like(p) * 0.05)
    with pytest.raises(onnx_encoder.UnsupportedModel, match="disagrees"):
        onnx_encoder.check_export(other, folder)
    assert not folder.exists() and onnx_encoder.is_exported(exported)
