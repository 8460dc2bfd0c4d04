"""The bulletin ids a box has already taken, kept on disk so a replay is refused after a restart.

A signed bulletin stays valid until it expires, so anyone who recorded it can send it
again; MQTT itself redelivers a QoS 1 message whose ack was lost. Only a memory of the
ids that outlives the process (and a power cut) stops the second copy from airing. An
id need not be remembered once its bulletin has expired, because ``verify`` refuses an
expired bulletin anyway; it is kept a week longer than that, so a clock that jumps back
(no network time after a power cut) cannot make an expired copy look new and forgotten.

The file is one JSON object ``{"v": 1, "ids": {"<id>": "<valid_until>"}}``, replaced
atomically (``store.write_atomically``) on every change. An unreadable file is moved
aside, not trusted and not fatal: the box keeps working, and ``problem`` says what
happened so the caller can log it.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from datetime import datetime, timedelta
from pathlib import Path

from firmware_host.messages import LoaxaError
from firmware_host.store import write_atomically

KEEP_AFTER_EXPIRY = timedelta(days=7)
LIMIT = 20_000  # ids; a year of bulletins at ~50 a day
MAX_FILE_BYTES = 4 * 1024 * 1024


class SeenIds:
    def __init__(self, path: Path, *, limit: int = LIMIT) -> None:
        self.path = Path(path)
        self.limit = limit
        self.problem: LoaxaError | None = None
        self._lock = threading.Lock()
        self._ids: dict[str, datetime] = {}
        try:
            self._ids = self._load()
        except FileNotFoundError:
            pass
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
            aside = self.path.with_name(self.path.name + ".unreadable")
            with contextlib.suppress(OSError):
                os.replace(self.path, aside)
            self.problem = LoaxaError(
                "seen.unreadable", path=self.path, aside=aside.name, detail=exc
            )

    def _load(self) -> dict[str, datetime]:
        if self.path.stat().st_size > MAX_FILE_BYTES:
            raise ValueError("file too large")
        data = json.loads(self.path.read_text("utf-8"))
        if data["v"] != 1:
            raise ValueError(f"version {data['v']!r}")
        ids = {}
        for key, until in data["ids"].items():
            moment = datetime.fromisoformat(until)
            if moment.tzinfo is None:
                raise ValueError(f"{key}: time without offset")
            ids[str(key)] = moment
        return ids

    def __contains__(self, bulletin_id: object) -> bool:
        with self._lock:
            return bulletin_id in self._ids

    def __len__(self) -> int:
        with self._lock:
            return len(self._ids)

    def add(self, bulletin_id: str, valid_until: datetime, *, now: datetime) -> None:
        """Remember *bulletin_id* (durably, before the caller acts on the bulletin)."""
        if valid_until.tzinfo is None or now.tzinfo is None:
            raise ValueError("times must carry their offset")
        with self._lock:
            self._prune(now)
            self._ids[bulletin_id] = valid_until
            if len(self._ids) > self.limit:
                # over the limit: forget the ones that stop being valid first
                excess = len(self._ids) - self.limit
                for old in sorted(self._ids, key=self._ids.__getitem__)[:excess]:
                    del self._ids[old]
            self._save()

    def prune(self, now: datetime) -> int:
        """Forget ids whose bulletins expired more than a week ago; returns how many."""
        with self._lock:
            count = self._prune(now)
            if count:
                self._save()
            return count

    def _prune(self, now: datetime) -> int:
        stale = [key for key, until in self._ids.items() if until + KEEP_AFTER_EXPIRY < now]
        for key in stale:
            del self._ids[key]
        return len(stale)

    def _save(self) -> None:
        data = {"v": 1, "ids": {k: v.isoformat() for k, v in self._ids.items()}}
        write_atomically(self.path, json.dumps(data, ensure_ascii=False).encode("utf-8"))
