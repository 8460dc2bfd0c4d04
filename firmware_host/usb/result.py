"""What one sync did, file by file: the receipt is rendered from it."""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

logger = logging.getLogger("loaxa.usb")


CLIP_SUFFIXES = frozenset({".mp3", ".wav", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".flac"})
SCHEDULE_SUFFIX = ".toml"
# A 30-minute clip is ~40 MB as MP3 and ~1 GB only as 96 kHz/24-bit stereo WAV; more
# than that is a film or a disk image. Checked by size before ffprobe opens anything.
MAX_CLIP_BYTES = 1024**3
MAX_SCHEDULE_BYTES = 256 * 1024  # a campaign file is a few KB; never read a huge one
# Free space checked before each export file, so that a nearly full stick still gets
# its receipt (a few KB) saying so: a month's report file is well under REPORT_ROOM.
REPORT_ROOM = 1024 * 1024
RECEIPT_ROOM = 64 * 1024
PLAN_DAYS = 7
LOG_NAME = "Nhật ký gốc {month}"  # + .json (the box's file as is) / .csv (its entries)
# Seconds in the name, and a receipt already there is never replaced (a number is
# added): two syncs in one minute each keep theirs.
RECEIPT_NAME = "BIÊN NHẬN {moment:%Y-%m-%d %Hh%Mm%Ss}.txt"
CSV_COLUMNS = (
    "month",
    "entry",
    "kind",
    "status",
    "trigger",
    "scheduled",
    "started",
    "ended",
    "seconds",
    "late_seconds",
    "campaign",
    "slot",
    "zones",
    "playlist",
    "play_index",
    "clip_id",
    "clip_title",
    "clip_language",
    "clip_duration",
    "clip_sha256",
    "session_id",
    "plan_key",
    "note",
    "error",
)


@dataclass(frozen=True)
class Entry:
    """One file from the stick and what happened to it, as one receipt line."""

    name: str  # relative to the import folder, NFC, as the officer sees it
    message: str  # the rendered sentence (current language)
    ref: str | None = None  # clip id, or the installed schedule's path


@dataclass
class SyncResult:
    """Everything one sync did; the receipt is rendered from it."""

    stick: Path
    started: datetime
    dry_run: bool = False
    export_dir: Path | None = None  # <stick>/<export_folder>
    exported: list[Path] = field(default_factory=list)  # files written (receipt excluded)
    imported: list[Entry] = field(default_factory=list)  # clips and schedules now on the box
    already: list[Entry] = field(default_factory=list)  # already on the box; nothing done
    refused: list[Entry] = field(default_factory=list)  # with the reason
    ignored: list[Entry] = field(default_factory=list)  # not ours to read (other file types)
    notes: list[str] = field(default_factory=list)  # warnings worth reading, not failures
    stick_problems: list[str] = field(default_factory=list)  # read-only, full, gone, …
    plan: list[str] = field(default_factory=list)  # the next 7 days, one line per session
    receipt: Path | None = None
    receipt_text: str = ""
    stick_gone: bool = False

    @property
    def ok(self) -> bool:
        """Nothing refused and the stick took everything: the "all good" signal.

        A dry run writes no receipt, so there it only means "nothing would be refused".
        """
        written = self.receipt is not None or self.dry_run
        return not self.refused and not self.stick_problems and written

    def to_json(self) -> bytes:
        """How the confined sync process hands its result to the one that mounted the
        stick: JSON, never a pickle (the sender has parsed hostile files)."""
        return json.dumps(dataclasses.asdict(self), default=str, ensure_ascii=False).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> SyncResult:
        """The inverse of :meth:`to_json`; ValueError/TypeError/KeyError when malformed."""
        data = json.loads(raw)

        def path(value: object) -> Path | None:
            return None if value is None else Path(str(value))

        def entries(key: str) -> list[Entry]:
            return [Entry(**item) for item in data[key]]

        def texts(key: str) -> list[str]:
            return [str(item) for item in data[key]]

        return cls(
            stick=Path(data["stick"]),
            started=datetime.fromisoformat(data["started"]),
            dry_run=bool(data["dry_run"]),
            export_dir=path(data["export_dir"]),
            exported=[Path(str(item)) for item in data["exported"]],
            imported=entries("imported"),
            already=entries("already"),
            refused=entries("refused"),
            ignored=entries("ignored"),
            notes=texts("notes"),
            stick_problems=texts("stick_problems"),
            plan=texts("plan"),
            receipt=path(data["receipt"]),
            receipt_text=str(data["receipt_text"]),
            stick_gone=bool(data["stick_gone"]),
        )


class StickGone(Exception):
    """The stick vanished: stop touching it, report through the system log."""
