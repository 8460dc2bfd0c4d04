"""Helpers the tests share: real clips made by ffmpeg, samples read back from WAVs."""

from __future__ import annotations

import array
import subprocess
import wave
from pathlib import Path

from firmware_host.demo import captured_files


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


def wait_until(predicate, timeout: float, what=lambda: None) -> None:
    """Poll *predicate* until true; on time-out say what was there instead (``what()``)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"condition not reached: {what()}")


__all__ = ["captured_files", "make_tone", "read_samples", "wait_until"]
