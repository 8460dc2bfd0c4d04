"""``loaxa link``: the box on the province's broker, in a process of its own.

One MQTT 5 session (paho), persistent (the broker queues bulletins while the box is
offline) and QoS 1 both ways, with a retained last will saying ``offline``. Everything
the link does happens in one thread (:meth:`LinkClient.step`); paho's network thread only
hands messages over, so the outbox, the cursor and the bulletin desk need no locks.

Each step: the messages that came in (bulletins to the desk, log acks to the outbox),
the desk's retries and watch of the log, then — when connected — the acks to send, the
new log events (in batches, within the outbox's window) and, every
``[link] status_seconds``, the retained status. After a reconnect everything not yet
acknowledged by the province goes again.

The link checks the box's own log as well (``chain.verify`` with the province's
acknowledged heads as anchors): fully at start, then before each status the two newest
months if their files changed. The verdict is in the status.
"""

from __future__ import annotations

import collections
import logging
import queue
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from firmware_host.config import Config
from firmware_host.control import ControlClient
from firmware_host.link import wire
from firmware_host.link.box.desk import Desk
from firmware_host.link.box.outbox import CURSOR_NAME, Cursor, Outbox, link_dir
from firmware_host.link.box.status import box_status
from firmware_host.link.bulletins import BoxIdentity
from firmware_host.logbook.chain import Finding, verify
from firmware_host.logbook.playlog import PlayLog
from firmware_host.messages import LoaxaError, t

logger = logging.getLogger("loaxa.link")

NO_SUBSCRIBER = 16  # PUBACK reason "no matching subscribers": nobody will get it
RESEND_UNHEARD = 10.0  # seconds before a batch nobody received goes again
MAX_ACKS_WAITING = 1000  # bulletin acks kept while offline (the log carries the same facts)
KEEPALIVE = 60
CONTROL_TIMEOUT = 5.0


class LinkClient:
    def __init__(self, config: Config, *, now: Callable[[], datetime] | None = None) -> None:
        link = config.link
        if not link.enabled:
            raise LoaxaError("link.not_configured")
        self.config = config
        self.now = now or (lambda: datetime.now(config.timezone))
        self.box = BoxIdentity(link.commune_code, link.station_id)
        self.log = PlayLog(config.log_dir, config.timezone)
        self.cursor = Cursor(link_dir(config.data_dir) / CURSOR_NAME)
        self.outbox = Outbox(config.log_dir, self.cursor)
        self.control = ControlClient(config.data_dir, timeout=CONTROL_TIMEOUT)
        self.desk = Desk(config, self.box, self.log, self._queue_ack, control=self.control)
        self.inbox: queue.Queue[tuple[str, bytes]] = queue.Queue()
        self.wake = threading.Event()
        self.connected = threading.Event()
        self._reconnected = False
        self._acks: collections.deque[dict[str, Any]] = collections.deque(maxlen=MAX_ACKS_WAITING)
        self._next_status = 0.0
        self._verdict: dict[str, Any] = {}
        self._verified_marks: tuple[Any, ...] = ()
        self._lock = threading.Lock()
        self._batch_mids: set[int] = set()
        self._unheard: set[int] = set()  # mids the broker said no one subscribes to
        self._resend_at: float | None = None
        self.client = wire.make_client(
            link.broker,
            self.box.name,
            will=(wire.up(self.box, "status"), wire.encode(wire.offline_status(self.box))),
        )
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_publish = self._on_publish

    # -- paho's thread: hand over and wake the link ------------------------------------------
    def _on_connect(self, client: Any, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        if reason.is_failure:
            logger.error(
                t("link.connect_refused", broker=self.config.link.broker.host, reason=reason)
            )
            return
        client.subscribe([(topic, 1) for topic in wire.box_topics(self.box)])
        self._reconnected = True
        self.connected.set()
        self.wake.set()

    def _on_disconnect(
        self, client: Any, userdata: Any, flags: Any, reason: Any, props: Any
    ) -> None:
        self.connected.clear()
        self.wake.set()

    def _on_message(self, client: Any, userdata: Any, message: Any) -> None:
        self.inbox.put((message.topic, bytes(message.payload)))
        self.wake.set()

    def _on_publish(self, client: Any, userdata: Any, mid: int, reason: Any, props: Any) -> None:
        if getattr(reason, "value", 0) == NO_SUBSCRIBER:
            with self._lock:
                self._unheard.add(mid)

    # -- the link's own thread ---------------------------------------------------------------
    def start(self) -> None:
        for note in self.log.prepare(now=self.now()):
            logger.info(note)
        for problem in (self.cursor.problem, self.desk.seen.problem):
            if problem is not None:
                logger.warning(str(problem))
        self._check_log(full=True)
        broker = self.config.link.broker
        self.client.connect_async(
            broker.host,
            broker.port,
            keepalive=KEEPALIVE,
            clean_start=False,
            properties=wire.connect_properties(),
        )
        self.client.loop_start()
        logger.info(t("link.started", box=self.box.name, broker=broker.host, port=broker.port))

    def run(self, stop: threading.Event) -> None:
        """Until *stop*; says ``offline`` (retained) before leaving."""
        self.start()
        try:
            while not stop.is_set():
                self.step()
                self.wake.wait(1.0)
                self.wake.clear()
        finally:
            self.close()

    def step(self) -> None:
        now, monotonic = self.now(), time.monotonic()
        while True:
            try:
                topic, payload = self.inbox.get_nowait()
            except queue.Empty:
                break
            if topic.endswith("/down/log-ack"):
                self._log_ack(payload)
            elif topic.endswith("/bulletin"):
                self.desk.receive(topic, payload, now)
        self.desk.tick(now, monotonic)
        if not self.connected.is_set():
            return
        if self._reconnected:
            self._reconnected = False
            self.outbox.rewind()
            self._next_status = 0.0
        while self._acks and self.connected.is_set():
            ack = self._acks.popleft()
            self._publish(wire.up(self.box, "ack"), ack)
        self.outbox.fill()
        self._resend_unheard(monotonic)
        while self.connected.is_set() and (batch := self.outbox.next_batch()) is not None:
            message = wire.log_batch(self.box, batch.month, batch.events, batch.head.as_dict())
            info = self._publish(wire.up(self.box, "log"), message)
            with self._lock:
                self._batch_mids.add(info.mid)
        if monotonic >= self._next_status:
            self._next_status = monotonic + self.config.link.status_seconds
            self.publish_status(now)

    def _resend_unheard(self, monotonic: float) -> None:
        """A batch the broker had no subscriber for (the collector has never connected, or
        its session expired) reached no one: the batch goes again a little later, rather
        than after the long silence a lost ack waits for."""
        with self._lock:
            unheard = self._batch_mids & self._unheard
            self._batch_mids -= unheard
            self._unheard.clear()
        if unheard and self._resend_at is None:
            self._resend_at = monotonic + RESEND_UNHEARD
        if self._resend_at is not None and monotonic >= self._resend_at:
            self._resend_at = None
            self.outbox.rewind()

    def _publish(self, topic: str, message: dict[str, Any], *, retain: bool = False) -> Any:
        return self.client.publish(topic, wire.encode(message), qos=1, retain=retain)

    def _queue_ack(self, ack: dict[str, Any]) -> None:
        self._acks.append(ack)
        self.wake.set()

    def _log_ack(self, payload: bytes) -> None:
        try:
            ack = wire.decode(payload)
        except wire.BadMessage as exc:
            logger.warning(t("link.bad_message", topic="log-ack", detail=exc))
            return
        problem = self.outbox.acknowledged(ack)
        if problem is not None:
            logger.error(problem.message() if isinstance(problem, Finding) else str(problem))
            self._next_status = 0.0

    def publish_status(self, now: datetime) -> None:
        self._check_log(full=False)
        problems = list(self.outbox.problems().values()) + self.desk.problems()
        link = {
            "heads": self.outbox.heads(),
            "backlog": self.outbox.backlog(),
            "link_problems": problems,
            "chain": self._verdict,
        }
        status = box_status(self.config, self.box, self.control, now=now, link=link)
        self._publish(wire.up(self.box, "status"), status, retain=True)

    def _check_log(self, *, full: bool) -> None:
        """The box's log against itself and the province's acknowledged heads."""
        log_dir = self.config.log_dir
        months = self.log.months()[-2:]
        marks = tuple(
            (p.name, p.stat().st_mtime_ns, p.stat().st_size)
            for m in months
            for p in (log_dir / f"{m}.json", log_dir / f"{m}.chain.jsonl")
            if p.exists()
        )
        if not full and marks == self._verified_marks:
            return
        self._verified_marks = marks
        anchors = [h for h in self.cursor.heads() if full or h.month in months]
        verdict = verify(log_dir, None if full else months, anchors=anchors)
        self._verdict = {
            "status": verdict.status,
            "problem": verdict.problem.message() if verdict.problem else None,
            "checked": self.now().isoformat(timespec="seconds"),
        }
        if verdict.problem is not None:
            logger.error(verdict.message())

    def close(self) -> None:
        try:
            if self.connected.is_set():
                info = self._publish(
                    wire.up(self.box, "status"), wire.offline_status(self.box), retain=True
                )
                info.wait_for_publish(5)
        except (RuntimeError, ValueError) as exc:
            logger.warning("offline status not sent: %s", exc)
        finally:
            self.client.disconnect()
            self.client.loop_stop()
            self.log.close()
