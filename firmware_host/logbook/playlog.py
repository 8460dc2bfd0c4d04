"""The as-played log: one entry per broadcast session and one per clip played in it
(or per programme relayed in it, or per microphone session: ``start_source``).

Entries are written *before* anything is switched or played (status ``started``) and
updated afterwards, so a power cut leaves evidence: at the next start every entry still
``started`` becomes ``interrupted``. Each month is its own TinyDB file
(``log/2026-11.json``), written atomically, so one write never rewrites years of
history and a damaged month can never take the others with it.

An entry belongs to the month of its session's scheduled time (its start time for a
manual broadcast): a session scheduled at 23:59 on the 30th stays in that month even if
its last clip ends after midnight, so a month's report reads exactly one file.

Every change is proven: it is appended to the month's hash chain (``logbook.chain``,
``log/2026-11.chain.jsonl``) *before* the month file is written, under one lock, so the
chain is the write-ahead record of the month file and ``loaxa verify`` can name any
later edit. The chain hands out the ids of new entries. Both writes happen under a lock
file (``log/.write.lock``) as well as a thread lock, because the daemon is not the only
writer: the province link logs the bulletins it takes or refuses, ``loaxa play`` logs
while the daemon is stopped. At start-up :meth:`prepare`
undoes what a power cut left between the two writes, and chains the month files of a
box that ran before the chain existed.

How long an interrupted clip played is kept in a progress note (``on-air.json``),
replaced about every second while a clip plays (see ``note_progress``): rewriting the
month file that often would cost an fsync'd copy of the whole month each time. At the
next start the entries the note names get its seconds, marked ``seconds_estimated``.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args
from zoneinfo import ZoneInfo

from tinydb import Query, TinyDB

from firmware_host.logbook.chain import ChainWriter, Head, apply_event, chain_path, recover
from firmware_host.messages import t
from firmware_host.store import open_db, remove_stale_temporaries
from firmware_host.tiers import NORMAL, Tier

if TYPE_CHECKING:
    from firmware_host.clips import Clip

Status = Literal["started", "completed", "interrupted", "failed", "missed", "preempted"]
"""What became of an entry; ``started`` until it is finished (or a power cut finds it).
``preempted``: cut by an emergency (``preempted_by`` says which), never resumed."""
FinalStatus = Literal["completed", "interrupted", "failed", "missed", "preempted"]
Trigger = Literal["schedule", "manual"]
"""Who asked: the plan, or someone (``loaxa play``, a panel button)."""
STATUSES: tuple[Status, ...] = get_args(Status)
FINAL_STATUSES: tuple[FinalStatus, ...] = get_args(FinalStatus)
_MONTH_FILE = re.compile(r"^(\d{4}-\d{2})\.json$")
PROGRESS_NOTE = "on-air.json"
WRITE_LOCK = ".write.lock"


def _identity(path: Path) -> tuple[int, int, int] | None:
    """(inode, size, mtime) of a file, None when there is none."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


@dataclass(frozen=True)
class EntryRef:
    """Where an entry lives, so it can be finished without searching."""

    month: str
    doc_id: int


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="milliseconds") if moment else None


class PlayLog:
    def __init__(self, log_dir: Path, tz: ZoneInfo) -> None:
        self.log_dir = Path(log_dir)
        self.tz = tz
        self._lock = threading.Lock()
        self._dbs: dict[str, TinyDB] = {}
        self._chain = ChainWriter(self.log_dir)
        # month -> events the chain holds but a failed month write did not apply yet
        self._unapplied: dict[str, list[dict[str, Any]]] = {}
        self._seen_chain: dict[str, tuple[int, int, int] | None] = {}  # after our last write

    # -- writing -----------------------------------------------------------------
    def month_of(self, moment: datetime) -> str:
        return moment.astimezone(self.tz).strftime("%Y-%m")

    def _db(self, month: str) -> TinyDB:
        if month not in self._dbs:
            self._dbs[month] = open_db(self.log_dir / f"{month}.json")
        return self._dbs[month]

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Held across a change's two writes, against other threads and other processes."""
        with self._lock:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.log_dir / WRITE_LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)

    def add(self, month: str, entry: dict[str, Any]) -> EntryRef:
        with self._writing():
            doc_id = self._chain.next_entry(month)
            db = self._db(month)
            if doc_id == 1 and len(db):  # a month file never chained (not adopted): no clash
                doc_id = max(doc.doc_id for doc in db.all()) + 1
            self._write(month, {"op": "add", "entry": doc_id, "fields": entry})
            return EntryRef(month, doc_id)

    def update(self, ref: EntryRef, **fields: Any) -> None:
        with self._writing():
            self._write(ref.month, {"op": "update", "entry": ref.doc_id, "fields": fields})

    def _write(self, month: str, change: dict[str, Any]) -> None:
        """The change to the chain (fsynced), then to the month file; ``_writing`` is held.

        A month write that fails (a full card) leaves an event the month file lacks; it
        is applied before the month's next change, so the month file never skips one.
        """
        self._catch_up(month)
        db = self._db(month)
        pending = self._unapplied.setdefault(month, [])
        while pending:
            apply_event(db, pending[0])
            pending.pop(0)
        self._chain.append(
            month, change["op"], change["entry"], change["fields"], datetime.now(self.tz)
        )
        pending.append(change)
        apply_event(db, change)
        pending.pop()
        self._seen_chain[month] = _identity(chain_path(self.log_dir, month))

    def _catch_up(self, month: str) -> None:
        """Another writer that died between its two writes left the month file one event
        behind: apply it before ours (after ours it could no longer be told from an edit).
        Looked at only when the chain changed since this process last wrote it (another
        writer was there: the link logging a bulletin, a restart), which is rare, so the
        whole-month check of :func:`recover` is paid then and not on every write."""
        chain = _identity(chain_path(self.log_dir, month))
        if chain is None or chain == self._seen_chain.get(month) or self._unapplied.get(month):
            return
        if recover(self.log_dir, month).reapplied is not None and month in self._dbs:
            self._dbs.pop(month).close()  # recover wrote the month file behind our back

    def prepare(self, *, now: datetime) -> list[str]:
        """Before the first write of a run: what a power cut left in the chains is undone.

        The two newest chained months get :func:`~firmware_host.logbook.chain.recover`
        (a torn last line cut, an event the month file lacks applied); a break is only
        reported. A box whose log has no chain at all (it ran before the chain existed)
        has its two newest month files adopted, so they are proven from now on. A month
        file without a chain while other months have one is never adopted: that is a
        deleted chain, for ``loaxa verify`` to name. Returns what was done, to announce.
        """
        notes: list[str] = []
        with self._writing():
            chained = sorted(p.name.split(".")[0] for p in self.log_dir.glob("*.chain.jsonl"))
            for month in chained[-2:]:
                done = recover(self.log_dir, month)
                if done.torn_bytes:
                    notes.append(t("chain.torn", month=month, bytes=done.torn_bytes))
                if done.reapplied is not None:
                    event = done.reapplied
                    notes.append(
                        t("chain.pending", month=month, seq=event["seq"], entry=event["entry"])
                    )
                if done.problem is not None:
                    notes.append(t("chain.verdict.broken", problem=done.problem.message()))
                if month in self._dbs:  # recover wrote the file behind our back
                    self._dbs.pop(month).close()
            if not chained:
                for month in self.months()[-2:]:
                    docs = {doc.doc_id: dict(doc) for doc in self._db(month).all()}
                    head = self._chain.adopt(month, docs, now)
                    if head is not None:
                        notes.append(t("chain.adopted", month=month, entries=len(docs)))
        return notes

    def start_session(
        self,
        *,
        trigger: Trigger,
        scheduled: datetime | None,
        started: datetime,
        campaign: str | None,
        slot: str | None,
        zones: Sequence[str],
        playlist: Sequence[str],
        plan_key: str | None = None,
        late_seconds: float = 0.0,
        note: str | None = None,
        tier: Tier = NORMAL,
        reason: str | None = None,
        by: str | None = None,
    ) -> EntryRef:
        """A session's entry, written before any relay moves. *tier* (TT 39/2020), and
        for a manual or emergency broadcast *reason* and *by* (who ordered it), are
        copied into every clip entry of the session."""
        anchor = scheduled or started
        entry = {
            "kind": "session",
            "session_id": uuid.uuid4().hex[:12],
            "status": "started",
            "trigger": trigger,
            "plan_key": plan_key,
            "scheduled": iso(scheduled),
            "started": iso(started),
            "ended": None,
            "seconds": 0.0,
            "late_seconds": round(late_seconds, 3),
            "campaign": campaign,
            "slot": slot,
            "zones": list(zones),
            "playlist": list(playlist),
            "note": note,
            "error": None,
            "tier": tier,
            "reason": reason,
            "by": by,
        }
        return self.add(self.month_of(anchor), entry)

    def session_id(self, ref: EntryRef) -> str:
        with self._lock:
            return str((self._db(ref.month).get(doc_id=ref.doc_id) or {}).get("session_id", ""))

    def start_clip(
        self, session: EntryRef, *, started: datetime, clip: Clip, play_index: int
    ) -> EntryRef:
        """A clip entry copies its session's context so each row reads on its own."""
        entry = self._item(session, "clip", started, play_index)
        entry |= {
            "clip_id": clip.id,
            "clip_title": clip.title,
            "clip_sha256": clip.sha256,
            "clip_language": clip.language,
            "clip_duration": clip.duration,
            "clip_source": clip.source,
        }
        return self.add(session.month, entry)

    def start_source(
        self,
        session: EntryRef,
        *,
        started: datetime,
        play_index: int,
        kind: str,
        source: Mapping[str, Any],
    ) -> EntryRef:
        """A programme that is not a stored clip: ``kind`` "relay" (a station, from a
        stream or the line input) or "live" (the microphone). *source* says which
        (``source_kind``, ``source_name``, ``source_url`` or ``source_device``,
        ``planned_seconds``, ``by``); ``finish`` adds what went out of it."""
        entry = self._item(session, kind, started, play_index) | dict(source)
        return self.add(session.month, entry)

    def _item(
        self, session: EntryRef, kind: str, started: datetime, play_index: int
    ) -> dict[str, Any]:
        """What every item of a session (clip, relay, live) copies from its session."""
        with self._lock:
            parent = dict(self._db(session.month).get(doc_id=session.doc_id) or {})
        return {
            "kind": kind,
            "session_id": parent.get("session_id"),
            "status": "started",
            "trigger": parent.get("trigger"),
            "tier": parent.get("tier", NORMAL),
            "scheduled": parent.get("scheduled"),
            "session_started": parent.get("started"),
            "started": iso(started),
            "ended": None,
            "seconds": 0.0,
            "campaign": parent.get("campaign"),
            "slot": parent.get("slot"),
            "zones": parent.get("zones", []),
            "play_index": play_index,
            "error": None,
        }

    def finish(
        self,
        ref: EntryRef,
        status: FinalStatus,
        *,
        ended: datetime,
        seconds: float,
        error: str | None = None,
        **details: Any,
    ) -> None:
        """*details*: what else the entry learnt by its end (a relay's drop-outs)."""
        if status not in FINAL_STATUSES:
            raise ValueError(status)
        self.update(
            ref,
            status=status,
            ended=iso(ended),
            seconds=round(seconds, 3),
            error=error,
            **details,
        )

    def record_missed(
        self,
        *,
        scheduled: datetime,
        campaign: str,
        slot: str,
        zones: Sequence[str],
        playlist: Sequence[str],
        plan_key: str,
        reason: str,
        now: datetime,
    ) -> EntryRef:
        ref = self.start_session(
            trigger="schedule",
            scheduled=scheduled,
            started=now,
            campaign=campaign,
            slot=slot,
            zones=zones,
            playlist=playlist,
            plan_key=plan_key,
        )
        self.update(ref, status="missed", started=None, error=reason)
        return ref

    def record_event(
        self, event: str, *, at: datetime, seconds: float = 0.0, note: str | None = None
    ) -> EntryRef:
        """Something the box noticed (a clock jump): kept with the broadcasts it explains."""
        entry = {
            "kind": "event",
            "event": event,
            "status": "noted",
            "started": iso(at),
            "scheduled": None,
            "seconds": round(seconds, 3),
            "note": note,
        }
        return self.add(self.month_of(at), entry)

    def note_progress(
        self, session: EntryRef, clip: EntryRef, *, seconds: float, at: datetime
    ) -> None:
        """Remember that *clip* of *session* has played *seconds* by *at*; best effort.

        Written to a temporary file and renamed over the note, without fsync: a killed
        process (SIGKILL, OOM, a crash) leaves the page cache to the kernel, so the
        note survives it, at most ``PROGRESS_EVERY_SECONDS`` behind what really went
        out. A power cut may lose the last few seconds of notes (the kernel writes
        back every 5 s) or the note itself, so the estimate is then lower still, or
        absent. A note that cannot be written only loses the estimate: never raises.
        """
        note = {
            "session": [session.month, session.doc_id],
            "clip": [clip.month, clip.doc_id],
            "seconds": round(seconds, 3),
            "at": iso(at),
        }
        temporary = self.log_dir / f".{PROGRESS_NOTE}.tmp"
        try:
            temporary.write_text(json.dumps(note), "utf-8")
            os.replace(temporary, self.log_dir / PROGRESS_NOTE)
        except OSError:
            pass

    def _progress(self) -> dict[tuple[str, int], tuple[float, datetime]]:
        """Entry -> (seconds, at) from the progress note; empty when there is none."""
        try:
            note = json.loads((self.log_dir / PROGRESS_NOTE).read_text("utf-8"))
            session, clip = tuple(note["session"]), tuple(note["clip"])
            seconds, at = float(note["seconds"]), datetime.fromisoformat(note["at"])
        except (OSError, ValueError, KeyError, TypeError):
            return {}  # none, or torn by a power cut: no estimate
        return {clip: (seconds, at), session: (seconds, at)}

    # -- start-up --------------------------------------------------------------------
    def recover_interrupted(self, *, now: datetime, reason: str) -> int:
        """Mark entries a power cut left ``started`` as ``interrupted``; returns how many.

        The clip the progress note names gets the seconds it played by the last note,
        its session the time from its start to that note, both marked
        ``seconds_estimated``; the others keep 0 seconds (unknown). Only the two newest
        months can hold such entries: anything older was written before a later month
        existed, i.e. before the box ran again.
        """
        remove_stale_temporaries(self.log_dir)
        progress = self._progress()
        count = 0
        for month in self.months()[-2:]:
            with self._writing():
                db = self._db(month)
                stale = db.search(Query().status == "started")
                for doc in stale:
                    fields: dict[str, Any] = {
                        "status": "interrupted",
                        "error": reason,
                        "ended": None,
                    }
                    if (month, doc.doc_id) in progress:
                        seconds, at = progress[(month, doc.doc_id)]
                        if doc.get("kind") == "session":
                            seconds = (at - datetime.fromisoformat(doc["started"])).total_seconds()
                        fields |= {"seconds": round(seconds, 3), "seconds_estimated": True}
                    self._write(month, {"op": "update", "entry": doc.doc_id, "fields": fields})
            count += len(stale)
        return count

    # -- reading ---------------------------------------------------------------------
    def months(self) -> list[str]:
        if not self.log_dir.is_dir():
            return []
        return sorted(
            m.group(1) for p in self.log_dir.iterdir() if (m := _MONTH_FILE.match(p.name))
        )

    def entries(self, months: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Entries of *months* (all by default), oldest first, each with its ``month``."""
        rows: list[dict[str, Any]] = []
        for month in months if months is not None else self.months():
            if not (self.log_dir / f"{month}.json").exists():
                continue
            with self._lock:
                docs = self._db(month).all()
            rows.extend({"month": month, "entry": doc.doc_id, **doc} for doc in docs)
        rows.sort(key=lambda r: (r.get("scheduled") or r.get("started") or "", r["entry"]))
        return rows

    def head(self, month: str) -> Head | None:
        """The month's chain head (what an export or an uplink batch carries)."""
        return self._chain.head(month)

    def plan_keys(self, months: Iterable[str]) -> set[str]:
        """Plan keys already logged, so a restart never plays or misses a slot twice."""
        return {
            row["plan_key"]
            for row in self.entries(months)
            if row["kind"] == "session" and row.get("plan_key")
        }

    def close(self) -> None:
        with self._lock:
            for db in self._dbs.values():
                db.close()
            self._dbs.clear()
