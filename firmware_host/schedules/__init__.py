"""Campaign schedules: TOML files → checked campaigns → the concrete plan.

:mod:`.reader` reads one file into a :class:`Schedule` (or the problems with their
lines), :mod:`.plan` turns schedules into dated sessions (pure), :mod:`.rules` applies
the box's own rules (zones, clip lengths, warm-up, overlaps between files) and keeps the
last good version of each file.
"""

from firmware_host.schedules.model import ALL_ZONES, ERROR, WARNING, Problem, Schedule, Slot
from firmware_host.schedules.plan import PlannedSession
from firmware_host.schedules.reader import parse_schedule, read_schedule_text, schedule_files
from firmware_host.schedules.rules import BoxRules, Installed, LastGood, check_schedules

__all__ = [
    "ALL_ZONES",
    "ERROR",
    "WARNING",
    "BoxRules",
    "Installed",
    "LastGood",
    "PlannedSession",
    "Problem",
    "Schedule",
    "Slot",
    "check_schedules",
    "parse_schedule",
    "read_schedule_text",
    "schedule_files",
]
