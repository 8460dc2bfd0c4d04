"""Step 1 of a sync: the month reports and logs, onto the stick."""

from __future__ import annotations

import csv
import functools
import io
import logging
import tempfile
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from firmware_host.config import Config
from firmware_host.messages import t
from firmware_host.usb.result import CSV_COLUMNS, LOG_NAME, REPORT_ROOM, SyncResult
from firmware_host.usb.writer import (
    StickWriter,
    error_detail,
    link_on_the_way,
    on_stick,
    refuse_link,
)

logger = logging.getLogger("loaxa.usb")


def report_months(now: datetime) -> list[str]:
    first = now.date().replace(day=1)
    previous = (first - timedelta(days=1)).replace(day=1)
    return [previous.strftime("%Y-%m"), first.strftime("%Y-%m")]


def csv_bytes(rows: Iterable[dict[str, Any]]) -> bytes:
    """The log entries as CSV for a spreadsheet: UTF-8 with BOM (Excel), CRLF."""
    rows = list(rows)
    extra = sorted({key for row in rows for key in row} - set(CSV_COLUMNS))
    columns = [*CSV_COLUMNS, *extra]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        cells = []
        for column in columns:
            value = row.get(column)
            if isinstance(value, list | tuple):
                value = ", ".join(str(v) for v in value)
            cells.append("" if value is None else value)
        writer.writerow(cells)
    return buffer.getvalue().encode("utf-8-sig")


# ---------------------------------------------------------------------- 1. export


def export_reports(
    config: Config, moment: datetime, writer: StickWriter, result: SyncResult
) -> None:
    """Each month's reports are made on the box (a temp folder) and then copied onto
    the stick by the writer, so nothing but the writer ever writes there."""
    from firmware_host.logbook.playlog import PlayLog
    from firmware_host.report import service
    from firmware_host.report.names import safe_file_name

    top = on_stick(writer.stick, config.usb.export_folder)
    result.export_dir = top
    commune = top / safe_file_name(config.commune.name, fallback="Loa Xa")
    for month in report_months(moment):
        folder = commune / month
        link = link_on_the_way(writer.root, writer.where(folder))
        if link is not None:
            refuse_link(writer, link)
            return
        parts = writer.where(folder).relative_to(writer.root).parts
        if writer.attempt(functools.partial(writer.folder, parts), room=REPORT_ROOM) is None:
            if not writer.can_write:
                return
            continue
        try:
            report = service.month_report(config, month, now=moment)
        except Exception as exc:  # the box's log or a report bug, not the stick
            logger.exception("month report %s", month)
            result.notes.append(t("usb.report_failed", month=month, detail=error_detail(exc)))
            report = None
        if report is None:
            continue
        for fmt in service.FORMATS:
            files: list[tuple[str, bytes]] = []
            try:
                with tempfile.TemporaryDirectory(prefix="loaxa-report-") as scratch:
                    for path in service.write_report(report, fmt, Path(scratch)):
                        files.append((Path(path).name, Path(path).read_bytes()))
            except Exception as exc:  # a writer bug costs one format, not the sync
                logger.exception("report %s %s", month, fmt)
                result.notes.append(t("usb.report_failed", month=month, detail=error_detail(exc)))
            if not _copy(writer, result, folder, files):
                return
        source = config.log_dir / f"{month}.json"
        if source.is_file():
            log = PlayLog(config.log_dir, config.timezone)
            try:
                data = source.read_bytes()
                rows = log.entries([month])
            except Exception as exc:
                result.notes.append(t("usb.report_failed", month=month, detail=error_detail(exc)))
                continue
            finally:
                log.close()
            logs = [
                (safe_file_name(LOG_NAME.format(month=month) + suffix), payload)
                for suffix, payload in ((".json", data), (".csv", csv_bytes(rows)))
            ]
            if not _copy(writer, result, folder, logs):
                return


def _copy(
    writer: StickWriter, result: SyncResult, folder: Path, files: list[tuple[str, bytes]]
) -> bool:
    """Write *files* (name, bytes) into *folder* on the stick; False once the stick
    takes nothing more."""
    for name, data in files:
        written = writer.write(folder / name, data)
        if written is not None:
            result.exported.append(written)
        if not writer.can_write:
            return False
    return True
