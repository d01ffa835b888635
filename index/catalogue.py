"""The corpus catalogue: one row per notice, generated at each ingest, with a human override file.

`corpus/_catalogue.csv` is rewritten from what was extracted; a person who
knows better writes the same columns into `corpus/_catalogue_overrides.csv`
(only non-empty cells count) and the next ingest applies them. `trust` is "official" or
"user" (index/trust.py).
"""
from __future__ import annotations

import csv
import io
import os
from pathlib import Path

COLUMNS = ["file", "title", "issuer", "doc_no", "date", "year", "year_source", "kind", "level", "region",
           "parent_region", "trust"]
GENERATED = "_catalogue.csv"
OVERRIDES = "_catalogue_overrides.csv"
RESERVED = {GENERATED.lower(), OVERRIDES.lower()}  # the only names in corpus/ that are not notices


def read_overrides(corpus_dir: Path) -> dict[str, dict]:
    path = corpus_dir / OVERRIDES
    if not path.exists():
        return {}
    rows = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")))
    out = {}
    for row in rows:
        name = (row.get("file") or "").strip()
        values = {k: v.strip() for k, v in row.items() if k in COLUMNS and k != "file" and v and v.strip()}
        if name and values:
            if "year" in values:
                values["year"] = int(values["year"]) if values["year"].isdigit() else None
            out[name] = values
    return out


def apply_overrides(name: str, meta: dict, overrides: dict[str, dict]) -> dict:
    return {**meta, **overrides.get(name, {})}


def write_catalogue(corpus_dir: Path, metas: dict[str, dict]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for name in sorted(metas):
        writer.writerow({"file": name, **{k: ("" if v is None else v) for k, v in metas[name].items()}})
    tmp = corpus_dir / f".{GENERATED}.tmp"  # hidden: never mistaken for a notice
    tmp.write_text(buf.getvalue(), encoding="utf-8-sig")  # BOM: Excel opens it as UTF-8
    os.replace(tmp, corpus_dir / GENERATED)
