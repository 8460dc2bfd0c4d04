"""Helpers the tests share: real clips made by ffmpeg, samples read back from WAVs."""

from __future__ import annotations

import array
import subprocess
import time
import wave
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

from firmware_host.demo import captured_files

REPO = Path(__file__).resolve().parent.parent  # the checkout: tests live in tests/ and below


def make_tone(
    path: Path, *, seconds: float = 1.5, frequency: int = 440, rate: int = 44100, channels: int = 2
) -> Path:
    """A real encoded clip made by ffmpeg (format follows the suffix)."""
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency={frequency}:sample_rate={rate}:duration={seconds}",
            "-af",
            "volume=0.5",
            "-ac",
            str(channels),
            str(path),
        ],
        check=True,
        timeout=60,
    )
    return path


def read_samples(path: Path) -> tuple[int, list[int]]:
    """(rate, mono 16-bit samples) of a WAV."""
    with wave.open(str(path), "rb") as source:
        assert source.getsampwidth() == 2 and source.getnchannels() == 1
        data = array.array("h", source.readframes(source.getnframes()))
        return source.getframerate(), data.tolist()


def read_cut_capture(path: Path) -> list[int]:
    """The samples of a capture file whose aplay was killed mid-clip (a stop, a cut).

    ALSA's ``file`` plugin writes the WAV header's sizes when the device is closed; a
    killed aplay never closes it, so the header says 0 frames while the samples that
    reached the device are all there after it. Read them by the file's size.
    """
    raw = path.read_bytes()
    at = raw.index(b"data") + 8  # the data chunk's header: "data" + 4-byte size
    body = raw[at : at + (len(raw) - at) // 2 * 2]
    return array.array("h", body).tolist()


def wait_until(predicate, timeout: float, what=lambda: None) -> None:
    """Poll *predicate* until true; on time-out say what was there instead (``what()``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"condition not reached: {what()}")


WALL_MINUS_MONOTONIC = time.time() - time.monotonic()


def pin_timeline(pin) -> list[tuple[float, bool]]:
    """(wall-clock time, state) of every change of a gpiozero MockPin.

    MockPin keeps the time since the previous change; its last change is absolute.
    """
    moments = []
    at = pin._last_change
    for state in reversed(pin.states[1:]):
        moments.append((at + WALL_MINUS_MONOTONIC, bool(state.state)))
        at -= state.timestamp
    return list(reversed(moments))


def check_relay_sequence(
    pins,
    *,
    amplifier: int,
    zones: Mapping[str, int],
    audio_starts: Sequence[str],
    warmup: float,
) -> None:
    """The hardware-safety rules, read off the pins themselves (active-high relays):

    * a zone relay switches only while the amplifier is off;
    * the amplifier comes on only with a zone on to drive;
    * audio starts no sooner than the warm-up after the amplifier came on;
    * at the end the amplifier and every zone are off.

    *audio_starts* are the ``started`` times of the log's clip entries (taken just
    before the player starts aplay).
    """
    amp = pin_timeline(pins.pin(amplifier))
    on_spans = [
        (at, next((off for off, state in amp[i + 1 :] if not state), float("inf")))
        for i, (at, state) in enumerate(amp)
        if state
    ]
    for zone, number in zones.items():
        for at, state in pin_timeline(pins.pin(number)):
            inside = [span for span in on_spans if span[0] < at < span[1]]
            assert not inside, f"{zone} switched {'ON' if state else 'OFF'} with the amplifier on"
    for on, _off in on_spans:
        lit = [z for z, number in zones.items() if _state_at(pin_timeline(pins.pin(number)), on)]
        assert lit, "the amplifier came on with no zone on"
    for text in audio_starts:
        start = datetime.fromisoformat(text).timestamp()  # to the millisecond
        span = next((s for s in on_spans if s[0] - 0.001 <= start <= s[1]), None)
        assert span is not None, "audio started with the amplifier off"
        assert start - span[0] >= warmup - 0.01, (
            f"audio started {start - span[0]:.3f} s after the amplifier came on "
            f"(warm-up {warmup} s)"
        )
    for number in (amplifier, *zones.values()):
        assert not pins.pin(number).state, f"pin {number} left ON"


def _state_at(timeline: Sequence[tuple[float, bool]], moment: float) -> bool:
    state = False
    for at, value in timeline:
        if at > moment:
            break
        state = value
    return state


__all__ = [
    "captured_files",
    "check_relay_sequence",
    "make_tone",
    "pin_timeline",
    "read_cut_capture",
    "read_samples",
    "wait_until",
]
