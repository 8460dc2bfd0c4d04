"""Where the player's audio comes from: a stored clip, a station's stream, the line input.

The seam is :class:`PcmSource` (as :class:`~firmware_host.relays.RelayBank` is for the
relays): the player pulls 48 kHz mono S16_LE PCM from it one chunk at a time and never
learns whether the frames came from a WAV on the SD card, from ffmpeg reading VOV1 or
from arecord on the USB sound card's input. So a relayed programme gets the relays,
warm-up, tail, pacing, kill-if-stuck and log a clip gets.

This is one of the few modules allowed to start audio programs (``AUDIO_RUNNERS`` in
tests/test_architecture.py): ffmpeg to read a stream, arecord to read the line input or
the microphone. Both run under ``prlimit`` (address space, CPU seconds) like the
children of :mod:`firmware_host.clips.transcode`, never through a shell, with stdout a
pipe read without blocking and stderr a temporary file (a chatty child never blocks).

A stream is read over http and https only. A schedule's URL is checked when the file is
read (:func:`~firmware_host.schedules.fields.stream_url_problem`); ``loaxa schedule
check`` also reads the playlist the URL serves (:func:`stream_problems`); and ffmpeg gets
``-protocol_whitelist http,https,tcp,tls`` and a list of stream formats, so that neither
the URL nor a playlist served later can make it read a file of the box ("file:",
"concat:", "subfile:", "data:", a playlist naming a local file). ffmpeg's refusal ends
the relay at once, without retries, with that reason.

A :class:`Relay` lasts its planned seconds of device time, whatever the source does:

* when the source has nothing by the time the device needs it, the device gets silence
  (it is never starved, so the timeline stays true) and that silence is not counted
  as relayed;
* a source that ends or fails (a dropped connection, a refused one, arecord losing its
  USB card, nothing received for ``STALL_SECONDS``) is a *drop-out*, and is started
  again, with pauses of 1, 2, 4 then 5 s, for ``[relay] retry_seconds``; after that the
  relay gives up, and the session plays the slot's fallback clip if it fits;
* sound whose every sample stays under ``[relay] silence_db`` for ``silence_seconds``
  is a drop-out too (a dead transmitter still sends a stream), with the same retry time.

Silence is measured here, on the PCM handed to the device, rather than with ffmpeg's
``silencedetect``: the line input has no ffmpeg in its path; the seconds of silence and
the seconds relayed are then counted on the same frames with the same clock; and the
rule is silencedetect's own (every sample under the noise floor for the whole span), at
a few hundred microseconds per second of audio.
"""

from __future__ import annotations

import array
import contextlib
import http.client
import math
import os
import select
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import wave
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Protocol

from firmware_host import __version__
from firmware_host.clips.transcode import MEDIA_ADDRESS_SPACE, MEDIA_ENVIRONMENT
from firmware_host.messages import LoaxaError, t
from firmware_host.schedules.fields import line_in_device_problem, stream_url_problem
from firmware_host.schedules.model import ERROR, LIVE, STREAM, WARNING, Phrase, Problem, SourceSpec

RATE = 48000
CHANNELS = 1
FRAME_BYTES = 2 * CHANNELS
# ffmpeg may open only these protocols and demuxers: HLS carries its audio in MPEG-TS
# segments (or packed AAC/MP3), which the HLS demuxer opens under the same lists.
STREAM_PROTOCOLS = ("http", "https", "tcp", "tls")
STREAM_FORMATS = ("mp3", "aac", "hls", "mpegts")
# A source that sends nothing at all for this long is taken as gone and started again
# (a stalled TCP connection, a USB card that stopped); silence is data and is not this.
STALL_SECONDS = 5.0
# Before the first sample the device is not yet playing, so waiting costs latency only:
# a stream that takes a second to connect starts clean instead of after silence (the
# relay then ends that much later: at most this, beyond the slot's planned end).
START_PATIENCE = 2.0
RETRY_PAUSES = (1.0, 2.0, 4.0, 5.0)  # between attempts to start a failed source again
CHECK_TIMEOUT = 5.0  # `schedule check` reading a stream's first bytes
PLAYLIST_LIMIT = 64 * 1024  # an HLS playlist is a few KB
PLAYLIST_DEPTH = 2  # a master playlist and the variant playlists it names
PLAYLIST_VARIANTS = 4
_PLAYLIST_TYPES = ("mpegurl", "x-mpegurl", "vnd.apple.mpegurl")
REASON_LIMIT = 300


class PcmSource(Protocol):
    """What the player pulls PCM from (see the module docstring)."""

    rate: int
    channels: int
    seconds: float
    """The most audio it will give: the player kills an aplay still stuck after this
    plus its margin, so a hung sound card never holds the amplifier on."""

    def read(self, frames: int, deadline: float) -> bytes:
        """Up to *frames* frames, by *deadline* (``time.monotonic()``); b"" at the end."""
        ...

    def close(self) -> None: ...


class FileSource:
    """A stored clip's WAV, read as it is (its own rate and channels)."""

    def __init__(self, path: Path) -> None:
        """Raises OSError, EOFError or wave.Error when *path* is not a readable WAV."""
        self._wav = wave.open(str(path), "rb")  # noqa: SIM115 - closed by close()
        if self._wav.getsampwidth() != 2:
            self._wav.close()
            raise wave.Error("not 16-bit PCM")
        self.rate = self._wav.getframerate()
        self.channels = self._wav.getnchannels()
        self.seconds = self._wav.getnframes() / self.rate

    def read(self, frames: int, deadline: float) -> bytes:
        return self._wav.readframes(frames)

    def close(self) -> None:
        self._wav.close()


# ---------------------------------------------------------------------- children


class _Child:
    """One ffmpeg or arecord writing raw PCM into a pipe this process reads without
    blocking; its stderr goes to a temporary file, read once it has ended."""

    def __init__(self, args: list[str], *, cpu_seconds: float) -> None:
        limits = ["prlimit", f"--as={MEDIA_ADDRESS_SPACE}", f"--cpu={math.ceil(cpu_seconds)}"]
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop()
        try:
            self.process = subprocess.Popen(
                [*limits, "--", *args],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                env={**os.environ, **MEDIA_ENVIRONMENT},
            )
        except OSError:
            self._stderr.close()
            raise
        assert self.process.stdout is not None
        self._fd = self.process.stdout.fileno()
        os.set_blocking(self._fd, False)

    def read(self, size: int, timeout: float) -> bytes | None:
        """Up to *size* bytes within *timeout* s: b"" when none came, None at the end."""
        ready, _, _ = select.select([self._fd], [], [], max(0.0, timeout))
        if not ready:
            return b""
        try:
            data = os.read(self._fd, size)
        except BlockingIOError:
            return b""
        return data or None

    def stop(self) -> tuple[str, bool]:
        """End the child (if it still runs): (what it said last, or its exit; whether it
        refused its input as off the allowed lists, which no retry will change)."""
        if self.process.poll() is None:
            self.process.kill()
        code = self.process.wait()
        assert self.process.stdout is not None
        self.process.stdout.close()
        self._stderr.seek(0)
        text = self._stderr.read()[-4096:].decode("utf-8", "replace")
        self._stderr.close()
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        refused = [line for line in lines if _refused_by_ffmpeg(line)]
        if refused:
            return t("sources.refused", detail=refused[0][:REASON_LIMIT]), True
        if lines:
            return "; ".join(lines[-2:])[:REASON_LIMIT], False
        return f"exit code {code}", False


def _program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise LoaxaError("sources.program_missing", program=name)
    return path


def stream_command(url: str) -> list[str]:
    """ffmpeg reading *url* (http/https only, stream formats only) as the player's PCM."""
    return [
        _program("ffmpeg"),
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-user_agent",
        f"loaxa/{__version__}",
        "-protocol_whitelist",
        ",".join(STREAM_PROTOCOLS),
        "-format_whitelist",
        ",".join(STREAM_FORMATS),
        "-i",
        url,
        "-vn",
        "-ac",
        str(CHANNELS),
        "-ar",
        str(RATE),
        "-f",
        "s16le",
        "-",
    ]


def capture_command(device: str) -> list[str]:
    """arecord reading ALSA capture *device* as the player's PCM."""
    return [
        _program("arecord"),
        "-q",
        "-D",
        device,
        "-t",
        "raw",
        "-f",
        "S16_LE",
        "-r",
        str(RATE),
        "-c",
        str(CHANNELS),
    ]


def _refused_by_ffmpeg(line: str) -> bool:
    """ffmpeg's words when a URL or a playlist asked for a protocol or format off its
    lists ("Protocol 'file' not on whitelist 'http,https,tcp,tls'!")."""
    return "not on whitelist" in line


# ---------------------------------------------------------------------- the relay


@dataclass
class RelayReport:
    """What a relay did, for the log entry and the session's verdict (device seconds)."""

    planned: float
    seconds: float = 0.0  # handed to the device: sound, silence and the silence we added
    relayed: float = 0.0  # the source's own sound; silent drop-outs and gaps excluded
    dropouts: int = 0
    dropout_seconds: float = 0.0
    gave_up: bool = False  # ended before its time: retries ran out, or a refused source
    reasons: list[str] = field(default_factory=list)  # what went wrong, each once

    def note(self, reason: str) -> None:
        if reason not in self.reasons and len(self.reasons) < 5:
            self.reasons.append(reason)


class Relay:
    """A live source as a :class:`PcmSource`: drop-outs, retries and silence handled
    (see the module docstring). *open_input* starts the child (ffmpeg or arecord);
    *preopen* starts it during the warm-up (a stream: hides the connection time),
    otherwise at the first read (the microphone: nothing said before "on air" leaks)."""

    rate = RATE
    channels = CHANNELS

    def __init__(
        self,
        open_input: Callable[[], _Child],
        *,
        seconds: float,
        retry_seconds: float,
        silence_seconds: float,
        silence_db: float,
        preopen: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._open_input = open_input
        self._clock = clock
        self._preopen = preopen
        self.report = RelayReport(planned=seconds)
        self.seconds = seconds + START_PATIENCE
        self._planned = round(seconds * RATE)
        self._retry = round(retry_seconds * RATE)
        self._silence = round(silence_seconds * RATE)
        self._level = max(1, round(32768 * 10 ** (silence_db / 20)))
        self._input: _Child | None = None
        self._last_data = 0.0
        self._next_try = 0.0
        self._attempts = 0
        self._pending = b""
        self._fed = 0  # frames handed to the device
        self._relayed = 0
        self._first_read = True
        self._closed = False
        # The current quiet run (gaps we filled, or the source's silence), in frames.
        self._run = 0
        self._run_sound = 0  # of which the source's own (silent) sound
        self._run_failed = False
        self._dropout_since: int | None = None  # frame where the run became a drop-out

    def prepare(self) -> None:
        """Called when the amplifier comes on, before the warm-up."""
        if self._preopen:
            self._start()

    def read(self, frames: int, deadline: float) -> bytes:
        if self.report.gave_up or self._fed >= self._planned:
            return b""
        frames = min(frames, self._planned - self._fed)
        now = self._clock()
        if self._first_read:
            self._first_read = False
            deadline = max(deadline, now + START_PATIENCE)
        if self._input is None and now >= self._next_try:
            self._start()
        data = self._take(frames, deadline) if self._input is not None else b""
        if self.report.gave_up:
            return b""
        if data:
            self._sound(data)
        else:
            data = bytes(frames * FRAME_BYTES)
            self._quiet(frames, sound=False)
        self._fed += len(data) // FRAME_BYTES
        if self._dropout_since is not None and self._fed - self._dropout_since >= self._retry:
            self._give_up()
        return data

    def close(self, heard: float | None = None) -> None:
        """End the child; the quiet run at the end is judged like any other. *heard*:
        the seconds the device really played, when the player was stopped or failed
        (it hands frames up to its lead ahead); what it never played is taken off the
        end, from the quiet run first. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._stop_input()
        if heard is not None and (excess := self._fed - round(heard * RATE)) > 0:
            self._fed -= excess
            quiet = min(excess, self._run)
            self._run -= quiet
            self._run_sound = min(self._run_sound, self._run)
            self._relayed = max(0, self._relayed - (excess - quiet))
        self._end_run()
        self.report.seconds = round(self._fed / RATE, 3)
        self.report.relayed = round(self._relayed / RATE, 3)
        self.report.dropout_seconds = round(self.report.dropout_seconds, 3)

    # -- the child

    def _start(self) -> None:
        try:
            self._input = self._open_input()
        except LoaxaError as exc:  # a refused address, a missing program: retrying won't help
            self._failed(str(exc), fatal=True)
            return
        except OSError as exc:  # prlimit missing is for good; no memory to fork may pass
            self._failed(str(exc), fatal=isinstance(exc, FileNotFoundError))
            return
        self._last_data = self._clock()

    def _take(self, frames: int, deadline: float) -> bytes:
        assert self._input is not None
        got = self._input.read(frames * FRAME_BYTES - len(self._pending), deadline - self._clock())
        if got is None:
            reason, refused = self._stop_input()
            self._failed(reason, fatal=refused)
            return b""
        if not got:
            if self._clock() - self._last_data >= STALL_SECONDS:
                self._stop_input()
                self._failed(t("sources.stalled", seconds=round(STALL_SECONDS)), fatal=False)
            return b""
        self._last_data = self._clock()
        data = self._pending + got
        whole = len(data) - len(data) % FRAME_BYTES
        self._pending = data[whole:]
        return data[:whole]

    def _stop_input(self) -> tuple[str, bool]:
        child, self._input = self._input, None
        self._pending = b""
        return child.stop() if child is not None else ("", False)

    def _failed(self, reason: str, *, fatal: bool) -> None:
        self.report.note(reason)
        self._run_failed = True
        if self._dropout_since is None:
            self._dropout_since = self._fed
        pause = RETRY_PAUSES[min(self._attempts, len(RETRY_PAUSES) - 1)]
        self._attempts += 1
        self._next_try = self._clock() + pause
        if fatal:
            self._give_up()

    def _give_up(self) -> None:
        self.report.gave_up = True
        self._stop_input()

    # -- what was heard

    def _sound(self, data: bytes) -> None:
        frames = len(data) // FRAME_BYTES
        if _is_silent(data, self._level):
            self._quiet(frames, sound=True)
            return
        self._end_run()
        self._relayed += frames
        self._attempts = 0

    def _quiet(self, frames: int, *, sound: bool) -> None:
        self._run += frames
        if sound:
            self._run_sound += frames
        if self._dropout_since is None and self._run >= self._silence:
            self._dropout_since = self._fed + frames
            seconds = round(self._silence / RATE)
            heard = self._run_sound * 2 >= self._run  # the source's silence, or nothing at all
            self.report.note(t("sources.silent" if heard else "sources.stalled", seconds=seconds))

    def _end_run(self) -> None:
        """A quiet run ended (sound came back, or the relay ended): a drop-out if the
        source failed in it or it lasted ``silence_seconds``; else a pause in speech,
        whose own sound counts as relayed (the silence we filled in never does)."""
        if self._run_failed or self._run >= self._silence:
            self.report.dropouts += 1
            self.report.dropout_seconds += self._run / RATE
        else:
            self._relayed += self._run_sound
        self._run = self._run_sound = 0
        self._run_failed = False
        self._dropout_since = None


def _is_silent(data: bytes, level: int) -> bool:
    """Every sample under *level*. A sparse look first: almost every chunk of a
    programme has a loud sample among every eighth one, and then that is the answer."""
    samples = array.array("h", data)
    coarse = samples[::8]
    if coarse and (max(coarse) >= level or -min(coarse) >= level):
        return False
    return not samples or (max(samples) < level and -min(samples) < level)


def open_relay(
    spec: SourceSpec,
    *,
    retry_seconds: float,
    silence_seconds: float,
    silence_db: float,
    seconds: float,
) -> Relay:
    """The relay of *spec* for *seconds* (its planned length, or ``[live] max_minutes``).

    A stream starts during the warm-up; the line input and the microphone at their
    first read. The address is checked again here: a schedule is not the only way in.
    """
    cpu = seconds + retry_seconds + 60.0  # a backstop: a decoder at 100 % for the whole slot
    if spec.kind == STREAM:
        url = spec.url or ""

        def open_stream() -> _Child:
            reason = stream_url_problem(url)
            if reason is not None:
                raise LoaxaError(reason.key, **reason.params)
            return _Child(stream_command(url), cpu_seconds=cpu)

        opener, preopen = open_stream, True
    else:
        device = spec.device or ""

        def open_capture() -> _Child:
            reason = line_in_device_problem(device) if spec.kind != LIVE else None
            if reason is not None:
                raise LoaxaError(reason.key, **reason.params)
            return _Child(capture_command(device), cpu_seconds=cpu)

        opener, preopen = open_capture, False
    return Relay(
        opener,
        seconds=seconds,
        retry_seconds=retry_seconds,
        silence_seconds=silence_seconds,
        silence_db=silence_db,
        preopen=preopen,
    )


# ---------------------------------------------------------------------- schedule check


def stream_problems(
    specs: Iterable[tuple[str, SourceSpec]], timeout: float = CHECK_TIMEOUT
) -> list[Problem]:
    """For ``loaxa schedule check``: each stream's playlist read now, (file, spec) pairs
    in, one problem per refused or unreachable URL out (each URL is fetched once).

    An unreachable stream is a warning (the network may be down while the operator
    checks); a playlist naming anything but http(s) addresses is an error.
    """
    verdicts: dict[str, tuple[str, Phrase] | None] = {}
    problems = []
    for file, spec in specs:
        if spec.kind != STREAM or not spec.url:
            continue
        if spec.url not in verdicts:
            verdicts[spec.url] = check_stream(spec.url, timeout)
        verdict = verdicts[spec.url]
        if verdict is not None:
            severity, phrase = verdict
            problems.append(
                Problem(file, spec.line or None, phrase.key, phrase.params, severity=severity)
            )
    return problems


def check_stream(url: str, timeout: float = CHECK_TIMEOUT) -> tuple[str, Phrase] | None:
    """(severity, reason) when *url* may not or cannot be relayed, else None.

    The first bytes are read: a playlist (HLS ``#EXTM3U``, or a playlist's content
    type) has every address it names resolved against it and checked like a schedule's
    URL, down to the variant playlists a master playlist names.
    """
    return _check(url, url, timeout, PLAYLIST_DEPTH)


def _check(url: str, named_in: str, timeout: float, depth: int) -> tuple[str, Phrase] | None:
    reason = stream_url_problem(url)
    if reason is not None:
        return ERROR, reason
    try:
        final, body = _first_bytes(url, timeout)
    except (OSError, ValueError, http.client.HTTPException) as exc:
        detail = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        return WARNING, Phrase("schedule.stream_unreachable", {"url": url, "detail": detail})
    if stream_url_problem(final) is not None:  # redirected to something else
        return ERROR, Phrase("schedule.stream_playlist_local", {"url": named_in, "entry": final})
    if body is None:
        return None
    variants = []
    for entry in _playlist_entries(body):
        resolved = urllib.parse.urljoin(final, entry)
        if stream_url_problem(resolved) is not None:
            refused = {"url": named_in, "entry": entry}
            return ERROR, Phrase("schedule.stream_playlist_local", refused)
        if urllib.parse.urlsplit(resolved).path.lower().endswith((".m3u8", ".m3u")):
            variants.append(resolved)
    if depth > 1:
        for variant in variants[:PLAYLIST_VARIANTS]:
            verdict = _check(variant, named_in, timeout, depth - 1)
            if verdict is not None and verdict[0] == ERROR:
                return verdict
    return None


def _first_bytes(url: str, timeout: float) -> tuple[str, str | None]:
    """(the URL after redirects, the playlist's text or None when it is not one)."""
    request = urllib.request.Request(url, headers={"User-Agent": f"loaxa/{__version__}"})
    with contextlib.closing(urllib.request.urlopen(request, timeout=timeout)) as response:
        final = response.geturl()
        kind = (response.headers.get("Content-Type") or "").lower()
        head = response.read1(4096)
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        if not text.startswith(b"#EXTM3U") and not any(k in kind for k in _PLAYLIST_TYPES):
            return final, None
        body = head + response.read(PLAYLIST_LIMIT - len(head))
    return final, body.decode("utf-8", "replace")


def _playlist_entries(text: str) -> Iterator[str]:
    """Every address an M3U/HLS playlist names: its lines, and URI="…" in its tags."""
    for raw in text.splitlines():
        line = raw.strip().lstrip("\ufeff")
        if not line:
            continue
        if line.startswith("#"):
            for part in line.split('URI="')[1:]:
                yield part.split('"', 1)[0]
            continue
        yield line
