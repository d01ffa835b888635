"""The embedding model run by ONNX Runtime (the only module importing onnxruntime or torch.onnx).

Why: on 2 CPU cores torch eager spends ~45 ms embedding one short question, most of a search's
time; the same fp32 graph under ONNX Runtime takes ~12 ms (vectors equal to cos 1.0000) and
batches of passages are faster too. The graph is exported once from the loaded
sentence-transformers model into a folder under `models_dir`; after that a process needs
only onnxruntime, tokenizers and numpy to embed — no torch model in memory. (sentence-transformers'
own backend="onnx" would need optimum-onnx, whose one release requires transformers < 4.58.)

Supported: a Transformer followed by mean or CLS pooling (and optionally Normalize) — e5, bge,
most sentence embedders. Any other layout, or an export that does not reproduce the model, raises
UnsupportedModel and leaves no files; the caller then runs that model with torch.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import warnings
from pathlib import Path

import numpy as np

MODEL, TOKENIZER, CONFIG = "model.onnx", "tokenizer.json", "encoder.json"
# ONNX Runtime's Linux build carries Microsoft's 1DS telemetry: unless this is set before the
# library is imported it writes a device id under ~/.cache/Microsoft and a .ses file in TMPDIR.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")


class UnsupportedModel(ValueError):
    pass


def onnx_folder(models_dir: Path, model_name: str) -> Path:
    """Keyed by the model's name: after replacing a model's files under the same name, delete it."""
    return models_dir / "onnx" / (re.sub(r"[^\w.-]+", "_", model_name).strip("_")[-100:] or "model")


def export(st_model, out: Path, source: str) -> Path:
    """Write model.onnx, a padding/truncating tokenizer.json and encoder.json into `out` (atomically)."""
    modules = [type(m).__name__ for m in st_model]
    if modules[:2] != ["Transformer", "Pooling"] or any(m != "Normalize" for m in modules[2:]):
        raise UnsupportedModel(f"{source}: modules {modules} cannot run on onnx")
    pooling = st_model[1].get_config_dict()
    if pooling.get("pooling_mode") not in ("mean", "cls") or not pooling.get("include_prompt", True):
        raise UnsupportedModel(f"{source}: pooling {pooling} cannot run on onnx")

    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        _write_export(st_model, tmp, source, pooling["pooling_mode"])
        check_export(st_model, tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)  # a failed export leaves no half-written 470 MB behind
        raise
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return out


def _write_export(st_model, folder: Path, source: str, pooling: str) -> None:
    import torch
    from tokenizers import Tokenizer

    hf_tok = st_model.tokenizer
    tokenizer = Tokenizer.from_str(hf_tok.backend_tokenizer.to_str())  # a copy: the model's stays as it was
    tokenizer.enable_truncation(max_length=st_model.max_seq_length)
    tokenizer.enable_padding(pad_id=hf_tok.pad_token_id, pad_token=hf_tok.pad_token)
    tokenizer.save(str(folder / TOKENIZER))
    (folder / CONFIG).write_text(json.dumps({
        "source": source, "pooling": pooling,
        "lower_case": bool(getattr(st_model[0], "do_lower_case", False)),
        "dimension": st_model.get_embedding_dimension(),
    }, ensure_ascii=False, indent=1), encoding="utf-8")

    class Encoder(torch.nn.Module):  # keyword call: positional order differs between transformers versions
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask):
            return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    sample = hf_tok(["query: 质量月"], return_tensors="pt")
    axes = {0: "batch", 1: "tokens"}
    with warnings.catch_warnings(), torch.no_grad():
        # The TorchScript exporter of the pinned torch needs only the `onnx` package
        # (the newer dynamo exporter would add onnxscript and onnx-ir).
        warnings.simplefilter("ignore")
        torch.onnx.export(Encoder(st_model[0].auto_model.eval()), (sample["input_ids"], sample["attention_mask"]),
                          str(folder / MODEL), input_names=["input_ids", "attention_mask"],
                          output_names=["hidden"], opset_version=17, dynamo=False,
                          dynamic_axes={"input_ids": axes, "attention_mask": axes, "hidden": axes})


def check_export(st_model, folder: Path) -> None:
    """A traced graph can bake in shapes or branches of the sample: before the export is kept, a
    padded batch of a short and a long text must come out as sentence-transformers encodes it."""
    texts = ["query: 今年的活动安排有哪些？", "passage: " + "春风又绿江南岸，明月何时照我还。" * 12]
    got = OnnxEncoder(folder).encode(texts, batch_size=len(texts))
    want = st_model.encode(texts, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
    cos = float((got * want).sum(axis=1).min())
    if cos < 0.999:
        shutil.rmtree(folder, ignore_errors=True)
        raise UnsupportedModel(f"exported graph disagrees with the model (cos {cos:.4f}), not used")


def is_exported(folder: Path) -> bool:
    return all((folder / name).exists() for name in (MODEL, TOKENIZER, CONFIG))


class OnnxEncoder:
    """Texts in, L2-normalised float32 vectors out (what sentence-transformers' encode returns)."""

    def __init__(self, folder: Path, threads: int = 0):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        ort.disable_telemetry_events()  # in case another library imported onnxruntime first
        self.config = json.loads((folder / CONFIG).read_text(encoding="utf-8"))
        self.tokenizer = Tokenizer.from_file(str(folder / TOKENIZER))
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads  # 0 = one per physical core
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(folder / MODEL), options, providers=["CPUExecutionProvider"])

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        if self.config["lower_case"]:
            texts = [t.lower() for t in texts]
        # longest first, as sentence-transformers does: batches of like lengths carry little padding
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.zeros((len(texts), self.config["dimension"]), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            idx = order[start:start + batch_size]
            out[idx] = self._encode_batch([texts[i] for i in idx])
        return out

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        if self.config["pooling"] == "cls":
            vectors = hidden[:, 0]
        else:
            weights = mask[..., None].astype(np.float32)
            vectors = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
