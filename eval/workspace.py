"""A throwaway copy of the corpus with extra documents added, for `python -m eval run --add …`.

Outside documents (eval/outside/docs/) must never enter corpus/: the run copies corpus/, adds
them the way `python -m assistant add` does (same name checks and refusals), and indexes the
copy into its own data dir. The embedding model (models_dir) is shared, not rebuilt.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

from index.intake import IntakeError, add_to_corpus
from index.settings import Settings


def expand(paths: list[str]) -> list[Path]:
    """Files named, and the files inside folders named (not recursing into sub-folders)."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            out.extend(sorted(f for f in p.iterdir() if f.is_file() and not f.name.startswith(".")))
        elif p.is_file():
            out.append(p)
        else:
            raise ValueError(f"--add: no such file or folder: {raw}")
    return out


def with_added(settings: Settings, paths: list[str], where: Path) -> Settings:
    """Settings for a copy of the corpus in `where`/corpus with `paths` added, indexed in `where`/data."""
    corpus = where / "corpus"
    for old in (corpus, where / "data"):  # throwaway: an index left by an earlier run would see the
        if old.exists():                 # added files as duplicates of themselves
            shutil.rmtree(old)
    shutil.copytree(settings.index.corpus_dir, corpus, ignore=shutil.ignore_patterns("_catalogue.csv", ".*"))
    copy = settings.with_(corpus_dir=corpus, data_dir=where / "data")
    for path in expand(paths):
        try:
            stored = add_to_corpus(path.read_bytes(), path.name, copy)
        except IntakeError as exc:
            print(f"--add: {path.name} refused: {exc.reason}", file=sys.stderr)
            continue
        if stored.name != path.name:
            print(f"--add: {path.name} stored as {stored.name}", file=sys.stderr)
    return copy
