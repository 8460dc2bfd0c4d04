"""The provable log: every change to a month's entries, chained by SHA-256, beside the month file.

A month file (``log/2026-11.json``, TinyDB) holds each entry as it is *now*: a session
``started`` and later ``completed`` is one document, updated in place. Hashing those
documents would prove nothing about the update, and an entry could be rewritten without
a trace. So every write to a month file is first recorded as an *event* in an
append-only file beside it, ``log/2026-11.chain.jsonl``, one line per event::

    {"at":"2026-11-03T06:30:00.412+07:00","entry":7,"fields":{"status":"completed",...},
     "hash":"9f…","op":"update","prev":"41…","seq":12}

* ``seq`` counts from 1 in each month; ``entry`` is the TinyDB doc id; ``op`` is ``add``
  (``fields`` is the whole new entry) or ``update`` (``fields`` are the changed keys);
  ``at`` is when the change was written, ISO 8601 with its offset.
* ``hash`` is the lowercase hex SHA-256 of the event *without* ``hash``, in the canonical
  form of :mod:`firmware_host.canonical` (sorted keys, no spaces, UTF-8, floats as
  Python writes them). A line is exactly the canonical form of the whole event, ``hash``
  included, then ``\\n``: a verifier re-encodes each parsed line and compares bytes.
* ``prev`` is the previous event's hash; the first event of a month carries the last
  hash of the nearest earlier month that has events (64 zeros at the very first). A
  month's entries can still change after the next month has begun (a session planned
  at 23:59 on the 30th finishes in the new month), so the verifier accepts any event of
  an earlier month as the link, and names the month that is missing when none matches.

Replaying a month's events gives exactly the documents the month file must hold; the
verifier compares them, so one changed byte, a deleted, added or reordered entry, a
month file or a chain file replaced by an older copy each show up as the first break,
named by month, event or entry. Both files of the newest month replaced together leave
no internal trace: only a head kept elsewhere proves them. Heads leave the box with every
uplink batch and every JSON export; the link's cursor (the last event the province
acknowledged) is the one to pass to :func:`verify` as an anchor on the box, the
province's own store is the anchor there. The chain is tamper-evident, not signed: anyone
with write access can rebuild it, up to the last head that has left the box.

**Write order** (the caller holds one lock across both, so the two files see the same
order of changes): ``append`` to the chain (fsynced) *first*, then the month file (atomic
replace). The chain is the write-ahead record; the month file is what it says.
A power cut

* during the append leaves a torn last line: no change reached the month file, and the
  line is cut off (by :func:`recover` at start-up, or by the next append);
* between the two writes leaves one event the month file lacks: :func:`recover` applies
  it (only when the month file equals the replay of every event but the last, so it can
  never paper over an edit);
* during the month write leaves the old or the new month file (``store`` is atomic).

Writing the month file first would leave, after such a cut, a change no event proves,
which the verifier could not tell from an edit.

For a new entry the caller takes its id from :meth:`ChainWriter.next_entry` and inserts
``tinydb.table.Document(entry, doc_id=...)``, so the chain knows the id before TinyDB
does. A month file written before the chain existed is adopted once with
:meth:`ChainWriter.adopt`. Several processes may append: each append holds ``flock`` on
the chain file and re-reads it when another writer changed it, so lines never interleave;
but ids, like the TinyDB month file itself, belong to one writing process at a time (the
daemon, or ``loaxa play`` while the daemon is stopped).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import re
import threading
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from tinydb import TinyDB
from tinydb.table import Document

from firmware_host.canonical import canonical
from firmware_host.messages import LoaxaError, t
from firmware_host.store import AtomicJSONStorage, fsync_directory, open_db

logger = logging.getLogger("loaxa.chain")

GENESIS = "0" * 64
OPS = ("add", "update")
EVENT_KEYS = frozenset({"seq", "prev", "op", "entry", "fields", "at", "hash"})
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_CHAIN_FILE = re.compile(r"^(\d{4}-\d{2})\.chain\.jsonl$")
_MONTH_FILE = re.compile(r"^(\d{4}-\d{2})\.json$")
_DOC_ID = re.compile(r"^[1-9][0-9]{0,17}$")


def chain_path(log_dir: Path, month: str) -> Path:
    return Path(log_dir) / f"{month}.chain.jsonl"


def month_path(log_dir: Path, month: str) -> Path:
    return Path(log_dir) / f"{month}.json"


@dataclass(frozen=True)
class Head:
    """The last event of a month's chain: what an export, an uplink batch or a cursor holds."""

    month: str
    seq: int
    hash: str

    def as_dict(self) -> dict[str, Any]:
        return {"month": self.month, "seq": self.seq, "hash": self.hash}

    @classmethod
    def from_dict(cls, data: Any) -> Head:
        """Read a head kept elsewhere; ValueError when it is not one."""
        if not isinstance(data, Mapping) or set(data) != {"month", "seq", "hash"}:
            raise ValueError("a head is {month, seq, hash}")
        month, seq, digest = data["month"], data["seq"], data["hash"]
        if not (isinstance(month, str) and _MONTH.match(month)):
            raise ValueError(f"bad month {month!r}")
        if type(seq) is not int or seq < 1:
            raise ValueError(f"bad seq {seq!r}")
        if not (isinstance(digest, str) and _HEX64.match(digest)):
            raise ValueError(f"bad hash {digest!r}")
        return cls(month, seq, digest)


def event_hash(event: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical({k: v for k, v in event.items() if k != "hash"})).hexdigest()


def replay(events: Iterable[Mapping[str, Any]]) -> dict[int, dict[str, Any]]:
    """The month's documents as *events* say they must be (ReplayError if they contradict)."""
    docs: dict[int, dict[str, Any]] = {}
    for event in events:
        entry, fields = event["entry"], event["fields"]
        if event["op"] == "add":
            if entry in docs:
                raise ReplayError("chain.add_twice", seq=event["seq"], entry=entry)
            docs[entry] = dict(fields)
        else:
            if entry not in docs:
                raise ReplayError("chain.update_unknown", seq=event["seq"], entry=entry)
            docs[entry].update(fields)
    return docs


def apply_event(db: TinyDB, event: Mapping[str, Any]) -> None:
    """Make the month file *db* say what *event* says (recovery, and the province's store)."""
    if event["op"] == "add":
        db.insert(Document(dict(event["fields"]), doc_id=event["entry"]))
    else:
        db.update(dict(event["fields"]), doc_ids=[event["entry"]])


class ReplayError(Exception):
    def __init__(self, key: str, *, seq: int, entry: int) -> None:
        super().__init__(key)
        self.key, self.seq, self.entry = key, seq, entry


class ChainRefused(LoaxaError):
    """An event the province was sent that does not continue the chain it holds."""


# -- reading one chain file ---------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One thing found wrong (or recoverable), named by month and event or entry."""

    key: str
    month: str
    seq: int | None = None
    entry: int | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    def message(self) -> str:
        return t(self.key, month=self.month, seq=self.seq, entry=self.entry, **self.params)


@dataclass
class _Chain:
    """A chain file as read: its valid events up to the first bad line, and its torn tail."""

    events: list[dict[str, Any]]
    size: int  # bytes of complete lines (where the next append goes)
    torn: bytes  # bytes after the last newline: an append a power cut interrupted
    problem: Finding | None  # the first line that is not a valid continuation


def _check_line(
    month: str, number: int | str, raw: bytes
) -> tuple[dict[str, Any] | None, Finding | None]:
    """Parse one complete line into an event whose bytes and hash are its own."""
    try:
        event = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        return None, Finding("chain.line_unreadable", month, params={"line": number, "detail": exc})
    if not isinstance(event, dict):
        return None, Finding("chain.line_malformed", month, params={"line": number, "field": "{}"})
    if set(event) != EVENT_KEYS:
        odd = sorted(set(event) ^ EVENT_KEYS)[0]
        return None, Finding("chain.line_malformed", month, params={"line": number, "field": odd})
    for name, ok in (
        ("seq", type(event["seq"]) is int and event["seq"] >= 1),
        ("prev", isinstance(event["prev"], str) and _HEX64.match(event["prev"])),
        ("op", event["op"] in OPS),
        ("entry", type(event["entry"]) is int and event["entry"] >= 1),
        ("fields", isinstance(event["fields"], dict)),
        ("at", _is_aware_time(event["at"])),
        ("hash", isinstance(event["hash"], str) and _HEX64.match(event["hash"])),
    ):
        if not ok:
            return None, Finding(
                "chain.line_malformed", month, params={"line": number, "field": name}
            )
    seq = event["seq"]
    try:
        same_bytes = canonical(event) == raw
    except ValueError:
        same_bytes = False
    if not same_bytes:
        return None, Finding("chain.not_canonical", month, seq, params={"line": number})
    if event_hash(event) != event["hash"]:
        return None, Finding("chain.bad_hash", month, seq, params={"line": number})
    return event, None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _is_aware_time(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


def _parse_chain(month: str, data: bytes) -> _Chain:
    end = data.rfind(b"\n") + 1
    events: list[dict[str, Any]] = []
    problem = None
    for number, raw in enumerate(data[:end].split(b"\n")[:-1], start=1):
        event, problem = _check_line(month, number, raw)
        if event is None:
            break
        expected = events[-1]["seq"] + 1 if events else 1
        if event["seq"] != expected:
            problem = Finding(
                "chain.bad_seq", month, event["seq"], params={"line": number, "expected": expected}
            )
            break
        if events and event["prev"] != events[-1]["hash"]:
            problem = Finding(
                "chain.bad_prev",
                month,
                event["seq"],
                params={"line": number, "previous": events[-1]["seq"]},
            )
            break
        events.append(event)
    return _Chain(events, end, data[end:], problem)


def _read_chain(log_dir: Path, month: str) -> _Chain | None:
    try:
        data = chain_path(log_dir, month).read_bytes()
    except FileNotFoundError:
        return None
    return _parse_chain(month, data)


# -- reading one month file ----------------------------------------------------------------


def _read_month(
    log_dir: Path, month: str
) -> tuple[dict[int, dict[str, Any]] | None, Finding | None]:
    """The month file's documents by id, exactly as ``store`` writes them, or what is wrong.

    ``store`` always writes ``json.dumps(data, ensure_ascii=False, separators=(",", ":"))``
    with ids in insertion order, so re-encoding what was read must give the same bytes:
    an edit that keeps the parsed value (``\\u00e9`` for ``é``, ``1e016`` for ``1e+16``,
    two documents moved with their ids) still shows.
    """
    try:
        data = month_path(log_dir, month).read_bytes()
    except FileNotFoundError:
        return None, None
    try:
        text = data.decode("utf-8")
        tables = json.loads(text, parse_constant=_no_constant) if text.strip() else {}
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        return None, Finding("month.unreadable", month, params={"detail": exc})
    if not isinstance(tables, dict) or set(tables) - {"_default"}:
        return None, Finding(
            "month.unreadable", month, params={"detail": "not a TinyDB file of the log"}
        )
    table = tables.get("_default", {})
    if not isinstance(table, dict) or not all(
        _DOC_ID.match(key) and isinstance(doc, dict) for key, doc in table.items()
    ):
        return None, Finding(
            "month.unreadable", month, params={"detail": "not a TinyDB file of the log"}
        )
    if text.strip() and json.dumps(tables, ensure_ascii=False, separators=(",", ":")) != text:
        return None, Finding("month.not_box_form", month)
    return {int(key): doc for key, doc in table.items()}, None


def _difference(
    month: str, found: Mapping[int, dict[str, Any]], expected: Mapping[int, dict[str, Any]]
) -> Finding | None:
    """The first entry (lowest id) where the month file differs from the replayed chain.

    TinyDB keeps documents in the order they were inserted, which is the order of the
    chain's ``add`` events: entries moved with their ids are a difference too.
    """
    for entry in sorted(set(found) | set(expected)):
        if entry not in found:
            return Finding("month.entry_missing", month, entry=entry)
        if entry not in expected:
            return Finding("month.entry_extra", month, entry=entry)
        have, want = found[entry], expected[entry]
        for name in sorted(set(have) | set(want)):
            a = canonical(have[name]) if name in have else None
            b = canonical(want[name]) if name in want else None
            if a != b:
                return Finding(
                    "month.entry_differs",
                    month,
                    entry=entry,
                    params={"field": name, "found": _short(a), "expected": _short(b)},
                )
    for have_id, want_id in zip(found, expected, strict=True):
        if have_id != want_id:
            return Finding("month.out_of_order", month, entry=have_id, params={"expected": want_id})
    return None


def _short(value: bytes | None) -> str:
    if value is None:
        return "—"
    text = value.decode("utf-8")
    return text if len(text) <= 60 else text[:57] + "…"


# -- verification --------------------------------------------------------------------------


Status = Literal["ok", "recoverable", "broken"]


@dataclass(frozen=True)
class Verdict:
    """What :func:`verify` found: ``ok``, ``recoverable`` (a power cut's traces) or ``broken``."""

    status: Status
    problem: Finding | None  # the first break, when broken
    recoverable: tuple[Finding, ...]  # torn last lines, events not yet in the month file
    heads: Mapping[str, Head]  # the head of every month checked before the break
    unchained: tuple[str, ...]  # months written before the chain existed
    events: int

    def message(self) -> str:
        lines = []
        if self.status == "broken":
            assert self.problem is not None
            lines.append(t("chain.verdict.broken", problem=self.problem.message()))
        elif self.status == "recoverable":
            lines.append(t("chain.verdict.recoverable", count=len(self.recoverable)))
        else:
            lines.append(t("chain.verdict.ok", months=len(self.heads), events=self.events))
        lines.extend(finding.message() for finding in self.recoverable)
        if self.unchained:
            lines.append(t("chain.unchained", months=", ".join(self.unchained)))
        return "\n".join(lines)


def _months_in(log_dir: Path) -> tuple[set[str], set[str]]:
    chained, plain = set(), set()
    if Path(log_dir).is_dir():
        for path in Path(log_dir).iterdir():
            if m := _CHAIN_FILE.match(path.name):
                chained.add(m.group(1))
            elif m := _MONTH_FILE.match(path.name):
                plain.add(m.group(1))
    return chained, plain


def _earlier_hashes(log_dir: Path, month: str) -> dict[str, set[str]]:
    """Hashes of the valid events of every chained month before *month*."""
    hashes = {}
    for earlier in sorted(m for m in _months_in(log_dir)[0] if m < month):
        chain = _read_chain(log_dir, earlier)
        hashes[earlier] = {e["hash"] for e in chain.events} if chain else set()
    return hashes


def _check_month(
    log_dir: Path, month: str, chain: _Chain, earlier: Mapping[str, set[str]]
) -> tuple[list[Finding], Finding | None]:
    """(recoverable findings, first break) of one chained month."""
    recoverable: list[Finding] = []
    if chain.problem:
        return recoverable, chain.problem
    if chain.events:
        first = chain.events[0]
        linked_ok = (
            any(first["prev"] in hashes for hashes in earlier.values())
            if any(earlier.values())
            else first["prev"] == GENESIS
        )
        if not linked_ok:
            key = "chain.bad_genesis" if first["prev"] == GENESIS else "chain.bad_link"
            return recoverable, Finding(key, month, 1)
    if chain.torn:
        recoverable.append(Finding("chain.torn", month, params={"bytes": len(chain.torn)}))
    try:
        expected = replay(chain.events)
    except ReplayError as exc:
        return recoverable, Finding(exc.key, month, exc.seq, exc.entry)
    found, problem = _read_month(log_dir, month)
    if problem:
        return recoverable, problem
    difference = _difference(month, found or {}, expected)
    if difference is None:
        return recoverable, None
    last = chain.events[-1] if chain.events else None
    if last is not None and _difference(month, found or {}, replay(chain.events[:-1])) is None:
        recoverable.append(Finding("chain.pending", month, last["seq"], last["entry"]))
        return recoverable, None
    if found is None:
        return recoverable, Finding("month.missing", month, params={"events": len(chain.events)})
    return recoverable, difference


def _check_anchor(anchor: Head, chain: _Chain | None) -> Finding | None:
    events = chain.events if chain else []
    if len(events) < anchor.seq:
        return Finding("anchor.rolled_back", anchor.month, anchor.seq, params={"have": len(events)})
    if events[anchor.seq - 1]["hash"] != anchor.hash:
        return Finding("anchor.rewritten", anchor.month, anchor.seq)
    return None


def verify(
    log_dir: Path, months: Sequence[str] | None = None, *, anchors: Iterable[Head] = ()
) -> Verdict:
    """Check the chains and month files of *months* (all by default); name the first break.

    *anchors* are heads kept outside this folder (the link's acknowledged cursor, the
    province's store, a previous export): the chain must still hold each of them, which is
    what proves the newest month when both its files were replaced together.
    """
    log_dir = Path(log_dir)
    chained, plain = _months_in(log_dir)
    wanted = sorted(set(months) if months is not None else chained | plain)
    anchors_by_month: dict[str, list[Head]] = {}
    for anchor in anchors:
        anchors_by_month.setdefault(anchor.month, []).append(anchor)
    if months is None:
        wanted = sorted(set(wanted) | set(anchors_by_month))
    first_chained = min(chained, default=None)

    # month -> hashes of its events, for the link of a month's first event
    earlier = _earlier_hashes(log_dir, wanted[-1]) if wanted else {}

    heads: dict[str, Head] = {}
    recoverable: list[Finding] = []
    unchained: list[str] = []
    events = 0

    def verdict(problem: Finding | None) -> Verdict:
        status: Status = "broken" if problem else ("recoverable" if recoverable else "ok")
        return Verdict(status, problem, tuple(recoverable), dict(heads), tuple(unchained), events)

    for month in wanted:
        chain = _read_chain(log_dir, month)
        if chain is None:
            docs, problem = _read_month(log_dir, month)
            if problem is None and docs and first_chained is not None and month > first_chained:
                problem = Finding(
                    "chain.missing", month, params={"file": chain_path(log_dir, month).name}
                )
            if problem:
                return verdict(problem)
            if docs:
                unchained.append(month)
        else:
            before = {m: hashes for m, hashes in earlier.items() if m < month}
            found, problem = _check_month(log_dir, month, chain, before)
            recoverable.extend(found)
            if problem:
                return verdict(problem)
            earlier[month] = {e["hash"] for e in chain.events}
            events += len(chain.events)
            if chain.events:
                last = chain.events[-1]
                heads[month] = Head(month, last["seq"], last["hash"])
        for anchor in anchors_by_month.get(month, []):
            if problem := _check_anchor(anchor, chain):
                return verdict(problem)
    return verdict(None)


# -- reading new events (the link's outbox) ------------------------------------------------


@dataclass(frozen=True)
class Position:
    """How far a reader got in a month's chain: the bytes of the complete lines it read
    (where it reads on), the last ``seq`` and its ``hash`` (the next event's ``prev``)."""

    offset: int = 0
    seq: int = 0
    hash: str = GENESIS


def read_events(
    log_dir: Path, month: str, after: Position = Position(), *, limit: int | None = None
) -> tuple[list[dict[str, Any]], Position, Finding | None]:
    """The month's events after *after*, read from its byte offset, at most *limit*.

    Stops before a torn last line (an append in progress or cut by a power cut) and at
    the first line that is not the valid next event, which it returns as the finding.
    Each event read is checked as :func:`verify` checks it (its bytes, its hash, its
    number, its link to the one before), so nothing edited leaves the box unnoticed.
    """
    try:
        with open(chain_path(log_dir, month), "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size < after.offset:
                return (
                    [],
                    after,
                    Finding("anchor.rolled_back", month, after.seq, params={"have": "?"}),
                )
            handle.seek(after.offset)
            data = handle.read()
    except FileNotFoundError:
        if not after.seq:
            return [], after, None
        name = chain_path(log_dir, month).name
        return [], after, Finding("chain.missing", month, params={"file": name})
    end = data.rfind(b"\n") + 1
    events: list[dict[str, Any]] = []
    position = after
    for raw in data[:end].split(b"\n")[:-1]:
        if limit is not None and len(events) >= limit:
            break
        line = position.seq + 1
        event, problem = _check_line(month, line, raw)
        if event is not None and event["seq"] != line:
            problem = Finding(
                "chain.bad_seq", month, event["seq"], params={"line": line, "expected": line}
            )
        elif event is not None and position.seq and event["prev"] != position.hash:
            problem = Finding(
                "chain.bad_prev",
                month,
                event["seq"],
                params={"line": line, "previous": position.seq},
            )
        if problem is not None or event is None:
            return events, position, problem
        events.append(event)
        position = Position(position.offset + len(raw) + 1, event["seq"], event["hash"])
    return events, position, None


def apply_events(
    log_dir: Path, month: str, events: Sequence[Mapping[str, Any]]
) -> dict[int, dict[str, Any]]:
    """Make the month file say what *events* say, in one atomic write (the province's
    store, where a batch of a box's events arrives at once). The result is exactly what
    :func:`apply_event` one by one gives: TinyDB's layout, documents in insertion order.
    Returns the documents the events touched, as they now are."""
    if not events:
        return {}
    storage = AtomicJSONStorage(month_path(log_dir, month))
    tables = storage.read() or {}
    table = tables.setdefault("_default", {})
    for event in events:
        key = str(event["entry"])
        if event["op"] == "add":
            table[key] = dict(event["fields"])
        else:
            table[key].update(event["fields"])
    storage.write(tables)
    return {int(e["entry"]): table[str(e["entry"])] for e in events}


# -- recovery at start-up --------------------------------------------------------------------


@dataclass(frozen=True)
class Recovery:
    """What :func:`recover` did to one month after a power cut (nothing, when nothing was due)."""

    month: str
    torn_bytes: int = 0
    reapplied: Mapping[str, Any] | None = None  # the event written to the month file
    problem: Finding | None = None  # a break found: left alone, for the operator and verify


def recover(log_dir: Path, month: str) -> Recovery:
    """Undo a power cut's traces in *month*: cut a torn last line, apply a pending event.

    Run at start-up, before the month file is written, for the months the box may have
    been writing (the two newest). A break is never "repaired": it is returned as found.
    """
    log_dir = Path(log_dir)
    path = chain_path(log_dir, month)
    if not path.exists():
        return Recovery(month)
    fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        chain = _parse_chain(month, _read_fd(fd))
        torn = len(chain.torn)
        if torn:
            os.ftruncate(fd, chain.size)
            os.fsync(fd)
            chain.torn = b""
        found, problem = _check_month(log_dir, month, chain, _earlier_hashes(log_dir, month))
        pending = next((f for f in found if f.key == "chain.pending"), None)
        if problem or pending is None:
            return Recovery(month, torn, None, problem)
        event = chain.events[-1]
        db = open_db(month_path(log_dir, month))
        try:
            apply_event(db, event)
        finally:
            db.close()
        return Recovery(month, torn, event, None)
    finally:
        os.close(fd)


def recover_batches(log_dir: Path, month: str) -> Recovery:
    """:func:`recover` for a store written a batch of events at a time (the province's).

    A cut between a batch's chain append and its month write leaves every event of the
    batch missing from the month file; they are all applied, but only when the month
    file is exactly what the chain said after one of its earlier events, so an edit is
    never covered: it is returned as found.
    """
    log_dir = Path(log_dir)
    path = chain_path(log_dir, month)
    if not path.exists():
        return Recovery(month)
    fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        chain = _parse_chain(month, _read_fd(fd))
        torn = len(chain.torn)
        if torn:
            os.ftruncate(fd, chain.size)
            os.fsync(fd)
        if chain.problem:
            return Recovery(month, torn, None, chain.problem)
        found, problem = _read_month(log_dir, month)
        if problem:
            return Recovery(month, torn, None, problem)
        have = found or {}
        docs: dict[int, dict[str, Any]] = {}
        matched = 0 if not have else None
        for number, event in enumerate(chain.events, start=1):
            if event["op"] == "add":
                docs[event["entry"]] = dict(event["fields"])
            elif event["entry"] in docs:
                docs[event["entry"]].update(event["fields"])
            if len(docs) == len(have) and docs == have:
                matched = number
        if matched is None:
            try:
                difference = _difference(month, have, replay(chain.events))
            except ReplayError as exc:
                difference = Finding(exc.key, month, exc.seq, exc.entry)
            return Recovery(month, torn, None, difference)
        if matched == len(chain.events):
            return Recovery(month, torn)
        apply_events(log_dir, month, chain.events[matched:])
        return Recovery(month, torn, chain.events[-1], None)
    finally:
        os.close(fd)


def _read_fd(fd: int) -> bytes:
    size = os.fstat(fd).st_size
    return os.pread(fd, size, 0) if size else b""


# -- writing ---------------------------------------------------------------------------------


@dataclass
class _Tail:
    """What an append needs to know of a month's chain, and the file state it was read from."""

    hashes: list[str]
    ids: set[int]
    size: int
    inode: int


def _check_change(month: str, op: str, entry: int, fields: Mapping[str, Any], at: datetime) -> None:
    if not _MONTH.match(month):
        raise ValueError(f"bad month {month!r}")
    if op not in OPS:
        raise ValueError(f"op must be one of {OPS}, not {op!r}")
    if type(entry) is not int or entry < 1:
        raise ValueError(f"entry must be a doc id, not {entry!r}")
    if not isinstance(fields, Mapping) or not all(isinstance(k, str) for k in fields):
        raise ValueError("fields must be a mapping of names")
    if at.tzinfo is None:
        raise ValueError("at must carry its offset")


def _new_event(
    seq: int, prev: str, op: str, entry: int, fields: Mapping[str, Any], at: datetime
) -> dict[str, Any]:
    event = {
        "seq": seq,
        "prev": prev,
        "op": op,
        "entry": entry,
        "fields": dict(fields),
        "at": at.isoformat(timespec="milliseconds"),
    }
    event["hash"] = event_hash(event)
    return event


def _received(month: str, event: Any) -> dict[str, Any]:
    """An event as a box sent it, valid on its own (its bytes, its hash), or ChainRefused."""
    label = event.get("seq", "?") if isinstance(event, Mapping) else "?"
    try:
        raw = canonical(dict(event))
    except (ValueError, TypeError) as exc:
        raise ChainRefused("chain.line_unreadable", month=month, line=label, detail=exc) from exc
    checked, problem = _check_line(month, label, raw)
    if problem:
        raise ChainRefused(
            problem.key, month=month, seq=problem.seq, entry=problem.entry, **problem.params
        )
    assert checked is not None
    return checked


def _follows(
    month: str, event: Mapping[str, Any], hashes: Sequence[str], ids: Container[int]
) -> ChainRefused | Literal["held"] | None:
    """Whether *event* continues a chain of *hashes* (``held`` when it is already there)."""
    seq, have = event["seq"], len(hashes)
    if seq <= have:
        if hashes[seq - 1] != event["hash"]:
            return ChainRefused("chain.refused.conflict", month=month, seq=seq)
        return "held"
    if seq > have + 1:
        return ChainRefused("chain.refused.gap", month=month, seq=seq, have=have)
    if have and event["prev"] != hashes[-1]:
        return ChainRefused("chain.bad_prev", month=month, seq=seq, line=seq, previous=have)
    if (event["op"] == "add") == (event["entry"] in ids):
        key = "chain.add_twice" if event["op"] == "add" else "chain.update_unknown"
        return ChainRefused(key, month=month, seq=seq, entry=event["entry"])
    return None


class ChainWriter:
    """Appends events to the month chains of one log folder; safe across threads and processes."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = Path(log_dir)
        self._lock = threading.Lock()
        self._tails: dict[str, _Tail] = {}

    def append(
        self, month: str, op: str, entry: int, fields: Mapping[str, Any], at: datetime
    ) -> Head:
        """Record one change durably (fsync) before the caller writes it to the month file."""
        _check_change(month, op, entry, fields, at)

        def build(tail: _Tail) -> list[dict[str, Any]]:
            if op == "add" and entry in tail.ids:
                raise ValueError(f"{month}: entry {entry} was already added")
            if op == "update" and entry not in tail.ids:
                raise ValueError(f"{month}: entry {entry} was never added")
            prev = tail.hashes[-1] if tail.hashes else self._link(month)
            return [_new_event(len(tail.hashes) + 1, prev, op, entry, fields, at)]

        head = self._write(month, build)
        assert head is not None
        return head

    def adopt(self, month: str, docs: Mapping[int, Mapping[str, Any]], at: datetime) -> Head | None:
        """Chain a month file written before the chain existed: one ``add`` per entry, in order.

        The chain then proves the entries from *at* on, not how they came to be. The
        events go in one write and one fsync: adopting a month at start-up with an fsync
        per entry would cost seconds on an SD card.
        """
        for entry, fields in docs.items():
            _check_change(month, "add", entry, fields, at)

        def build(tail: _Tail) -> list[dict[str, Any]]:
            if tail.hashes:
                raise ValueError(f"{month} is already chained")
            events: list[dict[str, Any]] = []
            prev = self._link(month)
            for entry in sorted(docs):
                events.append(_new_event(len(events) + 1, prev, "add", entry, docs[entry], at))
                prev = events[-1]["hash"]
            return events

        return self._write(month, build)

    def ingest(self, month: str, event: Mapping[str, Any]) -> bool:
        """Store an event received from a box; False if it is already held (a resend).

        Refuses (ChainRefused) an event that is not valid on its own, does not follow the
        held ones, or differs from the held one with the same ``seq``. The link of a
        month's first event to the month before is left to :func:`verify`.
        """
        new, refused = self.ingest_many(month, [event])
        if refused is not None:
            raise refused
        return bool(new)

    def ingest_many(
        self, month: str, events: Sequence[Any]
    ) -> tuple[list[dict[str, Any]], ChainRefused | None]:
        """Store a batch of events received from a box, in one write and one fsync.

        Returns the events newly stored (resends already held are skipped) and the refusal
        of the first event that cannot be stored, if any: the events before it are kept,
        the ones after it are not looked at (the box sends them again once it knows what
        the province holds).
        """
        if not _MONTH.match(month):
            raise ValueError(f"bad month {month!r}")
        checked: list[dict[str, Any]] = []
        refused: ChainRefused | None = None
        for event in events:
            try:
                checked.append(_received(month, event))
            except ChainRefused as exc:
                refused = exc
                break
        new: list[dict[str, Any]] = []

        def build(tail: _Tail) -> list[dict[str, Any]]:
            nonlocal refused
            hashes, ids = list(tail.hashes), set(tail.ids)
            for event in checked:
                verdict = _follows(month, event, hashes, ids)
                if verdict == "held":
                    continue
                if verdict is not None:
                    refused = verdict
                    break
                new.append(event)
                hashes.append(event["hash"])
                ids.add(event["entry"])
            return new

        if checked:
            self._write(month, build)
        return new, refused

    def head(self, month: str) -> Head | None:
        with self._lock:
            path = chain_path(self.log_dir, month)
            if not path.exists():
                return None
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
            try:
                fcntl.flock(fd, fcntl.LOCK_SH)
                tail = self._tail(month, fd, cut_torn=False)
            finally:
                os.close(fd)
        if not tail.hashes:
            return None
        return Head(month, len(tail.hashes), tail.hashes[-1])

    def next_entry(self, month: str) -> int:
        """The doc id the next ``add`` of *month* must use (one more than any the chain holds)."""
        with self._lock:
            path = chain_path(self.log_dir, month)
            if not path.exists():
                return 1
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
            try:
                fcntl.flock(fd, fcntl.LOCK_SH)
                return max(self._tail(month, fd, cut_torn=False).ids, default=0) + 1
            finally:
                os.close(fd)

    # -- internals ---------------------------------------------------------------------------
    def _write(self, month: str, build: Callable[[_Tail], list[dict[str, Any]]]) -> Head | None:
        """Append the events *build* makes from the month's tail: one write, one fsync.

        Returns the month's head afterwards (None while the month has no event)."""
        with self._lock:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            path = chain_path(self.log_dir, month)
            fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                tail = self._tail(month, fd, cut_torn=True)
                events = build(tail)
                if events:
                    self._append(month, fd, tail, events)
                return Head(month, len(tail.hashes), tail.hashes[-1]) if tail.hashes else None
            finally:
                os.close(fd)

    def _append(self, month: str, fd: int, tail: _Tail, events: list[dict[str, Any]]) -> None:
        data = b"".join(canonical(event) + b"\n" for event in events)
        try:
            if os.write(fd, data) != len(data):
                raise OSError("short write to the chain")
            os.fsync(fd)
        except BaseException:
            # Leave no torn line behind a failed append: the next one would otherwise
            # be glued to it.
            self._tails.pop(month, None)
            os.ftruncate(fd, tail.size)
            raise
        if tail.size == 0:
            fsync_directory(self.log_dir)  # the new file's name is durable too
        tail.hashes.extend(event["hash"] for event in events)
        tail.ids.update(event["entry"] for event in events)
        tail.size += len(data)

    def _tail(self, month: str, fd: int, *, cut_torn: bool) -> _Tail:
        """The month's tail, re-read when another writer changed the file since we looked."""
        st = os.fstat(fd)
        tail = self._tails.get(month)
        if tail is not None and (tail.inode, tail.size) == (st.st_ino, st.st_size):
            return tail
        chain = _parse_chain(month, _read_fd(fd))
        if chain.torn and cut_torn:
            logger.warning(t("chain.torn", month=month, bytes=len(chain.torn)))
            os.ftruncate(fd, chain.size)
            os.fsync(fd)
        if chain.problem:
            # A broken chain stays broken for verify to name; the log goes on being written,
            # linked to the last line as it stands, so no entry is lost.
            chain.events = self._lenient(fd, chain.size)
        tail = _Tail(
            [e["hash"] for e in chain.events],
            {e["entry"] for e in chain.events},
            chain.size,
            st.st_ino,
        )
        if cut_torn or not chain.torn:  # a tail still followed by a torn line is not cached
            self._tails[month] = tail
        return tail

    @staticmethod
    def _lenient(fd: int, size: int) -> list[dict[str, Any]]:
        """Events of a broken chain as written, skipping lines that are not events at all."""
        events = []
        for raw in os.pread(fd, size, 0).split(b"\n"):
            try:
                event = json.loads(raw)
                digest, entry = event["hash"], event["entry"]
            except (ValueError, TypeError, KeyError, RecursionError):
                continue
            if isinstance(digest, str) and type(entry) is int:
                events.append({"hash": digest, "entry": entry})
        return events

    def _link(self, month: str) -> str:
        """The ``prev`` of a month's first event: the last hash of the nearest earlier month."""
        for earlier in sorted((m for m in _months_in(self.log_dir)[0] if m < month), reverse=True):
            chain = _read_chain(self.log_dir, earlier)
            if chain and chain.events:
                return str(chain.events[-1]["hash"])
        return GENESIS
