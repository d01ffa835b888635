"""The committed state of the index: which files are in it and their chunks.

One JSON file, replaced atomically (write to a temp file, fsync, os.replace).
It is the commit point of an ingest: vectors are written to Chroma first under
fresh ids, then the snapshot is swapped, then vectors no snapshot names are
deleted. A reader, or an ingest killed at any moment, therefore sees either the
old or the new snapshot whole, and Chroma never lacks a vector the snapshot names.
"""
from __future__ import annotations

import json
import os
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

FORMAT = 1
_COMMIT = re.compile(r'"commit": "([0-9a-f]*)"')


@dataclass
class FileEntry:
    sha256: str
    meta: dict  # NoticeMeta as dict (+ overrides)
    chunk_ids: list[str]
    clean_text: str = ""  # the cleaned notice, for "open the whole notice"
    overrides: dict = field(default_factory=dict)  # catalogue overrides applied to `meta`
    facts: dict = field(default_factory=dict)  # index.facts.facts_to_json of the file's notices


@dataclass
class Snapshot:
    files: dict[str, FileEntry] = field(default_factory=dict)  # corpus-relative name → entry
    chunks: dict[str, dict] = field(default_factory=dict)  # chunk id → {text, meta, tokens}
    settings_key: str = ""  # embedding model + chunking settings the vectors were built with
    # A fresh random id per save: what every cache of the read side is keyed by, whichever process
    # (app, CLI, another host) committed; "" for a snapshot never saved.
    commit: str = ""

    @staticmethod
    def path(index_dir: Path) -> Path:
        return index_dir / "snapshot.json"

    @classmethod
    def load(cls, index_dir: Path) -> "Snapshot":
        path = cls.path(index_dir)
        if not path.exists():
            return cls()
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("format") != FORMAT:
            return cls()
        files = {name: FileEntry(**entry) for name, entry in raw["files"].items()}
        return cls(files=files, chunks=raw["chunks"], settings_key=raw.get("settings_key", ""),
                   commit=raw.get("commit", ""))

    @classmethod
    def read_commit(cls, index_dir: Path) -> str:
        """The committed snapshot's id without parsing the whole file (it is written first)."""
        try:
            with open(cls.path(index_dir), encoding="utf-8") as f:
                head = f.read(200)
        except FileNotFoundError:
            return ""
        m = _COMMIT.search(head)
        return m.group(1) if m else ""

    def save(self, index_dir: Path) -> None:
        index_dir.mkdir(parents=True, exist_ok=True)
        path = self.path(index_dir)
        tmp = path.with_suffix(".json.tmp")
        commit = uuid.uuid4().hex
        data = {"format": FORMAT, "commit": commit, "settings_key": self.settings_key,
                "files": {n: e.__dict__ for n, e in self.files.items()}, "chunks": self.chunks}
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        self.commit = commit
        dir_fd = os.open(index_dir, os.O_RDONLY)
        try:
            os.fsync(dir_fd)  # make the rename itself durable
        finally:
            os.close(dir_fd)
