"""Read the campaign schedule files an operator writes, and say exactly what is wrong.

A schedule file is TOML, one campaign per file: a ``[campaign]`` table (name, date
window, exception dates) and one ``[[slot]]`` block per broadcast time. The people
writing them are commune staff editing on a phone or a borrowed laptop, so the reader
is generous about *spelling* (``"T2-T6"``, ``"Thứ 2"``, ``"mon"``, ``"01/08/2024"``,
NFD or NFC Unicode) and strict about *meaning*: every problem is reported at once,
with the file and line, in Vietnamese first, and a file with any error plays nothing
rather than playing something the operator did not intend.

``parse_schedule`` checks one file on its own; ``check_schedules`` also checks what
needs the outside world: the configured zones, the clip library, and collisions
between slots of all files (there is one amplifier and one audio output).
See docs/schedules.md for the format as the operator sees it.
"""

from __future__ import annotations

import calendar
import difflib
import os
import re
import stat
import tomllib
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any

from firmware_host.messages import t
from firmware_host.plan import PlannedSession, find_overlaps, plan_sessions
from firmware_host.tomlpos import LineMap, deepest_line, map_lines, syntax_error_line

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
# A campaign file is a few KB (10,000 slots take 1 MB, 28 MB of memory to parse); a
# bigger one is a wrong file, and must not be read whole into a Pi Zero's memory.
MAX_FILE_BYTES = 2 * 1024 * 1024
# What Slot.zones holds for "all zones" when the configured zones are not known
# (parse_schedule without zones=); with zones= it is expanded to the configured names.
ALL_ZONES = "all"

TOP_KEYS = ("campaign", "slot")
CAMPAIGN_KEYS = ("name", "start", "end", "except")
SLOT_KEYS = ("name", "time", "days", "playlist", "repeat", "gap_seconds", "zones")

ERROR = "error"
WARNING = "warning"


# --------------------------------------------------------------------------- types


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


# --------------------------------------------------------------------------- text helpers


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _fold(text: str) -> str:
    """Lower case, no diacritics, no spaces: "Thứ  Bảy" and "thu bay" become "thubay".

    Used only to recognise fixed words (day names, "tất cả"), where an operator typing
    without a Vietnamese keyboard should still be understood.
    """
    decomposed = unicodedata.normalize("NFD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", "", bare.replace("đ", "d"))


def _squash(text: str) -> str:
    """Lower case NFC without spaces, keeping diacritics ("thứ" must not read as "thu")."""
    return re.sub(r"\s+", "", _nfc(text).casefold())


def _show(value: Any) -> str:
    """A value as the operator wrote it in TOML, for "must be X, not Y" messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, date | time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_show(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{…}"
    return repr(value)


def _dmy(day: date) -> str:
    """Dates in messages are dd/mm/yyyy, as written on every Vietnamese notice board."""
    return day.strftime("%d/%m/%Y")


def _hm(moment: datetime | time) -> str:
    return moment.strftime("%H:%M:%S" if moment.second else "%H:%M")


def _close(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate the operator probably meant, or None."""
    options = list(candidates)
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    if close:
        return close[0]
    folded = name.casefold()
    if len(folded) < 3:
        return None
    for option in options:  # "gap" for "gap_seconds", "zone" for "zones"
        if option.startswith(folded) or folded.startswith(option):
            return option
    return None


def _did_you_mean(name: str, candidates: Iterable[str]) -> Phrase | str:
    close = _close(name, candidates)
    return Phrase("schedule.did_you_mean", {"name": close}) if close else ""


# --------------------------------------------------------------------------- dates and times

_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")


def _make_date(text: str, year: int, month: int, day: int) -> date | Phrase:
    if not 1 <= month <= 12:
        return Phrase("schedule.no_such_month", {"value": text, "month": month})
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        return Phrase(
            "schedule.no_such_date",
            {"value": text, "month": f"{month:02d}", "year": year, "days": last},
        )
    return date(year, month, day)


def parse_date_text(text: str) -> date | Phrase:
    """A date written as "2024-08-01" or Vietnamese day-first "01/08/2024" (also 1/8/2024).

    Returns the reason as a Phrase when it is not a date, so callers can place it.
    """
    stripped = text.strip()
    if match := _ISO_DATE.match(stripped):
        year, month, day = (int(part) for part in match.groups())
        return _make_date(stripped, year, month, day)
    if match := _DMY_DATE.match(stripped):
        day, month, year = (int(part) for part in match.groups())
        return _make_date(stripped, year, month, day)
    return Phrase("schedule.bad_date", {"value": stripped})


_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
# Ways people write a time that are not HH:MM but clearly mean one: 6h30, 6g30, 6.30, 0630.
_LOOSE_CLOCK = re.compile(r"^(\d{1,2})\s*(?:[hHgG.,:]|giờ|gio)\s*(\d{1,2})?\s*(?:p|phút|phut|')?$")
_DIGITS_CLOCK = re.compile(r"^(\d{1,2})(\d{2})$")


def parse_time_text(text: str) -> time | Phrase:
    """ "06:30", "6:30" or "06:30:00" → time; anything else → the reason, with a guess."""
    stripped = text.strip()
    if match := _CLOCK.match(stripped):
        hour, minute = int(match.group(1)), int(match.group(2))
        second = int(match.group(3) or 0)
        if hour <= 23 and minute <= 59 and second <= 59:
            return time(hour, minute, second)
    hint: Phrase | str = ""
    loose = _LOOSE_CLOCK.match(stripped) or _DIGITS_CLOCK.match(stripped)
    if loose and not _CLOCK.match(stripped):
        hour, minute = int(loose.group(1)), int(loose.group(2) or 0)
        if hour <= 23 and minute <= 59:
            hint = Phrase("schedule.did_you_mean", {"name": f"{hour:02d}:{minute:02d}"})
    return Phrase("schedule.bad_time", {"value": stripped, "hint": hint})


# --------------------------------------------------------------------------- weekdays

# Folded (no diacritics, no spaces) Vietnamese names.
_VI_DAYS = {
    **{f"t{n}": n - 2 for n in range(2, 8)},
    **{f"thu{n}": n - 2 for n in range(2, 8)},
    "thuhai": 0,
    "thuba": 1,
    "thutu": 2,
    "thunam": 3,
    "thusau": 4,
    "thubay": 5,
    "cn": 6,
    "chunhat": 6,
}
# English names, matched with diacritics kept so that "thứ" never reads as "thu".
_EN_DAYS = {
    "mon": 0,
    "monday": 0,
    "tue": 1,
    "tues": 1,
    "tuesday": 1,
    "wed": 2,
    "weds": 2,
    "wednesday": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "thursday": 3,
    "fri": 4,
    "friday": 4,
    "sat": 5,
    "saturday": 5,
    "sun": 6,
    "sunday": 6,
}
_EVERY_DAY = {"hangngay", "moingay", "everyday", "daily"}
_ALL_ZONE_WORDS = {"all", "tatca"}
_RANGE = re.compile(r"\s*(?:-|–|—|\.\.|…)\s*|\s+(?:đến|den|tới|toi|to)\s+", re.IGNORECASE)


def _one_day(word: str) -> int | None:
    squashed = _squash(word)
    if squashed in _EN_DAYS:
        return _EN_DAYS[squashed]
    return _VI_DAYS.get(_fold(word))


def parse_days(value: str | list[Any]) -> frozenset[int] | list[Phrase]:
    """Weekday numbers of a ``days`` value, or every reason it is not one.

    Accepts a string or a list of strings; each may be a day, a range ("T2-T6",
    "mon-fri"), a comma-separated list, or "every day" in either language.
    """
    items = value if isinstance(value, list) else [value]
    days: set[int] = set()
    reasons: list[Phrase] = []
    for item in items:
        if not isinstance(item, str):
            reasons.append(Phrase("schedule.bad_day", {"value": _show(item)}))
            continue
        for raw in re.split(r"[,;]", _nfc(item)):
            word = raw.strip()
            if not word:
                continue  # "T2, T4," or ""; nothing at all is reported by the caller
            if _fold(word) in _EVERY_DAY:
                days.update(range(7))
                continue
            ends = _RANGE.split(word)
            if len(ends) == 2 and all(ends):
                first, last = _one_day(ends[0]), _one_day(ends[1])
                if first is None or last is None:
                    bad = ends[0] if first is None else ends[1]
                    reasons.append(Phrase("schedule.bad_day", {"value": bad.strip()}))
                elif first > last:
                    reasons.append(Phrase("schedule.day_range_reversed", {"value": word}))
                else:
                    days.update(range(first, last + 1))
                continue
            number = _one_day(word)
            if number is None:
                reasons.append(Phrase("schedule.bad_day", {"value": word}))
            else:
                days.add(number)
    return reasons or frozenset(days)


# --------------------------------------------------------------------------- the reader


def _type(key: str) -> Phrase:
    return Phrase(f"schedule.type.{key}")


class _Reader:
    """Walks one parsed document, collecting every problem with its line."""

    def __init__(
        self,
        path: Path,
        text: str,
        zones: Collection[str] | None,
        clip_refs: Mapping[str, float] | None,
    ) -> None:
        self.path = path
        self.file = str(path)
        self.lines = map_lines(text)
        self.zones = None if zones is None else [_nfc(zone) for zone in zones]
        self.clip_refs = clip_refs
        self.problems: list[Problem] = []

    # ---- reporting

    def report(
        self, message_key: str, where: tuple, /, severity: str = ERROR, **params: object
    ) -> None:
        self.problems.append(
            Problem(self.file, self.lines.line_of(where), message_key, params, severity=severity)
        )

    def place(self, phrase: Phrase, where: tuple) -> None:
        """Report a reason returned by one of the parse_* helpers."""
        self.report(phrase.key, where, **phrase.params)

    def wrong_type(self, where: tuple, expected: str, got: Any) -> None:
        self.report(
            "schedule.wrong_type",
            where,
            key=".".join(str(p) for p in where if isinstance(p, str)),
            expected=_type(expected),
            got=_show(got),
        )

    def unknown_keys(self, table: Mapping[str, Any], where: tuple, allowed: tuple) -> None:
        for name in table:
            if name in allowed:
                continue
            hint = _did_you_mean(name, allowed)
            if not hint and not where:  # a campaign or slot key above its table
                if name in CAMPAIGN_KEYS:
                    hint = Phrase("schedule.hint_move", {"table": "[campaign]"})
                elif name in SLOT_KEYS:
                    hint = Phrase("schedule.hint_move", {"table": "[[slot]]"})
            label = ".".join([*(p for p in where if isinstance(p, str)), name])
            self.report("schedule.unknown_key", (*where, name), key=label, hint=hint)

    def missing(self, where: tuple, key: str, example: str) -> None:
        self.report("schedule.missing_key", where, key=key, example=example)

    # ---- values

    def text_value(self, table: Mapping[str, Any], where: tuple) -> str | None:
        value = table[where[-1]]
        if not isinstance(value, str):
            self.wrong_type(where, "text", value)
            return None
        value = _nfc(value).strip()
        if not value:
            self.report("schedule.empty_text", where, key=where[-1])
            return None
        return value

    def date_value(self, value: Any, where: tuple) -> date | None:
        if isinstance(value, datetime) or not isinstance(value, date | str):
            self.wrong_type(where, "date", value)
            return None
        parsed = value if isinstance(value, date) else parse_date_text(value)
        if isinstance(parsed, Phrase):
            self.place(parsed, where)
            return None
        if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
            self.report(
                "schedule.bad_year", where, year=parsed.year, first=FIRST_YEAR, last=LAST_YEAR
            )
            return None
        return parsed

    def text_list(self, table: Mapping[str, Any], where: tuple, example: str) -> list[str] | None:
        value = table[where[-1]]
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            self.wrong_type(where, "text_list", value)
            return None
        cleaned = [_nfc(item).strip() for item in items]
        if not any(cleaned):
            self.report("schedule.empty_list", where, key=where[-1], example=example)
            return None
        if not all(cleaned):
            self.report("schedule.empty_text", where, key=where[-1])
            return None
        return cleaned

    # ---- tables

    def campaign(self, table: Mapping[str, Any]) -> tuple[str, date, date, frozenset] | None:
        where = ("campaign",)
        self.unknown_keys(table, where, CAMPAIGN_KEYS)
        examples = {"name": 'name = "Tắt sóng 2G"', "start": "start = 2024-08-01"}
        examples["end"] = "end = 2024-09-16"
        values: dict[str, Any] = {}
        for key in ("name", "start", "end"):
            if key not in table:
                self.missing(where, f"campaign.{key}", examples[key])
            elif key == "name":
                values[key] = self.text_value(table, (*where, key))
            else:
                values[key] = self.date_value(table[key], (*where, key))
        name, start, end = values.get("name"), values.get("start"), values.get("end")
        if start and end and end < start:
            self.report(
                "schedule.end_before_start", (*where, "end"), end=_dmy(end), start=_dmy(start)
            )
        elif start and end and (end - start).days > MAX_WINDOW_DAYS:
            self.report(
                "schedule.window_too_long",
                (*where, "end"),
                start=_dmy(start),
                end=_dmy(end),
                years=MAX_WINDOW_DAYS // 366,
            )
            end = None
        exceptions: set[date] = set()
        if "except" in table:
            raw = table["except"]
            ok = True
            for item in raw if isinstance(raw, list) else [raw]:
                parsed = self.date_value(item, (*where, "except"))
                ok = ok and parsed is not None
                if parsed is not None:
                    exceptions.add(parsed)
            if ok and start and end and start <= end:
                for day in sorted(exceptions):
                    if not start <= day <= end:
                        self.report(
                            "schedule.except_outside",
                            (*where, "except"),
                            severity=WARNING,
                            date=_dmy(day),
                            start=_dmy(start),
                            end=_dmy(end),
                        )
        if name and start and end and start <= end:
            return name, start, end, frozenset(exceptions)
        return None

    def slot(self, index: int, table: Mapping[str, Any]) -> tuple[str, Slot | None]:
        """(name, Slot or None if the slot has an error)."""
        where = ("slot", index)
        before = len(self.errors())
        self.unknown_keys(table, where, SLOT_KEYS)
        name = f"slot-{index + 1}"
        if "name" in table:
            name = self.text_value(table, (*where, "name")) or name
        examples = {
            "time": 'time = "06:30"',
            "days": 'days = "hằng ngày"',
            "playlist": 'playlist = ["thong-bao-tat-song-2g"]',
            "zones": 'zones = "tất cả"',
        }
        for key, example in examples.items():
            if key not in table:
                self.missing(where, f"slot.{key}", example)

        clock = self.time_value(table, (*where, "time")) if "time" in table else None
        days = self.days_value(table, (*where, "days")) if "days" in table else None
        playlist = None
        if "playlist" in table:
            playlist = self.text_list(table, (*where, "playlist"), examples["playlist"])
            if playlist is not None and self.clip_refs is not None:
                self.check_clips(playlist, (*where, "playlist"))
        zones = self.zones_value(table, (*where, "zones")) if "zones" in table else None

        repeat = DEFAULT_REPEAT
        if "repeat" in table:
            value = table["repeat"]
            if isinstance(value, bool) or not isinstance(value, int):
                self.wrong_type((*where, "repeat"), "whole", value)
            elif not REPEAT_MIN <= value <= REPEAT_MAX:
                self.report("schedule.bad_repeat", (*where, "repeat"), value=value)
            else:
                repeat = value
        gap = DEFAULT_GAP_SECONDS
        if "gap_seconds" in table:
            value = table["gap_seconds"]
            if isinstance(value, bool) or not isinstance(value, int | float):
                self.wrong_type((*where, "gap_seconds"), "number", value)
            elif not GAP_MIN <= value <= GAP_MAX:  # also refuses nan and inf
                self.report("schedule.bad_gap", (*where, "gap_seconds"), value=value)
            else:
                gap = float(value)

        if len(self.errors()) > before or None in (clock, days, playlist, zones):
            return name, None
        return name, Slot(
            name=name,
            time=clock,
            days=days,
            playlist=tuple(playlist),
            repeat=repeat,
            gap_seconds=gap,
            zones=zones,
            line=self.lines.line_of(where),
        )

    def time_value(self, table: Mapping[str, Any], where: tuple) -> time | None:
        value = table["time"]
        if isinstance(value, time):
            return value.replace(tzinfo=None)
        if not isinstance(value, str):
            self.wrong_type(where, "time", value)
            return None
        parsed = parse_time_text(value)
        if isinstance(parsed, Phrase):
            self.place(parsed, where)
            return None
        return parsed

    def days_value(self, table: Mapping[str, Any], where: tuple) -> frozenset[int] | None:
        value = table["days"]
        if not isinstance(value, str | list):
            self.wrong_type(where, "days", value)
            return None
        parsed = parse_days(value)
        if isinstance(parsed, list):
            for phrase in parsed:
                self.place(phrase, where)
            return None
        if not parsed:
            self.report("schedule.empty_list", where, key="days", example='days = ["T2", "T4"]')
            return None
        return parsed

    def zones_value(self, table: Mapping[str, Any], where: tuple) -> tuple[str, ...] | None:
        names = self.text_list(table, where, 'zones = "tất cả"')
        if names is None:
            return None
        if any(_fold(name) in _ALL_ZONE_WORDS for name in names):
            return (ALL_ZONES,) if self.zones is None else tuple(self.zones)
        chosen: list[str] = []
        known = True
        for name in names:
            if self.zones is not None and name not in self.zones:
                known = False
                self.report(
                    "schedule.unknown_zone",
                    where,
                    zone=name,
                    known=", ".join(self.zones) or "—",
                    hint=_did_you_mean(name, self.zones),
                )
            elif name not in chosen:
                chosen.append(name)
        return tuple(chosen) if known else None

    def check_clips(self, playlist: list[str], where: tuple) -> None:
        assert self.clip_refs is not None
        for ref in playlist:
            if ref not in self.clip_refs:
                self.report(
                    "schedule.unknown_clip",
                    where,
                    ref=ref,
                    hint=_did_you_mean(ref, self.clip_refs),
                )

    # ---- the whole document

    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    def read(self, doc: Mapping[str, Any]) -> Schedule | None:
        self.unknown_keys(doc, (), TOP_KEYS)
        campaign = None
        if "campaign" not in doc:
            self.missing((), "campaign", '[campaign] name = "..." start = ... end = ...')
        elif not isinstance(doc["campaign"], dict):
            self.wrong_type(("campaign",), "table", doc["campaign"])
        else:
            campaign = self.campaign(doc["campaign"])

        slots: list[Slot] = []
        raw_slots = doc.get("slot")
        if raw_slots is None or raw_slots == []:
            self.report("schedule.no_slots", ("campaign",))
        elif isinstance(raw_slots, dict):
            self.report("schedule.slot_not_array", ("slot",))
        elif not isinstance(raw_slots, list):
            self.wrong_type(("slot",), "table", raw_slots)
        else:
            seen: dict[str, int] = {}
            for index, table in enumerate(raw_slots):
                if not isinstance(table, dict):
                    self.wrong_type(("slot", index), "table", table)
                    continue
                name, slot = self.slot(index, table)
                name_line = self.lines.line_of(("slot", index, "name"))
                if name in seen:
                    self.report(
                        "schedule.duplicate_slot",
                        ("slot", index, "name"),
                        name=name,
                        other_line=seen[name],
                    )
                else:
                    seen[name] = name_line
                if slot is not None:
                    slots.append(slot)
                    if campaign is not None:
                        self.warn_if_silent(slot, campaign[1], campaign[2], campaign[3], index)

        if self.errors() or campaign is None:
            return None
        name, start, end, exceptions = campaign
        return Schedule(
            path=self.path,
            campaign=name,
            start=start,
            end=end,
            exceptions=exceptions,
            slots=tuple(slots),
        )

    def warn_if_silent(
        self, slot: Slot, start: date, end: date, exceptions: frozenset[date], index: int
    ) -> None:
        """Warn about a slot that never plays (e.g. only Sundays in a Mon–Fri window)."""
        day = start
        while day <= end:
            if day.weekday() in slot.days and day not in exceptions:
                return
            day += timedelta(days=1)
        self.report(
            "schedule.never_plays",
            ("slot", index, "days"),
            severity=WARNING,
            start=_dmy(start),
            end=_dmy(end),
        )


# --------------------------------------------------------------------------- syntax errors

_DATE_LITERAL = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def _syntax_problem(file: str, text: str, error: tomllib.TOMLDecodeError) -> Problem:
    """The TOML syntax error, turned into advice for the two mistakes people really make.

    An impossible date written as a TOML date (2025-02-30) is reported as that, and a
    bare value that only needed quotes (time = 06:30, days = [T2, T4]) gets the
    corrected line as a suggestion, offered only if the corrected line is valid TOML.
    """
    line, detail = syntax_error_line(error)
    lines = text.splitlines()
    if detail.endswith("(at end of document)"):  # e.g. a key written twice
        detail = detail.removesuffix("(at end of document)").strip()
        line = max(1, len(lines))
    raw = lines[line - 1] if 1 <= line <= len(lines) else ""
    for match in _DATE_LITERAL.finditer(raw.split("#", 1)[0]):
        year, month, day = (int(part) for part in match.groups())
        reason = _make_date(match.group(0), year, month, day)
        if isinstance(reason, Phrase):
            return Problem(file, line, reason.key, dict(reason.params))
    return Problem(file, line, "schedule.toml_syntax", {"detail": detail, "hint": _quote_hint(raw)})


def _quote_hint(raw: str) -> Phrase | str:
    match = re.match(r"^\s*([A-Za-z0-9_\-]+)\s*=\s*([^#]*?)\s*(#.*)?$", raw)
    if not match:
        return ""
    key, value = match.group(1), match.group(2)

    def quoted(item: str) -> str:
        item = item.strip()
        return item if item[:1] in ("'", '"') else f'"{item}"'

    if value.startswith("[") and value.endswith("]"):
        parts = [part for part in value[1:-1].split(",") if part.strip()]
        fixed_value = "[" + ", ".join(quoted(part) for part in parts) + "]"
    else:
        fixed_value = quoted(value)
    fixed = f"{key} = {fixed_value}"
    try:
        tomllib.loads(fixed)
    except tomllib.TOMLDecodeError:
        return ""
    return Phrase("schedule.hint_quote", {"fixed": fixed})


# --------------------------------------------------------------------------- public API


def read_schedule_text(path: Path) -> str | Problem:
    """The text of a schedule file, or why it cannot be read (never raises on a bad file).

    Opened without blocking and checked to be a regular file of at most
    ``MAX_FILE_BYTES``: a named pipe left in the folder would otherwise hang the
    daemon's reload for ever, and a huge file would fill the memory.
    """
    file = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return Problem(file, None, "schedule.missing_file", {})
    except OSError as exc:
        return Problem(file, None, "schedule.unreadable", {"detail": exc.strerror or str(exc)})
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            detail = Phrase("schedule.not_regular")
            return Problem(file, None, "schedule.unreadable", {"detail": detail})
        with os.fdopen(fd, "rb", closefd=False) as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
        size = max(len(raw), os.fstat(fd).st_size)
    except OSError as exc:
        return Problem(file, None, "schedule.unreadable", {"detail": exc.strerror or str(exc)})
    finally:
        os.close(fd)
    if size > MAX_FILE_BYTES:
        too_big = {"kilobytes": size // 1024, "maximum": MAX_FILE_BYTES // 1024}
        return Problem(file, None, "schedule.too_big", too_big)
    try:
        return raw.decode("utf-8-sig")  # Windows Notepad adds a BOM
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return Problem(file, line, "schedule.not_utf8", {})


def _parse(
    path: Path,
    text: str | None,
    zones: Collection[str] | None,
    clip_refs: Mapping[str, float] | None,
) -> tuple[Schedule | None, list[Problem], LineMap | None]:
    path = Path(path)
    file = str(path)
    if text is None:
        read = read_schedule_text(path)
        if isinstance(read, Problem):
            return None, [read], None
        text = read
    text = text.removeprefix("\ufeff")
    if not text.strip():
        return None, [Problem(file, 1, "schedule.empty", {})], None
    try:
        doc = tomllib.loads(text)
        if not doc:  # comments only
            return None, [Problem(file, 1, "schedule.empty", {})], None
        reader = _Reader(path, text, zones, clip_refs)
        schedule = reader.read(doc)
    except tomllib.TOMLDecodeError as exc:
        return None, [_syntax_problem(file, text, exc)], None
    except RecursionError:
        return None, [Problem(file, deepest_line(text), "schedule.too_deep", {})], None
    except Exception as exc:  # whatever one file does, it stays that file's refusal
        detail = f"{type(exc).__name__}: {exc}"
        return None, [Problem(file, None, "schedule.unexpected", {"detail": detail})], None
    return schedule, reader.problems, reader.lines


def parse_schedule(
    path: Path, text: str | None = None, *, zones: Collection[str] | None = None
) -> tuple[Schedule | None, list[Problem]]:
    """Check one schedule file on its own; the Schedule is None if there is any error.

    *text* is read from *path* when not given. With *zones* (the configured zone
    names) unknown zones are errors and "tất cả"/"all" expands to them; without, any
    zone name is accepted and "all" stays ``(ALL_ZONES,)``. Never raises on bad input:
    unreadable, non-UTF-8, empty and invalid files all come back as Problems.
    """
    schedule, problems, _ = _parse(Path(path), text, zones, None)
    return schedule, problems


def check_schedules(
    paths: Iterable[Path],
    *,
    zones: Collection[str],
    clip_refs: Mapping[str, float],
    warmup: float,
    tail: float,
    tz: tzinfo,
    texts: Mapping[Path, str] | None = None,
) -> tuple[list[Schedule], list[Problem]]:
    """Check every file, then everything that needs the box's config and clip library.

    *clip_refs* maps clip ids and titles to durations in seconds. Playlist entries
    missing from it and unknown zones are errors; so is any pair of slots (of one
    file or two) whose sessions overlap on some date, reported once per pair on the
    later slot (by file name, then line) with the first date and the number of others.
    *texts* gives the text of some paths instead of reading them (a file's last good
    version, or the very text that will be kept).

    Returns the schedules of files without any error, so a broken or colliding file
    plays nothing while the others keep playing, and every problem of every file.
    """
    refs = {_nfc(ref): float(seconds) for ref, seconds in clip_refs.items()}
    texts = texts or {}
    parsed: list[tuple[Schedule, LineMap]] = []
    problems: list[Problem] = []
    for path in dict.fromkeys(Path(path) for path in paths):  # a file named twice is one file
        schedule, found, lines = _parse(path, texts.get(path), zones, refs)
        problems.extend(found)
        if schedule is not None and lines is not None:
            parsed.append((schedule, lines))

    collisions = _overlap_problems(parsed, refs, warmup=warmup, tail=tail, tz=tz)
    problems.extend(collisions)
    broken = {problem.file for problem in collisions}
    return [schedule for schedule, _ in parsed if str(schedule.path) not in broken], problems


def _overlap_problems(
    parsed: list[tuple[Schedule, LineMap]],
    refs: Mapping[str, float],
    *,
    warmup: float,
    tail: float,
    tz: tzinfo,
) -> list[Problem]:
    """One problem per colliding pair of slots, found by planning every campaign fully."""
    if not parsed:
        return []
    by_file: dict[str, tuple[Schedule, LineMap]] = {}
    for schedule, lines in parsed:
        by_file.setdefault(schedule.path.name, (schedule, lines))
    places: dict[tuple[str, str], tuple[str, int, str]] = {}

    def whereabouts(session: PlannedSession) -> tuple[str, int, str]:
        """(file, line of the slot's time, slot name), cached: there is one per slot."""
        ident = (session.schedule_file, session.slot)
        if ident not in places:
            schedule, lines = by_file[session.schedule_file]
            index = next(i for i, slot in enumerate(schedule.slots) if slot.name == session.slot)
            # A valid schedule keeps all its slots in file order: index i is [[slot]] i.
            line = lines.line_of(("slot", index, "time"))
            places[ident] = (str(schedule.path), line, session.slot)
        return places[ident]

    first = min(schedule.start for schedule, _ in parsed)
    last = max(schedule.end for schedule, _ in parsed)
    sessions = plan_sessions(
        [schedule for schedule, _ in parsed],
        first,
        last,
        tz=tz,
        clip_refs=refs,
        warmup=warmup,
        tail=tail,
    )
    # find_overlaps yields (earlier, later) in the order of the later session, so the
    # first pair of each group is the first collision in time.
    firsts: dict[tuple, tuple[PlannedSession, PlannedSession]] = {}
    dates: dict[tuple, set[date]] = {}
    for earlier, later in find_overlaps(sessions):
        here, there = sorted((whereabouts(earlier), whereabouts(later)))
        firsts.setdefault((here, there), (earlier, later))
        dates.setdefault((here, there), set()).add(later.at.date())

    problems = []
    for (here, there), (earlier, later) in firsts.items():
        start = later.at
        end = min(earlier.ends, later.ends, key=datetime.timestamp)
        more = len(dates[here, there]) - 1
        problems.append(
            Problem(
                there[0],
                there[1],
                "schedule.overlap",
                {
                    "other": here[2],
                    "other_file": Path(here[0]).name,
                    "other_line": here[1],
                    "date": _dmy(start.date()),
                    "start": _hm(start),
                    "end": _hm(max(end, start, key=datetime.timestamp)),
                    "more": _more_days(more),
                },
            )
        )
    problems.sort(key=lambda p: (p.file, p.line))
    return problems


def _more_days(count: int) -> Phrase | str:
    if not count:
        return ""
    key = "schedule.overlap_more.one" if count == 1 else "schedule.overlap_more"
    return Phrase(key, {"count": count})


def schedule_files(directory: Path) -> list[Path]:
    """The ``*.toml`` files of *directory*, sorted by name; hidden files are ignored.

    Editors leave hidden swap and backup files next to the real one (".x.toml.swp",
    ".#x.toml"); those must never be read as campaigns. A missing directory has no
    schedules.
    """
    directory = Path(directory)
    if not directory.is_dir():
        return []
    return sorted(
        (path for path in directory.glob("*.toml") if not path.name.startswith(".")),
        key=lambda path: path.name,
    )
