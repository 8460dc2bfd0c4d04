"""The words operators write in a schedule: dates, times, weekdays, zone words (pure).

Generous about *spelling* (``"T2-T6"``, ``"Thứ 2"``, ``"mon"``, ``"01/08/2024"``, NFD or
NFC): every parser returns the value or the reason it is not one, as a
:class:`~firmware_host.schedules.model.Phrase` the reader places on a line.
"""

from __future__ import annotations

import calendar
import difflib
import re
import unicodedata
from collections.abc import Iterable
from datetime import date, time
from typing import Any

from firmware_host.schedules.model import Phrase
from firmware_host.textout import nfc


def fold(text: str) -> str:
    """Lower case, no diacritics, no spaces: "Thứ  Bảy" and "thu bay" become "thubay".

    Used only to recognise fixed words (day names, "tất cả"), where an operator typing
    without a Vietnamese keyboard should still be understood.
    """
    decomposed = unicodedata.normalize("NFD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", "", bare.replace("đ", "d"))


def squash(text: str) -> str:
    """Lower case NFC without spaces, keeping diacritics ("thứ" must not read as "thu")."""
    return re.sub(r"\s+", "", nfc(text).casefold())


def show(value: Any) -> str:
    """A value as the operator wrote it in TOML, for "must be X, not Y" messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, date | time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(show(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{…}"
    return repr(value)






def close_match(name: str, candidates: Iterable[str]) -> str | None:
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


def did_you_mean(name: str, candidates: Iterable[str]) -> Phrase | str:
    close = close_match(name, candidates)
    return Phrase("schedule.did_you_mean", {"name": close}) if close else ""


# --------------------------------------------------------------------------- dates and times

_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")


def make_date(text: str, year: int, month: int, day: int) -> date | Phrase:
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
        return make_date(stripped, year, month, day)
    if match := _DMY_DATE.match(stripped):
        day, month, year = (int(part) for part in match.groups())
        return make_date(stripped, year, month, day)
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
EVERY_DAY = {"hangngay", "moingay", "everyday", "daily"}
ALL_ZONE_WORDS = {"all", "tatca"}
_RANGE = re.compile(r"\s*(?:-|–|—|\.\.|…)\s*|\s+(?:đến|den|tới|toi|to)\s+", re.IGNORECASE)


def one_day(word: str) -> int | None:
    squashed = squash(word)
    if squashed in _EN_DAYS:
        return _EN_DAYS[squashed]
    return _VI_DAYS.get(fold(word))


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
            reasons.append(Phrase("schedule.bad_day", {"value": show(item)}))
            continue
        for raw in re.split(r"[,;]", nfc(item)):
            word = raw.strip()
            if not word:
                continue  # "T2, T4," or ""; nothing at all is reported by the caller
            if fold(word) in EVERY_DAY:
                days.update(range(7))
                continue
            ends = _RANGE.split(word)
            if len(ends) == 2 and all(ends):
                first, last = one_day(ends[0]), one_day(ends[1])
                if first is None or last is None:
                    bad = ends[0] if first is None else ends[1]
                    reasons.append(Phrase("schedule.bad_day", {"value": bad.strip()}))
                elif first > last:
                    reasons.append(Phrase("schedule.day_range_reversed", {"value": word}))
                else:
                    days.update(range(first, last + 1))
                continue
            number = one_day(word)
            if number is None:
                reasons.append(Phrase("schedule.bad_day", {"value": word}))
            else:
                days.add(number)
    return reasons or frozenset(days)


# --------------------------------------------------------------------------- stream addresses

STREAM_SCHEMES = ("http", "https")
URL_MAX = 2048


def stream_url_problem(url: str) -> Phrase | None:
    """Why *url* may not be relayed, or None: only ``http://`` and ``https://`` with a host.

    ffmpeg reads "file:", "concat:", "subfile:", "data:" and a bare path as local files
    or as several inputs glued together; a schedule from a stick must never make the
    loudspeakers read the box's own files. The player enforces the same list again
    (``-protocol_whitelist``), and the playlist a URL serves is checked when it opens.
    """
    if not url or len(url) > URL_MAX or any(ch.isspace() or not ch.isprintable() for ch in url):
        return Phrase("schedule.stream_url_bad", {"url": url[:200]})
    scheme, _, rest = url.partition("://")
    if not rest or scheme.lower() not in STREAM_SCHEMES:
        return Phrase("schedule.stream_url_scheme", {"url": url[:200]})
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    if not host or host.startswith(":"):
        return Phrase("schedule.stream_url_bad", {"url": url[:200]})
    return None


# ALSA names a capture device may have: a PCM the technician defined (a bare name) or a
# card by its hardware name. ALSA also builds plugins from a name ("file:FILE=…"
# writes what it captures to that file), so nothing else is accepted from a schedule.
_CAPTURE_DEVICE = re.compile(
    r"(?:[A-Za-z_][A-Za-z0-9_]*|(?:default|sysdefault|hw|plughw|dsnoop):[A-Za-z0-9_=,.\-]+)"
)


def line_in_device_problem(device: str) -> Phrase | None:
    """Why *device* may not be opened for the line input, or None (see _CAPTURE_DEVICE)."""
    if len(device) <= 200 and _CAPTURE_DEVICE.fullmatch(device):
        return None
    return Phrase("schedule.line_in_device", {"device": device[:200]})
