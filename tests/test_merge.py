"""District merge: communes' JSON exports -> one row per commune and a totals row.

The exports are real ones: a month of known broadcasts written through PlayLog, counted
by build_report for three commune identities, written by write_report("json").
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from firmware_host import messages
from firmware_host.messages import LoaxaError
from firmware_host.playlog import PlayLog
from firmware_host.report import service
from firmware_host.report.counts import build_report
from tests.test_report import HCM, NOW, write_known_month

DISTRICT = "Thành phố Buôn Ma Thuột"
PROVINCE = "Tỉnh Đắk Lắk"
COMMUNES = ("Xã Ea Tu", "Xã Hòa Thuận", "Phường Tân Lợi")


@pytest.fixture(scope="module")
def rows(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    log = PlayLog(tmp_path_factory.mktemp("log"), HCM)
    write_known_month(log)
    found = log.entries()
    log.close()
    return found


def _report(rows: list[dict], name: str, *, month: str = "2024-09", keep=lambda r: True):
    return build_report(
        [r for r in rows if keep(r)],
        month=month,
        tz=HCM,
        commune={"name": name, "district": DISTRICT, "province": PROVINCE},
        now=NOW,
    )


def _sessions_before(day: int):
    """Rows of the sessions anchored before *day*: a commune that broadcast less."""

    def keep(row: dict) -> bool:
        anchor = row.get("scheduled") or row.get("session_started") or row.get("started")
        return datetime.fromisoformat(anchor).astimezone(HCM).day < day

    return keep


@pytest.fixture(scope="module")
def exports(rows, tmp_path_factory) -> tuple[Path, list]:
    """Three communes' exports, each in its own sub-folder (as copied from USB sticks)."""
    root = tmp_path_factory.mktemp("inbox")
    reports = [
        _report(rows, COMMUNES[0]),
        _report(rows, COMMUNES[1], keep=_sessions_before(11)),
        _report(rows, COMMUNES[2], keep=_sessions_before(6)),
    ]
    for index, report in enumerate(reports):
        service.write_report(report, "json", root / f"usb-{index}")
    (root / "usb-0" / "ghi-chu.json").write_text('{"note": "not a report"}', "utf-8")
    return root, reports


def test_three_communes_make_one_row_each_and_a_total(exports):
    root, reports = exports
    district = service.merge_reports([root], now=NOW)
    assert district.months == ["2024-09"] and district.month == "2024-09"
    assert (district.district, district.province) == (DISTRICT, PROVINCE)
    assert district.campaign is None and not district.warnings
    by_name = {c.name: c for c in district.communes}
    assert [c.name for c in district.communes] == ["Xã Ea Tu", "Xã Hòa Thuận", "Phường Tân Lợi"]
    for report in reports:
        row = by_name[report.commune["name"]]
        assert row.plays_completed == report.totals["plays_completed"]
        assert row.sessions_completed == report.totals["sessions_completed"]
        assert row.seconds_on_air == report.totals["seconds_on_air"]
        assert row.days_with_broadcast == report.totals["days_with_broadcast"]
        assert row.sessions_missed == report.totals["sessions_missed"]
    assert [c.plays_completed for c in district.communes] == [10, 7, 6]
    totals = district.totals
    assert totals["communes"] == 3
    assert totals["plays_completed"] == sum(r.totals["plays_completed"] for r in reports) == 23
    assert totals["seconds_on_air"] == sum(r.totals["seconds_on_air"] for r in reports)
    assert totals["minutes_on_air"] == round(totals["seconds_on_air"] / 60, 1)
    assert totals["sessions_failed"] == totals["sessions_interrupted"] == 1


def test_mixed_months_are_refused_naming_months_and_files(exports, rows, tmp_path):
    root, _ = exports
    august = service.write_report(_report(rows, "Xã Cư Êbur", month="2024-08"), "json", tmp_path)
    with pytest.raises(LoaxaError) as caught:
        service.merge_reports([root, tmp_path])
    text = str(caught.value)
    assert caught.value.key == "report.merge_mixed_months"
    assert text.startswith("Các báo cáo thuộc nhiều tháng khác nhau (2024-08, 2024-09)")
    assert str(august[0]) in text and "usb-2" in text
    messages.set_language("en")
    assert str(caught.value).startswith("The reports are for different months (2024-08, 2024-09)")

    allowed = service.merge_reports([root, tmp_path], allow_mixed_months=True)
    assert allowed.months == ["2024-08", "2024-09"] and len(allowed.communes) == 4
    assert allowed.month == "2024-08..2024-09"


def test_a_commune_twice_is_refused_unless_the_files_are_identical(exports, rows, tmp_path):
    root, _ = exports
    inbox = tmp_path / "inbox"
    shutil.copytree(root, inbox)
    copy = inbox / "zalo" / "Báo cáo Ea Tu (1).json"
    copy.parent.mkdir()
    shutil.copyfile(next((root / "usb-0").glob("Báo cáo*.json")), copy)
    merged = service.merge_reports([inbox])
    assert len(merged.communes) == 3, "a byte-identical copy counts once"
    assert merged.totals["plays_completed"] == 23
    (notice,) = merged.warnings
    assert notice.key == "report.merge_identical"
    assert str(notice).startswith("Xã Ea Tu, Thành phố Buôn Ma Thuột, Tỉnh Đắk Lắk có hai tệp")

    # the same commune typed differently, with other figures: which one is right?
    other = _report(rows, "xã  ea tu", keep=_sessions_before(3))
    (second,) = service.write_report(other, "json", inbox / "usb-9")
    with pytest.raises(LoaxaError) as caught:
        service.merge_reports([inbox])
    text = str(caught.value)
    assert caught.value.key == "report.merge_duplicate"
    assert "Xã Ea Tu, Thành phố Buôn Ma Thuột, Tỉnh Đắk Lắk (2024-09)" in text
    assert str(second) in text and str(copy) in text
    assert "Giữ lại một tệp" in text


def test_a_file_and_its_folder_are_not_a_duplicate(exports):
    root, _ = exports
    one = next((root / "usb-1").glob("*.json"))
    merged = service.merge_reports([root, one])
    assert len(merged.communes) == 3 and not merged.warnings


def test_what_cannot_be_merged_is_said(exports, tmp_path):
    root, _ = exports
    with pytest.raises(LoaxaError) as caught:
        service.merge_reports([tmp_path])
    assert caught.value.key == "report.merge_nothing"
    assert "loaxa-month-report/1" in str(caught.value)
    with pytest.raises(LoaxaError) as caught:
        service.merge_reports([root / "usb-0" / "ghi-chu.json"])
    assert caught.value.key == "report.merge_not_export"
    broken = tmp_path / "hong.json"
    broken.write_text('{"format": "loaxa-month-report/1", "commune": {"na', "utf-8")
    with pytest.raises(LoaxaError) as caught:
        service.merge_reports([broken])
    assert caught.value.key == "report.merge_unreadable"
    assert "Unterminated" not in str(caught.value) and "JSON sai cú pháp ở dòng 1" in str(
        caught.value
    )
    merged = service.merge_reports([root, tmp_path])  # in a folder: skipped, with a warning
    assert [n.key for n in merged.warnings] == ["report.merge_skipped"]
    bad = json.loads(next((root / "usb-1").glob("*.json")).read_text("utf-8"))
    bad["totals"]["plays_completed"] = "mười"
    (tmp_path / "sai.json").write_text(json.dumps(bad, ensure_ascii=False), "utf-8")
    with pytest.raises(LoaxaError) as caught:
        service.merge_reports([tmp_path / "sai.json"])
    assert "'totals.plays_completed'" in str(caught.value)
    with pytest.raises(LoaxaError) as caught:
        service.merge_reports([tmp_path / "khong-co"])
    assert caught.value.key == "file.not_found"


@pytest.fixture(scope="module")
def district(exports):
    return service.merge_reports([exports[0]], now=NOW)


@pytest.fixture(scope="module")
def district_files(district, tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("district")
    return {fmt: service.write_district(district, fmt, out)[0] for fmt in ("xlsx", "docx", "csv")}


def test_district_file_names_and_formats(district, district_files, tmp_path):
    assert district_files["xlsx"].name == (
        "Báo cáo tổng hợp tuyên truyền tháng 2024-09 - Thành phố Buôn Ma Thuột.xlsx"
    )
    with pytest.raises(LoaxaError) as caught:
        service.write_district(district, "json", tmp_path)
    assert str(caught.value) == (
        "Không có định dạng báo cáo 'json'. Chọn một trong: xlsx, docx, csv."
    )


def test_district_xlsx_has_a_row_per_commune_and_numeric_totals(district_files, district):
    import openpyxl

    sheet = openpyxl.load_workbook(district_files["xlsx"]).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header_at = next(i for i, r in enumerate(rows) if r[0] == "STT")
    header = rows[header_at]
    body = rows[header_at + 1 : header_at + 5]
    plays = header.index("Số lượt phát")
    assert [r[1] for r in body] == [
        "Xã Ea Tu",
        "Xã Hòa Thuận",
        "Phường Tân Lợi",
        "Tổng cộng (3 xã)",
    ]
    assert [r[plays] for r in body] == [10, 7, 6, 23]
    assert all(isinstance(r[plays], int) for r in body)
    minutes = header.index("Thời lượng (phút)")
    assert body[-1][minutes] == district.totals["minutes_on_air"]
    assert sheet.freeze_panes == f"A{header_at + 2}"
    assert sheet.column_dimensions["B"].width >= len("Tổng cộng (3 xã)")


def test_district_docx_has_the_table_and_the_letterhead(district_files):
    import docx

    document = docx.Document(str(district_files["docx"]))
    left = document.tables[0].rows[0].cells[0]
    assert [p.text for p in left.paragraphs][:2] == [
        "UBND THÀNH PHỐ BUÔN MA THUỘT",
        "PHÒNG VĂN HÓA VÀ THÔNG TIN",
    ]
    text = [p.text for p in document.paragraphs]
    assert "BÁO CÁO TỔNG HỢP" in text
    title = next(t for t in text if t.startswith("Kết quả tuyên truyền"))
    assert title.startswith("Kết quả tuyên truyền các chiến dịch")
    assert title.endswith("tháng 9 năm 2024")
    table = document.tables[1]
    assert [[c.text for c in r.cells][1:4] for r in table.rows[1:]] == [
        ["Xã Ea Tu", "5", "10"],
        ["Xã Hòa Thuận", "4", "7"],
        ["Phường Tân Lợi", "3", "6"],
        ["Tổng cộng", "12", "23"],
    ]
    date_line = [p.text for p in document.tables[0].rows[0].cells[1].paragraphs if p.text][-1]
    assert date_line == "Buôn Ma Thuột, ngày 05 tháng 10 năm 2024"


def test_district_csv_is_excel_friendly_and_parses_back(district_files, district):
    raw = district_files["csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\r\n") == raw.count(b"\n") == 5
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert [r["Xã/phường"] for r in rows][:3] == [c.name for c in district.communes]
    assert [int(r["Số lượt phát"]) for r in rows] == [10, 7, 6, 23]
    assert float(rows[-1]["Thời lượng (giây)"]) == district.totals["seconds_on_air"]
    assert rows[-1]["Số ngày có phát"] == "", "days are per commune, never added up"


def test_a_year_of_months_merges_into_a_docx(rows, tmp_path):
    """Twelve months make a title longer than Word's 255-character property limit."""
    import docx

    for number in range(1, 13):
        service.write_report(
            _report(rows, COMMUNES[0], month=f"2025-{number:02}"),
            "json",
            tmp_path / "in" / f"{number:02}",
        )
    district = service.merge_reports([tmp_path / "in"], allow_mixed_months=True)
    [path] = service.write_district(district, "docx", tmp_path / "out")
    document = docx.Document(str(path))
    assert len(document.core_properties.title) <= 255
    assert "tháng 12 năm 2025" in "\n".join(p.text for p in document.paragraphs)
