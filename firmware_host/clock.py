"""Can the box trust its clock? And did the clock just jump?

A Raspberry Pi has no battery-backed clock: it boots at the last shutdown time
(fake-hwclock) or at 1970, and jumps when NTP synchronises — often hours later in a
commune with flaky internet. Broadcasting on a wrong clock wakes a village at 3 a.m.,
so the daemon asks this module before every session.

Trusted when any of these holds:
1. the kernel says the system time is synchronised (``adjtimex``, which NTP/chrony/
   systemd-timesyncd all maintain; also timesyncd's ``synchronized`` flag file);
2. the operator confirmed the time this boot (``loaxa clock confirm``);
3. the time is plausible: not earlier than the newest moment the log has seen, nor than
   this software's release date — a clock that went backwards is certainly wrong.
A jump is a difference between wall-clock and monotonic progress; each one is logged.

:class:`ClockKeeper` is what the daemon, ``loaxa clock`` and ``loaxa selftest`` ask:
it holds the heartbeat (``state.json``: the last trusted moment the box was alive) and
the operator's confirmation, and takes *now* from the caller's clock, so none of them
needs the scheduler to know whether the time can be trusted, and tests pass a clock in.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path

from firmware_host.messages import t
from firmware_host.store import write_atomically

STATE_FILE = "state.json"
CONFIRMATION_FILE = "clock-confirmed.json"

Clock = Callable[[], datetime]
"""A source of the current time, timezone-aware (the daemon's is ``datetime.now(tz)``)."""

RELEASE_DATE = date(2026, 11, 23)  # a clock before this is certainly wrong
JUMP_THRESHOLD_SECONDS = 2.0
TIMESYNC_FLAG = Path("/run/systemd/timesync/synchronized")
BOOT_ID = Path("/proc/sys/kernel/random/boot_id")
_TIME_ERROR = 5  # adjtimex() result: clock not synchronised
_STA_UNSYNC = 0x0040


class _Timex(ctypes.Structure):
    _fields_ = [
        ("modes", ctypes.c_uint),
        ("offset", ctypes.c_long),
        ("freq", ctypes.c_long),
        ("maxerror", ctypes.c_long),
        ("esterror", ctypes.c_long),
        ("status", ctypes.c_int),
        ("constant", ctypes.c_long),
        ("precision", ctypes.c_long),
        ("tolerance", ctypes.c_long),
        ("time_sec", ctypes.c_long),
        ("time_usec", ctypes.c_long),
        ("tick", ctypes.c_long),
        ("ppsfreq", ctypes.c_long),
        ("jitter", ctypes.c_long),
        ("shift", ctypes.c_int),
        ("stabil", ctypes.c_long),
        ("jitcnt", ctypes.c_long),
        ("calcnt", ctypes.c_long),
        ("errcnt", ctypes.c_long),
        ("stbcnt", ctypes.c_long),
        ("tai", ctypes.c_int),
        ("padding", ctypes.c_int * 11),
    ]


def kernel_says_synchronised() -> bool:
    """True when NTP (or chrony, timesyncd) has disciplined the system clock."""
    if TIMESYNC_FLAG.exists():
        return True
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        timex = _Timex()
        state = libc.adjtimex(ctypes.byref(timex))
    except (OSError, AttributeError):
        return False
    return state not in (-1, _TIME_ERROR) and not timex.status & _STA_UNSYNC


def boot_id() -> str:
    try:
        return BOOT_ID.read_text().strip()
    except OSError:
        return ""


@dataclass(frozen=True)
class ClockVerdict:
    trusted: bool
    reason: str  # rendered, for the log and the operator


def judge(
    now: datetime, *, synchronised: bool, confirmed: bool, newest_seen: datetime | None
) -> ClockVerdict:
    """Whether *now* can be broadcast on, and why (pure: the tests drive every case)."""
    if synchronised:
        return ClockVerdict(True, t("clock.synchronised"))
    if confirmed:
        return ClockVerdict(True, t("clock.confirmed"))
    if now.date() < RELEASE_DATE:
        return ClockVerdict(
            False,
            t(
                "clock.before_release",
                now=f"{now:%d/%m/%Y %H:%M}",
                release=f"{RELEASE_DATE:%d/%m/%Y}",
            ),
        )
    if newest_seen is not None and now < newest_seen:
        return ClockVerdict(
            False,
            t(
                "clock.before_log",
                now=f"{now:%d/%m/%Y %H:%M}",
                seen=f"{newest_seen:%d/%m/%Y %H:%M}",
            ),
        )
    return ClockVerdict(True, t("clock.plausible"))


class ConfirmationFile:
    """``loaxa clock confirm`` writes the boot id: the confirmation lasts this boot only."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def confirm(self, now: datetime) -> None:
        data = {"boot_id": boot_id(), "confirmed_at": now.isoformat(timespec="seconds")}
        write_atomically(self.path, json.dumps(data).encode())

    def valid(self) -> bool:
        try:
            return json.loads(self.path.read_text())["boot_id"] == boot_id() != ""
        except (OSError, ValueError, KeyError, TypeError):
            return False


class JumpDetector:
    """Notices when the wall clock moved differently from the monotonic clock."""

    def __init__(
        self, wall: Callable[[], float] = time.time, steady: Callable[[], float] = time.monotonic
    ) -> None:
        self._wall, self._steady = wall, steady
        self._last = (wall(), steady())

    def check(self) -> float:
        """Seconds the wall clock jumped since the last call (0.0 if it did not)."""
        wall, steady = self._wall(), self._steady()
        jump = (wall - self._last[0]) - (steady - self._last[1])
        self._last = (wall, steady)
        return jump if abs(jump) >= JUMP_THRESHOLD_SECONDS else 0.0


def system_clock(tz: tzinfo) -> Clock:
    """The wall clock in the commune's zone (never the machine's local zone)."""
    return lambda: datetime.now(tz)


class ClockKeeper:
    """Whether the box may broadcast on its clock now, and the heartbeat that tells.

    The heartbeat (``state.json``, written atomically once a minute by the daemon) is the
    last moment the box was alive on a trusted clock: the next start logs the slots
    that fell since as missed, and a clock earlier than it cannot be trusted.
    """

    def __init__(
        self,
        data_dir: Path,
        tz: tzinfo,
        *,
        now: Clock | None = None,
        synchronised: Callable[[], bool] = kernel_says_synchronised,
    ) -> None:
        self.tz = tz
        self.now = now or system_clock(tz)
        self._synchronised = synchronised
        self.confirmation = ConfirmationFile(Path(data_dir) / CONFIRMATION_FILE)
        self.state_path = Path(data_dir) / STATE_FILE

    def verdict(self) -> ClockVerdict:
        return judge(
            self.now(),
            synchronised=self._synchronised(),
            confirmed=self.confirmation.valid(),
            newest_seen=self.last_alive(),
        )

    def confirm(self) -> None:
        """``loaxa clock confirm``: the operator vouches for the time, for this boot."""
        self.confirmation.confirm(self.now())

    def heartbeat(self) -> None:
        """Remember that the box was alive now; only on a trusted clock ("alive at a wrong
        time" would hide the gap). Raises OSError when the card cannot be written."""
        if self.verdict().trusted:
            data = json.dumps({"last_alive": self.now().isoformat(timespec="seconds")})
            write_atomically(self.state_path, data.encode())

    def last_alive(self) -> datetime | None:
        try:
            value = json.loads(self.state_path.read_text())["last_alive"]
            return datetime.fromisoformat(value).astimezone(self.tz)
        except (OSError, ValueError, KeyError, TypeError):
            return None

