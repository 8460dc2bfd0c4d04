"""A real ``loaxa run`` process killed in the middle of a clip.

SIGKILL stands for a power cut: nothing in the process gets to clean up. On a real Pi
the GPIO lines keep their last level, so the next start must drive every relay OFF
before anything else, and the log must turn the cut session into ``interrupted``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from firmware_host.clips import ClipLibrary
from firmware_host.daemon import Daemon
from firmware_host.logbook.playlog import PlayLog
from tests.helpers import make_tone


def schedule_one_slot(box, clip_id: str, seconds_from_now: float) -> datetime:
    at = datetime.now(box.timezone).replace(microsecond=0) + timedelta(seconds=seconds_from_now)
    box.scheduler.schedules_dir.mkdir(parents=True, exist_ok=True)
    (box.scheduler.schedules_dir / "mot-khung.toml").write_text(
        '[campaign]\nname = "Thử mất điện"\n'
        f"start = {at.date().isoformat()}\nend = {(at + timedelta(days=1)).date()}\n\n"
        f'[[slot]]\nname = "sáng"\ntime = "{at:%H:%M:%S}"\ndays = "hằng ngày"\n'
        f'playlist = ["{clip_id}"]\nzones = ["thon-1", "thon-2"]\n',
        "utf-8",
    )
    return at


def start_daemon_process(box) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "firmware_host", "--data-dir", str(box.data_dir), "run"],
        env={**os.environ, "LOAXA_LANG": "en"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for_clip_started(log_dir: Path, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for month_file in log_dir.glob("*.json"):
            try:
                tables = json.loads(month_file.read_text("utf-8"))
            except ValueError:
                continue  # cannot happen with atomic writes; retried anyway
            rows = tables.get("_default", {}).values()
            if any(r["kind"] == "clip" and r["status"] == "started" for r in rows):
                return
        if process.poll() is not None:
            raise AssertionError(process.stdout.read())
        time.sleep(0.05)
    process.kill()
    raise AssertionError("the clip never started: " + process.communicate()[0])


@pytest.fixture
def long_clip(box, tmp_path):
    return ClipLibrary(box).import_file(make_tone(tmp_path / "Dài.wav", seconds=6))


@pytest.mark.slow
def test_sigkill_mid_clip_then_restart(box, pins, long_clip):
    schedule_one_slot(box, long_clip.id, seconds_from_now=2)
    process = start_daemon_process(box)
    wait_for_clip_started(box.log_dir, process, timeout=20)
    time.sleep(2.7)  # well inside the 6 s clip
    process.send_signal(signal.SIGKILL)
    killed = datetime.now(box.timezone)
    process.wait(timeout=5)

    before = PlayLog(box.log_dir, box.timezone).entries()
    assert {r["status"] for r in before} == {"started"}  # what the cut left behind

    # The pins a real Pi would have kept: amplifier and zones still driven ON.
    for number in (17, 27, 22):
        pin = pins.pin(number)
        pin.function = "output"
        pin.state = True

    daemon = Daemon(box, pin_factory=pins, announce=lambda _line: None)
    daemon.start()
    try:
        assert not any(daemon.relays.states().values())
        for number in (17, 27, 22, 23):
            assert not pins.pin(number).state
        after = PlayLog(box.log_dir, box.timezone).entries()
        assert len(after) == 2
        assert {r["status"] for r in after} == {"interrupted"}
        assert all(r["error"] for r in after)
        # The seconds that went out before the cut, from the progress note, marked
        # as an estimate (the note is at most a second old).
        for row in after:
            truth = (killed - datetime.fromisoformat(row["started"])).total_seconds()
            assert row["seconds_estimated"] is True
            assert truth - 1.5 <= row["seconds"] <= truth + 0.1, (row["kind"], truth, row)
    finally:
        daemon.stop()
    # the cut slot is logged once and is not played again after the restart
    final = PlayLog(box.log_dir, box.timezone).entries()
    assert [r["status"] for r in final] == ["interrupted", "interrupted"]


@pytest.mark.slow
def test_sigterm_mid_clip_stops_cleanly(box, long_clip):
    schedule_one_slot(box, long_clip.id, seconds_from_now=2)
    process = start_daemon_process(box)
    wait_for_clip_started(box.log_dir, process, timeout=20)
    time.sleep(0.5)
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=10)
    assert time.monotonic() - started < 3, "SIGTERM must not wait for the clip to end"
    assert process.returncode == 0, output

    rows = PlayLog(box.log_dir, box.timezone).entries()
    assert [(r["kind"], r["status"]) for r in rows] == [
        ("session", "interrupted"),
        ("clip", "interrupted"),
    ]
    clip_row = rows[1]
    assert 0.3 < clip_row["seconds"] < 3.0  # what was really handed to the device
    lines = output.splitlines()
    assert "relay amplifier  OFF" in output
    assert lines[-1].endswith("All relays are OFF."), output
    assert "mock pins" in output  # said so on start


@pytest.mark.slow
def test_sigkill_during_an_emergency_ordered_from_the_command_line(box, pins, long_clip):
    """`loaxa emergency` goes through the running daemon's control socket; a power cut
    during it leaves the emergency `interrupted` at the next start, relays off, and the
    emergency is not played again (nobody ordered it twice)."""
    process = start_daemon_process(box)
    try:
        socket_file = box.data_dir / "control.sock"
        deadline = time.monotonic() + 20
        while not socket_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        ordered = subprocess.run(
            [
                sys.executable,
                "-m",
                "firmware_host",
                "--data-dir",
                str(box.data_dir),
                "emergency",
                long_clip.id,
                "--reason",
                "Cháy chợ",
            ],
            capture_output=True,
            text=True,
            timeout=30,
            env={**os.environ, "LOAXA_LANG": "vi"},
        )
        assert ordered.returncode == 0, ordered.stderr
        assert "đang phát" in ordered.stdout
        wait_for_clip_started(box.log_dir, process, timeout=10)
        time.sleep(1.5)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=5)
    for number in (17, 27, 22, 23):  # what a real Pi keeps: everything driven ON
        pin = pins.pin(number)
        pin.function = "output"
        pin.state = True
    daemon = Daemon(box, pin_factory=pins, announce=lambda _line: None)
    daemon.start()
    try:
        for number in (17, 27, 22, 23):
            assert not pins.pin(number).state
        time.sleep(1.0)
    finally:
        daemon.stop()
    rows = PlayLog(box.log_dir, box.timezone).entries()
    assert {(r["kind"], r["status"], r["tier"]) for r in rows} == {
        ("session", "interrupted", "khan-cap"),
        ("clip", "interrupted", "khan-cap"),
    }
    [session] = [r for r in rows if r["kind"] == "session"]
    assert session["reason"] == "Cháy chợ" and session["zones"] == ["thon-1", "thon-2", "thon-3"]
