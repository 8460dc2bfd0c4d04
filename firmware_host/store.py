"""TinyDB storage that survives a power cut in the middle of a write.

TinyDB's own JSONStorage truncates the file and writes it again in place: a cut at
the wrong moment leaves half a JSON document and the whole history is unreadable.
Here every write goes to a temporary file in the same directory, is fsynced, renamed
over the old file (atomic on POSIX) and the directory is fsynced so the rename itself
is on disk. A reader therefore sees either the previous version or the new one.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage


def fsync_directory(directory: Path) -> None:
    """Make a rename or unlink inside *directory* durable."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Replace *path* with *data* so that a reader never sees a partial file.

    *mode* 0o600 keeps a secret (the panel's users and key) from every other user: the
    file has that mode from its creation, never a wider one, not even for a moment."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes files 0600; the log and index are read by the operator's
        # commands too, which may run as another user than the daemon.
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_directory(path.parent)


def remove_stale_temporaries(directory: Path) -> list[Path]:
    """Delete temp files a power cut left behind (they were never renamed, so never valid)."""
    removed = []
    if directory.is_dir():
        for leftover in directory.glob(".*.tmp"):
            leftover.unlink(missing_ok=True)
            removed.append(leftover)
    return removed


class AtomicJSONStorage(Storage):
    """A TinyDB storage writing whole-file replacements with fsync (see module doc)."""

    def __init__(self, path: str | os.PathLike[str], create_dirs: bool = True) -> None:
        self.path = Path(path)
        if create_dirs:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # TinyDB reads the whole file before every insert or update. The parsed document
        # is kept while the file on disk is the one we parsed or wrote (same inode, size
        # and mtime), which saves re-parsing a month on every log write; any other
        # writer replaces the file (new inode), so we never serve stale data.
        self._cached: dict[str, dict[str, Any]] | None = None
        self._cached_stat: tuple[int, int, int] | None = None

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def read(self) -> dict[str, dict[str, Any]] | None:
        stat = self._stat()
        if stat is None:
            return None
        if self._cached is not None and stat == self._cached_stat:
            return self._cached
        text = self.path.read_text("utf-8")
        if not text.strip():
            return None
        self._cached, self._cached_stat = json.loads(text), stat
        return self._cached

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        try:
            write_atomically(self.path, payload.encode("utf-8"))
        except BaseException:
            # TinyDB changed the cached document in place before this failed write:
            # forget it, so the next read sees what is really on disk.
            self._cached = self._cached_stat = None
            raise
        self._cached, self._cached_stat = data, self._stat()

    def close(self) -> None:
        pass


def open_db(path: Path) -> TinyDB:
    """A TinyDB on *path* with the atomic storage; the one way this project opens a DB."""
    return TinyDB(path, storage=AtomicJSONStorage)
