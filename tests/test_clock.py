"""The clock with no battery: trust, jumps, and what the daemon does about them.

The jumps are made with time-machine, which moves the wall clock under the real
APScheduler code (threads included) while the monotonic clock keeps real time — exactly
what NTP stepping a Pi's clock looks like from inside.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from firmware_host.clips import ClipLibrary
from firmware_host.clock import JumpDetector, judge
from firmware_host.daemon import Daemon
from firmware_host.logbook.playlog import PlayLog
from tests.conftest import write_box_config
from tests.helpers import make_tone, wait_until

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 12, 7, 6, 0, tzinfo=HCM)


def test_verdicts():
    seen = NOW - timedelta(hours=1)
    assert judge(NOW, synchronised=True, confirmed=False, newest_seen=NOW + timedelta(1)).trusted
    assert judge(NOW, synchronised=False, confirmed=True, newest_seen=NOW + timedelta(1)).trusted
    assert judge(NOW, synchronised=False, confirmed=False, newest_seen=seen).trusted
    earlier = judge(seen, synchronised=False, confirmed=False, newest_seen=NOW)
    assert not earlier.trusted and "sớm hơn lần cuối hộp còn chạy" in earlier.reason
    boot_1970 = judge(
        datetime(1970, 1, 1, 7, tzinfo=HCM), synchronised=False, confirmed=False, newest_seen=None
    )
    assert not boot_1970.trusted and "01/01/1970" in boot_1970.reason


def test_jump_detector_sees_only_jumps():
    wall, steady = [1000.0], [50.0]
    detector = JumpDetector(lambda: wall[0], lambda: steady[0])
    wall[0] += 10
    steady[0] += 10
    assert detector.check() == 0.0
    wall[0] += 3600 + 5
    steady[0] += 5
    assert detector.check() == pytest.approx(3600)
    wall[0] -= 120
    steady[0] += 1
    assert detector.check() == pytest.approx(-121)


def slot_lines(name: str, at: datetime, clip_id: str) -> str:
    return (
        f'[[slot]]\nname = "{name}"\ntime = "{at:%H:%M:%S}"\ndays = "hằng ngày"\n'
        f'playlist = ["{clip_id}"]\nzones = ["thon-1"]\n\n'
    )


def write_schedule(box, slots: list[tuple[str, datetime]], clip_id: str) -> None:
    first = slots[0][1]
    text = (
        f'[campaign]\nname = "Đồng hồ"\nstart = {first.date()}\n'
        f"end = {(first + timedelta(days=1)).date()}\n\n"
    )
    text += "".join(slot_lines(name, at, clip_id) for name, at in slots)
    box.scheduler.schedules_dir.mkdir(parents=True, exist_ok=True)
    (box.scheduler.schedules_dir / "dong-ho.toml").write_text(text, "utf-8")


def rows(box) -> list[dict]:
    return PlayLog(box.log_dir, box.timezone).entries()


@pytest.fixture
def clip(box, tmp_path):
    return ClipLibrary(box).import_file(make_tone(tmp_path / "Ngắn.wav", seconds=1.0))


@pytest.mark.slow
def test_no_broadcast_on_an_untrusted_clock_until_confirmed(box, pins, clip, capture_dir):
    now = datetime.now(box.timezone).replace(microsecond=0)
    # The box last ran "tomorrow": the clock has gone backwards, NTP is not there.
    (box.data_dir / "state.json").write_text(
        json.dumps({"last_alive": (now + timedelta(days=1)).isoformat()}), "utf-8"
    )
    write_schedule(
        box, [("sáng", now + timedelta(seconds=2)), ("trưa", now + timedelta(seconds=6))], clip.id
    )
    said: list[str] = []
    daemon = Daemon(box, pin_factory=pins, announce=said.append, synchronised=lambda: False)
    daemon.start()
    try:
        assert any("ĐỒNG HỒ CHƯA ĐÁNG TIN" in line for line in said)
        wait_until(lambda: len(rows(box)) == 1, timeout=6)
        from firmware_host.clock import ConfirmationFile

        ConfirmationFile(box.data_dir / "clock-confirmed.json").confirm(now)  # loaxa clock confirm
        wait_until(
            lambda: len(rows(box)) == 3 and all(r["status"] != "started" for r in rows(box)), 10
        )
    finally:
        daemon.stop()
    first, second = [r for r in rows(box) if r["kind"] == "session"]
    assert first["status"] == "missed" and "đồng hồ chưa đáng tin" in first["error"]
    assert second["status"] == "completed" and second["slot"] == "trưa"
    amplifier = pins.pin(17)
    assert [bool(s.state) for s in amplifier.states[1:]] == [True, False]  # only "trưa"


@pytest.mark.slow
def test_a_forward_jump_does_not_replay_the_morning(tmp_path, pins, capture_dir):
    box = write_box_config(tmp_path / "box", grace=300)  # the shipped default
    clip = ClipLibrary(box).import_file(make_tone(tmp_path / "Ngắn.wav", seconds=1.0))
    start = datetime.now(box.timezone).replace(microsecond=0) + timedelta(days=3)
    start = start.replace(hour=5, minute=50, second=0)
    slots = [(f"s{minute}", start + timedelta(minutes=minute)) for minute in (10, 20, 30, 40)]
    write_schedule(box, slots, clip.id)
    with time_machine.travel(start, tick=True) as traveller:
        daemon = Daemon(box, pin_factory=pins, announce=lambda _l: None, synchronised=lambda: True)
        daemon.start()
        try:
            traveller.shift(timedelta(minutes=34))  # NTP steps the clock forward
            wait_until(
                lambda: (
                    sum(r["kind"] == "session" for r in rows(box)) == 3
                    and all(r["status"] != "started" for r in rows(box))
                ),
                timeout=15,
            )
            traveller.shift(timedelta(minutes=6) - timedelta(seconds=3))  # just before s40
            wait_until(
                lambda: (
                    sum(r["kind"] == "session" for r in rows(box)) == 4
                    and all(r["status"] != "started" for r in rows(box))
                ),
                timeout=15,
            )
        finally:
            daemon.stop()
    sessions = {r["slot"]: r for r in rows(box) if r["kind"] == "session"}
    assert sessions["s10"]["status"] == "missed" and sessions["s20"]["status"] == "missed"
    assert sessions["s30"]["status"] == "completed"  # 4 minutes late: within the grace
    assert sessions["s30"]["late_seconds"] > 200
    assert sessions["s40"]["status"] == "completed" and sessions["s40"]["late_seconds"] < 1
    jumps = [r for r in rows(box) if r["kind"] == "event"]
    assert jumps and jumps[0]["event"] == "clock_jump" and jumps[0]["seconds"] > 2000


@pytest.mark.slow
def test_a_backward_jump_does_not_play_a_slot_twice(box, pins, clip, capture_dir):
    start = datetime.now(box.timezone).replace(microsecond=0) + timedelta(days=3)
    start = start.replace(hour=6, minute=29, second=55)
    write_schedule(box, [("sáng", start + timedelta(seconds=3))], clip.id)
    with time_machine.travel(start, tick=True) as traveller:
        daemon = Daemon(box, pin_factory=pins, announce=lambda _l: None, synchronised=lambda: True)
        daemon.start()
        try:
            wait_until(lambda: any(r["status"] == "completed" for r in rows(box)), 10)
            traveller.shift(timedelta(seconds=-30))  # the slot's time comes round again
            time.sleep(5)
        finally:
            daemon.stop()
    sessions = [r for r in rows(box) if r["kind"] == "session"]
    assert [(s["slot"], s["status"]) for s in sessions] == [("sáng", "completed")]
    assert any(r["kind"] == "event" and r["seconds"] < -20 for r in rows(box))
