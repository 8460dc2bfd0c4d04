"""``loaxa province status`` and ``loaxa province report``: the province's view, from its store.

The status table has one row per box: its commune and station, whether it is online (its
retained status, or its last will), when it was last heard from, its last broadcast,
its missed and failed sessions this week (Monday 00:00 in the province's zone), whether
its clock is untrusted, and whether its log is proven: the province's copy holds a
chain that continues (every event checked as it arrived), the box checks its own log
against what the province acknowledged and says so, and its heads never fall behind
what it sent. ``--verify`` checks the province's copy from disk as well, for a copy that
someone may have edited on the province's machine.

The report is the province's table for a month, made from the stored logs with the same
counting (``report.counts.build_report``) and the same merge and writers as
``loaxa report merge`` of the boxes' USB exports. A box whose month is not complete on
the province's side (not heard from since the month ended, events it has and has not
sent yet, a log that is not proven) is marked ``(*)`` beside its station, and a note
under the table says why.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from firmware_host.link.bulletins import BoxIdentity
from firmware_host.link.province.store import ProvinceStore, week_start
from firmware_host.logbook.chain import verify
from firmware_host.logbook.playlog import PlayLog
from firmware_host.messages import LoaxaError, t

MARK = " (*)"


@dataclass(frozen=True)
class BoxRow:
    commune_code: str
    station_id: str
    commune: str  # the name the box reports (its [commune] name), or its code
    station: str
    online: bool | None  # None: never heard a status
    last_seen: str | None
    last_broadcast: str | None
    missed_this_week: int
    failed_this_week: int
    clock_untrusted: bool | None
    chain_verified: bool
    problem: str | None
    backlog: int | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def status_rows(store: ProvinceStore, now: datetime, *, check_store: bool = False) -> list[BoxRow]:
    since = week_start(now, store.tz).isoformat()
    rows = []
    for box in store.boxes():
        meta = store.meta(box)
        status = meta.get("status") or {}
        clock = status.get("clock") if isinstance(status.get("clock"), dict) else None
        problems = proof_problems(meta)
        if check_store and (found := store.verify_box(box)):
            problems.append(t("province.store_broken", problem=found))
        recent = [r for r in meta.get("recent", []) if r.get("at", "") >= since]
        names = meta.get("commune") or {}
        rows.append(
            BoxRow(
                commune_code=box.commune,
                station_id=box.station,
                commune=names.get("name") or box.commune,
                station=names.get("station") or box.station,
                online=status.get("online") if "online" in status else None,
                last_seen=meta.get("last_seen"),
                last_broadcast=meta.get("last_broadcast"),
                missed_this_week=sum(1 for r in recent if r["status"] == "missed"),
                failed_this_week=sum(1 for r in recent if r["status"] == "failed"),
                clock_untrusted=None if clock is None else not clock.get("trusted", False),
                chain_verified=not problems,
                problem=problems[0] if problems else None,
                backlog=status.get("backlog") if isinstance(status.get("backlog"), int) else None,
            )
        )
    return rows


def proof_problems(meta: dict[str, Any]) -> list[str]:
    """Why a box's log is not proven, as the province knows it (empty: proven)."""
    problems = []
    for key in ("problem", "rolled_back"):
        if isinstance(meta.get(key), dict):
            problems.append(str(meta[key].get("message", "")))
    status = meta.get("status") or {}
    chain = status.get("chain") or {}
    if isinstance(chain, dict) and chain.get("status") == "broken":
        problems.append(t("province.box_says_broken", problem=chain.get("problem") or "?"))
    for problem in status.get("link_problems") or []:
        problems.append(str(problem))
    return problems


# -- the month's report ----------------------------------------------------------------------


def incomplete_reasons(
    store: ProvinceStore, box: BoxIdentity, month: str, tz: ZoneInfo
) -> list[str]:
    """Why the province's copy of *box*'s *month* may not be the whole month."""
    meta = store.meta(box)
    reasons = []
    end = _month_end(month, tz)
    last_seen = meta.get("last_seen")
    if last_seen is None or datetime.fromisoformat(last_seen) < end:
        reasons.append(t("province.not_heard_since", end=f"{end:%d/%m/%Y}"))
    claimed = meta.get("claimed", {}).get(month)
    held = store.held(box, month)
    if claimed and claimed.get("seq", 0) > (held.seq if held else 0):
        reasons.append(
            t("province.events_missing", count=claimed["seq"] - (held.seq if held else 0))
        )
    reasons += proof_problems(meta)
    verdict = verify(store.log_dir(box), [month])
    if verdict.problem is not None:
        reasons.append(t("province.store_broken", problem=verdict.problem.message()))
    return reasons


def _month_end(month: str, tz: ZoneInfo) -> datetime:
    year, number = (int(part) for part in month.split("-"))
    year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return datetime(year, number, 1, tzinfo=tz)


def province_report(
    store: ProvinceStore,
    month: str,
    *,
    tz: ZoneInfo,
    recipient: str,
    now: datetime | None = None,
    boxes: Sequence[BoxIdentity] | None = None,
) -> Any:
    """The province's MergedReport for *month*, straight from the stored logs."""
    from firmware_host.report import service
    from firmware_host.report.counts import build_report
    from firmware_host.report.jsonout import month_json

    chosen = list(boxes) if boxes is not None else store.boxes()
    if not chosen:
        raise LoaxaError("province.no_boxes", store=store.root)
    notices: list[LoaxaError] = []
    with tempfile.TemporaryDirectory(prefix="loaxa-province-") as work:
        for box in chosen:
            meta = store.meta(box)
            names = meta.get("commune") or {}
            log = PlayLog(store.log_dir(box), tz)
            try:
                rows = log.entries([month])
            finally:
                log.close()
            station = names.get("station") or box.station
            reasons = incomplete_reasons(store, box, month, tz)
            if reasons:
                notices.append(
                    LoaxaError(
                        "province.incomplete",
                        commune=names.get("name") or box.commune,
                        station=station,
                        box=box.name,
                        reasons="; ".join(reasons),
                    )
                )
                station = (station + MARK).strip()
            report = build_report(
                rows,
                month=month,
                tz=tz,
                commune={
                    "name": names.get("name") or box.commune,
                    "province": names.get("province") or "",
                    "station": station,
                },
                recipient=recipient,
                now=now,
            )
            (Path(work) / f"{box.commune}-{box.station}.json").write_bytes(month_json(report))
        merged = service.merge_reports([Path(work)], now=now, timezone=tz.key)
    merged.warnings.extend(notices)
    return merged
