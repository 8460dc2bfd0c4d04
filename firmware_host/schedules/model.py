"""What a checked schedule is: campaigns, slots, and the problems found in a file.

Pure data, shared by the reader (which makes them), the rules (which judge them against
the box) and the plan (which turns them into dated sessions).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path

from firmware_host.messages import t
from firmware_host.tiers import NORMAL, Tier

REPEAT_MIN, REPEAT_MAX = 1, 10
GAP_MIN, GAP_MAX = 0.0, 600.0
DEFAULT_REPEAT = 1
DEFAULT_GAP_SECONDS = 5.0
# A campaign is finite. Longer windows are almost always a mistyped year ("2042"),
# and the collision check plans every session of the window.
MAX_WINDOW_DAYS = 5 * 366
# Dates outside these years are typos; bounding them also keeps every date the planner
# computes (a day after the end, an instant in UTC) inside what Python can represent.
FIRST_YEAR, LAST_YEAR = 2000, 2099
# What Slot.zones holds for "all zones" when the configured zones are not known
# (parse_schedule without zones=); with zones= it is expanded to the configured names.
ALL_ZONES = "all"

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Slot:
    """One broadcast time of a campaign, already normalised and checked."""

    name: str
    time: time
    days: frozenset[int]  # 0 = Monday … 6 = Sunday, as date.weekday()
    playlist: tuple[str, ...]  # clip ids or titles, NFC
    repeat: int
    gap_seconds: float
    zones: tuple[str, ...]
    line: int  # line of the [[slot]] header


@dataclass(frozen=True)
class Schedule:
    """One checked campaign file."""

    path: Path
    campaign: str
    start: date
    end: date  # inclusive
    exceptions: frozenset[date]
    slots: tuple[Slot, ...]
    tier: Tier = NORMAL


@dataclass(frozen=True)
class Phrase:
    """A catalogue sentence rendered only when printed.

    Problems keep keys and parameters, not finished text, so a problem found before
    the operator switches to English still prints in English. Nested hints are
    Phrases too, for the same reason.
    """

    key: str
    params: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return t(self.key, **self.params)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or suspicious, for warnings) in one schedule file.

    ``line`` is None when the problem is the whole file (missing, unreadable, too big):
    "line 1" of a file that does not exist sends the operator looking for nothing.
    """

    file: str
    line: int | None
    key: str
    params: Mapping[str, object]
    severity: str = ERROR  # or WARNING

    @property
    def message(self) -> str:
        """The sentence without the "file, line N:" prefix, in the current language."""
        return t(self.key, **self.params)

    def __str__(self) -> str:
        if self.line is None:
            return t("schedule.at_file", file=self.file, message=self.message)
        return t("schedule.at", file=self.file, line=self.line, message=self.message)
