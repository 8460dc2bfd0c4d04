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
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from firmware_host import messages
from firmware_host.logbook.playlog import PlayLog
from firmware_host.messages import LoaxaError
from firmware_host.report import merge, service, wording
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

    csv_file, _breakdowns = files["csv"]
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
    assert [p.name for p in province_files["csv"]] == [
        f"{stem}.csv",
        f"{stem} - theo trạm.csv",
        f"{stem} - phân loại.csv",
    ]
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
    lines = detail[detail.index(head) + 1 : detail.index(head) + 6]
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
    main, detail, _breakdowns = province_files["csv"]
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


# -- how, how many times, through what: relays, live sessions, tiers, languages -----------
# Real exports: each box's month written through PlayLog as the session writes it, then
# exported by ``loaxa report --format json`` (the file a station brings on its stick).
VOV1 = "Đài TNVN – VOV1"
DAK_LAK = "Đài PT-TH Đắk Lắk"
SPEECH = SimpleNamespace(
    id="cat-nuoc", title="Thông báo cắt nước", language="vi", duration=30.0, sha256="cd" * 32,
    source="tts",
)  # fmt: skip
EDE = SimpleNamespace(
    id="bao-ede", title="Tin bão (Ê Đê)", language="ede", duration=70.0, sha256="ef" * 32,
    source="file",
)  # fmt: skip


def _relay(log, day, source, *, relayed, planned=1800.0, status="completed", dropouts=0):
    start = _at(day, 6)
    session = log.start_session(
        trigger="schedule", scheduled=start, started=start, campaign="Tiếp sóng thời sự",
        slot="sáng", zones=("thon-1",), playlist=(),
    )  # fmt: skip
    entry = log.start_source(
        session, started=start, play_index=1, kind="relay",
        source={"source_kind": "stream", "source_name": source, "source_url": "https://x/s",
                "source_device": None, "planned_seconds": planned, "by": None},
    )  # fmt: skip
    end = start + timedelta(seconds=planned)
    log.finish(entry, status, ended=end, seconds=relayed, dropouts=dropouts,
               dropout_seconds=planned - relayed, played_seconds=planned)  # fmt: skip
    log.finish(session, status, ended=end, seconds=planned)


def _live(log, day, seconds, by="Chủ tịch UBND xã"):
    start = _at(day, 14)
    session = log.start_session(
        trigger="manual", scheduled=None, started=start, campaign=None, slot="phát trực tiếp",
        zones=("thon-1",), playlist=(), by=by,
    )  # fmt: skip
    entry = log.start_source(
        session, started=start, play_index=1, kind="live",
        source={"source_kind": "live", "source_name": None, "source_url": None,
                "source_device": "default", "planned_seconds": 1800.0, "by": by},
    )  # fmt: skip
    end = start + timedelta(seconds=seconds)
    log.finish(entry, "completed", ended=end, seconds=seconds, dropouts=0, dropout_seconds=0.0)
    log.finish(session, "completed", ended=end, seconds=seconds)


def _clips(log, day, clip, *, times=1, tier="thuong"):
    start = _at(day, 17)
    session = log.start_session(
        trigger="schedule", scheduled=start, started=start, campaign="Thông báo xã",
        slot="chiều", zones=("thon-1",), playlist=(clip.id,), tier=tier,
    )  # fmt: skip
    for index in range(times):
        entry = log.start_clip(session, started=start, clip=clip, play_index=index + 1)
        log.finish(entry, "completed", ended=start, seconds=clip.duration)
    log.finish(session, "completed", ended=start, seconds=clip.duration * times)


def _at(day: int, hour: int) -> datetime:
    return datetime(2024, 9, day, hour, 0, tzinfo=HCM)


STATIONS = {  # folder: (commune, station, what its box broadcast in September)
    "hoa-xuan": (
        HOA_PHU,
        "Hòa Xuân",
        lambda log: (
            _relay(log, 2, VOV1, relayed=1800.0),
            _relay(log, 4, VOV1, relayed=600.0, status="failed", dropouts=2),
            _live(log, 5, 95.0),
            _clips(log, 6, SPEECH, times=2),
            _clips(log, 8, EDE, tier="khan-cap"),
        ),
    ),
    "hoa-khanh": (
        HOA_PHU,
        "Hòa Khánh",
        lambda log: (
            _relay(log, 3, "đài tnvn –  vov1", relayed=1700.0, dropouts=1),  # typed otherwise
            _relay(log, 5, DAK_LAK, relayed=1200.0, planned=1200.0),
            _live(log, 9, 60.0),
            _clips(log, 7, SPEECH, tier="uu-tien"),
            _clips(log, 10, EDE, times=3),
        ),
    ),
    "ea-kao": (
        "Xã Ea Kao",
        "",
        lambda log: (
            _relay(log, 2, DAK_LAK, relayed=1100.0, planned=1200.0),
            _live(log, 3, 300.0, by="Trưởng thôn"),
            _clips(log, 4, EDE, times=2, tier="khan-cap"),
        ),
    ),
}


@pytest.fixture(scope="module")
def form_exports(tmp_path_factory) -> Path:
    """Three boxes of two communes, each exported with ``loaxa report --format json``."""
    from firmware_host import cli

    root = tmp_path_factory.mktemp("forms")
    for folder, (commune, station, broadcast) in STATIONS.items():
        box = root / "boxes" / folder
        box.mkdir(parents=True)
        (box / "loaxa.toml").write_text(
            f'[commune]\nname = "{commune}"\nprovince = "{PROVINCE}"\nstation = "{station}"\n',
            "utf-8",
        )
        log = PlayLog(box / "log", HCM)
        broadcast(log)
        log.close()
        out = root / "inbox" / folder
        args = ["--data-dir", str(box), "report", "--month", "2024-09", "--format", "json"]
        assert cli.main([*args, "--out", str(out)]) == 0
    return root / "inbox"


def _exported(folder: Path) -> dict:
    return json.loads(_one(folder).read_text("utf-8"))


def _summed(exports: list[dict], key: str, ident, figures) -> dict:
    """The inputs' lines of *key* added up by hand, keyed by *ident*."""
    sums: dict = {}
    for export in exports:
        for line in export[key]:
            row = sums.setdefault(ident(line), dict.fromkeys(figures, 0))
            for name in figures:
                row[name] += line[name]
    return {k: {n: pytest.approx(v) for n, v in row.items()} for k, row in sums.items()}


def _tiers(lines) -> dict:
    return {x["tier"]: {n: x[n] for n in ("sessions", "plays", "seconds")} for x in lines}


def _languages(lines) -> dict:
    return {x["language"]: {n: x[n] for n in ("plays", "seconds")} for x in lines}


def _source(line) -> tuple[str, str]:
    return (line["form"], " ".join(line["source"].casefold().split()))


FORM_FIGURES = ("plays", "seconds", "incomplete", "seconds_incomplete", "dropouts")


def _forms(lines) -> dict:
    return {_source(x): {n: x[n] for n in FORM_FIGURES} for x in lines}


def test_two_stations_add_up_their_forms_tiers_and_languages(form_exports):
    stations = [_exported(form_exports / f) for f in ("hoa-khanh", "hoa-xuan")]
    merged = service.merge_reports([form_exports / "hoa-xuan", form_exports / "hoa-khanh"], now=NOW)
    assert merged.level == "commune" and not merged.warnings

    assert _tiers(merged.by_tier) == _summed(
        stations, "by_tier", lambda x: x["tier"], ("sessions", "plays", "seconds")
    )
    assert [x["tier"] for x in merged.by_tier] == ["khan-cap", "uu-tien", "thuong"]
    assert _tiers(merged.by_tier)["khan-cap"] == {"sessions": 1, "plays": 1, "seconds": 70.0}
    assert _languages(merged.by_language) == _summed(
        stations, "by_language", lambda x: x["language"], ("plays", "seconds")
    )
    assert _languages(merged.by_language) == {
        "ede": {"plays": 4, "seconds": 280.0},
        "vi": {"plays": 3, "seconds": 90.0},
    }
    assert _forms(merged.by_form) == _summed(stations, "by_form", _source, FORM_FIGURES)
    assert [(x["form"], x["source"], x["plays"]) for x in merged.by_form] == [
        ("relay", DAK_LAK, 1),
        ("relay", VOV1, 2),  # one source, whatever the spacing and case it was typed with
        ("live", "", 2),
    ]
    totals = merged.totals
    assert (totals["relay_completed"], totals["live_completed"]) == (3, 2)
    assert totals["relay_seconds"] == pytest.approx(1800.0 + 1700.0 + 1200.0)
    assert totals["live_minutes"] == round(155.0 / 60, 1)
    # a row per station: its own lines, as its export states them
    for row, export in zip(merged.rows, stations, strict=True):
        assert _tiers(row.by_tier) == _tiers(export["by_tier"])
        assert _languages(row.by_language) == _languages(export["by_language"])
        assert _forms(row.by_form) == _forms(export["by_form"])


@pytest.fixture(scope="module")
def form_province(form_exports):
    return service.merge_reports([form_exports], now=NOW)


def test_two_communes_add_up_their_forms_tiers_and_languages(form_exports, form_province):
    everything = [_exported(form_exports / f) for f in STATIONS]
    merged = form_province
    assert merged.level == "province" and [r.name for r in merged.rows] == ["Xã Ea Kao", HOA_PHU]
    assert _tiers(merged.by_tier) == _summed(
        everything, "by_tier", lambda x: x["tier"], ("sessions", "plays", "seconds")
    )
    assert _languages(merged.by_language) == _summed(
        everything, "by_language", lambda x: x["language"], ("plays", "seconds")
    )
    assert _forms(merged.by_form) == _summed(everything, "by_form", _source, FORM_FIGURES)
    ea_kao, hoa_phu = merged.rows
    assert _forms(ea_kao.by_form) == _forms(_exported(form_exports / "ea-kao")["by_form"])
    both = [_exported(form_exports / f) for f in ("hoa-xuan", "hoa-khanh")]
    assert _tiers(hoa_phu.by_tier) == _summed(
        both, "by_tier", lambda x: x["tier"], ("sessions", "plays", "seconds")
    )
    assert _languages(hoa_phu.by_language) == _summed(
        both, "by_language", lambda x: x["language"], ("plays", "seconds")
    )
    assert _forms(hoa_phu.by_form) == _summed(both, "by_form", _source, FORM_FIGURES)
    assert [s.station for s in merged.stations] == ["", "Hòa Khánh", "Hòa Xuân"]
    assert _forms(merged.stations[2].by_form) == _forms(
        _exported(form_exports / "hoa-xuan")["by_form"]
    )


def _sections(rows: list[list], title: str) -> list[list]:
    """The table under a section title (header included), up to the blank row."""
    start = next(i for i, r in enumerate(rows) if r and r[0] == title)
    table = []
    for row in rows[start + 1 :]:
        if not any(c not in (None, "") for c in row):
            break
        table.append(row)
    return table


def _lines(table: list[list], category: str) -> dict:
    """{(commune or "Tổng cộng", station, category): {column: value}} of a section."""
    header, *body = table
    at = header.index(category)
    return {(r[1], r[2] or "", r[at]): dict(zip(header, r, strict=False)) for r in body}


def test_the_provinces_xlsx_and_csv_show_them_by_commune_and_by_station(
    form_exports, form_province, tmp_path
):
    import openpyxl

    merged = form_province
    [xlsx] = service.write_merged(merged, "xlsx", tmp_path)
    workbook = openpyxl.load_workbook(xlsx)
    sheet = [list(r) for r in workbook["Tổng hợp tỉnh"].iter_rows(values_only=True)]
    total = (merge.TOTALS_LABEL, "2 xã, 3 trạm")

    forms = _lines(_sections(sheet, "Tiếp sóng và phát trực tiếp"), "Hình thức")
    for line in merged.by_form:
        cells = forms[(*total, wording.programme_form(line))]
        assert (cells["Số lượt"], cells["Thời lượng (giây)"]) == (line["plays"], line["seconds"])
        assert isinstance(cells["Số lượt"], int)
    vov = forms[(*total, f"Tiếp sóng {VOV1}")]
    assert vov["Số lượt"] == 2 and vov["Thời lượng (giây)"] == 3500
    assert vov["Lượt không trọn vẹn (không tính)"] == 1 and vov["Số lần mất sóng"] == 3
    assert forms[(*total, wording.FORM_LIVE)]["Số lượt"] == 3
    hoa_phu_live = forms[(HOA_PHU, "Hòa Khánh, Hòa Xuân", wording.FORM_LIVE)]
    assert hoa_phu_live["Số lượt"] == 2 and hoa_phu_live["Thời lượng (giây)"] == 155

    tiers = _lines(_sections(sheet, "Theo mức độ"), "Mức độ")
    assert [k[2] for k in tiers if k[:2] == total] == ["Khẩn cấp", "Ưu tiên", "Thông thường"]
    for line in merged.by_tier:
        cells = tiers[(*total, wording.TIER[line["tier"]])]
        assert (cells["Số buổi"], cells["Số lượt"]) == (line["sessions"], line["plays"])
    assert tiers[(*total, "Khẩn cấp")]["Số lượt"] == 3  # 1 at Hòa Xuân, 2 at Ea Kao
    assert tiers[("Xã Ea Kao", "", "Khẩn cấp")]["Số lượt"] == 2

    languages = _lines(_sections(sheet, "Theo tiếng"), "Tiếng")
    assert languages[(*total, "Tiếng Ê Đê")]["Số lượt"] == 6
    assert languages[(*total, "Tiếng Việt")]["Số lượt"] == 3

    detail = [list(r) for r in workbook["Theo trạm"].iter_rows(values_only=True)]
    per_station = _lines(_sections(detail, "Tiếp sóng và phát trực tiếp"), "Hình thức")
    assert per_station[(HOA_PHU, "Hòa Xuân", f"Tiếp sóng {VOV1}")]["Số lượt"] == 1
    assert per_station[(HOA_PHU, "Hòa Khánh", "Tiếp sóng đài tnvn – vov1")]["Số lượt"] == 1

    files = service.write_merged(merged, "csv", tmp_path)
    assert [p.name.rsplit(" - ", 1)[-1] for p in files][-1] == "phân loại.csv"
    text = files[-1].read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    tiers_csv = _lines(_sections(rows, "Theo mức độ"), "Mức độ")
    assert tiers_csv[(*total, "Khẩn cấp")]["Số lượt"] == "3"
    forms_csv = _lines(_sections(rows, "Tiếp sóng và phát trực tiếp"), "Hình thức")
    assert forms_csv[(*total, f"Tiếp sóng {VOV1}")]["Số lượt"] == "2"


def _grid(document, title: str) -> list[list[str]]:
    """The cells of the table that follows the heading *title* in the DOCX body."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    found = False
    for child in document.element.body.iterchildren():
        if child.tag.endswith("}p") and Paragraph(child, document).text.startswith(title):
            found = True
        elif found and child.tag.endswith("}tbl"):
            return [[c.text for c in row.cells] for row in Table(child, document).rows]
    raise AssertionError(f"no table under {title!r}")


def test_the_communes_docx_shows_them_by_station(form_exports, tmp_path):
    import docx

    merged = service.merge_reports([form_exports / "hoa-xuan", form_exports / "hoa-khanh"], now=NOW)
    [path] = service.write_merged(merged, "docx", tmp_path)
    document = docx.Document(str(path))
    text = "\n".join(p.text for p in document.paragraphs)
    relay_minutes = wording.number(merged.totals["relay_minutes"])
    assert f"tiếp sóng 3 lượt ({relay_minutes} phút) và phát trực tiếp 2 lượt" in text

    forms = _grid(document, "Tiếp sóng và phát trực tiếp")
    assert forms[0][:4] == ["STT", "Trạm truyền thanh", "Hình thức", "Số lượt"]
    assert ["Hòa Xuân", f"Tiếp sóng {VOV1}", "1"] in [r[1:4] for r in forms]
    assert ["Hòa Khánh", f"Tiếp sóng {DAK_LAK}", "1"] in [r[1:4] for r in forms]
    assert [r[1:4] for r in forms if r[1] == merge.TOTALS_LABEL] == [
        [merge.TOTALS_LABEL, f"Tiếp sóng {DAK_LAK}", "1"],
        [merge.TOTALS_LABEL, f"Tiếp sóng {VOV1}", "2"],
        [merge.TOTALS_LABEL, wording.FORM_LIVE, "2"],
    ]
    tiers = _grid(document, "Theo mức độ")
    assert [r[1:5] for r in tiers if r[1] == merge.TOTALS_LABEL] == [
        [merge.TOTALS_LABEL, "Khẩn cấp", "1", "1"],
        [merge.TOTALS_LABEL, "Ưu tiên", "1", "1"],
        [merge.TOTALS_LABEL, "Thông thường", "7", "5"],  # relays and live sessions too
    ]
    languages = _grid(document, "Theo tiếng")
    assert [r[1:4] for r in languages if r[1] == merge.TOTALS_LABEL] == [
        [merge.TOTALS_LABEL, "Tiếng Ê Đê", "4"],
        [merge.TOTALS_LABEL, "Tiếng Việt", "3"],
    ]


def test_an_export_made_before_forms_tiers_and_languages_still_merges(form_exports, tmp_path):
    """An export from a box not yet updated has no by_form, by_tier, by_language: it
    merges, its lines are absent (counted 0) and the merge says so."""
    old = _exported(form_exports / "ea-kao")
    for key in ("by_form", "by_tier", "by_language"):
        old.pop(key)
    for key in [k for k in old["totals"] if k.startswith(("relay_", "live_"))]:
        old["totals"].pop(key)
    (tmp_path / "ea-kao.json").write_text(json.dumps(old, ensure_ascii=False), "utf-8")
    shutil.copytree(form_exports / "hoa-xuan", tmp_path / "hoa-xuan")
    merged = service.merge_reports([tmp_path], now=NOW)
    hoa_xuan = _exported(form_exports / "hoa-xuan")
    assert [r.plays_completed for r in merged.rows] == [old["totals"]["plays_completed"], 3]
    assert _forms(merged.by_form) == _forms(hoa_xuan["by_form"])
    assert _tiers(merged.by_tier) == _tiers(hoa_xuan["by_tier"])
    assert _languages(merged.by_language) == _languages(hoa_xuan["by_language"])
    assert merged.rows[0].by_form == merged.rows[0].by_tier == ()
    (notice,) = merged.warnings
    assert notice.key == "report.merge_old_export"
    assert str(notice).startswith("Xã Ea Kao, Tỉnh Đắk Lắk:")
    for fmt in service.MERGE_FORMATS:  # and every format is written
        assert service.write_merged(merged, fmt, tmp_path / "out")

    old["by_form"] = [{"form": "relay", "source": VOV1, "plays": "hai"}]
    (tmp_path / "ea-kao.json").write_text(json.dumps(old, ensure_ascii=False), "utf-8")
    with pytest.raises(LoaxaError) as caught:
        service.merge_reports([tmp_path / "ea-kao.json"])
    assert caught.value.key == "report.merge_bad_export" and "'by_form'" in str(caught.value)
