"""A month's figures, computed from the playback log alone.

What the province asks: *hình thức* (how: broadcast on the commune loudspeaker system),
*số lượt* (how many times) and *phương tiện* (through what: which system, which zones).
The counting rule, stated once here and printed on every report:

* one **lượt** (play) is one clip played to its end in a session, i.e. a clip row
  ``completed``: the session logs that only when the whole stored clip reached the
  sound card and the amplifier and zone relays read back as on at its end (see
  ``session.py``); a session that played its playlist of two clips three times counts
  six lượt;
* a **buổi phát** (session) counts when it completed;
* **thời lượng** (time on air) is the seconds of audio of the completed plays;
* a zone "heard" a play when the zone was switched on for its session;
* a day belongs to the commune's calendar (the session's scheduled time, or its start
  for a manual broadcast, in the configured time zone), so a month ends at local
  midnight, and a session goes with its day even if its last clip ends after midnight;
* interrupted, failed, missed and preempted (cut by an emergency, TT 39/2020) sessions
  are never counted as broadcasts; they are listed separately, with the reason, so the
  report is honest. A clip cut by an emergency is never a lượt;
* the same figures are given by tier of TT 39/2020 (thông thường, ưu tiên, khẩn cấp; a
  log entry written before tiers existed is thông thường) and the lượt by the language
  of the clip that played (a bulletin aired in Vietnamese and in Ê Đê counts a lượt in
  each).
* a **relayed programme** (tiếp sóng: a station's stream or the line input) and a
  **live** microphone session (phát trực tiếp) are forms of their own (``by_form``),
  each counted in lượt (its log entry ``completed``: for a relay, at least ``[relay]
  min_fraction`` of its planned time went out as the station's sound) and in the
  seconds that really went out; the campaign rows count stored clips only;
* a clip made by text-to-speech counts like any clip, and is marked as synthesised.

Pure functions over the rows ``loaxa log --json`` prints: the report can be reconciled
with the log by anyone, and tested without a box.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from firmware_host.tiers import NORMAL, RANK, Tier, parse_tier

MANUAL_CAMPAIGN = ""  # manual broadcasts have no campaign; writers label them


@dataclass(frozen=True)
class Problem:
    """A session that did not broadcast (or not to the end), for the honest part."""

    day: str
    time: str
    campaign: str
    slot: str
    status: str
    reason: str
    plays_completed: int
    live: bool = False  # a microphone session (no campaign, like a play by hand)


@dataclass
class MonthReport:
    commune: Mapping[str, str]  # name, province, station ("" when the commune has one box)
    month: str  # YYYY-MM
    campaign: str | None  # the filter, None for all
    timezone: str
    generated_at: str
    totals: dict[str, Any]
    by_campaign: list[dict[str, Any]]
    by_clip: list[dict[str, Any]]
    by_zone: list[dict[str, Any]]
    by_day: list[dict[str, Any]]
    problems: list[Problem]
    by_form: list[dict[str, Any]]  # relayed programmes and live sessions
    entries: list[dict[str, Any]] = field(repr=False)
    recipient: str = ""  # who the report is addressed to (the province's department)
    by_tier: list[dict[str, Any]] = field(default_factory=list)  # every tier, in rank order
    by_language: list[dict[str, Any]] = field(default_factory=list)
    # the month's hash-chain head when the report was made ({month, seq, hash}): whoever
    # holds the export can later prove the box's log still holds what it counted
    chain_head: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["format"] = "loaxa-month-report/1"
        return data


def _anchor(row: Mapping[str, Any], tz: ZoneInfo) -> datetime:
    """The moment a row belongs to: its session's scheduled time, else its session's start."""
    text = row.get("scheduled") or row.get("session_started") or row.get("started")
    return datetime.fromisoformat(str(text)).astimezone(tz)


def _day_of(row: Mapping[str, Any], tz: ZoneInfo) -> date:
    return _anchor(row, tz).date()


def _time_of(row: Mapping[str, Any], tz: ZoneInfo) -> str:
    return _anchor(row, tz).strftime("%H:%M")


def tier_of(row: Mapping[str, Any]) -> Tier:
    """A log row's tier; rows written before tiers existed are normal."""
    return parse_tier(row.get("tier")) or NORMAL


def _by_tier(
    sessions: Sequence[Mapping[str, Any]], done: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Completed sessions, lượt and seconds per tier, every tier listed (zeros too: "no
    emergency this month" is worth reading), emergency first."""
    acc: dict[Tier, dict[str, Any]] = {
        tier: {"tier": tier, "sessions": 0, "plays": 0, "seconds": 0.0}
        for tier in sorted(RANK, key=RANK.__getitem__)
    }
    for session in sessions:
        if session["status"] == "completed":
            acc[tier_of(session)]["sessions"] += 1
    for play in done:
        acc[tier_of(play)]["plays"] += 1
        acc[tier_of(play)]["seconds"] += float(play.get("seconds") or 0.0)
    return [{**v, "seconds": round(v["seconds"], 3)} for v in acc.values()]


def _by_language(done: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Lượt, seconds and distinct clips per language of the clip that played."""
    acc: dict[str, dict[str, Any]] = {}
    for play in done:
        language = str(play.get("clip_language") or "")
        row = acc.setdefault(
            language, {"language": language, "plays": 0, "seconds": 0.0, "clips": set()}
        )
        row["plays"] += 1
        row["seconds"] += float(play.get("seconds") or 0.0)
        row["clips"].add(play.get("clip_id"))
    return sorted(
        ({**v, "seconds": round(v["seconds"], 3), "clips": len(v["clips"])} for v in acc.values()),
        key=lambda v: (-v["plays"], v["language"]),
    )


def month_rows(
    rows: Iterable[Mapping[str, Any]], month: str, tz: ZoneInfo, campaign: str | None = None
) -> list[dict[str, Any]]:
    """Rows of *month* (local calendar), optionally of one campaign, in log order."""
    chosen = []
    for row in rows:
        if not (row.get("scheduled") or row.get("session_started") or row.get("started")):
            continue
        if _day_of(row, tz).strftime("%Y-%m") != month:
            continue
        if campaign is not None and (row.get("campaign") or MANUAL_CAMPAIGN) != campaign:
            continue
        chosen.append(dict(row))
    return chosen


def build_report(
    rows: Iterable[Mapping[str, Any]],
    *,
    month: str,
    tz: ZoneInfo,
    commune: Mapping[str, str],
    campaign: str | None = None,
    recipient: str = "",
    now: datetime | None = None,
) -> MonthReport:
    entries = month_rows(rows, month, tz, campaign)
    sessions = [r for r in entries if r["kind"] == "session"]
    plays = [r for r in entries if r["kind"] == "clip"]
    completed_sessions = {r["session_id"] for r in sessions if r["status"] == "completed"}
    done = [p for p in plays if p["status"] == "completed"]
    programmes = [r for r in entries if r["kind"] in FORMS]
    live_sessions = {r["session_id"] for r in programmes if r["kind"] == "live"} - {None}

    campaign_acc: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"sessions": 0, "plays": 0, "seconds": 0.0, "zones": set(), "days": set()}
    )
    clip_acc: dict[str, dict[str, Any]] = {}
    zone_acc: dict[str, dict[str, Any]] = defaultdict(lambda: {"sessions": 0, "plays": 0})
    day_acc: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"sessions": 0, "plays": 0, "seconds": 0.0}
    )

    for session in sessions:
        if session["session_id"] not in completed_sessions:
            continue
        name = session.get("campaign") or MANUAL_CAMPAIGN
        day = _day_of(session, tz).isoformat()
        if session.get("playlist"):  # a session that only relayed is in by_form alone
            campaign_acc[name]["sessions"] += 1
            campaign_acc[name]["zones"].update(session.get("zones") or [])
            campaign_acc[name]["days"].add(day)
        day_acc[day]["sessions"] += 1
        for zone in session.get("zones") or []:
            zone_acc[zone]["sessions"] += 1

    for play in done:
        name = play.get("campaign") or MANUAL_CAMPAIGN
        day = _day_of(play, tz).isoformat()
        seconds = float(play.get("seconds") or 0.0)
        campaign_acc[name]["plays"] += 1
        campaign_acc[name]["seconds"] += seconds
        campaign_acc[name]["days"].add(day)
        clip = clip_acc.setdefault(
            play["clip_id"],
            {
                "clip_id": play["clip_id"],
                "title": play.get("clip_title"),
                "language": play.get("clip_language"),
                "sha256": play.get("clip_sha256"),
                "synthesised": play.get("clip_source") == "tts",
                "plays": 0,
                "seconds": 0.0,
            },
        )
        clip["plays"] += 1
        clip["seconds"] += seconds
        for zone in play.get("zones") or []:
            zone_acc[zone]["plays"] += 1
        day_acc[day]["plays"] += 1
        day_acc[day]["seconds"] += seconds

    problems = [
        Problem(
            day=_day_of(s, tz).isoformat(),
            time=_time_of(s, tz),
            campaign=s.get("campaign") or MANUAL_CAMPAIGN,
            slot=s.get("slot") or "",
            status=s["status"],
            reason=s.get("error") or "",
            plays_completed=sum(1 for p in done if p["session_id"] == s["session_id"]),
            live=s["session_id"] in live_sessions,
        )
        for s in sessions
        if s["status"] in ("interrupted", "failed", "missed", "preempted")
    ]
    seconds_on_air = sum(float(p.get("seconds") or 0.0) for p in done)
    by_form, form_days = _by_form(programmes, tz)
    totals = {
        "sessions_completed": len(completed_sessions),
        "plays_completed": len(done),
        "seconds_on_air": round(seconds_on_air, 3),
        "minutes_on_air": round(seconds_on_air / 60, 1),
        "days_with_broadcast": len({d for d, v in day_acc.items() if v["plays"]} | form_days),
        "sessions_interrupted": sum(1 for s in sessions if s["status"] == "interrupted"),
        "sessions_failed": sum(1 for s in sessions if s["status"] == "failed"),
        "sessions_missed": sum(1 for s in sessions if s["status"] == "missed"),
        "sessions_preempted": sum(1 for s in sessions if s["status"] == "preempted"),
        "plays_interrupted": sum(1 for p in plays if p["status"] == "interrupted"),
        "plays_failed": sum(1 for p in plays if p["status"] == "failed"),
        "plays_preempted": sum(1 for p in plays if p["status"] == "preempted"),
        "seconds_partial": round(
            sum(
                float(p.get("seconds") or 0.0)
                for p in plays
                if p["status"] in ("interrupted", "preempted")
            ),
            3,
        ),
        **_form_totals(by_form),
    }
    moment = (now or datetime.now(tz)).astimezone(tz)
    return MonthReport(
        commune=dict(commune),
        month=month,
        campaign=campaign,
        timezone=tz.key,
        generated_at=moment.isoformat(timespec="seconds"),
        totals=totals,
        by_campaign=[
            {
                "campaign": name,
                "sessions": v["sessions"],
                "plays": v["plays"],
                "seconds": round(v["seconds"], 3),
                "zones": sorted(v["zones"]),
                "days": len(v["days"]),
            }
            for name, v in sorted(campaign_acc.items())
        ],
        by_clip=sorted(
            ({**v, "seconds": round(v["seconds"], 3)} for v in clip_acc.values()),
            key=lambda c: (-c["plays"], c["clip_id"]),
        ),
        by_zone=[{"zone": z, **v} for z, v in sorted(zone_acc.items())],
        by_day=[
            {"date": d, **v, "seconds": round(v["seconds"], 3)} for d, v in sorted(day_acc.items())
        ],
        problems=problems,
        by_form=by_form,
        entries=entries,
        recipient=recipient,
        by_tier=_by_tier(sessions, done),
        by_language=_by_language(done),
    )


FORMS = ("relay", "live")  # log entry kinds that are programmes, not clips


def _by_form(
    programmes: Sequence[Mapping[str, Any]], tz: ZoneInfo
) -> tuple[list[dict[str, Any]], set[str]]:
    """One row per relayed source (by its name) and one for the microphone: lượt, the
    seconds that went out, zones, days; incomplete ones are counted apart, never as
    broadcast. Also the days with a completed one."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for entry in programmes:
        form = entry["kind"]
        source = "" if form == "live" else source_name(entry)
        row = rows.setdefault(
            (form, source),
            {
                "form": form,
                "source": source,
                "plays": 0,
                "seconds": 0.0,
                "incomplete": 0,
                "seconds_incomplete": 0.0,
                "dropouts": 0,
                "zones": set(),
                "days": set(),
            },
        )
        seconds = float(entry.get("seconds") or 0.0)
        row["dropouts"] += int(entry.get("dropouts") or 0)
        if entry["status"] != "completed":
            row["incomplete"] += 1
            row["seconds_incomplete"] += seconds
            continue
        row["plays"] += 1
        row["seconds"] += seconds
        row["zones"].update(entry.get("zones") or [])
        row["days"].add(_day_of(entry, tz).isoformat())
    days = {day for row in rows.values() for day in row["days"]}
    return [
        {
            **row,
            "seconds": round(row["seconds"], 3),
            "seconds_incomplete": round(row["seconds_incomplete"], 3),
            "zones": sorted(row["zones"]),
            "days": len(row["days"]),
        }
        for _key, row in sorted(
            rows.items(), key=lambda i: (FORMS.index(i[0][0]), i[0][1])
        )
    ], days


def source_name(entry: Mapping[str, Any]) -> str:
    """What the report calls a relayed source: its name, else its address or device."""
    for key in ("source_name", "source_url", "source_device"):
        if entry.get(key):
            return str(entry[key])
    return ""


def _form_totals(by_form: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    totals: dict[str, Any] = {}
    for form in FORMS:
        rows = [row for row in by_form if row["form"] == form]
        seconds = sum(row["seconds"] for row in rows)
        totals[f"{form}_completed"] = sum(row["plays"] for row in rows)
        totals[f"{form}_seconds"] = round(seconds, 3)
        totals[f"{form}_minutes"] = round(seconds / 60, 1)
        totals[f"{form}_incomplete"] = sum(row["incomplete"] for row in rows)
    return totals


def campaigns_in(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    return sorted({r.get("campaign") or MANUAL_CAMPAIGN for r in rows})
