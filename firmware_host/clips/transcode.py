"""The one module that runs ffmpeg and ffprobe on a clip someone brought.

Everything a file from a phone or a USB stick goes through before it becomes a stored
clip: probe, pass 1 (decode, downmix, measure loudness), pass 2 (apply the measured gain,
resample, write the player's WAV), and the parsers of what those children print. The
library (:mod:`.library`) decides what to do with the answers; nothing here touches the
index.

Why it is done this way:

* Probing calls ``ffprobe`` directly rather than ``pydub.utils.mediainfo_json``: that
  helper has no timeout, always parses ffprobe's info-level stderr and raises a bare
  ``JSONDecodeError`` on a file ffprobe rejects, while here we need a timeout, a clear
  "not audio" verdict and ffprobe's warning that a duration is only estimated.
* Everything streams file to file through ``ffmpeg`` subprocesses; no sample is ever
  held in Python memory (the box may be a Pi Zero with 512 MB and a clip may last 30
  minutes). ffmpeg's logs and progress go to temporary files, not pipes, so a long
  decode cannot block on a full pipe.
* A file comes from anyone who can reach the USB port, so ffmpeg and ffprobe open it
  only through :func:`media_input` (the demuxers of the accepted formats, the ``file``
  protocol, nothing that follows a playlist or script to other files) and run only
  through :func:`run_media`, with limits on address space and CPU time.
* Pass 1 decodes, downmixes to mono and measures with ``loudnorm`` (EBU R128,
  ``print_format=json``). The downmix comes first because the stored file is mono and
  the loudness of a mono downmix differs from the stereo loudness by up to 3 LU. Pass 1
  also yields the decoded duration (``-progress``) and the decoder's error lines, which
  is how a truncated or damaged file is told apart from a good one.
* Pass 2 applies the measured values with ``linear=true`` (a pure gain whenever the
  true-peak ceiling allows it; ffmpeg falls back to its dynamic mode otherwise) and
  resamples to 48 kHz with triangular dither (:func:`second_pass_filter`, pure). Clips
  shorter than loudnorm's 3 s look-ahead are looped through pass 2 and one copy is kept:
  without that, ffmpeg 5.1 leaves them some 18 LU too quiet. What the dynamic mode makes
  of them still differs between ffmpeg versions (5.1 and 7.1 by up to 1.3 LU), so a
  looped clip is measured once stored and, if it missed, written again with a plain
  gain that keeps the true peak under the ceiling.
* A pass reports how far it got while it runs (``progress``: seconds of audio handled,
  read from ffmpeg's ``-progress`` lines every :data:`WATCH_SECONDS`), so the web panel
  can show an officer that a long clip on a Pi Zero is moving, not hung.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from firmware_host.clips.wavfile import cut_short
from firmware_host.config import AudioSettings
from firmware_host.messages import LoaxaError

# The one format the player sends to aplay: a PA loudspeaker line is mono.
PCM_RATE = 48000
PCM_CHANNELS = 1
PCM_SAMPLE_WIDTH = 2

SILENCE_LUFS = -60.0  # quieter than this is a dead microphone, not an announcement
MAX_DECODE_ERRORS = 10  # error lines (ffmpeg logs a bad frame twice); a few are tolerated
SHORT_TOLERANCE = 0.02  # a "1 s" clip may decode a few ms short after codec trimming
LOUDNORM_WINDOW = 3.5  # seconds loudnorm's dynamic mode needs to see (3 s + margin)
SHORT_CLIP_MISS = 0.5  # LU a looped short clip may miss the target before it is corrected
PROBE_TIMEOUT = 60.0
# Each pass runs loudnorm at 192 kHz internally. A 2020s x86 core does both passes of
# a 3-minute clip in ~6 s (60x real time); a Pi Zero is estimated (not measured) at
# 20-50x slower, i.e. about real time per pass. 4 s per second of audio plus two
# minutes of start-up leaves a wide margin without letting a hung ffmpeg run forever.
TIMEOUT_BASE = 120.0
TIMEOUT_PER_SECOND = 4.0
# The demuxers of the formats we accept (MP3, WAV, M4A/AAC, OGG/Opus, FLAC), and the only
# ones ffmpeg/ffprobe may use on a file we are given. Without this list ffmpeg picks the
# demuxer by content: an HLS playlist or an ffconcat script renamed .mp3 then reads
# audio from any path it names (absolute or ../), and a "live" playlist never ends.
# "mov" is the demuxer of .m4a; "aac" reads raw ADTS; "ogg" holds Vorbis and Opus.
ACCEPTED_FORMATS = ("mp3", "wav", "mov", "aac", "ogg", "flac")
# Address space of each ffmpeg/ffprobe child. Measured with the real import of a
# 30-minute 48 kHz stereo MP3 (VmPeak, x86-64): ffmpeg 5.1 (Debian 12) 312 MiB, ffmpeg
# 7.1 (Debian 13) 339 MiB with MEDIA_ENVIRONMENT below (711 MiB without it); resident
# memory stays under 90 MiB, the rest is shared libraries mapped but never touched.
# A 1 GB file of zeros named .mp3 took an unlimited ffprobe to 2.1 GB resident, which a
# Pi Zero 2 W (512 MB) cannot give; under this limit the allocation fails instead.
MEDIA_ADDRESS_SPACE = 512 * 1024 * 1024
# glibc reserves 64 MiB of address space per thread arena, and ffmpeg 7 runs demuxer,
# decoder, filters and muxer in threads of their own; one arena keeps that reservation
# inside MEDIA_ADDRESS_SPACE (measured above) and costs nothing an audio pipeline notices.
MEDIA_ENVIRONMENT = {"MALLOC_ARENA_MAX": "1"}
PROBE_OUTPUT_LIMIT = 1024 * 1024  # ffprobe's JSON for one audio file is a few KB, tags and all
# A file whose duration is unknown cannot hold more audio than its size at this rate
# (4 kbit/s, below the lowest speech setting of any accepted codec): that bounds the
# decode deadline, instead of assuming the longest clip allowed (two hours on a Pi).
MIN_BYTES_PER_SECOND = 500
WATCH_SECONDS = 0.5  # how often a pass reports its progress while it runs

Progress = Callable[[float], None]
"""Told the seconds of audio a pass has handled so far, while it runs."""

_LOG_ERROR = re.compile(r"\[(?:error|fatal|panic)\]")
_NOT_ON_WHITELIST = re.compile(r"\[([\w,-]+) @ 0x[0-9a-f]+\] Format not on whitelist")
_LOUDNORM_KEYS = ("input_i", "input_tp", "input_lra", "input_thresh", "target_offset")


@dataclass(frozen=True)
class Probe:
    """What ffprobe says of a file's first audio stream."""

    codec: str
    sample_rate: int
    channels: int
    channel_layout: str
    declared: float | None  # seconds, from the container/header
    estimated: bool  # ffprobe guessed the duration from the bitrate


@dataclass
class Run:
    """What one ffmpeg pass printed: decoded seconds, error lines, loudnorm's JSON."""

    returncode: int
    progress_seconds: float
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    loudnorm: dict[str, Any] | None = None

    @property
    def first_error(self) -> str:
        return self.errors[0] if self.errors else "?"


def number(value: Any) -> float | None:
    """A float from ffprobe/loudnorm JSON, None for anything else (NaN included)."""
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(result) else result


def _count(value: Any) -> int:
    """A positive whole number from ffprobe ("48000", 2), else 0 ("N/A", "inf", -1)."""
    found = number(value)
    return int(found) if found is not None and 0 < found < math.inf else 0


def _clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


def timeout_for(seconds: float) -> float:
    """The deadline of one pass over *seconds* of audio (see TIMEOUT_BASE)."""
    return TIMEOUT_BASE + TIMEOUT_PER_SECOND * max(seconds, 0.0)


def size_bound(source: Path) -> float:
    """The most seconds of audio *source* can hold, for a file of unknown duration."""
    try:
        return source.stat().st_size / MIN_BYTES_PER_SECOND
    except OSError:
        return 0.0


def tools() -> tuple[str, str]:
    """Paths of ffmpeg and ffprobe; a missing one is an operator message."""
    found = []
    for program in ("ffmpeg", "ffprobe"):
        path = shutil.which(program)
        if path is None:
            raise LoaxaError("clips.ffmpeg_missing", program=program)
        found.append(path)
    return found[0], found[1]


# ---------------------------------------------------------------------- running children


def media_input(source: Path) -> list[str]:
    """The options that open *source*, and nothing but that file, as the input.

    ``file:`` keeps a name such as "Thông báo: 2G.mp3" from being read as a protocol;
    the protocol list stops any nested open (a playlist's segment, a data reference)
    from reaching the network, and the format list keeps demuxers that open other
    files (HLS, concat, ...) from being used at all. Both are AVFormatContext options,
    so they must come before ``-i``.
    """
    return [
        "-protocol_whitelist",
        "file",
        "-format_whitelist",
        ",".join(ACCEPTED_FORMATS),
        "-i",
        "file:" + str(source.resolve()),
    ]


@contextlib.contextmanager
def run_media(
    args: list[str], timeout: float, name: str, progress: Progress | None = None
) -> Iterator[tuple[int, IO[bytes], IO[bytes]]]:
    """Run ffmpeg or ffprobe (*args*, opened through :func:`media_input`) on user media.

    The one place such a child is started. ``prlimit`` sets its limits before ffmpeg
    starts (``preexec_fn`` is not safe in the daemon, which has threads): address space
    as measured above, and CPU time equal to the wall-clock deadline, as a backstop that
    still stops a child whose parent was killed before its timeout could fire.
    Output and log go to temporary files, never pipes, so a long decode cannot block on
    a full pipe; yields (return code, stdout, stderr) rewound to their start. With
    *progress*, the ``-progress`` lines the child writes to stdout are read while it
    runs (without moving the file's offset, which the child shares).
    """
    limits = [
        "prlimit",
        f"--as={MEDIA_ADDRESS_SPACE}",
        f"--cpu={math.ceil(timeout)}",
        "--",
    ]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        try:
            proc = subprocess.Popen(
                [*limits, *args],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                env={**os.environ, **MEDIA_ENVIRONMENT},
            )
        except FileNotFoundError as exc:
            raise LoaxaError("clips.ffmpeg_missing", program="prlimit") from exc
        try:
            tick = None if progress is None else lambda: progress(handled(out))
            returncode = _wait(proc, timeout, tick)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        if returncode is None:
            raise LoaxaError("clips.timeout", name=name, seconds=round(timeout))
        if tick is not None and returncode == 0:
            tick()  # a pass quicker than one tick still ends where the child ended
        out.seek(0)
        err.seek(0)
        yield returncode, out, err


def _wait(
    proc: subprocess.Popen[bytes], timeout: float, tick: Callable[[], None] | None
) -> int | None:
    """The child's return code; None once it was killed at *timeout* seconds. *tick*
    runs every :data:`WATCH_SECONDS` while it runs."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        try:
            return proc.wait(timeout=max(0.0, min(left, WATCH_SECONDS) if tick else left))
        except subprocess.TimeoutExpired:
            if time.monotonic() >= deadline:
                proc.kill()
                proc.wait()
                return None
            if tick:
                tick()


def handled(out: IO[bytes]) -> float:
    """Seconds a running pass has handled: its last ``out_time_us`` so far, read at the
    end of its progress file with ``pread`` (the child's writes keep their offset)."""
    fd = out.fileno()
    size = os.fstat(fd).st_size
    tail = os.pread(fd, 4096, max(0, size - 4096))
    found = re.findall(rb"out_time_us=(-?\d+)", tail)
    return max(0, int(found[-1])) / 1_000_000 if found else 0.0


def run_pass(args: list[str], timeout: float, name: str, progress: Progress | None = None) -> Run:
    """Run one ffmpeg pass; its progress and log are read line by line."""
    with run_media(args, timeout, name, progress) as (returncode, out, err):
        run = Run(returncode=returncode, progress_seconds=progress_seconds(out))
        parse_log(err, run)
        return run


# ---------------------------------------------------------------------- probe


def probe(ffprobe: str, source: Path, name: str) -> Probe:
    """ffprobe's view of *source*; refuses a format not on the list and a file without
    an audio stream."""
    args = [
        ffprobe,
        "-v",
        "warning",
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
        *media_input(source),
    ]
    with run_media(args, PROBE_TIMEOUT, name) as (returncode, out, err):
        text = read_text(out, limit=PROBE_OUTPUT_LIMIT)
        warnings = read_text(err, limit=64 * 1024)
    try:
        info = json.loads(text) if returncode == 0 else {}
    except ValueError:
        info = {}
    if not isinstance(info, dict):
        info = {}
    refused = refused_format(info, warnings)
    if refused is not None:
        raise LoaxaError("clips.format_refused", name=name, format=refused)
    streams = [s for s in info.get("streams", []) if s.get("codec_type") == "audio"]
    if not streams:
        raise LoaxaError("clips.not_audio", name=name)
    stream = streams[0]
    declared = number(info.get("format", {}).get("duration"))
    if declared is None:
        declared = number(stream.get("duration"))
    layout = stream.get("channel_layout") or ""
    return Probe(
        codec=str(stream.get("codec_name", "?")),
        sample_rate=_count(stream.get("sample_rate")),
        channels=_count(stream.get("channels")),
        channel_layout="" if layout == "unknown" else layout,
        declared=declared if declared and declared > 0 else None,
        estimated="Estimating duration from bitrate" in warnings,
    )


# ---------------------------------------------------------------------- the two passes


def downmix(found: Probe) -> str:
    """Filter that makes mono *before* measuring, so we measure what we store.

    With a known layout, libswresample's standard downmix is right (5.1: centre and
    surrounds at -3 dB, LFE dropped). With an unknown layout (e.g. a 7-channel
    field recorder) there is no basis for weights, so every channel counts equally.
    """
    if found.channel_layout or found.channels <= 2:
        return "aformat=channel_layouts=mono"
    weight = 1.0 / found.channels
    terms = "+".join(f"{weight:.6f}*c{i}" for i in range(found.channels))
    return f"pan=mono|c0={terms}"


def ffmpeg_head(ffmpeg: str, source: Path, loops: int = 0) -> list[str]:
    """The input half of every ffmpeg pass: the first audio stream only (phones add
    cover art as a video stream), progress on stdout."""
    return [
        ffmpeg,
        "-nostdin",
        "-hide_banner",
        "-nostats",
        "-loglevel",
        "level+info",
        "-stream_loop",
        str(loops),
        "-guess_layout_max",
        "8",
        *media_input(source),
        "-map",
        "0:a:0",
        "-vn",
        "-sn",
        "-dn",
        "-progress",
        "pipe:1",
    ]


def loudnorm_targets(audio: AudioSettings) -> str:
    return f"I={audio.target_lufs}:TP={audio.true_peak_db}"


def measure(
    ffmpeg: str,
    source: Path,
    name: str,
    found: Probe,
    audio: AudioSettings,
    progress: Progress | None = None,
) -> Run:
    """Pass 1: decode everything once, measure loudness; refuse what is not usable."""
    max_seconds = audio.max_clip_minutes * 60.0
    expected = found.declared if found.declared is not None else size_bound(source)
    args = [
        *ffmpeg_head(ffmpeg, source),
        "-t",
        f"{max_seconds + 1.0:.3f}",
        "-af",
        f"{downmix(found)},loudnorm={loudnorm_targets(audio)}:LRA=11:print_format=json",
        "-f",
        "null",
        "-",
    ]
    run = run_pass(args, timeout_for(min(expected, max_seconds)), name, progress)
    decoded = run.progress_seconds
    if run.returncode != 0 or run.loudnorm is None:
        if decoded <= 0.0:
            raise LoaxaError("clips.not_audio", name=name)
        raise LoaxaError("clips.corrupt", name=name, errors=run.error_count, detail=run.first_error)
    if decoded <= 0.0:
        raise LoaxaError("clips.not_audio", name=name)
    if run.error_count > MAX_DECODE_ERRORS:
        raise LoaxaError("clips.corrupt", name=name, errors=run.error_count, detail=run.first_error)
    if found.declared is not None and not found.estimated and cut_short(found.declared, decoded):
        raise LoaxaError("clips.truncated", name=name, declared=found.declared, decoded=decoded)
    minimum = audio.min_clip_seconds
    if decoded + SHORT_TOLERANCE < minimum:
        raise LoaxaError("clips.too_short", name=name, seconds=decoded, minimum=minimum)
    if decoded > max_seconds:
        raise LoaxaError(
            "clips.too_long", name=name, minutes=decoded / 60.0, maximum=audio.max_clip_minutes
        )
    loudness = number(run.loudnorm.get("input_i"))
    if loudness is None or loudness < SILENCE_LUFS:
        shown = "-∞" if loudness is None or math.isinf(loudness) else f"{loudness:.1f}"
        raise LoaxaError("clips.silent", name=name, lufs=shown)
    return run


def second_pass_filter(
    found: Probe, measured: Run, audio: AudioSettings, gain: float = 0.0
) -> tuple[str, int]:
    """(filter chain, input loops) of pass 2: pure, so the loudness maths is testable.

    *gain*: a correction in dB after loudnorm, for a looped short clip that missed.
    """
    m = measured.loudnorm or {}

    def value(key: str, default: float) -> float:
        found_value = number(m.get(key))
        return found_value if found_value is not None and math.isfinite(found_value) else default

    measured_i = value("input_i", -70.0)
    # loudnorm accepts measured_I only up to 0 LUFS, but a float or many-channel
    # source can measure louder; attenuate first (in double precision) and shift
    # the measurements by the same amount, so the gain stays exact and linear.
    pre_gain = min(0.0, -10.0 - measured_i) if measured_i > -5.0 else 0.0
    measured_i += pre_gain
    measured_tp = _clamp(value("input_tp", 0.0) + pre_gain, -99.0, 99.0)
    measured_thresh = _clamp(value("input_thresh", -70.0) + pre_gain, -99.0, 0.0)
    # ffmpeg reads measured_LRA == 0, measured_I == 0 and measured_thresh == -70 as
    # "not given" and then silently drops linear mode; a steady tone really has an
    # LRA of 0, so nudge the sentinels by a harmless 0.01.
    measured_lra = _clamp(value("input_lra", 0.0), 0.01, 99.0)
    measured_i = _clamp(measured_i, -99.0, -0.01)
    if abs(measured_thresh + 70.0) < 0.005:
        measured_thresh = -69.99
    offset = _clamp(value("target_offset", 0.0), -99.0, 99.0)
    # loudnorm also leaves linear mode when the target LRA is below the measured
    # LRA; a gain must not depend on that, so the target LRA follows the measurement
    # (capped at 20, the ceiling of older ffmpeg builds such as Debian 11's).
    lra = _clamp(max(11.0, measured_lra + 1.0), 1.0, 20.0)
    loudnorm = (
        f"loudnorm={loudnorm_targets(audio)}:LRA={lra:.2f}"
        f":measured_I={measured_i:.2f}:measured_TP={measured_tp:.2f}"
        f":measured_LRA={measured_lra:.2f}:measured_thresh={measured_thresh:.2f}"
        f":offset={offset:.2f}:linear=true:print_format=json"
    )
    pre = [f"volume={pre_gain:.2f}dB:precision=double"] if pre_gain else []
    # loudnorm's dynamic mode looks 3 s ahead; fed less than that, ffmpeg 5.1
    # applies almost no gain (a 2 s speech clip came out at -34 LUFS) and still
    # reports "linear". A short clip is therefore looped (one copy to settle the
    # gain, one to keep, enough after it to fill the look-ahead) and exactly the
    # second copy is kept. Padding with silence instead was measured at up to
    # 2.5 LU too loud with true peaks over the ceiling; keeping the first copy, up
    # to 2.6 LU too loud (the gain is still settling there).
    decoded = measured.progress_seconds
    loops = 1 + math.ceil(LOUDNORM_WINDOW / decoded) if 0 < decoded < LOUDNORM_WINDOW else 0
    frames = round(decoded * PCM_RATE)
    trim = (
        [f"atrim=start_sample={frames}:end_sample={2 * frames}", "asetpts=N/SR/TB"]
        if loops
        else []
    )
    chain = ",".join(
        [
            downmix(found),
            *pre,
            loudnorm,
            *([f"volume={gain:.2f}dB:precision=double"] if gain else []),
            f"aresample={PCM_RATE}:dither_method=triangular",
            f"aformat=sample_fmts=s16:sample_rates={PCM_RATE}:channel_layouts=mono",
            *trim,
        ]
    )
    return chain, loops


def convert(
    ffmpeg: str,
    source: Path,
    name: str,
    found: Probe,
    measured: Run,
    tmp: Path,
    audio: AudioSettings,
    gain: float = 0.0,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Pass 2: apply the measured loudness linearly and write the player's PCM format
    into *tmp*; returns loudnorm's output figures."""
    chain, loops = second_pass_filter(found, measured, audio, gain)
    max_seconds = audio.max_clip_minutes * 60.0
    args = [
        *ffmpeg_head(ffmpeg, source, loops),
        "-t",
        f"{max_seconds + 1.0:.3f}",
        "-af",
        chain,
        "-map_metadata",
        "-1",
        "-fflags",
        "+bitexact",
        "-flags:a",
        "+bitexact",
        "-c:a",
        "pcm_s16le",
        "-f",
        "wav",
        "-y",
        "file:" + str(tmp),
    ]
    run = run_pass(args, timeout_for(measured.progress_seconds), name, progress)
    if run.returncode != 0:
        raise LoaxaError("clips.ffmpeg_failed", name=name, detail=run.first_error)
    if not loops:
        return run.loudnorm or {}
    # What loudnorm's dynamic mode makes of a looped short clip depends on the ffmpeg
    # version: a 1.2 s peaky clip came out at -15.9 LUFS with 5.1 but -14.7 with 7.1.
    # So the stored copy is measured, and written once more with a plain gain if it
    # missed the target (never raising the true peak over the ceiling).
    stored_i, stored_tp = stored_loudness(ffmpeg, tmp, name, audio)
    miss = audio.target_lufs - stored_i
    correction = min(miss, audio.true_peak_db - stored_tp)
    if not gain and abs(miss) > SHORT_CLIP_MISS and abs(correction) >= 0.05:
        return convert(ffmpeg, source, name, found, measured, tmp, audio, gain=correction)
    return {**(run.loudnorm or {}), "output_i": stored_i, "output_tp": stored_tp}


def stored_loudness(ffmpeg: str, wav: Path, name: str, audio: AudioSettings) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) of a stored WAV, measured by loudnorm."""
    args = [
        *ffmpeg_head(ffmpeg, wav),
        "-af",
        f"loudnorm={loudnorm_targets(audio)}:print_format=json",
        "-f",
        "null",
        "-",
    ]
    stats = run_pass(args, timeout_for(LOUDNORM_WINDOW), name).loudnorm or {}
    loudness, peak = number(stats.get("input_i")), number(stats.get("input_tp"))
    if loudness is None or peak is None or not math.isfinite(loudness):
        raise LoaxaError("clips.ffmpeg_failed", name=name, detail="loudnorm")
    return loudness, peak


# ---------------------------------------------------------------------- parsers


def refused_format(info: dict[str, Any], log: str) -> str | None:
    """The demuxer ffprobe found if it is not one we accept, else None.

    A refused demuxer makes ffprobe fail with "[hls @ 0x...] Format not on whitelist";
    the bracket names it. The probed ``format_name`` is checked too, in case a build
    ignored the list.
    """
    match = _NOT_ON_WHITELIST.search(log)
    if match:
        return match.group(1)
    found = str(info.get("format", {}).get("format_name") or "")
    if found and not set(found.split(",")) & set(ACCEPTED_FORMATS):
        return found
    return None


def read_text(handle: IO[bytes], limit: int | None = None) -> str:
    data = handle.read() if limit is None else handle.read(limit)
    return data.decode("utf-8", "replace")


def progress_seconds(handle: IO[bytes]) -> float:
    """Decoded duration: the last ``out_time_us`` ffmpeg's ``-progress`` reported."""
    last = 0
    for raw in handle:
        line = raw.strip()
        if line.startswith(b"out_time_us="):
            with contextlib.suppress(ValueError):
                last = int(line.split(b"=", 1)[1])
    handle.seek(0)
    return max(last, 0) / 1_000_000


def parse_log(handle: IO[bytes], run: Run) -> None:
    """Count decoder errors and pick out loudnorm's JSON, reading line by line.

    A badly damaged 30-minute file can log an error per frame; streaming keeps memory
    flat and only the first few error lines are kept for the message.
    """
    block: list[str] | None = None
    for raw in handle:
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        if block is not None:
            block.append(line)
            if line.strip() == "}":
                try:
                    data = json.loads("\n".join(block))
                except ValueError:
                    data = None
                if isinstance(data, dict) and all(k in data for k in _LOUDNORM_KEYS):
                    run.loudnorm = data
                block = None
            continue
        if line.strip() == "{":
            block = [line]
            continue
        if _LOG_ERROR.search(line):
            run.error_count += 1
            if len(run.errors) < 3:
                run.errors.append(line.split("] ", 2)[-1].strip())
