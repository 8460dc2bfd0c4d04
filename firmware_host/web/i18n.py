"""The reader's language, and times, sizes and durations said in it.

Vietnamese unless the reader chose English with the switch (a cookie, kept a year);
the browser's Accept-Language is not asked, since an officer's phone is often set to
English while the officer reads Vietnamese. Every sentence comes from the message
catalogue (the ``web.*`` keys), rendered in this thread's language for the request
(:func:`firmware_host.messages.set_thread_language`), so a :class:`LoaxaError` raised by
the library prints in the reader's language too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Request, session

from firmware_host.messages import CATALOG, LANGUAGES, language, t

COOKIE = "loaxa_lang"
COOKIE_DAYS = 365


def language_of(request: Request) -> str:
    chosen = request.cookies.get(COOKIE, "")
    return chosen if chosen in LANGUAGES else LANGUAGES[0]


def notice(key: str, *, error: bool = False, **params: object) -> None:
    """A message for the next page the reader sees, kept in the session as a key and its
    parameters: it is rendered in the language of that page, which the reader may just
    have switched."""
    session.setdefault("notices", []).append({"key": key, "params": params, "error": error})
    session.modified = True


def take_notices() -> list[dict[str, Any]]:
    """The notices waiting for this page, each shown once."""
    return session.pop("notices", []) if "notices" in session else []


def moment(iso: str | None, zone: ZoneInfo) -> datetime | None:
    """An ISO time from the daemon or a file, in the box's zone (None if unreadable)."""
    if not iso:
        return None
    try:
        parsed = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return None
    return parsed.astimezone(zone) if parsed.tzinfo else parsed.replace(tzinfo=zone)


def clock_time(iso: str | None, zone: ZoneInfo) -> str:
    """``07:30`` in the box's zone, or "" when there is no readable time."""
    at = moment(iso, zone)
    return at.strftime("%H:%M") if at else ""


def day_and_time(iso: str | None, zone: ZoneInfo, *, year: bool = True) -> str:
    """``05/03/2026 07:30`` (``05/03 07:30`` without the *year*): Vietnam writes the
    day first, and so do the reports."""
    at = moment(iso, zone)
    return at.strftime("%d/%m/%Y %H:%M" if year else "%d/%m %H:%M") if at else ""


def day_or_time(iso: str | None, zone: ZoneInfo) -> str:
    """``07:30`` today, ``mai 07:30`` tomorrow, ``06/03 07:30`` another day (the next
    sessions of the home page)."""
    at = moment(iso, zone)
    if at is None:
        return ""
    days = (at.date() - datetime.now(zone).date()).days
    if days == 0:
        return at.strftime("%H:%M")
    if days == 1:
        return t("web.tomorrow", time=at.strftime("%H:%M"))
    return at.strftime("%d/%m %H:%M")


def status_text(status: str) -> str:
    """A log status in words (``bỏ lỡ``); a status this version does not know, as it is."""
    key = f"status.{status}"
    return t(key) if key in CATALOG else status


def tier_text(tier: str | None) -> str:
    """A tier of TT 39/2020 in words (``ưu tiên``); one this version does not know, as it is."""
    key = f"tier.{tier}"
    return t(key) if key in CATALOG else str(tier or "")


def decimal(value: float | None, digits: int = 1) -> str:
    """``-23,4`` in Vietnamese, ``-23.4`` in English; a true minus sign."""
    if value is None:
        return ""
    text = f"{value:.{digits}f}".replace("-", "−")
    return text.replace(".", ",") if language() == "vi" else text


@dataclass(frozen=True)
class Figure:
    """A number kept in a sentence to render later (a job's verdict): with the decimal
    mark of whoever reads it."""

    value: float
    digits: int = 1

    def __str__(self) -> str:
        return decimal(self.value, self.digits)


def weekdays_text(days: Iterable[int]) -> str:
    """``T2, T4, T6``, or ``hằng ngày`` for all seven."""
    chosen = sorted(set(days))
    if len(chosen) == 7:
        return t("web.schedules.every_day")
    return ", ".join(t(f"weekday.{day}") for day in chosen)


def byte_size(count: int | float | None) -> str:
    """``12,3 GB`` (a decimal comma in Vietnamese) or ``12.3 GB``."""
    if count is None:
        return ""
    value, units = float(count), ["B", "KB", "MB", "GB", "TB"]
    while value >= 1000 and len(units) > 1:
        value, units = value / 1000, units[1:]
    unit = units[0]
    text = f"{value:.0f}" if unit == "B" else f"{value:.1f}"
    return (text.replace(".", ",") if language() == "vi" else text) + f" {unit}"
