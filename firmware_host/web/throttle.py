"""Login backoff: each wrong password makes the next try wait longer.

Counted twice, per account name and per client address, and the longer wait wins: one
address guessing many names is slowed, and so is one name guessed from many addresses.
The first :data:`FREE_TRIES` failures cost nothing (people mistype on a phone), then the
wait doubles from one second up to :data:`MAX_WAIT_SECONDS`. A try made while waiting
is refused without looking at the password (so a correct one still waits: the wait
reveals nothing) and counts as a failure, so hammering the button locks an account for
the full quarter of an hour after 20 tries.

Kept in memory, bounded: writing a counter to the SD card on every guess would let
anyone on the Wi-Fi wear the card out. A restart of the panel forgets them, and only
root can restart it; a technician's password reset forgets an account's count.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

FREE_TRIES = 5
MAX_WAIT_SECONDS = 15 * 60
REMEMBERED_AT_MOST = 4096  # names and addresses; the oldest are forgotten first


def wait_after(failures: int) -> float:
    """Seconds to wait after *failures* wrong tries in a row."""
    if failures < FREE_TRIES:
        return 0.0
    return float(min(2 ** (failures - FREE_TRIES), MAX_WAIT_SECONDS))


class Backoff:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        # key -> (failures, monotonic time of the last failure)
        self._counts: OrderedDict[Hashable, tuple[int, float]] = OrderedDict()

    def wait(self, *keys: Hashable) -> float:
        """Seconds before the next try of any of *keys* may be checked (0: now)."""
        now = self._clock()
        with self._lock:
            waits = [0.0]
            for key in keys:
                failures, last = self._counts.get(key, (0, now))
                waits.append(last + wait_after(failures) - now)
            return max(0.0, *waits)

    def failed(self, *keys: Hashable) -> float:
        """Count one failure on each of *keys*; the wait it brings (seconds)."""
        now = self._clock()
        with self._lock:
            for key in keys:
                failures, _last = self._counts.pop(key, (0, now))
                self._counts[key] = (failures + 1, now)
            while len(self._counts) > REMEMBERED_AT_MOST:
                self._counts.popitem(last=False)
        return self.wait(*keys)

    def forget(self, *keys: Hashable) -> None:
        with self._lock:
            for key in keys:
                self._counts.pop(key, None)
