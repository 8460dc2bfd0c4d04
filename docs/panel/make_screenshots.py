"""Remake docs/panel/*.png: every page of the web panel at 360×800 (a phone) and 1280×800.

A real panel (``loaxa web``) runs on a temporary box of Xã Hòa Phú,
station Hòa Xuân, with three accounts; the home page reads a socket speaking the
daemon's control API (``tests/web/fakedaemon.py``: a box on air in the morning). Debian's
chromium, driven by Playwright, logs in as each person and photographs what they see.

Needs what the tests need (``bash scripts/dev.sh setup``: chromium and playwright).

    python docs/panel/make_screenshots.py [--only login home ...]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # the checkout: tests/web/ holds the fakes

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.web.fakedaemon import HCM, FakeDaemon, sample_status  # noqa: E402
from tests.web.panelserver import PanelServer, start_panel  # noqa: E402

SIZES = {"phone": {"width": 360, "height": 800}, "desktop": {"width": 1280, "height": 800}}
PASSWORD = "cá rô đồng 2026"


def log_in(page: Page, panel: PanelServer, name: str, password: str = PASSWORD) -> None:
    page.goto(panel.url + "/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill(name)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


def shots(panel: PanelServer, one_time: str) -> dict[str, Callable[[Page], None]]:
    """Page name → how to bring a fresh browser to it."""

    def login(page: Page) -> None:
        page.goto(panel.url + "/dang-nhap")

    def login_en(page: Page) -> None:
        login(page)
        page.get_by_role("button", name="English").click()
        page.wait_for_load_state()

    def login_locked(page: Page) -> None:
        for _ in range(8):
            log_in(page, panel, "Tuấn", "sai-mật-khẩu")

    def first_password(page: Page) -> None:
        log_in(page, panel, "Hoa", one_time)

    def home(page: Page) -> None:
        log_in(page, panel, "Lan")

    def home_no_daemon(page: Page) -> None:
        log_in(page, panel, "Lan")

    def users(page: Page) -> None:
        log_in(page, panel, "Minh")
        page.goto(panel.url + "/he-thong")

    def users_added(page: Page) -> None:
        if panel.users.get("Phạm Thị Thu"):  # made by the other screen size
            panel.users.remove("Phạm Thị Thu", by="Minh", origin="192.168.1.23")
        users(page)
        page.get_by_label("Tên đăng nhập").fill("Phạm Thị Thu")
        page.locator("fieldset").get_by_text("Cán bộ", exact=True).click()
        page.get_by_role("button", name="Tạo tài khoản").click()
        page.wait_for_load_state()

    def user_remove(page: Page) -> None:
        users(page)
        page.locator("li.card", has_text="Hoa").get_by_role("button", name="Xoá").click()
        page.wait_for_load_state()

    def audit(page: Page) -> None:
        log_in(page, panel, "Minh")
        page.goto(panel.url + "/he-thong/nhat-ky")

    def forbidden(page: Page) -> None:
        log_in(page, panel, "Lan")
        page.goto(panel.url + "/he-thong")

    def later(page: Page) -> None:
        log_in(page, panel, "Lan")
        page.goto(panel.url + "/bai-phat")

    return {
        "login": login,
        "login-en": login_en,
        "first-password": first_password,
        "home": home,
        "home-no-daemon": home_no_daemon,
        "users": users,
        "users-added": users_added,
        "user-remove": user_remove,
        "audit": audit,
        "forbidden": forbidden,
        "later": later,
        "login-locked": login_locked,  # last: it slows every login from this address
    }


def make_box(panel: PanelServer) -> str:
    """Three people and one newcomer; returns the newcomer's one-time password."""
    store = panel.users
    for name, roles in (
        ("Minh", ["ky-thuat"]),
        ("Lan", ["can-bo"]),
        ("Tuấn", ["lanh-dao"]),
    ):
        first = store.add(name, roles, by="root", origin="cli")
        store.change_password(name, first, PASSWORD, origin="192.168.1.23")
    return store.add("Hoa", ["can-bo", "lanh-dao"], by="Minh", origin="192.168.1.23")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None, help="page names to remake")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="loaxa-shots-") as temp:
        panel = start_panel(Path(temp) / "box")
        try:
            one_time = make_box(panel)
            # A morning on air, today: the daemon's times are its own, the page's "today"
            # is the machine's, so the next sessions read as today's.
            morning = datetime.now(HCM).replace(hour=6, minute=31, second=35, microsecond=0)
            status = sample_status(morning)
            socket_path = panel.data_dir / "control.sock"
            with FakeDaemon(socket_path, status) as daemon, sync_playwright() as p:
                for name, go in shots(panel, one_time).items():
                    if args.only and name not in args.only:
                        continue
                    for size, viewport in SIZES.items():
                        # The no-daemon page: the socket answers nothing useful.
                        daemon.answer = b"" if name == "home-no-daemon" else status
                        context = p.chromium.launch_persistent_context(
                            str(Path(temp) / f"profile-{name}-{size}"),
                            executable_path=str(CHROMIUM),
                            headless=True,
                            args=CHROMIUM_ARGS,
                            viewport=viewport,
                            locale="vi-VN",
                        )
                        page = context.new_page()
                        go(page)
                        target = HERE / f"{name}-{size}.png"
                        page.screenshot(path=str(target))
                        context.close()
                        print(target.relative_to(HERE.parents[1]))
        finally:
            panel.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
