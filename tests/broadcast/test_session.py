"""One broadcast session: what happens to the relays and the log when things go wrong."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from firmware_host.broadcast.player import Player
from firmware_host.broadcast.session import Broadcaster, BroadcastRequest
from firmware_host.clips import ClipLibrary
from firmware_host.clock import system_clock
from firmware_host.logbook.playlog import PlayLog
from firmware_host.relays import AMPLIFIER, open_relays
from firmware_host.report.counts import build_report
from tests.helpers import captured_files, check_relay_sequence, make_tone

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
            now=system_clock(box.timezone),
            warmup_seconds=box.amplifier.warmup_seconds,
            tail_seconds=box.amplifier.tail_seconds,
            announce=lambda _s: None,
        )

    yield make, clip, changes, log, relays
    relays.close()


def pin_is_off(pins, name: str) -> bool:
    return not pins.pin(PINS[name]).state


def check_pins(pins, log: PlayLog, warmup: float) -> None:
    """The safety sequence on the mock pins, against the clips the log says started."""
    check_relay_sequence(
        pins,
        amplifier=PINS[AMPLIFIER],
        zones={name: pin for name, pin in PINS.items() if name != AMPLIFIER},
        audio_starts=[r["started"] for r in log.entries() if r["kind"] == "clip"],
        warmup=warmup,
    )


def month_report(box, log: PlayLog):
    rows = log.entries()
    return build_report(rows, month=rows[0]["month"], tz=box.timezone, commune={})


def test_every_zone_switches_with_the_amplifier_off_and_the_warm_up_is_kept(station, pins, box):
    """Fast checks of what the slow day test sees: all three zones, two rounds."""
    make, clip, _changes, log, _ = station
    outcome = make().broadcast(
        BroadcastRequest(playlist=(clip.id,), zones=("thon-1", "thon-2", "thon-3"))
    )
    assert outcome.status == "completed" and outcome.clips_played == 1
    check_pins(pins, log, box.amplifier.warmup_seconds)


def test_player_failure_ends_the_session_with_relays_off(station, pins, box):
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
    check_pins(pins, log, box.amplifier.warmup_seconds)


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


def test_stop_mid_clip_interrupts_and_switches_off(station, pins, box):
    make, clip, _changes, log, _ = station
    broadcaster = make()
    threading.Timer(1.2, broadcaster.stop_current).start()
    outcome = broadcaster.broadcast(BroadcastRequest(playlist=(clip.id,), zones=("thon-1",)))
    assert outcome.status == "interrupted"
    assert all(pin_is_off(pins, name) for name in PINS)
    session, play = log.entries()
    assert (session["status"], play["status"]) == ("interrupted", "interrupted")
    assert 0.2 < play["seconds"] < 1.5
    check_pins(pins, log, box.amplifier.warmup_seconds)


@pytest.mark.parametrize("where", ["player", "relay"])
def test_a_bug_inside_a_session_fails_it_with_relays_off_and_the_next_one_plays(
    station, pins, box, capture_dir, where
):
    """Not an OSError nor a LoaxaError: a programming error must still end the session
    safely, leave no entry ``started``, and leave the box able to broadcast."""
    make, clip, _changes, log, relays = station
    broadcaster = make()
    if where == "player":

        def play(*_args, **_kwargs):
            raise RuntimeError("a bug in the player")

        broken, attribute, method = broadcaster.player, "play", play
    else:
        real_set = relays.set

        def set_relay(name, on):
            if (name, on) == ("thon-2", True):
                raise ValueError("a bug in the relay backend")
            real_set(name, on)

        broken, attribute, method = relays, "set", set_relay
    setattr(broken, attribute, method)  # an instance attribute hides the method until deleted
    outcome = broadcaster.broadcast(
        BroadcastRequest(playlist=(clip.id,), zones=("thon-1", "thon-2"))
    )
    assert outcome.status == "failed" and "a bug in the" in outcome.error
    assert all(pin_is_off(pins, name) for name in PINS)
    rows = log.entries()
    assert rows and all(r["status"] == "failed" for r in rows), rows
    check_pins(pins, log, box.amplifier.warmup_seconds)

    delattr(broken, attribute)
    after = broadcaster.broadcast(BroadcastRequest(playlist=(clip.id,), zones=("thon-1",)))
    assert after.status == "completed"
    assert len(captured_files(capture_dir)) == 1


def test_a_damaged_month_file_does_not_stop_the_broadcast(station, pins, capture_dir, box):
    """A month file the SD card garbled raises ValueError (not OSError) on every write."""
    make, clip, _changes, _log, _ = station
    broadcaster = make()
    said: list[str] = []
    broadcaster.announce = said.append
    assert broadcaster.broadcast(BroadcastRequest((clip.id,), ("thon-1",))).status == "completed"
    month_file = next(box.log_dir.glob("*.json"))
    month_file.write_text('{"_default": {"1": {"kind": "sess', "utf-8")
    outcome = broadcaster.broadcast(BroadcastRequest((clip.id,), ("thon-2",)))
    assert outcome.status == "completed" and outcome.clips_played == 1
    assert len(captured_files(capture_dir)) == 2
    assert any("KHÔNG GHI ĐƯỢC NHẬT KÝ PHÁT" in line for line in said)
    assert all(pin_is_off(pins, name) for name in PINS)


def test_a_clip_cut_short_on_the_card_is_refused_before_any_relay_moves(station, capture_dir, box):
    """1 KB left of the stored WAV: refused as damaged, not played, not counted."""
    make, clip, changes, log, _ = station
    with clip.path.open("r+b") as handle:
        handle.truncate(1024)
    outcome = make().broadcast(BroadcastRequest(playlist=(clip.id,), zones=("thon-1",)))
    assert outcome.status == "failed"
    assert f"Bài '{clip.id}'" in outcome.error and "bị hỏng" in outcome.error
    assert "1024 byte" in outcome.error
    assert "không có trong thư viện" not in outcome.error
    assert changes == [] and captured_files(capture_dir) == []
    assert [(r["kind"], r["status"]) for r in log.entries()] == [("session", "failed")]
    assert month_report(box, log).totals["plays_completed"] == 0


def test_a_clip_that_reaches_the_device_short_is_failed_and_not_counted(
    station, pins, capture_dir, box
):
    """The card loses the clip's tail after the check before the session (between the
    check and aplay): what reached the device is compared with the stored duration."""
    make, clip, _changes, log, _ = station
    broadcaster = make()

    def cut_when_playing(line: str) -> None:
        if "▶" in line:
            with clip.path.open("r+b") as handle:
                handle.truncate(1024)

    broadcaster.announce = cut_when_playing
    outcome = broadcaster.broadcast(BroadcastRequest(playlist=(clip.id,), zones=("thon-1",)))
    assert outcome.status == "failed" and outcome.clips_played == 0
    session, play = log.entries()
    assert (session["status"], play["status"]) == ("failed", "failed")
    assert play["seconds"] < 0.05
    assert "0.0" in play["error"] and "2.0" in play["error"] and "hỏng" in play["error"]
    assert all(pin_is_off(pins, name) for name in PINS)
    totals = month_report(box, log).totals
    assert (totals["plays_completed"], totals["plays_failed"]) == (0, 1)


def test_a_relay_pin_changed_under_the_session_fails_the_play(station, pins, box):
    """Another program drives a zone's pin low mid-clip (``pinctrl set 27 dl``): the pin
    read back at the clip's end says the zone was not on through it."""
    make, clip, _changes, log, _ = station
    broadcaster = make()

    def meddle(line: str) -> None:
        if "▶" in line:
            zone_pin = pins.pin(PINS["thon-1"])
            threading.Timer(0.5, lambda: setattr(zone_pin, "state", False)).start()

    broadcaster.announce = meddle
    outcome = broadcaster.broadcast(BroadcastRequest(playlist=(clip.id,), zones=("thon-1",)))
    assert outcome.status == "failed" and outcome.clips_played == 0
    assert "rơ-le thon-1 không còn ở trạng thái đã đặt" in outcome.error
    assert "pinctrl get 27" in outcome.error
    session, play = log.entries()
    assert (session["status"], play["status"]) == ("failed", "failed")
    assert all(pin_is_off(pins, name) for name in PINS)


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
