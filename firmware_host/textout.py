"""Text as an operator reads it: NFC, dates day first, times, tables lined up even with
Vietnamese letters. Shared by every layer above, so each of these is written once."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from firmware_host.messages import t


def nfc(text: str) -> str:
    """NFC form: macOS and some phones hand out NFD text; everything stored is NFC."""
    return unicodedata.normalize("NFC", text)


def dmy(day: date) -> str:
    """Dates are dd/mm/yyyy, as written on every Vietnamese notice board."""
    return day.strftime("%d/%m/%Y")


def hm(moment: datetime | time) -> str:
    """HH:MM, or HH:MM:SS when the seconds are not zero (a slot at 06:30:15)."""
    return moment.strftime("%H:%M:%S" if moment.second else "%H:%M")


def display_width(text: str) -> int:
    """Columns *text* takes: combining marks take none, wide (CJK/emoji) take two."""
    width = 0
    for ch in unicodedata.normalize("NFC", text):
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[str(c) for c in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(display_width(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        padded = [cell + " " * (widths[i] - display_width(cell)) for i, cell in enumerate(row)]
        return "  ".join(padded).rstrip()

    print(line(cells[0]))
    print("  ".join("─" * w for w in widths))
    for row in cells[1:]:
        print(line(row))


def format_seconds(seconds: float) -> str:
    """``m:ss`` (or ``h:mm:ss``), the way a radio operator reads durations."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def status_label(status: str) -> str:
    return t(f"status.{status}")


def session_label(row: dict[str, Any], titles: Sequence[str]) -> str:
    """What a session was, in the officer's words: "Tắt sóng 2G / sáng" for a scheduled
    one, "Phát tay: Thông báo họp thôn" for a manual one (it has no campaign or slot);
    a priority or emergency session says its tier first, an emergency its reason."""
    if row.get("campaign"):
        label = " / ".join(part for part in (row["campaign"], row.get("slot")) if part)
    elif titles:
        label = t("log.manual", titles=", ".join(titles))
    else:
        label = t("log.manual_untitled")
    tier = row.get("tier") or "thuong"
    if tier == "thuong":
        return label
    reason = f" ({row['reason']})" if row.get("reason") else ""
    return f"[{t(f'tier.{tier}').upper()}{reason}] {label}"


def _titles_by_session(rows: Sequence[dict[str, Any]]) -> dict[Any, list[str]]:
    """Clip titles in play order per session, each once (a playlist repeated 3 times
    is still those clips)."""
    titles: dict[Any, list[str]] = {}
    for row in rows:
        if row["kind"] == "clip":
            title = row.get("clip_title") or row.get("clip_id") or ""
            seen = titles.setdefault(row.get("session_id"), [])
            if title and title not in seen:
                seen.append(title)
    return titles


def print_log(rows: Sequence[dict[str, Any]]) -> None:
    """The playback log as a table: sessions, their clips indented, events."""
    titles = _titles_by_session(rows)
    table = []
    for row in rows:
        when = row.get("started") or row.get("scheduled") or ""
        if row["kind"] == "event":
            table.append(
                [when[:10], when[11:19], "—", row.get("note") or row.get("event"), "", "", ""]
            )
            continue
        if row["kind"] == "session":
            played = titles.get(row.get("session_id")) or list(row.get("playlist") or [])
            what = session_label(row, played)
            detail = row.get("error") or row.get("note") or ""
        else:
            what = f"   {row.get('clip_title')} ({row.get('clip_language')})"
            detail = row.get("error") or ""
        table.append(
            [
                when[:10],
                when[11:19],
                status_label(row["status"]),
                what,
                ",".join(row.get("zones") or []),
                format_seconds(row.get("seconds") or 0),
                detail,
            ]
        )
    print_table(
        [
            t("col.date"),
            t("col.time"),
            t("col.status"),
            t("col.what"),
            t("col.zones"),
            t("col.duration"),
            t("col.note"),
        ],
        table,
    )
