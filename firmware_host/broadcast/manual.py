"""``loaxa play``: one broadcast by hand, through the same session code as the schedule.

It claims the relays like the daemon does, so it refuses to run while the daemon is
running instead of fighting it for the amplifier.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from datetime import datetime
from typing import Any

from firmware_host.broadcast.session import Broadcaster, BroadcastRequest, SessionOutcome
from firmware_host.clips import ClipLibrary
from firmware_host.config import Config
from firmware_host.logbook.playlog import PlayLog
from firmware_host.messages import t
from firmware_host.relays import claim_relays, describe_change, open_relays


def play_now(
    config: Config,
    request: BroadcastRequest,
    *,
    announce: Callable[[str], None] = print,
    pin_factory: Any = None,
) -> SessionOutcome:
    """Broadcast *request* (from :mod:`.orders`) in this process, the daemon not running:
    claim the relays, play, switch everything off, release. Ctrl-C or SIGTERM ends the
    session the normal way."""
    claim = claim_relays(config.data_dir)
    try:

        def relay_changed(name: str, on: bool) -> None:
            announce(describe_change(name, on, datetime.now(config.timezone)))

        relays, note = open_relays(config.relays, observer=relay_changed, pin_factory=pin_factory)
        if note:
            announce(note)
        log = PlayLog(config.log_dir, config.timezone)
        for line in log.prepare(now=datetime.now(config.timezone)):
            announce(line)
        broadcaster = Broadcaster.for_box(
            config, relays=relays, library=ClipLibrary(config), log=log, announce=announce
        )
        previous = {
            sig: signal.signal(sig, lambda *_: broadcaster.stop_current())
            for sig in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            return broadcaster.broadcast(request)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            relays.close()
            log.close()
            announce(t("relays.all_off"))
    finally:
        claim.close()
