"""A broadcast day compressed into seconds, through the real daemon.

Real APScheduler jobs from a real schedule file, gpiozero mock pins, ffmpeg-imported
clips and aplay writing into an ALSA ``file`` device. We check what reached the
"speakers", when each relay moved, and what the log says.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from firmware_host.clips import ClipLibrary
from firmware_host.daemon import Daemon
from firmware_host.logbook.playlog import PlayLog
from tests.helpers import captured_files, make_tone, pin_timeline, read_samples


def wait_for_sessions(log: PlayLog, count: int, timeout: float) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sessions = [r for r in log.entries() if r["kind"] == "session"]
        if len(sessions) >= count and all(r["status"] != "started" for r in sessions):
            return sessions
        time.sleep(0.1)
    raise AssertionError(f"sessions not finished in {timeout}s: {log.entries()}")


def write_day(path: Path, first: datetime, slots: list[tuple[str, float, list, list, int]]):
    lines = [
        "[campaign]",
        'name = "Tắt sóng 2G"',
        f"start = {first.date().isoformat()}",
        f"end = {(first + timedelta(days=1)).date().isoformat()}",
        "",
    ]
    for name, offset, playlist, zones, repeat in slots:
        at = first + timedelta(seconds=offset)
        lines += [
            "[[slot]]",
            f'name = "{name}"',
            f'time = "{at:%H:%M:%S}"',
            'days = "hằng ngày"',
            "playlist = [" + ", ".join(f'"{c}"' for c in playlist) + "]",
            "zones = [" + ", ".join(f'"{z}"' for z in zones) + "]",
            f"repeat = {repeat}",
            "gap_seconds = 0.3",
            "",
        ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), "utf-8")


@pytest.mark.slow
def test_a_day_of_broadcasts(box, pins, capture_dir, tmp_path):
    library = ClipLibrary(box)
    low = library.import_file(make_tone(tmp_path / "Thông báo.mp3", seconds=1.5, frequency=440))
    high = library.import_file(make_tone(tmp_path / "Nhắc lại.ogg", seconds=1.2, frequency=880))
    first = datetime.now(box.timezone).replace(microsecond=0) + timedelta(seconds=3)
    write_day(
        box.scheduler.schedules_dir / "ngay.toml",
        first,
        [
            ("sáng", 0, [low.id], ["thon-1", "thon-2"], 1),
            ("trưa", 3.5, [high.id, low.id], ["thon-3"], 1),
            ("chiều", 8, [high.id], ["thon-1", "thon-2", "thon-3"], 2),
        ],
    )

    daemon = Daemon(box, pin_factory=pins, announce=lambda _line: None)
    daemon.start()
    try:
        sessions = wait_for_sessions(PlayLog(box.log_dir, box.timezone), 3, timeout=30)
    finally:
        daemon.stop()

    # -- the log: exactly the expected completed entries, on time ----------------------
    entries = PlayLog(box.log_dir, box.timezone).entries()
    assert [s["slot"] for s in sessions] == ["sáng", "trưa", "chiều"]
    assert all(s["status"] == "completed" and s["trigger"] == "schedule" for s in sessions)
    for session in sessions:
        late = (
            datetime.fromisoformat(session["started"])
            - datetime.fromisoformat(session["scheduled"])
        ).total_seconds()
        assert 0 <= late < 1.0, session
    plays = [e for e in entries if e["kind"] == "clip"]
    assert [p["clip_id"] for p in plays] == [low.id, high.id, low.id, high.id, high.id]
    assert all(p["status"] == "completed" for p in plays)
    assert plays[0]["clip_sha256"] == low.sha256 and plays[0]["clip_language"] == "vi"

    # -- what reached the speakers: each capture is the stored clip, sample for sample --
    captures = captured_files(capture_dir)
    assert len(captures) == len(plays)
    for capture, play in zip(captures, plays, strict=True):
        clip = library.find(play["clip_id"])
        rate, expected = read_samples(clip.path)
        got_rate, got = read_samples(capture)
        assert got_rate == rate == 48000
        assert got[: len(expected)] == expected
        assert not any(got[len(expected) :]), "only silence may pad the end"

    # -- the relays: zones before amplifier, warm-up kept, amplifier off first ---------
    amplifier = pin_timeline(pins.pin(17))
    zones = {
        name: pin_timeline(pins.pin(pin))
        for name, pin in (("thon-1", 27), ("thon-2", 22), ("thon-3", 23))
    }
    assert [state for _, state in amplifier] == [True, False] * 3
    clip_starts = [datetime.fromisoformat(p["started"]).timestamp() for p in plays]
    session_plays = [[clip_starts[0]], clip_starts[1:3], clip_starts[3:5]]
    for index, session in enumerate(sessions):
        amp_on, amp_off = amplifier[2 * index][0], amplifier[2 * index + 1][0]
        for zone in session["zones"]:
            on_times = [at for at, state in zones[zone] if state]
            off_times = [at for at, state in zones[zone] if not state]
            assert any(amp_on - 0.5 < at <= amp_on for at in on_times), (zone, "on before amp")
            assert any(amp_off <= at < amp_off + 0.5 for at in off_times), (zone, "off after amp")
        first_audio = session_plays[index][0]
        assert first_audio - amp_on >= box.amplifier.warmup_seconds - 0.01
        assert amp_off > session_plays[index][-1]
    # a zone not in the session never switched during it
    assert not any(
        state for at, state in zones["thon-3"] if amplifier[0][0] - 0.5 < at < amplifier[1][0]
    )
    for pin in (17, 27, 22, 23):
        assert pins.pin(pin).state is False or pins.pin(pin).state == 0
