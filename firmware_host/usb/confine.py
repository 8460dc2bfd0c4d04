"""Run work on outside data in a child process that can never become root again.

A USB stick is the box's door that anyone can reach, so whatever parses a stick's files
(our readers, ffprobe and ffmpeg on its media) runs in a process that:

* **dropped root for good** (:func:`drop_root`): no supplementary groups
  (``setgroups([])``), then ``setresgid`` and ``setresuid`` set real, effective *and*
  saved ids to the target user, and the result is checked (``setuid(0)`` must fail).
  Changing only the effective uid, as the sync once did, let any program it started
  call ``setuid(0)`` and read ``/etc/shadow`` (issue 10, shown with a substitute
  ffprobe);
* has **no new privileges** (``prctl(PR_SET_NO_NEW_PRIVS)``): a set-uid program
  (``su``, ``fusermount``) started from it gains nothing;
* runs **at low priority** (nice 10, idle I/O class), so a broadcast never waits for it;
* lives inside **resource limits** (:data:`LIMITS`) that it and every program it starts
  inherit and cannot raise: address space, processes, file size, CPU time, open files,
  no core dumps. They are the outer fence; a tighter limit on one ffmpeg run is the
  clip importer's business (it may lower, never raise them).

:func:`run_confined` forks that child, waits for it with a deadline and returns what
it wrote on a pipe. The parent keeps root (it mounted the stick and unmounts it) and
reads the child's answer as plain bytes: the caller parses JSON, never a pickle, since
the child has read hostile files. Fork rather than a new interpreter: the child starts
with the code already loaded, and nothing of the child's work runs before the drop.

Stopping: SIGTERM to the parent (systemd stopping the unit, a shutdown) is passed on to
the child; SIGTERM or the deadline make the child raise :class:`Stopped` where it is,
which the work catches to finish its receipt. After :data:`GRACE_SECONDS` more the
child is killed, so the parent can always unmount and say what happened. Once the
child is gone the SIGTERM is raised again in the parent, for its own handler.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import logging
import os
import platform
import resource
import selectors
import signal
import struct
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import FrameType

__all__ = [
    "GRACE_SECONDS",
    "LIMITS",
    "Outcome",
    "Stopped",
    "confine",
    "deferred_stop",
    "drop_root",
    "interruptible",
    "run_confined",
    "stop_requested",
]

logger = logging.getLogger("loaxa.usb")

GIB = 1024**3
# Address space, measured on x86-64 (Python 3.11, ffmpeg 5.1, 2 cores, a 3-minute
# clip): the sync process peaks at 0.05 GB, ffprobe at 0.27 GB, ffmpeg's loudnorm pass
# at 0.32 GB (mostly thread stacks and glibc's per-thread arenas, reserved rather than
# used; a 4-core Pi has a few more threads). 1 GB leaves three times that, and stops
# a parser that runs away: a zero-filled 1 GB .mp3 took ffprobe to ~2 GB (issue 10).
LIMITS: dict[int, int] = {
    resource.RLIMIT_AS: GIB,
    # Per user, threads included: the daemon (same user) has ~20; ffmpeg a few per core.
    resource.RLIMIT_NPROC: 256,
    # The largest file the sync writes is a stored clip: 48 kHz mono 16-bit is 0.35 GB
    # per hour of audio.
    resource.RLIMIT_FSIZE: 2 * GIB,
    # Each process's own CPU seconds; above the sync's whole deadline, never reached
    # by honest work.
    resource.RLIMIT_CPU: 45 * 60,
    resource.RLIMIT_NOFILE: 256,
    resource.RLIMIT_CORE: 0,  # a crash on a hostile file leaves no image of its memory
}
NICE = 10
GRACE_SECONDS = 30.0  # after SIGTERM or the deadline: time to write the receipt
MAX_ANSWER = 16 * 1024**2  # bytes read from the child; a receipt is a few KB
POLL_SECONDS = 0.2
UNKILLABLE_SECONDS = 10.0  # after SIGKILL; a process stuck in I/O on a dead device

_PR_SET_NO_NEW_PRIVS = 38
_IOPRIO_CLASS_IDLE = 3
_IOPRIO_WHO_PROCESS = 1
# ioprio_set(2) has no wrapper in Python or glibc; its number depends on the ABI of
# this process (a 32-bit Raspberry Pi OS runs on a 64-bit kernel: ARM EABI numbers).
_IOPRIO_SET = {("x86_64", 64): 251, ("aarch64", 64): 30, ("arm", 32): 314, ("x86", 32): 289}


class Stopped(BaseException):  # a request, like KeyboardInterrupt
    """Raised inside the confined child on SIGTERM (*reason* "stopped") or at its
    deadline ("deadline", after *seconds*). A BaseException, so no ``except Exception``
    of one file's step swallows it."""

    def __init__(self, reason: str, seconds: float = 0.0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.seconds = seconds


@dataclass(frozen=True)
class Outcome:
    """How the child ended: its answer (None if it wrote none), its exit status
    (negative: killed by that signal), and whether the parent had to stop it."""

    answer: bytes | None
    status: int
    stopped: str | None = None  # "stopped" (SIGTERM), "deadline", or None
    killed: bool = False


# ---------------------------------------------------------------------- in the child


def drop_root(uid: int, gid: int) -> None:
    """Become *uid*/*gid* for good: groups, then gid, then uid (the order matters:
    without root one can no longer change groups or gid)."""
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if os.getresuid() != (uid, uid, uid) or os.getresgid() != (gid, gid, gid) or os.getgroups():
        raise PermissionError(errno.EPERM, "ids not dropped")
    try:
        os.setuid(0)
    except PermissionError:
        return
    raise PermissionError(errno.EPERM, "root could be taken back")


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _no_new_privileges() -> None:
    if _libc().prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


def _idle_io() -> None:
    """Idle I/O class, like ``ionice -c 3`` and the unit's IOSchedulingClass=idle."""
    machine = platform.machine().lower()
    family = "arm" if machine.startswith(("arm", "aarch64")) else "x86"
    bits = struct.calcsize("P") * 8
    if bits == 64:
        family = "aarch64" if family == "arm" else "x86_64"
    number = _IOPRIO_SET.get((family, bits))
    if number is None or _libc().syscall(number, _IOPRIO_WHO_PROCESS, 0, _IOPRIO_CLASS_IDLE << 13):
        logger.debug("idle I/O class not set on %s/%d", machine, bits)


def _limit(which: int, value: int) -> None:
    _soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, value))


def confine(owner: tuple[int, int] | None) -> None:
    """Everything :func:`run_confined`'s child does before the work (see module doc)."""
    if owner is not None:
        drop_root(*owner)
    elif os.geteuid() == 0:
        raise PermissionError(errno.EPERM, "refusing to run confined work as root")
    _no_new_privileges()
    os.setpriority(os.PRIO_PROCESS, 0, max(NICE, os.getpriority(os.PRIO_PROCESS, 0)))
    _idle_io()
    for which, value in LIMITS.items():
        _limit(which, value)


# One process, one confined job: the state of the stop request in the child. Outside
# a confined child no handler is installed and nothing here ever happens.
_deferring = False
_pending: Stopped | None = None
_deadline = 0.0


def _on_signal(number: int, _frame: FrameType | None) -> None:
    global _pending
    if _pending is not None:
        return  # the first request wins; the receipt is being written
    signal.alarm(0)
    reason = "deadline" if number == signal.SIGALRM else "stopped"
    _pending = Stopped(reason, _deadline)
    if not _deferring:
        raise _pending


def stop_requested() -> Stopped | None:
    """The stop request this child received (reason and deadline), or None."""
    return _pending


@contextlib.contextmanager
def deferred_stop() -> Iterator[None]:
    """A stop request inside the block is only noted (:func:`stop_requested`), not
    raised, except inside :func:`interruptible`: for writing the receipt, which must be
    done whatever happens."""
    global _deferring
    before, _deferring = _deferring, True
    try:
        yield
    finally:
        _deferring = before


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """Inside :func:`deferred_stop`, the part that a stop request interrupts at once
    (one already noted is raised on entry)."""
    global _deferring
    before, _deferring = _deferring, False
    try:
        if _pending is not None:
            raise _pending
        yield
    finally:
        _deferring = before


# ---------------------------------------------------------------------- in the parent


def _close_inherited(keep: int) -> None:
    """The child keeps stdin/out/err and its answer pipe; nothing else of the parent."""
    os.closerange(3, keep)
    os.closerange(keep + 1, 65536)


def _child(work: Callable[[], bytes], owner: tuple[int, int] | None, deadline: float, out: int):
    global _pending, _deferring, _deadline
    code = 70  # EX_SOFTWARE
    try:
        _pending, _deferring, _deadline = None, False, deadline
        signal.signal(signal.SIGTERM, _on_signal)
        signal.signal(signal.SIGALRM, _on_signal)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _close_inherited(out)
        confine(owner)
        signal.alarm(max(1, round(deadline)))
        answer = work()
        signal.alarm(0)
        view = memoryview(answer)
        while view:
            view = view[os.write(out, view) :]
        code = 0
    except BaseException:  # the child must end here, whatever happened
        with contextlib.suppress(BaseException):
            traceback.print_exc()
    finally:
        with contextlib.suppress(BaseException):
            sys.stderr.flush()
        os._exit(code)


def run_confined(
    work: Callable[[], bytes],
    owner: tuple[int, int] | None,
    *,
    deadline: float,
    grace: float = GRACE_SECONDS,
) -> Outcome:
    """Run *work* in a confined child (see module doc); return how it ended.

    *owner* is the (uid, gid) to drop to when we are root (required then); *deadline*
    is seconds for the whole work, after which it is asked to stop, and killed
    *grace* seconds later.
    """
    parent = os.getpid()
    stop: list[str] = []

    def on_term(_number: int, _frame: FrameType | None) -> None:
        if os.getpid() == parent and not stop:
            stop.append("stopped")

    # Only the main thread may handle signals; elsewhere SIGTERM stays the caller's.
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, on_term) if main else None
    read_end, write_end = os.pipe()
    child = 0
    try:
        sys.stdout.flush()
        sys.stderr.flush()
        child = os.fork()
        if child == 0:
            os.close(read_end)
            _child(work, owner, deadline, write_end)
        os.close(write_end)
        os.set_blocking(read_end, False)
        return _Waiter(child, read_end, stop).wait(deadline, grace)
    except BaseException:
        if child > 0:  # the parent itself failed (Ctrl-C): the child must not outlive it
            with contextlib.suppress(OSError):
                os.kill(child, signal.SIGKILL)
                os.waitpid(child, 0)
        raise
    finally:
        os.close(read_end)
        if main:
            signal.signal(signal.SIGTERM, previous)
        if stop:  # the caller was asked to stop too: now that the child is done
            signal.raise_signal(signal.SIGTERM)


class _Waiter:
    """The parent's side: read the child's answer and reap it, stopping then killing
    it when due. The child's end is seen at once through a pidfd (Linux 5.3+)."""

    def __init__(self, pid: int, pipe: int, stop: list[str]) -> None:
        self.pid, self.pipe, self.stop = pid, pipe, stop
        self.chunks: list[bytes] = []
        self.size = 0
        self.open = True

    def read(self) -> None:
        while self.open:
            try:
                data = os.read(self.pipe, 65536)
            except BlockingIOError:
                return
            if not data:
                self.open = False
            elif self.size <= MAX_ANSWER:
                self.chunks.append(data)
                self.size += len(data)

    def signal(self, number: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, number)

    def wait(self, deadline: float, grace: float) -> Outcome:
        start = time.monotonic()
        kill_at = start + deadline + grace
        asked: str | None = None
        killed = False
        status: int | None = None
        with contextlib.ExitStack() as stack:
            selector = stack.enter_context(selectors.DefaultSelector())
            selector.register(self.pipe, selectors.EVENT_READ)
            with contextlib.suppress(AttributeError, OSError):  # no pidfd: poll instead
                pidfd = os.pidfd_open(self.pid)
                stack.callback(os.close, pidfd)
                selector.register(pidfd, selectors.EVENT_READ)
            while status is None:
                now = time.monotonic()
                late = now >= start + deadline + 1  # the child's own alarm came first
                reason = self.stop[0] if self.stop else ("deadline" if late else None)
                if reason and asked is None:
                    asked = reason
                    kill_at = min(kill_at, now + grace)
                    self.signal(signal.SIGTERM)
                if now >= kill_at and not killed:
                    killed = True
                    self.signal(signal.SIGKILL)
                if killed and now >= kill_at + UNKILLABLE_SECONDS:
                    # Stuck in the kernel on a dead stick: give up waiting, unmount lazily.
                    logger.error("confined child %d does not die", self.pid)
                    status = -signal.SIGKILL
                    break
                for key, _events in selector.select(POLL_SECONDS):
                    if key.fd == self.pipe:
                        self.read()
                        if not self.open:
                            selector.unregister(self.pipe)
                done, raw = os.waitpid(self.pid, os.WNOHANG)
                if done:
                    status = os.waitstatus_to_exitcode(raw)
                    self.read()
        complete = status == 0 and not self.open and self.size <= MAX_ANSWER
        if status != 0:
            logger.error("confined child %d ended with status %s", self.pid, status)
        return Outcome(
            answer=b"".join(self.chunks) if complete else None,
            status=status,
            stopped=asked,
            killed=killed,
        )
