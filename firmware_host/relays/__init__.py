"""The relay seam: the session asks for "amplifier on" or "zone X off" and never learns
whether a GPIO pin, a USB board or a Modbus coil does the switching.

Every bank starts with everything OFF, turns everything OFF when closed, and reports
each change to an observer so the demo can print it and the log can keep it.
"""

from __future__ import annotations

import fcntl
from collections.abc import Callable
from pathlib import Path
from typing import IO, Protocol

from firmware_host.messages import LoaxaError, t

AMPLIFIER = "amplifier"

RelayObserver = Callable[[str, bool], None]
"""Called after a relay changed: (relay name, is_on)."""


def describe_change(name: str, on: bool, moment) -> str:
    """The line an operator sees for one relay change, with its time to the millisecond."""
    label = t("relays.amplifier_name") if name == AMPLIFIER else name
    return t(
        "relays.changed",
        time=moment.strftime("%H:%M:%S.%f")[:-3],
        name=label,
        state=t("relays.on") if on else t("relays.off"),
    )


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


def claim_relays(data_dir: Path) -> IO[str]:
    """Hold an exclusive lock for as long as this process drives the relays.

    Two processes switching the same amplifier (the daemon and a manual ``loaxa play``)
    would undo each other's safety sequence; the second one is refused instead.
    The lock dies with the process, so a crash or power cut never leaves it stuck.
    """
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    handle = open(Path(data_dir) / "relays.lock", "w")  # noqa: SIM115 - held for the process
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise LoaxaError("relays.busy") from None
    return handle
