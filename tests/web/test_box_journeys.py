"""The journeys of issue 14 on a phone (Chromium at 360×800), against a real box: a real
``loaxa web`` and a real ``loaxa run`` on mock pins with ALSA file capture.

What is checked is what people would observe: the pages, what reached the speakers
(the capture files), which relay was on when (the daemon's relay lines), what the log
says (``loaxa log --json``) and what the month's XLSX holds. Few tests, long ones: each
is a working day of the commune's radio.
"""

from __future__ import annotations

import array
import itertools
import re
import wave
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from firmware_host.clips import ClipLibrary
from firmware_host.demo import captured_files
from tests.helpers import make_tone, read_cut_capture, wait_until
from tests.web.livebox import LiveBox, log_json
from tests.web.panelserver import PanelServer

OWN_PASSWORD = "cá rô đồng 2026"
LEADER_PASSWORD = "trâu ăn cỏ 1975"
CLIP_SECONDS = 30


def log_in(page, panel: PanelServer, name: str, password: str) -> None:
    page.goto(panel.url + "/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill(name)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def first_login(page, panel: PanelServer, name: str, one_time: str, password: str) -> None:
    log_in(page, panel, name, one_time)
    page.wait_for_url(re.compile(r"/doi-mat-khau$"))
    page.get_by_label("Mật khẩu dùng một lần").fill(one_time)
    page.get_by_label("Mật khẩu mới", exact=True).fill(password)
    page.get_by_label("Nhập lại mật khẩu mới").fill(password)
    page.get_by_role("button", name="Lưu mật khẩu mới").click()
    page.wait_for_url(panel.url + "/")


def pitch(samples: list[int], rate: int = 48000) -> float:
    """The frequency of a tone, from its zero crossings."""
    crossings = sum(1 for a, b in itertools.pairwise(samples) if (a < 0) != (b < 0))
    return crossings / 2 / (len(samples) / rate)


def relay_states(changes: list[tuple[float, str, bool]]) -> dict[str, bool]:
    return {name: on for _at, name, on in changes}


def check_relays_safe(changes: list[tuple[float, str, bool]]) -> None:
    """Zones switch only while the amplifier is off; the amplifier never plays into no
    zone; everything is off at the end."""
    state = {"amplifier": False}
    for _at, name, on in changes:
        if name != "amplifier":
            assert not state["amplifier"], f"{name} switched with the amplifier on: {changes}"
        elif on:
            assert any(v for k, v in state.items() if k != "amplifier"), "amplifier into no zone"
        state[name] = on
    assert not any(state.values()), state


@pytest.mark.slow
def test_a_day_of_commune_radio_on_a_phone(live: LiveBox, browser, tmp_path: Path) -> None:
    panel, daemon = live.panel, live.daemon
    # The technician's evening on the box: accounts, and the siren clip for emergencies.
    lan_once = panel.add_user("Lan", "can-bo")
    tuan_once = panel.add_user("Tuấn", "lanh-dao")
    siren = ClipLibrary(panel.config).import_file(
        make_tone(tmp_path / "Còi báo bão.wav", seconds=3, frequency=880), title="Còi báo bão"
    )
    brought = make_tone(tmp_path / "Tiêm chủng sởi.mp3", seconds=CLIP_SECONDS, frequency=440)

    officer = browser().new_page()
    dialogs: list[str] = []
    officer.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    # -- Lan's first login: her own password, then the pages of an officer.
    first_login(officer, panel, "Lan", lan_once, OWN_PASSWORD)
    assert "Hộp chưa chạy" not in officer.inner_text("#status")  # the daemon answers

    # -- She uploads the clip the district sent; the box evens out its loudness.
    officer.get_by_role("link", name="Bài phát").click()
    officer.get_by_text("Tải bài lên").click()  # the form opens under its title
    officer.get_by_label("Tệp âm thanh").set_input_files(brought)
    officer.get_by_label("Tên bài").fill("Tiêm chủng sởi <đợt 2>")
    officer.get_by_role("button", name="Tải lên").click()
    officer.wait_for_url(re.compile(r"/viec/"))
    officer.get_by_text("Đã nhập bài “Tiêm chủng sởi <đợt 2>”").wait_for(timeout=60_000)
    verdict = officer.inner_text("#job")
    assert "đã chỉnh về −16,0 LUFS" in verdict and "0:30" in verdict
    clip = ClipLibrary(panel.config).find("Tiêm chủng sởi <đợt 2>")
    assert clip is not None and clip.duration == pytest.approx(CLIP_SECONDS, abs=0.05)
    officer.get_by_role("link", name="Về danh sách bài phát").click()
    card = officer.locator(f"#clip-{clip.id}")
    assert "−16,0 LUFS" in card.inner_text()
    assert card.locator("audio").get_attribute("src").endswith(f"/bai-phat/{clip.id}/nghe")

    # -- She writes the campaign in the form; a mistake is shown beside its field.
    officer.get_by_role("link", name="Lịch phát").click()
    officer.get_by_role("link", name="Thêm chiến dịch").click()
    today = datetime.now(panel.config.timezone)
    officer.get_by_label("Tên chiến dịch").fill("Tiêm chủng sởi")
    officer.get_by_label("Ngày bắt đầu").fill(today.date().isoformat())
    last_day = (today + timedelta(days=6)).date().isoformat()
    officer.get_by_label("Ngày kết thúc").fill(last_day)
    slot = officer.locator("#slot-0")
    slot.get_by_label("Tên khung giờ").fill("sáng")
    slot.get_by_label("Giờ phát").fill("25:00")
    for day in ("T2", "T3", "T4", "T5", "T6", "T7", "CN"):
        slot.get_by_text(day, exact=True).click()
    slot.get_by_label("Bài 1").select_option(clip.id)
    officer.get_by_role("button", name="Lưu lịch").click()
    beside = officer.locator("#field-slot-0-time .field-error")
    assert "25:00 không phải là giờ trong ngày" in beside.inner_text()
    assert officer.locator(".field-error").count() == 1  # nothing else is wrong
    assert not list(panel.config.scheduler.schedules_dir.glob("*.toml"))  # not saved
    at = datetime.now(panel.config.timezone).replace(microsecond=0) + timedelta(seconds=20)
    officer.locator("#slot-0").get_by_label("Giờ phát").fill(at.strftime("%H:%M:%S"))
    officer.get_by_role("button", name="Lưu lịch").click()
    officer.wait_for_url(re.compile(r"/lich-phat#"))
    assert "Đã lưu lịch “Tiêm chủng sởi”" in officer.inner_text("main")
    (written,) = panel.config.scheduler.schedules_dir.glob("*.toml")
    assert f'time = "{at:%H:%M:%S}"' in written.read_text("utf-8")  # hand-editable TOML
    officer.get_by_role("link", name="7 ngày tới").click()
    today_card = officer.locator(f"#ngay-{at.date().isoformat()}")
    assert f"{at:%H:%M:%S} Tiêm chủng sởi / sáng" in today_card.inner_text().replace("\n", " ")

    # -- It airs, and the home page shows it.
    officer.get_by_role("link", name="Trang chủ").click()
    officer.get_by_text("Đang phát", exact=True).wait_for(timeout=40_000)
    # The session shows from its warm-up on; its clip once the amplifier is ready.
    officer.locator("#status").get_by_text("Tiêm chủng sởi <đợt 2>").wait_for(timeout=10_000)
    shown = officer.inner_text("#status")
    assert "Tiêm chủng sởi / sáng" in shown and "Tiêm chủng sởi <đợt 2>" in shown

    # -- The storm: the chairman cuts it from his phone.
    leader = browser().new_page()
    first_login(leader, panel, "Tuấn", tuan_once, LEADER_PASSWORD)
    leader.get_by_role("link", name="Khẩn cấp").click()
    leader.get_by_label("Còi báo bão").check()
    leader.get_by_label("thon-1", exact=True).check()
    leader.get_by_label("Lý do (bắt buộc)").fill("Bão số 3 đổ bộ")
    leader.get_by_role("button", name="Tiếp: xem lại trước khi phát").click()
    confirm = leader.inner_text("main")
    assert "Bài: Còi báo bão" in confirm and "Vùng loa: thon-1" in confirm
    assert "Lý do: Bão số 3 đổ bộ" in confirm
    leader.get_by_role("button", name="PHÁT KHẨN CẤP NGAY").click()
    leader.wait_for_url(panel.url + "/")
    assert "Đang phát khẩn cấp: Bão số 3 đổ bộ." in leader.inner_text("main")

    def sessions() -> list[dict]:
        return [row for row in log_json(live.data_dir) if row["kind"] == "session"]

    wait_until(
        lambda: [s["status"] for s in sessions()] == ["preempted", "completed"],
        timeout=30,
        what=sessions,
    )
    cut, storm = sessions()
    assert cut["campaign"] == "Tiêm chủng sởi" and cut["slot"] == "sáng"
    assert storm["tier"] == "khan-cap" and storm["reason"] == "Bão số 3 đổ bộ"
    assert storm["by"] == "Tuấn" and storm["zones"] == ["thon-1"]
    wait_until(
        lambda: not any(relay_states(daemon.relay_changes()).values()),
        10,
        what=lambda: "".join(daemon.output),
    )

    # What reached the speakers: the campaign's tone, cut short; then the siren, whole.
    heard = captured_files(live.capture_dir)
    assert len(heard) == 2, heard
    campaign_audio = read_cut_capture(heard[0])
    assert 1.0 < len(campaign_audio) / 48000 < CLIP_SECONDS - 5
    assert pitch(campaign_audio) == pytest.approx(440, rel=0.02)
    with wave.open(str(heard[1]), "rb") as capture:
        siren_audio = array.array("h", capture.readframes(capture.getnframes())).tolist()
    assert siren.duration <= len(siren_audio) / 48000 < siren.duration + 0.5  # whole
    assert pitch(siren_audio[: int(siren.duration * 48000)]) == pytest.approx(880, rel=0.02)
    # Which relay was on when: every zone switched with the amplifier off, twice on.
    changes = daemon.relay_changes()
    check_relays_safe(changes)
    assert [on for _at, name, on in changes if name == "amplifier"] == [True, False, True, False]

    # -- The month's report, downloaded on the phone, says what the log says.
    officer.get_by_role("link", name="Nhật ký").click()
    listed = officer.inner_text("main")
    assert "bị cắt (khẩn cấp)" in listed and "Lý do: Bão số 3 đổ bộ" in listed
    with officer.expect_download() as download:
        officer.get_by_role("link", name="Excel (XLSX)").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.startswith(f"Báo cáo tuyên truyền tháng {today:%Y-%m} - Xã Hòa Phú")
    check_workbook(saved, log_json(live.data_dir))
    assert dialogs == []  # a title with <đợt 2> never ran as markup


def check_workbook(path: Path, logged: list[dict]) -> None:
    import openpyxl

    workbook = openpyxl.load_workbook(path)
    entries = list(workbook["Nhật ký phát"].iter_rows(values_only=True))
    header, rows = entries[0], entries[1:]
    column = {name: header.index(name) for name in ("Mã buổi phát", "Kết quả", "Tên bài")}
    assert len(rows) == len(logged)
    sessions = sorted(e["session_id"] for e in logged)
    assert sorted(r[column["Mã buổi phát"]] for r in rows) == sessions
    summary = {
        row[0]: row[1]
        for row in workbook["Tổng hợp"].iter_rows(values_only=True)
        if row and isinstance(row[0], str)
    }
    plays = [e for e in logged if e["kind"] == "clip" and e["status"] == "completed"]
    # The siren's play; the one cut by it is not counted.
    assert summary["Số lượt phát trọn vẹn"] == len(plays) == 1
    completed = [e for e in logged if e["kind"] == "session" and e["status"] == "completed"]
    assert summary["Số buổi phát trọn vẹn"] == len(completed) == 1
