"""What the views of one panel share: its config, its accounts, its login backoff."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from firmware_host.config import Config
from firmware_host.web.throttle import Backoff
from firmware_host.web.users import UserStore


@dataclass
class Panel:
    """Kept in ``app.extensions["loaxa"]`` by :func:`firmware_host.web.app.create_app`."""

    config: Config
    users: UserStore
    backoff: Backoff


def panel() -> Panel:
    """The panel serving the current request."""
    return current_app.extensions["loaxa"]
