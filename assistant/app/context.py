"""What every tab shares: the settings, the assistant and fresh reads of the index.

Nothing here caches the catalogue: every call reads the reader's current snapshot, so a page load
or a handler after an upload in another session sees the documents as they are now.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from index.settings import Settings

BEIJING = ZoneInfo("Asia/Shanghai")
LEVEL_CHOICES = [("全部层级", ""), ("全国", "national"), ("省级", "provincial"), ("市级", "municipal"),
                 ("县级", "county")]


def beijing_now() -> dt.datetime:
    return dt.datetime.now(BEIJING)


def beijing(ts: float | dt.datetime) -> dt.datetime:
    """A Unix time or an aware datetime, in Beijing time."""
    if isinstance(ts, dt.datetime):
        return ts.astimezone(BEIJING)
    return dt.datetime.fromtimestamp(ts, BEIJING)


@dataclass
class AppContext:
    settings: Settings
    assistant: object  # assistant.pipeline.Assistant

    def files(self) -> dict:
        """corpus-relative name → snapshot FileEntry, as committed right now."""
        return self.assistant.reader.view().snapshot.files

    def chunks(self) -> dict:
        return self.assistant.reader.view().snapshot.chunks

    def filter_choices(self) -> tuple[list, list]:
        metas = [e.meta for e in self.files().values()]
        years = sorted({int(m["year"]) for m in metas if m.get("year")}, reverse=True)
        regions = sorted({m["region"] for m in metas if m.get("region")})
        return ([("全部年份", "")] + [(f"{y}年", str(y)) for y in years],
                [("全部地区", "")] + [(r, r) for r in regions])

    def notice_choices(self, first: list[str] = ()) -> list[tuple[str, str]]:
        from assistant.app.views import notice_label

        fs = self.files()
        order = [s for s in dict.fromkeys(first) if s in fs] + sorted(
            (s for s in fs if s not in first), key=lambda s: (-(fs[s].meta.get("year") or 0), s))
        return [(notice_label(fs[s].meta, s), s) for s in order]

    @property
    def drafts_dir(self) -> Path:
        return drafts_dir(self.settings)


def drafts_dir(settings: Settings) -> Path:
    return Path(settings.index.data_dir) / "drafts"
