"""Amplifier-power and speaker-line sense inputs, on gpiozero's mock pins.

The inputs are driven as an opto-isolated module would drive them: pulled up at rest,
pulled low while its input sees voltage. The amplifier's contactor is modelled by the
relay observer: when the amplifier relay goes on, the sense input follows a moment
later (or never, for a blown fuse).
"""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from firmware_host.broadcast.player import Player
from firmware_host.broadcast.session import Broadcaster, BroadcastRequest
from firmware_host.clips import ClipLibrary
from firmware_host.clock import system_clock
from firmware_host.config import ConfigError, load_config
from firmware_host.logbook.playlog import PlayLog
from firmware_host.relays import AMPLIFIER, open_relays
from firmware_host.relays.sense import Sense
from tests.helpers import captured_files, make_tone

AMP_SENSE, LINE_SENSE = 5, 6
RELAY_PINS = (17, 27, 22, 23)


def test_inputs_follow_the_module_and_say_none_when_not_wired(pins):
    sense = Sense(amplifier_pin=AMP_SENSE, line_pin=None, active_high=False, factory=pins)
    try:
        assert sense.amplifier_on() is False, "pulled up at rest: off"
        pins.pin(AMP_SENSE).drive_low()
        assert sense.amplifier_on() is True
        assert sense.line_seen() is None
    finally:
        sense.close()
    high = Sense(amplifier_pin=None, line_pin=LINE_SENSE, active_high=True, factory=pins)
    try:
        assert high.amplifier_on() is None
        high.watch_line()
        assert high.line_seen() is False, "pulled down at rest: off"
        pins.pin(LINE_SENSE).drive_high()
        pins.pin(LINE_SENSE).drive_low()
        assert high.line_seen() is True, "a moment of signal since watch_line counts"
        high.watch_line()
        assert high.line_seen() is False
    finally:
        high.close()


def test_sense_pins_are_read_from_the_config_and_checked(tmp_path):
    header = '[commune]\nname = "Xã Ea Tu"\nprovince = "Đắk Lắk"\n[relays]\n'
    (tmp_path / "loaxa.toml").write_text(
        header + 'amplifier_sense_pin = "5"\nline_sense_pin = "GPIO6"\nsense_active_high = true\n',
        "utf-8",
    )
    relays = load_config(tmp_path).relays
    assert (relays.amplifier_sense_pin, relays.line_sense_pin) == (5, "GPIO6")
    assert relays.sense_active_high is True
    (tmp_path / "loaxa.toml").write_text(header + 'amplifier_sense_pin = "17"\n', "utf-8")
    with pytest.raises(ConfigError, match="chân 17 được dùng cho cả 'amplifier'"):
        load_config(tmp_path)
    (tmp_path / "loaxa.toml").write_text(
        header + 'line_sense_pin = "5"\n[usb]\nstatus_led_pin = "GPIO5"\n', "utf-8"
    )
    with pytest.raises(ConfigError, match=r"'relays\.line_sense_pin' và 'usb\.status_led_pin'"):
        load_config(tmp_path)


@pytest.fixture
def sensed(box, pins, tmp_path):
    """A broadcaster on mock pins with both sense inputs wired, and the contactor model:
    ``contactor["delay"]`` seconds after the amplifier relay goes on, its sense input
    becomes active (None: never); ``contactor["line"]`` makes the line carry audio."""
    contactor: dict = {"delay": 0.05, "line": True}

    def follow(name: str, on: bool) -> None:
        if name != AMPLIFIER:
            return
        if not on:
            pins.pin(AMP_SENSE).drive_high()
            pins.pin(LINE_SENSE).drive_high()
        elif contactor["delay"] is not None:
            threading.Timer(contactor["delay"], pins.pin(AMP_SENSE).drive_low).start()
            if contactor["line"]:  # audio reaches the line once the clip plays
                threading.Timer(0.4 + 0.3, pins.pin(LINE_SENSE).drive_low).start()

    settings = replace(box.relays, amplifier_sense_pin=AMP_SENSE, line_sense_pin=LINE_SENSE)
    relays, _note = open_relays(settings, pin_factory=pins, observer=follow)
    library = ClipLibrary(box)
    clip = library.import_file(make_tone(tmp_path / "Loa.wav", seconds=1.2))
    log = PlayLog(box.log_dir, box.timezone)
    broadcaster = Broadcaster(
        relays=relays,
        player=Player("loaxa_capture"),
        library=library,
        log=log,
        now=system_clock(box.timezone),
        warmup_seconds=box.amplifier.warmup_seconds,
        tail_seconds=box.amplifier.tail_seconds,
        announce=lambda _line: None,
    )
    yield broadcaster, clip, log, contactor
    relays.close()
    log.close()


def relays_all_off(pins) -> bool:
    return not any(pins.pin(pin).state for pin in RELAY_PINS)


def test_an_amplifier_that_never_powers_on_fails_the_session_unplayed(sensed, pins, capture_dir):
    broadcaster, clip, log, contactor = sensed
    contactor["delay"] = None  # blown fuse: the relay clicks, the amplifier stays dark
    outcome = broadcaster.broadcast(BroadcastRequest((clip.id,), ("thon-1",)))
    assert outcome.status == "failed" and outcome.clips_played == 0
    assert outcome.error.startswith("âm ly không bật lên trong thời gian chờ 0.4 giây")
    assert "kiểm tra nguồn và công-tắc-tơ của âm ly" in outcome.error
    assert relays_all_off(pins)
    assert captured_files(capture_dir) == [], "nothing was played into a dead amplifier"
    entries = log.entries()
    assert [(e["kind"], e["status"]) for e in entries] == [("session", "failed")]


def test_an_amplifier_that_powers_on_during_the_warm_up_plays(sensed, pins, capture_dir):
    broadcaster, clip, log, _contactor = sensed
    outcome = broadcaster.broadcast(BroadcastRequest((clip.id,), ("thon-1",)))
    assert outcome.status == "completed" and outcome.clips_played == 1
    assert outcome.note is None
    assert relays_all_off(pins)
    assert len(captured_files(capture_dir)) == 1
    session = next(e for e in log.entries() if e["kind"] == "session")
    assert session["status"] == "completed" and session["note"] is None


def test_a_silent_speaker_line_is_noted_in_the_log(sensed, pins):
    broadcaster, clip, log, contactor = sensed
    contactor["line"] = False  # amplifier on, but nothing reaches the speakers
    outcome = broadcaster.broadcast(BroadcastRequest((clip.id,), ("thon-2",)))
    assert outcome.status == "completed"
    assert outcome.note.startswith("đường dây loa không có tín hiệu trong lúc phát")
    session = next(e for e in log.entries() if e["kind"] == "session")
    assert "kiểm tra dây loa" in session["note"] and session["error"] is None
    assert relays_all_off(pins)


def test_an_amplifier_that_loses_power_mid_clip_fails_the_play(sensed, pins, capture_dir):
    """The contactor drops out half-way through the clip (a tripped breaker): the clip
    plays to its end into nothing, and must not count."""
    broadcaster, clip, log, _contactor = sensed
    threading.Timer(0.4 + 0.6, pins.pin(AMP_SENSE).drive_high).start()
    outcome = broadcaster.broadcast(BroadcastRequest((clip.id,), ("thon-1",)))
    assert outcome.status == "failed" and outcome.clips_played == 0
    assert outcome.error.startswith("âm ly mất điện trong lúc phát")
    session, play = log.entries()
    assert (session["status"], play["status"]) == ("failed", "failed")
    assert relays_all_off(pins)
