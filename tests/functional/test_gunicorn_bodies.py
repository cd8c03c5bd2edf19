"""Chunked request bodies against a real gunicorn serving the app (started by the test, on the test's
own database): a body past its route's limit is answered 413 and saves nothing, whether it is a
urlencoded form (the hole: it was read up to the limit and saved from its first part) or a multipart
upload; a chunked body within the limit works like any other."""
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from store_app.extensions import db
from store_app.orders.models import VoiceOrder
from store_app.orders.voice import MAX_AUDIO_BYTES
from store_app.roles import Role
from store_app.web.uploads import FORM_SLACK_BYTES
from tests.conftest import PASSWORD, skip_or_fail

ROOT = Path(__file__).resolve().parents[2]
CSRF_META = re.compile(r'name="csrf-token" content="([^"]+)"')
VOICE_LIMIT = MAX_AUDIO_BYTES + FORM_SLACK_BYTES
WEBM = b"\x1a\x45\xdf\xa3" + b"\x00" * 2000


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(app, tmp_path):
    """gunicorn (one sync worker) serving the app's testing config on the test's database; its port."""
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        skip_or_fail("gunicorn is not installed")
    port, log_path = free_port(), tmp_path / "gunicorn.log"
    env = {**os.environ, "STORE_ENV": "testing", "TEST_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
           "STORE_INSTANCE_PATH": app.instance_path}
    argv = [sys.executable, "-m", "gunicorn", "--chdir", str(ROOT), "--workers", "1", "--bind", f"127.0.0.1:{port}",
            "--log-level", "warning", "--graceful-timeout", "5", "wsgi:app"]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(process, port, log_path)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(process, port, log_path):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited ({process.returncode}):\n{log_path.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail("gunicorn did not answer within 30 s")


class Browser:
    """A cookie-keeping HTTP client of the gunicorn server (http.client, one connection a request)."""

    def __init__(self, port):
        self.port, self.cookies = port, {}

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers={**self._cookie_header(), **(headers or {})})
            response = conn.getresponse()
            self._keep_cookies(response)
            return response.status, response.read().decode()
        finally:
            conn.close()

    def _cookie_header(self):
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}

    def _keep_cookies(self, response):
        for header in response.msg.get_all("Set-Cookie") or ():
            name, _, value = header.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()

    def csrf(self, path):
        status, page = self.request("GET", path)
        assert status == 200, page[:500]
        return CSRF_META.search(page).group(1)

    def login(self, phone):
        form = urlencode({"csrf_token": self.csrf("/login"), "phone": phone, "password": PASSWORD})
        status, _page = self.request("POST", "/login", form,
                                     {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 302

    def send_chunked(self, path, parts, content_type, language="en"):
        """POST ``parts`` (an iterable of bytes) with ``Transfer-Encoding: chunked`` and no length,
        from a thread, while this one reads the answer: the server may answer before it has all of
        it (and then stop reading). Returns ``(status, page)``."""
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
                f"Transfer-Encoding: chunked\r\nAccept-Language: {language}\r\n"
                f"Cookie: {self._cookie_header().get('Cookie', '')}\r\nConnection: close\r\n\r\n")

        def sender():
            try:
                sock.sendall(head.encode())
                for part in parts:
                    sock.sendall(b"%x\r\n%s\r\n" % (len(part), part))
                sock.sendall(b"0\r\n\r\n")
            except OSError:
                pass  # the server answered and closed: it read no more

        thread = threading.Thread(target=sender, daemon=True)
        thread.start()
        try:
            response = http.client.HTTPResponse(sock)
            response.begin()
            status, page = response.status, response.read().decode()
        finally:
            thread.join(30)
            sock.close()
        return status, page


def _repeat(piece, total, size=64 * 1024):
    sent = 0
    while sent < total:
        block = piece * min(size // len(piece), (total - sent) // len(piece) + 1)
        sent += len(block)
        yield block


def _voice_texts(app):
    with app.app_context():
        return sorted(db.session.scalars(db.select(VoiceOrder.text)).all())


def test_gunicorn_answers_413_to_chunked_bodies_past_the_limit_and_saves_nothing(app, community, server):
    browser = Browser(server)
    browser.login(community["users"][Role.RESIDENT][1])

    # A urlencoded form that starts well and goes on for 4x the voice route's limit.
    form = urlencode({"csrf_token": browser.csrf("/voice"), "text": "first part only"}).encode() + b"&pad="
    status, page = browser.send_chunked("/voice", [form, *_repeat(b"A", 4 * VOICE_LIMIT)],
                                        "application/x-www-form-urlencoded")
    assert status == 413 and "At most 3.1 MB can be sent at once." in page
    assert _voice_texts(app) == []

    # A multipart upload whose voice note is 3x the limit, answered in the user's language.
    boundary = "gunicorn-test"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
            f"{browser.csrf('/voice')}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\n"
            f"milk\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"audio\"; filename=\"n.webm\"\r\n"
            "Content-Type: audio/webm\r\n\r\n").encode() + WEBM
    status, page = browser.send_chunked("/voice", [head, *_repeat(b"\x00", 3 * VOICE_LIMIT),
                                                   f"\r\n--{boundary}--\r\n".encode()],
                                        f"multipart/form-data; boundary={boundary}", language="zh")
    assert status == 413 and "一次最多只能发送 3.1 MB。" in page
    assert _voice_texts(app) == []
    assert not any(Path(app.instance_path, "uploads").rglob("*.*"))


def test_gunicorn_takes_a_chunked_upload_within_the_limit(app, community, server):
    browser = Browser(server)
    browser.login(community["users"][Role.RESIDENT][1])
    boundary = "gunicorn-test"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
            f"{browser.csrf('/voice')}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\n"
            f"two bottles of milk\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"audio\"; "
            "filename=\"n.webm\"\r\nContent-Type: audio/webm\r\n\r\n").encode() + WEBM + \
        f"\r\n--{boundary}--\r\n".encode()
    status, _page = browser.send_chunked("/voice", [body[i:i + 1000] for i in range(0, len(body), 1000)],
                                         f"multipart/form-data; boundary={boundary}")
    assert status == 303
    assert _voice_texts(app) == ["two bottles of milk"]
    (note,) = Path(app.instance_path, "uploads", "voice").iterdir()
    assert note.read_bytes() == WEBM
