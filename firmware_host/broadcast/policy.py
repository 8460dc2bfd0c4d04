"""Who holds the one amplifier, who waits, in which order, and whom an emergency cuts.

The rules of the three tiers (:mod:`firmware_host.tiers`, TT 39/2020), as a rule and
not an accident of which thread woke first:

* One session on air at a time: the air has one holder.
* Waiting sessions go in the order (tier, planned time, arrival): an emergency before a
  priority before a normal session; two priority (or normal) sessions keep their planned
  order; two emergencies the order they were ordered in.
* An arriving emergency cuts a non-emergency holder at once (:func:`cuts`): the holder's
  session ends the normal way (amplifier off, then zones off), is logged ``preempted``
  and is never resumed; the emergency then switches its own zones while the amplifier
  is off, as every session does. An emergency never cuts another emergency: it waits,
  first in line.
* A priority session never cuts anything.

:class:`Air` is the only lock the broadcaster takes; the relay sweep between sessions
holds it too (:meth:`Air.hold_if_idle`), so it never switches relays under a session.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from firmware_host.tiers import EMERGENCY, RANK, Tier


def cuts(arriving: Tier, on_air: Tier) -> bool:
    """True when a session of tier *arriving* must cut the one of tier *on_air*."""
    return arriving == EMERGENCY and on_air != EMERGENCY


_SEQUENCE = itertools.count()


@dataclass
class Ticket:
    """One session asking for the air, and its own stop signal: a stop or a cut reaches
    the session it was meant for, never the one that follows it."""

    tier: Tier
    planned: datetime  # the slot's time; a manual or emergency request's arrival
    label: str  # "campaign / slot", for "waited for …" and "cut by …"
    seq: int = field(default_factory=lambda: next(_SEQUENCE))
    stop: threading.Event = field(default_factory=threading.Event)
    cut_by: str | None = None  # the emergency that cut this session

    def order(self) -> tuple[int, float, int]:
        return (RANK[self.tier], self.planned.timestamp(), self.seq)


class Air:
    """The one amplifier: a holder and an ordered queue (see the module doc).

    An emergency arriving during a session it must cut marks the holder's ticket
    (``cut_by``) and sets its stop signal; *on_cut* (holder, arriving) is then called
    with the lock held, to say so: it must not block.
    """

    def __init__(self, on_cut: Callable[[Ticket, Ticket], None] | None = None) -> None:
        self._lock = threading.Condition()
        self._on_cut = on_cut
        self.holder: Ticket | None = None
        self._waiting: list[Ticket] = []
        self._closed = False

    def enter(self, ticket: Ticket, timeout: float | None = None) -> bool:
        """Wait until *ticket* holds the air; False when *timeout* seconds passed first or
        the air closed (the ticket then leaves the queue)."""
        with self._lock:
            self._waiting.append(ticket)
            self._waiting.sort(key=Ticket.order)
            holder = self.holder
            if holder is not None and cuts(ticket.tier, holder.tier) and not holder.stop.is_set():
                holder.cut_by = ticket.label
                holder.stop.set()
                if self._on_cut is not None:
                    self._on_cut(holder, ticket)
            ready = self._lock.wait_for(
                lambda: self._closed or (self.holder is None and self._waiting[0] is ticket),
                timeout=timeout,
            )
            if not ready or self._closed:
                self._waiting.remove(ticket)
                self._lock.notify_all()
                return False
            self._waiting.remove(ticket)
            self.holder = ticket
            return True

    def leave(self, ticket: Ticket) -> None:
        with self._lock:
            if self.holder is ticket:
                self.holder = None
            self._lock.notify_all()

    def hold_if_idle(self, ticket: Ticket) -> bool:
        """Take the air at once if nobody holds it and nobody waits (the relay sweep)."""
        with self._lock:
            if self.holder is not None or self._waiting or self._closed:
                return False
            self.holder = ticket
            return True

    def waiting(self) -> list[Ticket]:
        with self._lock:
            return list(self._waiting)

    def stop_holder(self) -> bool:
        """The stop button: end the session on air the normal way; False if none."""
        with self._lock:
            if self.holder is None:
                return False
            self.holder.stop.set()
            return True

    def close(self) -> None:
        """Shutting down: the session on air ends, everyone waiting gives up."""
        with self._lock:
            self._closed = True
            if self.holder is not None:
                self.holder.stop.set()
            self._lock.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed
