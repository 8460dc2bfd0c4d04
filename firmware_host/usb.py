"""Sync a USB stick: monthly reports out, new clips and schedules in, a receipt on top.

The box has no screen. The commune radio officer plugs a stick in, waits for the
status light, pulls it out and reads the receipt on the office PC. Everything that
happened must therefore be said in that receipt (and in the system log when the
receipt itself cannot be written), and nothing a stick holds can hurt the box.

What one sync does, in this order, and why:

1. **Export** the month reports of the previous month and of the current month so far,
   in every format, plus each month's playback log (the box's month JSON file copied
   byte for byte, and a CSV of its entries) into
   ``<export_folder>/<commune>/<YYYY-MM>/``. Names go through
   :func:`firmware_host.report.names.safe_file_name`: valid on FAT32 and exFAT, Vietnamese
   diacritics kept (NFC). Reports are made in a temp folder on the box, then every
   file is written onto the stick atomically (temp file, fsync, rename, fsync of the
   folder), so a stick pulled out mid-write holds the previous complete file or none,
   never half a spreadsheet. The box's own log is only ever *read*: it keeps every
   month.
2. **Import** from ``<import_folder>`` (``LoaXa/nhap`` by default), only the files
   directly in it: clips through :meth:`ClipLibrary.import_file` (the very import the
   CLI uses, so the same checks apply; content already in the library is reported as
   "already there", not as an error), then ``*.toml`` schedule files. Each schedule is
   read into memory once, checked with :func:`check_schedules` together with the
   box's other schedules against the library (after the clip import) and the
   configured zones, and copied atomically into the schedules folder only when it has
   no error and collides with nothing; the daemon picks up the new file by itself. A
   refused file changes nothing: the running schedule is kept. Whatever goes wrong
   with one file (an exception of any kind: a TOML nested 100,000 deep raises
   RecursionError) refuses that file alone, with a receipt line.
3. Write a **receipt** (``BIÊN NHẬN <date> <time with seconds>.txt``, UTF-8 with BOM and
   CRLF so that Windows Notepad shows the diacritics) at the top of the export folder:
   what was exported, imported, refused and why, and the sessions still to come in
   the next 7 days. A receipt already there is never replaced: a second one in the
   same second gets `` (2)``.
4. **Flush**: every folder written to is fsynced, then ``os.sync()``.
   Unmounting and the done signal belong to :mod:`firmware_host.usbwatch`, which
   mounted the stick (a directory given on the command line is not ours to unmount).

Safety rules, each tested in ``tests/test_usb.py``:

* Nothing on a stick is ever executed or opened by anything but our readers: no
  autorun, no scripts; files of other types get a line "ignored" in the receipt.
* Symbolic links are never followed (neither files nor the folders leading to the
  import folder); names with ``/``, ``\\``, control characters or ``..`` are refused.
* Sizes are checked before anything is read: a clip over :data:`MAX_CLIP_BYTES`
  (a 4 GB file) is refused without starting ffprobe, a schedule over
  :data:`MAX_SCHEDULE_BYTES` without reading it.
* **Imported files are left on the stick untouched.** Moving them to a ``da-nhap``
  folder would write outside our export folder and fail on a write-protected stick;
  re-plugging the same stick costs one probe and one sha256 per clip, and the library
  already refuses known content by its sha256, so the receipt simply says "already
  there".
* Symbolic links on the way to the export folder are not written through either (an
  ext4 stick could point ``LoaXa`` at the box's data folder).
* A read-only, full or vanished stick is reported once (receipt or system log), the
  sync goes on with whatever still works (a read-only stick still imports), and the
  box's clips, schedules and log are never left half-written. Before every write the
  stick must still be the same file system (device and inode of its root), and every
  write goes through folders opened once from the stick's root, never through a path
  (:class:`_Writer`): a mount point left behind by a pulled stick would otherwise be
  filled on the box's own SD card. Before every export file, some
  free space (:data:`REPORT_ROOM` + :data:`RECEIPT_ROOM`) must be left, so a nearly
  full stick still receives the receipt that says it is full.

``dry_run`` writes nothing, neither on the stick nor on the box: reports are built
into a temporary folder to list their names, clips are listed as "would be imported",
and schedules are checked against the library plus the stick's clips (by title and
slug, with zero duration: a collision that depends on a new clip's length is only
found by the real run).
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import errno
import io
import json
import logging
import math
import os
import secrets
import stat
import tempfile
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from firmware_host.config import Config
from firmware_host.confine import Stopped, deferred_stop, interruptible, stop_requested
from firmware_host.messages import LoaxaError, t
from firmware_host.store import write_atomically

__all__ = [
    "CLIP_SUFFIXES",
    "MAX_CLIP_BYTES",
    "MAX_SCHEDULE_BYTES",
    "Entry",
    "SyncResult",
    "receipt_name",
    "sync_stick",
]

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

# How an OSError on the stick is read. A stick pulled out shows as ENODEV/ENXIO/EIO
# from the block layer, ENOTCONN from a FUSE driver, or ENOENT once the mount point
# is gone; EACCES is what a non-root user sees on a write-protected mount.
_GONE = {errno.ENOTCONN, errno.ENODEV, errno.ENXIO, errno.ESTALE}
_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}
_FULL = {errno.ENOSPC, errno.EDQUOT}

_SYSTEM_FILES = frozenset(
    {".DS_Store", ".Trashes", ".Spotlight-V100", ".fseventsd", ".TemporaryItems"}
)

_T = TypeVar("_T")


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


class _StickGone(Exception):
    """The stick vanished: stop touching it, report through the system log."""


# ---------------------------------------------------------------------- small helpers


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _shown(raw: str) -> str:
    """A name from the stick as readable text (FAT names may not be valid UTF-8)."""
    return _nfc(os.fsencode(raw).decode("utf-8", "replace"))


def _about(name: str, key: str, /, **params: object) -> Entry:
    """A receipt line for a short reason that does not name the file itself."""
    return Entry(name, f"'{name}': {t(key, **params)}")


def _safe_name(raw: str) -> bool:
    """A plain file name: nothing that could climb out of a folder or hide a control."""
    return not (
        raw in ("", ".", "..")
        or ".." in raw.split("\\")
        or any(ch in raw for ch in "/\\")
        or any(ord(ch) < 32 or ord(ch) == 127 for ch in raw)
        or len(os.fsencode(raw)) > 255
    )


def _on_stick(stick: Path, folder: str) -> Path:
    """``stick/<folder>``; the config checked that *folder* stays on the stick."""
    return stick.joinpath(*folder.split("/"))


def _identity(path: Path, *, strict: bool = False) -> tuple[int, int] | None:
    """(device, inode) of a folder that can still be listed, else None (*strict*:
    raise the OSError instead).

    A vanished FUSE mount raises ENOTCONN, a yanked block device EIO, a removed mount
    point ENOENT; a mount point left behind as an empty folder of the SD card has
    another device number. Any of these means: this is no longer the stick.
    """
    try:
        info = os.stat(path)
        os.listdir(path)
    except OSError:
        if strict:
            raise
        return None
    return info.st_dev, info.st_ino


def _months(now: datetime) -> list[str]:
    first = now.date().replace(day=1)
    previous = (first - timedelta(days=1)).replace(day=1)
    return [previous.strftime("%Y-%m"), first.strftime("%Y-%m")]


def _dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def receipt_name(moment: datetime) -> str:
    """The receipt's file name for a sync at *moment*."""
    from firmware_host.report.names import safe_file_name

    return safe_file_name(RECEIPT_NAME.format(moment=moment))


def _csv_bytes(rows: Iterable[dict[str, Any]]) -> bytes:
    """The log entries as CSV for a spreadsheet: UTF-8 with BOM (Excel), CRLF."""
    rows = list(rows)
    extra = sorted({key for row in rows for key in row} - set(CSV_COLUMNS))
    columns = [*CSV_COLUMNS, *extra]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        cells = []
        for column in columns:
            value = row.get(column)
            if isinstance(value, list | tuple):
                value = ", ".join(str(v) for v in value)
            cells.append("" if value is None else value)
        writer.writerow(cells)
    return buffer.getvalue().encode("utf-8-sig")


# ---------------------------------------------------------------------- writing to the stick


class _Writer:
    """All writes to the stick go through here, so one bad stick gives one verdict.

    The first failure decides: *gone* stops the whole sync, *read-only* stops every
    later write (imports still run: they only read the stick), *full* stops the
    exports but still tries the few-KB receipt.

    Writes never go through a path. The stick's root folder is opened once, and every
    folder below it is opened (or created) one name at a time under its open parent
    (``O_DIRECTORY | O_NOFOLLOW``: a link on the way fails). A file is written as a
    temp file in its open folder, fsynced, its device compared with the stick's, then
    renamed into place and the folder fsynced. After a lazy unmount (a pulled stick, an
    eject) a path would lead into the empty mount-point folder on the box's own SD card
    (issue 10: 5 times in 7); a descriptor still leads to the stick, or fails.
    """

    def __init__(self, stick: Path, result: SyncResult, root: Path) -> None:
        self.stick = stick
        self.result = result
        self.root = root  # the stick, or a temp folder on a dry run
        self.verdict: str | None = None
        self.identities = {stick: _identity(stick), root: _identity(root)}
        try:
            self.root_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError as exc:
            raise LoaxaError("usb.not_a_folder", path=stick) from exc
        self.device = os.fstat(self.root_fd).st_dev
        self.folders: dict[tuple[str, ...], int] = {(): self.root_fd}

    def close(self) -> None:
        for fd in self.folders.values():
            with contextlib.suppress(OSError):
                os.close(fd)
        self.folders.clear()

    def absent(self) -> OSError | None:
        """None while the stick is the same stick, same mount, as at the start (see
        :func:`_identity`); else why not (the error, or ENODEV for another device)."""
        for path, known in self.identities.items():
            try:
                now = _identity(path, strict=True)
            except OSError as exc:
                return exc
            if now != known:
                return OSError(errno.ENODEV, os.strerror(errno.ENODEV))
        return None

    def still_there(self) -> bool:
        """Checked before every write, so a stick that went away is reported once and
        left alone."""
        return self.absent() is None

    def where(self, path: Path) -> Path:
        """Where *path* (on the stick) is really written: the dry run's temp folder."""
        return self.root / path.relative_to(self.stick)

    def on_stick(self, path: Path) -> Path:
        return self.stick / path.relative_to(self.root)

    def folder(self, parts: tuple[str, ...]) -> int:
        """The open folder ``<root>/<parts>``, created under its open parent if missing."""
        fd = self.folders.get(parts)
        if fd is not None:
            return fd
        parent = self.folder(parts[:-1])
        flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
        try:
            fd = os.open(parts[-1], flags, dir_fd=parent)
        except FileNotFoundError:
            with contextlib.suppress(FileExistsError):
                os.mkdir(parts[-1], 0o755, dir_fd=parent)
            fd = os.open(parts[-1], flags, dir_fd=parent)
        self.folders[parts] = fd
        self._same_device(fd)
        return fd

    def _same_device(self, fd: int) -> None:
        if os.fstat(fd).st_dev != self.device:
            raise OSError(errno.ENODEV, os.strerror(errno.ENODEV))

    @property
    def can_write(self) -> bool:
        return self.verdict not in ("gone", "read_only", "full")

    def attempt(
        self, action: Callable[[], _T], *, receipt: bool = False, room: int = 0
    ) -> _T | None:
        """Run one write *action*; None if it was not done (the verdict says why).

        *room* is the most the write may need: with less free space than that plus
        :data:`RECEIPT_ROOM`, the stick counts as full before anything is written.
        """
        if self.verdict in ("gone", "read_only") or (self.verdict == "full" and not receipt):
            return None
        absent = self.absent()
        if absent is not None:
            self.gone(absent)
        if room and self.free() < room + RECEIPT_ROOM:
            self.judge(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
            return None
        try:
            return action()
        except (OSError, LoaxaError) as exc:
            self.judge(exc)
            return None

    def free(self) -> int:
        try:
            info = os.fstatvfs(self.root_fd)
        except OSError:
            return 2**62  # let the write itself fail and be judged
        return info.f_bavail * info.f_frsize

    def gone(self, exc: BaseException) -> None:
        """Stop everything. The message quotes the system's words only when they are
        the ones of a vanished device, never an unrelated inner failure."""
        self.verdict = "gone"
        self.result.stick_gone = True
        code = exc.errno if isinstance(exc, OSError) else None
        message = t("usb.stick_gone", detail=_detail(exc)) if code in _GONE else None
        self.result.stick_problems.append(message or t("usb.stick_removed"))
        raise _StickGone from exc

    def check_present(self, _exc: BaseException) -> None:
        """After a failed read: if the stick itself went away, stop everything."""
        absent = self.absent()
        if absent is not None:
            self.gone(absent)

    def judge(self, exc: BaseException) -> None:
        """After a failed write: decide what the stick's problem is (see class doc)."""
        cause = exc if isinstance(exc, OSError) else exc.__cause__
        code = cause.errno if isinstance(cause, OSError) else None
        if code in _GONE:
            self.gone(cause or exc)
        self.check_present(exc)
        if code in _READ_ONLY:
            self.verdict = "read_only"
            self.result.stick_problems.append(t("usb.read_only"))
        elif code in _FULL:
            if self.verdict != "full":
                self.result.stick_problems.append(t("usb.full"))
            self.verdict = "full"
        else:
            message = t("usb.write_failed", detail=_detail(exc))
            if message not in self.result.stick_problems:
                self.result.stick_problems.append(message)

    def write(self, path: Path, data: bytes, *, receipt: bool = False) -> Path | None:
        """Write *data* to *path* (on the stick) atomically; the path on the stick it
        now has, or None. A receipt never replaces a file: it gets the first free name
        of ``<name>``, ``<name> (2)``, …"""
        relative = self.where(path).relative_to(self.root)

        def action() -> Path:
            folder = self.folder(relative.parts[:-1])
            name = self._put(folder, relative.name, data, replace=not receipt)
            return path.parent / name

        return self.attempt(action, receipt=receipt, room=0 if receipt else len(data))

    def _put(self, folder: int, name: str, data: bytes, *, replace: bool) -> str:
        tmp = f".{name}.{secrets.token_hex(4)}.tmp"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
        fd = os.open(tmp, flags, 0o644, dir_fd=folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
                self._same_device(handle.fileno())
            final = name if replace else self._free_name(folder, name)
            os.replace(tmp, final, src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp, dir_fd=folder)
            raise
        os.fsync(folder)
        return final

    @staticmethod
    def _free_name(folder: int, name: str) -> str:
        stem, suffix = os.path.splitext(name)
        for number in range(1, 1000):
            candidate = name if number == 1 else f"{stem} ({number}){suffix}"
            try:
                os.stat(candidate, dir_fd=folder, follow_symlinks=False)
            except FileNotFoundError:
                return candidate
        raise OSError(errno.EEXIST, os.strerror(errno.EEXIST))

    def flush(self) -> None:
        """fsync every folder written to, then the whole system: what makes "safe to
        remove" true on a FAT stick mounted without ``sync`` (each file and its folder
        were fsynced when written)."""
        for fd in self.folders.values():
            with contextlib.suppress(OSError):
                os.fsync(fd)
        os.sync()


def _detail(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)


# ---------------------------------------------------------------------- the sync


def sync_stick(
    config: Config, stick: Path, *, now: datetime | None = None, dry_run: bool = False
) -> SyncResult:
    """Export reports, import clips and schedules, write the receipt; never raises on a
    bad stick or a bad file (only when *stick* is not a folder at all).

    *now* fixes the sync's moment (months exported, plan start, receipt name). Run by
    :mod:`firmware_host.usbwatch` in a confined process, a stop request (SIGTERM, the
    deadline: :mod:`firmware_host.confine`) ends the exports and imports where they
    are; the receipt then says so and is still written.
    """
    stick = Path(stick)
    if not stick.is_dir():
        raise LoaxaError("usb.not_a_folder", path=stick)
    moment = (now or datetime.now(config.timezone)).astimezone(config.timezone)
    result = SyncResult(stick=stick, started=moment, dry_run=dry_run)
    logger.info(t("usb.started", path=stick))
    with contextlib.ExitStack() as stack, deferred_stop():
        root = stick
        if dry_run:
            root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="loaxa-usb-")))
        writer = _Writer(stick, result, root)
        stack.callback(writer.close)
        try:
            with interruptible():
                for step in (_export, _import):
                    try:
                        step(config, moment, writer, result)
                    except _StickGone:
                        break
                    except Exception as exc:  # a bug must not leave the officer without a word
                        logger.exception("usb sync: %s failed", step.__name__)
                        result.stick_problems.append(t("error.unexpected", detail=exc))
        except Stopped:
            pass  # stop_requested() has it; from here on a request is only noted
        stop = stop_requested()
        if stop is not None:
            minutes = max(1, round(stop.seconds / 60))
            result.stick_problems.append(
                t("usb.deadline", minutes=minutes)
                if stop.reason == "deadline"
                else t("usb.stopped")
            )
        result.plan = _plan_lines(config, moment)
        result.receipt_text = render_receipt(config, result)
        name = _on_stick(stick, config.usb.export_folder) / receipt_name(moment)
        link = _link_on_the_way(root, writer.where(name))
        if link is not None:
            _refuse_link(writer, link)
        elif not result.stick_gone:
            try:
                written = writer.write(name, _notepad(result.receipt_text), receipt=True)
            except _StickGone:
                written = None
            if written is not None and not dry_run:
                result.receipt = written
        if not dry_run:
            writer.flush()
    _log(result)
    return result


# ---------------------------------------------------------------------- 1. export


def _export(config: Config, moment: datetime, writer: _Writer, result: SyncResult) -> None:
    """Each month's reports are made on the box (a temp folder) and then copied onto
    the stick by the writer, so nothing but the writer ever writes there."""
    from firmware_host.playlog import PlayLog
    from firmware_host.report import service
    from firmware_host.report.names import safe_file_name

    top = _on_stick(writer.stick, config.usb.export_folder)
    result.export_dir = top
    commune = top / safe_file_name(config.commune.name, fallback="Loa Xa")
    for month in _months(moment):
        folder = commune / month
        link = _link_on_the_way(writer.root, writer.where(folder))
        if link is not None:
            _refuse_link(writer, link)
            return
        parts = writer.where(folder).relative_to(writer.root).parts
        if writer.attempt(lambda parts=parts: writer.folder(parts), room=REPORT_ROOM) is None:
            if not writer.can_write:
                return
            continue
        try:
            report = service.month_report(config, month, now=moment)
        except Exception as exc:  # the box's log or a report bug, not the stick
            logger.exception("month report %s", month)
            result.notes.append(t("usb.report_failed", month=month, detail=_detail(exc)))
            report = None
        for fmt in service.FORMATS if report is not None else ():
            files: list[tuple[str, bytes]] = []
            try:
                with tempfile.TemporaryDirectory(prefix="loaxa-report-") as scratch:
                    for path in service.write_report(report, fmt, Path(scratch)):
                        files.append((Path(path).name, Path(path).read_bytes()))
            except Exception as exc:  # a writer bug costs one format, not the sync
                logger.exception("report %s %s", month, fmt)
                result.notes.append(t("usb.report_failed", month=month, detail=_detail(exc)))
            if not _copy(writer, result, folder, files):
                return
        source = config.log_dir / f"{month}.json"
        if source.is_file():
            log = PlayLog(config.log_dir, config.timezone)
            try:
                data = source.read_bytes()
                rows = log.entries([month])
            except Exception as exc:
                result.notes.append(t("usb.report_failed", month=month, detail=_detail(exc)))
                continue
            finally:
                log.close()
            logs = [
                (safe_file_name(LOG_NAME.format(month=month) + suffix), payload)
                for suffix, payload in ((".json", data), (".csv", _csv_bytes(rows)))
            ]
            if not _copy(writer, result, folder, logs):
                return


def _copy(
    writer: _Writer, result: SyncResult, folder: Path, files: list[tuple[str, bytes]]
) -> bool:
    """Write *files* (name, bytes) into *folder* on the stick; False once the stick
    takes nothing more."""
    for name, data in files:
        written = writer.write(folder / name, data)
        if written is not None:
            result.exported.append(written)
        if not writer.can_write:
            return False
    return True


# ---------------------------------------------------------------------- 2. import


def _link_on_the_way(root: Path, path: Path) -> Path | None:
    """The first existing folder from *root* (excluded) down to *path* that is a
    symbolic link, or None.

    A link there could point anywhere on the box (``nhap -> /var/lib/loaxa``), and
    both reading and writing would follow it. FAT has no links; an ext4 stick can.
    An unreadable component is left to the read or write that follows, which reports
    it properly (a vanished stick, for one).
    """
    here = root
    for part in path.relative_to(root).parts:
        here = here / part
        with contextlib.suppress(OSError):
            if stat.S_ISLNK(os.lstat(here).st_mode):
                return here
    return None


def _refuse_link(writer: _Writer, link: Path) -> None:
    shown = writer.on_stick(link).relative_to(writer.stick).as_posix()
    message = t("usb.export_link", folder=shown)
    if message not in writer.result.stick_problems:
        writer.result.stick_problems.append(message)


def _import(config: Config, moment: datetime, writer: _Writer, result: SyncResult) -> None:
    from firmware_host.clips import ClipLibrary

    stick = writer.stick
    shown_folder = config.usb.import_folder
    folder = _on_stick(stick, shown_folder)
    if _link_on_the_way(stick, folder) is not None:
        result.refused.append(Entry(shown_folder, t("usb.folder_is_link", folder=shown_folder)))
        return
    if not folder.is_dir():
        writer.check_present(OSError(errno.ENODEV, os.strerror(errno.ENODEV)))
        result.notes.append(t("usb.no_import_folder", folder=shown_folder))
        export = _on_stick(stick, config.usb.export_folder)
        if export in folder.parents and writer.can_write:
            # Show the officer where to put files next time (inside our own folder only).
            parts = writer.where(folder).relative_to(writer.root).parts
            writer.attempt(lambda: writer.folder(parts))
        return
    try:
        listing = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        writer.check_present(exc)
        result.notes.append(t("usb.unreadable_folder", folder=shown_folder, detail=_detail(exc)))
        return

    clips: list[tuple[Path, str]] = []
    schedules: list[tuple[Path, str]] = []
    for item in listing:
        name = _shown(item.name)
        try:
            kind, entry = _sort(item, name, shown_folder, writer)
        except _StickGone:
            raise
        except Exception as exc:  # one odd entry must not stop the others
            logger.exception("usb import: %s", name)
            kind, entry = "refused", _about(name, "usb.file_failed", detail=exc)
        if kind in ("clip", "schedule"):
            (clips if kind == "clip" else schedules).append((Path(item.path), name))
        elif kind != "skip":
            (result.refused if kind == "refused" else result.ignored).append(entry)

    library = ClipLibrary(config)
    for path, name in clips:
        _import_clip(library, path, name, writer, result)
    if schedules:
        _import_schedules(config, library, schedules, clips, writer, result)
    if not (clips or schedules or result.refused or result.ignored):
        result.notes.append(t("usb.nothing_to_import", folder=shown_folder))


def _sort(item: os.DirEntry[str], name: str, folder: str, writer: _Writer) -> tuple[str, Entry]:
    """What one entry of the import folder is: ("clip"|"schedule", -) to read, or
    ("refused"|"ignored", its receipt line), or ("skip", -) for system litter."""
    none = Entry(name, "")
    if item.name.startswith("._") or item.name in _SYSTEM_FILES:
        return "skip", none  # left by macOS/Windows, never by the officer: not worth a line
    try:
        info = item.stat(follow_symlinks=False)
    except OSError as exc:
        writer.check_present(exc)
        return "refused", _about(name, "usb.unreadable", detail=_detail(exc))
    suffix = Path(name).suffix.lower()
    if stat.S_ISLNK(info.st_mode):
        return "refused", _about(name, "usb.symlink", folder=folder)
    if not _safe_name(item.name):
        return "refused", _about(name, "usb.unsafe_name")
    if item.name.startswith("."):
        return "ignored", _about(name, "usb.hidden")
    if stat.S_ISDIR(info.st_mode):
        return "ignored", _about(name, "usb.subfolder", folder=folder)
    if not stat.S_ISREG(info.st_mode):
        return "refused", _about(name, "usb.not_a_file")
    if suffix in CLIP_SUFFIXES:
        if info.st_size > MAX_CLIP_BYTES:
            megabytes, maximum = info.st_size // 2**20, MAX_CLIP_BYTES // 2**20
            return "refused", _about(name, "usb.too_big", megabytes=megabytes, maximum=maximum)
        return "clip", none
    if suffix == SCHEDULE_SUFFIX:
        if info.st_size > MAX_SCHEDULE_BYTES:
            kilobytes = info.st_size // 1024
            return "refused", _about(name, "usb.schedule_too_big", kilobytes=kilobytes)
        return "schedule", none
    return "ignored", _about(name, "usb.ignored_type")


def _import_clip(library: Any, path: Path, name: str, writer: _Writer, result: SyncResult) -> None:
    if result.dry_run:
        result.imported.append(Entry(name, t("usb.would_import", name=name)))
        return
    try:
        clip = library.import_file(path)
    except LoaxaError as exc:
        writer.check_present(exc)
        if exc.key == "clips.duplicate":
            result.already.append(Entry(name, str(exc), ref=str(exc.params.get("id"))))
        else:
            result.refused.append(Entry(name, str(exc)))
        return
    except Exception as exc:  # one odd file must not stop the others
        logger.exception("import of %s failed", name)
        result.refused.append(Entry(name, t("error.unexpected", detail=exc)))
        return
    from firmware_host.textout import format_seconds

    result.imported.append(
        Entry(
            name,
            t(
                "usb.clip_imported",
                name=name,
                id=clip.id,
                title=clip.title,
                duration=format_seconds(clip.duration),
            ),
            ref=clip.id,
        )
    )


def _read_small(path: Path, limit: int) -> bytes:
    """Read at most *limit* bytes, never through a link (O_NOFOLLOW closes the gap
    between the listing and the read)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise OSError(errno.EFBIG, os.strerror(errno.EFBIG))
    return data


def _import_schedules(
    config: Config,
    library: Any,
    candidates: list[tuple[Path, str]],
    clips: list[tuple[Path, str]],
    writer: _Writer,
    result: SyncResult,
) -> None:
    """Check the stick's schedules together with the box's, install the good ones."""
    from firmware_host.boxrules import BoxRules
    from firmware_host.clips import slugify
    from firmware_host.schedule import schedule_files

    directory = config.scheduler.schedules_dir
    box_files = {_nfc(p.name): p for p in schedule_files(directory)}
    staged: dict[str, tuple[str, bytes]] = {}  # box file name -> (stick name, bytes)
    for path, name in candidates:
        try:
            data = _read_small(path, MAX_SCHEDULE_BYTES)
        except OSError as exc:
            writer.check_present(exc)
            result.refused.append(_about(name, "usb.unreadable", detail=_detail(exc)))
            continue
        except Exception as exc:  # one odd file must not stop the others
            logger.exception("usb import: %s", name)
            result.refused.append(_about(name, "usb.file_failed", detail=exc))
            continue
        # The box's existing spelling wins, so an update replaces the file it updates.
        target = box_files.get(_nfc(name), directory / _nfc(name)).name
        if target in staged:
            result.refused.append(_about(name, "usb.schedule_twice", other=staged[target][0]))
            continue
        staged[target] = (name, data)
    if not staged:
        return

    refs = dict(library.refs())
    if result.dry_run:  # the stick's clips are not imported on a dry run; see module doc
        for path, _name in clips:
            stem = _nfc(path.stem)
            refs.setdefault(stem, 0.0)
            refs.setdefault(slugify(stem), 0.0)
    with tempfile.TemporaryDirectory(prefix="loaxa-usb-check-") as tmp:
        checked = {}
        for target, (_name, data) in staged.items():
            (Path(tmp) / target).write_bytes(data)
            checked[str(Path(tmp) / target)] = target
        others = [p for p in box_files.values() if p.name not in staged]
        problems, broken = _check_each(BoxRules.of(config, refs), others, checked)
    for target, detail in broken.items():
        name = staged.pop(target)[0]
        result.refused.append(_about(name, "usb.schedule_broken", detail=detail))
    errors: dict[str, list[str]] = {target: [] for target in staged}
    warnings: dict[str, list[str]] = {target: [] for target in staged}
    for problem in problems:
        mine = checked.get(problem.file)
        shown = staged[mine][0] if mine else Path(problem.file).name
        line = str(replace(problem, file=shown))  # a whole-file problem has no line
        if mine is not None:
            (errors if problem.severity == "error" else warnings)[mine].append(line)
        # A collision reported on a box file still blocks the stick file it names:
        # installing it would get the box's running file refused by the daemon.
        other = problem.params.get("other_file") if problem.key == "schedule.overlap" else None
        if other in staged and other != mine:
            errors[str(other)].append(line)

    for target, (name, data) in staged.items():
        if errors[target]:
            result.refused.append(
                Entry(name, t("usb.schedule_refused", name=name) + "\n" + "\n".join(errors[target]))
            )
            continue
        result.notes.extend(warnings[target])
        destination = directory / target
        with contextlib.suppress(OSError):
            if destination.read_bytes() == data:
                result.already.append(Entry(name, t("usb.schedule_same", name=name)))
                continue
        if result.dry_run:
            result.imported.append(Entry(name, t("usb.would_install", name=name)))
            continue
        try:
            write_atomically(destination, data)
        except Exception as exc:  # the box's disk, or a bug: this file only
            result.refused.append(
                Entry(name, t("usb.schedule_not_saved", name=name, detail=_detail(exc)))
            )
            continue
        result.imported.append(
            Entry(
                name,
                t(
                    "usb.schedule_installed",
                    name=name,
                    seconds=math.ceil(config.scheduler.reload_seconds),
                ),
                ref=str(destination),
            )
        )


def _check_each(
    rules: Any, others: list[Path], checked: dict[str, str]
) -> tuple[list[Any], dict[str, str]]:
    """The problems of the stick's schedules checked with the box's, and the ones that
    break the check itself ({target: what}), so that an exception in one file (a TOML
    nested 100,000 deep raises RecursionError) refuses that file alone."""

    def check(paths: list[str]) -> list[Any]:
        return list(rules.check([*others, *(Path(p) for p in paths)])[1])

    with contextlib.suppress(Exception):
        return check(list(checked)), {}
    broken: dict[str, str] = {}
    for path, target in checked.items():
        try:
            check([path])
        except Exception as exc:
            broken[target] = type(exc).__name__
    sound = [path for path, target in checked.items() if target not in broken]
    try:
        return check(sound), broken
    except Exception as exc:  # only together: refuse them all rather than guess
        return [], {**broken, **{checked[path]: type(exc).__name__ for path in sound}}


# ---------------------------------------------------------------------- 3. receipt


def _plan_lines(config: Config, moment: datetime) -> list[str]:
    """The sessions still to come in the 7 days from *moment*, like ``loaxa schedule
    show``: not this morning's, already played; seconds shown when a slot has them."""
    from firmware_host.boxrules import BoxRules
    from firmware_host.clips import ClipLibrary
    from firmware_host.schedule import schedule_files

    first = moment.date()
    try:
        library = ClipLibrary(config)
        refs = library.refs()
        rules = BoxRules.of(config, refs)
        schedules, _problems = rules.check(schedule_files(config.scheduler.schedules_dir))
        sessions = rules.plan(schedules, first, first + timedelta(days=PLAN_DAYS - 1))
        titles = {clip.id: clip.title for clip in library.clips()}
    except Exception as exc:  # the box's own files, or a bug: the receipt still goes out
        return [t("usb.plan_failed", detail=_detail(exc))]
    lines = []
    for session in sessions:
        if session.at < moment:
            continue
        clips = ", ".join(titles.get(ref, ref) for ref in session.playlist)
        if session.repeat > 1:
            clips += f" ×{session.repeat}"
        lines.append(
            t(
                "usb.plan_line",
                day=t(f"weekday.{session.at.weekday()}"),
                date=_dmy(session.at.date()),
                time=session.at.strftime("%H:%M:%S" if session.at.second else "%H:%M"),
                campaign=session.campaign,
                slot=session.slot,
                clips=clips,
                zones=", ".join(session.zones),
            )
        )
    return lines


def render_receipt(config: Config, result: SyncResult) -> str:
    """The receipt as text (LF line ends; :func:`_notepad` makes it Notepad's)."""
    moment = result.started
    out = [
        t("usb.receipt_title"),
        ", ".join(
            filter(
                None,
                (
                    config.commune.name,
                    config.commune.station and f"trạm {config.commune.station}",
                    config.commune.province,
                ),
            )
        ),
        t("usb.receipt_time", time=moment.strftime("%d/%m/%Y %H:%M:%S")),
    ]
    if result.dry_run:
        out.append(t("usb.dry_run"))
    rule = "=" * 60

    def section(title: str, lines: list[str], empty: str) -> None:
        out.extend(["", rule, title, rule])
        out.extend(lines or [empty])

    def entries(items: list[Entry]) -> list[str]:
        lines = []
        for item in items:
            first, *rest = item.message.split("\n")
            lines.append(f"  - {first}")
            lines.extend(f"      {line}" for line in rest)
        return lines

    exported = []
    export_root = result.export_dir or result.stick
    for path in result.exported:
        try:
            exported.append("  - " + path.relative_to(export_root).as_posix())
        except ValueError:
            exported.append(f"  - {path}")
    section(
        t("usb.section_exported", folder=config.usb.export_folder),
        exported,
        "  " + t("usb.nothing_exported"),
    )
    section(
        t("usb.section_imported", folder=config.usb.import_folder),
        entries(result.imported) + entries(result.already),
        "  " + t("usb.nothing_imported"),
    )
    section(
        t("usb.section_refused"),
        entries(result.refused) + entries(result.ignored),
        "  " + t("usb.nothing_refused"),
    )
    if result.notes or result.stick_problems:
        section(
            t("usb.section_notes"),
            [f"  - {line}" for line in [*result.stick_problems, *result.notes]],
            "",
        )
    last = moment.date() + timedelta(days=PLAN_DAYS - 1)
    section(
        t("usb.section_plan", first=_dmy(moment.date()), last=_dmy(last)),
        [f"  {line}" for line in result.plan],
        "  " + t("usb.plan_empty"),
    )
    out.extend(["", rule, t("usb.safe_to_remove")])
    if config.usb.status_led_pin is not None:
        out.append(t("usb.led_legend"))
    return "\n".join(out) + "\n"


def _notepad(text: str) -> bytes:
    """UTF-8 with BOM and CRLF: how Windows Notepad (even before 2019) reads it right."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8-sig")


def _log(result: SyncResult) -> None:
    """The system log gets the summary always, and every line when there is no receipt."""
    for problem in result.stick_problems:
        logger.error(problem)
    if result.receipt is None:
        level = logging.INFO if result.dry_run else logging.WARNING
        if not result.dry_run:
            logger.error(t("usb.receipt_failed", path=result.stick))
        for item in [*result.imported, *result.already, *result.refused, *result.ignored]:
            logger.log(level, "%s: %s", item.name, item.message)
    else:
        logger.info(t("usb.receipt_written", path=result.receipt))
    logger.info(
        t(
            "usb.summary",
            exported=len(result.exported),
            imported=len(result.imported),
            refused=len(result.refused),
        )
    )
