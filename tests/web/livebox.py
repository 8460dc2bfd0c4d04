"""A whole box for the panel's journeys: a real ``loaxa run`` (mock pins, ALSA file
capture) and a real ``loaxa web`` on one data folder, as on a Pi.

The data folder is a short path under /tmp: the daemon's control socket lives in it,
and a Unix socket's path must stay under 108 bytes (pytest's tmp_path does not).
The daemon speaks English (``LOAXA_LANG=en``), except while it answers a request in
another language (the panel asks in its reader's); it prints each relay change with its
time to the millisecond, right after driving the mock pin — the timeline a person reads
in ``journalctl -u loaxa``.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from firmware_host.control import ControlClient
from firmware_host.messages import LoaxaError
from tests.web.panelserver import REPO, PanelServer

BOX_TABLES = """\
[audio]
device = "loaxa_capture"

[amplifier]
warmup_seconds = 0.4
tail_seconds = 0.2

[relays]
pin_factory = "mock"
amplifier = 17

[relays.zones]
"thon-1" = 27
"thon-2" = 22
"thon-3" = 23

[scheduler]
reload_seconds = 0.5
misfire_grace_seconds = 30
"""
# In English, or in the language of the control request being answered at that moment
# (the daemon switches its language for the time of a request).
RELAY_LINE = re.compile(
    r"(\d\d):(\d\d):(\d\d)\.(\d{3})\s+(?:relay|rơ-le) (âm ly|\S+)\s+(ON|OFF|BẬT|TẮT)"
)


@dataclass
class Daemon:
    process: subprocess.Popen
    data_dir: Path
    output: list[str] = field(default_factory=list)

    def relay_changes(self) -> list[tuple[float, str, bool]]:
        """(seconds of the day, relay, on) for every change the daemon announced."""
        changes = []
        for line in self.output:
            if match := RELAY_LINE.search(line):
                hours, minutes, seconds, millis, name, state = match.groups()
                at = int(hours) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000
                name = "amplifier" if name == "âm ly" else name
                changes.append((at, name, state in ("ON", "BẬT")))
        return changes

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_daemon(data_dir: Path) -> Daemon:
    """``loaxa run`` on *data_dir*, once it answers on its control socket."""
    process = subprocess.Popen(
        [sys.executable, "-m", "firmware_host", "--data-dir", str(data_dir), "run"],
        cwd=REPO,
        env={**os.environ, "LOAXA_LANG": "en", "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    daemon = Daemon(process, data_dir)

    def drain() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            daemon.output.append(line)

    threading.Thread(target=drain, daemon=True).start()
    client = ControlClient(data_dir, timeout=2)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError("loaxa run stopped:\n" + "".join(daemon.output))
        try:
            client.call("status")
            return daemon
        except LoaxaError:
            time.sleep(0.1)
    daemon.stop()
    raise AssertionError("loaxa run never answered:\n" + "".join(daemon.output))


def log_json(data_dir: Path) -> list[dict[str, Any]]:
    """What ``loaxa log --json`` prints, run as the technician would."""
    shown = subprocess.run(
        [sys.executable, "-m", "firmware_host", "--data-dir", str(data_dir), "log", "--json"],
        capture_output=True, text=True, timeout=60, check=True, cwd=REPO,
    )  # fmt: skip
    return json.loads(shown.stdout)


@dataclass
class LiveBox:
    panel: PanelServer
    daemon: Daemon
    capture_dir: Path

    @property
    def data_dir(self) -> Path:
        return self.panel.data_dir
