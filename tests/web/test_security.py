"""The panel's doors, tried over plain HTTP against a real ``loaxa web``:
what a stranger, an officer and a forged form get, cookies, headers, paths, sizes."""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest

from firmware_host.config import load_config
from firmware_host.web.app import create_app
from tests.helpers import make_tone
from tests.web.panelserver import Client, PanelServer, start_panel, wait_for

PASSWORD = "một câu dễ nhớ"


def member(panel: PanelServer, name: str, *roles: str) -> Client:
    """A logged-in client of a fresh account that has set its own password."""
    first = panel.add_user(name, *roles)
    client = panel.client()
    assert client.log_in(name, first).location == "/doi-mat-khau"
    assert client.new_password(first, PASSWORD).location == "/"
    return client


def routes(tmp_path: Path) -> list[tuple[str, str]]:
    """Every (method, path) the panel answers, read from the application itself, so a
    page added later is tried too."""
    app = create_app(load_config(tmp_path / "routes"))
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, rule.rule))
    return found


PUBLIC = {("GET", "/dang-nhap"), ("POST", "/dang-nhap"), ("POST", "/ngon-ngu")}


def test_every_route_without_login_leads_to_the_login_page(
    panel: PanelServer, tmp_path: Path
) -> None:
    stranger = panel.client()
    tried = 0
    for method, path in routes(tmp_path):
        if (method, path) in PUBLIC or path.startswith("/static/"):
            continue
        answer = stranger.request(method, path, b"", {"Content-Length": "0"})
        assert answer.status == 303, (method, path, answer.status)
        assert answer.location.startswith("/dang-nhap"), (method, path, answer.location)
        tried += 1
    assert tried >= 11  # home, status, password, logout, 5 pages to come, system…
    page = stranger.get(stranger.get("/he-thong").location)
    assert page.status == 200 and 'name="password"' in page.body


def test_a_post_without_the_csrf_token_is_refused(panel: PanelServer) -> None:
    technician = member(panel, "Minh", "ky-thuat")
    refused = technician.post("/he-thong/nguoi-dung/them", {"name": "Lan", "roles": "can-bo"})
    assert refused.status == 403
    assert "Biểu mẫu đã hết hạn" in refused.body
    wrong = technician.post(
        "/he-thong/nguoi-dung/them", {"name": "Lan", "roles": "can-bo", "csrf": "guess"}
    )
    assert wrong.status == 403
    assert panel.users.get("Lan") is None
    # The login form is checked too: a login planted from another site is refused.
    assert panel.client().post("/dang-nhap", {"name": "Minh", "password": PASSWORD}).status == 403
    # With the token, the same form works.
    token = technician.get("/he-thong").csrf()
    done = technician.post(
        "/he-thong/nguoi-dung/them", {"name": "Lan", "roles": "can-bo", "csrf": token}
    )
    assert done.status == 200 and panel.users.get("Lan") is not None


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/he-thong", "GET"),
        ("/he-thong/nhat-ky", "GET"),
        ("/he-thong/nguoi-dung/them", "POST"),
        ("/he-thong/nguoi-dung/dat-lai", "POST"),
        ("/he-thong/nguoi-dung/xoa", "POST"),
        ("/duyet", "GET"),
        ("/duyet/hop-dan.toml", "GET"),
        ("/duyet/hop-dan.toml/duyet", "POST"),
        ("/duyet/hop-dan.toml/tu-choi", "POST"),
        ("/khan-cap", "GET"),
        ("/khan-cap", "POST"),
        ("/khan-cap/phat", "POST"),
        ("/he-thong/kiem-tra", "POST"),
    ],
)
def test_an_officer_is_refused_the_technician_and_leadership_pages(
    panel: PanelServer, path: str, method: str
) -> None:
    panel.add_user("Minh", "ky-thuat")
    officer = member(panel, "Lan", "can-bo")
    token = officer.get("/").csrf()
    form = {"csrf": token, "name": "Minh", "roles": "can-bo"}
    answer = officer.post(path, form) if method == "POST" else officer.get(path)
    assert answer.status == 403
    assert "không có quyền" in answer.body
    assert panel.users.get("Minh").must_change  # nothing was reset…
    assert len(panel.users.list()) == 2  # …added or removed
    home = officer.get("/")
    assert 'href="/he-thong"' not in home.body and 'href="/duyet"' not in home.body
    assert 'href="/bai-phat"' in home.body  # the nav offers what the officer may use


def test_a_script_as_a_user_name_is_shown_as_text(panel: PanelServer) -> None:
    technician = member(panel, "Minh", "ky-thuat")
    panel.add_user("<script>alert(1)</script>", "can-bo")
    page = technician.get("/he-thong")
    assert "<script>alert(1)</script>" not in page.body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.body
    audit = technician.get("/he-thong/nhat-ky")
    assert "<script>alert" not in audit.body and "&lt;script&gt;alert(1)" in audit.body


def test_a_script_as_a_clip_title_is_shown_as_text(panel: PanelServer) -> None:
    """Titles come from anyone who can upload, or from a stick: every page that shows
    one (the library, the campaign form's choices, the emergency's, the job's verdict)
    shows it as text."""
    officer = member(panel, "Lan", "can-bo", "lanh-dao")
    token = officer.get("/bai-phat").csrf()
    tone = make_tone(panel.data_dir / "tmp" / "a.wav", seconds=1.5)
    title = urllib.parse.quote("<script>alert(1)</script>")
    started = officer.request(
        "POST", f"/bai-phat/tai-len?tep=a.wav&ten={title}", tone.read_bytes(),
        {"X-CSRF-Token": token, "Content-Type": "application/octet-stream"},
    )  # fmt: skip
    assert started.status == 202, started.body
    job = json.loads(started.body)["job"]
    wait_for(lambda: "data-final" in officer.get(job + "/tien-do").body, timeout=60)
    for path in (job, "/bai-phat", "/lich-phat/moi", "/khan-cap"):
        page = officer.get(path)
        assert "<script>alert" not in page.body, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.body, path
    assert panel.users.get("Lan") is not None  # and the job is only its owner's:
    stranger = member(panel, "Minh", "can-bo")
    assert stranger.get(job).status == 404


@pytest.mark.parametrize(
    "path",
    [
        "/nhat-ky/bao-cao/../../web/users.json",
        "/nhat-ky/bao-cao/..%2F..%2Fweb/xlsx",
        "/nhat-ky/bao-cao/2026-12/..%2F..%2Floaxa.toml",
        "/bai-phat/..%2F..%2Fweb%2Fsecret/nghe",
        "/bai-phat/nghe-thu/..%2F..%2Fweb%2Fsecret",
        "/lich-phat/..%2F..%2Floaxa.toml/sua",
        "/lich-phat/..%2Fweb%2Fusers.json/van-ban",
        "/lich-phat/..%2Fschedules-last-good/xoa",
        "/viec/..%2F..%2Fweb/tien-do",
    ],
)
def test_a_download_path_with_dots_is_not_found(panel: PanelServer, path: str) -> None:
    officer = member(panel, "Lan", "can-bo")
    cookie = "; ".join(f"{k}={v}" for k, v in officer.cookies.items())
    status, body = raw_get(panel, path, cookie=cookie)
    assert status == 404, (path, status)
    assert "argon2" not in body and "Xã Hòa Phú\"" not in body and "[commune]" not in body


def raw_get(
    panel: PanelServer, path: str, *, follow: bool = False, cookie: str = ""
) -> tuple[int, str]:
    """GET *path* exactly as written: no client tidies ``..`` away. With *follow*, one
    redirect is followed (Werkzeug merges ``//`` by redirecting)."""
    extra = f"Cookie: {cookie}\r\n" if cookie else ""
    request = f"GET {path} HTTP/1.1\r\nHost: x\r\n{extra}Connection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", panel.port), timeout=10) as connection:
        connection.sendall(request.encode())
        data = b""
        while chunk := connection.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split()[1])
    if follow and status in (301, 302, 303, 307, 308):
        (location,) = [
            line.split(b":", 1)[1].strip().decode()
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"location:")
        ]
        path = urllib.parse.urlsplit(location).path
        assert path.startswith("/static/"), location
        return raw_get(panel, path)
    return status, body.decode("utf-8", "replace")


@pytest.mark.parametrize(
    "path",
    [
        "/static/../web/users.json",
        "/static/../../loaxa.toml",
        "/static/%2e%2e/%2e%2e/loaxa.toml",
        "/static/..%2fweb%2fsecret",
        "/static//etc/passwd",
        "/static/../app.py",
    ],
)
def test_a_path_with_dots_under_static_is_not_found(panel: PanelServer, path: str) -> None:
    panel.add_user("Minh", "ky-thuat")
    status, body = raw_get(panel, path, follow=True)
    assert status == 404, (path, status)
    assert "argon2" not in body and 'Xã Hòa Phú"' not in body and "root:" not in body
    assert raw_get(panel, "/static/panel.css")[0] == 200


def test_session_cookie_flags_and_security_headers(panel: PanelServer) -> None:
    client = member(panel, "Lan", "can-bo")
    session_cookies = [h for h in client.set_cookie_headers if h.startswith("loaxa_session=")]
    assert session_cookies
    for header in session_cookies:
        flags = {part.strip().split("=")[0].lower() for part in header.split(";")}
        assert {"httponly", "path"} <= flags and "samesite=strict" in header.lower()
        assert "secure" not in flags  # plain http: a Secure cookie would never come back
    page = client.get("/")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"]
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert page.headers["Cache-Control"] == "no-store"
    assert "<script>" not in page.body  # no inline script: the CSP would block it anyway


def test_over_tls_the_cookie_is_secure(tmp_path: Path) -> None:
    if not shutil.which("openssl"):
        pytest.skip("openssl not installed")
    tls = tmp_path / "box" / "tls"
    tls.mkdir(parents=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=loaxa.local", "-keyout", str(tls / "key.pem"),
         "-out", str(tls / "cert.pem")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    panel = start_panel(
        tmp_path / "box", extra='tls_cert = "tls/cert.pem"\ntls_key = "tls/key.pem"'
    )
    try:
        assert panel.url.startswith("https://")
        client = member(panel, "Lan", "can-bo")
        session_cookie = next(h for h in client.set_cookie_headers if "loaxa_session=" in h)
        assert "Secure" in session_cookie
        # Plain http to the TLS port gets no page.
        with contextlib.suppress(OSError):
            status, body = raw_get(panel, "/dang-nhap")
            assert status != 200 and 'name="password"' not in body
    finally:
        panel.stop()


def disk_use(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize("target", ["form", "upload"])
def test_an_oversize_upload_is_refused_before_it_reaches_the_disk(
    panel: PanelServer, target: str
) -> None:
    """A 2 GB file, in a form or to the clip upload (the body itself, as panel.js sends
    it), its length declared or sent in chunks, is answered 413 with the panel's own
    page after at most the limit (5 MB here) was read, and nothing is left on disk (the
    server's TMPDIR and the uploads folder are inside the data folder)."""
    client = member(panel, "Lan", "can-bo")
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    token = client.get("/bai-phat").csrf()
    before = disk_use(panel.data_dir)
    part = (
        b'--B\r\nContent-Disposition: form-data; name="clip"; filename="big.wav"\r\n'
        b"Content-Type: audio/wav\r\n\r\n"
    )
    request = (
        "POST /doi-mat-khau HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=B\r\n"
    )
    if target == "upload":
        part = b"RIFF"
        request = (
            "POST /bai-phat/tai-len?tep=big.wav HTTP/1.1\r\n"
            f"Content-Type: application/octet-stream\r\nX-CSRF-Token: {token}\r\n"
        )
    chunk = b"\0" * 65536
    huge = 2 * 1024**3

    for framing in ("declared", "chunked"):
        with socket.create_connection(("127.0.0.1", panel.port), timeout=30) as connection:
            head = f"{request}Host: x\r\nCookie: {cookie}\r\n"
            if framing == "declared":
                head += f"Content-Length: {len(part) + huge}\r\n\r\n"
            else:
                head += "Transfer-Encoding: chunked\r\n\r\n"
            connection.sendall(head.encode())
            sent, started = 0, time.monotonic()
            with contextlib.suppress(OSError):  # the server stops reading and closes
                for data in (part, *(chunk for _ in range(huge // len(chunk)))):
                    if framing == "chunked":
                        data = b"%x\r\n" % len(data) + data + b"\r\n"
                    connection.sendall(data)
                    sent += len(data)
                    if time.monotonic() - started > 60:
                        break
            answer = b""
            with contextlib.suppress(OSError):
                while piece := connection.recv(65536):
                    answer += piece
        assert answer.startswith(b"HTTP/1.1 413"), (framing, answer[:200])
        assert "quá lớn" in answer.decode("utf-8", "replace"), framing
        assert sent < 64 * 1024 * 1024, (framing, sent)  # cut off long before 2 GB
    assert disk_use(panel.data_dir) - before < 64 * 1024
    assert client.get("/").status == 200  # and the panel carries on


def test_a_body_nobody_reads_is_not_read_by_the_server_either(panel: PanelServer) -> None:
    """A stranger's POST declaring 4 MB (under the limit) gets the login redirect at
    once and the connection closes: the server does not wait for, or hold in memory,
    a body the panel never wanted (cheroot would read it whole to keep the connection)."""
    with socket.create_connection(("127.0.0.1", panel.port), timeout=5) as connection:
        connection.sendall(
            b"POST /he-thong/nguoi-dung/them HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 4000000\r\n\r\nname=Lan&roles=can-bo&"
        )
        answer = connection.recv(65536)  # times out if the server waits for the body
    assert answer.startswith(b"HTTP/1.1 303"), answer[:100]
    assert b"Connection: close" in answer
