"""XLSX (openpyxl): the month as a workbook the province can sum and filter.

Cells hold real numbers, dates and datetimes, never text that looks like them, so a
clerk can total a column. Excel has no time zones: times are written as naive local
time of the commune's zone, and a header cell says which zone that is. openpyxl is
imported inside the functions, never when the CLI starts.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from firmware_host.report import tables
from firmware_host.report.counts import MonthReport
from firmware_host.textout import display_width

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from firmware_host.report.merge import MergedReport

DATETIME_FORMAT = "dd/mm/yyyy hh:mm:ss"
DATE_FORMAT = "dd/mm/yyyy"
MONTH_FORMAT = "mm/yyyy"
MAX_WIDTH = 60


def _number_format(value: Any) -> str | None:
    if isinstance(value, datetime):
        return DATETIME_FORMAT
    if isinstance(value, date):
        return DATE_FORMAT
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return "0"
    if isinstance(value, float):
        return "0.0##"
    return None


def _shown_width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 19
    if isinstance(value, date):
        return 10
    if isinstance(value, float):
        return len(f"{value:.3f}".rstrip("0").rstrip("."))
    return display_width(str(value))


class _Sheet:
    """One worksheet plus what is needed to size its columns afterwards."""

    def __init__(self, ws: Worksheet) -> None:
        from openpyxl.styles import Font, PatternFill

        self.ws = ws
        self.row = 1
        self.widths: dict[int, int] = {}
        self.bold = Font(name="Times New Roman", bold=True)
        self.title_font = Font(name="Times New Roman", bold=True, size=14)
        self.section_font = Font(name="Times New Roman", bold=True, size=12)
        self.plain = Font(name="Times New Roman")
        self.italic = Font(name="Times New Roman", italic=True)
        self.fill = PatternFill("solid", fgColor="DDE4EE")

    def text(self, value: str, font: Any = None) -> None:
        """A line of text in column A that may run over the empty cells to its right."""
        cell = self.ws.cell(self.row, 1, value)
        cell.font = font or self.plain
        self.row += 1

    def header(self, headers: list[str]) -> int:
        for column, name in enumerate(headers, start=1):
            cell = self.ws.cell(self.row, column, name)
            cell.font = self.bold
            cell.fill = self.fill
            self._measure(column, name)
        self.row += 1
        return self.row - 1

    def values(self, values: list[Any], *, bold: bool = False) -> None:
        for column, value in enumerate(values, start=1):
            cell = self.ws.cell(self.row, column, value)
            cell.font = self.bold if bold else self.plain
            if (number_format := _number_format(value)) is not None:
                cell.number_format = number_format
            self._measure(column, value)
        self.row += 1

    def _measure(self, column: int, value: Any) -> None:
        self.widths[column] = max(self.widths.get(column, 0), _shown_width(value))

    def fit(self) -> None:
        """Widths from the content (Vietnamese letters count one column each)."""
        from openpyxl.utils import get_column_letter

        for column, width in self.widths.items():
            letter = get_column_letter(column)
            self.ws.column_dimensions[letter].width = min(MAX_WIDTH, max(8, width + 3))


def _save(workbook: Any) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _new_workbook(title: str) -> Any:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.properties.title = title
    workbook.properties.creator = "Loa Xã"
    workbook.properties.language = "vi-VN"
    return workbook


def month_workbook(report: MonthReport) -> bytes:
    """Sheet "Tổng hợp" (identity, totals, breakdowns, problems, rule) + "Nhật ký phát"."""
    workbook = _new_workbook(tables.report_heading(report))
    summary = _Sheet(workbook.active)
    summary.ws.title = tables.SHEET_SUMMARY
    summary.text(tables.report_heading(report), summary.title_font)
    summary.text(tables.zone_note(report), summary.italic)
    summary.ws.freeze_panes = "A3"
    _sections(summary, tables.summary_sections(report))
    month_cell = _find(summary.ws, "Tháng")
    if month_cell is not None:
        month_cell.number_format = MONTH_FORMAT
    summary.fit()

    entries = _Sheet(workbook.create_sheet(tables.SHEET_ENTRIES))
    zone = f" ({report.timezone})"
    headers = [
        h + zone if h in ("Giờ theo lịch", "Bắt đầu", "Kết thúc") else h
        for h in tables.ENTRY_HEADERS
    ]
    last = entries.header(headers)
    for values in tables.entry_rows(report):
        entries.values(values)
    entries.ws.freeze_panes = "A2"
    entries.ws.auto_filter.ref = f"A{last}:{_letter(len(headers))}{max(last, entries.row - 1)}"
    entries.fit()
    return _save(workbook)


def _sections(sheet: _Sheet, sections: list[tables.Section]) -> None:
    """Each section under its title, a blank row before it."""
    for section in sections:
        sheet.row += 1
        sheet.text(section.title, sheet.section_font)
        if section.note:
            for (line,) in section.rows:
                sheet.text(f"- {line}")
            continue
        sheet.header(section.headers)
        for values in section.rows:
            sheet.values(values)
        if not section.rows:
            sheet.text("(không có)", sheet.italic)


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)


def _find(ws: Worksheet, label: str) -> Any:
    """The value cell right of *label* in column A (the month, formatted as mm/yyyy)."""
    for row in ws.iter_rows(min_col=1, max_col=2):
        if row[0].value == label:
            return row[1]
    return None


def merged_workbook(report: MergedReport) -> bytes:
    """A commune's table (a row per station) or a province's (a row per commune, and a
    sheet "Theo trạm" with every station), each with a totals row, numbers as numbers."""
    from firmware_host.report import merge

    workbook = _new_workbook(merge.merged_heading(report))
    province = report.level == merge.PROVINCE
    sheet = _Sheet(workbook.active)
    sheet.ws.title = "Tổng hợp tỉnh" if province else "Tổng hợp xã"
    _merged_sheet(sheet, report, report.rows)
    for notice in report.warnings:
        sheet.text(f"Lưu ý: {merge.vietnamese(notice)}", sheet.italic)
    if province:
        _merged_sheet(_Sheet(workbook.create_sheet("Theo trạm")), report, report.stations)
    return _save(workbook)


def _merged_sheet(sheet: _Sheet, report: MergedReport, figures: list) -> None:
    """The merged table of *figures* (communes or stations), then its tier, language and
    form sections."""
    from firmware_host.report import merge

    sheet.text(merge.merged_heading(report), sheet.title_font)
    sheet.text(merge.merged_subtitle(report), sheet.italic)
    sheet.row += 1
    first = sheet.header(merge.MERGED_HEADERS)
    sheet.ws.freeze_panes = f"A{first + 1}"
    for values in merge.merged_rows(figures):
        sheet.values(values)
    sheet.values(merge.merged_totals_row(report), bold=True)
    _sections(sheet, merge.breakdown_sections(report, figures))
    sheet.fit()
