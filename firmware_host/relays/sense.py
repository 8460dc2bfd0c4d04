"""Optional feedback inputs: is the amplifier really powered, does the speaker line
really carry audio.

A relay that clicks proves nothing about the amplifier behind it: a blown fuse, a
contactor that did not pull in, or a mains socket switched off at the wall all leave
the box "broadcasting" into silence, and the monthly report counting plays nobody
heard. An opto-isolated input module on a GPIO pin answers the question. Such modules
pull the line low when their input sees voltage, so the default is a pull-up and
active-low (``sense_active_high = false``); an active-high module gets a pull-down.

Both inputs are optional (an empty pin in ``loaxa.toml`` means not wired), and the
session asks only what is wired: ``None`` means "cannot tell", never "off".
"""

from __future__ import annotations

from typing import Any

from gpiozero import DigitalInputDevice


class Sense:
    """The amplifier-power and speaker-line inputs, either of which may be absent."""

    def __init__(
        self,
        *,
        amplifier_pin: int | str | None,
        line_pin: int | str | None,
        active_high: bool,
        factory: Any = None,
    ) -> None:
        self._amplifier: DigitalInputDevice | None = None
        self._line: DigitalInputDevice | None = None
        self._line_seen = False
        try:
            if amplifier_pin is not None:
                self._amplifier = _input(amplifier_pin, active_high, factory)
            if line_pin is not None:
                self._line = _input(line_pin, active_high, factory)
                self._line.when_activated = self._mark_line
        except BaseException:
            self.close()
            raise

    def amplifier_on(self) -> bool | None:
        """Whether the amplifier has power now; None when the input is not wired."""
        return None if self._amplifier is None else bool(self._amplifier.is_active)

    def watch_line(self) -> None:
        """Start watching the speaker line: audio comes and goes (pauses between words),
        so what counts is whether it was active at any moment since this call."""
        self._line_seen = self._line is not None and bool(self._line.is_active)

    def line_seen(self) -> bool | None:
        """Whether the line was active since ``watch_line``; None when not wired."""
        if self._line is None:
            return None
        return self._line_seen or bool(self._line.is_active)

    def _mark_line(self) -> None:
        self._line_seen = True

    def close(self) -> None:
        for device in (self._amplifier, self._line):
            if device is not None:
                device.close()
        self._amplifier = self._line = None


def _input(pin: int | str, active_high: bool, factory: Any) -> DigitalInputDevice:
    # gpiozero derives the active state from the pull: pull-up means active-low.
    return DigitalInputDevice(pin, pull_up=not active_high, pin_factory=factory)


def sense_wired(settings: Any) -> bool:
    return settings.amplifier_sense_pin is not None or settings.line_sense_pin is not None


def open_sense(settings: Any, factory: Any = None) -> Sense | None:
    """The configured inputs, or None when neither is wired."""
    if not sense_wired(settings):
        return None
    return Sense(
        amplifier_pin=settings.amplifier_sense_pin,
        line_pin=settings.line_sense_pin,
        active_high=settings.sense_active_high,
        factory=factory,
    )
