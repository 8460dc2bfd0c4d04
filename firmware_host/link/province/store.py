"""The province's copy of every box's log, kept the way the box keeps its own.

Layout under ``[province] store`` (``DATA_DIR/province``)::

    boxes/19543/tram-1/log/2026-11.json          the month file (TinyDB, as on the box)
    boxes/19543/tram-1/log/2026-11.chain.jsonl   the hash chain, event for event the box's
    boxes/19543/tram-1/box.json                  what the box last said and what was found
    boxes/19543/tram-1/acks.jsonl                what became of each bulletin sent to it
    outbox/<id>.json   bulletins signed by ``loaxa province send``, for ``serve`` to publish
    sent/<id>.json     bulletins published: when, to which topics

A batch of events is stored as the box wrote it: the events are checked and appended to
the chain (:meth:`ChainWriter.ingest_many`: each one's bytes, hash, number and link; a
resend is skipped), then applied to the month file; the answer to the box is the head
now held. Whether a month's first event links to the month before can only be told once
that month has arrived whole (batches of two months may cross on the way), so it is
checked by ``verify`` of the stored copy: for the month's report, and by ``loaxa
province status --verify``. What a box claims (its heads in each batch and status) is
compared with what is held: a box that now holds fewer events than it sent has had its
log replaced by an older copy. The collector keeps a box's summary (last broadcast,
recent missed or failed sessions) as its sessions arrive, so ``loaxa province status``
answers for 3,500 boxes without reading their logs.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from firmware_host.link import wire
from firmware_host.link.bulletins import BoxIdentity
from firmware_host.logbook.chain import (
    ChainWriter,
    Head,
    apply_events,
    recover_batches,
    verify,
)
from firmware_host.messages import LoaxaError
from firmware_host.store import write_atomically

logger = logging.getLogger("loaxa.province")

WRITERS_KEPT = 256  # boxes whose chain tails stay in memory (least recently used go)
RECENT = timedelta(days=14)  # missed and failed sessions kept in the summary
MAX_ACKS_BYTES = 4 * 1024 * 1024  # per box; the oldest half goes when it is reached


class ProvinceStore:
    def __init__(self, root: Path, tz: ZoneInfo) -> None:
        self.root = Path(root)
        self.tz = tz
        self.boxes_dir = self.root / "boxes"
        self.outbox = self.root / "outbox"
        self.sent = self.root / "sent"
        self._writers: OrderedDict[str, ChainWriter] = OrderedDict()
        self._recovered: set[tuple[str, str]] = set()
        self._meta: dict[str, dict[str, Any]] = {}
        self._dirty: set[str] = set()

    # -- where things are -----------------------------------------------------------------
    def box_dir(self, box: BoxIdentity) -> Path:
        return self.boxes_dir / box.commune / box.station

    def log_dir(self, box: BoxIdentity) -> Path:
        return self.box_dir(box) / "log"

    def boxes(self) -> list[BoxIdentity]:
        found = []
        if self.boxes_dir.is_dir():
            for commune in sorted(self.boxes_dir.iterdir()):
                for station in sorted(commune.iterdir()) if commune.is_dir() else ():
                    try:
                        found.append(BoxIdentity(commune.name, station.name))
                    except ValueError:
                        continue
        return found

    # -- what the box said --------------------------------------------------------------------
    def meta(self, box: BoxIdentity) -> dict[str, Any]:
        """The box's record (``box.json``): loaded once, kept in memory, saved by flush()."""
        if box.name not in self._meta:
            try:
                data = json.loads((self.box_dir(box) / "box.json").read_text("utf-8"))
                if not isinstance(data, dict):
                    raise ValueError("not an object")
            except FileNotFoundError:
                data = {}
            except (OSError, ValueError) as exc:
                logger.warning("%s: box.json unreadable (%s), starting a new one", box.name, exc)
                data = {}
            data.setdefault("box", box.name)
            data.setdefault("claimed", {})
            data.setdefault("recent", [])
            self._meta[box.name] = data
        return self._meta[box.name]

    def _touch(self, box: BoxIdentity, now: datetime) -> dict[str, Any]:
        meta = self.meta(box)
        meta["last_seen"] = now.astimezone(self.tz).isoformat(timespec="seconds")
        self._dirty.add(box.name)
        return meta

    def flush(self) -> None:
        """Save the records that changed (a status a minute from every box is not fsynced
        one by one; the logs themselves are durable at once)."""
        for name in sorted(self._dirty):
            commune, station = name.split("/")
            path = self.boxes_dir / commune / station / "box.json"
            try:
                write_atomically(path, json.dumps(self._meta[name], ensure_ascii=False).encode())
            except OSError as exc:
                logger.error("%s: %s", path, exc)
                continue
            self._dirty.discard(name)

    def record_status(
        self, box: BoxIdentity, status: Mapping[str, Any], now: datetime, *, fresh: bool = True
    ) -> None:
        """What the box says it is doing. A status the broker kept (*fresh* False: it was
        retained and is delivered again on subscribing) may be older than the events
        held, so only a fresh one's heads are compared with them."""
        meta = self._touch(box, now)
        will = status.get("online") is False and "at" not in status
        if will:  # the broker's last will for the box: only "offline" is new
            status = {**meta.get("status", {}), "online": False}
        meta["status"] = dict(status)
        if isinstance(status.get("commune"), dict):
            meta["commune"] = {
                k: str(v)[:200] for k, v in status["commune"].items() if k in NAME_KEYS
            }
        heads = status.get("heads")
        if fresh and not will and isinstance(heads, dict):
            for head in heads.values():
                self._compare_claim(box, head)

    def record_ack(self, box: BoxIdentity, ack: Mapping[str, Any], now: datetime) -> None:
        self._touch(box, now)
        path = self.box_dir(box) / "acks.jsonl"
        line = json.dumps(
            {**ack, "received": now.isoformat(timespec="seconds")}, ensure_ascii=False
        )
        try:
            if path.exists() and path.stat().st_size > MAX_ACKS_BYTES:
                lines = path.read_text("utf-8").splitlines(keepends=True)
                write_atomically(path, "".join(lines[len(lines) // 2 :]).encode())
            with path.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
        except OSError as exc:
            logger.error("%s: %s", path, exc)

    def acks(self, box: BoxIdentity) -> list[dict[str, Any]]:
        path = self.box_dir(box) / "acks.jsonl"
        out = []
        try:
            lines = path.read_text("utf-8").splitlines()
        except FileNotFoundError:
            return []
        for line in lines:
            try:
                out.append(json.loads(line))
            except ValueError:
                continue
        return out

    # -- the log --------------------------------------------------------------------------
    def _writer(self, box: BoxIdentity) -> ChainWriter:
        writer = self._writers.pop(box.name, None) or ChainWriter(self.log_dir(box))
        self._writers[box.name] = writer
        while len(self._writers) > WRITERS_KEPT:
            self._writers.popitem(last=False)
        return writer

    def ingest(self, box: BoxIdentity, batch: wire.Batch, now: datetime) -> dict[str, Any]:
        """Store a batch from *box*; returns the ``log-ack`` to send back."""
        meta = self._touch(box, now)
        month = batch.month
        log_dir = self.log_dir(box)
        if (box.name, month) not in self._recovered:
            done = recover_batches(log_dir, month)
            if done.problem is not None:
                self._problem(meta, done.problem.key, done.problem.message(), now)
            self._recovered.add((box.name, month))
        writer = self._writer(box)
        new, refused = writer.ingest_many(month, batch.events)
        if new:
            docs = apply_events(log_dir, month, new)
            self._summarise(meta, month, docs)
        if refused is not None:
            self._problem(meta, refused.key, str(refused), now)
        elif new and meta.get("problem", {}).get("source") == "ingest":
            meta.pop("problem")
        held = writer.head(month)
        if batch.head is not None:
            self._compare_claim(box, batch.head)
        return wire.log_ack(month, held.as_dict() if held else None, refused)

    def held(self, box: BoxIdentity, month: str) -> Head | None:
        return self._writer(box).head(month)

    def _compare_claim(self, box: BoxIdentity, claimed: Any) -> None:
        """A box that says it holds fewer events of a month than it sent us has lost them:
        its log was replaced by an older copy (or rebuilt). Said once it is seen; cleared
        when the box claims at least what is held again."""
        try:
            head = Head.from_dict(claimed)
        except ValueError:
            return
        meta = self.meta(box)
        meta["claimed"][head.month] = head.as_dict()
        held = self._writer(box).head(head.month)
        if held is not None and head.seq < held.seq:
            problem = LoaxaError(
                "province.box_rolled_back", month=head.month, have=head.seq, seq=held.seq
            )
            meta["rolled_back"] = {"key": problem.key, "message": str(problem)}
        elif held is None or head.seq >= held.seq:
            meta.get("rolled_back") and meta.pop("rolled_back")

    def _problem(self, meta: dict[str, Any], key: str, message: str, now: datetime) -> None:
        meta["problem"] = {
            "source": "ingest",
            "key": key,
            "message": message,
            "at": now.isoformat(timespec="seconds"),
        }

    def _summarise(self, meta: dict[str, Any], month: str, docs: Mapping[int, Any]) -> None:
        """Keep the last broadcast and the recent missed or failed sessions up to date."""
        recent = {(r["month"], r["entry"]): r for r in meta["recent"]}
        for entry, doc in docs.items():
            if not isinstance(doc, dict) or doc.get("kind") != "session":
                continue
            status, when = doc.get("status"), doc.get("scheduled") or doc.get("started")
            started = doc.get("started")
            if status == "completed" and isinstance(started, str):
                meta["last_broadcast"] = max(started, meta.get("last_broadcast", ""))
            if status in ("missed", "failed") and isinstance(when, str):
                recent[(month, entry)] = {
                    "month": month,
                    "entry": entry,
                    "status": status,
                    "at": when,
                }
            else:
                recent.pop((month, entry), None)
        cutoff = (datetime.now(self.tz) - RECENT).isoformat()
        meta["recent"] = sorted(
            (r for r in recent.values() if r["at"] >= cutoff), key=lambda r: r["at"]
        )

    def verify_box(self, box: BoxIdentity) -> str | None:
        """The province's copy of a box's log checked from disk: the first break, or None."""
        verdict = verify(self.log_dir(box))
        return verdict.problem.message() if verdict.problem is not None else None

    def bulletins_waiting(self) -> list[Path]:
        """Bulletins ``send`` left in the outbox, oldest first."""
        if not self.outbox.is_dir():
            return []
        return sorted(self.outbox.glob("*.json"), key=lambda p: (p.stat().st_mtime_ns, p.name))


NAME_KEYS = ("name", "province", "station")


def week_start(now: datetime, tz: ZoneInfo) -> datetime:
    local = now.astimezone(tz)
    monday = local.date() - timedelta(days=local.weekday())
    return datetime(monday.year, monday.month, monday.day, tzinfo=tz)
