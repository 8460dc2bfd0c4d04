"""The box's own rules for checking and planning schedules: its zones, its clips'
durations and languages, its amplifier warm-up and tail, its time zone, the commune's
``[policy]`` (quiet hours, airtime caps, approval) — and which version of each schedule
file it runs.

The CLI, the daemon, the self-test and the USB exchange all check and plan schedules;
taking the rules from one place means none of them can judge a schedule by other rules
than the one that will play it, and ``loaxa schedule show`` prints what the daemon runs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from firmware_host.config import Config, PolicySettings
from firmware_host.schedules.approvals import Approvals, Status, judge
from firmware_host.schedules.model import ERROR, WARNING, Phrase, Problem, Schedule
from firmware_host.schedules.plan import (
    PlannedSession,
    find_overlaps,
    instant,
    plan_sessions,
    sessions_between,
)
from firmware_host.schedules.reader import read_schedule, read_schedule_text
from firmware_host.store import fsync_directory, write_atomically
from firmware_host.textout import dmy, hm, nfc
from firmware_host.tiers import EMERGENCY
from firmware_host.tomlpos import LineMap

LAST_GOOD_DIR = "schedules-last-good"
NO_POLICY = PolicySettings(
    quiet_hours=(),
    max_session_minutes=0.0,
    max_sessions_per_day=0,
    weekdays_only=False,
    require_approval=False,
    emergency_warmup_seconds=0.0,
)


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
    # With [policy] require_approval: file name -> where its text stands, and the
    # checked campaigns of the files that wait for approval (shown, never played).
    approvals: dict[str, Status] = field(default_factory=dict)
    awaiting: list[Schedule] = field(default_factory=list)

    @property
    def waiting(self) -> dict[str, Status]:
        """The files that do not air for want of approval (or refused by the leadership)."""
        return {name: status for name, status in self.approvals.items() if not status.airs}


@dataclass(frozen=True)
class BoxRules:
    zones: tuple[str, ...]
    clip_refs: Mapping[str, float]  # clip id and title -> seconds
    warmup: float
    tail: float
    tz: ZoneInfo
    policy: PolicySettings = NO_POLICY
    versions: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # ClipLibrary.versions
    approvals: Approvals | None = None  # when the commune requires approval

    @classmethod
    def of(
        cls,
        config: Config,
        clip_refs: Mapping[str, float],
        versions: Mapping[str, Mapping[str, str]] | None = None,
    ) -> BoxRules:
        return cls(
            zones=tuple(config.relays.zones),
            clip_refs=clip_refs,
            warmup=config.amplifier.warmup_seconds,
            tail=config.amplifier.tail_seconds,
            tz=config.timezone,
            policy=config.policy,
            versions=versions or {},
            approvals=Approvals(config.log_dir) if config.policy.require_approval else None,
        )

    def check(
        self,
        paths: Iterable[Path],
        texts: Mapping[Path, str] | None = None,
        waiting: Collection[str] = (),
    ) -> tuple[list[Schedule], list[Problem]]:
        return check_schedules(
            paths,
            zones=self.zones,
            clip_refs=self.clip_refs,
            warmup=self.warmup,
            tail=self.tail,
            tz=self.tz,
            texts=texts,
            policy=self.policy,
            versions=self.versions,
            waiting=waiting,
        )

    def installed(self, paths: Iterable[Path], last_good: LastGood | None) -> Installed:
        """Check the files; a refused file with a last good copy runs the copy, if the
        copy still passes today's check (clips, zones) beside everything else. Without
        *last_good* (files checked outside the schedules folder) nothing is replaced.

        Each file is read once, so the text kept as last good is the text checked. A
        copy that collides with an accepted file gives way to it.

        When the commune requires approval, a file whose text is not approved does not
        air, nor does its copy (an edit voids the approval: the campaign waits); it is
        still checked, and gives way to the approved files in collisions and caps, so a
        file waiting for approval can never silence one on air. A refused file's copy
        runs only if the copy's own text is approved.
        """
        paths = list(dict.fromkeys(Path(path) for path in paths))
        texts = {path: text for path in paths if isinstance(text := read_schedule_text(path), str)}
        decisions = self.approvals.decisions() if self.approvals is not None else None
        approvals = (
            {}
            if decisions is None
            else {
                path.name: judge(path.name, text, decisions.get(path.name, {}))
                for path, text in texts.items()
            }
        )
        waiting = {name for name, status in approvals.items() if not status.airs}
        schedules, problems = self.check(paths, texts, waiting)
        accepted = {s.path: s for s in schedules if s.path.name not in waiting}
        refused = {Path(p.file).name for p in problems if p.severity == ERROR}
        copies = {
            path: copy
            for path in paths
            if path.name in refused
            and path.name not in waiting
            and last_good is not None
            and (copy := last_good.read(path.name)) is not None
            and copy != texts.get(path)
            and (decisions is None or judge(path.name, copy, decisions.get(path.name, {})).airs)
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
            approvals=approvals,
            awaiting=[s for s in schedules if s.path.name in waiting],
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
            versions=self.versions,
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
            versions=self.versions,
        )


def check_schedules(
    paths: Iterable[Path],
    *,
    zones: Collection[str],
    clip_refs: Mapping[str, float],
    warmup: float,
    tail: float,
    tz: tzinfo,
    texts: Mapping[Path, str] | None = None,
    policy: PolicySettings = NO_POLICY,
    versions: Mapping[str, Mapping[str, str]] | None = None,
    waiting: Collection[str] = (),
) -> tuple[list[Schedule], list[Problem]]:
    """Check every file, then everything that needs the box's config and clip library.

    *clip_refs* maps clip ids and titles to durations in seconds, *versions* to their
    versions by language. Playlist entries missing from them, missing translations and
    unknown zones are errors; so is any pair of slots (of one file or two) whose
    sessions overlap on some date, reported once per pair on the later slot (by file
    name, then line) with the first date and the number of others; so is a normal or
    priority slot that breaks the commune's *policy* (quiet hours, session length,
    sessions a day over all files, weekdays only), naming the rule and the first date.
    An emergency campaign ignores the policy, with a warning. Files named in *waiting*
    (awaiting approval) count last: a collision or a day over the cap is theirs.
    *texts* gives the text of some paths instead of reading them (a file's last good
    version, or the very text that will be kept).

    Returns the schedules of files without any error, so a broken or colliding file
    plays nothing while the others keep playing, and every problem of every file.
    """
    refs = {nfc(ref): float(seconds) for ref, seconds in clip_refs.items()}
    families = {nfc(ref): family for ref, family in (versions or {}).items()}
    texts = texts or {}
    parsed: list[tuple[Schedule, LineMap]] = []
    problems: list[Problem] = []
    for path in dict.fromkeys(Path(path) for path in paths):  # a file named twice is one file
        schedule, found, lines = read_schedule(path, texts.get(path), zones, refs, families)
        problems.extend(found)
        if schedule is not None and lines is not None:
            parsed.append((schedule, lines))
    if not parsed:
        return [], problems

    sessions = plan_sessions(
        [schedule for schedule, _ in parsed],
        min(schedule.start for schedule, _ in parsed),
        max(schedule.end for schedule, _ in parsed),
        tz=tz,
        clip_refs=refs,
        warmup=warmup,
        tail=tail,
        versions=families,
    )
    places = _Places(parsed, set(waiting))
    found = _overlap_problems(sessions, places) + _policy_problems(sessions, places, policy, tz)
    problems.extend(found)
    broken = {problem.file for problem in found if problem.severity == ERROR}
    return [schedule for schedule, _ in parsed if str(schedule.path) not in broken], problems


class _Places:
    """Where a planned session's slot is written: (waiting?, file, line, slot name)."""

    def __init__(self, parsed: list[tuple[Schedule, LineMap]], waiting: set[str]) -> None:
        self.by_file: dict[str, tuple[Schedule, LineMap]] = {}
        for schedule, lines in parsed:
            self.by_file.setdefault(schedule.path.name, (schedule, lines))
        self.waiting = waiting
        self._index: dict[tuple[str, str], int] = {}

    def __call__(self, session: PlannedSession, key: str = "time") -> tuple[bool, str, int, str]:
        """The slot's *key* line; files waiting for approval sort after the others, so
        "the later slot" is theirs."""
        schedule, lines = self.by_file[session.schedule_file]
        ident = (session.schedule_file, session.slot)
        if ident not in self._index:
            # A valid schedule keeps all its slots in file order: index i is [[slot]] i.
            self._index[ident] = next(
                i for i, slot in enumerate(schedule.slots) if slot.name == session.slot
            )
        line = lines.line_of(("slot", self._index[ident], key))
        return (session.schedule_file in self.waiting, str(schedule.path), line, session.slot)


def _overlap_problems(sessions: list[PlannedSession], where: _Places) -> list[Problem]:
    """One problem per colliding pair of slots, found by planning every campaign fully."""
    # find_overlaps yields (earlier, later) in the order of the later session, so the
    # first pair of each group is the first collision in time.
    firsts: dict[tuple, tuple[PlannedSession, PlannedSession]] = {}
    dates: dict[tuple, set[date]] = {}
    for earlier, later in find_overlaps(sessions):
        here, there = sorted((where(earlier), where(later)))
        firsts.setdefault((here, there), (earlier, later))
        dates.setdefault((here, there), set()).add(later.at.date())

    problems = []
    for (here, there), (earlier, later) in firsts.items():
        start = later.at
        end = min(earlier.ends, later.ends, key=datetime.timestamp)
        more = len(dates[here, there]) - 1
        problems.append(
            Problem(
                there[1],
                there[2],
                "schedule.overlap",
                {
                    "other": here[3],
                    "other_file": Path(here[1]).name,
                    "other_line": here[2],
                    "date": dmy(start.date()),
                    "start": hm(start),
                    "end": hm(max(end, start, key=datetime.timestamp)),
                    "more": _more_days(more),
                },
            )
        )
    problems.sort(key=lambda p: (p.file, p.line))
    return problems


# The commune's [policy]: each rule, the slot key its message points at.
_RULE_LINES = {"quiet": "time", "length": "playlist", "per_day": "time", "weekend": "days"}


def _policy_problems(
    sessions: list[PlannedSession], where: _Places, policy: PolicySettings, tz: tzinfo
) -> list[Problem]:
    """One problem per slot and rule it breaks on some date, with the first date and
    the number of others; for an emergency campaign a warning that it plays anyway
    (emergencies neither count towards nor are held to the sessions-a-day cap)."""
    broken: dict[tuple[str, tuple[bool, str, int, str]], list[PlannedSession]] = {}
    quiet: dict[tuple[str, str], tuple[time, time]] = {}  # slot -> the range it first breaks
    per_day: dict[date, list[PlannedSession]] = {}
    for session in sessions:
        rules = []
        clash = _quiet_clash(session, policy.quiet_hours, tz)
        if clash is not None:
            rules.append("quiet")
            quiet.setdefault((session.schedule_file, session.slot), clash)
        if (
            policy.max_session_minutes
            and session.expected_seconds > policy.max_session_minutes * 60
        ):
            rules.append("length")
        if policy.weekdays_only and session.at.astimezone(tz).weekday() >= 5:
            rules.append("weekend")
        for rule in rules:
            broken.setdefault((rule, where(session, _RULE_LINES[rule])), []).append(session)
        if policy.max_sessions_per_day and session.tier != EMERGENCY:
            per_day.setdefault(session.at.astimezone(tz).date(), []).append(session)
    for todays in per_day.values():
        todays.sort(key=lambda s: (where(s)[0], s.at.timestamp(), s.key))
        for session in todays[policy.max_sessions_per_day :]:
            broken.setdefault(("per_day", where(session)), []).append(session)

    problems = []
    for (rule, place), found in broken.items():
        first = found[0]
        day = first.at.astimezone(tz)
        more = _more_days(len({s.at.astimezone(tz).date() for s in found}) - 1)
        common = {"date": dmy(day.date()), "more": more}
        if first.tier == EMERGENCY:
            problems.append(
                Problem(
                    place[1],
                    place[2],
                    "schedule.policy_ignored",
                    {"rule": Phrase(f"schedule.rule.{rule}"), **common},
                    severity=WARNING,
                )
            )
            continue
        params: dict[str, object] = dict(common)
        if rule == "quiet":
            low, high = quiet[first.schedule_file, first.slot]
            ends = first.ends.astimezone(tz)
            params |= {"range": f"{hm(low)}–{hm(high)}", "start": hm(day), "end": hm(ends)}
        elif rule == "length":
            params |= {
                "minutes": f"{first.expected_seconds / 60:.1f}",
                "maximum": f"{policy.max_session_minutes:g}",
            }
        elif rule == "per_day":
            count = policy.max_sessions_per_day
            noun = "one" if count == 1 else "other"
            params["sessions"] = Phrase(f"count.session.{noun}", {"n": count})
        else:
            params["day"] = Phrase(f"weekday.{day.weekday()}")
        problems.append(Problem(place[1], place[2], f"schedule.policy_{rule}", params))
    problems.sort(key=lambda p: (p.file, p.line or 0, p.key))
    return problems


def _quiet_clash(
    session: PlannedSession, quiet: tuple[tuple[time, time], ...], tz: tzinfo
) -> tuple[time, time] | None:
    """The first quiet range *session* is on air in (it starts inside one, or one starts
    while it plays), else None. A range whose end is before its start runs past
    midnight; every instant is computed in the commune's zone."""
    if not quiet:
        return None
    start, end = session.at.timestamp(), session.ends.timestamp()
    day = session.at.astimezone(tz).date() - timedelta(days=1)
    while day <= session.ends.astimezone(tz).date():
        for low, high in quiet:
            begin = instant(day, low, tz).timestamp()
            finish = instant(day + timedelta(days=int(high <= low)), high, tz).timestamp()
            if begin <= start < finish or start < begin < end:
                return low, high
        day += timedelta(days=1)
    return None


def _more_days(count: int) -> Phrase | str:
    if not count:
        return ""
    key = "schedule.overlap_more.one" if count == 1 else "schedule.overlap_more"
    return Phrase(key, {"count": count})
