"""Merging the boxes' JSON exports: a commune's table (its stations) and the province's
(its communes, stations added up, with a per-station detail).

Since 1 July 2025 there are no districts: a commune reports to the province, and a
merged commune often runs several boxes (one per former commune's system), each with
its station name. The exports are real ones: a month of known broadcasts written
through PlayLog, counted by build_report for each station, written by
write_report("json").
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
from firmware_host.logbook.playlog import PlayLog
from firmware_host.messages import LoaxaError
from firmware_host.report import service
from firmware_host.report.counts import build_report
from tests.report.test_report import HCM, NOW, write_known_month

PROVINCE = "Tỉnh Đắk Lắk"
RECIPIENT = "Sở Văn hóa, Thể thao và Du lịch tỉnh Đắk Lắk"
HOA_PHU = "Xã Hòa Phú"  # two boxes: the former communes Hòa Xuân and Hòa Khánh


@pytest.fixture(scope="module")
def rows(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    log = PlayLog(tmp_path_factory.mktemp("log"), HCM)
    write_known_month(log)
    found = log.entries()
    log.close()
    return found


def _report(rows: list[dict], name: str, *, station: str = "", month: str = "2024-09", keep=None):
    return build_report(
        [r for r in rows if keep is None or keep(r)],
        month=month,
        tz=HCM,
        commune={"name": name, "province": PROVINCE, "station": station},
        recipient=RECIPIENT,
        now=NOW,
    )


def _sessions_before(day: int):
    """Rows of the sessions anchored before *day*: a station that broadcast less."""

    def keep(row: dict) -> bool:
        anchor = row.get("scheduled") or row.get("session_started") or row.get("started")
        return datetime.fromisoformat(anchor).astimezone(HCM).day < day

    return keep


@pytest.fixture(scope="module")
def exports(rows, tmp_path_factory) -> Path:
    """Four boxes of three communes, each export in its own folder (as copied from sticks)."""
    root = tmp_path_factory.mktemp("inbox")
    reports = {
        "hoa-xuan": _report(rows, HOA_PHU, station="Hòa Xuân"),  # 10 plays, 5 days
        "hoa-khanh": _report(rows, HOA_PHU, station="Hòa Khánh", keep=_sessions_before(11)),
        "ea-kao": _report(rows, "Xã Ea Kao", keep=_sessions_before(6)),  # 6 plays
        "tan-lap": _report(rows, "Phường Tân Lập", keep=_sessions_before(11)),  # 7 plays
    }
    for folder, report in reports.items():
        service.write_report(report, "json", root / folder)
    (root / "ea-kao" / "ghi-chu.json").write_text('{"note": "not a report"}', "utf-8")
    return root


def _one(folder: Path) -> Path:
    [path] = [p for p in folder.glob("Báo cáo*.json")]
    return path


# -- the commune's table: its stations ----------------------------------------------------
def test_stations_of_one_commune_make_the_communes_table(exports):
    merged = service.merge_reports([exports / "hoa-xuan", exports / "hoa-khanh"], now=NOW)
    assert merged.level == "commune"
    assert (merged.commune, merged.province, merged.recipient) == (HOA_PHU, PROVINCE, RECIPIENT)
    assert [(r.station, r.plays_completed, r.days_with_broadcast) for r in merged.rows] == [
        ("Hòa Khánh", 7, 3),
        ("Hòa Xuân", 10, 5),
    ]
    totals = merged.totals
    assert (totals["stations"], totals["communes"], totals["plays_completed"]) == (2, 1, 17)
    assert totals["days_with_broadcast"] == 5, "days of the commune: the union, not 3 + 5"
    assert not merged.warnings


def test_the_communes_table_in_every_format(exports, tmp_path):
    import docx
    import openpyxl

    merged = service.merge_reports([exports / "hoa-xuan", exports / "hoa-khanh"], now=NOW)
    files = {fmt: service.write_merged(merged, fmt, tmp_path) for fmt in service.MERGE_FORMATS}
    assert [p.name for p in files["xlsx"]] == [
        "Báo cáo tổng hợp tuyên truyền tháng 2024-09 - Xã Hòa Phú.xlsx"
    ]
    sheet = openpyxl.load_workbook(files["xlsx"][0]).active
    assert sheet.title == "Tổng hợp xã"
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = next(r for r in table if r[0] == "STT")
    body = table[table.index(header) + 1 : table.index(header) + 4]
    station, plays, days = (
        header.index(h) for h in ("Trạm truyền thanh", "Số lượt phát", "Số ngày có phát")
    )
    assert [(r[station], r[plays], r[days]) for r in body] == [
        ("Hòa Khánh", 7, 3),
        ("Hòa Xuân", 10, 5),
        ("2 trạm", 17, 5),
    ]
    assert body[-1][1] == "Tổng cộng"
    assert "Huyện/thành phố" not in header

    document = docx.Document(str(files["docx"][0]))
    left = document.tables[0].rows[0].cells[0]
    assert left.paragraphs[0].text == "UBND XÃ HÒA PHÚ"
    text = [p.text for p in document.paragraphs]
    assert f"Kính gửi: {RECIPIENT}." in text
    grid = document.tables[1]
    assert [[c.text for c in r.cells][1:4] for r in grid.rows[1:]] == [
        ["Hòa Khánh", "4", "7"],
        ["Hòa Xuân", "5", "10"],
        ["Tổng cộng", "9", "17"],
    ]
    assert f"- {RECIPIENT} (để báo cáo);" in text
    assert "huyện" not in "\n".join(text).lower()

    [csv_file] = files["csv"]
    rows = list(csv.DictReader(io.StringIO(csv_file.read_bytes().decode("utf-8-sig"))))
    assert [(r["Trạm truyền thanh"], r["Số lượt phát"]) for r in rows] == [
        ("Hòa Khánh", "7"),
        ("Hòa Xuân", "10"),
        ("2 trạm", "17"),
    ]


# -- the province's table: its communes, stations added up --------------------------------
@pytest.fixture(scope="module")
def province(exports):
    return service.merge_reports([exports], now=NOW)


def test_many_communes_make_the_provinces_table(province):
    assert province.level == "province"
    assert (province.province, province.commune) == (PROVINCE, "")
    assert [
        (c.name, c.stations, c.plays_completed, c.days_with_broadcast) for c in province.rows
    ] == [
        ("Xã Ea Kao", 1, 6, 2),
        ("Xã Hòa Phú", 2, 17, 5),
        ("Phường Tân Lập", 1, 7, 3),
    ]
    assert [(s.name, s.station, s.plays_completed) for s in province.stations] == [
        ("Xã Ea Kao", "", 6),
        ("Xã Hòa Phú", "Hòa Khánh", 7),
        ("Xã Hòa Phú", "Hòa Xuân", 10),
        ("Phường Tân Lập", "", 7),
    ]
    totals = province.totals
    assert (totals["communes"], totals["stations"], totals["plays_completed"]) == (3, 4, 30)
    assert totals["sessions_failed"] == totals["sessions_interrupted"] == 1
    assert totals["days_with_broadcast"] is None, "days are per commune, never added up"
    assert not province.warnings


@pytest.fixture(scope="module")
def province_files(province, tmp_path_factory) -> dict[str, list[Path]]:
    out = tmp_path_factory.mktemp("province")
    return {fmt: service.write_merged(province, fmt, out) for fmt in service.MERGE_FORMATS}


def test_province_file_names_have_no_district(province, province_files, tmp_path):
    stem = "Báo cáo tổng hợp tuyên truyền tháng 2024-09 - Tỉnh Đắk Lắk"
    assert [p.name for p in province_files["xlsx"]] == [f"{stem}.xlsx"]
    assert [p.name for p in province_files["csv"]] == [f"{stem}.csv", f"{stem} - theo trạm.csv"]
    with pytest.raises(LoaxaError) as caught:
        service.write_merged(province, "json", tmp_path)
    assert str(caught.value) == (
        "Không có định dạng báo cáo 'json'. Chọn một trong: xlsx, docx, csv."
    )


def test_province_xlsx_has_a_row_per_commune_and_a_sheet_per_station(province_files, province):
    import openpyxl

    workbook = openpyxl.load_workbook(province_files["xlsx"][0])
    assert workbook.sheetnames == ["Tổng hợp tỉnh", "Theo trạm"]
    sheet = workbook["Tổng hợp tỉnh"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header_at = next(i for i, r in enumerate(rows) if r[0] == "STT")
    header = rows[header_at]
    body = rows[header_at + 1 : header_at + 5]
    plays = header.index("Số lượt phát")
    assert [r[1] for r in body] == ["Xã Ea Kao", "Xã Hòa Phú", "Phường Tân Lập", "Tổng cộng"]
    assert [r[plays] for r in body] == [6, 17, 7, 30]
    assert all(isinstance(r[plays], int) for r in body)
    assert body[1][header.index("Trạm truyền thanh")] == "Hòa Khánh, Hòa Xuân"
    assert body[-1][header.index("Trạm truyền thanh")] == "3 xã, 4 trạm"
    assert body[-1][header.index("Thời lượng (phút)")] == province.totals["minutes_on_air"]
    assert body[-1][header.index("Số ngày có phát")] is None
    assert sheet.freeze_panes == f"A{header_at + 2}"
    assert sheet.column_dimensions["B"].width >= len("Phường Tân Lập")
    assert "Huyện/thành phố" not in header

    detail = [list(r) for r in workbook["Theo trạm"].iter_rows(values_only=True)]
    head = next(r for r in detail if r[0] == "STT")
    lines = detail[detail.index(head) + 1 :]
    assert [(r[1], r[2], r[head.index("Số lượt phát")]) for r in lines] == [
        ("Xã Ea Kao", None, 6),  # the commune's only box has no station name
        ("Xã Hòa Phú", "Hòa Khánh", 7),
        ("Xã Hòa Phú", "Hòa Xuân", 10),
        ("Phường Tân Lập", None, 7),
        ("Tổng cộng", "3 xã, 4 trạm", 30),
    ]


def test_province_docx_is_issued_by_the_province_office(province_files):
    import docx

    document = docx.Document(str(province_files["docx"][0]))
    left = document.tables[0].rows[0].cells[0]
    assert [p.text for p in left.paragraphs][:3] == [
        "UBND TỈNH ĐẮK LẮK",
        "SỞ VĂN HÓA, THỂ THAO",
        "VÀ DU LỊCH",
    ]
    assert [r.bold for p in left.paragraphs[:3] for r in p.runs] == [None, True, True]
    assert [p.text for p in left.paragraphs if p.text][-1].endswith("/BC-SVHTTDL")
    date_line = [p.text for p in document.tables[0].rows[0].cells[1].paragraphs if p.text][-1]
    assert date_line == "Đắk Lắk, ngày 05 tháng 10 năm 2024"
    text = [p.text for p in document.paragraphs]
    assert "BÁO CÁO TỔNG HỢP" in text
    title = next(t for t in text if t.startswith("Kết quả tuyên truyền"))
    assert title.startswith("Kết quả tuyên truyền các chiến dịch")
    assert title.endswith("tháng 9 năm 2024")
    table = document.tables[1]
    assert [[c.text for c in r.cells][1:5] for r in table.rows[1:]] == [
        ["Xã Ea Kao", "1", "3", "6"],
        ["Xã Hòa Phú", "2", "9", "17"],
        ["Phường Tân Lập", "1", "4", "7"],
        ["Tổng cộng", "4", "16", "30"],
    ]
    assert "Chi tiết theo trạm truyền thanh" in text
    detail = document.tables[2]
    assert [[c.text for c in r.cells][1:3] for r in detail.rows[1:]] == [
        ["Xã Ea Kao", ""],
        ["Xã Hòa Phú", "Hòa Khánh"],
        ["Xã Hòa Phú", "Hòa Xuân"],
        ["Phường Tân Lập", ""],
    ]
    assert "huyện" not in "\n".join(text).lower()


def test_province_csv_is_excel_friendly_and_parses_back(province_files, province):
    main, detail = province_files["csv"]
    raw = main.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\r\n") == raw.count(b"\n") == 5
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert [r["Xã/phường"] for r in rows][:3] == [c.name for c in province.rows]
    assert [int(r["Số lượt phát"]) for r in rows] == [6, 17, 7, 30]
    assert float(rows[-1]["Thời lượng (giây)"]) == province.totals["seconds_on_air"]
    assert rows[-1]["Số ngày có phát"] == "", "days are per commune, never added up"
    stations = list(csv.DictReader(io.StringIO(detail.read_bytes().decode("utf-8-sig"))))
    assert [(r["Xã/phường"], r["Trạm truyền thanh"]) for r in stations][1:3] == [
        ("Xã Hòa Phú", "Hòa Khánh"),
        ("Xã Hòa Phú", "Hòa Xuân"),
    ]


# -- what cannot be added up --------------------------------------------------------------
def test_mixed_months_are_refused_naming_months_and_files(exports, rows, tmp_path):
    august = service.write_report(_report(rows, "Xã Cư Êbur", month="2024-08"), "json", tmp_path)
    with pytest.raises(LoaxaError) as caught:
        service.merge_reports([exports, tmp_path])
    text = str(caught.value)
    assert caught.value.key == "report.merge_mixed_months"
    assert text.startswith("Các báo cáo thuộc nhiều tháng khác nhau (2024-08, 2024-09)")
    assert str(august[0]) in text and "tan-lap" in text
    messages.set_language("en")
    assert str(caught.value).startswith("The reports are for different months (2024-08, 2024-09)")

    allowed = service.merge_reports([exports, tmp_path], allow_mixed_months=True)
    assert allowed.months == ["2024-08", "2024-09"] and len(allowed.rows) == 4
    assert allowed.month == "2024-08..2024-09"


def test_the_same_station_twice_is_refused_unless_the_files_are_identical(exports, rows, tmp_path):
    inbox = tmp_path / "inbox"
    shutil.copytree(exports, inbox)
    copy = inbox / "zalo" / "Báo cáo Hòa Xuân (1).json"
    copy.parent.mkdir()
    shutil.copyfile(_one(exports / "hoa-xuan"), copy)
    merged = service.merge_reports([inbox])
    assert len(merged.stations) == 4, "a byte-identical copy counts once"
    assert merged.totals["plays_completed"] == 30
    (notice,) = merged.warnings
    assert notice.key == "report.merge_identical"
    assert str(notice).startswith("Xã Hòa Phú, trạm Hòa Xuân, Tỉnh Đắk Lắk có hai tệp")

    # the same station typed differently, with other figures: which one is right?
    other = _report(rows, "xã  hòa phú", station="hòa  xuân", keep=_sessions_before(3))
    (second,) = service.write_report(other, "json", inbox / "usb-9")
    with pytest.raises(LoaxaError) as caught:
        service.merge_reports([inbox])
    text = str(caught.value)
    assert caught.value.key == "report.merge_duplicate"
    assert "Xã Hòa Phú, trạm Hòa Xuân, Tỉnh Đắk Lắk (2024-09)" in text
    assert str(second) in text and str(_one(inbox / "hoa-xuan")) in text
    assert "Giữ lại một tệp" in text and "[commune] station" in text


def test_two_boxes_without_station_names_are_the_same_station(exports, rows, tmp_path):
    """Two boxes of a merged commune, neither given a station name: refused, and the
    message says to name the stations."""
    shutil.copytree(exports / "ea-kao", tmp_path / "box-1")
    other = _report(rows, "Xã Ea Kao", keep=_sessions_before(3))
    service.write_report(other, "json", tmp_path / "box-2")
    with pytest.raises(LoaxaError) as caught:
        service.merge_reports([tmp_path])
    assert caught.value.key == "report.merge_duplicate"
    assert "box-1" in str(caught.value) and "box-2" in str(caught.value)
    messages.set_language("en")
    assert "give each box its own [commune] station" in str(caught.value)


def test_an_export_made_before_july_2025_still_merges(exports, tmp_path):
    """Old exports name a district and no station: the district is ignored."""
    old = json.loads(_one(exports / "ea-kao").read_text("utf-8"))
    old["commune"] = {
        "name": "Xã Ea Kao",
        "district": "Thành phố Buôn Ma Thuột",
        "province": PROVINCE,
    }
    old.pop("recipient")
    (tmp_path / "cu.json").write_text(json.dumps(old, ensure_ascii=False), "utf-8")
    shutil.copytree(exports / "tan-lap", tmp_path / "tan-lap")
    merged = service.merge_reports([tmp_path])
    assert merged.level == "province" and not merged.warnings
    assert [(r.name, r.plays_completed) for r in merged.rows] == [
        ("Xã Ea Kao", 6),
        ("Phường Tân Lập", 7),
    ]
    assert merged.recipient == RECIPIENT


def test_a_file_and_its_folder_are_not_a_duplicate(exports):
    one = _one(exports / "tan-lap")
    merged = service.merge_reports([exports, one])
    assert len(merged.stations) == 4 and not merged.warnings


def test_what_cannot_be_merged_is_said(exports, tmp_path):
    with pytest.raises(LoaxaError) as caught:
        service.merge_reports([tmp_path])
    assert caught.value.key == "report.merge_nothing"
    assert "loaxa-month-report/1" in str(caught.value)
    with pytest.raises(LoaxaError) as caught:
        service.merge_reports([exports / "ea-kao" / "ghi-chu.json"])
    assert caught.value.key == "report.merge_not_export"
    broken = tmp_path / "hong.json"
    broken.write_text('{"format": "loaxa-month-report/1", "commune": {"na', "utf-8")
    with pytest.raises(LoaxaError) as caught:
        service.merge_reports([broken])
    assert caught.value.key == "report.merge_unreadable"
    assert "Unterminated" not in str(caught.value)
    assert "JSON sai cú pháp ở dòng 1" in str(caught.value)
    merged = service.merge_reports([exports, tmp_path])  # in a folder: skipped, with a warning
    assert [n.key for n in merged.warnings] == ["report.merge_skipped"]
    bad = json.loads(_one(exports / "tan-lap").read_text("utf-8"))
    bad["totals"]["plays_completed"] = "mười"
    (tmp_path / "sai.json").write_text(json.dumps(bad, ensure_ascii=False), "utf-8")
    with pytest.raises(LoaxaError) as caught:
        service.merge_reports([tmp_path / "sai.json"])
    assert "'totals.plays_completed'" in str(caught.value)
    with pytest.raises(LoaxaError) as caught:
        service.merge_reports([tmp_path / "khong-co"])
    assert caught.value.key == "file.not_found"


def test_a_year_of_months_merges_into_a_docx(rows, tmp_path):
    """Twelve months make a title longer than Word's 255-character property limit."""
    import docx

    for number in range(1, 13):
        service.write_report(
            _report(rows, HOA_PHU, station="Hòa Xuân", month=f"2025-{number:02}"),
            "json",
            tmp_path / "in" / f"{number:02}",
        )
    merged = service.merge_reports([tmp_path / "in"], allow_mixed_months=True)
    [path] = service.write_merged(merged, "docx", tmp_path / "out")
    document = docx.Document(str(path))
    assert len(document.core_properties.title) <= 255
    assert "tháng 12 năm 2025" in "\n".join(p.text for p in document.paragraphs)
