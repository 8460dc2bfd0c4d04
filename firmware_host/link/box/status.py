"""The box's status as the province sees it: retained on ``up/status``, refreshed every minute.

When the daemon runs, its ``status`` operation (docs/control-api.md) says what only it
knows: what is on air, the relays as it last set them, the next sessions it planned.
When it does not, the link says what it can read itself (the clock's verdict, the disk,
the next sessions the schedules plan) and ``daemon: false``: the relays are ``null``
then, because only the daemon drives them and a relay nobody drives is not known.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from typing import Any

from firmware_host import __version__
from firmware_host.config import Config
from firmware_host.control import ControlClient
from firmware_host.link import wire
from firmware_host.link.bulletins import BoxIdentity
from firmware_host.messages import LoaxaError

NEXT_SHOWN = 3
DAEMON_FIELDS = (
    "clock",
    "on_air",
    "waiting",
    "relays",
    "disk",
    "last_problems",
    "schedules",
    "started_at",
)


def box_status(
    config: Config,
    box: BoxIdentity,
    control: ControlClient,
    *,
    now: datetime,
    link: dict[str, Any],
) -> dict[str, Any]:
    """The status message; *link* is the link's own part (heads, backlog, problems)."""
    status: dict[str, Any] = {
        "v": wire.VERSION,
        "box": box.name,
        "online": True,
        "at": now.isoformat(timespec="seconds"),
        "version": __version__,
        "commune": {
            "name": config.commune.name,
            "province": config.commune.province,
            "station": config.commune.station,
        },
        **link,
    }
    try:
        answer = control.call("status")
    except LoaxaError as exc:
        status["daemon"] = False
        if exc.key != "control.no_daemon":
            status["daemon_error"] = str(exc)
        status |= _own_reading(config, now)
        return status
    status["daemon"] = True
    status |= {key: answer.get(key) for key in DAEMON_FIELDS}
    status["next"] = list(answer.get("next") or [])[:NEXT_SHOWN]
    return status


def _own_reading(config: Config, now: datetime) -> dict[str, Any]:
    from firmware_host.clock import ClockKeeper

    verdict = ClockKeeper(config.data_dir, config.timezone).verdict()
    try:
        usage = shutil.disk_usage(config.data_dir)
        disk: dict[str, int] | None = {"free_bytes": usage.free, "total_bytes": usage.total}
    except OSError:
        disk = None
    return {
        "clock": {"trusted": verdict.trusted, "reason": verdict.reason},
        "on_air": None,
        "relays": None,
        "disk": disk,
        "next": _next_sessions(config, now),
    }


def _next_sessions(config: Config, now: datetime) -> list[dict[str, Any]]:
    """What the schedules plan next, as ``loaxa schedule show`` reads them."""
    from firmware_host.clips import ClipLibrary
    from firmware_host.schedules import schedule_files
    from firmware_host.schedules.rules import BoxRules, LastGood

    try:
        library = ClipLibrary(config)
        rules = BoxRules.of(config, library.refs())
        installed = rules.installed(
            schedule_files(config.scheduler.schedules_dir), LastGood(config.data_dir)
        )
        sessions = rules.plan(installed.schedules, now.date(), (now + timedelta(days=2)).date())
    except (LoaxaError, OSError):
        return []
    upcoming = [s for s in sessions if s.at > now][:NEXT_SHOWN]
    return [
        {
            "at": s.at.isoformat(),
            "campaign": s.campaign,
            "slot": s.slot,
            "zones": list(s.zones),
            "expected_seconds": s.expected_seconds,
        }
        for s in upcoming
    ]
