"""The box's own rules for checking and planning schedules: its zones, its clips'
durations, its amplifier warm-up and tail, its time zone — and which version of each
schedule file it runs.

The CLI, the daemon, the self-test and the USB exchange all check and plan schedules;
taking the rules from one place means none of them can judge a schedule by other rules
than the one that will play it, and ``loaxa schedule show`` prints what the daemon runs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from firmware_host.config import Config
from firmware_host.plan import PlannedSession, plan_sessions, sessions_between
from firmware_host.schedule import (
    ERROR,
    Problem,
    Schedule,
    check_schedules,
    read_schedule_text,
)
from firmware_host.store import fsync_directory, write_atomically

LAST_GOOD_DIR = "schedules-last-good"


class LastGood:
    """The last version of each schedule file that passed the check, kept on disk.

    A bad edit must not silence a campaign, not even after a restart or a power cut:
    the daemon keeps a copy of every file it accepts (atomically, in the data dir, out
    of the operator's folder) and runs the copy while the file is refused. A copy is
    removed when its file is deleted: deleting a campaign is how it is stopped. Copies
    are also kept in memory, so a card too full to write one still keeps the running
    version until the next restart.
    """

    def __init__(self, data_dir: Path) -> None:
        self.directory = Path(data_dir) / LAST_GOOD_DIR
        self._memory: dict[str, str] = {}

    def read(self, name: str) -> str | None:
        if name in self._memory:
            return self._memory[name]
        text = read_schedule_text(self.directory / name)
        return text if isinstance(text, str) else None

    def saved_at(self, name: str, tz: ZoneInfo) -> datetime | None:
        try:
            return datetime.fromtimestamp((self.directory / name).stat().st_mtime, tz)
        except OSError:
            return None

    def keep(self, name: str, text: str) -> None:
        """Remember *text* as the good version of *name*; OSError if it cannot be written."""
        self._memory[name] = text
        if read_schedule_text(self.directory / name) != text:
            write_atomically(self.directory / name, text.encode("utf-8"))

    def forget_all_but(self, names: Iterable[str]) -> list[str]:
        """Remove the copies of files that no longer exist; returns their names."""
        keep = set(names)
        gone = [name for name in self._memory if name not in keep]
        with contextlib.suppress(OSError):
            gone += [
                path.name
                for path in self.directory.iterdir()
                if path.name not in keep and path.name not in gone
            ]
        for name in gone:
            self._memory.pop(name, None)
            with contextlib.suppress(OSError):
                (self.directory / name).unlink()
        if gone:
            with contextlib.suppress(OSError):
                fsync_directory(self.directory)
        return gone


@dataclass(frozen=True)
class Installed:
    """What the box runs from its schedules folder, and why."""

    schedules: list[Schedule]  # what plays, including last good versions
    problems: list[Problem]  # of the files as they are now
    texts: dict[Path, str]  # the checked text of every accepted file, to keep as last good
    from_last_good: dict[str, datetime | None]  # refused file -> when its running copy was saved
    last_good_refused: dict[str, Problem]  # refused file -> why its copy cannot run either


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

    def check(
        self, paths: Iterable[Path], texts: Mapping[Path, str] | None = None
    ) -> tuple[list[Schedule], list[Problem]]:
        return check_schedules(
            paths,
            zones=self.zones,
            clip_refs=self.clip_refs,
            warmup=self.warmup,
            tail=self.tail,
            tz=self.tz,
            texts=texts,
        )

    def installed(self, paths: Iterable[Path], last_good: LastGood | None) -> Installed:
        """Check the files; a refused file with a last good copy runs the copy, if the
        copy still passes today's check (clips, zones) beside everything else. Without
        *last_good* (files checked outside the schedules folder) nothing is replaced.

        Each file is read once, so the text kept as last good is the text checked. A
        copy that collides with an accepted file gives way to it.
        """
        paths = list(dict.fromkeys(Path(path) for path in paths))
        texts = {path: text for path in paths if isinstance(text := read_schedule_text(path), str)}
        schedules, problems = self.check(paths, texts)
        accepted = {schedule.path: schedule for schedule in schedules}
        refused = {Path(p.file).name for p in problems if p.severity == ERROR}
        copies = {
            path: copy
            for path in paths
            if path.name in refused
            and last_good is not None
            and (copy := last_good.read(path.name)) is not None
            and copy != texts.get(path)
        }
        running: list[Schedule] = []
        why_not: dict[str, Problem] = {}
        if copies:
            both, second = self.check([*accepted, *copies], {**texts, **copies})
            names = {path.name for path in copies}
            for problem in second:
                if problem.severity != ERROR:
                    continue
                # A collision is reported on the later file; the copy loses either way.
                loser = Path(problem.file).name
                if loser not in names and problem.key == "schedule.overlap":
                    loser = str(problem.params["other_file"])
                if loser in names:
                    why_not.setdefault(loser, problem)
            running = [s for s in both if s.path in copies and s.path.name not in why_not]
        saved = {
            schedule.path.name: last_good.saved_at(schedule.path.name, self.tz)
            for schedule in running
            if last_good is not None
        }
        return Installed(
            schedules=sorted([*accepted.values(), *running], key=lambda s: s.path.name),
            problems=problems,
            texts={path: texts[path] for path in accepted},
            from_last_good=saved,
            last_good_refused=why_not,
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
