"""Import announcement clips once, so that playback never has to think about audio.

A commune officer brings whatever the phone or the district office produced: MP3,
WAV, M4A/AAC, OGG/Opus, FLAC, any sample rate, any number of channels. Each file is
checked, loudness-normalised and converted *once* at import time into the one format
the player sends to ``aplay`` (WAV, 48 kHz, signed 16-bit little-endian, mono: a PA
loudspeaker line is mono), so that every clip comes out of the horn equally loud and a
broadcast at 6 a.m. never depends on a decoder working on the day.

How it works, and why:

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
* The declared (probed) duration is checked against ``audio.max_clip_minutes`` before
  anything is decoded, so a 3-hour recording is refused in a second.
* Pass 1 decodes, downmixes to mono and measures with ``loudnorm`` (EBU R128,
  ``print_format=json``). The downmix comes first because the stored file is mono and
  the loudness of a mono downmix differs from the stereo loudness by up to 3 LU. Pass 1
  also yields the decoded duration (``-progress``) and the decoder's error lines, which
  is how a truncated or damaged file is told apart from a good one.
* Pass 2 applies the measured values with ``linear=true`` (a pure gain whenever the
  true-peak ceiling allows it; ffmpeg falls back to its dynamic mode otherwise),
  resamples to 48 kHz with triangular dither and writes a temporary WAV in the clips
  directory, which is fsynced and renamed to ``<id>.wav``; only then is the index
  entry written. A power cut therefore leaves at worst a temp file or an orphan WAV,
  both removed by :meth:`ClipLibrary.repair` at the next start. Clips shorter than
  loudnorm's 3 s look-ahead are looped through pass 2 and one copy is kept (see
  ``_convert``): without that, ffmpeg 5.1 leaves them some 18 LU too quiet. What the
  dynamic mode makes of them still differs between ffmpeg versions (5.1 and 7.1 by up
  to 1.3 LU), so a looped clip is measured once stored and, if it missed, written
  again with a plain gain that keeps the true peak under the ceiling.
* The WAV header's data size is checked against the file size before decoding:
  ffmpeg silently estimates a truncated WAV's duration from its size, so decoding
  alone would not notice the cut.
* The stored WAV's own size and SHA-256 are kept in the index too (``wav_size_bytes``,
  ``wav_sha256``; ``size_bytes`` and ``sha256`` are the original's), so a clip the SD
  card damaged later is refused, with a message saying so, instead of being played
  short and counted (see :meth:`ClipLibrary.check_stored`).
* Two ``flock`` files coordinate processes (the daemon and a CLI import may run at the
  same time): ``.import.lock`` is held shared for a whole import and exclusive by
  ``repair``, so repair never deletes the temp file of an import in progress;
  ``.index.lock`` is held exclusive while the id is chosen and the clip is committed or
  removed, so two imports cannot take the same id.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
import wave
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from tinydb import Query

from firmware_host.config import Config
from firmware_host.messages import LoaxaError, t
from firmware_host.store import fsync_directory, open_db, remove_stale_temporaries

__all__ = [
    "PCM_CHANNELS",
    "PCM_RATE",
    "PCM_SAMPLE_WIDTH",
    "Clip",
    "ClipLibrary",
    "slugify",
]

PCM_RATE = 48000
PCM_CHANNELS = 1
PCM_SAMPLE_WIDTH = 2

INDEX_NAME = "index.json"
IMPORT_LOCK = ".import.lock"
INDEX_LOCK = ".index.lock"

SILENCE_LUFS = -60.0  # quieter than this is a dead microphone, not an announcement
MAX_DECODE_ERRORS = 10  # error lines (ffmpeg logs a bad frame twice); a few are tolerated
TRUNCATION_SECONDS = 0.5  # encoder delay/padding is < 0.1 s; more missing = cut short
TRUNCATION_FRACTION = 0.05
SHORT_TOLERANCE = 0.02  # a "1 s" clip may decode a few ms short after codec trimming
LOUDNORM_WINDOW = 3.5  # seconds loudnorm's dynamic mode needs to see (3 s + margin)
SHORT_CLIP_MISS = 0.5  # LU a looped short clip may miss the target before it is corrected
ESTIMATE_SLACK = 1.25  # a bitrate-estimated duration may be this far off
PROBE_TIMEOUT = 60.0
# Each pass runs loudnorm at 192 kHz internally. A 2020s x86 core does both passes of
# a 3-minute clip in ~6 s (60x real time); a Pi Zero is estimated (not measured) at
# 20-50x slower, i.e. about real time per pass. 4 s per second of audio plus two
# minutes of start-up leaves a wide margin without letting a hung ffmpeg run forever.
TIMEOUT_BASE = 120.0
TIMEOUT_PER_SECOND = 4.0
DISK_MARGIN_BYTES = 20 * 1024 * 1024
ID_MAX_LENGTH = 60
HASH_CHUNK = 1024 * 1024
STORED_DURATION_TOLERANCE = 0.002  # seconds; the index keeps durations to the millisecond
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
# Every accepted format declares itself within its first bytes (RIFF, ID3 or a frame
# sync, an ftyp box, OggS, fLaC). A file that is only zeros there is a copy whose data
# never reached the stick; a zero-filled 1 GB ".mp3" also keeps ffprobe reading to the
# end (20 s here, minutes on a Pi) for nothing.
ZERO_CHECK_BYTES = 64 * 1024

# Format characters (Unicode category Cf) a title may hold. Khmer (khm: the Khmer Krom
# communes of the Mekong Delta) separates words with ZERO WIDTH SPACE and uses ZWNJ and
# ZWJ inside syllables; emoji sequences (a family, a flag with a sign) are joined by ZWJ.
# None of them reorders text. Every other Cf (bidi overrides and isolates, marks, soft
# hyphen, BOM, word joiner, tags...), every control and every lone surrogate is refused.
TITLE_FORMAT_CHARS = frozenset("\u200b\u200c\u200d")

_LANGUAGE = re.compile(r"[a-z]{2,8}")
_LOG_ERROR = re.compile(r"\[(?:error|fatal|panic)\]")
_NOT_ON_WHITELIST = re.compile(r"\[([\w,-]+) @ 0x[0-9a-f]+\] Format not on whitelist")
_LOUDNORM_KEYS = ("input_i", "input_tp", "input_lra", "input_thresh", "target_offset")


@dataclass(frozen=True)
class Clip:
    """One imported clip, as the schedule, the player and the CLI see it."""

    id: str
    title: str
    language: str
    duration: float  # seconds of the stored PCM
    original_name: str
    sha256: str  # of the original file's bytes, to refuse importing it twice
    imported_at: str  # ISO 8601 with the configured zone's offset
    path: Path
    input_lufs: float | None
    stored_size: int | None = None  # bytes of the stored WAV; None: imported by an older version
    stored_sha256: str | None = None


@dataclass
class _Probe:
    codec: str
    sample_rate: int
    channels: int
    channel_layout: str
    declared: float | None  # seconds, from the container/header
    estimated: bool  # ffprobe guessed the duration from the bitrate


@dataclass
class _Run:
    returncode: int
    progress_seconds: float
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    loudnorm: dict[str, Any] | None = None


def nfc(text: str) -> str:
    """NFC form: macOS and some phones hand out NFD names, the index always holds NFC."""
    return unicodedata.normalize("NFC", text)


def display_name(path: Path) -> str:
    """The file name as an operator reads it, safe to print and to store in UTF-8 JSON.

    A name copied from a FAT-formatted USB stick may not be valid UTF-8; Python then
    carries surrogate escapes, which JSON could not encode: they become U+FFFD. A hidden
    character is written out as ``<U+202E>``, so that the name cannot reorder the
    message or receipt it appears in.
    """
    raw = os.fsencode(path.name)
    return _visible(nfc(raw.decode("utf-8", "replace")))


def _hidden(text: str) -> list[str]:
    """The characters of *text* a title must not hold (see TITLE_FORMAT_CHARS)."""
    return [
        ch
        for ch in text
        if unicodedata.category(ch) in ("Cc", "Cs")
        or (unicodedata.category(ch) == "Cf" and ch not in TITLE_FORMAT_CHARS)
    ]


def _visible(text: str) -> str:
    hidden = set(_hidden(text))
    return "".join(f"<U+{ord(ch):04X}>" if ch in hidden else ch for ch in text)


def slugify(text: str) -> str:
    """A readable ASCII id: 'Thông báo tắt sóng 2G' -> 'thong-bao-tat-song-2g'.

    'đ' is a letter of its own in Unicode (it does not decompose), so it is mapped
    explicitly; every other Vietnamese letter loses its marks by NFD decomposition.
    Returns '' when nothing Latin is left (e.g. a title in Khmer script).
    """
    text = nfc(text).replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(slug) > ID_MAX_LENGTH:
        cut = slug[:ID_MAX_LENGTH]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug


def _float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _count(value: Any) -> int:
    """A positive whole number from ffprobe ("48000", 2), else 0 ("N/A", "inf", -1)."""
    number = _float(value)
    return int(number) if number is not None and 0 < number < math.inf else 0


def _timeout(seconds: float) -> float:
    return TIMEOUT_BASE + TIMEOUT_PER_SECOND * max(seconds, 0.0)


def _clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


class ClipLibrary:
    """The clips directory: ``<id>.wav`` files plus their TinyDB index."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.directory = config.clips_dir
        self.index_path = self.directory / INDEX_NAME
        # id -> (the WAV's inode, size, mtime; the message) of what a full check found
        # damaged, so a cheap check refuses it too until the file is replaced.
        self._damaged: dict[str, tuple[tuple[int, int, int], str]] = {}

    # ------------------------------------------------------------------ reading

    def _documents(self) -> list[dict[str, Any]]:
        """All index entries; an absent index is an empty library, a broken one an error."""
        if not self.index_path.is_file():
            return []
        try:
            with contextlib.closing(open_db(self.index_path)) as db:
                documents = [dict(doc) for doc in db.all()]
        except (OSError, ValueError, TypeError, AttributeError) as exc:  # not TinyDB's shape
            raise LoaxaError("clips.index_corrupt", path=self.index_path, detail=exc) from exc
        for doc in documents:
            if not isinstance(doc.get("id"), str) or not doc["id"]:
                detail = json.dumps(doc, ensure_ascii=False)[:80]
                raise LoaxaError("clips.index_corrupt", path=self.index_path, detail=detail)
        return documents

    def _clip(self, doc: dict[str, Any]) -> Clip:
        return Clip(
            id=doc["id"],
            title=doc.get("title", doc["id"]),
            language=doc.get("language", "vi"),
            duration=float(doc.get("duration", 0.0)),
            original_name=doc.get("original_name", ""),
            sha256=doc.get("sha256", ""),
            imported_at=doc.get("imported_at", ""),
            path=self.directory / f"{doc['id']}.wav",
            input_lufs=_float(doc.get("input_lufs")),
            stored_size=doc.get("wav_size_bytes"),
            stored_sha256=doc.get("wav_sha256"),
        )

    def clips(self) -> list[Clip]:
        """Every clip in the index, sorted by id (including any whose WAV went missing)."""
        return sorted((self._clip(doc) for doc in self._documents()), key=lambda c: c.id)

    def find(self, ref: str) -> Clip | None:
        """The clip whose id is *ref*, else the first (by id) whose title matches.

        Titles compare in NFC and case-insensitively, so a name typed on a phone
        (NFD) or in capitals still finds the clip.
        """
        wanted = nfc(ref).strip()
        if not wanted:
            return None
        clips = self.clips()
        for clip in clips:
            if clip.id == wanted:
                return clip
        folded = wanted.casefold()
        for clip in clips:
            if clip.id == folded or nfc(clip.title).casefold() == folded:
                return clip
        return None

    def refs(self) -> dict[str, float]:
        """Id -> duration and title -> duration of every *playable* clip.

        A clip whose WAV is missing is left out on purpose: the schedule checker should
        flag a slot that cannot play when the schedule is loaded, not at 6 a.m. When two
        clips share a title, the title maps to the first by id (as :meth:`find` does).
        """
        refs: dict[str, float] = {}
        for clip in self.clips():
            if not clip.path.is_file():
                continue
            refs[clip.id] = clip.duration
            refs.setdefault(clip.title, clip.duration)
        return refs

    # ------------------------------------------------------------------ locking

    @contextlib.contextmanager
    def _lock(self, name: str, mode: int) -> Iterator[bool]:
        """Hold an flock on ``clips_dir/name``; yields False if LOCK_NB could not get it."""
        self.directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.directory / name, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, mode)
            except BlockingIOError:
                yield False
                return
            yield True
        finally:
            os.close(fd)  # closing releases the lock

    # ------------------------------------------------------------------ import

    def import_file(self, source: Path, *, title: str | None = None, language: str = "vi") -> Clip:
        """Check, normalise and store *source*; returns the stored clip.

        Raises :class:`LoaxaError` with a ``clips.*`` key when the file is refused, and
        then nothing has been stored. Reading the source has messages of its own; any
        other OSError is the clips folder's (a card remounted read-only, a folder owned
        by another user) and refuses this one file rather than ending a batch.
        """
        try:
            return self._import_file(Path(source), title, language)
        except OSError as exc:
            raise LoaxaError(
                "clips.store_failed",
                name=display_name(Path(source)),
                path=self.directory,
                detail=exc,
            ) from exc

    def _import_file(self, source: Path, title: str | None, language: str) -> Clip:
        name = display_name(source)
        language = (language or "").strip().lower()
        if not _LANGUAGE.fullmatch(language):
            raise LoaxaError("clips.bad_language", language=language)
        if title is None:
            title = source.stem
            try:
                title.encode("utf-8")  # surrogate escapes: the name's bytes were not UTF-8
            except UnicodeEncodeError:
                raise LoaxaError("clips.name_not_utf8", name=name) from None
        title = nfc(title)
        hidden = _hidden(title)
        if hidden:
            codes = ", ".join(dict.fromkeys(f"U+{ord(ch):04X}" for ch in hidden))
            raise LoaxaError(
                "clips.title_hidden_chars", name=name, title=_visible(title), chars=codes
            )
        title = " ".join(title.split())
        if not title:
            raise LoaxaError("clips.bad_title", name=name)
        ffmpeg, ffprobe = self._tools()

        self._check_source(source, name)
        probe = self._probe(ffprobe, source, name)
        max_seconds = self.config.audio.max_clip_minutes * 60.0
        if probe.declared is not None:
            limit = max_seconds * (ESTIMATE_SLACK if probe.estimated else 1.0)
            if probe.declared > limit:
                raise LoaxaError(
                    "clips.too_long",
                    name=name,
                    minutes=probe.declared / 60.0,
                    maximum=self.config.audio.max_clip_minutes,
                )
        digest, size = self._hash(source, name)
        self._refuse_duplicate(digest, name)
        promise = _wav_promise(source)
        if promise is not None and _cut_short(*promise):
            raise LoaxaError("clips.truncated", name=name, declared=promise[0], decoded=promise[1])
        measured = self._measure(ffmpeg, source, name, probe, max_seconds)
        loudness = measured.loudnorm or {}
        tentative = slugify(title) or "clip"
        self.directory.mkdir(parents=True, exist_ok=True)
        self._check_space(name, measured.progress_seconds)
        # Only from here on does anything exist on disk, and the shared import lock
        # tells repair() that the temp file below is work in progress, not debris.
        with self._lock(IMPORT_LOCK, fcntl.LOCK_SH):
            fd, tmp_name = tempfile.mkstemp(
                prefix=f".{tentative}.wav.", suffix=".tmp", dir=self.directory
            )
            os.close(fd)
            tmp = Path(tmp_name)
            try:
                output = self._convert(ffmpeg, source, name, probe, measured, tmp)
                duration = self._check_stored(tmp, name)
                doc = {
                    "title": title,
                    "language": language,
                    "duration": round(duration, 3),
                    "original_name": name,
                    "sha256": digest,
                    "size_bytes": size,
                    "imported_at": datetime.now(self.config.timezone).isoformat(timespec="seconds"),
                    "input_lufs": _float(loudness.get("input_i")),
                    "input_true_peak": _float(loudness.get("input_tp")),
                    "input_lra": _float(loudness.get("input_lra")),
                    "output_lufs": _float(output.get("output_i")),
                    "output_true_peak": _float(output.get("output_tp")),
                    "normalization": output.get("normalization_type"),
                    "target_lufs": self.config.audio.target_lufs,
                    "true_peak_db": self.config.audio.true_peak_db,
                    "source_codec": probe.codec,
                    "source_sample_rate": probe.sample_rate,
                    "source_channels": probe.channels,
                    "source_duration": probe.declared,
                    "decode_errors": measured.error_count,
                    "pcm": {"rate": PCM_RATE, "channels": PCM_CHANNELS, "width": PCM_SAMPLE_WIDTH},
                }
                return self._commit(tmp, tentative, doc, name)
            finally:
                tmp.unlink(missing_ok=True)

    def _tools(self) -> tuple[str, str]:
        found = []
        for program in ("ffmpeg", "ffprobe"):
            path = shutil.which(program)
            if path is None:
                raise LoaxaError("clips.ffmpeg_missing", program=program)
            found.append(path)
        return found[0], found[1]

    def _check_source(self, source: Path, name: str) -> None:
        """Exists, is a regular file with something other than zeros, and is readable."""
        if not source.exists():
            shown = os.fsencode(source).decode("utf-8", "replace")
            raise LoaxaError("clips.source_not_found", name=nfc(shown))
        if source.is_dir():
            raise LoaxaError("clips.source_is_dir", name=name)
        if not source.is_file():  # a FIFO or a device would block or never end
            raise LoaxaError("clips.not_audio", name=name)
        try:
            with source.open("rb") as handle:
                head = handle.read(ZERO_CHECK_BYTES)
        except OSError as exc:
            raise LoaxaError(
                "clips.source_unreadable", name=name, detail=exc.strerror or exc
            ) from exc
        if not head:
            raise LoaxaError("clips.empty", name=name)
        if not head.strip(b"\0"):
            raise LoaxaError("clips.only_zeros", name=name)

    def _hash(self, source: Path, name: str) -> tuple[str, int]:
        """SHA-256 and size of the original bytes.

        Called after the probe, so that a 3-hour WAV is refused by its header before a
        minute is spent reading 2 GB from an SD card.
        """
        try:
            return _digest(source)
        except OSError as exc:
            raise LoaxaError(
                "clips.source_unreadable", name=name, detail=exc.strerror or exc
            ) from exc

    def _duplicate_of(self, digest: str) -> Clip | None:
        for doc in self._documents():
            if doc.get("sha256") == digest:
                return self._clip(doc)
        return None

    def _refuse_duplicate(self, digest: str, name: str) -> Clip | None:
        """Refuse content already in the library, unless its WAV is lost or damaged (then
        re-import).

        Returns the clip whose lost WAV this import restores, under the same id, so the
        schedules that name it work again.
        """
        existing = self._duplicate_of(digest)
        if existing is None:
            return None
        if existing.path.is_file() and self.check_stored(existing, full=True) is None:
            raise LoaxaError("clips.duplicate", name=name, id=existing.id, title=existing.title)
        return existing

    def _run(self, args: list[str], timeout: float, name: str) -> _Run:
        """Run an ffmpeg pass; its progress and log are read line by line."""
        with run_media(args, timeout, name) as (returncode, out, err):
            run = _Run(returncode=returncode, progress_seconds=_progress_seconds(out))
            _parse_log(err, run)
            return run

    def _probe(self, ffprobe: str, source: Path, name: str) -> _Probe:
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
            text = _read_text(out, limit=PROBE_OUTPUT_LIMIT)
            warnings = _read_text(err, limit=64 * 1024)
        try:
            info = json.loads(text) if returncode == 0 else {}
        except ValueError:
            info = {}
        if not isinstance(info, dict):
            info = {}
        refused = _refused_format(info, warnings)
        if refused is not None:
            raise LoaxaError("clips.format_refused", name=name, format=refused)
        streams = [s for s in info.get("streams", []) if s.get("codec_type") == "audio"]
        if not streams:
            raise LoaxaError("clips.not_audio", name=name)
        stream = streams[0]
        declared = _float(info.get("format", {}).get("duration"))
        if declared is None:
            declared = _float(stream.get("duration"))
        layout = stream.get("channel_layout") or ""
        return _Probe(
            codec=str(stream.get("codec_name", "?")),
            sample_rate=_count(stream.get("sample_rate")),
            channels=_count(stream.get("channels")),
            channel_layout="" if layout == "unknown" else layout,
            declared=declared if declared and declared > 0 else None,
            estimated="Estimating duration from bitrate" in warnings,
        )

    def _downmix(self, probe: _Probe) -> str:
        """Filter that makes mono *before* measuring, so we measure what we store.

        With a known layout, libswresample's standard downmix is right (5.1: centre and
        surrounds at -3 dB, LFE dropped). With an unknown layout (e.g. a 7-channel
        field recorder) there is no basis for weights, so every channel counts equally.
        """
        if probe.channel_layout or probe.channels <= 2:
            return "aformat=channel_layouts=mono"
        weight = 1.0 / probe.channels
        terms = "+".join(f"{weight:.6f}*c{i}" for i in range(probe.channels))
        return f"pan=mono|c0={terms}"

    def _ffmpeg_head(self, ffmpeg: str, source: Path, loops: int = 0) -> list[str]:
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

    def _loudnorm_targets(self) -> str:
        audio = self.config.audio
        return f"I={audio.target_lufs}:TP={audio.true_peak_db}"

    def _measure(
        self, ffmpeg: str, source: Path, name: str, probe: _Probe, max_seconds: float
    ) -> _Run:
        """Pass 1: decode everything once, measure loudness; refuse what is not usable."""
        expected = probe.declared if probe.declared is not None else _size_bound(source)
        args = [
            *self._ffmpeg_head(ffmpeg, source),
            "-t",
            f"{max_seconds + 1.0:.3f}",
            "-af",
            f"{self._downmix(probe)},loudnorm={self._loudnorm_targets()}:LRA=11:print_format=json",
            "-f",
            "null",
            "-",
        ]
        run = self._run(args, _timeout(min(expected, max_seconds)), name)
        decoded = run.progress_seconds
        if run.returncode != 0 or run.loudnorm is None:
            if decoded <= 0.0:
                raise LoaxaError("clips.not_audio", name=name)
            raise LoaxaError(
                "clips.corrupt", name=name, errors=run.error_count, detail=_first(run.errors)
            )
        if decoded <= 0.0:
            raise LoaxaError("clips.not_audio", name=name)
        if run.error_count > MAX_DECODE_ERRORS:
            raise LoaxaError(
                "clips.corrupt", name=name, errors=run.error_count, detail=_first(run.errors)
            )
        reliable = probe.declared is not None and not probe.estimated
        if reliable and _cut_short(probe.declared, decoded):  # type: ignore[arg-type]
            raise LoaxaError("clips.truncated", name=name, declared=probe.declared, decoded=decoded)
        minimum = self.config.audio.min_clip_seconds
        if decoded + SHORT_TOLERANCE < minimum:
            raise LoaxaError("clips.too_short", name=name, seconds=decoded, minimum=minimum)
        if decoded > max_seconds:
            raise LoaxaError(
                "clips.too_long",
                name=name,
                minutes=decoded / 60.0,
                maximum=self.config.audio.max_clip_minutes,
            )
        loudness = _float(run.loudnorm.get("input_i"))
        if loudness is None or loudness < SILENCE_LUFS:
            shown = "-∞" if loudness is None or math.isinf(loudness) else f"{loudness:.1f}"
            raise LoaxaError("clips.silent", name=name, lufs=shown)
        return run

    def _check_space(self, name: str, seconds: float) -> None:
        needed = int(seconds * PCM_RATE * PCM_CHANNELS * PCM_SAMPLE_WIDTH) + 4096
        free = shutil.disk_usage(self.directory).free
        if free < needed + DISK_MARGIN_BYTES:
            raise LoaxaError(
                "clips.disk_full",
                name=name,
                needed=math.ceil((needed + DISK_MARGIN_BYTES) / 2**20),
                free=free // 2**20,
            )

    def _convert(
        self,
        ffmpeg: str,
        source: Path,
        name: str,
        probe: _Probe,
        measured: _Run,
        tmp: Path,
        gain: float = 0.0,
    ) -> dict[str, Any]:
        """Pass 2: apply the measured loudness linearly and write the player's PCM format
        (*gain*: a correction in dB after loudnorm, for a short clip that missed)."""
        m = measured.loudnorm or {}

        def value(key: str, default: float) -> float:
            number = _float(m.get(key))
            return number if number is not None and math.isfinite(number) else default

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
            f"loudnorm={self._loudnorm_targets()}:LRA={lra:.2f}"
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
                self._downmix(probe),
                *pre,
                loudnorm,
                *([f"volume={gain:.2f}dB:precision=double"] if gain else []),
                f"aresample={PCM_RATE}:dither_method=triangular",
                f"aformat=sample_fmts=s16:sample_rates={PCM_RATE}:channel_layouts=mono",
                *trim,
            ]
        )
        max_seconds = self.config.audio.max_clip_minutes * 60.0
        args = [
            *self._ffmpeg_head(ffmpeg, source, loops),
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
        run = self._run(args, _timeout(measured.progress_seconds), name)
        if run.returncode != 0:
            raise LoaxaError("clips.ffmpeg_failed", name=name, detail=_first(run.errors))
        if not loops:
            return run.loudnorm or {}
        # What loudnorm's dynamic mode makes of a looped short clip depends on the ffmpeg
        # version: a 1.2 s peaky clip came out at -15.9 LUFS with 5.1 but -14.7 with 7.1.
        # So the stored copy is measured, and written once more with a plain gain if it
        # missed the target (never raising the true peak over the ceiling).
        stored_i, stored_tp = self._stored_loudness(ffmpeg, tmp, name)
        miss = self.config.audio.target_lufs - stored_i
        correction = min(miss, self.config.audio.true_peak_db - stored_tp)
        if not gain and abs(miss) > SHORT_CLIP_MISS and abs(correction) >= 0.05:
            return self._convert(ffmpeg, source, name, probe, measured, tmp, gain=correction)
        return {**(run.loudnorm or {}), "output_i": stored_i, "output_tp": stored_tp}

    def _stored_loudness(self, ffmpeg: str, wav: Path, name: str) -> tuple[float, float]:
        """(integrated LUFS, true peak dBTP) of a stored WAV, measured by loudnorm."""
        args = [
            *self._ffmpeg_head(ffmpeg, wav),
            "-af",
            f"loudnorm={self._loudnorm_targets()}:print_format=json",
            "-f",
            "null",
            "-",
        ]
        stats = self._run(args, _timeout(LOUDNORM_WINDOW), name).loudnorm or {}
        loudness, peak = _float(stats.get("input_i")), _float(stats.get("input_tp"))
        if loudness is None or peak is None or not math.isfinite(loudness):
            raise LoaxaError("clips.ffmpeg_failed", name=name, detail="loudnorm")
        return loudness, peak

    def _check_stored(self, tmp: Path, name: str) -> float:
        """Make the temp WAV durable and prove it is exactly the player's format."""
        try:
            with tmp.open("rb") as handle:
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o644)  # mkstemp makes 0600; the player may run as another user
            with wave.open(str(tmp), "rb") as wav:
                params = wav.getparams()
        except (OSError, EOFError, wave.Error) as exc:
            raise LoaxaError(
                "clips.store_failed", name=name, path=self.directory, detail=exc
            ) from exc
        if (params.framerate, params.nchannels, params.sampwidth) != (
            PCM_RATE,
            PCM_CHANNELS,
            PCM_SAMPLE_WIDTH,
        ):
            raise LoaxaError(
                "clips.store_failed",
                name=name,
                path=self.directory,
                detail=f"{params.framerate} Hz, {params.nchannels} ch, {params.sampwidth * 8} bit",
            )
        return params.nframes / PCM_RATE

    def _unique_id(self, base: str, taken: set[str]) -> str:
        candidate, n = base, 1
        while candidate in taken or (self.directory / f"{candidate}.wav").exists():
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    def _commit(self, tmp: Path, base: str, doc: dict[str, Any], name: str) -> Clip:
        """Rename the durable temp WAV into place, then write the index entry.

        Under the index lock, so the duplicate check and the id choice see every
        committed clip. If the index write fails the WAV is removed again: the library
        never holds a WAV without its entry, nor an entry without its WAV.
        """
        try:  # hashed outside the lock: 170 MB (30 min) is seconds of reading on a Pi
            wav_sha256, wav_size = _digest(tmp)
        except OSError as exc:
            raise LoaxaError("clips.store_failed", name=name, path=tmp, detail=exc) from exc
        doc = {**doc, "wav_size_bytes": wav_size, "wav_sha256": wav_sha256}
        with self._lock(INDEX_LOCK, fcntl.LOCK_EX):
            restoring = self._refuse_duplicate(doc["sha256"], name)
            documents = self._documents()
            clip_id = (
                restoring.id
                if restoring is not None
                else self._unique_id(base, {d["id"] for d in documents})
            )
            doc = {"id": clip_id, **doc, "file": f"{clip_id}.wav"}
            final = self.directory / f"{clip_id}.wav"
            try:
                if not self.index_path.exists():
                    # An existing (even empty) index is what lets repair() tell a WAV
                    # orphaned by a crash from a library whose index was lost.
                    with contextlib.closing(open_db(self.index_path)) as db:
                        db.storage.write({"_default": {}})
                os.replace(tmp, final)
                fsync_directory(self.directory)
            except OSError as exc:
                raise LoaxaError(
                    "clips.store_failed", name=name, path=self.directory, detail=exc
                ) from exc
            try:
                with contextlib.closing(open_db(self.index_path)) as db:
                    if restoring is not None:
                        db.remove(Query().id == clip_id)
                    db.insert(doc)
            except BaseException as exc:
                final.unlink(missing_ok=True)
                with contextlib.suppress(OSError):
                    fsync_directory(self.directory)
                if isinstance(exc, Exception):
                    raise LoaxaError(
                        "clips.store_failed", name=name, path=self.index_path, detail=exc
                    ) from exc
                raise
            return self._clip(doc)

    # ------------------------------------------------------------------ stored clips

    def check_stored(self, clip: Clip, *, full: bool = False) -> str | None:
        """None if *clip*'s WAV still is what was imported, else the operator message
        saying what is wrong with it (never "not in the library": it is, damaged).

        The cheap check (before each session) compares the file's size with the index
        and its WAV header with itself (data chunk present to the last byte) and with
        the stored duration: a stat and ~100 bytes read, ~70 µs. *full* also hashes the
        file (at start-up, ``clips list``, re-import): 170 MB (a 30-minute clip) took
        0.3-0.4 s here (x86 with SHA instructions, file in the page cache); a Pi Zero
        reads its SD card at ~20 MB/s, i.e. ~8 s for that clip (estimated, not measured),
        too slow to stand between a slot and its amplifier. A damage found by hashing
        is remembered for the same file (inode, size, mtime), so later cheap checks
        refuse it too.

        Clips imported before the stored WAV's size and hash were recorded have neither:
        the cheap check relies on the header alone, and the first full check whose
        header is consistent records the size and hash it finds (trust on first use;
        a flipped bit before that moment goes unnoticed, a cut never does).
        """
        name = clip.path.name
        try:
            info = clip.path.stat()
            identity = (info.st_ino, info.st_size, info.st_mtime_ns)
            known = self._damaged.get(clip.id)
            if known is not None and known[0] == identity:
                return known[1]
            detail = _stored_problem(clip, info.st_size)
            if detail is None and full:
                digest, _size = _digest(clip.path)
                if clip.stored_sha256 is None:
                    self._record_stored(clip, info.st_size, digest)
                elif digest != clip.stored_sha256:
                    detail = t("stored.hash", name=name)
                    self._damaged[clip.id] = (identity, self._damage(clip, detail))
        except OSError as exc:
            detail = t("stored.unreadable", name=name, detail=exc.strerror or exc)
        return None if detail is None else self._damage(clip, detail)

    def verify_stored(self) -> dict[str, str]:
        """Full check of every clip whose WAV exists: id -> message for the damaged ones.
        (A missing WAV is :meth:`repair`'s to report.)"""
        return {
            clip.id: message
            for clip in self.clips()
            if clip.path.is_file() and (message := self.check_stored(clip, full=True))
        }

    def _damage(self, clip: Clip, detail: str) -> str:
        return t(
            "stored.damaged",
            id=clip.id,
            title=clip.title,
            detail=detail,
            original=clip.original_name,
        )

    def _record_stored(self, clip: Clip, size: int, digest: str) -> None:
        """Keep the WAV size and hash of a clip an older version imported. Skipped when
        the index cannot be written (``clips list`` run by another user than the
        daemon) or is locked (an import, possibly this very process's: never wait).
        """
        entry = Query()
        with (
            contextlib.suppress(OSError, ValueError),
            self._lock(INDEX_LOCK, fcntl.LOCK_EX | fcntl.LOCK_NB) as got,
        ):
            if got:
                with contextlib.closing(open_db(self.index_path)) as db:
                    db.update(
                        {"wav_size_bytes": size, "wav_sha256": digest},
                        (entry.id == clip.id) & ~entry.wav_sha256.exists(),
                    )

    # ------------------------------------------------------------------ removal & repair

    def remove(self, clip_id: str) -> Clip:
        """Delete a clip: the index entry first, then the WAV.

        In that order a power cut leaves at worst an orphan WAV, which repair() deletes;
        the other order could leave an entry pointing at nothing.
        """
        with self._lock(INDEX_LOCK, fcntl.LOCK_EX):
            clip = self.find(clip_id)
            if clip is None:
                raise LoaxaError("clips.not_found", ref=clip_id)
            try:
                with contextlib.closing(open_db(self.index_path)) as db:
                    db.remove(Query().id == clip.id)
                clip.path.unlink(missing_ok=True)
                fsync_directory(self.directory)
            except (OSError, ValueError) as exc:
                raise LoaxaError(
                    "clips.store_failed", name=clip.id, path=self.directory, detail=exc
                ) from exc
            return clip

    def repair(self) -> list[str]:
        """Clean up after a power cut; returns one message per thing found. Never raises.

        Removes temp files of interrupted imports and WAVs without an index entry (an
        import cut between rename and index write). Entries whose WAV is missing are
        reported, not deleted: schedules name them, and re-importing the original file
        restores the WAV under the same id. If the index itself is missing or broken,
        no WAV is touched.
        """
        messages: list[str] = []
        try:
            if not self.directory.is_dir():
                return messages
            with self._lock(IMPORT_LOCK, fcntl.LOCK_EX | fcntl.LOCK_NB) as got:
                if not got:
                    return [t("clips.repair_busy")]
                with self._lock(INDEX_LOCK, fcntl.LOCK_EX):
                    for leftover in remove_stale_temporaries(self.directory):
                        messages.append(t("clips.repair_temp_removed", name=leftover.name))
                    wavs = sorted(self.directory.glob("*.wav"))
                    if not self.index_path.is_file():
                        if wavs:
                            messages.append(
                                t(
                                    "clips.repair_index_missing",
                                    path=self.index_path,
                                    count=len(wavs),
                                )
                            )
                        return messages
                    try:
                        documents = self._documents()
                    except LoaxaError as exc:
                        messages.append(str(exc))
                        return messages
                    known = {doc["id"] for doc in documents}
                    for wav in wavs:
                        if wav.stem not in known:
                            wav.unlink(missing_ok=True)
                            messages.append(t("clips.repair_orphan_removed", name=wav.name))
                    fsync_directory(self.directory)
                    for doc in sorted(documents, key=lambda d: d["id"]):
                        clip = self._clip(doc)
                        if not clip.path.is_file():
                            messages.append(
                                t(
                                    "clips.repair_wav_missing",
                                    id=clip.id,
                                    title=clip.title,
                                    name=clip.path.name,
                                    original=clip.original_name,
                                )
                            )
        except Exception as exc:  # repair runs at start-up: report, never stop the daemon
            messages.append(t("clips.repair_failed", path=self.directory, detail=exc))
        return messages


# ---------------------------------------------------------------------- file checks


def _digest(path: Path) -> tuple[str, int]:
    """SHA-256 and size of a file, read in chunks (a clip may be 170 MB)."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _stored_problem(clip: Clip, size: int) -> str | None:
    """What the size and the WAV header say is wrong with a stored clip, if anything."""
    name = clip.path.name
    if clip.stored_size is not None and size != clip.stored_size:
        return t("stored.size", name=name, actual=size, expected=clip.stored_size)
    promise = _wav_promise(clip.path)
    if promise is None:
        return t("stored.not_wav", name=name)
    declared, present = promise
    if present < declared:
        return t("stored.short", name=name, present=present, declared=declared)
    if abs(declared - clip.duration) > STORED_DURATION_TOLERANCE:
        return t("stored.length", name=name, declared=declared, expected=clip.duration)
    return None
def _size_bound(source: Path) -> float:
    """The most seconds of audio *source* can hold, for a file of unknown duration."""
    try:
        return source.stat().st_size / MIN_BYTES_PER_SECOND
    except OSError:
        return 0.0


def _cut_short(declared: float, decoded: float) -> bool:
    """Much less audio than promised: a cut-off copy, not encoder delay or padding."""
    return declared - decoded > max(TRUNCATION_SECONDS, TRUNCATION_FRACTION * declared)


def _wav_promise(source: Path) -> tuple[float, float] | None:
    """(seconds the WAV header promises, seconds actually present), or None if not a WAV.

    ffmpeg quietly estimates a truncated WAV's duration from the file size, so the
    decoded length cannot reveal the cut; the header's data-chunk size can. Only the
    chunk headers are read. RF64 and "unknown size" headers (0 or 0xFFFFFFFF, written
    when recording to a pipe) promise nothing and are left to the decoder.
    """
    try:
        size = source.stat().st_size
        with source.open("rb") as handle:
            head = handle.read(12)
            if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                return None
            byte_rate = 0
            for _ in range(64):
                chunk = handle.read(8)
                if len(chunk) < 8:
                    return None
                kind, length = chunk[:4], int.from_bytes(chunk[4:], "little")
                if kind == b"fmt ":
                    fmt = handle.read(min(length, 16))
                    if len(fmt) >= 12:
                        byte_rate = int.from_bytes(fmt[8:12], "little")
                    handle.seek(length - len(fmt) + (length & 1), os.SEEK_CUR)
                elif kind == b"data":
                    if byte_rate <= 0 or length in (0, 0xFFFFFFFF):
                        return None
                    present = max(0, size - handle.tell())
                    return length / byte_rate, min(length, present) / byte_rate
                else:
                    handle.seek(length + (length & 1), os.SEEK_CUR)
    except OSError:
        return None
    return None


# ---------------------------------------------------------------------- media subprocesses


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
    args: list[str], timeout: float, name: str
) -> Iterator[tuple[int, IO[bytes], IO[bytes]]]:
    """Run ffmpeg or ffprobe (*args*, opened through :func:`media_input`) on user media.

    The one place such a child is started. ``prlimit`` sets its limits before ffmpeg
    starts (``preexec_fn`` is not safe in the daemon, which has threads): address space
    as measured above, and CPU time equal to the wall-clock deadline, as a backstop that
    still stops a child whose parent was killed before its timeout could fire.
    Output and log go to temporary files, never pipes, so a long decode cannot block on
    a full pipe; yields (return code, stdout, stderr) rewound to their start.
    """
    limits = [
        "prlimit",
        f"--as={MEDIA_ADDRESS_SPACE}",
        f"--cpu={math.ceil(timeout)}",
        "--",
    ]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        try:
            proc = subprocess.run(
                [*limits, *args],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                timeout=timeout,
                env={**os.environ, **MEDIA_ENVIRONMENT},
            )
        except FileNotFoundError as exc:
            raise LoaxaError("clips.ffmpeg_missing", program="prlimit") from exc
        except subprocess.TimeoutExpired as exc:
            raise LoaxaError("clips.timeout", name=name, seconds=round(timeout)) from exc
        out.seek(0)
        err.seek(0)
        yield proc.returncode, out, err


def _refused_format(info: dict[str, Any], log: str) -> str | None:
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


# ---------------------------------------------------------------------- log parsing


def _read_text(handle: IO[bytes], limit: int | None = None) -> str:
    data = handle.read() if limit is None else handle.read(limit)
    return data.decode("utf-8", "replace")


def _progress_seconds(handle: IO[bytes]) -> float:
    """Decoded duration: the last ``out_time_us`` ffmpeg's ``-progress`` reported."""
    last = 0
    for raw in handle:
        line = raw.strip()
        if line.startswith(b"out_time_us="):
            with contextlib.suppress(ValueError):
                last = int(line.split(b"=", 1)[1])
    handle.seek(0)
    return max(last, 0) / 1_000_000


def _parse_log(handle: IO[bytes], run: _Run) -> None:
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


def _first(errors: list[str]) -> str:
    return errors[0] if errors else "?"
