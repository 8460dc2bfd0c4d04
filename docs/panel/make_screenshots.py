"""Remake docs/panel/*.png: every page of the web panel at 360×800 (a phone) and 1280×800.

A real panel (``loaxa web``) runs on a temporary box of Xã Hòa Phú,
station Hòa Xuân, that requires the leadership's approval of schedules, with three
accounts, a few clips, three campaigns (one with a mistake, one edited since its
approval) and a month of log; the pages that ask the daemon read a socket speaking its control
API (``tests/web/fakedaemon.py``: a box on air in the morning). Debian's chromium,
driven by Playwright, logs in as each person and photographs what they see.

Needs what the tests need (``bash scripts/dev.sh setup``: chromium and playwright).

    python docs/panel/make_screenshots.py [--only login home ...]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # the checkout: tests/web/ holds the fakes

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from firmware_host.clips import ClipLibrary  # noqa: E402
from firmware_host.demo import use_capture_device  # noqa: E402
from firmware_host.logbook.playlog import PlayLog  # noqa: E402
from firmware_host.schedules.approvals import Approvals  # noqa: E402
from firmware_host.web.authors import Authors  # noqa: E402
from tests.helpers import make_tone  # noqa: E402
from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.web.fakedaemon import HCM, FakeDaemon, sample_status  # noqa: E402
from tests.web.livebox import BOX_TABLES  # noqa: E402
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

    def go(path: str, who: str = "Lan") -> Callable[[Page], None]:
        def visit(page: Page) -> None:
            log_in(page, panel, who)
            page.goto(panel.url + path)

        return visit

    def clip_import(page: Page) -> None:
        log_in(page, panel, "Lan")
        page.goto(panel.url + "/bai-phat")
        page.get_by_text("Tải bài lên").click()
        page.get_by_label("Tệp âm thanh").set_input_files(samples(panel) / "Họp dân thôn 3.mp3")
        page.get_by_role("button", name="Tải lên").click()
        page.wait_for_url(re.compile(r"/viec/"))
        page.locator("#job [data-final]").wait_for(timeout=60_000)
        made = re.search(r"\(mã ([a-z0-9-]+),", page.inner_text("main"))
        assert made, page.inner_text("main")
        ClipLibrary(panel.config).remove(made.group(1))  # for the other screen size

    def say_preview(page: Page) -> None:
        log_in(page, panel, "Lan")
        page.goto(panel.url + "/bai-phat/doc-van-ban")
        page.get_by_label("Văn bản cần đọc").fill(
            "UBND xã thông báo: chiều nay 16/9, cắt nước từ 14h-17h để sửa đường ống."
        )
        page.get_by_label("Tên bài (khi lưu)").fill("Cắt nước chiều 16/9")
        page.get_by_role("button", name="Nghe thử").click()
        page.get_by_text("Hộp sẽ đọc đúng những chữ này").scroll_into_view_if_needed()

    def campaign_error(page: Page) -> None:
        log_in(page, panel, "Lan")
        page.goto(panel.url + "/lich-phat/moi")
        page.get_by_label("Tên chiến dịch").fill("Phòng chống sốt xuất huyết")
        today = datetime.now(HCM).date()
        page.get_by_label("Ngày bắt đầu").fill(today.isoformat())
        page.get_by_label("Ngày kết thúc").fill(today.isoformat())
        slot = page.locator("#slot-0")
        slot.get_by_label("Tên khung giờ").fill("chiều")
        slot.get_by_label("Giờ phát").fill("17h30")
        for day in ("T2", "T4", "T6"):
            slot.get_by_text(day, exact=True).click()
        slot.get_by_label("Bài 1").select_option("phong-chong-sot-xuat-huyet")
        page.get_by_role("button", name="Lưu lịch").click()
        page.locator("#slot-0").evaluate("slot => slot.scrollIntoView({block: 'start'})")

    def emergency_confirm(page: Page) -> None:
        log_in(page, panel, "Tuấn")
        page.goto(panel.url + "/khan-cap")
        page.get_by_label("Còi báo bão").check()
        page.get_by_label("Lý do (bắt buộc)").fill("Bão số 3 đổ bộ")
        page.get_by_role("button", name="Tiếp: xem lại trước khi phát").click()

    def checks_question(page: Page) -> None:
        log_in(page, panel, "Minh")
        page.goto(panel.url + "/he-thong/kiem-tra")
        # The other screen size's self-test still waits for answers (and holds the relays).
        for link in [a.get_attribute("href") for a in page.locator("a[href^='/viec/']").all()]:
            page.goto(panel.url + link)
            while page.locator("[data-final]").count() == 0:
                if page.get_by_role("button", name="Không").count():
                    page.get_by_role("button", name="Không").click()
                page.wait_for_timeout(300)
        page.goto(panel.url + "/he-thong/kiem-tra")
        page.get_by_role("button", name="Chạy tự kiểm tra").click()
        page.get_by_text("Có nghe tiếng tách không?").wait_for(timeout=30_000)

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
        "clips": go("/bai-phat"),
        "clip-import": clip_import,
        "say-preview": say_preview,
        "clip-play": go("/bai-phat/thong-bao-hop-dan/phat"),
        "schedules": go("/lich-phat"),
        "campaign-error": campaign_error,
        "campaign-text": go("/lich-phat/sot-xuat-huyet-cu.toml/van-ban"),
        "calendar": go("/lich-phat/7-ngay"),
        "approval": go("/duyet", "Tuấn"),
        "approval-file": go("/duyet/tiem-chung.toml", "Tuấn"),
        "emergency": go("/khan-cap", "Tuấn"),
        "emergency-confirm": emergency_confirm,
        "log": go("/nhat-ky"),
        "checks": go("/he-thong/kiem-tra", "Minh"),
        "checks-question": checks_question,  # the daemon does not answer (below)
        "settings": go("/he-thong/cau-hinh", "Minh"),
        "login-locked": login_locked,  # last: it slows every login from this address
    }


def samples(panel: PanelServer) -> Path:
    return panel.data_dir.parent / "samples"


def make_clips(panel: PanelServer) -> None:
    """The commune's clips, made by ffmpeg (tones: a picture needs no speech)."""
    library = ClipLibrary(panel.config)
    samples(panel).mkdir(exist_ok=True)
    for title, seconds, hertz in (
        ("Thông báo họp dân", 95, 440),
        ("Phòng chống sốt xuất huyết", 184, 523),
        ("Còi báo bão", 12, 880),
        ("Tiêm chủng mở rộng", 121, 392),
    ):
        made = make_tone(samples(panel) / f"{title}.mp3", seconds=seconds, frequency=hertz)
        library.import_file(made, title=title)
    make_tone(samples(panel) / "Họp dân thôn 3.mp3", seconds=240, frequency=330)


CAMPAIGNS = {
    "hop-dan.toml": """\
# Thông báo họp dân tháng này (viết tay, sửa trên trang điều khiển cũng được)
[campaign]
name = "Họp dân cuối năm"
start = {start}
end = {end}

[[slot]]
name = "sáng"
time = "06:30"
days = "hằng ngày"
playlist = ["thong-bao-hop-dan"]
zones = "tất cả"

[[slot]]
name = "chiều"
time = "17:00"
days = "T2-T6"
playlist = ["thong-bao-hop-dan", "tiem-chung-mo-rong"]
repeat = 2
zones = ["thon-1", "thon-2"]
""",
    "sot-xuat-huyet-cu.toml": """\
[campaign]
name = "Sốt xuất huyết (bản cũ)"
start = {start}
end = {end}

[[slot]]
name = "trưa"
time = "11:45"
days = "T3, T5"
playlist = ["bai-khong-co"]
zones = ["thon-4"]
""",
}


TIEM_CHUNG = """\
[campaign]
name = "Tiêm chủng mở rộng tháng này"
start = {start}
end = {end}

[[slot]]
name = "sáng"
time = "{time}"
days = "T2-T6"
playlist = ["tiem-chung-mo-rong"{more}]
zones = ["thon-1", "thon-2"]
"""


def make_approvals(panel: PanelServer) -> None:
    """The commune requires approval: Tuấn approved the meeting notice and the first
    version of Lan's vaccination campaign; Lan has since moved its time and added a
    clip through the panel, so it waits for approval again."""
    config = panel.config
    folder = config.scheduler.schedules_dir
    approvals, authors = Approvals(config.log_dir), Authors(config.data_dir / "web")
    now = datetime.now(HCM).replace(second=0, microsecond=0)
    approvals.approve(folder / "hop-dan.toml", "Tuấn", now - timedelta(days=3))
    dates = {"start": now.date().replace(day=1), "end": now.date() + timedelta(days=30)}
    first = TIEM_CHUNG.format(**dates, time="06:45", more="")
    (folder / "tiem-chung.toml").write_text(first, "utf-8")
    authors.wrote("tiem-chung.toml", first, "Lan", now - timedelta(days=2, hours=3))
    approvals.approve(folder / "tiem-chung.toml", "Tuấn", now - timedelta(days=2))
    authors.keep_text(first)
    second = TIEM_CHUNG.format(**dates, time="07:15", more=', "thong-bao-hop-dan"')
    (folder / "tiem-chung.toml").write_text(second, "utf-8")
    authors.wrote("tiem-chung.toml", second, "Lan", now - timedelta(minutes=40))


def make_log(panel: PanelServer) -> None:
    """A month of sessions in the daemon's own log format."""
    config = panel.config
    log = PlayLog(config.log_dir, config.timezone)
    library = ClipLibrary(config)
    clip = library.find("thong-bao-hop-dan")
    now = datetime.now(HCM).replace(hour=6, minute=30, second=0, microsecond=0)
    outcomes = ["completed"] * 9 + ["missed", "completed", "preempted"]
    for days_ago, status in enumerate(outcomes):
        at = now - timedelta(days=min(days_ago, now.day - 1))
        if status == "missed":
            log.record_missed(
                scheduled=at, campaign="Họp dân cuối năm", slot="sáng",
                zones=["thon-1", "thon-2", "thon-3"], playlist=[clip.id],
                plan_key=f"shot-{days_ago}", reason="Mất điện lúc 06:12, có điện lại 07:05.",
                now=at,
            )  # fmt: skip
            continue
        session = log.start_session(
            trigger="schedule", scheduled=at, started=at, campaign="Họp dân cuối năm",
            slot="sáng", zones=["thon-1", "thon-2", "thon-3"], playlist=[clip.id],
            plan_key=f"shot-{days_ago}",
        )  # fmt: skip
        played = log.start_clip(session, started=at, clip=clip, play_index=1)
        seconds = clip.duration if status == "completed" else 41.5
        end = at + timedelta(seconds=seconds)
        log.finish(played, status, ended=end, seconds=seconds)
        log.finish(session, status, ended=end, seconds=seconds + 2.6)
        if status == "preempted":
            siren = library.find("coi-bao-bao")
            storm = at + timedelta(seconds=42)
            cut = log.start_session(
                trigger="manual", scheduled=None, started=storm, campaign=None, slot="khẩn cấp",
                zones=["thon-1", "thon-2", "thon-3"], playlist=[siren.id], tier="khan-cap",
                reason="Bão số 3 đổ bộ", by="Tuấn",
            )  # fmt: skip
            log.finish(cut, "completed", ended=storm + timedelta(seconds=15), seconds=15.0)
    log.close()


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
        use_capture_device(Path(temp) / "alsa")  # the self-test's tone goes to a file
        tables = BOX_TABLES + "[policy]\nrequire_approval = true\n"
        panel = start_panel(Path(temp) / "box", max_upload_mb=20, tables=tables)
        try:
            one_time = make_box(panel)
            make_clips(panel)
            make_log(panel)
            folder = panel.config.scheduler.schedules_dir
            folder.mkdir(parents=True, exist_ok=True)
            today = datetime.now(HCM).date()
            for name, text in CAMPAIGNS.items():
                dates = {"start": today.replace(day=1), "end": today + timedelta(days=30)}
                (folder / name).write_text(text.format(**dates), "utf-8")
            make_approvals(panel)
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
                        alone = ("home-no-daemon", "checks-question")
                        daemon.answer = b"" if name in alone else status
                        context = p.chromium.launch_persistent_context(
                            str(Path(temp) / f"profile-{name}-{size}"),
                            executable_path=str(CHROMIUM),
                            headless=True,
                            args=[*CHROMIUM_ARGS, "--lang=vi-VN"],  # dates as in Vietnam
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
