"""``loaxa live`` as an operator runs it: a real process, the microphone on air, Ctrl-C.

The microphone is an ALSA ``file`` PCM whose ``infile`` is a recording made here, the
loudspeakers the capture device; the relays are mock pins inside the process, so what
they did is read from what it prints and from the log.
"""

from __future__ import annotations

import array
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

from tests.broadcast.test_sources import RATE, line_in_device, tone_pcm
from tests.helpers import captured_files

RELAY_LINE = re.compile(r"^\d\d:\d\d:\d\d\.\d{3}  rơ-le ")


def test_loaxa_live_for_three_seconds_then_ctrl_c(box, capture_dir, tmp_path, monkeypatch):
    pcm = tone_pcm(tmp_path, 30.0)
    device = line_in_device(tmp_path, monkeypatch, pcm)
    config_file = box.data_dir / "loaxa.toml"
    config_file.write_text(
        config_file.read_text("utf-8") + f'\n[live]\ndevice = "{device}"\n', "utf-8"
    )
    command = [sys.executable, "-m", "firmware_host", "--data-dir", str(box.data_dir), "live"]
    child = subprocess.Popen(
        [*command, "--zones", "thon-2", "--by", "Chủ tịch UBND xã"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines: list[str] = []
    on_air = threading.Event()

    def read() -> None:
        assert child.stdout is not None
        for line in child.stdout:
            lines.append(line.rstrip("\n"))
            if "micro đang lên sóng" in line:
                on_air.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert on_air.wait(30), lines
    time.sleep(3.0)
    child.send_signal(signal.SIGINT)
    assert child.wait(timeout=30) == 0, "\n".join(lines)
    reader.join(5)

    changes = [line.split(" rơ-le ")[1].split() for line in lines if RELAY_LINE.match(line)]
    assert changes == [
        ["thon-2", "BẬT"],
        ["âm", "ly", "BẬT"],
        ["âm", "ly", "TẮT"],
        ["thon-2", "TẮT"],
    ], lines
    assert lines[-1] == "Tất cả rơ-le đã TẮT."

    rows = json.loads(log_json(box))
    session, live = rows
    assert (session["status"], session["by"]) == ("completed", "Chủ tịch UBND xã")
    assert (live["kind"], live["status"], live["by"]) == ("live", "completed", "Chủ tịch UBND xã")
    assert live["source_device"] == device
    assert 2.8 <= live["seconds"] <= 3.35, live  # the device ran 3 s; aplay was 0.5 s ahead
    # aplay was stopped (killed) mid-stream, so the WAV header still says 0 frames:
    # what the device got is every byte after it.
    [capture] = captured_files(capture_dir)
    heard = array.array("h", capture.read_bytes()[44:])
    assert len(heard) >= 2.8 * RATE
    said = array.array("h", pcm)
    assert heard[: int(2.8 * RATE)] == said[: int(2.8 * RATE)], "the microphone, unchanged"


def log_json(box) -> str:
    """``loaxa log --json`` of the box, as a separate process prints it."""
    return subprocess.run(
        [sys.executable, "-m", "firmware_host", "--data-dir", str(box.data_dir), "log", "--json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout


TALK = 26


def test_the_talk_button_is_on_air_while_held(tmp_path, capture_dir, pins, monkeypatch):
    """The daemon owns the panel: hold the button, the microphone goes to every zone
    after the warm-up; release it, the amplifier goes off, then the zones."""
    from firmware_host.config import load_config
    from firmware_host.daemon import Daemon
    from firmware_host.logbook.playlog import PlayLog
    from tests.conftest import write_box_config
    from tests.helpers import check_relay_sequence, wait_until

    box = write_box_config(tmp_path / "box")
    device = line_in_device(tmp_path, monkeypatch, tone_pcm(tmp_path, 30.0))
    config_file = box.data_dir / "loaxa.toml"
    config_file.write_text(
        config_file.read_text("utf-8")
        + f'\n[panel]\ntalk_button_pin = "{TALK}"\n\n[live]\ndevice = "{device}"\n',
        "utf-8",
    )
    box = load_config(box.data_dir)
    daemon = Daemon(box, pin_factory=pins, announce=lambda _line: None)
    daemon.start()
    log = PlayLog(box.log_dir, box.timezone)
    try:
        pins.pin(TALK).drive_low()
        wait_until(lambda: pins.pin(17).state, 5)
        time.sleep(box.amplifier.warmup_seconds + 2.0)
        pins.pin(TALK).drive_high()
        wait_until(lambda: any(r["kind"] == "live" for r in log.entries()), 5)
        wait_until(lambda: log.entries()[0]["status"] != "started", 5)
    finally:
        daemon.stop()
    session, live = log.entries()
    assert session["status"] == live["status"] == "completed"
    assert session["zones"] == ["thon-1", "thon-2", "thon-3"] and live["by"]
    assert 1.6 <= live["seconds"] <= 2.6, live
    check_relay_sequence(
        pins,
        amplifier=17,
        zones={"thon-1": 27, "thon-2": 22, "thon-3": 23},
        audio_starts=[live["started"]],
        warmup=box.amplifier.warmup_seconds,
    )


def test_loaxa_live_goes_through_the_running_daemon_and_ctrl_c_stops_only_it(
    tmp_path, capture_dir, pins, monkeypatch
):
    """While ``loaxa run`` holds the relays, ``loaxa live`` asks it (control socket): the
    daemon's relays go on, Ctrl-C ends that session and no other, the log has its length."""
    from firmware_host.config import load_config
    from firmware_host.daemon import Daemon
    from firmware_host.logbook.playlog import PlayLog
    from tests.conftest import write_box_config
    from tests.helpers import wait_until

    box = write_box_config(tmp_path / "box")
    device = line_in_device(tmp_path, monkeypatch, tone_pcm(tmp_path, 30.0))
    config_file = box.data_dir / "loaxa.toml"
    config_file.write_text(
        config_file.read_text("utf-8") + f'\n[live]\ndevice = "{device}"\n', "utf-8"
    )
    box = load_config(box.data_dir)
    daemon = Daemon(box, pin_factory=pins, announce=lambda _line: None)
    daemon.start()
    try:
        command = [sys.executable, "-m", "firmware_host", "--data-dir", str(box.data_dir), "live"]
        child = subprocess.Popen(
            [*command, "--zones", "thon-1", "--by", "Trưởng thôn"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        wait_until(lambda: pins.pin(17).state, 30)  # the daemon's amplifier, not the child's
        time.sleep(box.amplifier.warmup_seconds + 2.0)
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=30)
        assert child.returncode == 0, out + err
        assert not any(pins.pin(n).state for n in (17, 27, 22, 23))
        assert "Micro đã tắt" in out and "(đã phát)" in out, out
    finally:
        daemon.stop()
    log = PlayLog(box.log_dir, box.timezone)
    session, live = log.entries()
    log.close()
    assert (session["status"], session["by"], session["zones"]) == (
        "completed",
        "Trưởng thôn",
        ["thon-1"],
    )
    assert (live["kind"], live["status"]) == ("live", "completed")
    assert 1.6 <= live["seconds"] <= 2.6, live
