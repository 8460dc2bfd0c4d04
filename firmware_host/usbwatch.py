"""Run the USB sync when a stick is plugged into the box.

Design: **udev notices, systemd runs, one process per stick.**
``hardware/udev/99-loaxa-usb.rules`` matches a USB block device carrying a vfat or
exfat file system (a partition, or a stick formatted without a partition table) and
asks systemd for ``loaxa-usb@<kernel name>.service``
(``hardware/systemd/loaxa-usb@.service``), which runs
``python -m firmware_host.usbwatch /dev/<name>``, i.e. :func:`main_for_udev`: mount,
:func:`firmware_host.usb.sync_stick`, flush, unmount, signal, exit. Why this rather
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

:func:`watch` (``python -m firmware_host.usbwatch --watch``) does the same from a pyudev
monitor loop, for a bench box without the udev rule; pyudev is imported only there and
in :func:`main_for_udev`, so nothing else on the box needs it.

Mounting, in order: a stick already mounted (a desktop automounter) is used where it
is and left mounted; as root (the service), ``mount -o nosuid,nodev,noexec`` into
``/run/loaxa-usb/<name>``, with ``utf8,shortname=mixed`` for vfat so Vietnamese names
are right whatever the kernel's default character set, and exfat-fuse when the kernel
lacks exFAT; not as root, ``udisksctl mount`` (a desktop with udisks2). ``noexec``
everywhere: nothing on a stick is ever run.

Ownership: the service runs as root (it mounts), the daemon as its own user
(``loaxa``), which owns the data folder. Files the sync creates there (clip WAVs, the
index, schedules, the library's lock files) must belong to that user, or the daemon
could no longer take the locks or rewrite them. So the stick is mounted with that
user's ``uid``/``gid`` and the sync runs with it as effective uid/gid
(:func:`as_owner`); root comes back for flushing and unmounting.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from firmware_host.config import Config, load_config
from firmware_host.messages import LoaxaError, t

__all__ = [
    "FS_TYPES",
    "main_for_udev",
    "mount_point_of",
    "mounted",
    "mounted_sticks",
    "sync_device",
    "watch",
]

logger = logging.getLogger("loaxa.usb")

FS_TYPES = ("vfat", "exfat")
MOUNT_ROOT = Path("/run/loaxa-usb")
COMMAND_TIMEOUT = 60.0
MOUNT_OPTIONS = {"vfat": "nosuid,nodev,noexec,utf8,shortname=mixed", "exfat": "nosuid,nodev,noexec"}


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
    """(uid, gid) the sync must run as: the data folder's owner, when we are root and
    it is another user (see the module doc); None to stay who we are."""
    if os.geteuid() != 0:
        return None
    try:
        info = os.stat(config.data_dir)
    except OSError:
        return None
    return None if info.st_uid == 0 else (info.st_uid, info.st_gid)


@contextlib.contextmanager
def as_owner(owner: tuple[int, int] | None) -> Iterator[None]:
    """Run the block with *owner* as effective uid/gid; root again afterwards.

    Only the effective ids change (the real uid stays root), which is what decides who
    owns the files created, and lets us take root back to unmount.
    """
    if owner is None:
        yield
        return
    os.setegid(owner[1])
    os.seteuid(owner[0])
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


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
            options += f",uid={owner[0]},gid={owner[1]},fmask=0133,dmask=0022"
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


def sync_device(
    config: Config,
    device: str,
    fstype: str,
    *,
    signal: Any = None,
    sync: Callable[..., Any] | None = None,
) -> Any:
    """Mount, sync, unmount and signal; returns the SyncResult (None if not mounted).

    *signal* is a :class:`firmware_host.signals.DoneSignal` (made here when None).
    """
    from firmware_host.signals import DoneSignal
    from firmware_host.usb import sync_stick

    if fstype not in FS_TYPES:
        logger.info(t("usb.device_ignored", device=device, fstype=fstype or "?"))
        return None
    signal = signal if signal is not None else DoneSignal(config)
    sync = sync or sync_stick
    owner = data_owner(config)
    result = None
    try:
        signal.busy()
        try:
            with mounted(device, fstype, owner) as where, as_owner(owner):
                result = sync(config, where)
        except LoaxaError as exc:
            logger.error(str(exc))
        except Exception:  # the signal must still say "problem"
            logger.exception("usb sync of %s failed", device)
        if result is not None and not result.stick_gone:
            logger.info(t("usb.remove_now", device=device))
        signal.done(result is not None and result.ok)
    finally:
        signal.close()
    return result


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
    """``python -m firmware_host.usbwatch /dev/sda1`` (the systemd unit) or ``--watch``.

    Exit 0 when the stick was synced without a refusal, 1 otherwise (journal has why).
    """
    parser = argparse.ArgumentParser(prog="python -m firmware_host.usbwatch")
    parser.add_argument("device", nargs="?", help="/dev/sda1")
    parser.add_argument("--watch", action="store_true")
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--config", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        config = load_config(args.data_dir, args.config)
    except LoaxaError as exc:
        logger.error(str(exc))
        return 1
    if args.watch:
        watch(config)
        return 0
    if not args.device:
        parser.error("device or --watch")
    result = sync_device(config, args.device, _fs_type(args.device))
    return 0 if result is not None and result.ok else 1


if __name__ == "__main__":
    sys.exit(main_for_udev())
