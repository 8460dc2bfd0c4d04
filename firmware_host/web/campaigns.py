"""A campaign file as the panel's form, and the form written back into the file.

The form never judges a value: it writes what the officer typed into the TOML, and
the schedule reader and the box's rules (:class:`~firmware_host.schedules.rules.BoxRules`)
judge the file exactly as ``loaxa schedule check`` and the daemon will. Their problems
carry the file's line; :func:`field_of` maps the line back to the form field it came
from, so a mistake is shown beside the field that holds it, in the checker's words.

The file stays the technician's to edit by hand: an existing file is changed with
tomlkit, key by key, and a key whose meaning did not change is left as it was written
("T2-T6" stays "T2-T6", "01/08/2024" stays a string, the comments stay). A new file
gets a short comment saying where it came from and what the keys mean. Keys the form
does not know (added by hand, or by a later version) are kept as they are.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import tomlkit
from tomlkit.items import AoT, Table

from firmware_host.schedules.fields import (
    ALL_ZONE_WORDS,
    fold,
    parse_date_text,
    parse_days,
    parse_time_text,
)
from firmware_host.schedules.model import DEFAULT_GAP_SECONDS, DEFAULT_REPEAT, Problem
from firmware_host.schedules.reader import CAMPAIGN_KEYS
from firmware_host.textout import dmy, hm, nfc
from firmware_host.tiers import NORMAL, parse_tier
from firmware_host.tomlpos import map_lines

# The reader's own spelling of the weekdays, Monday first (date.weekday()).
WEEKDAY_WORDS = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")
EVERY_DAY = "hằng ngày"
ALL_ZONES = "tất cả"
HAS_TIER = "tier" in CAMPAIGN_KEYS  # the tiers of TT 39/2020, once the reader knows them
NEW_FILE_HEADER = (
    "Chiến dịch viết bằng trang điều khiển Loa Xã; sửa tay cũng được (docs/schedules.md).",
    "Written with the Loa Xã control panel; it may be edited by hand too.",
)
# A slot's keys and the form's names for them.
SLOT_FIELDS = {"gap_seconds": "gap"}

Resolve = Callable[[str], str]
"""A playlist entry as written (a clip's id or title) → the clip's id, else as written."""


@dataclass
class SlotForm:
    name: str = ""
    time: str = ""
    days: list[int] = field(default_factory=list)  # 0 = Monday
    playlist: list[str] = field(default_factory=list)  # clip ids, in order
    zones: list[str] = field(default_factory=list)  # none: every zone
    repeat: str = str(DEFAULT_REPEAT)
    gap: str = f"{DEFAULT_GAP_SECONDS:g}"
    origin: int | None = None  # the slot's place in the file it was read from


@dataclass
class CampaignForm:
    name: str = ""
    start: str = ""  # ISO, as <input type="date"> gives it, or as written in the file
    end: str = ""
    exceptions: str = ""  # "02/09/2026, 03/09/2026"
    tier: str = NORMAL
    slots: list[SlotForm] = field(default_factory=list)


# -- from a file --------------------------------------------------------------------------
def from_text(text: str, resolve: Resolve) -> CampaignForm | None:
    """The form of a campaign file; None when the file is not a campaign table and
    ``[[slot]]`` tables (a syntax error, another shape): edit it as text."""
    try:
        doc = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError:
        return None
    campaign, slots = doc.get("campaign"), doc.get("slot", [])
    if not isinstance(campaign, dict) or not isinstance(slots, list):
        return None
    if not all(isinstance(slot, dict) for slot in slots):
        return None
    return CampaignForm(
        name=_text(campaign.get("name")),
        start=_iso(campaign.get("start")),
        end=_iso(campaign.get("end")),
        exceptions=", ".join(_dmy(day) for day in _listed(campaign.get("except"))),
        tier=parse_tier(campaign.get("tier", NORMAL)) or NORMAL,
        slots=[_slot_form(index, slot, resolve) for index, slot in enumerate(slots)],
    )


def _slot_form(index: int, slot: Mapping[str, Any], resolve: Resolve) -> SlotForm:
    days = parse_days(slot["days"]) if isinstance(slot.get("days"), str | list) else []
    zones = [_text(zone) for zone in _listed(slot.get("zones"))]
    return SlotForm(
        name=_text(slot.get("name")),
        time=_clock(slot.get("time")),
        days=sorted(days) if isinstance(days, frozenset) else [],
        playlist=[resolve(_text(ref)) for ref in _listed(slot.get("playlist"))],
        zones=[] if any(fold(zone) in ALL_ZONE_WORDS for zone in zones) else zones,
        repeat=_text(slot.get("repeat", DEFAULT_REPEAT)),
        gap=_number(slot.get("gap_seconds", DEFAULT_GAP_SECONDS)),
        origin=index,
    )


def _text(value: Any) -> str:
    return "" if value is None else nfc(str(value)).strip()


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _as_date(value: Any) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    parsed = parse_date_text(value) if isinstance(value, str) else None
    return parsed if isinstance(parsed, date) else None


def _iso(value: Any) -> str:
    day = _as_date(value)
    return day.isoformat() if day else _text(value)


def _dmy(value: Any) -> str:
    day = _as_date(value)
    return dmy(day) if day else _text(value)


def _clock(value: Any) -> str:
    if isinstance(value, time):
        return hm(value)
    parsed = parse_time_text(value) if isinstance(value, str) else None
    return hm(parsed) if isinstance(parsed, time) else _text(value)


def _number(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:g}"
    return _text(value)


# -- from the browser ------------------------------------------------------------------------
def from_request(form: Any, slot_count_field: str = "slots") -> CampaignForm:
    """The form as posted (a werkzeug MultiDict): slot *i*'s fields are ``slot-i-…``;
    a slot ticked ``slot-i-remove`` is left out."""
    slots = []
    for index in range(min(_whole(form.get(slot_count_field)), 50)):
        at = f"slot-{index}-"
        if form.get(at + "remove"):
            continue
        origin = form.get(at + "origin", "")
        slots.append(
            SlotForm(
                name=form.get(at + "name", "").strip(),
                time=form.get(at + "time", "").strip(),
                days=sorted({d for d in map(_whole, form.getlist(at + "days")) if 0 <= d < 7}),
                playlist=[ref for ref in form.getlist(at + "playlist") if ref.strip()],
                zones=form.getlist(at + "zones"),
                repeat=form.get(at + "repeat", "").strip(),
                gap=form.get(at + "gap", "").strip(),
                origin=int(origin) if origin.isdigit() else None,
            )
        )
    return CampaignForm(
        name=form.get("name", "").strip(),
        start=form.get("start", "").strip(),
        end=form.get("end", "").strip(),
        exceptions=form.get("except", "").strip(),
        tier=form.get("tier", NORMAL),
        slots=slots,
    )


def _whole(text: Any) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        return -1


# -- back into a file -------------------------------------------------------------------------
def to_text(form: CampaignForm, old_text: str | None, resolve: Resolve, zones: list[str]) -> str:
    """The campaign file for *form*: *old_text* changed where the form changed it, or a
    new file. *zones*: the box's zones (every one ticked is written "tất cả")."""
    if old_text is None:
        doc = tomlkit.document()
        for line in NEW_FILE_HEADER:
            doc.add(tomlkit.comment(line))
        doc.add(tomlkit.nl())
    else:
        doc = tomlkit.parse(old_text.removeprefix("\ufeff"))
    if not isinstance(doc.get("campaign"), Table):
        doc["campaign"] = tomlkit.table()
    campaign = doc["campaign"]
    _put(campaign, "name", form.name or None, _text)
    _put(campaign, "start", _date_value(form.start), _iso)
    _put(campaign, "end", _date_value(form.end), _iso)
    days_off = [_date_value(part) for part in form.exceptions.replace(";", ",").split(",")]
    days_off = [day for day in days_off if day is not None]
    _put(campaign, "except", days_off or None, lambda v: [_iso(d) for d in _listed(v)])
    if HAS_TIER:
        _put(campaign, "tier", form.tier, parse_tier, default=NORMAL)

    old_slots = doc.get("slot")
    if not isinstance(old_slots, AoT):
        if "slot" in doc:
            del doc["slot"]
        old_slots = None
    kept = {slot.origin for slot in form.slots if slot.origin is not None}
    if old_slots is not None:
        for index in reversed(range(len(old_slots))):
            if index not in kept:
                del old_slots[index]
    tables = list(old_slots) if old_slots is not None else []
    new_tables = []
    for place, slot in enumerate(form.slots):
        table = tables[place] if slot.origin is not None and place < len(tables) else None
        if table is None:
            table = tomlkit.table()
            table.trivia.indent = "\n"  # a blank line before its [[slot]], as people write
            new_tables.append(table)
        _put_slot(table, slot, resolve, zones)
    if new_tables:
        if old_slots is None:
            old_slots = tomlkit.aot()
            doc.append("slot", old_slots)
        for table in new_tables:
            old_slots.append(table)
    return tomlkit.dumps(doc)


def _put_slot(table: Table, slot: SlotForm, resolve: Resolve, zones: list[str]) -> None:
    _put(table, "name", slot.name or None, _text)
    _put(table, "time", slot.time or None, _clock)
    days: str | list[str] | None = None
    if len(slot.days) == 7:
        days = EVERY_DAY
    elif slot.days:
        days = [WEEKDAY_WORDS[day] for day in slot.days]
    _put(table, "days", days, _day_set)
    _put(table, "playlist", slot.playlist or None,
         lambda v: [resolve(_text(r)) for r in _listed(v)])  # fmt: skip
    every = not slot.zones or set(slot.zones) >= set(zones)
    _put(table, "zones", ALL_ZONES if every else list(slot.zones), lambda v: _zone_set(v, zones))
    _put(table, "repeat", _typed(slot.repeat), _number, default=DEFAULT_REPEAT)
    _put(table, "gap_seconds", _typed(slot.gap), _number, default=DEFAULT_GAP_SECONDS)


def _day_set(value: Any) -> Any:
    days = parse_days(value) if isinstance(value, str | list) else value
    return days if isinstance(days, frozenset) else repr(value)


def _zone_set(value: Any, zones: list[str]) -> Any:
    names = [_text(zone) for zone in _listed(value)]
    if any(fold(name) in ALL_ZONE_WORDS for name in names):
        return frozenset(zones)
    return frozenset(names)


def _date_value(text: str) -> date | str | None:
    """A date typed or picked: a TOML date when it reads as one, else the text as typed
    (the reader then says what is wrong with it); None when empty."""
    text = text.strip()
    if not text:
        return None
    return _as_date(text) or text


def _typed(text: str) -> int | float | str | None:
    """A number typed in a form: as a TOML number when it is one, else as typed."""
    text = text.strip().replace(",", ".")
    if not text:
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def _put(
    table: Table,
    key: str,
    value: Any,
    meaning: Callable[[Any], Any],
    *,
    default: Any = None,
) -> None:
    """Set *key* to *value* unless it already means the same (then it stays as written);
    None removes it; a *default* value is not written where the key is absent."""
    if value is None:
        if key in table:
            del table[key]
        return
    if key in table:
        written = table[key]
        if meaning(written.unwrap() if hasattr(written, "unwrap") else written) == meaning(value):
            return
    elif default is not None and meaning(value) == meaning(default):
        return
    table[key] = value


# -- problems beside their fields -----------------------------------------------------------------
def field_of(problem: Problem, text: str) -> str:
    """The form field a problem of *text* (the file as written) is about: ``name``,
    ``start``, ``slot-0-time``…; ``campaign`` or ``slot-i`` for a whole table; "" when it
    is about the whole file."""
    if problem.line is None:
        return ""
    where: tuple = ()
    for path, line in map_lines(text).lines.items():
        if line == problem.line and len(path) > len(where):
            where = path
    if problem.key == "schedule.missing_key":
        missing = str(problem.params.get("key", "")).split(".")[-1]
        where = (*where[:2], missing) if where[:1] == ("slot",) else ("campaign", missing)
    return _field(where)


def _field(where: tuple) -> str:
    if where[:1] == ("campaign",):
        return str(where[1]) if len(where) > 1 else "campaign"
    if where[:1] == ("slot",) and len(where) > 1 and isinstance(where[1], int):
        if len(where) > 2:
            return f"slot-{where[1]}-{SLOT_FIELDS.get(str(where[2]), where[2])}"
        return f"slot-{where[1]}"
    return ""
