"""Broadcasts someone orders now: ``loaxa play``, ``loaxa emergency``, the panel's button,
the web panel, a province bulletin — one request builder each, so every door checks the
same things the same way before a relay moves.

An emergency (TT 39/2020 *khẩn cấp*) needs a reason, which is logged and printed on the
report; it goes to every zone unless told otherwise, warms the amplifier up for
``[policy] emergency_warmup_seconds`` and cuts the session on air
(:mod:`firmware_host.broadcast.policy`). A manual broadcast is normal or priority, never
an emergency: that has its own door, so an emergency is always a deliberate act.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from firmware_host.broadcast.session import BroadcastRequest
from firmware_host.messages import LoaxaError, t
from firmware_host.schedules.model import GAP_MAX, GAP_MIN, REPEAT_MAX, REPEAT_MIN
from firmware_host.textout import nfc
from firmware_host.tiers import EMERGENCY, NORMAL, Tier, parse_tier

if TYPE_CHECKING:
    from firmware_host.clips import ClipLibrary
    from firmware_host.config import Config

ALL_ZONES = ("all", "tất cả", "tat ca", "tatca")
MAX_REASON = 300


def zones_of(config: Config, zones: str | Sequence[str] | None) -> tuple[str, ...]:
    """The zones asked for ("all", a comma list, or names), each one known to the box."""
    known = tuple(config.relays.zones)
    if zones is None:
        return known
    names = [part.strip() for part in zones.split(",")] if isinstance(zones, str) else list(zones)
    names = [nfc(str(name)) for name in names if str(name).strip()]
    if not names or any(name.casefold() in ALL_ZONES for name in names):
        return known
    unknown = [name for name in names if name not in known]
    if unknown:
        raise LoaxaError(
            "session.unknown_zone", zones=", ".join(unknown), known=", ".join(known)
        )
    return tuple(dict.fromkeys(names))


def _clips(library: ClipLibrary, clips: Sequence[str]) -> tuple[str, ...]:
    if not clips:
        raise LoaxaError("session.empty_playlist")
    ids = []
    for ref in clips:
        clip = library.find(str(ref))
        if clip is None or not clip.path.is_file():
            raise LoaxaError("clips.not_found", ref=ref)
        ids.append(clip.id)
    return tuple(ids)


def _repeat(repeat: object) -> int:
    if isinstance(repeat, bool) or not isinstance(repeat, int):
        raise LoaxaError("schedule.bad_repeat", value=repeat)
    if not REPEAT_MIN <= repeat <= REPEAT_MAX:
        raise LoaxaError("schedule.bad_repeat", value=repeat)
    return repeat


def emergency_request(
    config: Config,
    library: ClipLibrary,
    clips: Sequence[str],
    *,
    reason: str,
    zones: str | Sequence[str] | None = None,
    repeat: int = 1,
    by: str | None = None,
) -> BroadcastRequest:
    """The request of an emergency broadcast; refused (LoaxaError) before anything moves
    when a clip, a zone or the reason is missing."""
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise LoaxaError("emergency.no_reason")
    if len(reason) > MAX_REASON:
        raise LoaxaError("emergency.reason_too_long", maximum=MAX_REASON)
    return BroadcastRequest(
        playlist=_clips(library, clips),
        zones=zones_of(config, zones),
        repeat=_repeat(repeat),
        gap_seconds=2.0,
        trigger="manual",
        slot=t("panel.emergency_slot"),
        tier=EMERGENCY,
        reason=reason,
        by=by,
        warmup_seconds=config.policy.emergency_warmup_seconds,
    )


def manual_request(
    config: Config,
    library: ClipLibrary,
    clips: Sequence[str],
    *,
    zones: str | Sequence[str] | None = None,
    repeat: int = 1,
    gap_seconds: float = 5.0,
    tier: str | None = None,
    by: str | None = None,
) -> BroadcastRequest:
    """The request of a broadcast by hand (normal or priority)."""
    chosen: Tier = NORMAL if tier is None else (parse_tier(tier) or NORMAL)
    if tier is not None and parse_tier(tier) is None:
        raise LoaxaError("tier.unknown", value=tier)
    if chosen == EMERGENCY:
        raise LoaxaError("tier.emergency_has_its_door")
    if isinstance(gap_seconds, bool) or not isinstance(gap_seconds, int | float):
        raise LoaxaError("schedule.bad_gap", value=gap_seconds)
    if not GAP_MIN <= gap_seconds <= GAP_MAX:
        raise LoaxaError("schedule.bad_gap", value=gap_seconds)
    return BroadcastRequest(
        playlist=_clips(library, clips),
        zones=zones_of(config, zones),
        repeat=_repeat(repeat),
        gap_seconds=float(gap_seconds),
        trigger="manual",
        tier=chosen,
        by=by,
    )
