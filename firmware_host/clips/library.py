"""Import announcement clips once, so that playback never has to think about audio.

A commune officer brings whatever the phone or the district office produced: MP3,
WAV, M4A/AAC, OGG/Opus, FLAC, any sample rate, any number of channels. Each file is
checked, loudness-normalised and converted *once* at import time into the one format
the player sends to ``aplay`` (WAV, 48 kHz, signed 16-bit little-endian, mono: a PA
loudspeaker line is mono), so that every clip comes out of the horn equally loud and a
broadcast at 6 a.m. never depends on a decoder working on the day.

How it works, and why (the ffmpeg side is :mod:`.transcode`'s docstring):

* The declared (probed) duration is checked against ``audio.max_clip_minutes`` before
  anything is decoded, so a 3-hour recording is refused in a second.
* Pass 2 writes a temporary WAV in the clips directory, which is fsynced and renamed to
  ``<id>.wav``; only then is the index entry written. A power cut therefore leaves at
  worst a temp file or an orphan WAV, both removed by :meth:`ClipLibrary.repair` at the
  next start.
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
import json
import math
import os
import re
import shutil
import tempfile
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from tinydb import Query

from firmware_host.clips import transcode
from firmware_host.clips.names import clip_title, display_name, slugify
from firmware_host.clips.transcode import PCM_CHANNELS, PCM_RATE, PCM_SAMPLE_WIDTH, number
from firmware_host.clips.wavfile import cut_short, digest, wav_promise
from firmware_host.config import Config
from firmware_host.messages import LoaxaError, t
from firmware_host.store import fsync_directory, open_db, remove_stale_temporaries
from firmware_host.textout import nfc

__all__ = ["Clip", "ClipLibrary"]

INDEX_NAME = "index.json"
IMPORT_LOCK = ".import.lock"
INDEX_LOCK = ".index.lock"

ESTIMATE_SLACK = 1.25  # a bitrate-estimated duration may be this far off
DISK_MARGIN_BYTES = 20 * 1024 * 1024
STORED_DURATION_TOLERANCE = 0.002  # seconds; the index keeps durations to the millisecond
# Every accepted format declares itself within its first bytes (RIFF, ID3 or a frame
# sync, an ftyp box, OggS, fLaC). A file that is only zeros there is a copy whose data
# never reached the stick; a zero-filled 1 GB ".mp3" also keeps ffprobe reading to the
# end (20 s here, minutes on a Pi) for nothing.
ZERO_CHECK_BYTES = 64 * 1024

_LANGUAGE = re.compile(r"[a-z]{2,8}")

ImportProgress = Callable[[str, "float | None"], None]
"""Told where an import is: the stage (``check``, ``measure``: loudness pass 1,
``convert``: pass 2, ``store``) and how far into it (0–1; None when unknown)."""


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
    translation_of: str | None = None  # id of the original this clip translates
    source: str = "file"  # "tts": read from a text (clips/tts), marked so in the report


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
            input_lufs=number(doc.get("input_lufs")),
            stored_size=doc.get("wav_size_bytes"),
            stored_sha256=doc.get("wav_sha256"),
            translation_of=doc.get("translation_of"),
            source=str(doc.get("source") or "file"),
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

    def versions(self) -> dict[str, dict[str, str]]:
        """Clip ref (id and title, as :meth:`refs`) -> {language: clip id} of every
        *playable* version of it: the original and its translations.

        A slot with ``languages`` plays each playlist item in each language; naming the
        original or any translation names the same bulletin. The original keeps its own
        language even if a translation (wrongly) claims it too.
        """
        clips = self.clips()
        families: dict[str, dict[str, str]] = {}
        # originals first, so their own language is theirs
        for clip in sorted(clips, key=lambda c: (c.translation_of is not None, c.id)):
            if clip.path.is_file():
                family = families.setdefault(clip.translation_of or clip.id, {})
                family.setdefault(clip.language, clip.id)
        versions: dict[str, dict[str, str]] = {}
        for clip in clips:
            if not clip.path.is_file():
                continue
            family = families[clip.translation_of or clip.id]
            versions[clip.id] = family
            versions.setdefault(clip.title, family)
        return versions

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

    def import_file(
        self,
        source: Path,
        *,
        title: str | None = None,
        language: str = "vi",
        translation_of: str | None = None,
        progress: ImportProgress | None = None,
    ) -> Clip:
        """Check, normalise and store *source*; returns the stored clip. *progress*, if
        given, is told each stage and how far into it the import is (the web panel shows
        it: a Pi Zero takes minutes over a long clip).

        With *translation_of* (an id or title in the library) the clip is that clip's
        version in *language*: a slot with ``languages`` plays it in its place.

        Raises :class:`LoaxaError` with a ``clips.*`` key when the file is refused, and
        then nothing has been stored. Reading the source has messages of its own; any
        other OSError is the clips folder's (a card remounted read-only, a folder owned
        by another user) and refuses this one file rather than ending a batch.
        """
        try:
            return self._import_file(
                Path(source), title, language, translation_of, progress or _unheard
            )
        except OSError as exc:
            raise LoaxaError(
                "clips.store_failed",
                name=display_name(Path(source)),
                path=self.directory,
                detail=exc,
            ) from exc

    def _import_file(
        self,
        source: Path,
        title: str | None,
        language: str,
        translation_of: str | None,
        progress: ImportProgress,
    ) -> Clip:
        progress("check", None)
        name = display_name(source)
        language = (language or "").strip().lower()
        if not _LANGUAGE.fullmatch(language):
            raise LoaxaError("clips.bad_language", language=language)
        original = None if translation_of is None else self._original(translation_of, language)
        title = clip_title(title, source)
        ffmpeg, ffprobe = transcode.tools()
        audio = self.config.audio

        self._check_source(source, name)
        probe = transcode.probe(ffprobe, source, name)
        max_seconds = audio.max_clip_minutes * 60.0
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
        promise = wav_promise(source)
        if promise is not None and cut_short(*promise):
            raise LoaxaError("clips.truncated", name=name, declared=promise[0], decoded=promise[1])
        measured = transcode.measure(
            ffmpeg, source, name, probe, audio, _share(progress, "measure", probe.declared)
        )
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
                output = transcode.convert(
                    ffmpeg, source, name, probe, measured, tmp, audio,
                    progress=_share(progress, "convert", measured.progress_seconds),
                )  # fmt: skip
                progress("store", None)
                duration = self._check_stored(tmp, name)
                doc = {
                    "title": title,
                    "language": language,
                    "duration": round(duration, 3),
                    "original_name": name,
                    "sha256": digest,
                    "size_bytes": size,
                    "imported_at": datetime.now(self.config.timezone).isoformat(timespec="seconds"),
                    "input_lufs": number(loudness.get("input_i")),
                    "input_true_peak": number(loudness.get("input_tp")),
                    "input_lra": number(loudness.get("input_lra")),
                    "output_lufs": number(output.get("output_i")),
                    "output_true_peak": number(output.get("output_tp")),
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
                if original is not None:
                    doc["translation_of"] = original
                return self._commit(tmp, tentative, doc, name)
            finally:
                tmp.unlink(missing_ok=True)

    def _original(self, ref: str, language: str) -> str:
        """The id of the original that a translation into *language* of *ref* belongs to
        (a translation of a translation belongs to the first original), checked before
        anything is decoded: an unknown original, the original's own language, or a
        second version in one language would make "which clip plays" a guess."""
        clip = self.find(ref)
        if clip is None:
            raise LoaxaError("clips.unknown_original", ref=ref)
        root = clip.translation_of or clip.id
        for other in self.clips():
            if (other.id == root or other.translation_of == root) and other.language == language:
                raise LoaxaError(
                    "clips.translation_exists", language=language, id=other.id, title=other.title
                )
        return root

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
            return digest(source)
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
            wav_sha256, wav_size = digest(tmp)
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
                found, _size = digest(clip.path)
                if clip.stored_sha256 is None:
                    self._record_stored(clip, info.st_size, found)
                elif found != clip.stored_sha256:
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


# ---------------------------------------------------------------------- progress


def _unheard(_stage: str, _part: float | None) -> None:
    """The progress of an import nobody watches."""


def _share(progress: ImportProgress, stage: str, total: float | None) -> transcode.Progress:
    """A pass's seconds handled, told as the share of *total* seconds (None: unknown)."""

    def told(seconds: float) -> None:
        progress(stage, min(1.0, seconds / total) if total else None)

    return told


# ---------------------------------------------------------------------- file checks


def _stored_problem(clip: Clip, size: int) -> str | None:
    """What the size and the WAV header say is wrong with a stored clip, if anything."""
    name = clip.path.name
    if clip.stored_size is not None and size != clip.stored_size:
        return t("stored.size", name=name, actual=size, expected=clip.stored_size)
    promise = wav_promise(clip.path)
    if promise is None:
        return t("stored.not_wav", name=name)
    declared, present = promise
    if present < declared:
        return t("stored.short", name=name, present=present, declared=declared)
    if abs(declared - clip.duration) > STORED_DURATION_TOLERANCE:
        return t("stored.length", name=name, declared=declared, expected=clip.duration)
    return None
