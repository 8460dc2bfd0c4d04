"""Relays on Raspberry Pi GPIO pins through gpiozero.

gpiozero is used even on a laptop: its MockFactory runs the same device code as real
pins, so what the tests see on a mock pin is what a relay board would see.
"""

from __future__ import annotations

import os
from pathlib import Path

from gpiozero import DigitalOutputDevice
from gpiozero.pins.mock import MockFactory

from firmware_host.messages import LoaxaError, t
from firmware_host.relays import AMPLIFIER, RelayObserver

_PI_MODEL = Path("/proc/device-tree/model")


def running_on_raspberry_pi() -> bool:
    try:
        return "raspberry pi" in _PI_MODEL.read_text(errors="replace").lower()
    except OSError:
        return False


def choose_pin_factory(setting: str, given=None):
    """The pin factory to use and, if pins are not real, a sentence saying so.

    ``auto`` means real pins on a Raspberry Pi (gpiozero picks lgpio etc.) and mock
    pins elsewhere, so a laptop or CI can run the whole box without wiring.
    """
    if given is not None:
        is_mock = isinstance(given, MockFactory)
        return given, (t("relays.mock_pins") if is_mock else None)
    if setting == "mock" or (
        setting == "auto"
        and not os.environ.get("GPIOZERO_PIN_FACTORY")
        and not running_on_raspberry_pi()
    ):
        return MockFactory(), t("relays.mock_pins")
    if setting == "auto":
        return None, None
    module = {
        "lgpio": ("gpiozero.pins.lgpio", "LGPIOFactory"),
        "rpigpio": ("gpiozero.pins.rpigpio", "RPiGPIOFactory"),
        "pigpio": ("gpiozero.pins.pigpio", "PiGPIOFactory"),
        "native": ("gpiozero.pins.native", "NativeFactory"),
    }[setting]
    factory_class = getattr(__import__(module[0], fromlist=[module[1]]), module[1])
    return factory_class(), None


class GpioRelayBank:
    """Amplifier and zone relays, each a gpiozero DigitalOutputDevice."""

    def __init__(
        self, settings, *, factory=None, observer: RelayObserver | None = None, sense=None
    ):
        self._observer = observer
        self.zones = tuple(settings.zones)
        self.sense = sense  # closed with the bank
        self._devices: dict[str, DigitalOutputDevice] = {}
        self._driven: dict[str, bool] = {}  # what set() asked for, to compare with the pins
        try:
            for name, pin in ((AMPLIFIER, settings.amplifier), *settings.zones.items()):
                # initial_value=False drives the pin to OFF the moment it is claimed:
                # after a crash a real pin keeps its old level until we get here.
                self._devices[name] = DigitalOutputDevice(
                    pin,
                    active_high=settings.active_high,
                    initial_value=False,
                    pin_factory=factory,
                )
                self._driven[name] = False
        except BaseException:
            self.close()
            raise

    def set(self, name: str, on: bool) -> None:
        device = self._devices[name]
        self._driven[name] = on
        if bool(device.value) == on:
            return
        device.value = on
        if self._observer:
            self._observer(name, on)

    def verify(self) -> None:
        """Read every pin back: a pin that another program reconfigured or drove (or
        a relay board shorting its input) no longer reads what was set."""
        wrong = [
            name
            for name, device in self._devices.items()
            if bool(device.value) != self._driven[name]
        ]
        if wrong:
            labels = [t("relays.amplifier_name") if n == AMPLIFIER else n for n in wrong]
            raise LoaxaError(
                "relays.gpio_readback_differs",
                relays=", ".join(labels),
                pins=",".join(self._devices[n].pin.info.name.removeprefix("GPIO") for n in wrong),
            )

    def states(self) -> dict[str, bool | None]:
        return {name: bool(device.value) for name, device in self._devices.items()}

    def all_off(self) -> None:
        for name in (AMPLIFIER, *self.zones):
            if name in self._devices:
                self.set(name, False)

    def close(self) -> None:
        try:
            self.all_off()
        finally:
            for device in self._devices.values():
                device.close()
            self._devices.clear()
            if self.sense is not None:
                self.sense.close()
                self.sense = None
