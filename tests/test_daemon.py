"""The daemon around the session: reloading schedules, and never dropping a slot."""

from __future__ import annotations

import contextlib
import json
import time
from datetime import datetime, timedelta

import pytest

from firmware_host.clips import ClipLibrary
from firmware_host.daemon import Daemon
from firmware_host.logbook.playlog import PlayLog
from firmware_host.textout import hm
from tests.conftest import write_box_config
from tests.helpers import captured_files, make_tone, wait_until


def slot_file(at: datetime, clip_id: str, name: str, time_text: str | None = None) -> str:
    return (
        '[campaign]\nname = "Thử"\n'
        f"start = {(at - timedelta(days=1)).date()}\nend = {(at + timedelta(days=1)).date()}\n\n"
        f'[[slot]]\nname = "{name}"\ntime = "{time_text or f"{at:%H:%M:%S}"}"\n'
        f'days = "hằng ngày"\nplaylist = ["{clip_id}"]\nzones = ["thon-1"]\n'
    )


@pytest.fixture
def clip(box, tmp_path):
    return ClipLibrary(box).import_file(make_tone(tmp_path / "Ngắn.wav", seconds=1.0))


def sessions(box) -> list[dict]:
    return [r for r in PlayLog(box.log_dir, box.timezone).entries() if r["kind"] == "session"]


@pytest.mark.slow
def test_changed_schedules_are_picked_up_and_a_bad_one_is_refused(box, pins, clip):
    path = box.scheduler.schedules_dir / "lich.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    now = datetime.now(box.timezone).replace(microsecond=0)
    path.write_text(slot_file(now + timedelta(seconds=4), clip.id, "sáng"), "utf-8")
    said: list[str] = []
    daemon = Daemon(box, pin_factory=pins, announce=said.append)
    daemon.start()
    try:
        # Edited into nonsense while running: refused, the last good version keeps going.
        path.write_text(slot_file(now, clip.id, "sáng", time_text="25:00"), "utf-8")
        wait_until(lambda: any("bản đúng trước đó" in line for line in said), timeout=5)
        assert any("dòng 8" in line and "25:00" in line for line in said)
        wait_until(lambda: [s["status"] for s in sessions(box)] == ["completed"], timeout=10)
        # A good edit is picked up without a restart.
        later = datetime.now(box.timezone).replace(microsecond=0) + timedelta(seconds=2)
        path.write_text(slot_file(later, clip.id, "trưa"), "utf-8")
        wait_until(
            lambda: len(sessions(box)) == 2 and sessions(box)[1]["status"] != "started", timeout=10
        )
    finally:
        daemon.stop()
    done = sessions(box)
    assert [(s["slot"], s["status"]) for s in done] == [
        ("sáng", "completed"),
        ("trưa", "completed"),
    ]
    late = datetime.fromisoformat(done[1]["started"]) - datetime.fromisoformat(done[1]["scheduled"])
    assert late.total_seconds() < 1


@pytest.mark.slow
def test_a_slot_the_scheduler_could_not_start_in_time_is_logged_missed(tmp_path, capture_dir, pins):
    box = write_box_config(tmp_path / "box", grace=1)
    clip = ClipLibrary(box).import_file(make_tone(tmp_path / "Ngắn.wav", seconds=1.0))
    at = datetime.now(box.timezone).replace(microsecond=0) + timedelta(seconds=2)
    box.scheduler.schedules_dir.mkdir(parents=True)
    (box.scheduler.schedules_dir / "a.toml").write_text(slot_file(at, clip.id, "sáng"), "utf-8")
    daemon = Daemon(box, pin_factory=pins, announce=lambda _line: None)
    daemon.start()
    try:
        daemon.scheduler.pause()  # the scheduler thread is held up (e.g. the clock jumped)
        time.sleep(max(0.0, (at - datetime.now(box.timezone)).total_seconds()) + 2)
        daemon.scheduler.resume()
        wait_until(lambda: len(sessions(box)) == 1, timeout=5)
    finally:
        daemon.stop()
    [missed] = sessions(box)
    assert missed["status"] == "missed" and missed["slot"] == "sáng"
    assert "1 giây cho phép" in missed["error"]
    assert missed["scheduled"].startswith(at.isoformat(timespec="seconds")[:19])
    assert not any(pins.pin(n).state for n in (17, 27, 22, 23))


def test_slots_that_fell_while_the_box_was_off_are_logged_missed(box, pins, clip):
    now = datetime.now(box.timezone).replace(microsecond=0)
    off_since = now - timedelta(minutes=10)
    (box.data_dir / "state.json").write_text(
        json.dumps({"last_alive": off_since.isoformat()}), "utf-8"
    )
    box.scheduler.schedules_dir.mkdir(parents=True, exist_ok=True)
    (box.scheduler.schedules_dir / "a.toml").write_text(
        slot_file(now - timedelta(minutes=6), clip.id, "sáng"), "utf-8"
    )
    daemon = Daemon(box, pin_factory=pins, announce=lambda _line: None)
    daemon.start()
    daemon.stop()
    [missed] = sessions(box)
    assert missed["status"] == "missed"
    assert off_since.strftime("%d/%m/%Y %H:%M") in missed["error"]
    # and a restart does not log it twice
    daemon = Daemon(box, pin_factory=pins, announce=lambda _line: None)
    daemon.start()
    daemon.stop()
    assert len(sessions(box)) == 1


def test_systemd_hears_ready_and_a_watchdog_only_while_the_loop_runs(
    box, pins, tmp_path, monkeypatch
):
    import socket

    address = str(tmp_path / "notify.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(address)
    listener.settimeout(0.05)
    monkeypatch.setenv("NOTIFY_SOCKET", address)
    monkeypatch.setenv("WATCHDOG_USEC", "400000")  # pet every 0.2 s
    monkeypatch.delenv("WATCHDOG_PID", raising=False)

    def heard(seconds: float) -> list[str]:
        messages, deadline = [], time.monotonic() + seconds
        while time.monotonic() < deadline:
            with contextlib.suppress(TimeoutError):
                messages.append(listener.recv(4096).decode())
        return messages

    daemon = Daemon(box, pin_factory=pins, announce=lambda _line: None)
    daemon.start()
    try:
        first = heard(1.0)
        assert first[0].startswith("READY=1\nSTATUS=")
        assert first.count("WATCHDOG=1") >= 3
        daemon.scheduler.pause()  # the scheduler loop stops dispatching
        heard(0.3)  # a pet already under way may still arrive
        assert "WATCHDOG=1" not in heard(1.0)
        daemon.scheduler.resume()
        assert "WATCHDOG=1" in heard(1.0)
    finally:
        daemon.stop()
    assert "STOPPING=1" in heard(0.3)
    listener.close()


def test_catch_up_plays_the_latest_missed_slot_when_configured(tmp_path, capture_dir, pins):
    box = write_box_config(tmp_path / "box")
    config_file = box.data_dir / "loaxa.toml"
    config_file.write_text(
        config_file.read_text("utf-8").replace(
            "[audio]", "[clock]\ncatch_up_minutes = 10\n\n[audio]"
        ),
        "utf-8",
    )
    from firmware_host.config import load_config

    box = load_config(box.data_dir)
    assert box.clock.catch_up_minutes == 10
    clip = ClipLibrary(box).import_file(make_tone(tmp_path / "Ngắn.wav", seconds=1.0))
    now = datetime.now(box.timezone).replace(microsecond=0)
    (box.data_dir / "state.json").write_text(
        json.dumps({"last_alive": (now - timedelta(minutes=30)).isoformat()}), "utf-8"
    )
    box.scheduler.schedules_dir.mkdir(parents=True, exist_ok=True)
    for name, minutes in (("cu", 20), ("moi", 6)):  # 20 min ago: too old; 6 min: caught up
        (box.scheduler.schedules_dir / f"{name}.toml").write_text(
            slot_file(now - timedelta(minutes=minutes), clip.id, name), "utf-8"
        )
    daemon = Daemon(box, pin_factory=pins, announce=lambda _line: None)
    daemon.start()
    try:
        wait_until(
            lambda: (
                len(sessions(box)) == 2 and all(s["status"] != "started" for s in sessions(box))
            ),
            timeout=10,
            what=lambda: [(s["slot"], s["status"], s["error"]) for s in sessions(box)],
        )
    finally:
        daemon.stop()
    done = {s["slot"]: s for s in sessions(box)}
    assert done["cu"]["status"] == "missed"
    assert done["moi"]["status"] == "completed" and done["moi"]["late_seconds"] > 300


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    from firmware_host.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_nested_file_beside_a_good_one_stops_neither_the_daemon_nor_the_good_slot(
    box, pins, clip
):
    directory = box.scheduler.schedules_dir
    directory.mkdir(parents=True, exist_ok=True)
    at = datetime.now(box.timezone).replace(microsecond=0) + timedelta(seconds=3)
    good = directory / "a.toml"
    good.write_text(slot_file(at, clip.id, "sáng"), "utf-8")
    deep = directory / "b.toml"
    deep.write_text("a = " + "[" * 100_000, "utf-8")
    said: list[str] = []
    daemon = Daemon(box, pin_factory=pins, announce=said.append)
    daemon.start()
    try:
        wait_until(
            lambda: [s["status"] for s in sessions(box)] == ["completed"],
            timeout=10,
            what=lambda: sessions(box),
        )
        # Another file changes: the refusal is not repeated, the reload is told once.
        good.write_text(slot_file(at, clip.id, "sáng") + "\n", "utf-8")
        wait_until(lambda: any(line.startswith("Đã đọc lại lịch") for line in said), timeout=5)
    finally:
        daemon.stop()
    about_deep = [line for line in said if "b.toml" in line]
    assert about_deep == [
        f"{deep}, dòng 1: các dấu ngoặc lồng vào nhau quá sâu nên không đọc được tệp lịch;"
        ' mỗi giá trị chỉ cần một cặp ngoặc, ví dụ days = ["T2", "T4"]',
        "Tệp lịch 'b.toml' có lỗi nên chưa được dùng. Sửa lỗi theo các dòng trên rồi lưu lại.",
    ]
    assert [line for line in said if line.startswith("Đã đọc lại lịch")] == [
        "Đã đọc lại lịch phát: 2 tệp lịch, 1 buổi phát trong 26 giờ tới."
    ]


@pytest.mark.slow
def test_the_last_good_version_plays_after_a_bad_edit_and_a_restart(box, pins, clip, capsys):
    directory = box.scheduler.schedules_dir
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "lich.toml"
    at = datetime.now(box.timezone).replace(microsecond=0) + timedelta(seconds=6)
    path.write_text(slot_file(at, clip.id, "sáng"), "utf-8")
    daemon = Daemon(box, pin_factory=pins, announce=lambda _line: None)
    daemon.start()  # accepts the file, and keeps it
    daemon.stop()
    # Edited into nonsense while the box was off (or just before a power cut).
    path.write_text(slot_file(at, clip.id, "sáng", time_text="25:00"), "utf-8")
    said: list[str] = []
    daemon = Daemon(box, pin_factory=pins, announce=said.append)
    daemon.start()
    try:
        code, out, err = run_cli(capsys, "--data-dir", str(box.data_dir), "schedule", "show")
        assert code == 0 and "Thử (bản trước)" in out and "sáng" in out
        assert "→ Hộp đang chạy bản đúng trước đó của 'lich.toml' (lưu lúc " in err
        code, out, _ = run_cli(capsys, "--data-dir", str(box.data_dir), "schedule", "check")
        assert code == 1 and "dòng 8" in out and "25:00" in out
        assert "→ Hộp đang chạy bản đúng trước đó của 'lich.toml'" in out
        wait_until(
            lambda: [s["status"] for s in sessions(box)] == ["completed"],
            timeout=12,
            what=lambda: sessions(box),
        )
    finally:
        daemon.stop()
    [played] = sessions(box)
    assert played["slot"] == "sáng" and played["scheduled"].startswith(at.isoformat()[:19])
    kept = [line for line in said if "bản đúng trước đó" in line]
    assert len(kept) == 1 and kept[0].startswith("Tệp lịch 'lich.toml' có lỗi nên bị từ chối")
    events = [e for e in PlayLog(box.log_dir, box.timezone).entries() if e["kind"] == "event"]
    assert [e["note"] for e in events] == kept

    # Deleting the file is how a campaign is stopped: its copy goes too.
    path.unlink()
    daemon = Daemon(box, pin_factory=pins, announce=lambda _line: None)
    daemon.start()
    daemon.stop()
    assert not (box.data_dir / "schedules-last-good" / "lich.toml").exists()
    path.write_text(slot_file(at, clip.id, "sáng", time_text="25:00"), "utf-8")
    code, out, err = run_cli(capsys, "--data-dir", str(box.data_dir), "schedule", "show")
    assert "bản đúng trước đó" not in err and "Không có buổi phát nào" in out


def box_with(tmp_path, *, grace: int, catch_up_minutes: int = 0):
    from firmware_host.config import load_config

    box = write_box_config(tmp_path / "box", grace=grace)
    if catch_up_minutes:
        config_file = box.data_dir / "loaxa.toml"
        text = config_file.read_text("utf-8").replace(
            "[audio]", f"[clock]\ncatch_up_minutes = {catch_up_minutes}\n\n[audio]"
        )
        config_file.write_text(text, "utf-8")
        box = load_config(box.data_dir)
    box.scheduler.schedules_dir.mkdir(parents=True, exist_ok=True)
    return box


def off_since(box, moment: datetime) -> None:
    (box.data_dir / "state.json").write_text(
        json.dumps({"last_alive": moment.isoformat()}), "utf-8"
    )


def finished(box, count: int) -> bool:
    done = sessions(box)
    return len(done) == count and all(s["status"] != "started" for s in done)


@pytest.mark.slow
def test_after_an_outage_only_the_latest_slot_within_the_grace_plays(tmp_path, capture_dir, pins):
    """Ten minutes off; three slots fell in the last six seconds (within the grace): one
    plays, not three back to back, and each of the others says why it did not."""
    box = box_with(tmp_path, grace=20)
    clip = ClipLibrary(box).import_file(make_tone(tmp_path / "Ngắn.wav", seconds=1.0))
    now = datetime.now(box.timezone).replace(microsecond=0)
    off_since(box, now - timedelta(minutes=10))
    ago = {"cu": 60, "a": 6, "b": 4, "c": 2}  # seconds before now; sessions last 1.6 s
    for name, seconds in ago.items():
        (box.scheduler.schedules_dir / f"{name}.toml").write_text(
            slot_file(now - timedelta(seconds=seconds), clip.id, name), "utf-8"
        )
    daemon = Daemon(box, pin_factory=pins, announce=lambda _line: None)
    daemon.start()
    try:
        wait_until(lambda: finished(box, 4), timeout=10, what=lambda: sessions(box))
        time.sleep(2)  # nothing else follows
    finally:
        daemon.stop()
    done = {s["slot"]: s for s in sessions(box)}
    assert {slot: s["status"] for slot, s in done.items()} == {
        "cu": "missed",
        "a": "missed",
        "b": "missed",
        "c": "completed",
    }
    assert "hoạt động lần cuối lúc" in done["cu"]["error"]
    later = f"buổi 'c' lúc {hm(now - timedelta(seconds=2))} mới hơn được phát thay"
    assert later in done["a"]["error"] and later in done["b"]["error"]
    assert len(captured_files(capture_dir)) == 1


@pytest.mark.slow
def test_a_slot_that_waits_beyond_its_own_grace_is_missed_and_says_for_whom(
    tmp_path, capture_dir, pins
):
    """A catch-up is on air for 6.6 s; the next slot falls 4 s after the start with a
    1 s grace: it does not go out seconds late, it is missed, naming the catch-up."""
    box = box_with(tmp_path, grace=1, catch_up_minutes=10)
    clip = ClipLibrary(box).import_file(make_tone(tmp_path / "Dài.wav", seconds=6.0))
    now = datetime.now(box.timezone).replace(microsecond=0)
    off_since(box, now - timedelta(minutes=30))
    at = now + timedelta(seconds=4)
    for name, moment in (("cu", now - timedelta(minutes=5)), ("moi", at)):
        (box.scheduler.schedules_dir / f"{name}.toml").write_text(
            slot_file(moment, clip.id, name), "utf-8"
        )
    said: list[str] = []
    daemon = Daemon(box, pin_factory=pins, announce=said.append)
    daemon.start()
    try:
        wait_until(lambda: finished(box, 2), timeout=12, what=lambda: sessions(box))
    finally:
        daemon.stop()
    done = {s["slot"]: s for s in sessions(box)}
    assert done["cu"]["status"] == "completed" and done["cu"]["late_seconds"] > 290
    assert done["moi"]["status"] == "missed"
    assert done["moi"]["error"].startswith(
        "không bắt đầu được trong 1 giây cho phép vì phải chờ 'Thử / cu' kết thúc (trễ "
    )
    assert f"BỎ LỠ buổi phát {at:%d/%m %H:%M:%S} (Thử / moi): " + done["moi"]["error"] in said
    assert len(captured_files(capture_dir)) == 1


def test_waiting_for_a_holder_without_a_name_says_so_not_none(box, pins, clip):
    """The relay sweep holds the air without a session: the waiting line named 'None'."""
    from firmware_host.broadcast.session import BroadcastRequest

    said: list[str] = []
    daemon = Daemon(box, pin_factory=pins, announce=said.append)
    daemon.start()
    try:
        now = datetime.now(box.timezone)
        request = BroadcastRequest(
            playlist=(clip.id,),
            zones=("thon-1",),
            trigger="schedule",
            scheduled=now,
            campaign="Thử",
            slot="sáng",
            plan_key="x#sáng@now",
        )
        from firmware_host.broadcast.policy import Ticket
        from firmware_host.messages import t

        air = daemon.broadcaster._air
        sweep = Ticket("thuong", now, t("session.someone"))
        assert air.hold_if_idle(sweep)  # what switch_off_if_unknown does
        try:
            outcome = daemon.broadcaster.broadcast(request, start_by=now + timedelta(seconds=1))
        finally:
            air.leave(sweep)
    finally:
        daemon.stop()
    assert not any("None" in line for line in said)
    assert "Đang có buổi phát khác (việc khác của hộp); buổi này chờ đến lượt." in said
    assert outcome.status == "missed"
    assert outcome.error.startswith(
        "không bắt đầu được trong 1 giây cho phép vì phải chờ 'việc khác của hộp' kết thúc"
    )
