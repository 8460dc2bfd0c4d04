"""What every relay board on a serial port shares: the port, the channel map, and the
rules that keep a village's amplifier safe when that port misbehaves.

A GPIO pin cannot disappear; a USB cable can. So a serial bank, unlike the GPIO one,
has a third relay state, *unknown* (``None``), for when the board stopped answering or
its port vanished. From then on the bank holds no port at all, and the next ``set()``
or ``all_off()`` opens the port again and first switches every channel OFF, exactly as
at start, so the bank and the board agree again before anything is switched on. That
is how a daemon survives a USB unplug: the session on air fails with a message saying
what to check, and the next one works once the board is back.

Every wait is bounded: the port is opened with read and write timeouts, so no relay
command can hang a session. Subclasses only say how one channel is switched.
"""

from __future__ import annotations

import contextlib
import logging
import termios
import threading
from collections.abc import Mapping
from typing import Any

import serial

from firmware_host.messages import LoaxaError, t
from firmware_host.relays import AMPLIFIER, RelayObserver

logger = logging.getLogger("loaxa.relays")

# What a vanished or broken port raises: pyserial's own errors, the OS's, and termios
# errors (not an OSError) from tcflush/tcsetattr on a tty that has hung up.
PORT_ERRORS = (serial.SerialException, OSError, termios.error)


class BoardError(Exception):
    """The board answered wrongly or not at all; *detail* is already operator wording."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class SerialRelayBank:
    """A relay board on a serial port; subclasses implement ``_switch`` for one channel.

    ``amplifier`` and ``[relays.zones]`` hold 1-based channel numbers here (GPIO pins for
    the gpio backend): one map in ``loaxa.toml`` whatever drives the relays.
    """

    def __init__(
        self, settings: Any, *, observer: RelayObserver | None = None, sense: Any = None
    ) -> None:
        self.port_name: str = settings.port
        self.baud: int = int(settings.baud)
        self.timeout: float = float(settings.timeout_seconds)
        self.zones: tuple[str, ...] = tuple(settings.zones)
        self.sense = sense
        self.link: serial.SerialBase | None = None  # the open port, None when lost
        self.problem: LoaxaError | None = None  # why the last command failed, if it did
        self._observer = observer
        self._channels: Mapping[str, int] = {
            AMPLIFIER: int(settings.amplifier),
            **{zone: int(channel) for zone, channel in settings.zones.items()},
        }
        self._states: dict[str, bool | None] = dict.fromkeys(self._channels)
        self._lock = threading.RLock()
        try:
            self._connect()
        except LoaxaError as exc:
            # A board unplugged at start must not stop the daemon: the sessions fail
            # with this message (in the log, for the technician) until it is back.
            self.problem = exc
            logger.error(str(exc))

    # -- what a backend provides -----------------------------------------------------
    def board(self) -> str:
        """The board's name in messages, e.g. "LCUS USB relay board"."""
        raise NotImplementedError

    def _switch(self, link: serial.SerialBase, channel: int, on: bool) -> None:
        """Switch one channel; raise ``BoardError`` if the board does not confirm."""
        raise NotImplementedError

    def _confirm(self, link: serial.SerialBase, channel: int, on: bool) -> None:
        """Check that one channel is still *on*; raise ``BoardError`` if not. By
        default the command is sent again: harmless for a relay already there, and
        it fails when the port is gone."""
        self._switch(link, channel, on)

    # -- the RelayBank protocol ------------------------------------------------------
    @property
    def note(self) -> str:
        """What the operator is told when the box starts."""
        if self.link is None and self.problem is not None:
            return str(self.problem)
        return t("relays.serial_ready", board=self.board(), port=self.port_name, baud=self.baud)

    def set(self, name: str, on: bool) -> None:
        channel = self._channels[name]  # an unknown name is a programming error
        with self._lock:
            if self.link is None:
                self._reconnect()
                if on and name == AMPLIFIER:
                    # The reconnect switched every zone OFF: an amplifier switched on now
                    # would drive no load. Only a session that began afresh may go on.
                    raise LoaxaError("relays.reconnected_amp_refused", port=self.port_name)
            if self._states[name] == on:
                return
            self._command(name, channel, on)
        if self._observer:
            self._observer(name, on)

    def verify(self) -> None:
        """The relays switched ON, confirmed one by one (``_confirm``); on any failure
        every relay becomes unknown, as after a failed command. Only those ON are
        asked: a repeat costs ~35 ms per relay on an LCUS board, between clips."""
        with self._lock:
            if self.link is None:
                raise self.problem or self._lost(ConnectionError(self.port_name))
            for name in (AMPLIFIER, *self.zones):
                if self._states[name]:
                    self._command(name, self._channels[name], True, check=True)

    def states(self) -> dict[str, bool | None]:
        with self._lock:
            return dict(self._states)

    def all_off(self) -> None:
        """Amplifier first, then zones. Never raises: this runs in ``finally`` blocks
        and at shutdown, where an exception would hide the first failure. A failure is
        logged, the relays are left *unknown*, and the session checks ``states()``."""
        switched: list[str] = []
        try:
            with self._lock:
                if self.link is None:
                    self._reconnect()  # which switches every channel OFF
                    return
                for name in (AMPLIFIER, *self.zones):
                    if self._states[name] is not False:
                        self._command(name, self._channels[name], False)
                        switched.append(name)
        except LoaxaError as exc:
            logger.error(str(exc))
        except Exception:  # a bug here must not keep the session from being logged
            logger.exception("relays.all_off failed")
        try:
            for name in switched:  # what did switch, even if a later relay failed
                if self._observer:
                    self._observer(name, False)
        except Exception:
            logger.exception("relay observer failed")

    def close(self) -> None:
        try:
            self.all_off()
        finally:
            with self._lock:
                self._drop()
            if self.sense is not None:
                self.sense.close()

    # -- the port ----------------------------------------------------------------------
    def _connect(self) -> None:
        """Open the port and switch every channel OFF: the board may have kept (Modbus)
        or lost (LCUS) its state while we were away; after this both sides agree."""
        self._drop()
        try:
            self.link = serial.serial_for_url(
                self.port_name,
                baudrate=self.baud,
                bytesize=serial.EIGHTBITS,
                parity=serial.PARITY_NONE,
                stopbits=serial.STOPBITS_ONE,
                timeout=self.timeout,
                write_timeout=self.timeout,
            )
        except PORT_ERRORS as exc:
            raise self._lost(exc) from None
        for name in (AMPLIFIER, *self.zones):
            self._command(name, self._channels[name], False)
        self.problem = None

    def _reconnect(self) -> None:
        self._connect()
        logger.warning(t("relays.reconnected", board=self.board(), port=self.port_name))

    def _command(self, name: str, channel: int, on: bool, *, check: bool = False) -> None:
        """Switch one relay (or, with *check*, confirm it) and record its state; on any
        failure every relay becomes unknown and the port is dropped, to be reopened
        by the next call."""
        assert self.link is not None
        try:
            (self._confirm if check else self._switch)(self.link, channel, on)
        except PORT_ERRORS as exc:
            raise self._lost(exc) from None
        except BoardError as exc:
            error = LoaxaError(
                "relays.not_confirmed",
                board=self.board(),
                port=self.port_name,
                state=t("relays.on") if on else t("relays.off"),
                channel=channel,
                relay=t("relays.amplifier_name") if name == AMPLIFIER else name,
                detail=exc.detail,
            )
            raise self._lost(error) from None
        self._states[name] = on

    def _lost(self, cause: Exception) -> LoaxaError:
        """Forget the port and what the relays are doing; return the error to raise."""
        self._drop()
        self._states = dict.fromkeys(self._channels)
        if isinstance(cause, LoaxaError):
            self.problem = cause
        else:
            self.problem = LoaxaError(
                "relays.port_gone", board=self.board(), port=self.port_name, detail=cause
            )
        return self.problem

    def _drop(self) -> None:
        link, self.link = self.link, None
        if link is not None:
            # A port that vanished may fail to close; it is gone either way.
            with contextlib.suppress(*PORT_ERRORS):
                link.close()
