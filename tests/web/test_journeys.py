"""What people do with the panel, in a real Chromium on a 360-px phone screen, against a
real ``loaxa web`` (and, for the home page, a socket speaking the
daemon's control API)."""

from __future__ import annotations

import re

from firmware_host.clock import ClockKeeper
from tests.web.fakedaemon import FakeDaemon, sample_status
from tests.web.panelserver import PanelServer

OWN_PASSWORD = "cá rô đồng 2026"


def log_in(page, panel: PanelServer, name: str, password: str) -> None:
    page.goto(panel.url + "/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill(name)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def nav_names(page) -> list[str]:
    return [name.strip() for name in page.locator("nav.pages a").all_inner_texts()]


def test_first_login_forces_a_new_password_then_logout(panel: PanelServer, browser) -> None:
    one_time = panel.add_user("Lan", "can-bo")
    page = browser().new_page()
    page.goto(panel.url + "/he-thong")
    assert "/dang-nhap" in page.url  # every page asks for a login first

    log_in(page, panel, "lan", one_time)
    page.wait_for_url(re.compile(r"/doi-mat-khau$"))
    assert "lần đăng nhập đầu tiên" in page.inner_text("main")
    assert nav_names(page) == []  # nothing else is offered before the new password
    page.goto(panel.url + "/")
    assert page.url.endswith("/doi-mat-khau")  # nor reachable

    page.get_by_label("Mật khẩu dùng một lần").fill(one_time)
    page.get_by_label("Mật khẩu mới", exact=True).fill(OWN_PASSWORD)
    page.get_by_label("Nhập lại mật khẩu mới").fill(OWN_PASSWORD + "!")
    page.get_by_role("button", name="Lưu mật khẩu mới").click()
    assert "không giống nhau" in page.inner_text("main")

    page.get_by_label("Mật khẩu dùng một lần").fill(one_time)
    page.get_by_label("Mật khẩu mới", exact=True).fill(OWN_PASSWORD)
    page.get_by_label("Nhập lại mật khẩu mới").fill(OWN_PASSWORD)
    page.get_by_role("button", name="Lưu mật khẩu mới").click()
    page.wait_for_url(panel.url + "/")
    assert "Đã lưu mật khẩu mới" in page.inner_text("main")
    assert nav_names(page) == ["Trang chủ", "Bài phát", "Lịch phát", "Nhật ký"]

    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(re.compile(r"/dang-nhap"))
    assert "Đã đăng xuất" in page.inner_text("main")
    page.goto(panel.url + "/")
    assert "/dang-nhap" in page.url  # the session is gone, not just the page

    log_in(page, panel, "Lan", one_time)  # the one-time password works no more
    assert "Sai tên đăng nhập hoặc mật khẩu" in page.inner_text("main")
    log_in(page, panel, "Lan", OWN_PASSWORD)
    page.wait_for_url(panel.url + "/")
    assert page.locator("nav.pages").is_visible()


def test_twenty_wrong_passwords_lock_and_a_good_one_still_waits(
    panel: PanelServer, browser
) -> None:
    one_time = panel.add_user("Lan", "can-bo")
    page = browser().new_page()
    log_in(page, panel, "Lan", "đoán-bừa")
    for _ in range(19):  # again and again, on the page the refusal came back on
        page.get_by_label("Mật khẩu").fill("đoán-bừa")
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_load_state()
    text = page.inner_text("main")
    assert "Tài khoản tạm khoá" in text and "15 phút" in text, text

    log_in(page, panel, "Lan", one_time)  # the right password, too early
    assert "/dang-nhap" in page.url
    assert "Tài khoản tạm khoá" in page.inner_text("main")

    actions = [e["action"] for e in panel.users.audit.read(panel.users.audit.months()[0])]
    assert "login.locked" in actions and "login" not in actions
    # Only the tries that were looked at were written down: the disk is not a target.
    assert actions.count("login.failed") <= 8


def test_the_language_switch_is_remembered(panel: PanelServer, browser) -> None:
    one_time = panel.add_user("Minh", "ky-thuat")
    page = browser().new_page()
    page.goto(panel.url + "/dang-nhap")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Log in").is_visible()
    page.get_by_label("User name").fill("Minh")
    page.get_by_label("Password").fill(one_time)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/doi-mat-khau$"))
    assert "This is your first login" in page.inner_text("main")
    page.get_by_label("One-time password").fill(one_time)
    page.get_by_label("New password", exact=True).fill(OWN_PASSWORD)
    page.get_by_label("New password again").fill(OWN_PASSWORD)
    page.get_by_role("button", name="Save the new password").click()
    page.wait_for_url(panel.url + "/")
    assert nav_names(page) == ["Home", "System"]
    assert "The broadcast program is not running" in page.inner_text("main")

    page.get_by_role("button", name="Tiếng Việt").click()
    page.wait_for_load_state()
    assert nav_names(page) == ["Trang chủ", "Hệ thống"]
    assert page.url == panel.url + "/"  # the switch came back to the same page


def test_home_shows_the_daemon_live(panel: PanelServer, browser) -> None:
    one_time = panel.add_user("Lan", "can-bo")
    panel.users.change_password("Lan", one_time, OWN_PASSWORD, origin="test")
    page = browser().new_page()
    log_in(page, panel, "Lan", OWN_PASSWORD)
    page.wait_for_url(panel.url + "/")
    assert "Hộp chưa chạy chương trình phát" in page.inner_text("#status")

    status = sample_status()
    with FakeDaemon(panel.data_dir / "control.sock", status) as daemon:
        # No reload: the page's own script fetches the status again within seconds.
        page.get_by_text("Đang phát", exact=True).wait_for(timeout=15_000)
        shown = page.inner_text("#status")
        assert "Phòng chống lừa đảo qua mạng / sáng" in shown
        assert "Cảnh giác cuộc gọi giả danh công an" in shown
        assert "thon-1, thon-2" in shown and "bỏ lỡ" in shown
        assert "Tiêm chủng mở rộng" in shown
        assert "Giờ của hộp đúng" in shown
        assert {r["lang"] for r in daemon.requests} == {"vi"}

        # The red button asks the daemon to stop, in the reader's name.
        page.get_by_role("button", name="Dừng phát").click()
        page.wait_for_url(panel.url + "/")
        assert {"op": "stop", "lang": "vi", "by": "Lan"} in daemon.requests

        # The page also refreshes when the phone shows it again (back from the pocket).
        daemon.answer = {**status, "on_air": None, "clock": {"trusted": False, "reason": "?"}}
        # Phones share an answer up to a second old, so the change shows within a
        # second and one of the page's own refreshes (every 5 s).
        page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
        page.get_by_text("Không phát", exact=True).wait_for(timeout=8_000)
        assert "chưa đáng tin" in page.inner_text("#status")
        assert page.get_by_role("button", name="Dừng phát").count() == 0
        # The officer vouches for the time shown, as `loaxa clock confirm` does.
        page.get_by_role("button", name="Giờ này đúng: xác nhận").click()
        assert "Đã xác nhận giờ" in page.inner_text("main")
        assert ClockKeeper(panel.data_dir, panel.config.timezone).confirmation.valid()

    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    page.get_by_text("Hộp chưa chạy chương trình phát").wait_for(timeout=8_000)


def test_technician_manages_accounts_in_the_browser(panel: PanelServer, browser) -> None:
    one_time = panel.add_user("Minh", "ky-thuat")
    panel.users.change_password("Minh", one_time, OWN_PASSWORD, origin="test")
    page = browser().new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, panel, "Minh", OWN_PASSWORD)
    page.get_by_role("link", name="Hệ thống").click()

    page.get_by_label("Tên đăng nhập").fill("<script>alert(1)</script>")
    page.locator("fieldset").get_by_text("Cán bộ", exact=True).click()
    page.locator("fieldset").get_by_text("Lãnh đạo", exact=True).click()
    page.get_by_role("button", name="Tạo tài khoản").click()
    shown = page.inner_text("#one-time-password")
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", shown)
    assert panel.users.verify("<script>alert(1)</script>", shown) is not None
    page.get_by_role("link", name="Về danh sách tài khoản").click()
    assert "<script>alert(1)</script>" in page.inner_text("main")  # as text
    assert shown not in page.content()  # shown once, never again

    card = page.locator("li.card", has_text="<script>alert(1)</script>")
    card.get_by_role("button", name="Cấp lại mật khẩu").click()
    again = page.inner_text("#one-time-password")
    assert again != shown and panel.users.verify("<script>alert(1)</script>", again)

    page.get_by_role("link", name="Về danh sách tài khoản").click()
    card = page.locator("li.card", has_text="<script>alert(1)</script>")
    card.get_by_role("button", name="Xoá").click()
    assert "Xoá hẳn tài khoản <script>alert(1)</script>?" in page.inner_text("main")
    page.get_by_role("button", name="Xoá hẳn").click()
    assert "Đã xoá tài khoản <script>alert(1)</script>." in page.inner_text("main")
    assert panel.users.get("<script>alert(1)</script>") is None

    page.get_by_role("link", name="Nhật ký thay đổi").click()
    audit = page.inner_text("main")
    for words in ("Minh tạo tài khoản <script>alert(1)</script> (Cán bộ, Lãnh đạo)",
                  "Minh cấp lại mật khẩu cho <script>alert(1)</script>",
                  "Minh xoá tài khoản <script>alert(1)</script>"):  # fmt: skip
        assert words in audit
    assert dialogs == []  # no script of anyone's ran
