"""Tell the officer standing at the box that the USB sync is running or done.

The box has no screen, so "you may pull the stick out now" is a light and, if the
installer wired one, a short sound on a local monitor speaker:

* **Status light** (``[usb] status_led_pin``, empty = none): a gpiozero ``LED`` on the
  pin factory the relays use (:func:`choose_pin_factory`, so ``auto`` means real pins on
  a Pi and mock pins elsewhere). Patterns, chosen to be told apart without a legend
  and printed in the receipt anyway: **slow blink** (0.5 s on/off) while copying — do
  not pull; **steady on** for :data:`DONE_SECONDS` — done, all good; **fast blink**
  (0.1 s) for :data:`DONE_SECONDS` — done, but something was refused or the stick could
  not take everything: read the receipt. Then the light goes off.
* **Sound** (``[usb] monitor_device``, empty = silent): under a second of beeps, made
  here as raw PCM and piped to ``aplay -D <monitor_device>``: two rising beeps = good,
  three low beeps = read the receipt. Never on the broadcast output: the config refuses
  a monitor device equal to ``[audio] device`` or ``default``, and :meth:`DoneSignal.done`
  checks again, so a USB stick can never make the village loudspeakers beep.

Nothing here raises: a missing LED or sound card costs the signal, never the sync.
"""

from __future__ import annotations

import errno
import json
import logging
import math
import os
import time
from array import array
from pathlib import Path
from typing import Any

from firmware_host.config import Config
from firmware_host.messages import t
from firmware_host.store import write_atomically
from firmware_host.usb.confine import run_confined

__all__ = ["DONE_SECONDS", "USB_STATE_FILE", "DoneSignal", "beeps", "read_usb_state"]

USB_STATE_FILE = "usb-state.json"
STATE_SECONDS = 10.0  # writing a few bytes; a hung disk must not hang the signal


def write_usb_state(data_dir: Path, state: str) -> None:
    """Leave *state* in ``<data_dir>/usb-state.json`` for the daemon's front panel.

    The file belongs to the data folder's owner (the daemon's user), like everything
    else the sync writes there. The USB service is root, and that folder is another
    user's: root writing or chowning there by name could be turned against it (a link
    planted at the right moment made ``chown`` give a root file away, issue 10). So when
    the folder is another user's, a child that dropped root for good writes the file
    (:func:`firmware_host.usb.confine.run_confined`). Raises OSError when not written; never
    creates the folder.
    """
    folder = Path(data_dir)
    payload = json.dumps({"state": state, "at": time.time()}).encode()
    info = os.stat(folder)
    if os.geteuid() != 0 or info.st_uid == 0:
        _write_state(folder, payload)
        return

    def as_owner() -> bytes:
        try:
            _write_state(folder, payload)
        except OSError as exc:
            return str(exc.strerror or exc).encode()
        return b""

    outcome = run_confined(as_owner, (info.st_uid, info.st_gid), deadline=STATE_SECONDS)
    if outcome.answer != b"":
        detail = (outcome.answer or b"").decode("utf-8", "replace") or f"exit {outcome.status}"
        raise OSError(errno.EIO, detail)


def _write_state(folder: Path, payload: bytes) -> None:
    if not folder.is_dir():
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(folder))
    write_atomically(folder / USB_STATE_FILE, payload)


def read_usb_state(data_dir: Path) -> tuple[str, float] | None:
    """(state, wall-clock time it was written) of the last USB sync, or None."""
    try:
        payload = json.loads((Path(data_dir) / USB_STATE_FILE).read_text())
        return str(payload["state"]), float(payload["at"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


logger = logging.getLogger("loaxa.usb")

DONE_SECONDS = 20.0  # long enough to be seen by someone who looked away for a moment
BUSY = (0.5, 0.5)
PROBLEM = (0.1, 0.1)
RATE = 48000
SOUND_TIMEOUT = 5.0
OK_TONES = ((880.0, 0.12), (0.0, 0.06), (1320.0, 0.18))
PROBLEM_TONES = ((330.0, 0.15), (0.0, 0.1), (330.0, 0.15), (0.0, 0.1), (330.0, 0.15))


def beeps(tones: tuple[tuple[float, float], ...], *, volume: float = 0.3) -> bytes:
    """Signed 16-bit mono PCM at :data:`RATE`; frequency 0 is silence.

    Each beep fades in and out over 5 ms so the little speaker clicks neither on nor off.
    """
    samples = array("h")
    fade = int(0.005 * RATE)
    for frequency, seconds in tones:
        count = int(seconds * RATE)
        for n in range(count):
            if not frequency:
                samples.append(0)
                continue
            edge = min(1.0, n / fade, (count - 1 - n) / fade)
            value = volume * edge * math.sin(2 * math.pi * frequency * n / RATE)
            samples.append(int(32767 * value))
    return samples.tobytes()


class DoneSignal:
    """The status light and the confirmation sound of one sync."""

    def __init__(
        self,
        config: Config,
        *,
        factory: Any = None,
        done_seconds: float = DONE_SECONDS,
        state_only: bool = False,
    ) -> None:
        """*state_only*: only ``usb-state.json``, no light and no sound (a sync the
        daemon started: it owns the front panel and shows the state itself)."""
        self.config = config
        self.done_seconds = done_seconds
        self.state_only = state_only
        self.led: Any = None
        pin = config.usb.status_led_pin
        if pin is None or state_only:
            return
        try:
            from gpiozero import LED

            from firmware_host.relays.gpio import choose_pin_factory

            chosen, _note = choose_pin_factory(config.relays.pin_factory, factory)
            self.led = LED(pin, pin_factory=chosen)
        except Exception as exc:  # no GPIO, pin busy, bad pin name
            logger.warning(t("usb.led_failed", pin=pin, detail=exc))

    def _publish(self, state: str) -> None:
        """Leave the state where the daemon's front panel (which owns the status light
        when ``[panel] status_led_pin`` is wired) can show it; never fails the sync."""
        try:
            write_usb_state(self.config.data_dir, state)
        except OSError as exc:
            logger.warning(t("usb.led_failed", pin=USB_STATE_FILE, detail=exc))

    def busy(self) -> None:
        """Slow blink in the background while the sync runs."""
        self._publish("busy")
        if self.led is not None:
            self.led.blink(*BUSY, background=True)

    def done(self, ok: bool, *, quick: bool = False) -> None:
        """Sound first (it is short), then the light pattern, then off. *quick*: the
        state only (the box is stopping)."""
        seconds = self.done_seconds
        self._publish("done-ok" if ok else "done-problem")
        if self.state_only or quick:
            return
        self.sound(ok)
        if self.led is None:
            return
        if ok:
            self.led.on()
            time.sleep(seconds)
        else:
            on, off = PROBLEM
            self.led.blink(on, off, n=max(1, round(seconds / (on + off))), background=False)
        self.led.off()

    def sound(self, ok: bool) -> bool:
        """Play the confirmation beeps on the monitor device; False if none was played."""
        device = self.config.usb.monitor_device
        if device is None or device in (self.config.audio.device, "default", "sysdefault"):
            return False  # no monitor, or it could be the village loudspeakers
        from firmware_host.broadcast.player import play_pcm

        problem = play_pcm(
            device, beeps(OK_TONES if ok else PROBLEM_TONES), rate=RATE, timeout=SOUND_TIMEOUT
        )
        if problem is not None:
            logger.warning(t("usb.sound_failed", device=device, detail=problem))
            return False
        return True

    def close(self) -> None:
        if self.led is not None:
            self.led.close()
            self.led = None
