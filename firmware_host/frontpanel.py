"""The optional front panel: one status light and three buttons, for a box with no screen.

Status light (``[panel] status_led_pin``), most urgent first:

======================  ============================================  ==================
what                    pattern                                       meaning
======================  ============================================  ==================
USB busy                slow blink, 0.5 s on / 0.5 s off              do not pull the stick
USB done, all good      steady on (20 s)                              pull the stick out
USB done, a problem     fast blink, 0.1 s (20 s)                      read the receipt
last broadcast failed   3 short flashes every 2 s                     see ``loaxa log``
clock not trusted       2 short flashes every 2 s                     no broadcasts yet
healthy                 1 short flash every 2 s (heartbeat)           all is well
======================  ============================================  ==================

Buttons (to ground, internal pull-ups): **stop now** ends the session on air the normal
way (relays off in order); **emergency** stops what plays and broadcasts
``[panel] emergency_clip`` to every zone, logged as a manual broadcast; **export to USB**
runs the stick exchange on a stick that is already mounted.
The daemon owns the pins; the USB process reports through ``usb-state.json``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from firmware_host.config import Config
from firmware_host.messages import t
from firmware_host.usb.signals import DONE_SECONDS, read_usb_state

logger = logging.getLogger("loaxa.panel")

FLASH = 0.12  # one short flash of a group
PATTERNS: dict[str, tuple[float, float, int | None]] = {  # on, off, count (None = forever)
    "usb_busy": (0.5, 0.5, None),
    "usb_done_ok": (1.0, 0.0, None),  # steady: on() rather than blink
    "usb_done_problem": (0.1, 0.1, None),
    "last_failed": (FLASH, FLASH * 2, 3),
    "clock_untrusted": (FLASH, FLASH * 2, 2),
    "healthy": (FLASH, FLASH, 1),
}


def choose_state(
    *, usb: tuple[str, float] | None, now: float, last_failed: bool, clock_trusted: bool
) -> str:
    """The one thing the light shows now (pure, so every combination is testable)."""
    if usb is not None:
        state, at = usb
        if state == "busy" and now - at < 3600:  # a sync killed mid-way must not blink forever
            return "usb_busy"
        if state in ("done-ok", "done-problem") and now - at < DONE_SECONDS:
            return "usb_done_ok" if state == "done-ok" else "usb_done_problem"
    if last_failed:
        return "last_failed"
    if not clock_trusted:
        return "clock_untrusted"
    return "healthy"


class Panel:
    def __init__(
        self,
        config: Config,
        *,
        factory: Any,
        on_stop: Callable[[], object],
        on_emergency: Callable[[], None],
        on_export: Callable[[], None],
    ) -> None:
        from gpiozero import LED, Button

        settings = config.panel
        self.config = config
        self.led = (
            LED(settings.status_led_pin, pin_factory=factory)
            if settings.status_led_pin is not None
            else None
        )
        self.buttons = []
        self.shown: str | None = None
        for pin, action in (
            (settings.stop_button_pin, on_stop),
            (settings.emergency_button_pin, on_emergency),
            (settings.export_button_pin, on_export),
        ):
            if pin is None:
                continue
            button = Button(pin, pull_up=True, bounce_time=0.05, pin_factory=factory)
            button.when_pressed = _in_thread(action)
            self.buttons.append(button)

    def refresh(self, *, last_failed: bool, clock_trusted: bool) -> str:
        """Called every couple of seconds by the daemon: show the current state."""
        state = choose_state(
            usb=read_usb_state(self.config.data_dir),
            now=time.time(),
            last_failed=last_failed,
            clock_trusted=clock_trusted,
        )
        if self.led is None:
            return state
        on, off, count = PATTERNS[state]
        if state == "usb_done_ok":
            if self.shown != state:
                self.led.on()
        elif count is None:
            if self.shown != state:
                self.led.blink(on, off, background=True)
        else:  # one group of flashes per refresh: the pause is the gap between refreshes
            self.led.blink(on, off, n=count, background=True)
        self.shown = state
        return state

    def close(self) -> None:
        for device in (*self.buttons, self.led):
            if device is not None:
                device.close()


def _in_thread(action: Callable[[], object]) -> Callable[[], None]:
    """Buttons must not run a broadcast on gpiozero's event thread."""

    def pressed() -> None:
        def run() -> None:
            try:
                action()
            except Exception:
                logger.exception(t("panel.button_failed"))

        threading.Thread(target=run, name="panel-button", daemon=True).start()

    return pressed


def open_panel(
    config: Config,
    pin_factory: Any,
    *,
    on_stop: Callable[[], object],
    on_emergency: Callable[[], None],
    on_export: Callable[[], None],
    announce: Callable[[str], None],
) -> Panel | None:
    """The panel when any of its pins is wired, else None; a panel that fails to open
    is said and left out, never stopping the broadcasts."""
    from firmware_host.relays.gpio import choose_pin_factory

    settings = config.panel
    wired = (
        settings.status_led_pin,
        settings.stop_button_pin,
        settings.emergency_button_pin,
        settings.export_button_pin,
    )
    if all(pin is None for pin in wired):
        return None
    factory, _note = choose_pin_factory(config.relays.pin_factory, pin_factory)
    try:
        return Panel(
            config,
            factory=factory,
            on_stop=on_stop,
            on_emergency=on_emergency,
            on_export=on_export,
        )
    except Exception as exc:
        logger.error(t("panel.failed", detail=exc))
        announce(t("panel.failed", detail=exc))
        return None


class StickExport:
    """The export button: the stick exchange on a stick the system has mounted, run as a
    process of its own (``python -m firmware_host.usb.watch --path``, confined and limited
    like the USB service), so nothing of a stick is ever parsed in the process that
    switches the amplifier. The process writes ``usb-state.json``, which the light shows.
    """

    def __init__(self, config: Config, announce: Callable[[str], None]) -> None:
        self.config = config
        self.announce = announce
        self.process: Any = None  # subprocess.Popen of the running export

    def start(self) -> Any:
        """Start an export; returns its process at once (None if none was started)."""
        from firmware_host.usb.signals import write_usb_state
        from firmware_host.usb.watch import mounted_sticks, start_export

        if self.process is not None and self.process.poll() is None:
            self.announce(t("panel.export_busy"))
            return None
        sticks = mounted_sticks()
        if not sticks:
            self.announce(t("panel.no_stick"))
            write_usb_state(self.config.data_dir, "done-problem")
            return None
        process = self.process = start_export(self.config, sticks[0])
        self.announce(t("panel.export_started", path=sticks[0]))

        def finished() -> None:
            ok = process.wait() == 0
            self.announce(t("panel.exported" if ok else "panel.export_problem", path=sticks[0]))

        threading.Thread(target=finished, name="usb-export", daemon=True).start()
        return process
