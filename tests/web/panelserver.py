"""A real panel process for tests and screenshots: ``loaxa web`` on
127.0.0.1 and a port the kernel picks, a data folder of its own, stopped with SIGTERM;
and a small HTTP client that shows exactly what the server sent (no redirects
followed, cookies kept by hand, paths sent as written — ``..`` included)."""

from __future__ import annotations

import http.client
import os
import re
import signal
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

from firmware_host.config import Config, load_config
from firmware_host.web.users import UserStore

REPO = Path(__file__).resolve().parents[2]
CONFIG = """\
[commune]
name = "Xã Hòa Phú"
province = "Tỉnh Đắk Lắk"
station = "Hòa Xuân"

[web]
max_upload_mb = {max_upload_mb}
{extra}
{tables}
"""


@dataclass
class PanelServer:
    url: str
    port: int
    data_dir: Path
    config: Config
    process: subprocess.Popen
    output: list[str] = field(default_factory=list)

    @property
    def users(self) -> UserStore:
        return UserStore.for_data_dir(self.data_dir, self.config.timezone)

    def add_user(self, name: str, *roles: str) -> str:
        return self.users.add(name, roles, by="test", origin="cli")

    def client(self) -> Client:
        return Client(self)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_panel(
    data_dir: Path, *, max_upload_mb: int = 5, extra: str = "", tables: str = ""
) -> PanelServer:
    """*extra*: more ``[web]`` keys; *tables*: more tables of the box's config."""
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "loaxa.toml").write_text(
        CONFIG.format(max_upload_mb=max_upload_mb, extra=extra, tables=tables), "utf-8"
    )
    config = load_config(data_dir)
    temp = data_dir / "tmp"  # the server's TMPDIR, watched by the upload test
    temp.mkdir(exist_ok=True)
    env = {**os.environ, "TMPDIR": str(temp), "LOAXA_HOME": str(data_dir), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "firmware_host",
            "--data-dir",
            str(data_dir),
            "web",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    output: list[str] = []
    ready = threading.Event()
    found: dict[str, str] = {}

    def drain() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            output.append(line)
            if match := re.search(r"serving on (https?)://127\.0\.0\.1:(\d+)", line):
                found.update(scheme=match.group(1), port=match.group(2))
                ready.set()
        ready.set()

    threading.Thread(target=drain, daemon=True).start()
    if not ready.wait(30) or "port" not in found:
        process.kill()
        raise AssertionError("the panel did not start:\n" + "".join(output))
    port = int(found["port"])
    url = f"{found['scheme']}://127.0.0.1:{port}"
    return PanelServer(url, port, data_dir, config, process, output)


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: str

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")

    def csrf(self) -> str:
        match = re.search(r'name="csrf" value="([^"]+)"', self.body)
        assert match, self.body
        return match.group(1)


class Client:
    """One browser's worth of cookies, over plain http.client."""

    def __init__(self, panel: PanelServer) -> None:
        self.panel = panel
        self.cookies: dict[str, str] = {}
        self.set_cookie_headers: list[str] = []

    def _connection(self) -> http.client.HTTPConnection:
        if self.panel.url.startswith("https"):
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            return http.client.HTTPSConnection("127.0.0.1", self.panel.port, context=context)
        return http.client.HTTPConnection("127.0.0.1", self.panel.port, timeout=30)

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> Answer:
        connection = self._connection()
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            self.set_cookie_headers.append(header)
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return Answer(response.status, response.headers, text)

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def post(self, path: str, form: dict[str, str] | None = None) -> Answer:
        body = urllib.parse.urlencode(form or {}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.request("POST", path, body, headers)

    def log_in(self, name: str, password: str) -> Answer:
        token = self.get("/dang-nhap").csrf()
        return self.post("/dang-nhap", {"csrf": token, "name": name, "password": password})

    def new_password(self, current: str, new: str) -> Answer:
        token = self.get("/doi-mat-khau").csrf()
        form = {"csrf": token, "current": current, "new": new, "repeat": new}
        return self.post("/doi-mat-khau", form)


def wait_for(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.05)
