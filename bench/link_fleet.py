"""Figure 11 — a province's fleet on one Mosquitto: what the broker costs, how fast a
bulletin reaches every box, how fast the province stores the boxes' logs, how fast a box
that was offline for a day catches up.

Why: one broker serves a province (500 boxes for a large one) and, on paper, the whole
country could be one broker (3,500 boxes, about one per commune). The broker is the
Debian package started from the shipped ``hardware/province/`` configuration (queues,
persistence, ACL and password file; accounts hashed by ``mosquitto_passwd`` as
``make-credentials.sh`` makes them, all at once), on 127.0.0.1. The province's collector
is the real ``loaxa province serve`` and the box that catches up is a real ``loaxa
link``; the other boxes are simulated cheaply: one paho MQTT 5 client per box with a
persistent session, its last will and its subscriptions, all driven from one thread
(``loop_read``/``loop_write`` on an epoll selector), each publishing a retained status
once a minute like a box and, for the ingest figure, a day of its log (a real hash chain
written by ``PlayLog``: 20 sessions of two clips) as the link would send it.

Phases, for each fleet size:

1. every box connects (CONNECT with its password, SUBSCRIBE): time and broker RSS;
2. a minute of statuses at the real rate (N per minute, spread evenly; smoke: a few
   seconds): broker CPU and RSS. Inside it, a real ``loaxa link`` whose box was offline
   for a day of 20 sessions starts: the time until the province holds its whole day;
3. a batch of boxes sends a day of log each: entries the collector stores per second
   (chain ingest with fsync, month file, ack published) until the last ack is back;
4. bulletins (real signed ones, text, ~1.5 KB) published as the province on the
   province-wide topic: the delay until each box holds each one, p50/p99.

Instrument caveats: all simulated boxes read in one Python process, so the fan-out delay
includes the time that process takes to read 3,500 sockets in turn (a real box reads
its own); the collector and the broker share the machine's cores with the simulation.
TLS is not used on the loopback (the boxes' TLS handshakes are extra broker CPU at
connect, not in steady state).

Targets: fan-out p99 ≤ 2 s to every online box; ingest ≥ 1,000 entries/s; catch-up of a
day ≤ 5 s.
"""

from __future__ import annotations

import json
import os
import resource
import secrets
import selectors
import signal
import socket
import subprocess
import sys
import time
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from _common import (
    PYTHON,
    REPO,
    TempRoot,
    number,
    parse_args,
    percentile,
    print_summary,
    print_table,
    row,
    write_result,
)

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
PROVINCE_DIR = REPO / "hardware" / "province"
TARGET_FANOUT_P99 = 2.0
TARGET_INGEST = 1000.0
TARGET_CATCH_UP = 5.0
SESSIONS_A_DAY = 20
TICK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --------------------------------------------------------------------------- the broker


class Broker:
    """The shipped configuration, paths and ports moved into a temp folder."""

    def __init__(self, root: Path, accounts: dict[str, str]) -> None:
        self.root = root
        self.etc = root / "etc"
        self.port = free_port()
        subprocess.run(
            [
                "bash",
                str(PROVINCE_DIR / "make-credentials.sh"),
                "--dir",
                str(self.etc),
                "init",
                "--host",
                "127.0.0.1",
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        plain = "".join(f"{name}:{password}\n" for name, password in accounts.items())
        (self.etc / "passwd").write_text(plain)
        subprocess.run(
            ["mosquitto_passwd", "-U", str(self.etc / "passwd")], check=True, timeout=600
        )
        conf_d = root / "conf.d"
        conf_d.mkdir()
        (root / "data").mkdir()
        shipped = (
            (PROVINCE_DIR / "mosquitto.conf")
            .read_text()
            .replace("/etc/mosquitto/loaxa/", f"{self.etc}/")
        )
        shipped = shipped.replace("\nlistener 8883\n", f"\nlistener {free_port()} 127.0.0.1\n")
        (conf_d / "loaxa.conf").write_text(shipped)
        plain_listener = (PROVINCE_DIR / "test-listener.conf").read_text()
        plain_listener = plain_listener.replace("/etc/mosquitto/loaxa/", f"{self.etc}/")
        plain_listener = plain_listener.replace(
            "listener 1883 127.0.0.1", f"listener {self.port} 127.0.0.1"
        )
        (conf_d / "plain.conf").write_text(plain_listener)
        user = os.environ.get("USER") or "root"
        (root / "mosquitto.conf").write_text(
            f"persistence true\npersistence_location {root}/data/\n"
            f"log_dest file {root}/mosquitto.log\nlog_type error\nlog_type warning\n"
            f"user {user}\ninclude_dir {conf_d}\n"
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["mosquitto", "-c", str(self.root / "mosquitto.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=60)
            self.process = None


def proc_stat(pid: int) -> tuple[float, float]:
    """(CPU seconds used so far, RSS MiB) of a process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / TICK
    rss = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) / 1024
    return cpu, rss


# --------------------------------------------------------------------------- the boxes


class Fleet:
    """N simulated boxes, each a paho MQTT 5 client, all read from one thread."""

    def __init__(self, names: list[str], passwords: dict[str, str], port: int) -> None:
        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion
        from paho.mqtt.packettypes import PacketTypes
        from paho.mqtt.properties import Properties

        self.selector = selectors.DefaultSelector()
        self.clients: dict[str, Any] = {}
        self.subscribed: set[str] = set()
        self.held: dict[str, int] = {}  # box -> seq the province acknowledged
        self.acked_at: dict[str, float] = {}
        self.bulletins: dict[str, dict[str, float]] = defaultdict(dict)  # id -> box -> time
        for name in names:
            client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=name, protocol=mqtt.MQTTv5)
            client.username_pw_set(name, passwords[name])
            client.will_set(
                f"loaxa/{name}/up/status", b'{"v":1,"online":false}', qos=1, retain=True
            )
            client.on_connect = self._connected(name)
            client.on_subscribe = lambda *_a, name=name: self.subscribed.add(name)
            client.on_message = self._message(name)
            properties = Properties(PacketTypes.CONNECT)
            properties.SessionExpiryInterval = 100 * 24 * 3600
            client.connect(
                "127.0.0.1", port, keepalive=900, clean_start=False, properties=properties
            )
            self.selector.register(client.socket(), selectors.EVENT_READ, client)
            self.clients[name] = client

    def join(self, account: str, password: str, port: int) -> Any:
        """One more client driven by the same loop (the province's publisher: paho's own
        loop thread uses select(), which fails beyond file descriptor 1023)."""
        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion

        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=account, protocol=mqtt.MQTTv5)
        client.username_pw_set(account, password)
        ready: list[bool] = []
        client.on_connect = lambda *_args: ready.append(True)
        client.connect("127.0.0.1", port, clean_start=False)
        self.selector.register(client.socket(), selectors.EVENT_READ, client)
        self.clients[account] = client
        self.pump_until(lambda: bool(ready), 10)
        return client

    def _connected(self, name: str) -> Any:
        def connected(client: Any, *_args: Any) -> None:
            client.subscribe([(f"loaxa/{name}/down/#", 1), ("loaxa/broadcast/down/bulletin", 1)])

        return connected

    def _message(self, name: str) -> Any:
        def message(client: Any, userdata: Any, msg: Any) -> None:
            now = time.monotonic()
            if msg.topic.endswith("/log-ack"):
                held = json.loads(msg.payload).get("held") or {}
                self.held[name] = held.get("seq", 0)
                self.acked_at[name] = now
            else:
                self.bulletins[json.loads(msg.payload)["id"]][name] = now

        return message

    def pump(self, timeout: float = 0.01) -> None:
        for client in self.clients.values():
            if client.want_write():
                client.loop_write()
        for key, _events in self.selector.select(timeout):
            key.data.loop_read()

    def pump_until(self, done: Any, limit: float) -> float:
        start = time.monotonic()
        while not done() and time.monotonic() - start < limit:
            self.pump()
        return time.monotonic() - start

    def publish(self, name: str, topic: str, payload: bytes, retain: bool = False) -> None:
        self.clients[name].publish(topic, payload, qos=1, retain=retain)

    def close(self) -> None:
        for client in self.clients.values():
            client.disconnect()
        for _ in range(20):
            self.pump()


def status_payload(name: str) -> bytes:
    """A status as large as a box's (about 900 bytes of JSON)."""
    now = datetime.now(HCM).isoformat(timespec="seconds")
    return json.dumps(
        {
            "v": 1,
            "box": name,
            "online": True,
            "at": now,
            "version": "0.1.0",
            "commune": {"name": "Xã Đo Thử", "province": "Tỉnh Đo", "station": ""},
            "heads": {},
            "backlog": 0,
            "link_problems": [],
            "chain": {"status": "ok", "problem": None, "checked": now},
            "daemon": True,
            "clock": {"trusted": True, "reason": "đồng hồ đã đồng bộ qua mạng (NTP)"},
            "on_air": None,
            "relays": {"amplifier": False, "thon-1": False, "thon-2": False},
            "disk": {"free_bytes": 12_000_000_000, "total_bytes": 15_000_000_000},
            "next": [
                {
                    "at": now,
                    "campaign": "Tắt sóng 2G",
                    "slot": "sáng",
                    "zones": ["thon-1"],
                    "expected_seconds": 182.5,
                }
            ]
            * 3,
        },
        ensure_ascii=False,
    ).encode()


# --------------------------------------------------------------------------- a day of log


def day_of_log(log_dir: Path, day: datetime) -> None:
    """20 sessions of two clips, logged as the broadcaster logs them (120 events)."""
    from firmware_host.logbook.playlog import PlayLog

    log = PlayLog(log_dir, HCM)
    for n in range(SESSIONS_A_DAY):
        at = day + timedelta(minutes=30 * n)
        session = log.start_session(
            trigger="schedule",
            scheduled=at,
            started=at,
            campaign="Tắt sóng 2G",
            slot=f"{at:%H:%M}",
            zones=["thon-1", "thon-2"],
            playlist=["tb", "hd"],
            plan_key=f"2g.toml#{at:%H:%M}@{at.isoformat()}",
        )
        for index, clip in enumerate(("tb", "hd"), start=1):
            ref = log.add(
                session.month,
                {
                    "kind": "clip",
                    "session_id": None,
                    "status": "started",
                    "scheduled": at.isoformat(),
                    "clip_id": clip,
                    "play_index": index,
                    "seconds": 0.0,
                },
            )
            log.finish(ref, "completed", ended=at + timedelta(seconds=60), seconds=60.0)
        log.finish(session, "completed", ended=at + timedelta(seconds=130), seconds=130.0)
    log.close()


def chain_events(log_dir: Path, month: str) -> list[dict[str, Any]]:
    return [
        json.loads(line) for line in (log_dir / f"{month}.chain.jsonl").read_text().splitlines()
    ]


# --------------------------------------------------------------------------- one size


def measure(root: Path, boxes: int, smoke: bool) -> dict[str, Any]:
    from firmware_host.link.bulletins import sign
    from firmware_host.link.province.send import make_keys

    work = root / f"fleet-{boxes}"
    work.mkdir()
    names = [f"{10000 + n // 3:05d}/tram-{n % 3 + 1}" for n in range(boxes)]
    passwords = {name: secrets.token_urlsafe(12) for name in names}
    passwords["province"] = secrets.token_urlsafe(12)
    passwords["99999/bat-lai"] = secrets.token_urlsafe(12)  # the real link that catches up
    started = time.monotonic()
    broker = Broker(work / "broker", passwords)
    print(f"  {boxes} accounts hashed in {time.monotonic() - started:.1f} s")
    broker.start()
    assert broker.process is not None
    province = work / "province"
    province.mkdir()
    (province / "province-password").write_text(passwords["province"])
    (province / "loaxa.toml").write_text(
        '[commune]\nname = "Sở VHTTDL"\nprovince = "Tỉnh Đo"\n\n[province]\n'
        f'broker = "127.0.0.1"\nport = {broker.port}\ntls = false\n'
        'password_file = "province-password"\nprivate_key_file = "province-key"\n'
    )
    public = make_keys(province / "province-key")
    private = (province / "province-key").read_text().strip()
    env = {**os.environ, "LOAXA_HOME": str(province)}
    collector = subprocess.Popen(
        [PYTHON, "-m", "firmware_host", "province", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=REPO,
    )
    # the bench's own province client (low file descriptors: paho's loop uses select())
    template = work / "template-log"
    today = datetime.now(HCM).replace(hour=5, minute=0, second=0, microsecond=0)
    day_of_log(template, today)
    month = today.strftime("%Y-%m")
    events = chain_events(template, month)
    result: dict[str, Any] = {"boxes": boxes, "events_per_day": len(events)}
    try:
        time.sleep(1.0)  # the collector subscribes before the boxes speak
        cpu0, _ = proc_stat(broker.process.pid)
        t0 = time.monotonic()
        fleet = Fleet(names, passwords, broker.port)
        fleet.pump_until(lambda: len(fleet.subscribed) == boxes, 120)
        result["connect_seconds"] = time.monotonic() - t0
        cpu1, rss = proc_stat(broker.process.pid)
        result["connect_broker_cpu_seconds"] = cpu1 - cpu0
        result["rss_connected_mib"] = rss
        print(
            f"  {boxes} boxes connected in {result['connect_seconds']:.1f} s, broker {rss:.1f} MiB"
        )

        # 2. a minute of statuses, and a real link catching up a day inside it
        window = 5.0 if smoke else 60.0
        catch_up = start_catch_up(work, broker.port, passwords["99999/bat-lai"], public, today)
        link_started = time.monotonic()
        cpu0, _ = proc_stat(broker.process.pid)
        ccpu0, _ = proc_stat(collector.pid)
        t0 = time.monotonic()
        order = list(names)
        sent = 0
        caught_up = None
        province_log = province / "province" / "boxes" / "99999" / "bat-lai" / "log"
        box_chain = (catch_up["log"] / f"{month}.chain.jsonl").read_bytes()
        while (elapsed := time.monotonic() - t0) < window:
            due = min(boxes, int(boxes * elapsed / 60.0) + 1)
            while sent < due:
                name = order[sent % boxes]
                fleet.publish(name, f"loaxa/{name}/up/status", status_payload(name), retain=True)
                sent += 1
            fleet.pump(0.005)
            if caught_up is None:
                try:
                    if (province_log / f"{month}.chain.jsonl").read_bytes() == box_chain:
                        caught_up = time.monotonic() - link_started
                except FileNotFoundError:
                    pass
        while caught_up is None and time.monotonic() - link_started < 60:
            fleet.pump(0.01)
            try:
                if (province_log / f"{month}.chain.jsonl").read_bytes() == box_chain:
                    caught_up = time.monotonic() - link_started
            except FileNotFoundError:
                pass
        seconds = time.monotonic() - t0
        cpu1, rss = proc_stat(broker.process.pid)
        ccpu1, crss = proc_stat(collector.pid)
        result |= {
            "status_window_seconds": seconds,
            "statuses": sent,
            "broker_cpu_percent": 100 * (cpu1 - cpu0) / seconds,
            "rss_steady_mib": rss,
            "collector_cpu_percent": 100 * (ccpu1 - ccpu0) / seconds,
            "collector_rss_mib": crss,
            "catch_up_seconds": caught_up,
            "catch_up_events": len(box_chain.splitlines()),
        }
        catch_up["process"].send_signal(signal.SIGTERM)
        catch_up["process"].wait(timeout=30)
        print(
            f"  statuses: broker {result['broker_cpu_percent']:.1f} % CPU; a day caught up "
            f"in {number(caught_up, 's')}"
        )

        # 3. ingest: a batch of boxes each send a day of log
        senders = names[: min(boxes, 20 if smoke else 300)]
        payloads = {}
        for name in senders:
            payloads[name] = json.dumps(
                {
                    "v": 1,
                    "box": name,
                    "month": month,
                    "events": events,
                    "head": {"month": month, "seq": len(events), "hash": events[-1]["hash"]},
                },
                ensure_ascii=False,
                separators=(",", ":"),
            ).encode()
        cpu0, _ = proc_stat(broker.process.pid)
        ccpu0, _ = proc_stat(collector.pid)
        t0 = time.monotonic()
        for name in senders:
            fleet.publish(name, f"loaxa/{name}/up/log", payloads[name])
        fleet.pump_until(lambda: all(fleet.held.get(n) == len(events) for n in senders), 600)
        last = max((fleet.acked_at.get(n, time.monotonic()) for n in senders), default=t0)
        seconds = last - t0
        cpu1, _ = proc_stat(broker.process.pid)
        ccpu1, crss = proc_stat(collector.pid)
        stored = sum(1 for n in senders if fleet.held.get(n) == len(events))
        result |= {
            "ingest_boxes": len(senders),
            "ingest_events": stored * len(events),
            "ingest_seconds": seconds,
            "ingest_per_second": stored * len(events) / seconds if seconds else None,
            "ingest_collector_cpu_percent": 100 * (ccpu1 - ccpu0) / seconds if seconds else None,
            "ingest_broker_cpu_percent": 100 * (cpu1 - cpu0) / seconds if seconds else None,
            "collector_rss_after_ingest_mib": crss,
        }
        print(f"  ingest: {result['ingest_events']} entries in {seconds:.1f} s")

        # 4. fan-out: bulletins on the province-wide topic, the collector stopped (its
        # account is the only one that may publish there; its session is kept)
        collector.send_signal(signal.SIGTERM)
        collector.wait(timeout=30)
        publisher = fleet.join("province", passwords["province"], broker.port)
        delays: list[float] = []
        count = 3 if smoke else 20
        for n in range(count):
            document = bulletin_document(f"bench-{n}", today)
            payload = json.dumps(sign(document, private), ensure_ascii=False).encode()
            at = time.monotonic()
            publisher.publish("loaxa/broadcast/down/bulletin", payload, qos=1)
            fleet.pump(0)
            fleet.pump_until(lambda n=n: len(fleet.bulletins[f"bench-{n}"]) == boxes, 30)
            delays += [t - at for t in fleet.bulletins[f"bench-{n}"].values()]
            missing = boxes - len(fleet.bulletins[f"bench-{n}"])
            delays += [float("inf")] * missing
            fleet.pump_until(lambda: False, 0.3 if smoke else 1.0)
        _cpu, rss = proc_stat(broker.process.pid)
        result |= {
            "bulletins": count,
            "bulletin_bytes": len(payload),
            "fanout_p50": percentile(delays, 50),
            "fanout_p99": percentile(delays, 99),
            "fanout_max": max(delays),
            "rss_after_fanout_mib": rss,
        }
        print(f"  fan-out p99 {result['fanout_p99']:.3f} s")
        fleet.close()
    finally:
        if collector.poll() is None:
            collector.kill()
        broker.stop()
    return result


def bulletin_document(bulletin_id: str, now: datetime) -> dict[str, Any]:
    return {
        "v": 1,
        "id": bulletin_id,
        "issuer": "Sở VHTTDL tỉnh Đo",
        "title": "Cảnh báo lũ quét",
        "tier": "khan-cap",
        "targets": "all",
        "zones": "all",
        "valid_from": now.isoformat(),
        "valid_until": (now + timedelta(hours=30)).isoformat(),
        "content": {
            "kind": "text",
            "language": "vi",
            "text": (
                "Cảnh báo lũ quét và sạt lở đất: mưa lớn kéo dài, nước sông đang lên nhanh. "
                "Bà con ở ven sông, ven suối và sườn đồi di chuyển ngay đến nơi an toàn, "
                "không qua ngầm tràn, không vớt củi trên sông. "
            )
            * 6,
        },
    }


def start_catch_up(
    work: Path, port: int, password: str, public: str, day: datetime
) -> dict[str, Any]:
    """A box offline for a day of 20 sessions, its real ``loaxa link`` started now."""
    data = work / "box-bat-lai"
    data.mkdir()
    (data / "link-password").write_text(password)
    (data / "loaxa.toml").write_text(
        '[commune]\nname = "Xã Bắt Lại"\nprovince = "Tỉnh Đo"\n\n[relays]\npin_factory = "mock"\n\n'
        f'[link]\nbroker = "127.0.0.1"\nport = {port}\ntls = false\n'
        'password_file = "link-password"\ncommune_code = "99999"\nstation_id = "bat-lai"\n'
        f'province_keys = ["{public}"]\nstatus_seconds = 60\n'
    )
    day_of_log(data / "log", day)
    env = {**os.environ, "LOAXA_HOME": str(data)}
    process = subprocess.Popen(
        [PYTHON, "-m", "firmware_host", "link"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=REPO,
    )
    return {"process": process, "log": data / "log"}


# --------------------------------------------------------------------------- the figure


def main() -> None:
    args = parse_args(
        "Figure 11: a province's fleet on one Mosquitto (broker cost, fan-out, ingest, catch-up).",
        lambda p: p.add_argument("--boxes", type=int, nargs="+", help="fleet sizes"),
    )
    sizes = args.boxes or ([20, 60] if args.smoke else [500, 3500])
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = 2 * max(sizes) + 200
    if soft < need:  # one socket per simulated box here, and one per box in the broker
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, need), hard))
    results = []
    with TempRoot(args, "link-fleet") as root:
        for boxes in sizes:
            print(f"measuring {boxes} boxes")
            results.append(measure(root, boxes, args.smoke))
        work_dir = root

    print_table(
        "Figure 11 — one broker, N boxes (127.0.0.1, plain MQTT 5, QoS 1, persistent sessions)",
        [
            "boxes",
            "connect",
            "broker RSS",
            "broker CPU (statuses)",
            "collector CPU",
            "fan-out p50 / p99",
            "ingest",
            "catch-up of a day",
        ],
        [
            [
                r["boxes"],
                number(r["connect_seconds"], "s"),
                number(r["rss_after_fanout_mib"], "MiB"),
                number(r["broker_cpu_percent"], "%"),
                number(r["collector_cpu_percent"], "%"),
                f"{number(r['fanout_p50'], 's')} / {number(r['fanout_p99'], 's')}",
                number(r["ingest_per_second"], "entries/s"),
                number(r["catch_up_seconds"], "s"),
            ]
            for r in results
        ],
    )
    largest = results[-1]
    summary = []
    for r in results:
        summary += [
            row(f"{r['boxes']} boxes: broker RSS", r["rss_after_fanout_mib"], None, "MiB"),
            row(
                f"{r['boxes']} boxes: broker CPU, a status a minute each",
                r["broker_cpu_percent"],
                None,
                "%",
            ),
            row(
                f"{r['boxes']} boxes: bulletin fan-out p99",
                r["fanout_p99"],
                None,
                "s",
                target=f"≤ {TARGET_FANOUT_P99:g} s",
                met=r["fanout_p99"] <= TARGET_FANOUT_P99,
            ),
        ]
    summary += [
        row(
            "collector ingest",
            largest["ingest_per_second"],
            None,
            "entries/s",
            target=f"≥ {TARGET_INGEST:g}/s",
            met=(largest["ingest_per_second"] or 0) >= TARGET_INGEST,
        ),
        row(
            f"a box offline a day ({largest['catch_up_events']} entries) catches up",
            largest["catch_up_seconds"],
            None,
            "s",
            target=f"≤ {TARGET_CATCH_UP:g} s",
            met=largest["catch_up_seconds"] is not None
            and largest["catch_up_seconds"] <= TARGET_CATCH_UP,
        ),
    ]
    print_summary("Figure 11 — summary", summary)
    write_result(
        "link_fleet",
        figure=11,
        title="A province's fleet on one broker",
        args=args,
        summary=summary,
        details={"sizes": results},
        work_dir=work_dir,
    )


if __name__ == "__main__":
    sys.exit(main())
