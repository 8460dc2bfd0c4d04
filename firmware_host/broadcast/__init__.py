"""One broadcast at a time, safely: a request → relays and player → log entries.

:mod:`.session` runs a session (zones → amplifier → warm-up → clips → tail → all off),
:mod:`.player` feeds ``aplay``, :mod:`.manual` is ``loaxa play``. The session never
knows which relay backend switches, nor where the audio came from.
"""

from firmware_host.broadcast.session import Broadcaster, BroadcastRequest, SessionOutcome

__all__ = ["BroadcastRequest", "Broadcaster", "SessionOutcome"]
