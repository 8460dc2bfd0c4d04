"""The relay seam: the session asks for "amplifier on" or "zone X off" and never learns
whether a GPIO pin, a USB board or a Modbus coil does the switching.

Every bank starts with everything OFF, turns everything OFF when closed, and reports
each change to an observer so the demo can print it and the log can keep it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

AMPLIFIER = "amplifier"

RelayObserver = Callable[[str, bool], None]
"""Called after a relay changed: (relay name, is_on)."""


class RelayBank(Protocol):
    zones: tuple[str, ...]

    def set(self, name: str, on: bool) -> None:
        """Switch relay *name* (``AMPLIFIER`` or a zone) and wait until it is done."""

    def states(self) -> dict[str, bool]:
        """What each relay is driven to now (``AMPLIFIER`` and every zone)."""

    def all_off(self) -> None:
        """Amplifier first, then zones: never leave a powered amplifier without a load."""

    def close(self) -> None:
        """All off, then release the hardware."""


def open_relays(
    settings, *, observer: RelayObserver | None = None, pin_factory=None
) -> tuple[RelayBank, str | None]:
    """Build the configured backend; returns the bank and a note for the operator
    (e.g. that mock pins are in use), or None."""
    from firmware_host.relays.gpio import GpioRelayBank, choose_pin_factory

    factory, note = choose_pin_factory(settings.pin_factory, pin_factory)
    return GpioRelayBank(settings, factory=factory, observer=observer), note
