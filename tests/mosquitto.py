"""A real Mosquitto for the tests, configured from the files the project ships.

The broker is the Debian package's binary, started directly (never the system service:
nothing here calls systemctl) on 127.0.0.1 with free ports. Its configuration is
``hardware/province/mosquitto.conf`` and ``test-listener.conf`` with only the paths and
ports changed, and its accounts, ACL and TLS certificates are made by
``hardware/province/make-credentials.sh`` into the test's folder — so the tests check the
files a technician installs, not a copy written for the tests.

Clients are paho-mqtt 2 speaking MQTT 5, recording what they receive so a test can say
what a person watching the topic would have seen.
"""

from __future__ import annotations

import getpass
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

PROVINCE = Path(__file__).resolve().parent.parent / "hardware" / "province"
CREDENTIALS = PROVINCE / "make-credentials.sh"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _replace(text: str, old: str, new: str) -> str:
    """Replace a line the fixture depends on; fail loudly if the shipped file changed."""
    assert old in text, f"the shipped broker config no longer has {old!r}"
    return text.replace(old, new)


class Mosquitto:
    """One broker process: ``start``, ``stop`` (clean: saves its queues), ``kill``, ``restart``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.etc = root / "etc"  # what /etc/mosquitto/loaxa/ is on a province broker
        self.port = free_port()  # the plain test listener
        self.tls_port = free_port()
        self.accounts: dict[str, str] = {}
        self.process: subprocess.Popen[bytes] | None = None
        self._credentials("init", "--host", "localhost", "--host", "127.0.0.1")
        self.add_account("collector")
        self._write_config()

    def _credentials(self, *args: str) -> str:
        result = subprocess.run(
            ["bash", str(CREDENTIALS), "--dir", str(self.etc), *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return result.stdout

    def add_account(self, *args: str) -> tuple[str, str]:
        """``add_account("box", "19543", "tram-1")`` -> (account, password), via the script."""
        account, password = self._credentials(*args).split()
        self.accounts[account] = password
        return account, password

    def _write_config(self) -> None:
        conf_d = self.root / "conf.d"
        conf_d.mkdir(parents=True, exist_ok=True)
        (self.root / "data").mkdir(exist_ok=True)
        etc = f"{self.etc}/"
        shipped = (PROVINCE / "mosquitto.conf").read_text("utf-8")
        shipped = _replace(shipped, "/etc/mosquitto/loaxa/", etc)
        shipped = _replace(shipped, "\nlistener 8883\n", f"\nlistener {self.tls_port} 127.0.0.1\n")
        (conf_d / "loaxa.conf").write_text(shipped, "utf-8")
        plain = (PROVINCE / "test-listener.conf").read_text("utf-8")
        plain = _replace(plain, "/etc/mosquitto/loaxa/", etc)
        plain = _replace(plain, "listener 1883 127.0.0.1", f"listener {self.port} 127.0.0.1")
        (conf_d / "test-listener.conf").write_text(plain, "utf-8")
        # What Debian's own /etc/mosquitto/mosquitto.conf sets, pointed at the test folder.
        # As root the broker would drop to user "mosquitto", who cannot enter pytest's
        # private temporary folders; as anyone else the option is ignored.
        (self.root / "mosquitto.conf").write_text(
            f"persistence true\n"
            f"persistence_location {self.root}/data/\n"
            f"log_dest file {self.root}/mosquitto.log\n"
            f"log_type all\n"
            f"user {getpass.getuser()}\n"
            f"include_dir {conf_d}\n",
            "utf-8",
        )

    @property
    def log(self) -> str:
        path = self.root / "mosquitto.log"
        return path.read_text("utf-8", errors="replace") if path.exists() else ""

    def start(self) -> None:
        assert self.process is None
        with open(self.root / "stderr.log", "ab") as stderr:
            self.process = subprocess.Popen(
                ["mosquitto", "-c", str(self.root / "mosquitto.conf")],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        deadline = time.monotonic() + 10
        for port in (self.port, self.tls_port):
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(
                        f"mosquitto exited: {(self.root / 'stderr.log').read_text()}\n{self.log}"
                    )
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)

    def stop(self) -> None:
        """A clean stop: the broker writes its queues to disk (as systemctl stop would)."""
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=15)
            self.process = None

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=15)
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


@contextmanager
def running_broker(root: Path) -> Iterator[Mosquitto]:
    broker = Mosquitto(root)
    broker.start()
    try:
        yield broker
    finally:
        broker.kill()


@dataclass
class Received:
    topic: str
    payload: bytes
    retain: bool


class Client:
    """A paho MQTT 5 client that records every message and every PUBACK reason code."""

    def __init__(
        self, broker: Mosquitto, account: str, *, tls: bool = False, ca_file: Path | None = None
    ) -> None:
        self.broker = broker
        self.account = account
        self.messages: queue.Queue[Received] = queue.Queue()
        self.acks: dict[int, int] = {}
        self._acked = threading.Condition()
        self.answered = threading.Event()
        self.refusal: str | None = None
        self.session_present: bool | None = None
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=account, protocol=mqtt.MQTTv5
        )
        self.client.username_pw_set(account, broker.accounts[account])
        self.port = broker.tls_port if tls else broker.port
        if tls:
            self.client.tls_set(ca_certs=str(ca_file or broker.etc / "ca.crt"))
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.on_publish = self._on_publish

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            self.refusal = str(reason_code)
        else:
            self.session_present = flags.session_present
        self.answered.set()

    def _on_message(self, client, userdata, message) -> None:
        self.messages.put(Received(message.topic, message.payload, bool(message.retain)))

    def _on_publish(self, client, userdata, mid, reason_code, properties) -> None:
        with self._acked:
            self.acks[mid] = reason_code.value
            self._acked.notify_all()

    def connect(
        self,
        *,
        persistent: bool = False,
        will: tuple[str, bytes] | None = None,
        host: str = "127.0.0.1",
    ) -> Client:
        """Connect; *persistent* keeps the session (and its queue) for an hour offline."""
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = 3600 if persistent else 0
        if will:
            self.client.will_set(will[0], will[1], qos=1, retain=True)
        self.answered.clear()
        self.client.connect(
            host, self.port, keepalive=30, clean_start=not persistent, properties=properties
        )
        self.client.loop_start()
        if not self.answered.wait(10):
            raise TimeoutError(f"{self.account} did not connect")
        if self.refusal:
            self.client.loop_stop()
            raise PermissionError(f"{self.account}: {self.refusal}")
        return self

    def subscribe(self, *topics: str) -> None:
        done = threading.Event()
        self.client.on_subscribe = lambda *args: done.set()
        self.client.subscribe([(topic, 1) for topic in topics])
        assert done.wait(10), "no SUBACK"

    def publish(self, topic: str, payload: bytes, *, retain: bool = False) -> int:
        """Publish at QoS 1 and return the PUBACK reason code (0 ok, 135 not authorized)."""
        info = self.client.publish(topic, payload, qos=1, retain=retain)
        with self._acked:
            assert self._acked.wait_for(lambda: info.mid in self.acks, 10), "no PUBACK"
            return self.acks.pop(info.mid)

    def expect(self, payload: bytes, timeout: float = 10) -> list[Received]:
        """Wait for *payload*; return every message received up to and including it."""
        seen = []
        deadline = time.monotonic() + timeout
        while True:
            try:
                message = self.messages.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"{self.account} never got {payload!r}; got {seen}") from None
            seen.append(message)
            if message.payload == payload:
                return seen

    def disconnect(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def will_process(broker: Mosquitto, account: str) -> subprocess.Popen[str]:
    """A box's link in its own process: online status retained, last will "offline"."""
    code = f"""
import sys, time
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id={account!r}, protocol=mqtt.MQTTv5)
c.username_pw_set({account!r}, {broker.accounts[account]!r})
topic = "loaxa/{account}/up/status"
c.will_set(topic, b"offline", qos=1, retain=True)
c.connect("127.0.0.1", {broker.port}, keepalive=30)
c.loop_start()
c.publish(topic, b"online", qos=1, retain=True).wait_for_publish(10)
print("ready", flush=True)
time.sleep(120)
"""
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
