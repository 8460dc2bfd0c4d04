"""Every write to the stick, through folders opened once from its root (:class:`StickWriter`)."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from firmware_host.messages import LoaxaError, t
from firmware_host.usb.result import RECEIPT_ROOM, StickGone, SyncResult

logger = logging.getLogger("loaxa.usb")


# How an OSError on the stick is read. A stick pulled out shows as ENODEV/ENXIO/EIO
# from the block layer, ENOTCONN from a FUSE driver, or ENOENT once the mount point
# is gone; EACCES is what a non-root user sees on a write-protected mount.
_GONE = {errno.ENOTCONN, errno.ENODEV, errno.ENXIO, errno.ESTALE}
_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}
_FULL = {errno.ENOSPC, errno.EDQUOT}

_T = TypeVar("_T")


def on_stick(stick: Path, folder: str) -> Path:
    """``stick/<folder>``; the config checked that *folder* stays on the stick."""
    return stick.joinpath(*folder.split("/"))


def identity(path: Path, *, strict: bool = False) -> tuple[int, int] | None:
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


# ---------------------------------------------------------------------- writing to the stick


class StickWriter:
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
        self.identities = {stick: identity(stick), root: identity(root)}
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
        :func:`identity`); else why not (the error, or ENODEV for another device)."""
        for path, known in self.identities.items():
            try:
                now = identity(path, strict=True)
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
        message = t("usb.stick_gone", detail=error_detail(exc)) if code in _GONE else None
        self.result.stick_problems.append(message or t("usb.stick_removed"))
        raise StickGone from exc

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
            message = t("usb.write_failed", detail=error_detail(exc))
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


def error_detail(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)


def link_on_the_way(root: Path, path: Path) -> Path | None:
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


def refuse_link(writer: StickWriter, link: Path) -> None:
    shown = writer.on_stick(link).relative_to(writer.stick).as_posix()
    message = t("usb.export_link", folder=shown)
    if message not in writer.result.stick_problems:
        writer.result.stick_problems.append(message)
