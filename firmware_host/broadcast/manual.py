"""``loaxa play`` and ``loaxa live``: one broadcast by hand, through the same session code
as the schedule.

They claim the relays like the daemon does, so they refuse to run while the daemon is
running instead of fighting it for the amplifier. SIGINT (Ctrl-C) and SIGTERM end the
session the normal way: amplifier off, then zones.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Callable, Iterator
from datetime import datetime

from firmware_host.broadcast.session import Broadcaster, BroadcastRequest, SessionOutcome
from firmware_host.clips import ClipLibrary
from firmware_host.config import Config
from firmware_host.logbook.playlog import PlayLog
from firmware_host.messages import t
from firmware_host.relays import claim_relays, describe_change, open_relays
from firmware_host.schedules.model import LIVE, REPEAT_MAX, REPEAT_MIN, SourceSpec
from firmware_host.tiers import NORMAL, Tier


@contextlib.contextmanager
def _by_hand(config: Config, announce: Callable[[str], None], pin_factory) -> Iterator[Broadcaster]:
    """A broadcaster of this box for one session started by hand; every relay off and
    the claim released afterwards, whatever happened."""
    claim = claim_relays(config.data_dir)
    try:

        def relay_changed(name: str, on: bool) -> None:
            announce(describe_change(name, on, datetime.now(config.timezone)))

        relays, note = open_relays(config.relays, observer=relay_changed, pin_factory=pin_factory)
        if note:
            announce(note)
        log = PlayLog(config.log_dir, config.timezone)
        broadcaster = Broadcaster.for_box(
            config, relays=relays, library=ClipLibrary(config), log=log, announce=announce
        )
        previous = {
            sig: signal.signal(sig, lambda *_: broadcaster.stop_current())
            for sig in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            yield broadcaster
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            relays.close()
            log.close()
            announce(t("relays.all_off"))
    finally:
        claim.close()


def play_now(
    config: Config,
    clips: tuple[str, ...],
    *,
    zones: tuple[str, ...],
    repeat: int = 1,
    gap_seconds: float = 5.0,
    announce: Callable[[str], None] = print,
    pin_factory=None,
) -> SessionOutcome:
    with _by_hand(config, announce, pin_factory) as broadcaster:
        return broadcaster.broadcast(
            BroadcastRequest(
                playlist=clips,
                zones=zones,
                repeat=max(REPEAT_MIN, min(REPEAT_MAX, repeat)),
                gap_seconds=gap_seconds,
            )
        )


def live_now(
    config: Config,
    *,
    zones: tuple[str, ...],
    tier: Tier = NORMAL,
    by: str | None = None,
    device: str | None = None,
    announce: Callable[[str], None] = print,
    pin_factory=None,
) -> SessionOutcome:
    """The microphone (``[live] device``) to *zones* until Ctrl-C, SIGTERM or ``[live]
    max_minutes``; logged as a live session with its length and *by*."""
    source = SourceSpec(kind=LIVE, device=device or config.live.device)
    with _by_hand(config, announce, pin_factory) as broadcaster:
        announce(t("live.on_air", minutes=config.live.max_minutes))
        return broadcaster.broadcast(
            BroadcastRequest(
                playlist=(),
                zones=zones,
                slot=t("session.live_label"),
                source=source,
                by=by,
                tier=tier,
            )
        )
