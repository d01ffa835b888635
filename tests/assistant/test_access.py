"""Access and secrets: loopback by default, login when configured, limits from settings, no key leaks.

The browser test (test_app_browser.py) logs in through the page; here the HTTP
API itself is checked: with ``auth_users`` set, chat, upload and drafting
endpoints refuse a client without a session, and work with one.
"""
from __future__ import annotations

import json
import logging
import socket
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from pydantic import SecretStr

from index.intake import IntakeError, add_to_corpus
from index.settings import Settings

SECRET = "sk-live-THIS-MUST-NOT-LEAK-1234567890"
PASSWORD = "pw-THIS-MUST-NOT-LEAK-42"
ENV_KEYS = ("ZLY_HOST", "ZLY_PORT", "ZLY_AUTH_USERS", "ZLY_OPENAI_API_KEY", "ZLY_MAX_UPLOAD_MB", "ZLY_ALLOWED_EXTS")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for key in ENV_KEYS:
        monkeypatch.delenv(key, raising=False)


def plain_settings(tmp_path: Path, **kw) -> Settings:
    # _env_file=None: a developer's settings.env must not change what the defaults are
    return Settings(_env_file=None, corpus_dir=tmp_path / "corpus", data_dir=tmp_path / "data", **kw)


# ------------------------------------------------------------------ binding


def test_default_host_is_loopback(tmp_path):
    assert Settings().app.host == "127.0.0.1"
    assert plain_settings(tmp_path).app.host == "127.0.0.1"
    assert plain_settings(tmp_path).security.auth_users.get_secret_value() == ""  # no login on a personal install


def test_host_port_and_users_from_env(tmp_path, monkeypatch):
    monkeypatch.setenv("ZLY_HOST", "0.0.0.0")
    monkeypatch.setenv("ZLY_PORT", "8765")
    monkeypatch.setenv("ZLY_AUTH_USERS", f"zhang:{PASSWORD},li:pw2")
    s = plain_settings(tmp_path)
    assert (s.app.host, s.app.port) == ("0.0.0.0", 8765)
    assert s.security.auth_users.get_secret_value() == f"zhang:{PASSWORD},li:pw2"


def test_settings_file_is_read(tmp_path, monkeypatch):
    env_file = tmp_path / "deploy.env"
    env_file.write_text(f"ZLY_HOST=10.1.2.3\nZLY_AUTH_USERS=wang:{PASSWORD}\n", encoding="utf-8")
    s = Settings(_env_file=env_file, corpus_dir=tmp_path / "corpus", data_dir=tmp_path / "data")
    assert s.app.host == "10.1.2.3" and s.security.auth_users.get_secret_value() == f"wang:{PASSWORD}"


def test_launch_binds_what_settings_say(tmp_path):
    import assistant.app as app  # an ImportError inside the app fails the test
    assert app.launch_kwargs(plain_settings(tmp_path))["server_name"] == "127.0.0.1"
    assert app.launch_kwargs(plain_settings(tmp_path, host="0.0.0.0"))["server_name"] == "0.0.0.0"
    assert app.launch_kwargs(plain_settings(tmp_path), host="192.168.1.5")["server_name"] == "192.168.1.5"
    assert app.launch_kwargs(plain_settings(tmp_path))["auth"] is None
    kwargs = app.launch_kwargs(plain_settings(tmp_path, auth_users=f"zhang:{PASSWORD}, li:pw2"))
    assert kwargs["auth"] == [("zhang", PASSWORD), ("li", "pw2")]
    with pytest.raises(ValueError):
        app.launch_kwargs(plain_settings(tmp_path, auth_users="nopassword"))


def test_cli_serve_defaults_to_settings_host(monkeypatch):
    from assistant.cli import build_parser

    args = build_parser().parse_args(["serve"])
    assert args.host is None and args.port is None  # None → settings.app.host / settings.app.port


# ------------------------------------------------------------------ upload limits


def test_upload_size_limit_from_settings(tmp_path):
    s = plain_settings(tmp_path, max_upload_mb=1)
    with pytest.raises(IntakeError, match="file too large: 2 MB > 1 MB limit"):
        add_to_corpus(("质量月" * 250_000).encode("utf-8"), "big.txt", s)
    assert not any(s.index.corpus_dir.glob("*")) if s.index.corpus_dir.exists() else True


def test_upload_types_narrowed_by_settings(tmp_path):
    s = plain_settings(tmp_path, allowed_exts=(".txt",))
    with pytest.raises(IntakeError, match=r"unsupported file type \.html \(supported: \.txt\)"):
        add_to_corpus("<p>关于开展质量月活动的通知</p>".encode(), "notice.html", s)
    assert add_to_corpus("关于开展质量月活动的通知".encode(), "notice.txt", s).name == "notice.txt"


def test_settings_cannot_widen_upload_types(tmp_path):
    s = plain_settings(tmp_path, allowed_exts=(".txt", ".exe", ".xls"))
    with pytest.raises(IntakeError, match="unsupported file type .exe"):
        add_to_corpus(b"MZ\x90\x00", "setup.exe", s)


def test_server_upload_cap_follows_settings(tmp_path):
    import assistant.app as app  # an ImportError inside the app fails the test
    assert app.launch_kwargs(plain_settings(tmp_path, max_upload_mb=7))["max_file_size"] <= 2 * 7 * 2**20


# ------------------------------------------------------------------ secrets


def test_api_key_is_secret_everywhere(tmp_path, caplog, capsys):
    s = plain_settings(tmp_path, openai_api_key=SECRET, answerer="openai")
    assert isinstance(s.llm.openai_api_key, SecretStr)
    assert s.llm.openai_api_key.get_secret_value() == SECRET
    dumps = [repr(s), str(s), f"{s}", f"{s!r}", str(s.model_dump()), s.model_dump_json(), json.dumps(
        s.model_dump(mode="json"), default=str), str(s.llm.openai_api_key), repr(s.llm.openai_api_key)]
    for text in dumps:
        assert SECRET not in text
    caplog.set_level(logging.DEBUG)
    log = logging.getLogger("zly.test")
    log.info("settings: %s", s)
    log.info("settings: %r", s)
    log.debug("settings dump: %s", s.model_dump())
    log.warning("key: %s", s.llm.openai_api_key)
    print(s, s.model_dump_json())
    assert SECRET not in caplog.text and SECRET not in capsys.readouterr().out


def test_api_key_from_env_is_secret(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("ZLY_OPENAI_API_KEY", SECRET)
    s = plain_settings(tmp_path)
    assert s.llm.openai_api_key.get_secret_value() == SECRET
    assert SECRET not in repr(s) and SECRET not in s.model_dump_json()


def test_validation_error_does_not_echo_the_key(tmp_path):
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as err:
        plain_settings(tmp_path, openai_api_key=SECRET, port="not-a-port")
    assert SECRET not in str(err.value)


def test_login_passwords_are_secret_too(tmp_path):
    s = plain_settings(tmp_path, auth_users=f"zhang:{PASSWORD}")
    assert PASSWORD not in repr(s) and PASSWORD not in s.model_dump_json()


# ------------------------------------------------------------------ login on the HTTP API


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def lan_address() -> str | None:
    """A non-loopback address of this machine, if it has one."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.connect(("10.255.255.255", 1))  # UDP connect sends nothing; it only picks a route
            address = sock.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") else address


@pytest.fixture(scope="module")
def locked_app(tmp_path_factory):
    """The real app with login on, over an empty index (no question needs the embedding model)."""
    import assistant.app as app_mod  # an ImportError inside the app fails the test
    from assistant.pipeline import Assistant

    tmp = tmp_path_factory.mktemp("locked_app")
    settings = Settings(_env_file=None, corpus_dir=tmp / "corpus", data_dir=tmp / "data",
                        auth_users=f"zhang:{PASSWORD}", openai_api_key=SECRET)
    port = free_port()
    app = app_mod.build_app(settings, assistant=Assistant(settings))
    app.launch(**app_mod.launch_kwargs(settings, port=port), prevent_thread_lock=True, quiet=True)
    try:
        yield f"http://127.0.0.1:{port}", port
    finally:
        app.close()


def request(url: str, data: dict | None = None, opener=None, form: bool = False) -> tuple[int, str]:
    body = None
    headers = {}
    if data is not None:
        if form:
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            body = json.dumps(data).encode()
            headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=body, headers=headers, method="POST" if body is not None else "GET")
    try:
        with (opener or urllib.request.build_opener()).open(req, timeout=30) as resp:
            return resp.status, resp.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", errors="replace")


ENDPOINTS = ["respond", "import_files", "make_draft"]  # chat, upload, drafting


def test_app_listens_on_loopback_only(locked_app):
    url, port = locked_app
    assert request(url + "/")[0] == 200  # the login page itself is public
    lan = lan_address()
    if lan is None:
        pytest.skip("this machine has no non-loopback IPv4 address to try")
    with socket.socket() as sock:
        sock.settimeout(3)
        assert sock.connect_ex((lan, port)) != 0, f"the app answers on {lan}:{port}"


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_api_refuses_without_login(locked_app, endpoint):
    url, _ = locked_app
    status, _ = request(f"{url}/gradio_api/call/{endpoint}", {"data": []})
    assert status == 401


@pytest.mark.parametrize("path", ["/config", "/gradio_api/info", "/gradio_api/queue/data?session_hash=x"])
def test_app_config_and_queue_refuse_without_login(locked_app, path):
    url, _ = locked_app
    assert request(url + path)[0] == 401


def test_upload_refuses_without_login(locked_app):
    url, _ = locked_app
    boundary = "zlyboundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"n.txt\"\r\n"
            f"Content-Type: text/plain\r\n\r\n关于开展质量月活动的通知\r\n--{boundary}--\r\n").encode()
    req = urllib.request.Request(url + "/gradio_api/upload", data=body, method="POST",
                                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=30)
    assert err.value.code == 401


def test_wrong_password_is_refused_and_right_one_opens_the_api(locked_app):
    url, _ = locked_app
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    status, _ = request(url + "/login", {"username": "zhang", "password": "wrong"}, opener, form=True)
    assert status in (400, 401)
    assert request(url + "/config", opener=opener)[0] == 401
    status, _ = request(url + "/login", {"username": "zhang", "password": PASSWORD}, opener, form=True)
    assert status == 200
    status, config = request(url + "/config", opener=opener)
    assert status == 200
    assert SECRET not in config and PASSWORD not in config  # nothing secret is sent to the browser
    status, body = request(f"{url}/gradio_api/call/respond", {"data": ["质量月活动主题", [], "", "", ""]}, opener)
    assert status == 200 and "event_id" in body


def test_gradio_client_needs_the_login(locked_app):
    url, _ = locked_app
    from gradio_client import Client

    with pytest.raises(Exception):
        Client(url + "/", verbose=False)
    client = Client(url + "/", auth=("zhang", PASSWORD), verbose=False)
    chat = client.predict("2025年全国质量月的主题是什么？", [], "", "", "", api_name="/respond")[0]
    text = json.dumps(chat, ensure_ascii=False)
    assert "索引为空" in text or "语料" in text, text  # the empty index answers politely
    assert SECRET not in text and PASSWORD not in text


# ------------------------------------------------------------------ login page and throttle


def test_login_page_reveals_nothing_before_login(locked_app):
    url, _ = locked_app
    status, page = request(url + "/")
    assert status == 200
    for secret in ("gradio_api_info", "import_files", "make_draft", "/respond", ".txt", "质量月活动主题", SECRET):
        assert secret not in page, secret


def test_login_is_throttled_per_user(tmp_path):
    app_mod = pytest.importorskip("assistant.app", reason="assistant.app not available")
    from assistant.pipeline import Assistant

    settings = Settings(_env_file=None, corpus_dir=tmp_path / "corpus", data_dir=tmp_path / "data",
                        auth_users=f"zhang:{PASSWORD},li:pw2", login_max_failures=3, login_lockout_s=60)
    port = free_port()
    app = app_mod.build_app(settings, assistant=Assistant(settings))
    app.launch(**app_mod.launch_kwargs(settings, port=port), prevent_thread_lock=True, quiet=True)
    url = f"http://127.0.0.1:{port}/login"
    try:
        assert [request(url, {"username": "zhang", "password": "x"}, form=True)[0] for _ in range(3)] == [400] * 3
        status, body = request(url, {"username": "zhang", "password": PASSWORD}, form=True)
        assert status == 429 and "秒后再试" in body  # locked even with the right password
        # the same address is locked as well, whoever it claims to be
        assert request(url, {"username": "li", "password": "pw2"}, form=True)[0] == 429
    finally:
        app.close()
    uploads = app_mod.builder.upload_dir(settings)
    assert uploads.is_dir() and settings.index.data_dir.resolve() in uploads.parents
