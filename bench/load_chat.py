"""Load test of the chat app: N concurrent chat sessions for a while, with uploads re-indexing meanwhile.

    PYTHONPATH=. .venv/bin/python bench/load_chat.py                 # 20 sessions × 300 s (the soak)
    PYTHONPATH=. .venv/bin/python bench/load_chat.py --ci            # 5 sessions × 20 s, small corpus
    PYTHONPATH=. .venv/bin/python bench/load_chat.py --sessions 10 --duration 60 --max-requests 500

What it does
    1. copies corpus/ to a scratch folder and builds its index there (reusing data/index when that
       is an index of exactly these files, else embedding them; --ci indexes two notices only);
    2. starts the real app in this process, as `python -m assistant serve` does
       (`build_app(settings, assistant).launch(**launch_kwargs(...))`), on 127.0.0.1 only;
    3. starts a separate client process (so the clients neither share the server's GIL nor count
       in its memory) running --sessions gradio_client sessions, ramped up over a few seconds, each
       asking questions from eval/questions.jsonl one after another (a new chat every 5 questions)
       until --duration has passed or --max-requests questions were sent;
    4. meanwhile (--uploads times, spread over the run) that process revises one corpus notice in
       place and uploads a new one through the app's 文件导入 endpoint, which re-indexes while the
       chats go on;
    5. checks every answer: no error, and all chunk ids of its contexts and citations belong to
       ONE committed snapshot (every snapshot the server committed is recorded as it appears);
    6. prints sessions, requests, errors, p50/p95/max latency (also during re-indexing), requests/s,
       peak RSS of the server process, and writes bench/results/load_chat.json.
       Exit status 1 on any error or inconsistency, or p95 over --max-p95 when given.

Bounded: the clients stop sending at --duration and give up on stragglers after --grace; the whole
run is killed at ramp + duration + grace + 120 s at the latest; never more than --max-requests
questions. Only 127.0.0.1 is contacted; the clients download nothing.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.settings import Settings  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "load_chat.json"
ERROR_REPLY = "处理这个问题时出错了"  # what the app shows when ask() raised
NEW_CHAT_EVERY = 5
CONNECT_ATTEMPTS = 3
CI_FILES = ["2025-national-samr-notice.txt", "2023-yongan-county-plan.txt"]
FALLBACK_QUESTIONS = ["2025年全国质量月活动的主题是什么？", "质量月活动时间是什么时候？", "永安市2023年质量月有哪些活动？",
                      "福建省2024年质量月由哪些单位主办？", "质量月期间要开展哪些质量安全监管工作？"]
UPLOAD_TEMPLATE = """{place}市场监督管理局关于开展{year}年“质量月”活动的通知
{abbr}市监〔{year}〕{no}号
各乡镇市场监管所、局机关各股室：
为深入贯彻落实全国和省、市“质量月”活动部署，现将{year}年“质量月”活动有关事项通知如下：
一、活动主题
{theme}
二、活动时间
{year}年9月1日至9月30日
三、活动内容
{activities}第{round}轮次。
四、工作要求
各单位要高度重视，明确专人负责，于{year}年10月10日前报送活动总结。
{place}市场监督管理局
{year}年8月{day}日
"""
# Each place's own activities: uploads of different places must not read as near-copies of each other
# (intake holds back a file ≥ 90% equal to an indexed notice).
PLACES = [("德化县", "德", "瓷都品质 德化质造", "（一）陶瓷企业质量对标。组织日用陶瓷企业对照国际先进标准查找差距。\n"
           "（二）陶瓷产品监督抽查。重点抽查餐具铅镉溶出量。\n（三）瓷都质量开放日。邀请市民走进检测实验室。\n"),
          ("安溪县", "安", "茶乡品质 安溪质造", "（一）茶叶农残快检进茶市。在主要茶叶交易市场设点免费快检。\n"
           "（二）茶企标准化提升。帮助茶企制定企业标准并公开自我声明。\n（三）藤铁工艺产品质量帮扶。组织专家上门诊断。\n"),
          ("永春县", "永春", "桃源品质 永春质造", "（一）老醋酿造企业质量体检。检查原料进货查验和生产记录。\n"
           "（二）香制品质量安全整治。排查无证生产和标签不规范问题。\n（三）芦柑品牌宣传周。推介地理标志产品。\n"),
          ("南安市", "南", "石材品质 南安质造", "（一）石材企业质量提升。推广石材加工先进工艺和检测方法。\n"
           "（二）水暖卫浴产品抽查。重点检查水嘴和阀门的安全性能。\n（三）建材市场质量宣传。在建材城开展咨询活动。\n"),
          ("惠安县", "惠", "雕艺品质 惠安质造", "（一）石雕木雕工艺标准宣贯。组织雕艺企业学习行业标准。\n"
           "（二）渔船渔具质量安全检查。联合海洋渔业部门开展检查。\n（三）惠女服饰文化质量展。展示传统服饰工艺。\n")]


def log(msg: str) -> None:
    print(f"[load_chat] {msg}", file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    try:  # VmHWM: this process's resident-set high-water mark
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


# ============================================================================================ client side


@dataclass
class Request:
    session: int
    question: str
    started: float  # seconds since the clients' t0
    latency: float = 0.0
    error: str = ""
    kind: str = "ask"  # ask | connect | new_chat


class ClientRun:
    def __init__(self, args):
        self.args = args
        self.requests: list[Request] = []
        self.uploads: list[dict] = []
        self.lock = threading.Lock()
        self.sent = 0
        self.t0 = time.monotonic()
        self.deadline = self.t0 + args.ramp + args.duration
        user, _, password = os.environ.get("ZLY_BENCH_AUTH", "").partition(":")
        self.auth = (user, password) if user else None

    def now(self) -> float:
        return time.monotonic() - self.t0

    def record(self, req: Request) -> None:
        with self.lock:
            self.requests.append(req)

    def take_ticket(self) -> bool:
        with self.lock:
            if self.sent >= self.args.max_requests:
                return False
            self.sent += 1
            return True

    def client(self, n: int):
        import httpx
        from gradio_client import Client

        last = None
        for attempt in range(CONNECT_ATTEMPTS):  # a user whose page does not load presses reload
            begin = time.perf_counter()
            try:
                return Client(self.args.clients, auth=self.auth, verbose=False, download_files=False,
                              analytics_enabled=False,
                              httpx_kwargs={"timeout": httpx.Timeout(self.args.timeout, connect=30.0)})
            except Exception as exc:  # noqa: BLE001
                last = f"{type(exc).__name__}: {exc}"[:300]
                self.record(Request(n, f"(connect attempt {attempt + 1})", self.now(), time.perf_counter() - begin,
                                    "" if attempt + 1 < CONNECT_ATTEMPTS else last, kind="connect"))
                time.sleep(2.0 * (attempt + 1))
        return None

    def session(self, n: int, questions: list[str]) -> None:
        time.sleep(self.args.ramp * n / max(1, self.args.sessions))  # users arrive over the ramp-up
        rng = random.Random(n)
        client = self.client(n)
        if client is None:
            return
        chat: list = []
        asked = 0
        while time.monotonic() < self.deadline and self.take_ticket():
            question = rng.choice(questions)
            req = Request(n, question, self.now())
            begin = time.perf_counter()
            try:
                job = client.submit(question, chat, "", "", "", api_name="/respond")
                out = job.result(timeout=self.args.timeout)
                chat = out[0] if isinstance(out, (list, tuple)) else out
                last = chat[-1] if chat else {}
                text = json.dumps(last.get("content") if isinstance(last, dict) else last, ensure_ascii=False)
                if ERROR_REPLY in text:
                    req.error = "app error reply"
                elif not chat or "正在检索" in text:
                    req.error = f"no final answer: {text[:120]}"
            except Exception as exc:  # noqa: BLE001 — timeouts, HTTP errors, app errors
                req.error = f"{type(exc).__name__}: {exc}"[:300]
            req.latency = time.perf_counter() - begin
            self.record(req)
            asked += 1
            if asked % NEW_CHAT_EVERY == 0:  # like pressing 新对话: each session's history stays short
                begin = time.perf_counter()
                try:
                    client.predict(api_name="/new_chat")
                    chat, error = [], ""
                except Exception as exc:  # noqa: BLE001
                    error = f"new_chat: {type(exc).__name__}: {exc}"[:300]
                self.record(Request(n, "(new chat)", self.now(), time.perf_counter() - begin, error, kind="new_chat"))
        client.close()

    def cli_add(self) -> None:
        """Another process commits to the same index while the app serves: `python -m assistant add`
        of one more place's notice (the app must follow the new snapshot, not fail on it)."""
        if not self.args.data:
            return
        place, abbr, theme, activities = PLACES[-1]
        path = Path(self.args.work) / "uploads" / f"{place}2025年质量月活动通知-cli.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text(UPLOAD_TEMPLATE.format(place=place, abbr=abbr, year=2025, no=99, theme=theme,
                                               activities=activities, round=9, day=29), encoding="utf-8")
        env = {**os.environ, "ZLY_CORPUS_DIR": self.args.corpus, "ZLY_DATA_DIR": self.args.data}
        entry = {"at": round(self.now(), 1), "file": path.name, "cli": True}
        begin = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "assistant", "add", str(path)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=600)
        entry["ok"] = done.returncode == 0
        if not entry["ok"]:
            entry["error"] = (done.stderr or done.stdout)[-300:]
        entry["seconds"] = round(time.perf_counter() - begin, 1)
        with self.lock:
            self.uploads.append(entry)
        log(f"cli add: {'ok' if entry['ok'] else 'FAILED: ' + entry.get('error', '')} in {entry['seconds']}s")

    def upload_loop(self) -> None:
        from gradio_client import handle_file

        corpus = Path(self.args.corpus)
        when = [self.args.ramp + self.args.duration * (i + 1) / (self.args.uploads + 1) * 0.8
                for i in range(self.args.uploads)]
        client = self.client(-1) if when else None
        if client is None:
            return
        for i, at in enumerate(when):
            while self.now() < at:
                time.sleep(0.2)
            place, abbr, theme, activities = PLACES[i % len(PLACES)]
            path = Path(self.args.work) / "uploads" / f"{place}2025年质量月活动通知-{i + 1}.txt"
            path.parent.mkdir(exist_ok=True)
            path.write_text(UPLOAD_TEMPLATE.format(place=place, abbr=abbr, year=2025, no=20 + i, theme=theme,
                                                   activities=activities, round=i + 1, day=20 + i), encoding="utf-8")
            # An editor also replaces a notice in place: all its chunk ids change, so an answer
            # mixing the old and the new index would show.
            revised = sorted(p for p in corpus.glob("*.txt") if not p.name.startswith("_"))[0]
            revised.write_text(revised.read_text("utf-8") + f"\n（第{i + 1}次修订）\n", encoding="utf-8")
            entry = {"at": round(self.now(), 1), "file": path.name, "revised": revised.name}
            log(f"upload {i + 1}: {path.name} (+ revised {revised.name}) at {entry['at']}s")
            begin = time.perf_counter()
            try:
                html = client.predict([handle_file(str(path))], "", api_name="/import_files")[0]
                entry["ok"] = "已导入" in html
                if not entry["ok"]:
                    entry["error"] = html[:300]
            except Exception as exc:  # noqa: BLE001
                entry["ok"], entry["error"] = False, f"{type(exc).__name__}: {exc}"[:300]
            entry["seconds"] = round(time.perf_counter() - begin, 1)
            with self.lock:
                self.uploads.append(entry)
            log(f"upload {i + 1}: {'ok' if entry['ok'] else 'FAILED: ' + entry.get('error', '')} "
                f"in {entry['seconds']}s")
        client.close()
        self.cli_add()


def client_main(args) -> int:
    run = ClientRun(args)
    questions = json.loads(Path(args.questions).read_text("utf-8"))
    threads = [threading.Thread(target=run.session, args=(n, questions), name=f"session-{n}", daemon=True)
               for n in range(args.sessions)]
    threads.append(threading.Thread(target=run.upload_loop, name="upload", daemon=True))
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=max(0.0, run.deadline + args.grace - time.monotonic()))
    with run.lock:
        out = {"requests": [asdict(r) for r in run.requests], "uploads": list(run.uploads),
               "stuck": [th.name for th in threads if th.is_alive()], "elapsed_s": run.now(),
               "peak_rss_mb": peak_rss_mb()}
    Path(args.client_out).write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
    return 0


# ============================================================================================ server side


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def prepare_index(work: Path, ci: bool) -> Settings:
    """Scratch corpus + index; the app under test writes only there."""
    from index.ingest import corpus_files, ingest, settings_key
    from index.snapshot import Snapshot

    corpus, data = work / "corpus", work / "data"
    corpus.mkdir(parents=True)
    base = Settings()
    names = CI_FILES if ci else [p.relative_to(base.index.corpus_dir).as_posix() for p in corpus_files(base)]
    for name in names:
        shutil.copyfile(base.index.corpus_dir / name, corpus / name)
    settings = Settings(corpus_dir=corpus, data_dir=data, host="127.0.0.1")
    existing = Snapshot.load(base.index.index_dir)
    same_files = {n: e.sha256 for n, e in existing.files.items()} == {n: sha(corpus / n) for n in names}
    if existing.files and same_files and existing.settings_key == settings_key(settings):
        shutil.copytree(base.index.index_dir, settings.index.index_dir)  # the repo's index is of exactly these files
        log(f"index: reusing {base.index.index_dir} ({len(existing.chunks)} chunks)")
    started = time.perf_counter()
    report = ingest(settings, show_progress=False)
    log(f"index: {report.summary()} in {time.perf_counter() - started:.0f}s")
    if report.failed:
        raise SystemExit(f"could not index the corpus: {report.summary()}")
    return settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load_questions() -> list[str]:
    path = ROOT / "eval" / "questions.jsonl"
    try:
        questions = [json.loads(line)["question"] for line in path.read_text("utf-8").splitlines() if line.strip()]
    except (OSError, ValueError, KeyError):
        questions = []
    return questions or FALLBACK_QUESTIONS


class ServerRecorder:
    """What the server saw: each answer's chunk ids, ask() exceptions, every committed snapshot."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.answers: list[tuple[str, frozenset[str]]] = []
        self.errors: list[str] = []
        self.snapshots: list[frozenset[str]] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self._stamp = None
        self._check_snapshot()
        self.watcher = threading.Thread(target=self._watch, name="snapshot-watcher", daemon=True)
        self.watcher.start()

    def _check_snapshot(self) -> None:
        from index.snapshot import Snapshot

        path = Snapshot.path(self.settings.index.index_dir)
        stamp = path.stat().st_mtime_ns
        if stamp != self._stamp:
            ids = frozenset(Snapshot.load(self.settings.index.index_dir).chunks)
            with self.lock:
                if not self.snapshots or self.snapshots[-1] != ids:
                    self.snapshots.append(ids)
            self._stamp = stamp

    def _watch(self) -> None:  # a re-index takes seconds; polling at 10 Hz sees every commit
        while not self.stop.wait(0.1):
            self._check_snapshot()

    def _record(self, question: str, result) -> None:
        ids = frozenset([c.chunk_id for c in result.contexts] + [c.chunk_id for c in result.citations if c.chunk_id])
        with self.lock:
            self.answers.append((question, ids))

    def _error(self, exc: Exception) -> None:  # the app turns this into its error reply; we count it too
        with self.lock:
            self.errors.append(f"ask raised {type(exc).__name__}: {exc}"[:300])

    def instrument(self, assistant) -> None:
        """Record every answer, whether the app asks through ask() or streams through ask_stream()."""
        from assistant.results import AnswerResult

        ask, ask_stream = assistant.ask, assistant.ask_stream

        def recorded_ask(question, *args, **kwargs):
            try:
                result = ask(question, *args, **kwargs)
            except Exception as exc:
                self._error(exc)
                raise
            self._record(question, result)
            return result

        def recorded_stream(question, *args, **kwargs):
            try:
                for item in ask_stream(question, *args, **kwargs):
                    if isinstance(item, AnswerResult):
                        self._record(question, item)
                    yield item
            except Exception as exc:
                self._error(exc)
                raise

        assistant.ask, assistant.ask_stream = recorded_ask, recorded_stream

    def inconsistent(self) -> list[str]:
        with self.lock:
            return [f"{q[:30]!r}: chunk ids from no single snapshot" for q, ids in self.answers
                    if ids and not any(ids <= snap for snap in self.snapshots)]


def overlaps(req: dict, uploads: list[dict]) -> bool:
    start, end = req["started"], req["started"] + req["latency"]
    return any(u["at"] <= end and start <= u["at"] + u.get("seconds", 0) for u in uploads)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sessions", type=int, default=20)
    p.add_argument("--duration", type=float, default=300.0, help="seconds of load after the ramp-up")
    p.add_argument("--ramp", type=float, default=None, help="seconds over which sessions start (default 5; --ci 2)")
    p.add_argument("--max-requests", type=int, default=0, help="hard cap on questions (default 10 per session-minute)")
    p.add_argument("--uploads", type=int, default=None, help="uploads + re-indexes during the run (default 2; --ci 1)")
    p.add_argument("--timeout", type=float, default=180.0, help="per-request timeout, seconds")
    p.add_argument("--grace", type=float, default=240.0, help="after --duration, wait at most this for stragglers")
    p.add_argument("--max-p95", type=float, default=0.0, help="fail when p95 latency exceeds this (0 = report only)")
    p.add_argument("--ci", action="store_true", help="short variant: 5 sessions × 20 s, two notices, one upload")
    p.add_argument("--out", type=Path, default=RESULTS)
    p.add_argument("--keep", action="store_true", help="keep the scratch corpus/index")
    # internal: the client process
    p.add_argument("--clients", help=argparse.SUPPRESS)
    p.add_argument("--client-out", help=argparse.SUPPRESS)
    p.add_argument("--corpus", help=argparse.SUPPRESS)
    p.add_argument("--work", help=argparse.SUPPRESS)
    p.add_argument("--data", help=argparse.SUPPRESS)
    p.add_argument("--questions", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.ci:
        args.sessions, args.duration = min(args.sessions, 5), min(args.duration, 20.0)
    args.ramp = args.ramp if args.ramp is not None else (2.0 if args.ci else 5.0)
    args.uploads = args.uploads if args.uploads is not None else (1 if args.ci else 2)
    args.max_requests = args.max_requests or max(20, int(args.sessions * args.duration / 6))
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"  # loopback, never via a proxy
    if args.clients:
        return client_main(args)
    return server_main(args)


def server_main(args) -> int:
    work = Path(tempfile.mkdtemp(prefix="zly-load-"))
    app = clients = None
    try:
        settings = prepare_index(work, args.ci)
        from assistant.app import build_app, launch_kwargs, parse_auth
        from assistant.pipeline import Assistant

        assistant = Assistant(settings)
        assistant.retriever.invoke("质量月活动主题")  # as serve() does: load the model before the first user
        recorder = ServerRecorder(settings)
        recorder.instrument(assistant)
        port = free_port()
        app = build_app(settings, assistant)
        kwargs = launch_kwargs(settings, host="127.0.0.1", port=port)
        assert kwargs["server_name"] == "127.0.0.1"
        app.launch(**kwargs, prevent_thread_lock=True, quiet=True)
        url = f"http://127.0.0.1:{port}/"
        users = parse_auth(settings.security.auth_users)
        questions = work / "questions.json"
        questions.write_text(json.dumps(load_questions(), ensure_ascii=False), encoding="utf-8")
        client_out = work / "clients.json"
        log(f"app on {url}; {args.sessions} sessions × {args.duration:.0f}s (+{args.ramp:.0f}s ramp-up), "
            f"cap {args.max_requests} requests, {args.uploads} upload(s)")

        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        if users:
            env["ZLY_BENCH_AUTH"] = f"{users[0][0]}:{users[0][1]}"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--clients", url, "--client-out", str(client_out),
               "--corpus", str(settings.index.corpus_dir), "--work", str(work), "--questions", str(questions),
               "--data", str(settings.index.data_dir),
               "--sessions", str(args.sessions), "--duration", str(args.duration), "--ramp", str(args.ramp),
               "--max-requests", str(args.max_requests), "--uploads", str(args.uploads),
               "--timeout", str(args.timeout), "--grace", str(args.grace)]
        started = time.monotonic()
        clients = subprocess.Popen(cmd, cwd=ROOT, env=env)
        try:
            clients.wait(timeout=args.ramp + args.duration + args.grace + 120)
        except subprocess.TimeoutExpired:
            clients.kill()
            clients.wait()
        elapsed = time.monotonic() - started
        recorder.stop.set()
        recorder._check_snapshot()
        data = json.loads(client_out.read_text("utf-8")) if client_out.exists() else {
            "requests": [], "uploads": [], "stuck": ["client process"], "elapsed_s": elapsed, "peak_rss_mb": 0}
        return report(args, recorder, data, clients.returncode)
    finally:
        if clients is not None and clients.poll() is None:
            clients.kill()
        if app is not None:
            try:
                app.close()
            except Exception:  # noqa: BLE001
                pass
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            log(f"kept {work}")


def report(args, recorder: ServerRecorder, data: dict, client_rc: int | None) -> int:
    reqs = data["requests"]
    asks = [r for r in reqs if r["kind"] == "ask"]
    answered = [r for r in asks if not r["error"]]
    errors = [r for r in reqs if r["error"]]
    retried = [r for r in reqs if r["kind"] == "connect" and not r["error"]]
    uploads = data["uploads"]
    problems = recorder.inconsistent()
    latencies = [r["latency"] for r in answered]
    during = [r["latency"] for r in answered if overlaps(r, uploads)]
    error_samples = ([f"{r['kind']}: {r['error']}" for r in errors[:10]] + recorder.errors[:10]
                     + [f"stuck: {s}" for s in data["stuck"]]
                     + [f"upload {u['file']}: {u.get('error')}" for u in uploads if not u.get("ok")])
    if len(uploads) < args.uploads:
        error_samples.append(f"only {len(uploads)} of {args.uploads} uploads ran")
    if client_rc not in (0, None):
        error_samples.append(f"client process exit status {client_rc}")
    n_errors = (len(errors) + len(recorder.errors) + len(data["stuck"]) + sum(not u.get("ok") for u in uploads)
                + max(0, args.uploads - len(uploads)) + (client_rc not in (0, None)))
    elapsed = data["elapsed_s"]
    with recorder.lock:
        answers_checked, snapshots = len(recorder.answers), len(recorder.snapshots)
    figures = {
        "when": dt.datetime.now().isoformat(timespec="seconds"),
        "mode": "ci" if args.ci else "full",
        "sessions": args.sessions,
        "duration_s": args.duration,
        "ramp_s": args.ramp,
        "elapsed_s": round(elapsed, 1),
        "requests": len(asks),
        "answered": len(answered),
        "errors": n_errors,
        "error_samples": error_samples[:20],
        "connect_retries": len(retried),
        "inconsistent_answers": len(problems),
        "inconsistency_samples": problems[:10],
        "latency_s": {"p50": round(percentile(latencies, 0.5), 3), "p95": round(percentile(latencies, 0.95), 3),
                      "max": round(max(latencies, default=0.0), 3),
                      "mean": round(statistics.fmean(latencies), 3) if latencies else 0.0},
        "latency_during_reindex_s": {"n": len(during), "p50": round(percentile(during, 0.5), 3),
                                     "p95": round(percentile(during, 0.95), 3), "max": round(max(during, default=0.0), 3)},
        "requests_per_s": round(len(answered) / elapsed, 3) if elapsed else 0.0,
        "peak_rss_mb": round(peak_rss_mb(), 1),  # the server process (app + index + model)
        "client_peak_rss_mb": round(data.get("peak_rss_mb", 0.0), 1),
        "uploads": uploads,
        "snapshots_seen": snapshots,
        "answers_checked": answers_checked,
        "cap": args.max_requests,
        "host": "127.0.0.1",
        "cpus": os.cpu_count(),
        "loadavg_at_end": [round(x, 2) for x in os.getloadavg()],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    lat, dur = figures["latency_s"], figures["latency_during_reindex_s"]
    print(f"sessions {figures['sessions']}  requests {figures['requests']}  answered {figures['answered']}  "
          f"errors {figures['errors']}  inconsistent {figures['inconsistent_answers']}")
    print(f"latency p50 {lat['p50']:.2f}s  p95 {lat['p95']:.2f}s  max {lat['max']:.2f}s  "
          f"(overlapping a re-index: n={dur['n']} p95 {dur['p95']:.2f}s max {dur['max']:.2f}s)")
    print(f"throughput {figures['requests_per_s']:.2f} req/s over {figures['elapsed_s']:.0f}s  "
          f"server peak RSS {figures['peak_rss_mb']:.0f} MB  re-index {[u.get('seconds') for u in uploads]} s  "
          f"snapshots {snapshots}  load avg {figures['loadavg_at_end'][0]}")
    print(f"results: {args.out}")
    for sample in figures["error_samples"] + figures["inconsistency_samples"]:
        print(f"  ! {sample}")
    bad = figures["errors"] or figures["inconsistent_answers"] or not answered
    too_slow = bool(args.max_p95) and lat["p95"] > args.max_p95
    if too_slow:
        print(f"  ! p95 {lat['p95']:.2f}s > --max-p95 {args.max_p95:.2f}s")
    return 1 if bad or too_slow else 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # never hang on a stuck client thread or the server's threads
