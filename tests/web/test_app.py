"""The panel's rules that need a clock or a fault to be seen, in-process (Flask's test
client): idle sessions end, sessions of a reset account end, one reader's language does
not leak into another's page, a broken accounts file is a clear page, not a crash."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient

from firmware_host.config import load_config
from firmware_host.messages import language, t
from firmware_host.web.app import create_app
from firmware_host.web.state import panel
from firmware_host.web.users import UserStore

PASSWORD = "một câu dễ nhớ"


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    (tmp_path / "loaxa.toml").write_text(
        '[commune]\nname = "Xã Thử"\nprovince = "Tỉnh Thử"\n[web]\nsession_minutes = 20\n'
    )
    return create_app(load_config(tmp_path))


def store_of(app: Flask) -> UserStore:
    with app.app_context():
        return panel().users


def token(client: FlaskClient, path: str = "/dang-nhap") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def logged_in(app: Flask, name: str = "Lan", role: str = "can-bo") -> FlaskClient:
    store = store_of(app)
    first = store.add(name, [role], by="test", origin="cli")
    store.change_password(name, first, PASSWORD, origin="test")
    client = app.test_client()
    answer = client.post(
        "/dang-nhap", data={"csrf": token(client), "name": name, "password": PASSWORD}
    )
    assert answer.status_code == 303 and answer.location == "/"
    return client


def test_an_idle_session_ends_and_a_busy_one_does_not(app: Flask) -> None:
    with time_machine.travel("2026-03-05 07:00 +07:00", tick=False) as clock:
        client = logged_in(app)
        for _ in range(4):  # an hour of clicks, 15 minutes apart: still in
            clock.shift(timedelta(minutes=15))
            assert client.get("/").status_code == 200
        clock.shift(timedelta(minutes=21))
        answer = client.get("/")
        assert answer.status_code == 303 and answer.location.startswith("/dang-nhap")
        page = client.get(answer.location).get_data(as_text=True)
        assert t("web.login.expired") in page


def test_the_live_status_does_not_keep_a_session_alive(app: Flask) -> None:
    with time_machine.travel("2026-03-05 07:00 +07:00", tick=False) as clock:
        client = logged_in(app)
        for _ in range(4):  # the home page left open on a desk, polling
            clock.shift(timedelta(minutes=5))
            assert client.get("/trang-thai").status_code == 200
        clock.shift(timedelta(minutes=1))
        assert client.get("/trang-thai").status_code == 303


def test_no_session_outlives_twelve_hours(app: Flask) -> None:
    with time_machine.travel("2026-03-05 07:00 +07:00", tick=False) as clock:
        client = logged_in(app)
        for _ in range(12 * 4):
            clock.shift(timedelta(minutes=15))
            assert client.get("/").status_code == 200
        clock.shift(timedelta(minutes=1))
        assert client.get("/").status_code == 303


def test_a_reset_or_removal_ends_the_accounts_sessions(app: Flask) -> None:
    client = logged_in(app)
    other = logged_in(app, "Hà", "can-bo")
    store = store_of(app)
    store.reset("Lan", by="Minh", origin="10.0.0.2")
    answer = client.get("/")
    assert answer.status_code == 303
    assert t("web.login.ended") in client.get(answer.location).get_data(as_text=True)
    assert other.get("/").status_code == 200
    store.add("Minh", ["ky-thuat"], by="test", origin="cli")
    store.remove("Hà", by="Minh", origin="10.0.0.2")
    assert other.get("/").status_code == 303


def test_one_readers_english_does_not_leak_into_another_page(app: Flask) -> None:
    pages: dict[str, list[str]] = {"en": [], "vi": []}

    def read(lang: str) -> None:
        client = app.test_client()
        client.post("/ngon-ngu", data={"csrf": token(client), "lang": lang})
        for _ in range(30):
            pages[lang].append(client.get("/dang-nhap").get_data(as_text=True))

    threads = [threading.Thread(target=read, args=(lang,)) for lang in ("en", "vi")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all("User name" in page and "Tên đăng nhập" not in page for page in pages["en"])
    assert all("Tên đăng nhập" in page and "User name" not in page for page in pages["vi"])
    assert language() == "vi"  # the process's own language is untouched


def test_a_broken_accounts_file_is_a_page_that_says_so(app: Flask, tmp_path: Path) -> None:
    client = logged_in(app)
    (tmp_path / "web" / "users.json").write_text("{ not json")
    answer = client.get("/")
    assert answer.status_code == 500
    page = answer.get_data(as_text=True)
    assert "Không đọc được danh sách tài khoản" in page and "loaxa users add" in page
    assert app.test_client().get("/dang-nhap").status_code == 200  # the rest still answers


def test_next_after_login_stays_on_this_panel(app: Flask) -> None:
    store = store_of(app)
    first = store.add("Lan", ["can-bo"], by="test", origin="cli")
    store.change_password("Lan", first, PASSWORD, origin="test")
    for target, lands in (
        ("/bai-phat", "/bai-phat"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("/\t/evil.example", "/"),
        ("/\n/evil.example", "/"),
    ):
        client = app.test_client()
        form = {"csrf": token(client), "name": "Lan", "password": PASSWORD, "next": target}
        assert client.post("/dang-nhap", data=form).location == lands
