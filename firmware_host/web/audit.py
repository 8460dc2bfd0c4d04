"""The panel's audit log: who changed what, when, and from where.

One JSON line per action in ``DATA_DIR/web/audit-YYYY-MM.jsonl`` (the month in the
box's time zone), appended and fsynced before the action is reported done, so a power
cut loses at most the line being written. A line cut short by a power cut is skipped
when reading, and the next record starts on a line of its own instead of gluing onto
it. The files are 0600: they name people and their addresses, and only the technician
reads them (through the panel, or on the box).

Both doors write here: the panel (``from`` = the browser's address) and the command
line (``from`` = ``cli``), so a technician sees every account change in one place.
"""

from __future__ import annotations

import json
import os
import re
from collections import deque
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from firmware_host.store import fsync_directory

FILE_PATTERN = re.compile(r"audit-(\d{4}-\d{2})\.jsonl")
SHOWN_AT_MOST = 500  # newest entries of a month the panel shows


class AuditLog:
    def __init__(self, folder: Path, zone: ZoneInfo) -> None:
        self.folder = Path(folder)
        self.zone = zone

    def path(self, month: str) -> Path:
        return self.folder / f"audit-{month}.jsonl"

    def record(
        self,
        action: str,
        *,
        who: str,
        origin: str,
        target: str | None = None,
        detail: dict[str, Any] | None = None,
        now: datetime | None = None,
    ) -> None:
        """Append one entry; returns once it is on disk."""
        moment = (now or datetime.now(self.zone)).astimezone(self.zone)
        entry: dict[str, Any] = {
            "at": moment.isoformat(timespec="seconds"),
            "who": who,
            "action": action,
            "from": origin,
        }
        if target is not None:
            entry["target"] = target
        if detail:
            entry["detail"] = detail
        line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self.path(moment.strftime("%Y-%m"))
        new = not path.exists()
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                line = "\n" + line  # the last line was cut short by a power cut
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        if new:
            fsync_directory(self.folder)

    def months(self) -> list[str]:
        """The months that have entries, newest first."""
        if not self.folder.is_dir():
            return []
        found = (FILE_PATTERN.fullmatch(p.name) for p in self.folder.iterdir())
        return sorted((m.group(1) for m in found if m), reverse=True)

    def read(self, month: str, *, newest: int = SHOWN_AT_MOST) -> list[dict[str, Any]]:
        """The *newest* entries of *month*, newest first; unreadable lines skipped."""
        if not re.fullmatch(r"\d{4}-\d{2}", month):
            return []
        try:
            handle = self.path(month).open("rb")
        except FileNotFoundError:
            return []
        with handle:
            lines = deque(handle, maxlen=newest)
        entries = []
        for raw in reversed(lines):
            try:
                entry = json.loads(raw)
            except ValueError:
                continue
            if isinstance(entry, dict) and {"at", "who", "action"} <= entry.keys():
                entries.append(entry)
        return entries
