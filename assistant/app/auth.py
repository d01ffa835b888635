"""Login: the users from settings.security.auth_users, and a throttle on wrong passwords.

After settings.security.login_max_failures wrong passwords for one user name, or from one address, further
attempts for it get HTTP 429 for settings.security.login_lockout_s seconds, even with the right password.
The throttle is ASGI middleware on gradio's /login route (gradio hands its auth callable only
the name and password, not the address).
"""
from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse

from index.settings import Settings


def parse_auth(spec) -> list[tuple[str, str]] | None:
    """settings.security.auth_users "user:pass,user2:pass2" → gradio auth pairs (None = no login)."""
    spec = spec.get_secret_value() if hasattr(spec, "get_secret_value") else spec  # a SecretStr setting
    pairs = []
    for item in (spec or "").split(","):
        user, sep, password = item.strip().partition(":")
        if not item.strip():
            continue
        if not sep or not user.strip() or not password:
            raise ValueError("auth_users 格式应为 “用户名:密码,用户名2:密码2”")
        pairs.append((user.strip(), password))
    return pairs or None


class Throttle:
    """Failure counts per key ("user:NAME", "addr:IP") within a sliding lockout window."""

    def __init__(self, max_failures: int, lockout_s: float):
        self.max_failures, self.lockout_s = max_failures, lockout_s
        self._fails: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> list[float]:
        times = [t for t in self._fails.get(key, []) if now - t < self.lockout_s]
        self._fails[key] = times
        return times

    def wait_s(self, keys: list[str]) -> float:
        now = time.monotonic()
        with self._lock:
            waits = [self.lockout_s - (now - times[-self.max_failures])
                     for times in (self._recent(k, now) for k in keys) if len(times) >= self.max_failures]
        return max(waits, default=0.0)

    def failed(self, keys: list[str]) -> None:
        now = time.monotonic()
        with self._lock:
            for k in keys:
                self._recent(k, now).append(now)

    def succeeded(self, keys: list[str]) -> None:
        with self._lock:
            for k in keys:
                if k.startswith("user:"):
                    self._fails.pop(k, None)


class LoginThrottle:
    """ASGI middleware: counts /login failures and answers 429 while a user or address is locked."""

    def __init__(self, app, settings: Settings):
        self.app = app
        self.throttle = Throttle(settings.security.login_max_failures, settings.security.login_lockout_s)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "POST" or scope["path"].rstrip("/") != "/login":
            return await self.app(scope, receive, send)
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        user = (form.get("username") or [""])[0].strip()
        keys = [f"user:{user}", f"addr:{(scope.get('client') or ('?',))[0]}"]
        wait = self.throttle.wait_s(keys)
        if wait > 0:
            return await _json(send, 429, {"detail": f"登录失败次数过多，请 {int(wait) + 1} 秒后再试。"})
        replayed = False

        async def replay():
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def watch(message):
            if message["type"] == "http.response.start":
                (self.throttle.succeeded if message["status"] == 200 else self.throttle.failed)(keys)
            await send(message)
        await self.app(scope, replay, watch)


async def _json(send, status: int, data: dict) -> None:
    payload = json.dumps(data, ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})


_API_INFO = re.compile(rb"<script>window\.gradio_api_info = .*?;</script>", re.S)


class LoginPageScrub:
    """ASGI middleware: gradio's login page (config "auth_required") still embeds
    window.gradio_api_info — every endpoint with its parameters. Before login it is removed."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "GET":
            return await self.app(scope, receive, send)
        start, chunks = None, []

        async def hold(message):
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                if not dict(message.get("headers", [])).get(b"content-type", b"").startswith(b"text/html"):
                    start = None
                    await send(message)
                return
            if start is None:
                return await send(message)
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                await _send_scrubbed(send, start, b"".join(chunks))
        await self.app(scope, receive, hold)


async def _send_scrubbed(send, start: dict, body: bytes) -> None:
    if b'"auth_required":true' in body:
        body = _API_INFO.sub(b"", body)  # the page reloads after login and gets it then
    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({**start, "headers": headers})
    await send({"type": "http.response.body", "body": body})
