"""Notice facts beside the chunks: written into each file's snapshot entry at ingest, read back here.

Facts are computed with the chunks of a file whose content changed (`notice_facts_json`) and are
committed with the snapshot, so they are never out of step with the passages they point into. An
entry written before facts existed, or by an older extraction version, is read by extracting again
from the entry's stored cleaned text and metadata (pure and fast, no model), never by re-ingesting.
"""
from __future__ import annotations

from index.fact_readers import extract_facts
from index.facts import NoticeFacts, facts_from_json, facts_to_json
from index.settings import Settings
from index.snapshot import FileEntry, Snapshot


def notice_facts_json(source: str, clean: str, meta: dict) -> dict:
    return facts_to_json(extract_facts(source, clean, meta))


class FactStore:
    """The facts of one committed snapshot."""

    def __init__(self, snapshot: Snapshot):
        self.snapshot = snapshot
        self._cache: dict[str, list[NoticeFacts]] = {}

    @classmethod
    def load(cls, settings: Settings) -> "FactStore":
        return cls(Snapshot.load(settings.index.index_dir))

    def facts_of(self, source: str) -> list[NoticeFacts]:
        """The notices of one corpus file (its own first, then forwarded ones); [] if not indexed."""
        if source not in self._cache:
            entry = self.snapshot.files.get(source)
            self._cache[source] = _read(source, entry) if entry else []
        return self._cache[source]

    def all_facts(self) -> list[NoticeFacts]:
        return [nf for source in sorted(self.snapshot.files) for nf in self.facts_of(source)]


def _read(source: str, entry: FileEntry) -> list[NoticeFacts]:
    stored = facts_from_json(entry.facts)
    return stored if stored is not None else extract_facts(source, entry.clean_text, entry.meta)


def facts_of(snapshot: Snapshot, source: str) -> list[NoticeFacts]:
    return FactStore(snapshot).facts_of(source)


def all_facts(snapshot: Snapshot) -> list[NoticeFacts]:
    return FactStore(snapshot).all_facts()
