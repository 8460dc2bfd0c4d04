"""Run the USB sync when a stick is plugged into the box.

Design: **udev notices, systemd runs, one process per stick.**
``hardware/udev/99-loaxa-usb.rules`` matches a USB block device carrying a vfat or
exfat file system (a partition, or a stick formatted without a partition table) and
asks systemd for ``loaxa-usb@<kernel name>.service``
(``hardware/systemd/loaxa-usb@.service``), which runs
``python -m firmware_host.usb.watch /dev/<name>``, i.e. :func:`main_for_udev`: mount,
:func:`firmware_host.usb.sync.sync_stick`, flush, unmount, signal, exit. Why this rather
than a watcher inside the broadcast daemon or a udev ``RUN+=``:

* udev kills ``RUN+=`` programs after a few seconds and runs them in a private mount
  namespace (a mount made there is invisible to everyone else); a service has neither
  limit, and systemd will not start a second instance for the same stick.
* A stick that hangs in I/O, or a 30-minute clip keeping ffmpeg busy, stays away from
  the process that switches the amplifier; the unit runs at ``Nice=10`` and idle I/O
  priority so a broadcast never waits for a stick. The daemon and this process already
  share the clip library safely (its flock files) and the schedules folder (atomic
  writes, which the daemon's reload picks up).
* Each sync has its own log: ``journalctl -u 'loaxa-usb@*'``.

:func:`watch` (``python -m firmware_host.usb.watch --watch``) does the same from a pyudev
monitor loop, for a bench box without the udev rule; pyudev is imported only there and
in :func:`main_for_udev`, so nothing else on the box needs it.

Mounting, in order: a stick already mounted (a desktop automounter) is used where it
is and left mounted; as root (the service), ``mount -o nosuid,nodev,noexec`` into
``/run/loaxa-usb/<name>``, with ``utf8,shortname=mixed`` for vfat so Vietnamese names
are right whatever the kernel's default character set, and exfat-fuse when the kernel
lacks exFAT; not as root, ``udisksctl mount`` (a desktop with udisks2). ``noexec``
everywhere, and ``fmask=0133`` as well because exfat-fuse silently drops ``noexec``:
nothing on a stick is ever executable, whoever owns it.

Privileges: **root only mounts, waits, unmounts and signals.** The daemon runs as its
own user (``loaxa``), which owns the data folder; the stick is mounted with that user's
``uid``/``gid``, and the sync itself (parsing the stick's files, ffprobe and ffmpeg on
its media, writing clips, schedules, reports and the receipt) runs in a forked child
that has dropped root for good, with no new privileges and resource limits
(:mod:`firmware_host.usb.confine`). Files it adds to the box therefore belong to that user,
as the daemon needs for its locks. With no such user to become (the data folder
missing or owned by root) nothing is synced and the log says why. Root never touches
a path in a folder another user can write: it reads its config only from a root-owned
file (``--config``), and the state file for the front panel is written by a dropped
child too (:func:`firmware_host.usb.signals.write_usb_state`).

Time: the whole sync has a deadline (:data:`SYNC_DEADLINE`, shorter than the unit's
``TimeoutStartSec``); past it, or on SIGTERM (the unit stopped, a shutdown), the child
stops where it is, writes the receipt saying so, and is killed if it cannot within
:data:`firmware_host.usb.confine.GRACE_SECONDS`; the stick is then unmounted and the state
says "done, with a problem", never "busy".

The front panel's export button runs ``python -m firmware_host.usb.watch --path <stick>``
(:func:`start_export`): the same supervised, confined sync on a stick the system has
mounted, as a process of its own, so nothing of a stick is ever parsed in the process
that switches the amplifier.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import shutil
import signal as posix_signal
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from firmware_host.config import CONFIG_NAME, Config, load_config
from firmware_host.messages import LoaxaError, t
from firmware_host.usb import confine

if TYPE_CHECKING:
    from firmware_host.usb.signals import DoneSignal
    from firmware_host.usb.sync import SyncResult

__all__ = [
    "FS_TYPES",
    "main_for_udev",
    "mount_point_of",
    "mounted",
    "mounted_sticks",
    "start_export",
    "sync_device",
    "sync_mounted",
    "watch",
]

logger = logging.getLogger("loaxa.usb")

FS_TYPES = ("vfat", "exfat")
MOUNT_ROOT = Path("/run/loaxa-usb")
COMMAND_TIMEOUT = 60.0
MOUNT_OPTIONS = {"vfat": "nosuid,nodev,noexec,utf8,shortname=mixed", "exfat": "nosuid,nodev,noexec"}
# Files rw-r--r--, folders rwxr-xr-x, for the data folder's owner: no file executable.
OWNER_OPTIONS = ",uid={uid},gid={gid},fmask=0133,dmask=0022"
# The whole sync, mounted to unmounted. A 30-minute clip takes minutes on a Pi Zero;
# with GRACE_SECONDS, unmounting and the done signal this stays inside the unit's
# TimeoutStartSec=45min (tests/test_units.py checks the sum).
SYNC_DEADLINE = 40 * 60.0
# The interpreter of the separate process the export button starts.
PYTHON = sys.executable


def _unescape(field: str) -> str:
    """/proc/mounts writes space, tab, newline and backslash as octal escapes."""
    for code in ("\\040", "\\011", "\\012", "\\134"):
        field = field.replace(code, chr(int(code[1:], 8)))
    return field


def mount_point_of(device: str, mounts: str | None = None) -> Path | None:
    """Where *device* is mounted now (first entry of /proc/mounts), or None."""
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text("utf-8", "replace")
        except OSError:
            return None
    wanted = os.path.realpath(device)
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) >= 2 and os.path.realpath(_unescape(fields[0])) == wanted:
            return Path(_unescape(fields[1]))
    return None


def mounted_sticks(mounts: str | None = None) -> list[Path]:
    """Mount points of FAT/exFAT file systems on removable-media places (/media,
    /run/media, our own mount root): what the panel's export button can sync to."""
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text("utf-8", "replace")
        except OSError:
            return []
    places = ("/media/", "/run/media/", f"{MOUNT_ROOT}/")
    found = []
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3 or fields[2] not in (*FS_TYPES, "fuseblk", "fuse.exfat"):
            continue
        point = _unescape(fields[1])
        if point.startswith(places):
            found.append(Path(point))
    return found


def _run(command: Sequence[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(command), capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False
    )


def _fail(device: str, run: subprocess.CompletedProcess[str]) -> LoaxaError:
    detail = (run.stderr or run.stdout).strip() or f"exit {run.returncode}"
    return LoaxaError("usb.mount_failed", device=device, detail=detail)


def data_owner(config: Config) -> tuple[int, int] | None:
    """(uid, gid) the sync must run as: when we are root, the data folder's owner, which
    must exist and not be root (:class:`LoaxaError` otherwise); None when we are not
    root (the sync runs as who we are)."""
    if os.geteuid() != 0:
        return None
    try:
        info = os.stat(config.data_dir)
    except OSError as exc:
        raise LoaxaError("usb.no_data_dir", path=config.data_dir) from exc
    if not stat.S_ISDIR(info.st_mode):
        raise LoaxaError("usb.no_data_dir", path=config.data_dir)
    if info.st_uid == 0:
        raise LoaxaError("usb.data_dir_root", path=config.data_dir)
    return info.st_uid, info.st_gid


def _root_only(path: Path) -> bool:
    """A regular file (not a link) that only root can change, in a folder only root
    can change: safe for root to read by name."""
    try:
        info, folder = os.lstat(path), os.stat(path.parent)
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and all(
        i.st_uid == 0 and not i.st_mode & 0o022 for i in (info, folder)
    )


@contextlib.contextmanager
def mounted(device: str, fstype: str, owner: tuple[int, int] | None = None) -> Iterator[Path]:
    """Mount *device* for the time of the block (unless someone else already did).

    *owner* (uid, gid) owns every file on the mounted stick, so the sync running as
    that user can write there. On leaving, the file systems are synced and what we
    mounted is unmounted, so the stick is safe to pull out as soon as the done signal
    shows.
    """
    existing = mount_point_of(device)
    if existing is not None:
        try:
            yield existing  # not ours: flush, but leave it mounted
        finally:
            os.sync()
        return
    unmount: list[str] = []
    cleanup: Path | None = None
    if os.geteuid() != 0 and shutil.which("udisksctl"):
        run = _run(["udisksctl", "mount", "-b", device, "-o", "noexec", "--no-user-interaction"])
        if run.returncode != 0:
            raise _fail(device, run)
        unmount = ["udisksctl", "unmount", "-b", device, "--no-user-interaction"]
    else:
        target = MOUNT_ROOT / Path(device).name
        target.mkdir(parents=True, exist_ok=True)
        options = MOUNT_OPTIONS[fstype]
        if owner is not None:
            options += OWNER_OPTIONS.format(uid=owner[0], gid=owner[1])
        run = _run(["mount", "-t", fstype, "-o", options, device, str(target)])
        if run.returncode != 0 and fstype == "exfat" and shutil.which("mount.exfat-fuse"):
            run = _run(["mount.exfat-fuse", "-o", options, device, str(target)])
        if run.returncode != 0:
            with contextlib.suppress(OSError):
                target.rmdir()
            raise _fail(device, run)
        unmount, cleanup = ["umount", str(target)], target
    where = mount_point_of(device)
    if where is None:
        raise LoaxaError("usb.mount_failed", device=device, detail="/proc/mounts")
    logger.info(t("usb.mounted", device=device, path=where))
    try:
        yield where
    finally:
        os.sync()
        run = _run(unmount)
        if run.returncode == 0:
            logger.info(t("usb.unmounted", device=device))
            if cleanup is not None:
                with contextlib.suppress(OSError):
                    cleanup.rmdir()
        else:
            detail = (run.stderr or run.stdout).strip() or f"exit {run.returncode}"
            logger.warning(t("usb.unmount_failed", device=device, detail=detail))


def run_sync(
    config: Config,
    stick: Path,
    owner: tuple[int, int] | None,
    *,
    sync: Callable[..., SyncResult] | None = None,
    deadline: float = SYNC_DEADLINE,
) -> SyncResult | None:
    """``sync(config, stick)`` (default :func:`firmware_host.usb.sync.sync_stick`) in a
    confined child; its result, or None when the child gave none (the log says why)."""
    from firmware_host.usb.sync import SyncResult, sync_stick

    chosen = sync or sync_stick

    def work() -> bytes:
        return chosen(config, stick).to_json()

    outcome = confine.run_confined(work, owner, deadline=deadline)
    if outcome.answer is not None:
        try:
            return SyncResult.from_json(outcome.answer)
        except (ValueError, TypeError, KeyError) as exc:
            logger.error(t("usb.sync_failed", detail=f"{type(exc).__name__}: {exc}"))
            return None
    detail = f"exit {outcome.status}" if outcome.status >= 0 else f"signal {-outcome.status}"
    logger.error(t("usb.sync_failed", detail=detail))
    return None


def _raise_stopped(_number: int, _frame: FrameType | None) -> None:
    raise confine.Stopped("stopped")


def _supervised(signal: DoneSignal, body: Callable[[], SyncResult | None]) -> Any:
    """Busy signal, *body*, done signal. SIGTERM outside the confined child (while
    mounting, say) ends the sync the same way; after a stop the state is published
    at once, without the 20 s of light, so a shutdown is not held up."""
    previous = posix_signal.signal(posix_signal.SIGTERM, _raise_stopped)
    result = None
    stopped = False
    try:
        try:
            result = body()
        except LoaxaError as exc:
            logger.error(str(exc))
        except confine.Stopped:
            stopped = True
            logger.error(t("usb.stopped"))
        except Exception:  # the signal must still say "problem"
            logger.exception("usb sync failed")
        ok = result is not None and result.ok
        try:
            signal.done(ok, quick=stopped)
        except confine.Stopped:
            signal.done(ok, quick=True)
    finally:
        posix_signal.signal(posix_signal.SIGTERM, previous)
        signal.close()
    return result


def sync_device(
    config: Config,
    device: str,
    fstype: str,
    *,
    signal: Any = None,
    sync: Callable[..., Any] | None = None,
    deadline: float = SYNC_DEADLINE,
) -> Any:
    """Mount, sync (confined), unmount and signal; returns the SyncResult (None if
    nothing was synced).

    *signal* is a :class:`firmware_host.usb.signals.DoneSignal` (made here when None);
    *sync* replaces :func:`firmware_host.usb.sync.sync_stick` (tests fix its ``now``).
    """
    from firmware_host.usb.signals import DoneSignal

    if fstype not in FS_TYPES:
        logger.info(t("usb.device_ignored", device=device, fstype=fstype or "?"))
        return None
    chosen = signal if signal is not None else DoneSignal(config)

    def body() -> SyncResult | None:
        owner = data_owner(config)  # refuses before anything is mounted
        chosen.busy()
        with mounted(device, fstype, owner) as where:
            result = run_sync(config, where, owner, sync=sync, deadline=deadline)
        if result is not None and not result.stick_gone:
            logger.info(t("usb.remove_now", device=device))
        return result

    return _supervised(chosen, body)


def sync_mounted(
    config: Config,
    stick: Path,
    *,
    sync: Callable[..., Any] | None = None,
    deadline: float = SYNC_DEADLINE,
) -> Any:
    """The same for a stick someone else mounted (``--path``, the export button): no
    mounting, no light or sound (the daemon owns the panel), the state file only."""
    from firmware_host.usb.signals import DoneSignal

    signal = DoneSignal(config, state_only=True)

    def body() -> SyncResult | None:
        owner = data_owner(config)
        signal.busy()
        return run_sync(config, Path(stick), owner, sync=sync, deadline=deadline)

    return _supervised(signal, body)


def start_export(config: Config, stick: Path) -> subprocess.Popen[bytes]:
    """Start ``python -m firmware_host.usb.watch --path <stick>`` (the export button)
    and return at once; the process writes ``usb-state.json`` as it goes."""
    command = [PYTHON, "-m", "firmware_host.usb.watch", "--path", str(stick)]
    command += ["--data-dir", str(config.data_dir)]
    if config.source is not None:
        command += ["--config", str(config.source)]
    return subprocess.Popen(command, cwd="/", stdin=subprocess.DEVNULL)


def _fs_type(device: str) -> str:
    """ID_FS_TYPE from udev's database, else from blkid (udev may not have probed yet)."""
    try:
        import pyudev

        found = pyudev.Devices.from_device_file(pyudev.Context(), device)
        fstype = found.properties.get("ID_FS_TYPE")
        if fstype:
            return str(fstype)
    except Exception:  # no udev database (containers), pyudev missing
        pass
    with contextlib.suppress(OSError, subprocess.TimeoutExpired):
        run = _run(["blkid", "-o", "value", "-s", "TYPE", device])
        return run.stdout.strip()
    return ""


def watch(config: Config) -> None:
    """Wait for sticks forever and sync each one (bench use; see the module doc)."""
    import pyudev

    context = pyudev.Context()
    monitor = pyudev.Monitor.from_netlink(context)
    monitor.filter_by("block")
    logger.info(t("usb.watching"))
    for device in iter(monitor.poll, None):
        if device.action != "add" or device.properties.get("ID_BUS") != "usb":
            continue
        fstype = device.properties.get("ID_FS_TYPE", "")
        if fstype in FS_TYPES and device.device_node:
            sync_device(config, device.device_node, fstype)


def main_for_udev(argv: Sequence[str] | None = None) -> int:
    """``python -m firmware_host.usb.watch /dev/sda1`` (the systemd unit), ``--path
    <mounted stick>`` (the export button) or ``--watch``.

    Exit 0 when the stick was synced without a refusal, 1 otherwise (journal has why).
    """
    parser = argparse.ArgumentParser(prog="python -m firmware_host.usb.watch")
    parser.add_argument("device", nargs="?", help="/dev/sda1")
    parser.add_argument("--path", type=Path, help="a stick already mounted there")
    parser.add_argument("--watch", action="store_true")
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--config", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        if os.geteuid() == 0:
            _check_root_config(args.config, args.data_dir)
        config = load_config(args.data_dir, args.config)
    except LoaxaError as exc:
        logger.error(str(exc))
        return 1
    if args.watch:
        watch(config)
        return 0
    if args.path is not None:
        result = sync_mounted(config, args.path)
    elif args.device:
        result = sync_device(config, args.device, _fs_type(args.device))
    else:
        parser.error("device, --path or --watch")
    return 0 if result is not None and result.ok else 1


def _check_root_config(given: Path | None, data_dir: Path | None) -> None:
    """As root, read a config only from a file only root can change (see module doc):
    a ``monitor_device`` or data folder chosen by another user would otherwise be
    used with root's rights."""
    from firmware_host.config import default_data_dir

    path = given if given is not None else (data_dir or default_data_dir()) / CONFIG_NAME
    if (given is not None or os.path.lexists(path)) and not _root_only(Path(path)):
        raise LoaxaError("usb.config_not_root", path=path)


if __name__ == "__main__":
    sys.exit(main_for_udev())
