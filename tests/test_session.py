"""One broadcast session: what happens to the relays and the log when things go wrong."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from firmware_host.clips import ClipLibrary
from firmware_host.player import Player
from firmware_host.playlog import PlayLog
from firmware_host.relays import AMPLIFIER, open_relays
from firmware_host.session import Broadcaster, BroadcastRequest
from tests.helpers import captured_files, make_tone

PINS = {AMPLIFIER: 17, "thon-1": 27, "thon-2": 22, "thon-3": 23}


@pytest.fixture
def station(box, pins, tmp_path):
    """A broadcaster on mock pins, the capture device and a library with one clip."""
    changes: list[tuple[float, str, bool]] = []
    relays, _note = open_relays(
        box.relays,
        pin_factory=pins,
        observer=lambda n, on: changes.append((time.monotonic(), n, on)),
    )
    library = ClipLibrary(box)
    clip = library.import_file(make_tone(tmp_path / "Loa.wav", seconds=2.0))
    log = PlayLog(box.log_dir, box.timezone)

    def make(device: str = "loaxa_capture", log_dir: Path | None = None) -> Broadcaster:
        return Broadcaster(
            relays=relays,
            player=Player(device),
            library=library,
            log=PlayLog(log_dir, box.timezone) if log_dir else log,
            tz=box.timezone,
            warmup_seconds=box.amplifier.warmup_seconds,
            tail_seconds=box.amplifier.tail_seconds,
            announce=lambda _s: None,
        )

    yield make, clip, changes, log, relays
    relays.close()


def pin_is_off(pins, name: str) -> bool:
    return not pins.pin(PINS[name]).state


def test_player_failure_ends_the_session_with_relays_off(station, pins):
    make, clip, changes, log, _ = station
    outcome = make(device="no_such_card").broadcast(
        BroadcastRequest(playlist=(clip.id,), zones=("thon-1",))
    )
    assert outcome.status == "failed"
    assert "aplay -D no_such_card" in outcome.error and "Kiểm tra card âm thanh" in outcome.error
    assert [(n, on) for _, n, on in changes] == [
        ("thon-1", True),
        (AMPLIFIER, True),
        (AMPLIFIER, False),
        ("thon-1", False),
    ]
    assert all(pin_is_off(pins, name) for name in PINS)
    session, play = log.entries()
    assert (session["status"], play["status"]) == ("failed", "failed")
    assert "Unknown PCM no_such_card" in play["error"]


@pytest.mark.parametrize(
    "request_kwargs, fragment",
    [
        ({"playlist": ("khong-co",), "zones": ("thon-1",)}, "'khong-co' không có trong thư viện"),
        ({"playlist": ("CLIP",), "zones": ("thon-9",)}, "vùng loa 'thon-9' không có"),
        ({"playlist": ("CLIP",), "zones": ()}, "không có vùng loa nào"),
    ],
)
def test_bad_request_fails_before_any_relay_moves(station, capture_dir, request_kwargs, fragment):
    make, clip, changes, log, _ = station
    kwargs = {
        k: tuple(clip.id if v == "CLIP" else v for v in vals) for k, vals in request_kwargs.items()
    }
    outcome = make().broadcast(BroadcastRequest(**kwargs))
    assert outcome.status == "failed" and fragment in outcome.error
    assert changes == []
    assert captured_files(capture_dir) == []
    assert [r["status"] for r in log.entries()] == ["failed"]


def test_a_slot_that_falls_during_another_waits_and_says_why(station, capture_dir):
    make, clip, changes, log, _ = station
    broadcaster = make()
    first = threading.Thread(
        target=broadcaster.broadcast,
        args=(BroadcastRequest(playlist=(clip.id,), zones=("thon-1",), campaign="A", slot="sáng"),),
    )
    first.start()
    time.sleep(0.8)
    second = broadcaster.broadcast(
        BroadcastRequest(playlist=(clip.id,), zones=("thon-2",), campaign="B", slot="trưa")
    )
    first.join()
    assert second.status == "completed"
    amp = [(at, on) for at, name, on in changes if name == AMPLIFIER]
    assert [on for _, on in amp] == [True, False, True, False]
    assert amp[1][0] <= amp[2][0], "never two sessions on air at once"
    later = next(r for r in log.entries() if r["kind"] == "session" and r["campaign"] == "B")
    assert "chờ buổi phát 'A / sáng'" in later["note"]
    assert len(captured_files(capture_dir)) == 2


def test_stop_mid_clip_interrupts_and_switches_off(station, pins):
    make, clip, _changes, log, _ = station
    broadcaster = make()
    threading.Timer(1.2, broadcaster.stop_current).start()
    outcome = broadcaster.broadcast(BroadcastRequest(playlist=(clip.id,), zones=("thon-1",)))
    assert outcome.status == "interrupted"
    assert all(pin_is_off(pins, name) for name in PINS)
    session, play = log.entries()
    assert (session["status"], play["status"]) == ("interrupted", "interrupted")
    assert 0.2 < play["seconds"] < 1.5


def test_a_log_that_cannot_be_written_does_not_stop_the_broadcast(
    station, pins, capture_dir, tmp_path
):
    make, clip, changes, _log, _ = station
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the log folder should be")
    outcome = make(log_dir=blocker / "log").broadcast(
        BroadcastRequest(playlist=(clip.id,), zones=("thon-1",))
    )
    assert outcome.status == "completed" and outcome.clips_played == 1
    assert len(captured_files(capture_dir)) == 1
    assert all(pin_is_off(pins, name) for name in PINS)
    assert [n for _, n, on in changes if not on] == [AMPLIFIER, "thon-1"]


def test_a_hung_player_is_killed_and_the_next_session_still_plays(
    station, pins, capture_dir, tmp_path, monkeypatch
):
    """aplay writing into a FIFO nobody reads blocks for ever, as a stuck driver would."""
    fifo = tmp_path / "stuck-card"
    os.mkfifo(fifo)
    conf = tmp_path / "hung.conf"
    conf.write_text(f'pcm.stuck {{\n type file\n slave.pcm "null"\n file "{fifo}"\n}}\n')
    monkeypatch.setenv("ALSA_CONFIG_PATH", f"{os.environ['ALSA_CONFIG_PATH']}:{conf}")
    make, clip, _changes, log, _relays = station
    hung = make(device="stuck")
    hung.player.margin_seconds = 1.0
    started = time.monotonic()
    outcome = hung.broadcast(BroadcastRequest(playlist=(clip.id,), zones=("thon-1",)))
    elapsed = time.monotonic() - started
    assert outcome.status == "failed" and "no progress" in outcome.error
    assert clip.duration + 1.0 <= elapsed < clip.duration + 4.0
    assert all(pin_is_off(pins, name) for name in PINS)

    after = make().broadcast(BroadcastRequest(playlist=(clip.id,), zones=("thon-2",)))
    assert after.status == "completed"
    assert len(captured_files(capture_dir)) == 1
    assert [r["status"] for r in log.entries() if r["kind"] == "session"] == [
        "failed",
        "completed",
    ]


@pytest.fixture
def tiny_disk(tmp_path):
    """A real 64 KiB filesystem (tmpfs with a size limit); needs root, as CI has."""
    import subprocess

    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount_point)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here: " + done.stderr.decode())
    yield mount_point
    subprocess.run(["umount", str(mount_point)], check=False)


def test_a_full_disk_loses_no_entry_and_still_broadcasts(station, pins, capture_dir, tiny_disk):
    make, clip, changes, _log, _ = station
    said: list[str] = []
    broadcaster = make(log_dir=tiny_disk / "log")
    broadcaster.announce = said.append
    first = broadcaster.broadcast(BroadcastRequest(playlist=(clip.id,), zones=("thon-1",)))
    assert first.status == "completed"
    month_file = next((tiny_disk / "log").glob("*.json"))
    before = month_file.read_bytes()
    filler = tiny_disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:  # fill the disk to the last byte
        while os.write(fd, b"x" * 512):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
    changes.clear()
    second = broadcaster.broadcast(BroadcastRequest(playlist=(clip.id,), zones=("thon-2",)))
    assert second.status == "completed" and second.clips_played == 1
    assert len(captured_files(capture_dir)) == 2
    assert [n for _, n, on in changes if not on] == [AMPLIFIER, "thon-2"]
    assert all(pin_is_off(pins, name) for name in PINS)
    assert any("KHÔNG GHI ĐƯỢC NHẬT KÝ PHÁT" in line for line in said)
    assert month_file.read_bytes() == before, "what was written stays whole"
    assert not list((tiny_disk / "log").glob(".*.tmp"))
