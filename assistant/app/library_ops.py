"""What the 知识库 tab does to the corpus, without gradio: metadata overrides, delete, replace,
upload and re-index. Each change goes through the normal path (corpus/ files and
corpus/_catalogue_overrides.csv, then index.ingest.ingest), so the CLI and the app agree."""
from __future__ import annotations

import csv
import io
import os
import shutil
from pathlib import Path

from dataclasses import dataclass

from assistant.app.context import AppContext, beijing
from assistant.app.library_views import doc_row, intake_reason
from index import ingest as ingest_mod
from index.catalogue import COLUMNS, OVERRIDES
from index.ingest import IngestReport, ingest
from index.intake import IntakeError, NearDuplicateError, add_to_corpus
from index.near_duplicate import NearDuplicate

EDITABLE = ("title", "doc_no", "year", "level", "region", "trust")


@dataclass
class HeldBack:
    """An upload not imported because it nearly equals an indexed notice; kept until the user decides."""
    name: str
    data: bytes
    match: NearDuplicate


def document_rows(ctx: AppContext) -> list[list[str]]:
    """Every indexed document as a table row, newest year first (read fresh each call)."""
    files = ctx.files()
    rows = []
    for name, entry in sorted(files.items(), key=lambda kv: (-(kv[1].meta.get("year") or 0), kv[0])):
        path = ctx.settings.index.corpus_dir / name
        added = f"{beijing(path.stat().st_mtime):%Y-%m-%d}" if path.exists() else ""
        rows.append(doc_row(name, entry, added))
    return rows


def reindex(ctx: AppContext) -> IngestReport:
    reader = ctx.assistant.reader
    return ingest(ctx.settings, show_progress=False, embeddings=reader.embeddings, store=reader.store)


def reindex_documents(ctx: AppContext, names: list[str]) -> tuple[str, IngestReport | None]:
    """Rebuild these documents from their files (metadata, passages, facts, vectors) now."""
    store = ctx.assistant.reader.store
    found = ingest_mod.reindex(ctx.settings, names, store=store)
    if not found:
        return "这份文档已不在知识库中，请刷新页面。", None
    report = reindex(ctx)
    if any(n in report.failed for n in found):
        return "重新编入索引失败，原有段落保持不变。", report
    return "已重新读取并编入索引。", report


def _corpus_path(ctx: AppContext, name: str) -> Path:
    corpus = ctx.settings.index.corpus_dir.resolve()
    path = (corpus / name).resolve()
    if corpus not in path.parents or not path.is_file():
        raise FileNotFoundError(name)
    return path


def write_override(corpus_dir: Path, name: str, values: dict) -> None:
    """Set (non-empty) or clear (empty) the override cells of one file; other rows are kept."""
    path = corpus_dir / OVERRIDES
    rows = []
    if path.exists():
        rows = [r for r in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")))
                if (r.get("file") or "").strip() != name]
    row = {"file": name, **{k: str(v).strip() for k, v in values.items() if k in COLUMNS and v not in (None, "")}}
    if len(row) > 1:
        rows.append(row)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: r.get(k) or "" for k in COLUMNS})
    tmp = path.with_suffix(".csv.tmp")
    tmp.write_text(buf.getvalue(), encoding="utf-8-sig")
    os.replace(tmp, path)


def save_metadata(ctx: AppContext, name: str, values: dict) -> str:
    """Write what the editor differs from the extracted metadata as overrides, then re-index."""
    entry = ctx.files().get(name)
    if entry is None:
        return "请先选择一份文档。"
    year = str(values.get("year") or "").strip()
    if year and not (year.isdigit() and 2000 <= int(year) <= 2100):
        return "年份应为四位数字，例如 2025。"
    extracted = {k: v for k, v in entry.meta.items() if k not in entry.overrides}
    changed = {k: v for k, v in values.items() if k in EDITABLE and str(v or "") != str(extracted.get(k) or "")}
    write_override(ctx.settings.index.corpus_dir, name, {**entry.overrides, **changed})
    report = reindex(ctx)
    return "已保存并重新编入索引。" if name not in report.failed else "已保存，但重新编入索引失败。"


def delete_document(ctx: AppContext, name: str) -> str:
    try:
        _corpus_path(ctx, name).unlink()
    except FileNotFoundError:
        return "这份文档已不在知识库中。"
    write_override(ctx.settings.index.corpus_dir, name, {})
    report = reindex(ctx)
    return f"已删除 {name}，知识库现有 {len(ctx.files())} 份文档（{report.chunks} 个段落）。"


def replace_document(ctx: AppContext, name: str, upload: str) -> str:
    """The uploaded file becomes the new version of `name` (same name when the type is the same)."""
    try:
        old = _corpus_path(ctx, name)
    except FileNotFoundError:
        return "这份文档已不在知识库中。"
    data = Path(upload).read_bytes()
    # the old version waits outside corpus/ (every file in corpus/ is indexed) until the new one is in
    backup = ctx.settings.index.data_dir / "replaced" / old.name
    backup.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(old, backup)
    filename = Path(upload).suffix and old.stem + Path(upload).suffix.lower()
    try:
        try:
            new = add_to_corpus(data, filename, ctx.settings)
        except NearDuplicateError as err:
            if err.match.existing != name:  # a near-copy of another notice: say so, change nothing
                raise
            new = add_to_corpus(data, filename, ctx.settings, force=True)  # a new version is meant to be near
    except NearDuplicateError as err:
        shutil.move(backup, old)
        return f"未替换：{err.match.message()}。"
    except IntakeError as err:
        shutil.move(backup, old)
        return f"未替换：{intake_reason(err.reason, ctx.settings.security.max_upload_mb, ctx.settings.security.allowed_exts)}"
    new_name = new.relative_to(ctx.settings.index.corpus_dir.resolve()).as_posix()
    report = reindex(ctx)
    if new_name in report.failed:  # never leave a version the index refuses: put the old one back
        new.unlink(missing_ok=True)
        shutil.move(backup, old)
        reindex(ctx)
        return f"未替换：{intake_reason(report.failed[new_name], 0, ())}"
    backup.unlink(missing_ok=True)
    return f"已替换为新版本（{new_name}）并重新编入索引。"


def read_uploads(paths: list[str]) -> tuple[list[tuple[str, bytes]], list]:
    """Upload paths → ([(file name, bytes)], lines for the files that could not be read)."""
    items, lines = [], []
    for p in paths:
        try:
            items.append((Path(p).name, Path(p).read_bytes()))
        except OSError:
            lines.append((Path(p).name, False, "无法读取上传的文件，请重新选择"))
    return items, lines


def import_uploads(ctx: AppContext, items: list[tuple[str, bytes]], progress=None, force: bool = False
                   ) -> tuple[list, IngestReport | None, list[HeldBack]]:
    """Uploads (name, bytes) → (lines of (file name, ok, Chinese message), the ingest report or None,
    the near-duplicates held back). `force` imports near-duplicates too (the user said 仍然导入)."""
    s = ctx.settings
    lines, added, held = [], {}, []
    for i, (name, data) in enumerate(items):
        if progress:
            progress((i, len(items)), desc="正在检查并保存文件", unit="份")
        try:
            dest = add_to_corpus(data, name, s, force=force)
            added[dest.relative_to(s.index.corpus_dir.resolve()).as_posix()] = name
        except NearDuplicateError as err:
            held.append(HeldBack(name, data, err.match))
        except IntakeError as err:
            lines.append((name, False, intake_reason(err.reason, s.security.max_upload_mb, s.security.allowed_exts)))
    if not added:
        return lines, None, held
    if progress:
        progress(0.5, desc="正在更新索引（向量化需要一些时间）")
    report = reindex(ctx)
    for stored, name in added.items():
        if stored in report.failed:  # never leave a file in the corpus that the index refuses
            (s.index.corpus_dir / stored).unlink(missing_ok=True)
            lines.append((name, False, f"未能编入索引，已撤回：{intake_reason(report.failed.pop(stored), 0, ())}"))
        else:
            lines.append((name, True, f"已导入（保存为 {stored}）"))
    return lines, report, held


def document_chunks(ctx: AppContext, name: str) -> list[dict]:
    entry = ctx.files().get(name)
    if entry is None:
        return []
    chunks = ctx.chunks()
    return [chunks[i] for i in entry.chunk_ids if i in chunks]
