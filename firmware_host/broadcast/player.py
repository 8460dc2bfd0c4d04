"""Play audio through ``aplay`` on the configured ALSA device: a stored clip, or any
:class:`~firmware_host.broadcast.sources.PcmSource` (a relayed stream, the line input).

We feed ``aplay`` raw PCM through a pipe instead of naming the file, and never run more
than ``lead_seconds`` ahead of the wall clock. On a sound card the card's own buffer
blocks us first, so nothing changes; but we always know how much audio has been handed
to the device, which is what an interrupted clip's "seconds played" honestly is, and a
capture device with no clock (ALSA ``file``/``null``, used by the demo and the tests)
plays in real time like a card would.

A player that stops accepting audio (a hung driver, an unplugged USB card) is killed at
the source's length (a clip's duration, a relay's planned time) plus a margin, so one
stuck clip can never hold the amplifier on. A live source is asked for each chunk by
the moment the device would run out of audio, so it can hand over silence in time
instead of letting the device starve.

While it plays, ``progress`` is told the seconds played about every
``PROGRESS_EVERY_SECONDS``: the session keeps them in a note that outlives a crash
(``PlayLog.note_progress``), since the log entry itself is only finished at the end.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from firmware_host.broadcast.sources import FileSource, PcmSource
from firmware_host.messages import LoaxaError

CHUNK_SECONDS = 0.1
PROGRESS_EVERY_SECONDS = 1.0


@dataclass(frozen=True)
class PlayResult:
    seconds: float  # audio handed to the device
    completed: bool
    stopped: bool  # ended on request (stop button, shutdown)
    error: str | None = None


class Player:
    def __init__(
        self,
        device: str,
        *,
        lead_seconds: float = 0.5,
        margin_seconds: float = 10.0,
        aplay: str = "aplay",
    ) -> None:
        self.device = device
        self.lead_seconds = lead_seconds
        self.margin_seconds = margin_seconds
        self.aplay = aplay

    def command(self, rate: int, channels: int) -> list[str]:
        return [
            self.aplay,
            "-q",
            "-D",
            self.device,
            "-t",
            "raw",
            "-f",
            "S16_LE",
            "-r",
            str(rate),
            "-c",
            str(channels),
            "-",
        ]

    def play(
        self,
        wav_path: Path,
        *,
        stop: threading.Event | None = None,
        progress: Callable[[float], None] | None = None,
    ) -> PlayResult:
        """Play *wav_path* to the end, or until *stop* is set; never raises for audio faults.

        ``seconds`` of the result counts the frames handed to the device, so a file
        shorter than its clip should be (cut on the card) shows as fewer seconds; the
        session compares them with the clip's stored duration."""
        try:
            source = FileSource(wav_path)
        except (OSError, EOFError, wave.Error) as exc:
            return PlayResult(0.0, False, False, f"{wav_path.name}: {exc}")
        try:
            return self.play_source(source, stop=stop, progress=progress)
        finally:
            source.close()

    def play_source(
        self,
        source: PcmSource,
        *,
        stop: threading.Event | None = None,
        progress: Callable[[float], None] | None = None,
    ) -> PlayResult:
        """Feed *source* to aplay, paced, until it ends or *stop* is set (see the module
        docstring); the caller closes the source. Never raises for audio faults."""
        stop = stop or threading.Event()
        if shutil.which(self.aplay) is None:
            raise LoaxaError("player.no_aplay")
        process = subprocess.Popen(
            self.command(source.rate, source.channels),
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        watchdog = threading.Timer(source.seconds + self.margin_seconds, process.kill)
        watchdog.daemon = True
        watchdog.start()
        try:
            return self._feed(source, process, stop, progress)
        finally:
            watchdog.cancel()
            if process.poll() is None:
                process.kill()
            process.wait()

    def _feed(
        self,
        source: PcmSource,
        process: subprocess.Popen,
        stop: threading.Event,
        progress: Callable[[float], None] | None,
    ) -> PlayResult:
        rate = source.rate
        frames_per_chunk = int(rate * CHUNK_SECONDS)
        frame_bytes = 2 * source.channels
        written = 0
        started = time.monotonic()
        next_note = started
        assert process.stdin is not None
        try:
            while True:
                if progress is not None and time.monotonic() >= next_note:
                    progress(self._played(started, written, rate))
                    next_note += PROGRESS_EVERY_SECONDS
                audio_end = started + written / rate  # when the device runs out
                if stop.wait(max(0.0, audio_end - self.lead_seconds - time.monotonic())):
                    process.kill()
                    return PlayResult(self._played(started, written, rate), False, True)
                chunk = source.read(frames_per_chunk, audio_end)
                if not chunk:
                    break
                if not written:  # the device starts with its first frame, not before
                    started = next_note = time.monotonic()
                process.stdin.write(chunk)
                written += len(chunk) // frame_bytes
            process.stdin.close()
        except (BrokenPipeError, ValueError, OSError):
            pass  # aplay is gone; its exit code and stderr say why
        # Let the device drain what is buffered, and let a clockless capture device catch
        # up with the wall clock; a stop request still ends it at once.
        audio_end = started + written / rate
        deadline = time.monotonic() + self.lead_seconds + self.margin_seconds
        while (process.poll() is None or time.monotonic() < audio_end) and (
            time.monotonic() < deadline
        ):
            if stop.wait(0.02):
                process.kill()
                return PlayResult(self._played(started, written, rate), False, True)
        if process.poll() is None:
            process.kill()
        code = process.wait()
        stderr = process.stderr.read().decode("utf-8", "replace").strip() if process.stderr else ""
        played = self._played(started, written, rate)
        if code != 0:
            reason = "; ".join(stderr.splitlines()[-2:]) if stderr else f"exit code {code}"
            if code < 0:
                reason = f"killed after {played:.1f} s (no progress)"
            return PlayResult(played, False, False, f"aplay -D {self.device}: {reason}"[:400])
        return PlayResult(round(written / rate, 3), True, False)

    @staticmethod
    def _played(started: float, written_frames: int, rate: int) -> float:
        return round(min(written_frames / rate, time.monotonic() - started), 3)


def play_pcm(device: str, pcm: bytes, *, rate: int, timeout: float) -> str | None:
    """Send a short mono S16_LE sound (beeps, a second of silence) to *device* at once,
    without pacing; returns None when aplay took it, else why not (for the operator).

    For the USB done-sound on a monitor speaker and the self-test's "does the sound card
    open" check: short enough that the device's own buffer paces it.
    """
    aplay = shutil.which("aplay")
    if aplay is None:
        return str(LoaxaError("player.no_aplay"))
    command = [aplay, "-q", "-D", device, "-t", "raw", "-f", "S16_LE", "-r", str(rate), "-c", "1"]
    try:
        run = subprocess.run(
            [*command, "-"],
            input=pcm,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    if run.returncode != 0:
        lines = run.stderr.decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else f"exit code {run.returncode}"
    return None


def list_devices(timeout: float = 10.0) -> str:
    """The text of ``aplay -L`` (every ALSA output name), or "" when there is none."""
    if shutil.which("aplay") is None:
        return ""
    try:
        return subprocess.run(
            ["aplay", "-L"], capture_output=True, text=True, timeout=timeout
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ""
