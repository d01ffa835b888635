"""Readable reports: DIR/report.md (+ accuracy_by_type.png, latency.png) and DIR/compare.md."""
from __future__ import annotations

from pathlib import Path


def _pct(x) -> str:
    return "—" if x is None else f"{100 * x:.1f}%"


def _ms(x) -> str:
    return f"{x:,.0f} ms"


def _table(head: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in r) + " |" for r in rows]
    return "\n".join(lines)


def _plots(out: Path, m: dict, records: list[dict]) -> list[str]:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    made = []
    types = list(m["by_type"])
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(types) + 1.2))
    vals = [100 * (m["by_type"][t]["accuracy"] or 0) for t in types]
    labels = [f"{t} (n={m['by_type'][t]['n']})" for t in types]
    ax.barh(labels[::-1], vals[::-1], color="#4c72b0")
    for y, v in enumerate(vals[::-1]):
        ax.text(v + 1, y, f"{v:.0f}%", va="center", fontsize=8)
    ax.set_xlim(0, 110)
    ax.set_xlabel("answer accuracy (%)")
    ax.set_title("Accuracy by question type")
    fig.tight_layout()
    fig.savefig(out / "accuracy_by_type.png", dpi=110)
    plt.close(fig)
    made.append("accuracy_by_type.png")
    lat = [r["latency_ms"] for r in records if r.get("latency_ms") is not None]
    if lat:
        fig, ax = plt.subplots(figsize=(7, 3))
        ax.hist(lat, bins=min(30, max(5, len(lat) // 3)), color="#55a868")
        for key, style in (("p50", "--"), ("p95", ":")):
            ax.axvline(m["latency_ms"][key], color="k", linestyle=style, label=f"{key} {m['latency_ms'][key]:.0f} ms")
        ax.set_xlabel("latency per question (ms)")
        ax.set_ylabel("questions")
        ax.legend()
        fig.tight_layout()
        fig.savefig(out / "latency.png", dpi=110)
        plt.close(fig)
        made.append("latency.png")
    return made


def _agreement(a: dict | None) -> str:
    if not a or not a.get("pairs"):
        return "—"
    return (f"{_pct(a['agreement'])} of {a['pairs']} pairs (only the judge accepts {a['judge_only']}, "
            f"only the verifier {a['verifier_only']})")


def headline_rows(m: dict) -> list[list]:
    r, a, c = m["retrieval"], m["accuracy"], m["citation"]
    return [["retrieval hit@1 / @3 / @5 / @10", " / ".join(_pct(r[f"hit@{k}"]) for k in (1, 3, 5, 10))],
            ["retrieval MRR", f"{r['mrr']:.3f}"],
            ["answerable questions whose gold quotes are in no indexed chunk", r.get("gold_not_in_index", "—")],
            ["accuracy, answerable", _pct(a["answerable"])],
            ["accuracy, unanswerable (correct refusal)", _pct(a["unanswerable"])],
            ["accuracy, single questions", _pct(a["single"])],
            ["accuracy, follow-ups", _pct(a["followup"])],
            ["accuracy, overall", _pct(a["overall"])],
            ["wrong refusals (answerable refused)", _pct(m["refusal_rate"]["answerable_refused"])],
            ["citation precision", f"{_pct(c['precision'])} ({c['supported_pairs']}/{c['pairs']} pairs)"],
            ["citation recall", _pct(c["recall"])],
            ["citation checks where eval judge and product verifier agree", _agreement(c.get("judge_vs_verifier"))],
            ["latency p50 / p95", f"{_ms(m['latency_ms']['p50'])} / {_ms(m['latency_ms']['p95'])}"]]


def write_report(out: Path, m: dict, records: list[dict], questions, drafts: list[dict]) -> Path:
    qs = {q.id: q for q in questions}
    run = m["run"]
    model = f" (model `{run['model']}`)" if run.get("model") not in (None, "", "—") else ""
    code = f" Code `{run['code']}`." if run.get("code") else ""
    parts = [f"# Evaluation report: pipeline `{run['pipeline']}`, answerer `{run['answerer']}`{model}", "",
             f"{m['n_questions']} questions ({m['n_single']} single, {m['n_followup']} follow-up; "
             f"{m['n_answerable']} answerable, {m['n_unanswerable']} unanswerable) from `{run['questions']}`. "
             f"Evaluation date {run['today']}, top_k {run['top_k']}, ranks to depth {run['depth']}. "
             f"Finished {run['finished']} in {run['seconds']} s.{code}" + (f" **{m['errors']} questions raised errors.**"
                                                                     if m["errors"] else ""), "",
             "## Headline", "", _table(["metric", "value"], headline_rows(m)), "",
             "## By question type", "",
             _table(["type", "n (single+fu)", "accuracy", "single", "follow-up", "hit@5", "refused"],
                    [[t, f"{b['n']} ({b['n_single']}+{b['n_followup']})", _pct(b["accuracy"]),
                      _pct(b["accuracy_single"]), _pct(b["accuracy_followup"]), _pct(b["hit@5"]),
                      _pct(b["refusal_rate"])] for t, b in m["by_type"].items()]), ""]
    a = m.get("answerer") or {}
    if a:
        parts += ["## Retrieval vs. answering", "",
                  f"Gold passage in the top 5 for {a['gold_in_top5']} answerable questions: "
                  f"{_pct(a['correct_given_top5'])} answered correctly, {_pct(a['refused_given_top5'])} refused, "
                  f"{_pct(a['gold_cited_given_top5'])} cite the gold passage. "
                  f"Retrieved but not answered correctly: {a['retrieved_not_answered']}; "
                  f"not retrieved (gold not in top 5): {a['not_retrieved']}.", ""]
    if m.get("by_category"):
        parts += ["## By category (the question set's own field)", "",
                  _table(["category", "n", "accuracy"],
                         [[c, b["n"], _pct(b["accuracy"])] for c, b in m["by_category"].items()]), ""]
    for png in _plots(out, m, records):
        parts += [f"![{png}]({png})", ""]
    if drafts and not m["drafting"]["available"]:
        parts += ["## Drafting", "", f"Drafting not available: {drafts[0].get('error', '')}. "
                  f"{len(drafts)} tasks not run.", ""]
    elif drafts:
        d = m["drafting"]
        parts += ["## Drafting", "",
                  f"Rubric pass rate {_pct(d['rubric_pass_rate'])} over {d['rubric_items']} items; "
                  f"{d['tasks_all_passed']}/{d['tasks']} tasks pass every item; "
                  f"{d['unsupported_facts']} unsupported facts.", "",
                  _table(["task", "passed", "failed checks", "unsupported facts", "docx / error"],
                         [[t["id"], f"{sum(r['passed'] for r in t['rubric_results'])}/{len(t['rubric_results'])}",
                           "; ".join(f"{r['check']} ({', '.join((r['matched'] if r['kind'] == 'must_not_include' else r['missing'])[:3])})"
                                     for r in t["rubric_results"] if not r["passed"]) or "—",
                           len(t["unsupported_facts"]), t.get("error") or t["docx"]] for t in drafts]), ""]
    fails = [r for r in records if not r["correct"]]
    parts += [f"## Failures ({len(fails)})", ""]
    if fails:
        parts.append(_table(["id", "type", "question", "expected", "got (first 120 chars)", "gold rank", "gold cited",
                             "diagnosis"],
                            [[r["id"], r["type"], (" / ".join(r["history"]) + " → " if r["history"] else "")
                              + r["question"], "；".join(qs[r["id"]].must_include) or "(refusal)",
                              (("[refused] " if not r["answerable"] else "") + r["answer"])[:120],
                              r.get("gold_rank") or "—", "yes" if r.get("gold_cited") else "no", r["diagnosis"]]
                             for r in fails]))
    unsupported = [(r["id"], c) for r in records for c in r["citation_checks"] if not c["supported"]]
    if unsupported:
        parts += ["", f"## Unsupported citations ({len(unsupported)})", "",
                  _table(["id", "[n]", "sentence"], [[i, c["n"], c["sentence"][:100]] for i, c in unsupported[:60]])]
    path = out / "report.md"
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return path


def write_compare(out: Path, results: dict[str, dict]) -> Path:
    ours, base = results["ours"], results["baseline"]
    rows = []

    def add(label, get, kind="pct"):
        a, b = get(ours), get(base)
        fmt = {"pct": _pct, "ms": _ms, "num": lambda x: f"{x:.3f}", "int": str}[kind]
        if a is None or b is None:
            delta = "—"
        else:
            delta = {"pct": f"{100 * (a - b):+.1f} pt", "ms": f"{a - b:+,.0f} ms",
                     "num": f"{a - b:+.3f}"}.get(kind, f"{a - b:+}")
        rows.append([label, fmt(a) if a is not None else "—", fmt(b) if b is not None else "—", delta])

    for k in (1, 3, 5, 10):
        add(f"hit@{k}", lambda m, k=k: m["retrieval"][f"hit@{k}"])
    add("MRR", lambda m: m["retrieval"]["mrr"], "num")
    for key, label in (("answerable", "accuracy, answerable"), ("unanswerable", "accuracy, unanswerable"),
                       ("single", "accuracy, single"), ("followup", "accuracy, follow-ups"),
                       ("overall", "accuracy, overall")):
        add(label, lambda m, key=key: m["accuracy"][key])
    add("answerable Qs with gold quote in no chunk", lambda m: m["retrieval"].get("gold_not_in_index"), "int")
    add("citation precision", lambda m: m["citation"]["precision"])
    add("citation recall", lambda m: m["citation"]["recall"])
    add("latency p50", lambda m: m["latency_ms"]["p50"], "ms")
    add("latency p95", lambda m: m["latency_ms"]["p95"], "ms")
    types = list(ours["by_type"])
    text = ["# Ours vs. LangChain-default baseline", "",
            f"Same questions (`{ours['run']['questions']}`), same embedding model, same answerer "
            f"(`{ours['run']['answerer']}`) and citation check. Baseline: RecursiveCharacterTextSplitter(500, 50) "
            "over the raw files, Chroma similarity top-k, no BM25, no metadata, no follow-up rewrite.", "",
            _table(["metric", "ours", "baseline", "Δ (ours − baseline)"], rows), "",
            "## Accuracy by type", "",
            _table(["type", "ours", "baseline"], [[t, _pct(ours["by_type"][t]["accuracy"]),
                                                   _pct(base["by_type"].get(t, {}).get("accuracy"))] for t in types]),
            "", f"Baseline answers citing a chunk the answerer pulled from the main index (版头 lookup): "
            f"{base['run'].get('answers_citing_main_index', 0)} — these flatter the baseline.",
            "", "Details: [ours/report.md](ours/report.md), [baseline/report.md](baseline/report.md)."]
    path = out / "compare.md"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return path
