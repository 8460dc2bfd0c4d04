"""The relay seam: the session asks for "amplifier on" or "zone X off" and never learns
whether a GPIO pin, a USB board or a Modbus coil does the switching.

Every bank starts with everything OFF, turns everything OFF when closed, and reports
each change to an observer so the demo can print it and the log can keep it.
"""

from __future__ import annotations

import fcntl
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Protocol

from firmware_host.messages import LoaxaError, t

if TYPE_CHECKING:
    from firmware_host.relays.sense import Sense

AMPLIFIER = "amplifier"
SERIAL_BACKENDS = ("lcus", "modbus")

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
    sense: Sense | None
    """The amplifier-power and speaker-line inputs, or None when none is wired."""

    def set(self, name: str, on: bool) -> None:
        """Switch relay *name* (``AMPLIFIER`` or a zone) and wait until it is done.

        Raises ``LoaxaError`` (key ``relays.*``) when the board cannot be reached or
        does not confirm; it never waits longer than the configured timeouts."""

    def verify(self) -> None:
        """Confirm that the relays are still as set (at least every one switched ON)
        by asking the hardware: the pins read back (GPIO), the coils read back or the
        write confirmed again (Modbus), the port taking a harmless repeat of the
        command (LCUS).

        Called at each clip's end: a play counts only if this passes. Raises
        ``LoaxaError`` (key ``relays.*``) when it cannot be confirmed."""

    def states(self) -> dict[str, bool | None]:
        """What each relay is driven to now (``AMPLIFIER`` and every zone); None when
        it is unknown (a serial board that vanished or stopped answering)."""

    def all_off(self) -> None:
        """Amplifier first, then zones: never leave a powered amplifier without a load.
        Never raises (it runs in ``finally``): a failure is logged and shows in
        ``states()`` as unknown."""

    def close(self) -> None:
        """All off, then release the hardware."""


def open_relays(
    settings, *, observer: RelayObserver | None = None, pin_factory=None
) -> tuple[RelayBank, str | None]:
    """Build the configured backend (``settings.backend``: gpio, lcus or modbus) with
    its sense inputs; returns the bank, every relay OFF, and a note for the operator
    (mock pins in use, which serial board on which port, or why it is not reachable).

    A serial board that is missing at start does not raise: the bank keeps trying to
    reopen its port, so a daemon started before the board was plugged in recovers."""
    from firmware_host.relays.gpio import GpioRelayBank, choose_pin_factory
    from firmware_host.relays.sense import open_sense, sense_wired

    notes: list[str | None] = []
    factory = None
    if settings.backend not in SERIAL_BACKENDS or sense_wired(settings):
        factory, pins_note = choose_pin_factory(settings.pin_factory, pin_factory)
        notes.append(pins_note)
    sense = open_sense(settings, factory)
    try:
        if settings.backend in SERIAL_BACKENDS:
            from firmware_host.relays.lcus import LcusRelayBank
            from firmware_host.relays.modbus import ModbusRelayBank

            board = {"lcus": LcusRelayBank, "modbus": ModbusRelayBank}[settings.backend]
            serial_bank = board(settings, observer=observer, sense=sense)
            notes.append(serial_bank.note)
            bank: RelayBank = serial_bank
        else:
            bank = GpioRelayBank(settings, factory=factory, observer=observer, sense=sense)
    except BaseException:
        if sense is not None:
            sense.close()
        raise
    return bank, "\n".join(note for note in notes if note) or None


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
