"""``loaxa province serve``: the province's collector, subscribed to every box.

One persistent MQTT 5 session as the account ``province`` (the broker queues up to
200,000 messages for it while it is down, ``hardware/province/mosquitto.conf``). Each
message is handled in paho's thread and acknowledged (PUBACK) only once handled, so a
collector killed mid-way gets the message again: a log batch is stored
(:meth:`ProvinceStore.ingest`) and answered with a ``log-ack`` naming what is now held;
a status and a bulletin ack are recorded. A message that cannot be read is logged and
dropped; it never stops the collector.

Bulletins signed by ``loaxa province send`` wait in the store's ``outbox/``; the
collector publishes them (it is the only client with the account's identity: the broker
uses the account name as the client id, so a second connection would take this
session over) with a message expiry at the end of their validity, so the broker never
delivers an expired one to a box that comes back late. Published ones move to ``sent/``.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from firmware_host.config import Config
from firmware_host.link import wire
from firmware_host.link.province.store import ProvinceStore
from firmware_host.messages import LoaxaError, t
from firmware_host.store import write_atomically

logger = logging.getLogger("loaxa.province")

ACCOUNT = "province"
FLUSH_EVERY = 5.0
PUBLISH_TIMEOUT = 10.0


class Collector:
    def __init__(self, config: Config, *, now: Callable[[], datetime] | None = None) -> None:
        settings = config.province
        if not settings.broker.host:
            raise LoaxaError("province.not_configured")
        self.config = config
        self.now = now or (lambda: datetime.now(config.timezone))
        self.store = ProvinceStore(settings.store, config.timezone)
        self.lock = threading.Lock()  # the store, between paho's thread and the main loop
        self.connected = threading.Event()
        self.handled = 0
        self.client = wire.make_client(settings.broker, ACCOUNT)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = lambda *_args: self.connected.clear()
        self.client.on_message = self._on_message

    def _on_connect(self, client: Any, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        if reason.is_failure:
            logger.error(
                t("link.connect_refused", broker=self.config.province.broker.host, reason=reason)
            )
            return
        client.subscribe([(topic, 1) for topic in wire.COLLECTOR_TOPICS])
        self.connected.set()

    def _on_message(self, client: Any, userdata: Any, message: Any) -> None:
        try:
            self.handle(message.topic, bytes(message.payload), retained=bool(message.retain))
        except Exception:  # one message's fault stays that message's
            logger.exception("message on %s", message.topic)

    def handle(self, topic: str, payload: bytes, *, retained: bool = False) -> None:
        parsed = wire.parse_up_topic(topic)
        if parsed is None:
            return
        box, kind = parsed
        now = self.now()
        try:
            data = wire.decode(payload)
            with self.lock:
                if kind == "log":
                    ack = self.store.ingest(box, wire.read_batch(data), now)
                    self.client.publish(wire.down(box, "log-ack"), wire.encode(ack), qos=1)
                elif kind == "status":
                    self.store.record_status(box, data, now, fresh=not retained)
                else:
                    self.store.record_ack(box, data, now)
                self.handled += 1
        except (wire.BadMessage, ValueError) as exc:
            logger.warning(t("link.bad_message", topic=topic, detail=exc))

    def start(self) -> None:
        # made by this service's user, so the bulletins `send` leaves (as root) can be
        # moved on by it
        for folder in (self.store.outbox, self.store.sent, self.store.boxes_dir):
            folder.mkdir(parents=True, exist_ok=True)
        broker = self.config.province.broker
        self.client.connect_async(
            broker.host,
            broker.port,
            keepalive=60,
            clean_start=False,
            properties=wire.connect_properties(),
        )
        self.client.loop_start()
        logger.info(
            t("province.serving", broker=broker.host, port=broker.port, store=self.store.root)
        )

    def run(self, stop: threading.Event) -> None:
        self.start()
        next_flush = time.monotonic() + FLUSH_EVERY
        try:
            while not stop.wait(0.5):
                if self.connected.is_set():
                    self.publish_outbox()
                if time.monotonic() >= next_flush:
                    next_flush = time.monotonic() + FLUSH_EVERY
                    with self.lock:
                        self.store.flush()
        finally:
            self.client.disconnect()
            self.client.loop_stop()
            with self.lock:
                self.store.flush()

    def publish_outbox(self) -> None:
        """Publish the bulletins ``send`` left in the outbox; each moves to ``sent/``."""
        for path in self.store.bulletins_waiting():
            try:
                self._publish_one(path)
            except (OSError, ValueError, KeyError, TypeError) as exc:
                logger.error(t("province.outbox_bad", file=path.name, detail=exc))
                path.rename(path.with_suffix(".refused"))

    def _publish_one(self, path: Path) -> None:
        spooled = json.loads(path.read_text("utf-8"))
        bulletin, topics = spooled["bulletin"], spooled["topics"]
        until = datetime.fromisoformat(bulletin["valid_until"])
        left = (until - self.now()).total_seconds()
        results: dict[str, Any] = {}
        if left > 0:
            payload = wire.encode(bulletin)
            infos = {
                topic: self.client.publish(
                    topic, payload, qos=1, properties=wire.expiry_properties(left)
                )
                for topic in topics
            }
            for topic, info in infos.items():
                info.wait_for_publish(PUBLISH_TIMEOUT)
                results[topic] = "published" if info.is_published() else "not_confirmed"
        spooled |= {
            "published_at": self.now().isoformat(timespec="seconds"),
            "results": results,
            "expired": left <= 0,
        }
        write_atomically(
            self.store.sent / path.name, json.dumps(spooled, ensure_ascii=False, indent=1).encode()
        )
        path.unlink()
