"""The daemon around the session: reloading schedules, and never dropping a slot."""

from __future__ import annotations

import contextlib
import json
import time
from datetime import datetime, timedelta

import pytest

from firmware_host.clips import ClipLibrary
from firmware_host.daemon import Daemon
from firmware_host.playlog import PlayLog
from tests.conftest import write_box_config
from tests.helpers import make_tone, wait_until


def slot_file(at: datetime, clip_id: str, name: str, time_text: str | None = None) -> str:
    return (
        '[campaign]\nname = "Thử"\n'
        f"start = {at.date().isoformat()}\nend = {(at + timedelta(days=1)).date()}\n\n"
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
    if now.hour == 0 and now.minute < 12:
        pytest.skip("needs ten minutes of today behind us")
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
    if now.hour == 0 and now.minute < 32:
        pytest.skip("needs half an hour of today behind us")
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
