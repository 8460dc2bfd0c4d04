"""Read the campaign schedule files an operator writes, and say exactly what is wrong.

A schedule file is TOML, one campaign per file: a ``[campaign]`` table (name, date
window, exception dates) and one ``[[slot]]`` block per broadcast time. The people
writing them are commune staff editing on a phone or a borrowed laptop, so the reader
is generous about *spelling* (``"T2-T6"``, ``"Thứ 2"``, ``"mon"``, ``"01/08/2024"``,
NFD or NFC Unicode) and strict about *meaning*: every problem is reported at once,
with the file and line, in Vietnamese first, and a file with any error plays nothing
rather than playing something the operator did not intend.

``parse_schedule`` checks one file on its own (with the zones and clips, when given);
what needs every file at once (collisions between slots: there is one amplifier and
one audio output) is :mod:`.rules`'.
See docs/schedules.md for the format as the operator sees it.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from firmware_host.schedules.fields import (
    ALL_ZONE_WORDS,
    EVERY_DAY,
    did_you_mean,
    fold,
    line_in_device_problem,
    make_date,
    parse_date_text,
    parse_days,
    parse_time_text,
    show,
    stream_url_problem,
)
from firmware_host.schedules.model import (
    ALL_ZONES,
    DEFAULT_GAP_SECONDS,
    DEFAULT_REPEAT,
    ERROR,
    FIRST_YEAR,
    GAP_MAX,
    GAP_MIN,
    LAST_YEAR,
    MAX_WINDOW_DAYS,
    REPEAT_MAX,
    REPEAT_MIN,
    SOURCE_KINDS,
    SOURCE_MINUTES_MAX,
    STREAM,
    WARNING,
    Phrase,
    Problem,
    Schedule,
    Slot,
    SourceSpec,
)
from firmware_host.textout import dmy, nfc
from firmware_host.tiers import NORMAL, Tier, parse_tier
from firmware_host.tomlpos import (
    LineMap,
    decode_utf8,
    deepest_line,
    map_lines,
    syntax_error_line,
)

# A campaign file is a few KB (10,000 slots take 1 MB, 28 MB of memory to parse); a
# bigger one is a wrong file, and must not be read whole into a Pi Zero's memory.
MAX_FILE_BYTES = 2 * 1024 * 1024

TOP_KEYS = ("campaign", "slot")
CAMPAIGN_KEYS: tuple[str, ...] = ("name", "start", "end", "except")
SLOT_KEYS: tuple[str, ...] = ("name", "time", "days", "playlist", "repeat", "gap_seconds", "zones")
# The tier of TT 39/2020 and a one-off event's single day; a slot's languages.
CAMPAIGN_KEYS += ("tier", "date")
SLOT_KEYS += ("languages", "language_rotation")
# A language code as the clip import takes it (``clips import --clip-lang``).
LANGUAGE_CODE = re.compile(r"[a-z]{2,8}")
# A slot that relays a station (stream or line input); see _Reader.source_value.
SOURCE_KEYS = ("source", "url", "device", "duration_minutes", "until", "fallback", "source_name")
# How operators name the kinds, folded (fields.fold): "line_in", "Line-In", "luồng".
_SOURCE_WORDS = {"stream": "stream", "luong": "stream", "linein": "line-in", "line-in": "line-in"}


# --------------------------------------------------------------------------- the reader


def _type(key: str) -> Phrase:
    return Phrase(f"schedule.type.{key}")


@dataclass(frozen=True)
class _Campaign:
    """The checked ``[campaign]`` table."""

    name: str
    start: date
    end: date
    exceptions: frozenset[date]
    tier: Tier


class _Reader:
    """Walks one parsed document, collecting every problem with its line."""

    def __init__(
        self,
        path: Path,
        text: str,
        zones: Collection[str] | None,
        clip_refs: Mapping[str, float] | None,
        versions: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self.path = path
        self.file = str(path)
        self.lines = map_lines(text)
        self.zones = None if zones is None else [nfc(zone) for zone in zones]
        self.clip_refs = clip_refs
        # clip ref -> {language: clip id} of its translations (with the library only)
        self.versions = versions if clip_refs is not None else None
        self.languages = (
            None
            if self.versions is None
            else {language for family in self.versions.values() for language in family}
        )
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
        params: dict[str, Any] = dict(phrase.params)
        self.report(phrase.key, where, **params)

    def wrong_type(self, where: tuple, expected: str, got: Any) -> None:
        self.report(
            "schedule.wrong_type",
            where,
            key=".".join(str(p) for p in where if isinstance(p, str)),
            expected=_type(expected),
            got=show(got),
        )

    def unknown_keys(self, table: Mapping[str, Any], where: tuple, allowed: tuple) -> None:
        for name in table:
            if name in allowed:
                continue
            hint = did_you_mean(name, allowed)
            if not hint and not where:  # a campaign or slot key above its table
                if name in CAMPAIGN_KEYS:
                    hint = Phrase("schedule.hint_move", {"table": "[campaign]"})
                elif name in SLOT_KEYS or name in SOURCE_KEYS:
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
        value = nfc(value).strip()
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
        cleaned = [nfc(item).strip() for item in items]
        if not any(cleaned):
            self.report("schedule.empty_list", where, key=where[-1], example=example)
            return None
        if not all(cleaned):
            self.report("schedule.empty_text", where, key=where[-1])
            return None
        return cleaned

    # ---- tables

    def campaign(self, table: Mapping[str, Any]) -> _Campaign | None:
        where = ("campaign",)
        self.unknown_keys(table, where, CAMPAIGN_KEYS)
        examples = {"name": 'name = "Tắt sóng 2G"', "start": "start = 2024-08-01"}
        examples["end"] = "end = 2024-09-16"
        values: dict[str, Any] = {}
        # A one-off event (a meeting, a vaccination day) names its day alone.
        keys = ("name", "date") if "date" in table else ("name", "start", "end")
        for key in keys:
            if key not in table:
                self.missing(where, f"campaign.{key}", examples[key])
            elif key == "name":
                values[key] = self.text_value(table, (*where, key))
            else:
                values[key] = self.date_value(table[key], (*where, key))
        if "date" in table:
            for key in ("start", "end"):
                if key in table:
                    self.report("schedule.date_and_window", (*where, key), key=key)
            values["start"] = values["end"] = values.get("date")
        tier = self.tier_value(table, (*where, "tier")) if "tier" in table else NORMAL
        name, start, end = values.get("name"), values.get("start"), values.get("end")
        if start and end and end < start:
            self.report(
                "schedule.end_before_start", (*where, "end"), end=dmy(end), start=dmy(start)
            )
        elif start and end and (end - start).days > MAX_WINDOW_DAYS:
            self.report(
                "schedule.window_too_long",
                (*where, "end"),
                start=dmy(start),
                end=dmy(end),
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
                            date=dmy(day),
                            start=dmy(start),
                            end=dmy(end),
                        )
        if name and start and end and start <= end and tier is not None:
            return _Campaign(name, start, end, frozenset(exceptions), tier)
        return None

    def tier_value(self, table: Mapping[str, Any], where: tuple) -> Tier | None:
        text = self.text_value(table, where)
        if text is None:
            return None
        tier = parse_tier(text)
        if tier is None:
            self.report("schedule.bad_tier", where, value=text)
        return tier

    def slot(
        self, index: int, table: Mapping[str, Any], one_off: bool = False
    ) -> tuple[str, Slot | None]:
        """(name, Slot or None if the slot has an error). A one-off campaign's slots
        need no ``days``: they play on its one day."""
        where = ("slot", index)
        before = len(self.errors())
        self.unknown_keys(table, where, SLOT_KEYS + SOURCE_KEYS)
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
            if key not in table and not (key == "days" and one_off) and not (
                key == "playlist" and "source" in table
            ):
                self.missing(where, f"slot.{key}", example)

        clock = self.time_value(table, (*where, "time")) if "time" in table else None
        days = self.days_value(table, (*where, "days")) if "days" in table else None
        if days is None and one_off and "days" not in table:
            days = frozenset(range(7))
        playlist = None
        if "playlist" in table:
            playlist = self.text_list(table, (*where, "playlist"), examples["playlist"])
            if playlist is not None and self.clip_refs is not None:
                self.check_clips(playlist, (*where, "playlist"))
        zones = self.zones_value(table, (*where, "zones")) if "zones" in table else None
        source = self.source_value(table, where, clock)

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
        languages, rotate_daily = self.languages_of(table, where, playlist)

        if (
            len(self.errors()) > before
            or clock is None
            or days is None
            or (playlist is None and source is None)
            or zones is None
        ):
            return name, None
        return name, Slot(
            name=name,
            time=clock,
            days=days,
            playlist=tuple(playlist or ()),
            repeat=repeat,
            gap_seconds=gap,
            zones=zones,
            line=self.lines.line_of(where),
            languages=languages or (),
            rotate_daily=rotate_daily,
            source=source,
        )

    def languages_of(
        self, table: Mapping[str, Any], where: tuple, playlist: list[str] | None
    ) -> tuple[tuple[str, ...] | None, bool]:
        """(``languages``, whether they rotate daily); every playlist item must exist in
        every language (known only with the clip library)."""
        rotate_daily = False
        if "language_rotation" in table:
            value = table["language_rotation"]
            if not isinstance(value, str) or fold(value) not in EVERY_DAY:
                self.report(
                    "schedule.bad_rotation", (*where, "language_rotation"), value=show(value)
                )
            rotate_daily = True
            if "languages" not in table:
                self.missing(where, "slot.languages", 'languages = ["vi", "ede"]')
        if "languages" not in table:
            return None, rotate_daily
        at = (*where, "languages")
        names = self.text_list(table, at, 'languages = ["vi", "ede"]')
        if names is None:
            return None, rotate_daily
        chosen: list[str] = []
        for name in names:
            code = name.casefold()
            if not LANGUAGE_CODE.fullmatch(code):
                self.report("schedule.bad_language", at, value=name)
            elif code in chosen:
                self.report("schedule.language_twice", at, language=code)
            elif self.languages is not None and code not in self.languages:
                known = ", ".join(sorted(self.languages)) or "—"
                self.report("schedule.unknown_language", at, language=code, known=known)
            else:
                chosen.append(code)
        if len(chosen) < len(names):
            return None, rotate_daily
        if self.versions is not None and playlist is not None:
            for ref in playlist:
                family = self.versions.get(ref, {})  # an unknown clip is reported already
                for code in chosen if family else ():
                    if code not in family:
                        have = ", ".join(sorted(family))
                        self.report(
                            "schedule.missing_translation", at, ref=ref, language=code, have=have
                        )
        return tuple(chosen), rotate_daily

    def source_value(
        self, table: Mapping[str, Any], where: tuple, clock: time | None
    ) -> SourceSpec | None:
        """The slot's ``source`` block (kind, url or device, length, fallback, name), or
        None when it has none or it is wrong (each problem reported on its line).

        The length is ``duration_minutes`` or ``until = "HH:MM"`` (the same day, after
        ``time``): the plan and the overlap check need it, and the relay stops there.
        """
        given = [key for key in SOURCE_KEYS if key in table]
        if "source" not in table:
            for key in given:
                self.report("schedule.source_key_alone", (*where, key), key=key)
            return None
        kind_text = self.text_value(table, (*where, "source"))
        if kind_text is None:
            return None
        kind = _SOURCE_WORDS.get(fold(kind_text).replace("_", ""))
        if kind not in SOURCE_KINDS:
            self.report(
                "schedule.bad_source",
                (*where, "source"),
                value=kind_text,
                choices=", ".join(SOURCE_KINDS),
            )
            return None
        place = "url" if kind == STREAM else "device"
        other = "device" if kind == STREAM else "url"
        if other in table:
            self.report("schedule.source_key_wrong", (*where, other), key=other, kind=kind)
        address = None
        if place not in table:
            example = 'url = "https://…/vov1.mp3"' if kind == STREAM else 'device = "plughw:1,0"'
            self.missing(where, f"slot.{place}", example)
        else:
            address = self.text_value(table, (*where, place))
            reason = None
            if address is not None:
                check = stream_url_problem if kind == STREAM else line_in_device_problem
                reason = check(address)
            if reason is not None:
                self.place(reason, (*where, place))
                address = None
        seconds = self.source_seconds(table, where, clock)
        fallback = None
        if "fallback" in table:
            fallback = self.text_value(table, (*where, "fallback"))
            if fallback is not None and self.clip_refs is not None:
                self.check_clips([fallback], (*where, "fallback"))
                length = self.clip_refs.get(fallback)
                if length is not None and seconds is not None and length > seconds:
                    self.report(
                        "schedule.fallback_too_long",
                        (*where, "fallback"),
                        severity=WARNING,
                        clip=fallback,
                        clip_minutes=round(length / 60, 1),
                        minutes=round(seconds / 60, 1),
                    )
        name = self.text_value(table, (*where, "source_name")) if "source_name" in table else None
        if address is None or seconds is None:
            return None
        return SourceSpec(
            kind=kind,
            url=address if kind == STREAM else None,
            device=None if kind == STREAM else address,
            seconds=seconds,
            fallback=fallback,
            name=name,
            line=self.lines.line_of((*where, place)),
        )

    def source_seconds(
        self, table: Mapping[str, Any], where: tuple, clock: time | None
    ) -> float | None:
        if ("duration_minutes" in table) == ("until" in table):
            if "until" in table:
                self.report("schedule.duration_and_until", (*where, "until"))
            else:
                self.missing(where, "slot.duration_minutes", "duration_minutes = 30")
            return None
        if "duration_minutes" in table:
            value = table["duration_minutes"]
            here = (*where, "duration_minutes")
            if isinstance(value, bool) or not isinstance(value, int | float):
                self.wrong_type(here, "number", value)
            elif not 0 < value <= SOURCE_MINUTES_MAX:  # also refuses nan and inf
                self.report(
                    "schedule.bad_duration", here, value=value, maximum=SOURCE_MINUTES_MAX
                )
            else:
                return float(value) * 60
            return None
        here = (*where, "until")
        end = self.time_value(table, here)
        if end is None or clock is None:
            return None
        seconds = (end.hour * 60 + end.minute - clock.hour * 60 - clock.minute) * 60.0
        seconds += end.second - clock.second
        if seconds <= 0:
            self.report("schedule.until_before_time", here, until=end.strftime("%H:%M"))
            return None
        return seconds

    def time_value(self, table: Mapping[str, Any], where: tuple) -> time | None:
        value = table[where[-1]]
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
        if any(fold(name) in ALL_ZONE_WORDS for name in names):
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
                    hint=did_you_mean(name, self.zones),
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
                    hint=did_you_mean(ref, self.clip_refs),
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
        one_off = (
            campaign.start == campaign.end
            if campaign is not None
            else isinstance(doc.get("campaign"), dict) and "date" in doc["campaign"]
        )

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
                name, slot = self.slot(index, table, one_off)
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
                        self.warn_if_silent(
                            slot, campaign.start, campaign.end, campaign.exceptions, index
                        )

        if self.errors() or campaign is None:
            return None
        return Schedule(
            path=self.path,
            campaign=campaign.name,
            start=campaign.start,
            end=campaign.end,
            exceptions=campaign.exceptions,
            slots=tuple(slots),
            tier=campaign.tier,
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
            start=dmy(start),
            end=dmy(end),
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
        reason = make_date(match.group(0), year, month, day)
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
    text = decode_utf8(raw)
    if isinstance(text, int):
        return Problem(file, text, "schedule.not_utf8", {})
    return text


def read_schedule(
    path: Path,
    text: str | None,
    zones: Collection[str] | None,
    clip_refs: Mapping[str, float] | None,
    versions: Mapping[str, Mapping[str, str]] | None = None,
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
        reader = _Reader(path, text, zones, clip_refs, versions)
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
    schedule, problems, _ = read_schedule(Path(path), text, zones, None)
    return schedule, problems


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
