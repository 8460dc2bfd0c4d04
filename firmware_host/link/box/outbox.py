"""The log is the outbox: what goes up is read from the hash chains, what the province holds
is a cursor on disk. Nothing is copied into a queue of its own.

An in-memory client queue dies with the process and a second on-disk copy of the log can
disagree with the first, so the box keeps neither: the chain files
(``log/2026-11.chain.jsonl``) are append-only and already fsynced before anything else is
written, and :class:`Cursor` (``DATA_DIR/link/cursor.json``) says, per month, the last
event the **province's collector** acknowledged holding (its ``down/log-ack``, never the
broker's PUBACK). After hours offline or a power cut the link reads on from the cursor.

Months are kept apart because a month's entries can still change after the next month
has begun (a session at 23:59 on the 30th ends on the 1st). Older months go first. At most
:data:`WINDOW` events are in flight (sent, not yet acknowledged); they are sent again
after a reconnect (a broker that lost power may have lost them) or when no ack comes
(after :data:`FIRST_RESEND`, then twice as long each time up to :data:`LAST_RESEND`, so a
collector offline for a day does not fill its queue with copies). The collector keeps
each event once, by month and number.

Every event is checked as it is read (its bytes, its hash, its number, its link): a chain
edited on the box stops the month's upload at the break, which is reported, not sent.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from firmware_host.canonical import canonical
from firmware_host.link import wire
from firmware_host.logbook.chain import Finding, Head, Position, read_events
from firmware_host.messages import LoaxaError
from firmware_host.store import write_atomically

CURSOR_NAME = "cursor.json"
WINDOW = 1000  # events in flight, all months together
FIRST_RESEND = 300.0  # seconds without an ack before the in-flight events go again
LAST_RESEND = 3600.0
_CHAIN = re.compile(r"^(\d{4}-\d{2})\.chain\.jsonl$")


def link_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "link"


class Cursor:
    """Per month, how far the province holds the chain: ``{seq, hash, offset}`` on disk.

    ``offset`` is where the next event starts in the box's chain file, so a restart reads
    on from there; ``seq`` and ``hash`` are the head the province acknowledged, the anchor
    ``loaxa verify`` checks the box's own log against. An unreadable file is set aside
    and the link starts over from nothing (the province keeps each event once anyway).
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.problem: LoaxaError | None = None
        self._months: dict[str, Position] = {}
        try:
            data = json.loads(self.path.read_text("utf-8"))
            for month, value in data["months"].items():
                head = Head.from_dict({k: value[k] for k in ("month", "seq", "hash")})
                if head.month != month or type(value["offset"]) is not int:
                    raise ValueError(month)
                self._months[month] = Position(value["offset"], head.seq, head.hash)
        except FileNotFoundError:
            pass
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
            aside = self.path.with_name(self.path.name + ".unreadable")
            with contextlib.suppress(OSError):
                os.replace(self.path, aside)
            self._months = {}
            self.problem = LoaxaError("link.cursor_unreadable", path=self.path, detail=exc)

    def get(self, month: str) -> Position:
        return self._months.get(month, Position())

    def heads(self) -> list[Head]:
        """The province's acknowledged heads: anchors for ``verify``."""
        return [Head(m, p.seq, p.hash) for m, p in sorted(self._months.items()) if p.seq]

    def set(self, month: str, position: Position) -> None:
        if position.seq:
            self._months[month] = position
        else:  # the province holds nothing of the month (any more)
            self._months.pop(month, None)
        data = {
            "v": 1,
            "months": {
                m: {"month": m, "seq": p.seq, "hash": p.hash, "offset": p.offset}
                for m, p in sorted(self._months.items())
            },
        }
        write_atomically(self.path, json.dumps(data, indent=1).encode("utf-8"))


def read_cursor_heads(data_dir: Path) -> list[Head]:
    """The acknowledged heads, for ``loaxa verify`` (read only: nothing is set aside)."""
    path = link_dir(data_dir) / CURSOR_NAME
    try:
        data = json.loads(path.read_text("utf-8"))
        return [
            Head.from_dict({k: v[k] for k in ("month", "seq", "hash")})
            for v in data["months"].values()
            if v.get("seq")
        ]
    except FileNotFoundError:
        return []
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise LoaxaError("link.cursor_unreadable", path=path, detail=exc) from exc


@dataclass
class _Month:
    """One month's upload: what was read and not yet acknowledged, and what was sent."""

    read: Position
    buffer: list[tuple[dict[str, Any], Position]] = field(default_factory=list)
    sent: int = 0  # highest seq sent since the last rewind
    problem: Finding | LoaxaError | None = None
    held_back_until: float = 0.0  # after a refusal, until (monotonic)


@dataclass(frozen=True)
class Outgoing:
    """Events of one month to publish, and the box's head of that month as far as read."""

    month: str
    events: list[dict[str, Any]]
    head: Head


class Outbox:
    def __init__(
        self, log_dir: Path, cursor: Cursor, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.log_dir = Path(log_dir)
        self.cursor = cursor
        self.clock = clock
        self._months: dict[str, _Month] = {}
        self._sizes: dict[str, int] = {}
        self._last_ack = clock()
        self._resend_after = FIRST_RESEND

    # -- reading the chains ---------------------------------------------------------------
    def chained_months(self) -> list[str]:
        if not self.log_dir.is_dir():
            return []
        return sorted(m.group(1) for p in self.log_dir.iterdir() if (m := _CHAIN.match(p.name)))

    def _month(self, month: str) -> _Month:
        if month not in self._months:
            position = self.cursor.get(month)
            self._months[month] = _Month(read=position, sent=position.seq)
        return self._months[month]

    def fill(self) -> None:
        """Read what the chains gained since the last look, up to the window."""
        room = WINDOW - self.in_flight() - self.waiting()
        for month in self.chained_months():
            if room <= 0:
                return
            try:
                size = (self.log_dir / f"{month}.chain.jsonl").stat().st_size
            except FileNotFoundError:
                continue
            state = self._month(month)
            if state.problem is not None or size == self._sizes.get(month):
                continue
            limit = room
            events = self._read(month, state, limit)
            room -= len(events)
            if len(events) < limit or state.problem is not None:
                self._sizes[month] = size  # read to the end: until the file grows

    def _read(self, month: str, state: _Month, limit: int) -> list[dict[str, Any]]:
        events, position, problem = read_events(self.log_dir, month, state.read, limit=limit)
        offset = state.read.offset
        for event in events:
            offset += len(canonical(event)) + 1
            state.buffer.append((event, Position(offset, event["seq"], event["hash"])))
        state.read = position
        state.problem = problem
        return events

    # -- sending --------------------------------------------------------------------------
    def in_flight(self) -> int:
        return sum(s.sent - self.cursor.get(m).seq for m, s in self._months.items())

    def waiting(self) -> int:
        """Events read and not yet sent."""
        return sum(
            1 for s in self._months.values() for event, _ in s.buffer if event["seq"] > s.sent
        )

    def next_batch(self) -> Outgoing | None:
        """The next events to publish (oldest month first), marked sent; None when none."""
        now = self.clock()
        if self.in_flight() and now - self._last_ack > self._resend_after:
            self.rewind()
            self._resend_after = min(LAST_RESEND, self._resend_after * 2)
        if self.in_flight() >= WINDOW:
            return None
        for month in sorted(self._months):
            state = self._months[month]
            if state.held_back_until > now:
                continue
            unsent = [event for event, _ in state.buffer if event["seq"] > state.sent]
            if not unsent:
                continue
            chosen: list[dict[str, Any]] = []
            size = 0
            for event in unsent[: wire.MAX_BATCH_EVENTS]:
                size += len(canonical(event)) + 1
                if chosen and size > wire.MAX_BATCH_BYTES:
                    break
                chosen.append(event)
            if not self.in_flight():
                self._last_ack = now  # the ack timer starts with the first event in flight
            state.sent = chosen[-1]["seq"]
            return Outgoing(month, chosen, Head(month, state.read.seq, state.read.hash))
        return None

    def rewind(self) -> None:
        """Send again everything not acknowledged (after a reconnect or a silence)."""
        for month, state in self._months.items():
            state.sent = self.cursor.get(month).seq
        self._last_ack = self.clock()

    # -- the collector's answer -----------------------------------------------------------
    def acknowledged(self, ack: Mapping[str, Any]) -> LoaxaError | Finding | None:
        """Move the cursor to what the province holds; returns a problem it revealed."""
        month = ack.get("month")
        if not isinstance(month, str) or month not in self._months:
            return None
        state = self._months[month]
        self._last_ack = self.clock()
        self._resend_after = FIRST_RESEND
        try:
            held = Head.from_dict(ack["held"]) if ack.get("held") else None
        except ValueError:
            return None
        held_seq = held.seq if held else 0
        refused = ack.get("refused") if isinstance(ack.get("refused"), dict) else None
        acked = self.cursor.get(month)
        if held_seq < acked.seq:
            # The province holds less than it said before (its store was restored from
            # an older copy): start again from what it holds.
            self._restart(month, held)
        elif held is not None and held_seq > acked.seq:
            if held_seq > state.read.seq:  # sent by an earlier run, acked after its end
                self._read(month, state, held_seq - state.read.seq)
            match = next(((e, p) for e, p in state.buffer if e["seq"] == held_seq), None)
            if match is None:
                state.problem = LoaxaError("link.province_ahead", month=month, seq=held_seq)
                return state.problem
            event, position = match
            if event["hash"] != held.hash:
                state.problem = LoaxaError("link.province_differs", month=month, seq=held_seq)
                return state.problem
            self.cursor.set(month, position)
            state.buffer = [(e, p) for e, p in state.buffer if e["seq"] > held_seq]
        state.sent = max(state.sent, held_seq)
        if refused is not None:
            state.sent = held_seq  # from what the province holds, again
            if refused.get("key") != "chain.refused.gap":  # a gap: a batch was lost, no more
                state.held_back_until = self.clock() + LAST_RESEND
                return LoaxaError(
                    "link.province_refused", month=month, detail=refused.get("message", "")
                )
        return None

    def _restart(self, month: str, held: Head | None) -> None:
        events, position, _problem = read_events(
            self.log_dir, month, Position(), limit=held.seq if held else 0
        )
        if held is not None and (not events or events[-1]["hash"] != held.hash):
            self._months[month].problem = LoaxaError(
                "link.province_differs", month=month, seq=held.seq
            )
            return
        self.cursor.set(month, position)
        self._months[month] = _Month(read=position, sent=position.seq)
        self._sizes.pop(month, None)

    # -- what the status says -------------------------------------------------------------
    def problems(self) -> dict[str, str]:
        return {
            m: (s.problem.message() if isinstance(s.problem, Finding) else str(s.problem))
            for m, s in self._months.items()
            if s.problem is not None
        }

    def heads(self) -> dict[str, dict[str, Any]]:
        """The box's head of each month as far as read (the status carries them)."""
        return {
            m: Head(m, s.read.seq, s.read.hash).as_dict()
            for m, s in sorted(self._months.items())
            if s.read.seq
        }

    def backlog(self) -> int:
        """Events read and not yet acknowledged by the province."""
        return sum(len(s.buffer) for s in self._months.values())
