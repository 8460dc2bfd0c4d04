"""What the views of one panel share: its config, its accounts, its login backoff, its
background jobs, and the way to the daemon (:class:`firmware_host.control.ControlClient`)."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from flask import current_app

from firmware_host.config import Config
from firmware_host.control import ControlClient
from firmware_host.messages import LoaxaError, language
from firmware_host.web.jobs import Jobs
from firmware_host.web.throttle import Backoff
from firmware_host.web.users import UserStore

logger = logging.getLogger("loaxa.web")

# A page never waits longer than this for the daemon's status: it says "not running"
# instead. An order (play, stop, emergency) waits the client's own time: the daemon
# answers once the session is on air, after the amplifier's warm-up.
STATUS_SECONDS = 2.0
# Every phone's home page asks for the status every few seconds; within this time they
# share one answer (per language), so twenty phones cost the daemon one request, not
# twenty: its time is the broadcast's (bench figure 8 measures the slots meanwhile).
STATUS_FRESH_SECONDS = 1.0

_answers: dict[str, tuple[float, dict[str, Any] | None]] = {}
_asking = threading.Lock()


@dataclass
class Panel:
    """Kept in ``app.extensions["loaxa"]`` by :func:`firmware_host.web.app.create_app`."""

    config: Config
    users: UserStore
    backoff: Backoff
    jobs: Jobs


def panel() -> Panel:
    """The panel serving the current request."""
    return current_app.extensions["loaxa"]


def daemon(config: Config) -> ControlClient:
    """The daemon's door, for an order; its refusals are LoaxaErrors in the reader's
    language (``control.no_daemon`` when it does not run). An order changes what the
    daemon would say, so the shared status answer is forgotten: the page after an order
    shows its effect."""
    with _asking:
        _answers.clear()
    return ControlClient(config.data_dir)


def daemon_status(config: Config) -> dict[str, Any] | None:
    """The daemon's ``status`` answer, or None when it gives none in time: a status page
    must never fail, nor hang, because of the thing it reports on. An answer less than
    :data:`STATUS_FRESH_SECONDS` old is shared (one request at a time asks)."""
    key = f"{config.data_dir}|{language()}"
    with _asking:
        asked, answer = _answers.get(key, (0.0, None))
        if time.monotonic() - asked < STATUS_FRESH_SECONDS:
            return answer
        try:
            answer = ControlClient(config.data_dir, timeout=STATUS_SECONDS).call("status")
        except LoaxaError as exc:
            logger.debug("no status from the daemon: %s", exc)
            answer = None
        _answers[key] = (time.monotonic(), answer)
        return answer
