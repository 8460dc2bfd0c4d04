"""The box's own rules for checking and planning schedules: its zones, its clips'
durations, its amplifier warm-up and tail, its time zone.

The CLI, the daemon, the self-test and the USB exchange all check and plan schedules;
taking the rules from one place means none of them can judge a schedule by other rules
than the one that will play it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from firmware_host.config import Config
from firmware_host.plan import PlannedSession, plan_sessions, sessions_between
from firmware_host.schedule import Problem, Schedule, check_schedules


@dataclass(frozen=True)
class BoxRules:
    zones: tuple[str, ...]
    clip_refs: Mapping[str, float]  # clip id and title -> seconds
    warmup: float
    tail: float
    tz: ZoneInfo

    @classmethod
    def of(cls, config: Config, clip_refs: Mapping[str, float]) -> BoxRules:
        return cls(
            zones=tuple(config.relays.zones),
            clip_refs=clip_refs,
            warmup=config.amplifier.warmup_seconds,
            tail=config.amplifier.tail_seconds,
            tz=config.timezone,
        )

    def check(self, paths: Iterable[Path]) -> tuple[list[Schedule], list[Problem]]:
        return check_schedules(
            paths,
            zones=self.zones,
            clip_refs=self.clip_refs,
            warmup=self.warmup,
            tail=self.tail,
            tz=self.tz,
        )

    def plan(self, schedules: Iterable[Schedule], first: date, last: date) -> list[PlannedSession]:
        return plan_sessions(
            schedules,
            first,
            last,
            tz=self.tz,
            clip_refs=self.clip_refs,
            warmup=self.warmup,
            tail=self.tail,
        )

    def between(
        self, schedules: Iterable[Schedule], start: datetime, end: datetime
    ) -> list[PlannedSession]:
        return sessions_between(
            schedules,
            start,
            end,
            tz=self.tz,
            clip_refs=self.clip_refs,
            warmup=self.warmup,
            tail=self.tail,
        )
