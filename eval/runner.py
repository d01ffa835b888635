"""Run an evaluation set through a pipeline and write answers, drafts, metrics and a report.

    run(settings, questions_path, out_dir, drafting_path=None, pipeline="ours")
        -> DIR/answers.jsonl, DIR/drafts.jsonl, DIR/metrics.json, DIR/report.md (+ PNGs)
    compare(settings, questions_path, out_dir) -> DIR/ours/…, DIR/baseline/…, DIR/compare.md

Questions are validated (eval.schema) before any model is loaded. The date is
fixed to 2025-09-01 (see eval/README.md). Retrieval ranks are taken to depth
10 even when the answerer sees only settings.retrieval.top_k chunks.
"""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

from eval import metrics as M
from eval.pairs import cited_pairs
from eval.schema import load_drafting, load_questions
from index.settings import Settings

EVAL_TODAY = dt.date(2025, 9, 1)
DEPTH = 10
WARM_UP = "2025年全国质量月的活动主题是什么？"
CTX_FIELDS = ("source", "title", "doc_no", "section", "text", "score")
CIT_FIELDS = ("n", "source", "title", "doc_no", "section", "text")


def make_settings(data_dir=None, corpus_dir=None, answerer=None, today=EVAL_TODAY) -> Settings:
    kw = {"today": today}
    if data_dir:
        kw["data_dir"] = Path(data_dir)
    if corpus_dir:
        kw["corpus_dir"] = Path(corpus_dir)
    if answerer:
        kw["answerer"] = answerer
    return Settings(**kw)


class OursPipeline:
    name = "ours"

    def __init__(self, assistant):
        self.assistant = assistant

    def run(self, question: str, history: list[str]):
        result = self.assistant.ask(question, history=history)
        query = (result.rewritten_question or "")[: self.assistant.settings.answer.max_question_chars]
        if not query:
            return result, [c.text for c in result.contexts]
        ranked = self.assistant.retriever.invoke(query, k=max(DEPTH, self.assistant.settings.retrieval.top_k))
        return result, [d.page_content for d in ranked]

    def chunk_texts(self) -> list[str]:
        return [c["text"] for c in self.assistant.reader.view().snapshot.chunks.values()]


# ---------------------------------------------------------------- per question

def code_version() -> str:
    """The git commit the run starts from ("+changes" when the tree is not clean), or ""."""
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True,
                              text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
    return head + ("+changes" if head and dirty else "")


def _diagnose(q, rec: dict) -> str:
    if rec["correct"]:
        return ""
    if rec.get("error"):
        return f"error: {rec['error']}"
    if not q.answerable:
        return "answered an unanswerable question"
    rank = rec["gold_rank"]
    if rank:
        where = f"gold at rank {rank}"
    elif rec.get("gold_in_index") is False:
        where = "no indexed chunk contains a gold quote (cleaning/chunking)"
    else:
        where = "retrieval miss: no gold quote in top 10"
    if not rec["answerable"]:
        return f"wrong refusal ({where})"
    bad = [s for s in q.must_not_include if M.contains(rec["answer"], s)]
    if bad:
        return f"wrong content: contains {bad[0]!r} ({where})"
    missing = [s for s in q.must_include if not M.contains(rec["answer"], s)]
    return f"{'answer extraction' if rank else 'not retrieved'}: missing {missing[0]!r} ({where})"


def diagnose(q, rec: dict) -> str:
    why = _diagnose(q, rec)
    if why and q.history and rec.get("rewritten_question") == q.question:
        why = "follow-up searched as asked (not rewritten); " + why
    return why


def gold_quotes(q) -> list[str]:
    """Gold quotes as written in the raw file, and as they read after the same cleaning the notice went
    through (markdown ** and # dropped, "2025 年" spacing normalised): a chunk holding either is a hit."""
    from index.clean import clean_text

    cleaned = [clean_text(x).strip() for x in q.quotes]
    return list(dict.fromkeys(q.quotes + [c for c in cleaned if c]))


def answer_record(q, result, ranked: list[str], error: str = "", index_texts: list[str] | None = None) -> dict:
    d = result.to_dict() if result is not None else {}
    citations = [{k: c.get(k) for k in CIT_FIELDS} for c in d.get("citations", [])]
    rec = {
        "id": q.id, "question": q.question, "type": q.type, "history": q.history,
        "answer": d.get("answer", ""), "answerable": bool(d.get("answerable", False)),
        "citations": citations,
        "contexts": [{k: c.get(k) for k in CTX_FIELDS} for c in d.get("contexts", [])],
        "answerer": d.get("answerer", ""), "latency_ms": d.get("latency_ms"),
        "rewritten_question": d.get("rewritten_question", ""), "flags": d.get("flags", []),
        "plan": d.get("plan"),
    }
    quotes = gold_quotes(q)
    rec["gold_rank"] = M.retrieval_ranks(ranked, quotes) if q.answerable else None
    if q.answerable and index_texts is not None:  # can any chunk of this index be a hit at all?
        rec["gold_in_index"] = any(M.normalize(x) in t for x in quotes for t in index_texts)
    rec["correct"] = not error and M.answer_correct(rec["answer"], rec["answerable"], q)
    # did the answer use the gold passage? (a cited passage holds a gold quote)
    rec["gold_cited"] = q.answerable and any(M.normalize(x) in M.normalize(c.get("text") or "")
                                              for x in quotes for c in citations)
    rec["category"] = q.extra.get("category") or q.extra.get("doc_kind") or ""
    rec["citation_checks"] = [{k: p[k] for k in ("n", "sentence", "supported")}
                              for p in cited_pairs(rec["answer"], citations)]
    if error:
        rec["error"] = error
    rec["diagnosis"] = diagnose(q, rec)
    return rec


def ask_all(pipeline, questions, log=sys.stderr) -> list[dict]:
    try:
        pipeline.run(WARM_UP, [])  # load models, caches: not timed
    except Exception as exc:  # noqa: BLE001 - the real questions will report it
        print(f"warm-up failed: {exc}", file=log)
    index_texts = [M.normalize(t) for t in pipeline.chunk_texts()]
    records = []
    for i, q in enumerate(questions, 1):
        try:
            result, ranked = pipeline.run(q.question, list(q.history))
            records.append(answer_record(q, result, ranked, index_texts=index_texts))
        except Exception as exc:  # noqa: BLE001 - one broken question must not stop the run
            records.append(answer_record(q, None, [], error=f"{type(exc).__name__}: {exc}"))
        if i % 10 == 0 or i == len(questions):
            print(f"[{pipeline.name}] {i}/{len(questions)}", file=log, flush=True)
    return records


# ---------------------------------------------------------------- metrics

def _acc(recs: list[dict]) -> float | None:
    return sum(r["correct"] for r in recs) / len(recs) if recs else None


def _answerer_given_retrieval(ans: list[dict]) -> dict:
    """Answerable questions split by retrieval: the answerer's own share of the errors."""
    top5 = [r for r in ans if r["gold_rank"] and r["gold_rank"] <= 5]
    return {"gold_in_top5": len(top5), "correct_given_top5": _acc(top5),
            "refused_given_top5": sum(not r["answerable"] for r in top5) / len(top5) if top5 else None,
            "gold_cited_given_top5": sum(bool(r.get("gold_cited")) for r in top5) / len(top5) if top5 else None,
            "retrieved_not_answered": sum(not r["correct"] for r in top5),
            "not_retrieved": sum(not (r["gold_rank"] and r["gold_rank"] <= 5) for r in ans)}


def _by_category(records: list[dict], qs: dict) -> dict:
    """Accuracy per the question set's own category field (e.g. comparison, year_spanning), if any."""
    out: dict[str, dict] = {}
    for cat in dict.fromkeys(r.get("category", "") for r in records):
        if cat:
            rs = [r for r in records if r.get("category") == cat]
            out[cat] = {"n": len(rs), "accuracy": _acc(rs)}
    return out


def summarize(records: list[dict], questions) -> dict:
    qs = {q.id: q for q in questions}
    ans = [r for r in records if qs[r["id"]].answerable]
    una = [r for r in records if not qs[r["id"]].answerable]
    ranks = [r["gold_rank"] for r in ans]
    n_pairs = sum(len(r["citation_checks"]) for r in records)
    n_ok = sum(c["supported"] for r in records for c in r["citation_checks"])
    by_type = {}
    for t in dict.fromkeys(q.type for q in questions):
        rs = [r for r in records if r["type"] == t]
        single = [r for r in rs if not r["history"]]
        fu = [r for r in rs if r["history"]]
        tr = [r["gold_rank"] for r in rs if qs[r["id"]].answerable]
        by_type[t] = {"n": len(rs), "n_single": len(single), "n_followup": len(fu), "accuracy": _acc(rs),
                      "accuracy_single": _acc(single), "accuracy_followup": _acc(fu),
                      "hit@5": M.hit_at(tr, 5) if tr else None,
                      "refusal_rate": sum(not r["answerable"] for r in rs) / len(rs)}
    lat = [r["latency_ms"] for r in records if r.get("latency_ms") is not None and not r.get("error")]
    return {
        "n_questions": len(records), "n_answerable": len(ans), "n_unanswerable": len(una),
        "n_single": sum(not r["history"] for r in records), "n_followup": sum(bool(r["history"]) for r in records),
        "retrieval": {**{f"hit@{k}": M.hit_at(ranks, k) for k in (1, 3, 5, 10)}, "mrr": M.mrr(ranks),
                      "gold_not_in_index": sum(r.get("gold_in_index") is False for r in ans)},
        "accuracy": {"overall": _acc(records), "answerable": _acc(ans), "unanswerable": _acc(una),
                     "single": _acc([r for r in records if not r["history"]]),
                     "followup": _acc([r for r in records if r["history"]])},
        "refusal_rate": {"overall": sum(not r["answerable"] for r in records) / max(len(records), 1),
                         "answerable_refused": sum(not r["answerable"] for r in ans) / max(len(ans), 1),
                         "unanswerable_refused": sum(not r["answerable"] for r in una) / max(len(una), 1)},
        "citation": {"precision": n_ok / n_pairs if n_pairs else 0.0,
                     "recall": M.citation_recall(records, questions), "pairs": n_pairs, "supported_pairs": n_ok},
        "latency_ms": {**M.latency_percentiles(lat), "mean": sum(lat) / len(lat) if lat else 0.0,
                       "max": max(lat, default=0.0)},
        "by_type": by_type,
        "by_category": _by_category(records, qs),
        "answerer": _answerer_given_retrieval(ans),
        "errors": sum(bool(r.get("error")) for r in records),
    }


# ---------------------------------------------------------------- drafting

def _drafting_api():
    """(draft_plan, write_docx, fact_check) or the ImportError message."""
    try:
        from assistant.draft import draft_plan, write_docx
    except ImportError as exc:
        return None, str(exc)
    try:
        from assistant.draft import fact_check
    except ImportError:
        from assistant.drafting.factcheck import fact_check
    return (draft_plan, write_docx, fact_check), ""


def run_drafting(settings: Settings, assistant, tasks, out_dir: Path) -> list[dict]:
    api, why = _drafting_api()
    out = []
    for t in tasks:
        rec = {"id": t.id, "request": t.request, "draft_markdown": "", "citations": [], "flags": [],
               "docx": None, "rubric_results": [], "sources_used": [], "unsupported_facts": []}
        if api is None:
            rec["error"] = f"drafting not available ({why})"
            out.append(rec)
            continue
        draft_plan, write_docx, fact_check = api
        try:
            d = draft_plan(settings, assistant.reader, t.locality, t.year, level=t.level, template=t.template)
            rec["draft_markdown"], rec["flags"] = d.markdown, list(d.flags)
            rec["citations"] = [c if isinstance(c, dict) else c.__dict__ for c in d.citations]
            rec["sources_used"] = list(getattr(d, "sources_used", []) or [])
            docx = out_dir / "drafts" / f"{t.id}.docx"
            docx.parent.mkdir(parents=True, exist_ok=True)
            write_docx(d, docx)
            rec["docx"] = str(docx)
            cited = rec["sources_used"] + [c.get("source", "") for c in rec["citations"]]
            rec["rubric_results"] = M.grade_rubric(d.markdown, cited, t.rubric)
            # A fact is supported if it stands in a notice the draft draws on, a cited passage or the request.
            texts = [(settings.index.corpus_dir / s).read_text(encoding="utf-8", errors="replace")
                     for s in dict.fromkeys(cited) if s and (settings.index.corpus_dir / s).is_file()]
            texts += [c.get("text", "") for c in rec["citations"]] + [t.request, f"{t.year}年{t.locality}"]
            rec["unsupported_facts"] = fact_check(d.markdown, texts)
        except Exception as exc:  # noqa: BLE001
            rec["error"] = f"{type(exc).__name__}: {exc}"
        out.append(rec)
    return out


def summarize_drafts(drafts: list[dict]) -> dict:
    items = [r for d in drafts for r in d["rubric_results"]]
    done = [d for d in drafts if not d.get("error")]
    return {"tasks": len(drafts), "completed": len(done),
            "available": not any(str(d.get("error", "")).startswith("drafting not available") for d in drafts),
            "rubric_items": len(items), "rubric_pass_rate": sum(r["passed"] for r in items) / len(items) if items else 0.0,
            "tasks_all_passed": sum(bool(d["rubric_results"]) and all(r["passed"] for r in d["rubric_results"])
                                    for d in drafts),
            "unsupported_facts": sum(len(d["unsupported_facts"]) for d in drafts)}


# ---------------------------------------------------------------- runs

def _write_jsonl(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")


def build_assistant(settings: Settings, embeddings=None, refresh: bool = True):
    from assistant.pipeline import Assistant
    from index.components.st_embeddings import SentenceTransformerEmbeddings
    from index.ingest import ingest
    from index.reader import IndexReader

    embeddings = embeddings or SentenceTransformerEmbeddings(settings)
    if refresh:
        report = ingest(settings, show_progress=False, embeddings=embeddings)
        print(f"index: {report.summary()}", file=sys.stderr)
    return Assistant(settings, reader=IndexReader(settings, embeddings=embeddings))


def make_pipeline(name: str, settings: Settings, assistant, baseline_dir=None):
    if name == "ours":
        return OursPipeline(assistant)
    if name == "baseline":
        from eval.baseline import BaselinePipeline

        pipe = BaselinePipeline(settings, assistant, data_dir=baseline_dir)
        print(f"baseline index: {pipe.build()} chunks", file=sys.stderr)
        return pipe
    raise ValueError(f"unknown pipeline {name!r} (ours | baseline)")


def run(settings: Settings, questions_path, out_dir, drafting_path=None, pipeline: str = "ours",
        embeddings=None, assistant=None, baseline_dir=None) -> dict:
    questions = load_questions(questions_path, corpus_dir=settings.index.corpus_dir)
    tasks = load_drafting(drafting_path, corpus_dir=settings.index.corpus_dir) if drafting_path else []
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    assistant = assistant or build_assistant(settings, embeddings)
    pipe = make_pipeline(pipeline, settings, assistant, baseline_dir)
    started, code = time.time(), code_version()
    records = ask_all(pipe, questions)
    drafts = run_drafting(settings, assistant, tasks, out) if tasks and pipeline == "ours" else []
    metrics = summarize(records, questions)
    from eval.agreement import agreement

    metrics["citation"]["judge_vs_verifier"] = {k: v for k, v in agreement(records).items() if k != "disagreements"}
    metrics["drafting"] = summarize_drafts(drafts) if drafts else None
    metrics["run"] = {"pipeline": pipeline, "answerer": getattr(assistant.answerer, "name", settings.answer.answerer),
                      "questions": str(questions_path), "drafting": str(drafting_path or ""),
                      "model": getattr(assistant, "model_name", ""), "code": code,
                      "today": settings.retrieval.today.isoformat(), "top_k": settings.retrieval.top_k, "depth": DEPTH,
                      "corpus_dir": str(settings.index.corpus_dir), "data_dir": str(settings.index.data_dir),
                      "seconds": round(time.time() - started, 1),
                      "answers_citing_main_index": sum(any(f.startswith("baseline:") for f in r["flags"])
                                                       for r in records),
                      "finished": dt.datetime.now().isoformat(timespec="seconds")}
    _write_jsonl(out / "answers.jsonl", records)
    _write_jsonl(out / "drafts.jsonl", drafts)
    (out / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=1), encoding="utf-8")
    from eval.report import write_report

    write_report(out, metrics, records, questions, drafts)
    return metrics


def compare(settings: Settings, questions_path, out_dir, embeddings=None, baseline_dir=None) -> dict:
    load_questions(questions_path, corpus_dir=settings.index.corpus_dir)  # fail before loading models
    out = Path(out_dir)
    assistant = build_assistant(settings, embeddings)
    results = {name: run(settings, questions_path, out / name, pipeline=name, assistant=assistant,
                         baseline_dir=baseline_dir) for name in ("ours", "baseline")}
    from eval.report import write_compare

    write_compare(out, results)
    return results
