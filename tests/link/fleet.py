"""A province on this machine: the shipped broker, a collector process, boxes with their links.

Every part is the real one: Mosquitto from ``hardware/province/`` with accounts made by
the shipped script (``tests/mosquitto.py``), ``loaxa province serve`` and ``loaxa link``
as processes of their own (started the way systemd starts them, with the data folder in
``LOAXA_HOME``), each box's own ``loaxa.toml`` with a ``[link]`` table. Log entries are
written on a box through ``PlayLog``, the writer the daemon uses; a test that needs a
real broadcast plays one with mock pins.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from firmware_host.config import Config, load_config
from firmware_host.link import bulletins
from firmware_host.link.bulletins import BoxIdentity
from firmware_host.link.province.send import make_keys
from firmware_host.link.province.store import ProvinceStore
from firmware_host.logbook.chain import chain_path, month_path
from firmware_host.logbook.playlog import PlayLog
from tests.conftest import write_box_config
from tests.mosquitto import Mosquitto

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
STATUS_SECONDS = 10

LINK = """
[link]
broker = "{host}"
port = {port}
tls = {tls}
ca_file = "{ca}"
password_file = "link-password"
commune_code = "{commune}"
station_id = "{station}"
province_keys = ["{key}"]
status_seconds = {status}
"""

PROVINCE = """\
[commune]
name = "Sở Văn hóa, Thể thao và Du lịch"
province = "Tỉnh Thử"

[province]
broker = "127.0.0.1"
port = {port}
tls = false
password_file = "province-password"
private_key_file = "province-key"
issuer = "Sở VHTTDL tỉnh Thử"
"""


class Process:
    """A ``loaxa`` command in its own process, its output in a file beside its data."""

    def __init__(self, data_dir: Path, *args: str) -> None:
        self.data_dir = data_dir
        self.args = args
        self.output = data_dir / f"{'-'.join(args)}.out"
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> Process:
        assert self.popen is None
        env = {**os.environ, "LOAXA_HOME": str(self.data_dir), "PYTHONUNBUFFERED": "1"}
        with open(self.output, "ab") as out:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "firmware_host", "-v", *self.args],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        return self

    def kill(self) -> None:
        """kill -9: no goodbye, no flush (the last will is the broker's to send)."""
        if self.popen is not None:
            self.popen.kill()
            self.popen.wait(timeout=30)
            self.popen = None

    def stop(self) -> int:
        """SIGTERM, as systemctl stop."""
        if self.popen is None:
            return 0
        self.popen.send_signal(signal.SIGTERM)
        code = self.popen.wait(timeout=30)
        self.popen = None
        return code

    @property
    def text(self) -> str:
        return self.output.read_text("utf-8", errors="replace") if self.output.exists() else ""


@dataclass
class Box:
    config: Config
    identity: BoxIdentity
    link: Process
    log: PlayLog = field(init=False)

    def __post_init__(self) -> None:
        self.log = PlayLog(self.config.log_dir, self.config.timezone)

    def broadcast(self, at: datetime, *, status: str = "completed", campaign: str = "2G") -> None:
        """One session with one clip, logged as the broadcaster logs it."""
        session = self.log.start_session(
            trigger="schedule",
            scheduled=at,
            started=at,
            campaign=campaign,
            slot=f"{at:%H:%M}",
            zones=["thon-1"],
            playlist=["thong-bao"],
            plan_key=f"{campaign}.toml#{at:%H:%M}@{at.isoformat()}",
        )
        clip = self.log.add(
            session.month,
            {"kind": "clip", "session_id": None, "status": "started", "started": at.isoformat(),
             "campaign": campaign, "clip_id": "thong-bao", "seconds": 0.0},
        )
        if status == "missed":
            self.log.update(session, status="missed", error="hộp tắt")
            self.log.update(clip, status="missed")
            return
        self.log.finish(clip, status, ended=at + timedelta(seconds=12), seconds=12.0)
        self.log.finish(session, status, ended=at + timedelta(seconds=15), seconds=15.0)

    def files(self, month: str) -> tuple[bytes, bytes]:
        return chain_path(self.config.log_dir, month).read_bytes(), month_path(
            self.config.log_dir, month
        ).read_bytes()


class Province:
    def __init__(self, root: Path, broker: Mosquitto) -> None:
        self.root = root
        self.broker = broker
        root.mkdir(parents=True, exist_ok=True)
        (root / "loaxa.toml").write_text(PROVINCE.format(port=broker.port), "utf-8")
        (root / "province-password").write_text(broker.accounts["province"] + "\n")
        self.public_key = make_keys(root / "province-key")
        self.config = load_config(root)
        self.collector = Process(root, "province", "serve")
        self.boxes: dict[str, Box] = {}

    @property
    def store(self) -> ProvinceStore:
        return ProvinceStore(self.config.province.store, HCM)

    def add_box(
        self, commune: str, station: str, *, tls: bool = False, status: int = STATUS_SECONDS
    ) -> Box:
        """A box's account (the broker must be restarted to read it) and its data folder."""
        account, password = self.broker.add_account("box", commune, station)
        data_dir = self.root.parent / f"box-{commune}-{station}"
        write_box_config(data_dir)
        with (data_dir / "loaxa.toml").open("a", encoding="utf-8") as config:
            config.write(
                LINK.format(
                    host="localhost" if tls else "127.0.0.1",
                    port=self.broker.tls_port if tls else self.broker.port,
                    tls="true" if tls else "false",
                    ca=self.broker.etc / "ca.crt",
                    commune=commune,
                    station=station,
                    key=self.public_key,
                    status=status,
                )
            )
        (data_dir / "link-password").write_text(password + "\n")
        box = Box(load_config(data_dir), BoxIdentity(commune, station), Process(data_dir, "link"))
        self.boxes[account] = box
        return box

    def held(self, box: Box, month: str) -> tuple[bytes, bytes] | None:
        log_dir = self.store.log_dir(box.identity)
        try:
            return chain_path(log_dir, month).read_bytes(), month_path(log_dir, month).read_bytes()
        except FileNotFoundError:
            return None

    def meta(self, box: Box) -> dict[str, Any]:
        return self.store.meta(box.identity)

    def sent_bulletin(self, bulletin_id: str) -> dict[str, Any]:
        import json

        return json.loads((self.store.sent / f"{bulletin_id}.json").read_text())["bulletin"]

    def sign(self, **fields: Any) -> dict[str, Any]:
        key = (self.root / "province-key").read_text().strip()
        return bulletins.sign(bulletin(**fields), key)


def bulletin(**fields: Any) -> dict[str, Any]:
    now = datetime.now(HCM)
    document = {
        "v": 1,
        "id": f"qt-{time.time_ns()}",
        "issuer": "Sở VHTTDL tỉnh Thử",
        "title": "Cảnh báo lũ",
        "tier": "khan-cap",
        "targets": "all",
        "zones": "all",
        "valid_from": (now - timedelta(minutes=1)).isoformat(timespec="seconds"),
        "valid_until": (now + timedelta(hours=2)).isoformat(timespec="seconds"),
        "repeat": 1,
        "content": {"kind": "text", "text": "Lũ đang lên, bà con sơ tán ngay.", "language": "vi"},
    }
    document.update(fields)
    return document


def stop_all(*processes: Process) -> None:
    for process in processes:
        if process.popen is not None:
            process.kill()


def spool(province: Province, document: dict[str, Any], topics: list[str], name: str) -> None:
    """Put any message in the collector's outbox, as ``send`` does for a signed bulletin
    (for the forged and replayed ones ``send`` would never make)."""
    import json

    store = province.store
    store.outbox.mkdir(parents=True, exist_ok=True)
    record = {"bulletin": document, "topics": topics}
    (store.outbox / f"{name}.json").write_text(json.dumps(record, ensure_ascii=False))
