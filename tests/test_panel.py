"""The front panel on gpiozero mock pins: buttons pressed by driving the input pins."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest

from firmware_host.clips import ClipLibrary
from firmware_host.config import load_config
from firmware_host.daemon import Daemon
from firmware_host.frontpanel import choose_state
from firmware_host.logbook.playlog import PlayLog
from firmware_host.usb.signals import write_usb_state
from tests.conftest import write_box_config
from tests.helpers import make_tone, wait_until

LED, STOP, EMERGENCY = 24, 16, 20


def test_the_light_shows_the_most_urgent_state():
    now = 1_000_000.0
    calm = {"usb": None, "now": now, "last_failed": False, "clock_trusted": True}
    assert choose_state(**calm) == "healthy"
    assert choose_state(**{**calm, "clock_trusted": False}) == "clock_untrusted"
    assert choose_state(**{**calm, "clock_trusted": False, "last_failed": True}) == "last_failed"
    assert choose_state(**{**calm, "last_failed": True, "usb": ("busy", now - 5)}) == "usb_busy"
    assert choose_state(**{**calm, "usb": ("done-ok", now - 5)}) == "usb_done_ok"
    assert choose_state(**{**calm, "usb": ("done-problem", now - 5)}) == "usb_done_problem"
    assert choose_state(**{**calm, "usb": ("done-ok", now - 60)}) == "healthy"  # faded
    assert choose_state(**{**calm, "usb": ("busy", now - 7200)}) == "healthy"  # a dead sync


@pytest.fixture
def panel_box(tmp_path, capture_dir):
    box = write_box_config(tmp_path / "box")
    library = ClipLibrary(box)
    long_clip = library.import_file(make_tone(tmp_path / "Dài.wav", seconds=6))
    alarm = library.import_file(make_tone(tmp_path / "Báo lũ.wav", seconds=1.0, frequency=880))
    config_file = box.data_dir / "loaxa.toml"
    config_file.write_text(
        config_file.read_text("utf-8")
        + (
            f'\n[panel]\nstatus_led_pin = "{LED}"\nstop_button_pin = "GPIO{STOP}"\n'
            f'emergency_button_pin = "{EMERGENCY}"\nemergency_clip = "{alarm.id}"\n'
        ),
        "utf-8",
    )
    return load_config(box.data_dir), long_clip, alarm


def sessions(box) -> list[dict]:
    return [r for r in PlayLog(box.log_dir, box.timezone).entries() if r["kind"] == "session"]


def press(pins, number: int) -> None:
    pins.pin(number).drive_low()  # buttons pull up; pressed = connected to ground
    time.sleep(0.1)
    pins.pin(number).drive_high()


@pytest.mark.slow
def test_stop_and_emergency_buttons(panel_box, pins):
    box, long_clip, alarm = panel_box
    at = datetime.now(box.timezone).replace(microsecond=0) + timedelta(seconds=2)
    box.scheduler.schedules_dir.mkdir(parents=True, exist_ok=True)
    (box.scheduler.schedules_dir / "a.toml").write_text(
        f'[campaign]\nname = "Thử"\nstart = {at.date()}\nend = {at.date() + timedelta(1)}\n\n'
        f'[[slot]]\nname = "sáng"\ntime = "{at:%H:%M:%S}"\ndays = "hằng ngày"\n'
        f'playlist = ["{long_clip.id}"]\nzones = ["thon-1"]\n',
        "utf-8",
    )
    daemon = Daemon(box, pin_factory=pins, announce=lambda _line: None)
    daemon.start()
    try:
        wait_until(lambda: any(s["status"] == "started" for s in sessions(box)), 10)
        time.sleep(1.0)  # mid-clip
        press(pins, STOP)
        wait_until(lambda: sessions(box)[0]["status"] != "started", 5)
        assert not any(pins.pin(n).state for n in (17, 27, 22, 23))
        press(pins, EMERGENCY)
        wait_until(
            lambda: len(sessions(box)) == 2 and sessions(box)[1]["status"] != "started",
            10,
            what=lambda: sessions(box),
        )
        led_changes = len(pins.pin(LED).states)
        time.sleep(2.5)  # the heartbeat keeps flashing
        assert len(pins.pin(LED).states) > led_changes
    finally:
        daemon.stop()
    stopped, emergency = sessions(box)
    assert stopped["status"] == "interrupted" and stopped["slot"] == "sáng"
    assert emergency["status"] == "completed" and emergency["trigger"] == "manual"
    assert emergency["zones"] == ["thon-1", "thon-2", "thon-3"]
    assert emergency["playlist"] == [alarm.id]


def test_the_light_follows_a_usb_sync_in_another_process(panel_box, pins):
    box, _long, _alarm = panel_box
    daemon = Daemon(box, pin_factory=pins, announce=lambda _line: None)
    daemon.start()
    try:
        write_usb_state(box.data_dir, "busy")
        before = len(pins.pin(LED).states)  # heartbeat flashes may come before this
        assert daemon.panel.refresh(last_failed=False, clock_trusted=True) == "usb_busy"
        time.sleep(1.2)
        blinked = pins.pin(LED).states[before:]
        # a slow blink in the background: on, off after 0.5 s, on again after 0.5 s
        assert [bool(s.state) for s in blinked[:3]] == [True, False, True], blinked
        assert all(0.4 < s.timestamp < 0.7 for s in blinked[1:3]), blinked
        write_usb_state(box.data_dir, "done-ok")
        assert daemon.panel.refresh(last_failed=False, clock_trusted=True) == "usb_done_ok"
        assert pins.pin(LED).state
    finally:
        daemon.stop()


PROC_MOUNTS = """/dev/mmcblk0p2 / ext4 rw,noatime 0 0
/dev/sda1 /media/pi/LOA\\040XA vfat rw,nosuid,nodev,relatime 0 0
/dev/sdb1 /run/loaxa-usb/sdb1 fuseblk rw,nosuid,nodev 0 0
/dev/sdc1 /mnt/backup ext4 rw 0 0
tmpfs /media/ram tmpfs rw 0 0
"""


def test_sticks_are_found_in_the_mount_table():
    from pathlib import Path

    from firmware_host.usb.watch import mounted_sticks

    assert mounted_sticks(PROC_MOUNTS) == [Path("/media/pi/LOA XA"), Path("/run/loaxa-usb/sdb1")]


def test_the_export_button_syncs_in_a_process_of_its_own(panel_box, pins, monkeypatch):
    """The export button starts ``python -m firmware_host.usb.watch --path <stick>`` and
    goes on: the stick is never parsed in the daemon's process (issue 11). Shown by
    breaking ``sync_stick`` in the daemon's process: the stick still gets its receipt.
    As root (here), that process drops to the data folder's owner like the USB service,
    so the box's data and the stick belong to uid 65534 for this test."""
    import os
    import shutil

    import firmware_host.usb.sync as usb
    import firmware_host.usb.watch as usbwatch
    from firmware_host.usb.signals import read_usb_state
    from tests.unprivileged import give_to_nobody, open_base, python_for_nobody

    box, _long, _alarm = panel_box
    monkeypatch.setattr(usb, "sync_stick", lambda *args, **kwargs: 1 / 0)
    with open_base("loaxa-panel-") as base:
        shutil.copytree(box.data_dir, base / "box")
        (base / "etc").mkdir()  # as installed: root reads only a root-owned config
        config_file = (base / "box" / "loaxa.toml").rename(base / "etc" / "loaxa.toml")
        box = load_config(base / "box", config_file)
        stick = base / "stick"
        stick.mkdir()
        if os.geteuid() == 0:
            python, env = python_for_nobody()
            monkeypatch.setattr(usbwatch, "PYTHON", python)
            monkeypatch.setenv("PYTHONPATH", env.get("PYTHONPATH", ""))
            give_to_nobody(box.data_dir, stick)
        daemon = Daemon(box, pin_factory=pins, announce=lambda _line: None)
        daemon.start()
        try:
            monkeypatch.setattr(usbwatch, "mounted_sticks", lambda: [])  # nothing plugged in
            assert daemon.export_to_stick() is None
            assert read_usb_state(box.data_dir)[0] == "done-problem"
            monkeypatch.setattr(usbwatch, "mounted_sticks", lambda: [stick])
            process = daemon.export_to_stick()
            assert process.pid != os.getpid()
            assert process.wait(timeout=120) == 0
            assert read_usb_state(box.data_dir)[0] == "done-ok"
        finally:
            daemon.stop()
        receipts = list((stick / "LoaXa").glob("BIÊN NHẬN*.txt"))
        assert len(receipts) == 1 and receipts[0].read_bytes().startswith(b"\xef\xbb\xbf")
        assert "Báo cáo tuyên truyền tháng" in receipts[0].read_text("utf-8-sig")
