"""CSV: the same tables as the XLSX, for any program, and for Excel without openpyxl.

UTF-8 with a byte-order mark, because without it Excel on Windows reads Vietnamese as
mojibake; CRLF line ends, as the CSV standard and Excel expect. Dates are ISO
(``2024-09-05``, ``2024-09-05 06:30:00``, local time of the commune) and numbers use a
decimal point: unambiguous whatever the PC's regional settings, which a day-first
``05/09`` is not.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from firmware_host.report import tables
from firmware_host.report.counts import MonthReport

if TYPE_CHECKING:
    from firmware_host.report.merge import MergedReport

ENCODING = "utf-8-sig"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.1f}"
    return str(value)


def _encode(rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue().encode(ENCODING)


def month_summary(report: MonthReport) -> bytes:
    """Sections one under the other: a title line, a header line, rows, a blank line."""
    heading: list[list[Any]] = [[tables.report_heading(report)], [tables.zone_note(report)], []]
    return _sections(tables.summary_sections(report), heading)


def _sections(sections: list[tables.Section], heading: list[list[Any]] | None = None) -> bytes:
    rows = list(heading or [])
    for section in sections:
        rows.append([section.title])
        if section.headers:
            rows.append(section.headers)
        rows.extend(section.rows)
        rows.append([])
    return _encode(rows)


def month_entries(report: MonthReport) -> bytes:
    zone = f" ({report.timezone})"
    headers = [
        h + zone if h in ("Giờ theo lịch", "Bắt đầu", "Kết thúc") else h
        for h in tables.ENTRY_HEADERS
    ]
    return _encode([headers, *tables.entry_rows(report)])


def merged_tables(
    report: MergedReport, stations_suffix: str, breakdowns_suffix: str
) -> list[tuple[str, bytes]]:
    """The merged table; a province's also has its stations in a second file (a CSV
    holds one table). Then the tiers, languages and forms of the table's rows, as
    sections one under the other like a box's summary."""
    from firmware_host.report import merge

    def table(figures: list) -> bytes:
        total = merge.merged_totals_row(report)
        return _encode([merge.MERGED_HEADERS, *merge.merged_rows(figures), total])

    files = [(".csv", table(report.rows))]
    if report.level == merge.PROVINCE:
        files.append((f"{stations_suffix}.csv", table(report.stations)))
    files.append(
        (f"{breakdowns_suffix}.csv", _sections(merge.breakdown_sections(report, report.rows)))
    )
    return files
