"""Turn checked schedules into the concrete list of sessions the box will play.

Pure functions only: no clock, no files, no scheduler. The daemon asks "what plays
between now and tonight", the CLI prints "what plays next week", and the schedule
checker asks "does anything collide during the whole campaign" — all three get the
same answer from the same code, and all three can be tested without waiting.

Every datetime here is timezone-aware in the zone passed in (the commune's zone from
the config), never the machine's local zone: a Raspberry Pi without a battery-backed
clock often boots in UTC, and a 06:30 announcement must not go out at 13:30.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING

from firmware_host.tiers import NORMAL, Tier

if TYPE_CHECKING:
    from firmware_host.schedules.reader import Schedule

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class PlannedSession:
    """One broadcast: amplifier on, the playlist ``repeat`` times, amplifier off."""

    at: datetime  # timezone-aware, in the commune's zone
    campaign: str
    slot: str
    schedule_file: str  # file name only: stable when the data dir moves
    playlist: tuple[str, ...]  # clip references as written in the schedule
    repeat: int
    gap_seconds: float
    zones: tuple[str, ...]
    expected_seconds: float  # warmup + repeat × playlist + gaps + tail
    tier: Tier = NORMAL

    @property
    def key(self) -> str:
        """Stable id of this session, used by the playback log to tell 'played' from 'missed'.

        File, slot name and the ISO start (with its UTC offset) are unique together,
        because slot names are unique within a file.
        """
        return f"{self.schedule_file}#{self.slot}@{self.at.isoformat()}"

    @property
    def ends(self) -> datetime:
        """When the amplifier is expected to switch off, in the same zone as ``at``.

        The addition is done in UTC: adding a timedelta to an aware datetime in its own
        zone is wall-clock arithmetic, which is wrong across a DST change.
        """
        end = self.at.astimezone(UTC) + timedelta(seconds=self.expected_seconds)
        return end.astimezone(self.at.tzinfo)


def _instant(day: date, clock: time, tz: tzinfo) -> datetime:
    """The real instant of wall-clock *clock* on *day* in *tz*.

    The round trip through UTC moves a time that does not exist (inside a DST gap)
    to the first existing minute after it; an ambiguous time keeps its first
    occurrence (fold=0). Vietnam has no DST, but the zone comes from the config.
    """
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC).astimezone(tz)


def expected_seconds(
    playlist: Sequence[str],
    repeat: int,
    gap_seconds: float,
    *,
    clip_refs: Mapping[str, float],
    warmup: float,
    tail: float,
) -> float:
    """How long the amplifier stays on for one session.

    A clip missing from the library counts as zero seconds: the schedule checker has
    already reported it, and planning must still work while the operator fixes it.
    """
    once = sum(float(clip_refs.get(ref, 0.0)) for ref in playlist)
    return warmup + repeat * once + (repeat - 1) * gap_seconds + tail


def _order(session: PlannedSession) -> tuple[float, str]:
    # Compare instants, not wall clocks: aware datetimes sharing one tzinfo object
    # compare by wall time in Python, which misorders the repeated hour of a DST change.
    return (session.at.timestamp(), session.key)


def plan_sessions(
    schedules: Iterable[Schedule],
    first: date,
    last: date,
    *,
    tz: tzinfo,
    clip_refs: Mapping[str, float],
    warmup: float,
    tail: float,
) -> list[PlannedSession]:
    """Every session on the local dates *first*..*last* (both inclusive), in time order.

    A slot plays on a date when the date lies in its campaign's window (both ends
    inclusive), is not one of the campaign's exception dates, and its weekday is one
    of the slot's days. Ties in time are broken by ``key`` so the order is stable.
    """
    sessions: list[PlannedSession] = []
    for schedule in schedules:
        day = max(first, schedule.start)
        stop = min(last, schedule.end)
        while day <= stop:
            if day not in schedule.exceptions:
                weekday = day.weekday()
                for slot in schedule.slots:
                    if weekday in slot.days:
                        sessions.append(
                            PlannedSession(
                                at=_instant(day, slot.time, tz),
                                campaign=schedule.campaign,
                                slot=slot.name,
                                schedule_file=schedule.path.name,
                                playlist=slot.playlist,
                                repeat=slot.repeat,
                                gap_seconds=slot.gap_seconds,
                                zones=slot.zones,
                                expected_seconds=expected_seconds(
                                    slot.playlist,
                                    slot.repeat,
                                    slot.gap_seconds,
                                    clip_refs=clip_refs,
                                    warmup=warmup,
                                    tail=tail,
                                ),
                                tier=schedule.tier,
                            )
                        )
            day += _ONE_DAY
    sessions.sort(key=_order)
    return sessions


def sessions_between(
    schedules: Iterable[Schedule],
    start: datetime,
    end: datetime,
    *,
    tz: tzinfo,
    clip_refs: Mapping[str, float],
    warmup: float,
    tail: float,
) -> list[PlannedSession]:
    """Sessions whose start lies in [*start*, *end*), in time order.

    *start* and *end* must be timezone-aware (any zone); a naive datetime is refused
    because guessing its zone is exactly the bug this module exists to prevent.
    """
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("sessions_between needs timezone-aware datetimes")
    # One spare day each side: a wall time moved out of a DST gap, or a zone offset
    # different from *start*'s, can put a session's instant on a neighbouring date.
    first = start.astimezone(tz).date() - _ONE_DAY
    last = end.astimezone(tz).date() + _ONE_DAY
    low, high = start.timestamp(), end.timestamp()
    return [
        session
        for session in plan_sessions(
            schedules, first, last, tz=tz, clip_refs=clip_refs, warmup=warmup, tail=tail
        )
        if low <= session.at.timestamp() < high
    ]


def find_overlaps(
    sessions: Sequence[PlannedSession],
) -> list[tuple[PlannedSession, PlannedSession]]:
    """Every pair of overlapping sessions, each pair as (earlier, later), in time order.

    There is one audio output, so zones do not matter. Sessions that merely touch
    (one ends exactly when the next starts) do not overlap; two sessions starting at
    the same instant always do, even if both last zero seconds.

    A sweep over sessions sorted by start keeps only those still running, so a
    year-long campaign costs a sort, not a comparison of every pair.
    """
    pairs: list[tuple[PlannedSession, PlannedSession]] = []
    running: list[tuple[float, float, PlannedSession]] = []  # (start, end, session)
    for session in sorted(sessions, key=_order):
        start = session.at.timestamp()
        running = [item for item in running if item[1] > start or item[0] == start]
        pairs.extend((earlier, session) for _, _, earlier in running)
        running.append((start, start + session.expected_seconds, session))
    return pairs


def sort_out_gap(
    fell: Sequence[PlannedSession], *, now: datetime, grace: timedelta, catch_up: timedelta
) -> tuple[list[PlannedSession], PlannedSession | None]:
    """Of the sessions that *fell* while the box was off (in time order, none logged):
    (those to log missed, the one to replay now or None).

    Sessions still within the *grace* are the planner's (the latest of them plays); a
    catch-up replays the latest older one only when none is within the grace and it lies
    within *catch_up* of *now*: never two late sessions back to back.
    """
    gap = [s for s in fell if s.at < now - grace]
    replay = (
        gap[-1]
        if gap and len(gap) == len(fell) and catch_up and gap[-1].at >= now - catch_up
        else None
    )
    return [s for s in gap if s is not replay], replay

