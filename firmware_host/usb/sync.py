"""Sync a USB stick: monthly reports out, new clips and schedules in, a receipt on top.

The box has no screen. The commune radio officer plugs a stick in, waits for the
status light, pulls it out and reads the receipt on the office PC. Everything that
happened must therefore be said in that receipt (and in the system log when the
receipt itself cannot be written), and nothing a stick holds can hurt the box.

What one sync does, in this order, and why:

1. **Export** the month reports of the previous month and of the current month so far,
   in every format, plus each month's playback log (the box's month JSON file copied
   byte for byte, and a CSV of its entries) into
   ``<export_folder>/<commune>/<YYYY-MM>/``. Names go through
   :func:`firmware_host.report.names.safe_file_name`: valid on FAT32 and exFAT, Vietnamese
   diacritics kept (NFC). Reports are made in a temp folder on the box, then every
   file is written onto the stick atomically (temp file, fsync, rename, fsync of the
   folder), so a stick pulled out mid-write holds the previous complete file or none,
   never half a spreadsheet. The box's own log is only ever *read*: it keeps every
   month.
2. **Import** from ``<import_folder>`` (``LoaXa/nhap`` by default), only the files
   directly in it: clips through :meth:`ClipLibrary.import_file` (the very import the
   CLI uses, so the same checks apply; content already in the library is reported as
   "already there", not as an error), then ``*.toml`` schedule files. Each schedule is
   read into memory once, checked with :func:`check_schedules` together with the
   box's other schedules against the library (after the clip import) and the
   configured zones, and copied atomically into the schedules folder only when it has
   no error and collides with nothing; the daemon picks up the new file by itself. A
   refused file changes nothing: the running schedule is kept. Whatever goes wrong
   with one file (an exception of any kind: a TOML nested 100,000 deep raises
   RecursionError) refuses that file alone, with a receipt line.
3. Write a **receipt** (``BIÊN NHẬN <date> <time with seconds>.txt``, UTF-8 with BOM and
   CRLF so that Windows Notepad shows the diacritics) at the top of the export folder:
   what was exported, imported, refused and why, and the sessions still to come in
   the next 7 days. A receipt already there is never replaced: a second one in the
   same second gets `` (2)``.
4. **Flush**: every folder written to is fsynced, then ``os.sync()``.
   Unmounting and the done signal belong to :mod:`firmware_host.usb.watch`, which
   mounted the stick (a directory given on the command line is not ours to unmount).

Safety rules, each tested in ``tests/usb/test_usb.py``:

* Nothing on a stick is ever executed or opened by anything but our readers: no
  autorun, no scripts; files of other types get a line "ignored" in the receipt.
* Symbolic links are never followed (neither files nor the folders leading to the
  import folder); names with ``/``, ``\\``, control characters or ``..`` are refused.
* Sizes are checked before anything is read: a clip over :data:`MAX_CLIP_BYTES`
  (a 4 GB file) is refused without starting ffprobe, a schedule over
  :data:`MAX_SCHEDULE_BYTES` without reading it.
* **Imported files are left on the stick untouched.** Moving them to a ``da-nhap``
  folder would write outside our export folder and fail on a write-protected stick;
  re-plugging the same stick costs one probe and one sha256 per clip, and the library
  already refuses known content by its sha256, so the receipt simply says "already
  there".
* Symbolic links on the way to the export folder are not written through either (an
  ext4 stick could point ``LoaXa`` at the box's data folder).
* A read-only, full or vanished stick is reported once (receipt or system log), the
  sync goes on with whatever still works (a read-only stick still imports), and the
  box's clips, schedules and log are never left half-written. Before every write the
  stick must still be the same file system (device and inode of its root), and every
  write goes through folders opened once from the stick's root, never through a path
  (:class:`StickWriter`): a mount point left behind by a pulled stick would otherwise be
  filled on the box's own SD card. Before every export file, some
  free space (:data:`REPORT_ROOM` + :data:`RECEIPT_ROOM`) must be left, so a nearly
  full stick still receives the receipt that says it is full.

``dry_run`` writes nothing, neither on the stick nor on the box: reports are built
into a temporary folder to list their names, clips are listed as "would be imported",
and schedules are checked against the library plus the stick's clips (by title and
slug, with zero duration: a collision that depends on a new clip's length is only
found by the real run).
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
from datetime import datetime
from pathlib import Path

from firmware_host.config import Config
from firmware_host.messages import LoaxaError, t
from firmware_host.usb.confine import Stopped, deferred_stop, interruptible, stop_requested
from firmware_host.usb.export import export_reports
from firmware_host.usb.importer import import_from_stick
from firmware_host.usb.receipt import (
    log_result,
    notepad_bytes,
    plan_lines,
    receipt_name,
    render_receipt,
)
from firmware_host.usb.result import StickGone, SyncResult
from firmware_host.usb.writer import StickWriter, link_on_the_way, on_stick, refuse_link

logger = logging.getLogger("loaxa.usb")

# ---------------------------------------------------------------------- the sync


def sync_stick(
    config: Config, stick: Path, *, now: datetime | None = None, dry_run: bool = False
) -> SyncResult:
    """Export reports, import clips and schedules, write the receipt; never raises on a
    bad stick or a bad file (only when *stick* is not a folder at all).

    *now* fixes the sync's moment (months exported, plan start, receipt name). Run by
    :mod:`firmware_host.usb.watch` in a confined process, a stop request (SIGTERM, the
    deadline: :mod:`firmware_host.usb.confine`) ends the exports and imports where they
    are; the receipt then says so and is still written.
    """
    stick = Path(stick)
    if not stick.is_dir():
        raise LoaxaError("usb.not_a_folder", path=stick)
    moment = (now or datetime.now(config.timezone)).astimezone(config.timezone)
    result = SyncResult(stick=stick, started=moment, dry_run=dry_run)
    logger.info(t("usb.started", path=stick))
    with contextlib.ExitStack() as stack, deferred_stop():
        root = stick
        if dry_run:
            root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="loaxa-usb-")))
        writer = StickWriter(stick, result, root)
        stack.callback(writer.close)
        try:
            with interruptible():
                for step in (export_reports, import_from_stick):
                    try:
                        step(config, moment, writer, result)
                    except StickGone:
                        break
                    except Exception as exc:  # a bug must not leave the officer without a word
                        logger.exception("usb sync: %s failed", step.__name__)
                        result.stick_problems.append(t("error.unexpected", detail=exc))
        except Stopped:
            pass  # stop_requested() has it; from here on a request is only noted
        stop = stop_requested()
        if stop is not None:
            minutes = max(1, round(stop.seconds / 60))
            result.stick_problems.append(
                t("usb.deadline", minutes=minutes)
                if stop.reason == "deadline"
                else t("usb.stopped")
            )
        result.plan = plan_lines(config, moment)
        result.receipt_text = render_receipt(config, result)
        name = on_stick(stick, config.usb.export_folder) / receipt_name(moment)
        link = link_on_the_way(root, writer.where(name))
        if link is not None:
            refuse_link(writer, link)
        elif not result.stick_gone:
            try:
                written = writer.write(name, notepad_bytes(result.receipt_text), receipt=True)
            except StickGone:
                written = None
            if written is not None and not dry_run:
                result.receipt = written
        if not dry_run:
            writer.flush()
    log_result(result)
    return result
