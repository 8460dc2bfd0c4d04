"""A stand-in for the broadcast daemon's control socket, speaking its documented wire
format (one JSON object and a newline each way, one request per connection), so the
panel's client is tested against the protocol rather than against itself — and a
misbehaving socket (silent, cut short, not JSON) can be made on purpose.

Also used by ``docs/panel/make_screenshots.py`` for a realistic home page.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def sample_status(now: datetime | None = None) -> dict[str, Any]:
    """A status answer of a box on air in the morning, with one missed slot yesterday."""
    now = now or datetime.now(HCM)
    started = now - timedelta(seconds=95)

    def iso(moment: datetime) -> str:
        return moment.isoformat(timespec="seconds")

    return {
        "ok": True,
        "version": "0.1.0",
        "now": iso(now),
        "clock": {"trusted": True, "reason": "NTP"},
        "on_air": {
            "session_id": "s-1",
            "campaign": "Phòng chống lừa đảo qua mạng",
            "slot": "sáng",
            "tier": "thuong",
            "trigger": "schedule",
            "started": iso(started),
            "clip": {"id": "c-1", "title": "Cảnh giác cuộc gọi giả danh công an"},
            "seconds": 95.0,
            "zones": ["thon-1", "thon-2"],
        },
        "waiting": [],
        "next": [
            {
                "at": iso(started + timedelta(hours=10)),
                "campaign": "Phòng chống lừa đảo qua mạng",
                "slot": "chiều",
                "tier": "thuong",
                "playlist": ["c-1"],
                "zones": ["thon-1", "thon-2", "thon-3"],
                "expected_seconds": 184.0,
            },
            {
                "at": iso(started + timedelta(days=1)),
                "campaign": "Tiêm chủng mở rộng",
                "slot": "sáng",
                "tier": "uu-tien",
                "playlist": ["c-2"],
                "zones": ["thon-3"],
                "expected_seconds": 121.0,
            },
        ],
        "relays": {"amplifier": True, "thon-1": True, "thon-2": True, "thon-3": False},
        "disk": {"free_bytes": 11_800_000_000, "total_bytes": 14_900_000_000},
        "last_problems": [
            {
                "at": iso(now - timedelta(hours=14)),
                "status": "missed",
                "campaign": "Tiêm chủng mở rộng",
                "slot": "chiều",
                "error": "Mất điện lúc 16:58, có điện lại 17:20.",
            }
        ],
        "started_at": iso(now - timedelta(days=3, hours=2)),
        "schedules": {"files": 2, "refused": [], "last_good": []},
    }


class FakeDaemon:
    """Serves *answer* (a dict, or raw bytes for a broken daemon, or None for one that
    never answers) on *path* until closed; ``requests`` holds what clients sent."""

    def __init__(self, path: Path, answer: dict[str, Any] | bytes | None) -> None:
        self.path = Path(path)
        self.answer = answer
        self.requests: list[dict[str, Any]] = []
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(str(self.path))
        self._server.listen(8)
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self._server.accept()
            except OSError:
                return
            with connection:
                line = b""
                while not line.endswith(b"\n"):
                    chunk = connection.recv(4096)
                    if not chunk:
                        break
                    line += chunk
                self.requests.append(json.loads(line))
                if self.answer is None:  # a hung daemon: keep the connection, say nothing
                    self._held.append(connection.dup())
                    continue
                raw = self.answer
                if not isinstance(raw, bytes):
                    raw = json.dumps(raw).encode("utf-8") + b"\n"
                with contextlib.suppress(OSError):  # a client that gave up reading
                    connection.sendall(raw)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._server.shutdown(socket.SHUT_RDWR)  # wakes the accept() in the thread
        self._server.close()
        self._thread.join(timeout=5)
        for connection in self._held:
            connection.close()
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> FakeDaemon:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
