"""The report functions the CLI (and the USB export) call: build a month, write it in a
format, merge the boxes' exports, write the commune's or the province's table.

Only light modules are imported here: python-docx and openpyxl are imported by the
writer of their format when a file of that format is written, so ``loaxa`` starts as
fast on a Raspberry Pi as before the reports existed.
"""

from __future__ import annotations

import importlib
import unicodedata
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from firmware_host.messages import LoaxaError, error_text
from firmware_host.report import wording
from firmware_host.report.counts import MonthReport, build_report, campaigns_in
from firmware_host.report.merge import MergedReport, merge_reports
from firmware_host.report.names import MAX_NAME, safe_file_name

if TYPE_CHECKING:
    from firmware_host.config import Config

FORMATS = ("xlsx", "docx", "csv", "json")
MERGE_FORMATS = ("xlsx", "docx", "csv")
CSV_SUMMARY = " - tổng hợp"
CSV_ENTRIES = " - nhật ký"
CSV_STATIONS = " - theo trạm"
CSV_BREAKDOWNS = " - phân loại"  # by tier, language, form
_STEM_ROOM = MAX_NAME - 20  # the longest suffix (" - nhật ký.xlsx") must still fit

__all__ = [
    "FORMATS",
    "MERGE_FORMATS",
    "MergedReport",
    "MonthReport",
    "merge_reports",
    "merged_file_stem",
    "month_report",
    "report_file_stem",
    "write_merged",
    "write_report",
]


def report_file_stem(report: MonthReport) -> str:
    """ "Báo cáo tuyên truyền tháng 2024-09 - Xã Ea Tu" (or "… Tắt sóng 2G tháng …"),
    "… - Xã Hòa Phú - trạm Hòa Xuân" for one of a commune's several boxes.

    Readable by the staff who look for it on a USB stick, sortable by month, valid on
    FAT32/exFAT; the ISO month keeps one commune's files in order in a folder listing;
    the station keeps two boxes' files apart when they meet in one folder.
    """
    if report.campaign is None:
        subject = "tuyên truyền"
    elif report.campaign == "":
        subject = "phát trực tiếp"
    else:
        subject = f"tuyên truyền {report.campaign}"
    name, station = report.commune.get("name", ""), report.commune.get("station", "")
    where = [part for part in (name, wording.station_label(station)) if part]
    text = " - ".join([f"Báo cáo {subject} tháng {report.month}", *where])
    return safe_file_name(text, max_length=_STEM_ROOM)


def merged_file_stem(report: MergedReport) -> str:
    """ "Báo cáo tổng hợp tuyên truyền tháng 2024-09 - Tỉnh Đắk Lắk" (or "- Xã Hòa Phú")."""
    text = f"Báo cáo tổng hợp tuyên truyền tháng {report.month} - {report.place}"
    return safe_file_name(text.rstrip(" -").replace("..", " đến "), max_length=_STEM_ROOM)


def _write(files: list[tuple[Path, bytes]]) -> list[Path]:
    """Each file written to a temp file, fsynced, renamed over the target (atomic)."""
    from firmware_host.store import write_atomically

    for path, data in files:
        try:
            write_atomically(path, data)
        except OSError as exc:
            raise LoaxaError("report.write_failed", path=path, detail=error_text(exc)) from exc
    return [path for path, _ in files]


def _check_format(fmt: str, allowed: Sequence[str]) -> str:
    chosen = (fmt or "").strip().lower().lstrip(".")
    if chosen not in allowed:
        raise LoaxaError("report.bad_format", fmt=fmt, formats=", ".join(allowed))
    return chosen


def write_report(report: MonthReport, fmt: str, out_dir: Path) -> list[Path]:
    """Write *report* as *fmt* into *out_dir*; CSV gives two files (summary, entries).

    Everything is rendered in memory first, so a failure never leaves half a set.
    Returns the paths written, an existing file of the same name is replaced.
    """
    fmt = _check_format(fmt, FORMATS)
    out_dir = Path(out_dir)
    stem = report_file_stem(report)
    renderers: dict[str, Callable[[], list[tuple[str, bytes]]]] = {
        "xlsx": lambda: [(".xlsx", _writer("xlsxout").month_workbook(report))],
        "docx": lambda: [(".docx", _writer("docxout").month_document(report))],
        "csv": lambda: [
            (f"{CSV_SUMMARY}.csv", _writer("csvout").month_summary(report)),
            (f"{CSV_ENTRIES}.csv", _writer("csvout").month_entries(report)),
        ],
        "json": lambda: [(".json", _writer("jsonout").month_json(report))],
    }
    payloads = renderers[fmt]()
    return _write([(out_dir / safe_file_name(stem + suffix), data) for suffix, data in payloads])


def write_merged(report: MergedReport, fmt: str, out_dir: Path) -> list[Path]:
    """Write the commune's table (a row per station) or the province's (a row per
    commune, and the stations in detail: a second sheet, a section, a second CSV)."""
    fmt = _check_format(fmt, MERGE_FORMATS)
    renderers: dict[str, Callable[[], list[tuple[str, bytes]]]] = {
        "xlsx": lambda: [(".xlsx", _writer("xlsxout").merged_workbook(report))],
        "docx": lambda: [(".docx", _writer("docxout").merged_document(report))],
        "csv": lambda: _writer("csvout").merged_tables(report, CSV_STATIONS, CSV_BREAKDOWNS),
    }
    stem = merged_file_stem(report)
    payloads = renderers[fmt]()
    return _write([(Path(out_dir) / safe_file_name(stem + s), data) for s, data in payloads])


def _valid_month(month: str) -> bool:
    try:
        datetime.strptime(month, "%Y-%m")
    except (TypeError, ValueError):
        return False
    return len(month) == 7


def month_report(
    config: Config, month: str, campaign: str | None = None, *, now: datetime | None = None
) -> MonthReport:
    """The month's figures from the box's log, with the commune identity of its config.

    A campaign name is matched ignoring case and Unicode form (typed on a phone, copied
    from a PDF); a name the month's log does not have is refused with the names it has,
    rather than giving an empty report that looks like "nothing was broadcast".
    """
    from firmware_host.logbook.playlog import PlayLog

    if not _valid_month(month):
        raise LoaxaError("report.bad_month", month=month)
    log = PlayLog(config.log_dir, config.timezone)
    try:
        head = log.head(month)  # before the rows: the head covers at least what is counted
        rows = log.entries([month])
    finally:
        log.close()
    if campaign is not None:
        campaign = _match_campaign(campaign, rows, month)
    commune = {
        "name": config.commune.name,
        "province": config.commune.province,
        "station": config.commune.station,
    }
    report = build_report(
        rows,
        month=month,
        tz=config.timezone,
        commune=commune,
        campaign=campaign,
        recipient=config.report.recipient or wording.default_recipient(config.commune.province),
        now=now,
    )
    report.chain_head = head.as_dict() if head is not None else None
    return report


def _match_campaign(campaign: str, rows: list[dict], month: str) -> str:
    known = campaigns_in(rows)
    wanted = " ".join(unicodedata.normalize("NFC", campaign).split())
    for name in known:
        if name == wanted or name.casefold() == wanted.casefold():
            return name
    shown = ", ".join(f"“{wording.campaign_label(n)}”" for n in known) or "-"
    raise LoaxaError("report.unknown_campaign", campaign=campaign, month=month, known=shown)


def _writer(name: str) -> ModuleType:
    """A format's writer module, imported only when a file of that format is written."""
    return importlib.import_module(f"firmware_host.report.{name}")
