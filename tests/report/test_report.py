"""Monthly report: a month of known broadcasts written through the real PlayLog, counted,
reconciled with ``loaxa log --json``, and written as DOCX/XLSX/CSV/JSON that are opened
again with python-docx, openpyxl and the csv module (and LibreOffice when installed).

The machine's zone is forced to UTC (and others) while the box's zone is
Asia/Ho_Chi_Minh: the month must end at local midnight whatever the machine thinks.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from firmware_host import cli, messages
from firmware_host.config import Config, load_config
from firmware_host.logbook.playlog import PlayLog
from firmware_host.messages import LoaxaError
from firmware_host.report import service, wording
from firmware_host.report.names import safe_file_name

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
MONTH = "2024-09"
CAMPAIGN_2G = "Tắt sóng 2G"
CAMPAIGN_SXH = "Phòng chống sốt xuất huyết"
NOW = datetime(2024, 10, 5, 8, 0, tzinfo=HCM)

CONFIG = """\
[commune]
name = "Xã Ea Tu"
province = "Tỉnh Đắk Lắk"

[relays]
pin_factory = "mock"

[relays.zones]
"thon-1" = 27
"thon-2" = 22
"buon-ea-tu" = 23
"""


def _clip(clip_id: str, title: str, language: str, duration: float) -> SimpleNamespace:
    return SimpleNamespace(
        id=clip_id,
        title=title,
        language=language,
        duration=duration,
        sha256=clip_id * 2,
        source="file",
    )


CLIP_2G = _clip("thong-bao-tat-song-2g", "Thông báo tắt sóng 2G", "vi", 95.0)
CLIP_4G = _clip("huong-dan-chuyen-4g", "Hướng dẫn chuyển sang 4G", "ede", 62.5)
CLIP_SXH = _clip("phong-chong-sot-xuat-huyet", "Phòng chống sốt xuất huyết", "vi", 120.0)
CLIP_HOP = _clip("thong-bao-hop-thon", "Thông báo họp thôn", "vi", 45.0)
POWER_CUT = "mất điện hoặc hộp bị tắt đột ngột khi đang phát"
PLAYER_FAILED = "không phát được bài 'Phòng chống sốt xuất huyết': aplay exited 1"
BOX_OFF = "hộp bị tắt hoặc mất điện (hoạt động lần cuối lúc 19/09 21:04)"


def _at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=HCM)


def _session(
    log: PlayLog,
    at: datetime,
    campaign: str | None,
    slot: str | None,
    zones: list[str],
    plays: list[tuple[SimpleNamespace, str, float]],
    *,
    status: str = "completed",
    error: str | None = None,
) -> None:
    """One session as the broadcaster logs it: session row first, then each clip."""
    manual = campaign is None
    started = at + timedelta(seconds=1)
    session = log.start_session(
        trigger="manual" if manual else "schedule",
        scheduled=None if manual else at,
        started=started,
        campaign=campaign,
        slot=slot,
        zones=zones,
        playlist=sorted({clip.id for clip, _, _ in plays}),
    )
    moment = started + timedelta(seconds=2)  # amplifier warm-up
    for index, (clip, clip_status, seconds) in enumerate(plays, start=1):
        ref = log.start_clip(session, started=moment, clip=clip, play_index=index)
        moment += timedelta(seconds=seconds)
        log.finish(
            ref,
            clip_status,
            ended=moment,
            seconds=seconds,
            error=None if clip_status == "completed" else error,
        )
        moment += timedelta(seconds=5)
    log.finish(
        session, status, ended=moment, seconds=(moment - started).total_seconds(), error=error
    )


def write_known_month(log: PlayLog) -> None:
    """September 2024 in Xã Ea Tu, every broadcast known in advance."""
    all_zones = ["thon-1", "thon-2", "buon-ea-tu"]
    # 06:00 on 1/9 local is still 31/8 in UTC: it belongs to September.
    _session(
        log,
        _at(2024, 9, 1, 6, 0),
        CAMPAIGN_2G,
        "sáng",
        ["thon-1", "thon-2"],
        [(CLIP_2G, "completed", 95.0), (CLIP_4G, "completed", 62.5)],
    )
    # repeat 3 of one clip: three lượt in one buổi
    _session(
        log,
        _at(2024, 9, 5, 6, 30),
        CAMPAIGN_2G,
        "sáng",
        all_zones,
        [(CLIP_2G, "completed", 95.0)] * 3,
    )
    _session(
        log,
        _at(2024, 9, 5, 17, 0),
        CAMPAIGN_SXH,
        "chiều",
        ["thon-2"],
        [(CLIP_SXH, "completed", 120.0)],
    )
    _session(log, _at(2024, 9, 10, 9, 15), None, None, ["thon-1"], [(CLIP_HOP, "completed", 45.0)])
    # cut by a power failure after one complete play
    _session(
        log,
        _at(2024, 9, 12, 6, 30),
        CAMPAIGN_2G,
        "sáng",
        all_zones,
        [(CLIP_2G, "completed", 95.0), (CLIP_4G, "interrupted", 20.0)],
        status="interrupted",
        error=POWER_CUT,
    )
    _session(
        log,
        _at(2024, 9, 15, 17, 0),
        CAMPAIGN_SXH,
        "chiều",
        ["thon-2"],
        [(CLIP_SXH, "failed", 0.0)],
        status="failed",
        error=PLAYER_FAILED,
    )
    log.record_missed(
        scheduled=_at(2024, 9, 20, 6, 30),
        campaign=CAMPAIGN_2G,
        slot="sáng",
        zones=all_zones,
        playlist=[CLIP_2G.id],
        plan_key="chien-dich-2g.toml#sáng@2024-09-20T06:30",
        reason=BOX_OFF,
        now=_at(2024, 9, 20, 7, 2),
    )
    # 23:59 on the last day: the second clip ends after midnight, still 30/9
    _session(
        log,
        _at(2024, 9, 30, 23, 59),
        CAMPAIGN_2G,
        "khuya",
        ["thon-1"],
        [(CLIP_2G, "completed", 95.0), (CLIP_4G, "completed", 62.5)],
    )
    # 00:00:30 on 1/10 local is 17:00:30 on 30/9 in UTC: it belongs to October.
    _session(
        log,
        _at(2024, 10, 1, 0, 0, 30),
        CAMPAIGN_SXH,
        "đêm",
        ["thon-2"],
        [(CLIP_SXH, "completed", 120.0)],
    )


def make_box(directory: Path) -> Config:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "loaxa.toml").write_text(CONFIG, "utf-8")
    config = load_config(directory)
    log = PlayLog(config.log_dir, config.timezone)
    write_known_month(log)
    log.close()
    return config


def _machine_zone(name: str) -> None:
    os.environ["TZ"] = name
    time.tzset()


@pytest.fixture(scope="module")
def utc_machine() -> Iterator[None]:
    previous = os.environ.get("TZ")
    _machine_zone("UTC")
    yield
    if previous is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = previous
    time.tzset()


@pytest.fixture(scope="module")
def box(tmp_path_factory: pytest.TempPathFactory, utc_machine: None) -> Config:
    return make_box(tmp_path_factory.mktemp("ea-tu"))


@pytest.fixture(scope="module")
def report(box: Config) -> service.MonthReport:
    return service.month_report(box, MONTH, now=NOW)


@pytest.fixture(scope="module")
def written(report: service.MonthReport, tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("out")
    return {fmt: service.write_report(report, fmt, out) for fmt in service.FORMATS}


# -- the figures -------------------------------------------------------------------------
def test_the_known_month_gives_the_known_figures(report):
    totals = report.totals
    assert totals["sessions_completed"] == 5
    assert totals["plays_completed"] == 10  # 2 + 3 (repeat) + 1 + 1 (manual) + 1 (cut) + 2
    assert totals["seconds_on_air"] == 860.0
    assert totals["minutes_on_air"] == 14.3
    assert totals["days_with_broadcast"] == 5
    assert (totals["sessions_interrupted"], totals["sessions_failed"]) == (1, 1)
    assert totals["sessions_missed"] == 1
    assert (totals["plays_interrupted"], totals["plays_failed"], totals["seconds_partial"]) == (
        1,
        1,
        20.0,
    )
    assert {c["clip_id"]: c["plays"] for c in report.by_clip} == {
        CLIP_2G.id: 6,
        CLIP_4G.id: 2,
        CLIP_SXH.id: 1,
        CLIP_HOP.id: 1,
    }
    assert [d["date"] for d in report.by_day] == [
        "2024-09-01",
        "2024-09-05",
        "2024-09-10",
        "2024-09-12",
        "2024-09-30",
    ]
    assert report.by_day[-1]["plays"] == 2, "the 23:59 session stays on the 30th"
    assert [(p.status, p.plays_completed) for p in report.problems] == [
        ("interrupted", 1),
        ("failed", 0),
        ("missed", 0),
    ]
    assert [p.reason for p in report.problems] == [POWER_CUT, PLAYER_FAILED, BOX_OFF]
    assert report.commune == {"name": "Xã Ea Tu", "province": "Tỉnh Đắk Lắk", "station": ""}
    assert report.recipient == "Sở Văn hóa, Thể thao và Du lịch tỉnh Đắk Lắk"


def _day(row: dict) -> str:
    anchor = row.get("scheduled") or row.get("session_started") or row.get("started")
    return datetime.fromisoformat(anchor).astimezone(HCM).date().isoformat()


def test_every_figure_reconciles_with_loaxa_log_json(box, written, capsys):
    """Recompute each figure from the CLI's log rows with plain loops and compare."""
    assert cli.main(["--data-dir", str(box.data_dir), "log", "--month", MONTH, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    rows = [r for r in rows if _day(r).startswith(MONTH)]
    sessions = [r for r in rows if r["kind"] == "session"]
    plays = [r for r in rows if r["kind"] == "clip" and r["status"] == "completed"]
    completed = [s for s in sessions if s["status"] == "completed"]

    per_clip: dict[str, int] = defaultdict(int)
    per_zone: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    per_day: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0])
    per_campaign: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0])
    seconds = 0.0
    for play in plays:
        per_clip[play["clip_id"]] += 1
        seconds += play["seconds"]
        per_day[_day(play)][1] += 1
        per_day[_day(play)][2] += play["seconds"]
        per_campaign[play["campaign"] or ""][1] += 1
        per_campaign[play["campaign"] or ""][2] += play["seconds"]
        for zone in play["zones"]:
            per_zone[zone][1] += 1
    for session in completed:
        per_day[_day(session)][0] += 1
        per_campaign[session["campaign"] or ""][0] += 1
        for zone in session["zones"]:
            per_zone[zone][0] += 1

    exported = json.loads(written["json"][0].read_text("utf-8"))
    totals = exported["totals"]
    assert totals["plays_completed"] == len(plays)
    assert totals["sessions_completed"] == len(completed)
    assert totals["seconds_on_air"] == pytest.approx(seconds)
    assert totals["minutes_on_air"] == round(seconds / 60, 1)
    assert totals["days_with_broadcast"] == len({_day(p) for p in plays})
    for status in ("interrupted", "failed", "missed"):
        assert totals[f"sessions_{status}"] == sum(1 for s in sessions if s["status"] == status)
    assert {c["clip_id"]: c["plays"] for c in exported["by_clip"]} == dict(per_clip)
    assert {z["zone"]: [z["sessions"], z["plays"]] for z in exported["by_zone"]} == dict(per_zone)
    assert {
        d["date"]: [d["sessions"], d["plays"], pytest.approx(d["seconds"])]
        for d in exported["by_day"]
    } == {d: [v[0], v[1], pytest.approx(v[2])] for d, v in per_day.items()}
    assert {
        c["campaign"]: [c["sessions"], c["plays"], pytest.approx(c["seconds"])]
        for c in exported["by_campaign"]
    } == {c: [v[0], v[1], pytest.approx(v[2])] for c, v in per_campaign.items()}
    problems = [s for s in sessions if s["status"] in ("interrupted", "failed", "missed")]
    assert [(p["status"], p["reason"]) for p in exported["problems"]] == [
        (s["status"], s["error"]) for s in problems
    ]
    assert [p["plays_completed"] for p in exported["problems"]] == [
        sum(1 for p in plays if p["session_id"] == s["session_id"]) for s in problems
    ]
    assert len(exported["entries"]) == len(rows)


@pytest.mark.parametrize("machine_zone", ["America/Los_Angeles", "Pacific/Kiritimati"])
def test_the_machine_time_zone_does_not_matter(box, report, machine_zone):
    try:
        _machine_zone(machine_zone)
        again = service.month_report(box, MONTH, now=NOW)
    finally:
        _machine_zone("UTC")
    assert again.to_json() == report.to_json()


# -- the files -------------------------------------------------------------------------
def test_file_names_keep_vietnamese_and_suit_fat32(report, written):
    names = {fmt: [p.name for p in paths] for fmt, paths in written.items()}
    assert names["docx"] == ["Báo cáo tuyên truyền tháng 2024-09 - Xã Ea Tu.docx"]
    assert names["csv"] == [
        "Báo cáo tuyên truyền tháng 2024-09 - Xã Ea Tu - tổng hợp.csv",
        "Báo cáo tuyên truyền tháng 2024-09 - Xã Ea Tu - nhật ký.csv",
    ]
    for paths in written.values():
        for path in paths:
            assert path.is_file() and not set(path.name) & set(':*?"<>|\\/')
    assert not list(written["docx"][0].parent.glob(".*.tmp"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Báo cáo: 16/9/2024 *2G*?.docx", "Báo cáo- 16-9-2024 2G.docx"),
        ('  "Xã  Ea\tTu" <thôn|1>  ...', "Xã Ea Tu thôn1"),
        ("Xa\u0303 Ea Tu.csv", "Xã Ea Tu.csv"),  # decomposed (macOS) -> composed
        ("CON.txt", "_CON.txt"),
        ("...", "bao-cao"),
        ("a\x00b\x1fc.json", "a b c.json"),
    ],
)
def test_safe_file_name(text, expected):
    assert safe_file_name(text) == expected


def test_safe_file_name_caps_the_length_and_keeps_the_extension():
    name = safe_file_name("Báo cáo " + "chiến dịch rất dài " * 30 + ".xlsx")
    assert len(name) <= 200 and name.endswith(".xlsx") and not name[:-5].endswith(" ")
    assert safe_file_name("ệ" * 300, max_length=50) == "ệ" * 50


def test_write_is_atomic_and_a_failed_write_keeps_the_old_file(report, tmp_path, monkeypatch):
    first = service.write_report(report, "json", tmp_path)[0]
    before = first.read_bytes()

    def unplugged(*_args):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "replace", unplugged)
    with pytest.raises(LoaxaError) as caught:
        service.write_report(report, "json", tmp_path)
    assert caught.value.key == "report.write_failed"
    assert "Không ghi được tệp báo cáo" in str(caught.value)
    assert "Input/output" not in str(caught.value), "no English system text in Vietnamese"
    assert "lỗi đọc/ghi thiết bị" in str(caught.value)
    monkeypatch.undo()
    assert first.read_bytes() == before
    assert not list(tmp_path.glob(".*.tmp"))


def test_json_export_has_identity_month_and_counting_rule(written):
    path = written["json"][0]
    text = path.read_text("utf-8")
    assert "Xã Ea Tu" in text and "\\u" not in text, "readable Vietnamese, not escapes"
    data = json.loads(text)
    assert data["format"] == "loaxa-month-report/1"
    assert data["month"] == MONTH and data["timezone"] == "Asia/Ho_Chi_Minh"
    assert data["commune"]["province"] == "Tỉnh Đắk Lắk"
    assert data["counting_rule"][0].startswith("Một lượt là một lần phát trọn vẹn")
    assert text.startswith('{\n  "')


def _docx_text(document) -> tuple[list[str], list]:
    paragraphs = [p.text for p in document.paragraphs]
    return paragraphs, document.tables


def _runs(document):
    for paragraph in document.paragraphs:
        yield from paragraph.runs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    yield from paragraph.runs


def test_docx_is_an_administrative_report_with_the_figures(box, tmp_path):
    import docx
    from docx.oxml.ns import qn

    campaign = service.month_report(box, MONTH, "tắt sóng 2g", now=NOW)  # any case matches
    assert campaign.campaign == CAMPAIGN_2G
    (path,) = service.write_report(campaign, "docx", tmp_path)
    assert path.name == "Báo cáo tuyên truyền Tắt sóng 2G tháng 2024-09 - Xã Ea Tu.docx"
    document = docx.Document(str(path))
    paragraphs, tables = _docx_text(document)

    header = tables[0]
    left, right = header.rows[0].cells
    assert left.paragraphs[0].text == "UBND XÃ EA TU"
    assert [p.text for p in right.paragraphs if p.text][:3] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Ea Tu, ngày 05 tháng 10 năm 2024",
    ]
    rules = [
        p
        for p in right.paragraphs
        if p._p.pPr is not None and p._p.pPr.find(qn("w:pBdr")) is not None
    ]
    assert len(rules) == 1, "a short rule under the motto"
    assert header._tbl.tblPr.find(qn("w:tblBorders")) is not None
    assert "BÁO CÁO" in paragraphs
    title = next(p for p in paragraphs if p.startswith("Kết quả tuyên truyền"))
    assert "chiến dịch “Tắt sóng 2G”" in title and title.endswith("tháng 9 năm 2024")
    # since 1 July 2025 a commune reports to the province: no district anywhere
    assert "Kính gửi: Sở Văn hóa, Thể thao và Du lịch tỉnh Đắk Lắk." in paragraphs
    assert paragraphs.index("Kính gửi: Sở Văn hóa, Thể thao và Du lịch tỉnh Đắk Lắk.") < (
        paragraphs.index(title) + 3
    ), "right under the title"
    assert "- Sở Văn hóa, Thể thao và Du lịch tỉnh Đắk Lắk (để báo cáo);" in paragraphs
    every_text = "\n".join(
        [*paragraphs, *(c.text for t in tables for r in t.rows for c in r.cells)]
    )
    assert "huyện" not in every_text.lower() and "Huyện" not in every_text

    main = tables[1]
    assert [c.text for c in main.rows[0].cells] == [
        "STT",
        "Hình thức tuyên truyền",
        "Số lượt",
        "Phương tiện",
        "Thời lượng (phút)",
    ]
    # 2G only: 95+62.5 on 1/9, 3x95 on 5/9, 95 before the cut on 12/9, 95+62.5 on 30/9
    minutes = round((157.5 + 285 + 95 + 157.5) / 60, 1)
    row = [c.text for c in main.rows[1].cells]
    assert row == [
        "1",
        "Phát trên hệ thống loa truyền thanh của xã (chiến dịch “Tắt sóng 2G”)",
        "8",
        "Hệ thống loa truyền thanh xã — các vùng: buôn Ea Tu, thôn 1, thôn 2",
        f"{minutes:.1f}".replace(".", ","),
    ]
    assert [c.text for c in main.rows[-1].cells][1:3] == ["Tổng cộng", "8"]

    per_day = next(t for t in tables if t.rows[0].cells[1].text == "Ngày")
    assert [r.cells[1].text for r in per_day.rows[1:]] == [
        "01/09/2024",
        "05/09/2024",
        "12/09/2024",
        "30/09/2024",
    ]
    assert [r.cells[4].text for r in per_day.rows[1:]] == ["2", "3", "1", "2"]
    problems = next(t for t in tables if t.rows[0].cells[-1].text == "Lý do")
    assert [r.cells[-1].text for r in problems.rows[1:]] == [POWER_CUT, BOX_OFF]
    assert any(p.startswith("- Một lượt là một lần phát trọn vẹn") for p in paragraphs)
    signatures = tables[-1].rows[0].cells
    assert signatures[0].paragraphs[0].text == "NGƯỜI LẬP BÁO CÁO"
    assert signatures[1].paragraphs[0].text == "TM. UBND XÃ EA TU"

    section = document.sections[0]
    size = (section.page_width.cm, section.page_height.cm)
    assert size == (pytest.approx(21, abs=0.01), pytest.approx(29.7, abs=0.01)), "A4"
    margins = [section.top_margin.cm, section.bottom_margin.cm, section.left_margin.cm]
    assert margins == [pytest.approx(2, abs=0.01)] * 2 + [pytest.approx(3, abs=0.01)]
    assert 1.5 - 0.01 <= section.right_margin.cm <= 2 + 0.01
    runs = list(_runs(document))
    assert runs
    for run in runs:
        fonts = run._r.rPr.rFonts
        assert {fonts.get(qn(f"w:{slot}")) for slot in ("ascii", "hAnsi", "eastAsia", "cs")} == {
            "Times New Roman"
        }, run.text
    body = [r for p in document.paragraphs for r in p.runs if p.text.startswith("Căn cứ")]
    assert body and all(13 <= r.font.size.pt <= 14 for r in body)
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size.pt == 13


def test_docx_of_all_campaigns_names_each_form_of_broadcast(written, report):
    import docx

    document = docx.Document(str(written["docx"][0]))
    title = next(p.text for p in document.paragraphs if p.text.startswith("Kết quả tuyên"))
    assert "các chiến dịch" in title
    main = document.tables[1]
    forms = [r.cells[1].text for r in main.rows[1:]]
    assert forms == [
        "Phát tay trên hệ thống loa (không theo lịch)",
        "Phát trên hệ thống loa truyền thanh của xã (chiến dịch “Phòng chống sốt xuất huyết”)",
        "Phát trên hệ thống loa truyền thanh của xã (chiến dịch “Tắt sóng 2G”)",
        "Tổng cộng",
    ]
    assert [r.cells[2].text for r in main.rows[1:]] == ["1", "1", "8", "10"]
    assert main.rows[-1].cells[4].text == "14,3"
    clips = next(t for t in document.tables if t.rows[0].cells[1].text == "Tên bài")
    assert [(r.cells[1].text, r.cells[2].text, r.cells[3].text) for r in clips.rows[1:3]] == [
        ("Thông báo tắt sóng 2G", "Tiếng Việt", "6"),
        ("Hướng dẫn chuyển sang 4G", "Tiếng Ê Đê", "2"),
    ]


def _section(ws, title: str) -> list[list]:
    """Rows of one summary section (header row first) until the next blank row."""
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r[0] == title)
    found = []
    for row in rows[start + 1 :]:
        if all(v is None for v in row):
            break
        found.append(row)
    return found


def test_xlsx_has_typed_cells_zone_header_and_widths(written, report):
    import openpyxl

    workbook = openpyxl.load_workbook(written["xlsx"][0])
    assert workbook.sheetnames == ["Tổng hợp", "Nhật ký phát"]
    summary = workbook["Tổng hợp"]
    assert "Asia/Ho_Chi_Minh" in summary["A2"].value and "UTC+07:00" in summary["A2"].value
    identity = dict(r[:2] for r in _section(summary, "Thông tin chung")[1:])
    assert identity["Xã/phường"] == "Xã Ea Tu"
    assert identity["Tỉnh/thành phố"] == "Tỉnh Đắk Lắk" and "Huyện/thành phố" not in identity
    assert identity["Nơi nhận báo cáo"] == "Sở Văn hóa, Thể thao và Du lịch tỉnh Đắk Lắk"
    assert identity["Tháng"] == datetime(2024, 9, 1)
    assert identity["Lập lúc"] == datetime(2024, 10, 5, 8, 0)
    totals = {(r[0], r[2]): r[1] for r in _section(summary, "Tổng cộng")[1:]}
    assert totals[("Số lượt phát trọn vẹn", "lượt")] == 10
    assert isinstance(totals[("Số lượt phát trọn vẹn", "lượt")], int)
    assert totals[("Thời lượng phát", "phút")] == 14.3
    assert totals[("Thời lượng phát", "giây")] == 860.0
    days = _section(summary, "Theo ngày")
    assert days[0][:4] == ["Ngày", "Thứ", "Số buổi", "Số lượt"]
    assert [(r[0], r[3]) for r in days[1:]] == [
        (datetime(2024, 9, 1), 2),
        (datetime(2024, 9, 5), 4),
        (datetime(2024, 9, 10), 1),
        (datetime(2024, 9, 12), 1),
        (datetime(2024, 9, 30), 2),
    ]
    zones = {r[0]: r[3] for r in _section(summary, "Theo vùng loa")[1:]}
    assert zones == {z["zone"]: z["plays"] for z in report.by_zone}
    problems = _section(summary, "Buổi phát không trọn vẹn (không tính)")
    assert [(r[0], r[3]) for r in problems[1:]] == [
        (datetime(2024, 9, 12, 6, 30), "bị gián đoạn"),
        (datetime(2024, 9, 15, 17, 0), "bị lỗi"),
        (datetime(2024, 9, 20, 6, 30), "bị bỏ lỡ"),
    ]
    rule = _section(summary, "Cách tính số liệu")
    assert rule[0][0].startswith("- Một lượt là một lần phát trọn vẹn")
    assert summary.freeze_panes == "A3"
    assert summary.column_dimensions["A"].width >= len("Thời lượng phát dở (không tính)")

    entries = workbook["Nhật ký phát"]
    header = [c.value for c in entries[1]]
    assert header[9] == "Bắt đầu (Asia/Ho_Chi_Minh)"
    assert all(c.font.bold for c in entries[1])
    assert entries.freeze_panes == "A2"
    rows = list(entries.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(report.entries)
    first_session, first_clip = rows[0], rows[1]
    assert first_session[9] == datetime(2024, 9, 1, 6, 0, 1), "naive local time, not UTC"
    assert isinstance(first_session[0], int) and first_session[11] == 169.5
    assert first_clip[7] == datetime(2024, 9, 1) and first_clip[14] == 1
    assert entries.cell(2, 10).number_format == "dd/mm/yyyy hh:mm:ss"
    after_midnight = [r for r in rows if r[16] == CLIP_4G.title and r[10].month == 10]
    assert after_midnight and after_midnight[0][7] == datetime(2024, 9, 30)
    for letter in ("B", "F", "J", "Q"):
        assert entries.column_dimensions[letter].width > 8
    seconds = [r[11] for r in rows]  # openpyxl reads 95.0 back as 95: numbers, not text
    assert all(isinstance(v, int | float) for v in seconds) and 62.5 in seconds


def test_csv_has_bom_crlf_and_parses_back_to_the_same_numbers(written, report):
    summary_path, entries_path = written["csv"]
    raw = summary_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    start = rows.index(["Tổng cộng"])
    totals = {(r[0], r[2]): r[1] for r in rows[start + 2 : start + 13]}
    assert int(totals[("Số lượt phát trọn vẹn", "lượt")]) == 10
    assert float(totals[("Thời lượng phát", "giây")]) == 860.0
    assert float(totals[("Thời lượng phát", "phút")]) == 14.3
    start = rows.index(["Theo bài phát"])
    section = rows[start + 2 : rows.index([], start)]
    clips = {r[0]: int(r[3]) for r in section}
    assert clips == {c["clip_id"]: c["plays"] for c in report.by_clip}
    start = rows.index(["Theo ngày"])
    days = rows[start + 2 : rows.index([], start)]
    assert [(r[0], int(r[3])) for r in days] == [(d["date"], d["plays"]) for d in report.by_day]
    assert rows[rows.index(["Cách tính số liệu"]) + 1][0].startswith("Một lượt")

    entries = list(csv.DictReader(io.StringIO(entries_path.read_bytes().decode("utf-8-sig"))))
    assert len(entries) == len(report.entries)
    played = [e for e in entries if e["Loại"] == "bài" and e["Kết quả"] == "đã phát"]
    assert sum(float(e["Thời lượng (giây)"]) for e in played) == 860.0
    assert entries[0]["Bắt đầu (Asia/Ho_Chi_Minh)"] == "2024-09-01 06:00:01"


STATION_CONFIG = """\
[commune]
name = "Xã Hòa Phú"
province = "Đắk Lắk"
station = "Hòa Xuân"

[report]
recipient = "Phòng Thông tin cơ sở, Sở Văn hóa, Thể thao và Du lịch tỉnh Đắk Lắk"
"""


def test_a_station_is_named_in_every_format_and_the_recipient_is_configurable(tmp_path):
    """A merged commune runs one box per former commune's system: each report says
    which station it is, in its header, its file names and its export."""
    import docx
    import openpyxl

    (tmp_path / "box").mkdir()
    (tmp_path / "box" / "loaxa.toml").write_text(STATION_CONFIG, "utf-8")
    config = load_config(tmp_path / "box")
    log = PlayLog(config.log_dir, config.timezone)
    write_known_month(log)
    log.close()
    report = service.month_report(config, MONTH, now=NOW)
    written = {fmt: service.write_report(report, fmt, tmp_path) for fmt in service.FORMATS}
    stem = "Báo cáo tuyên truyền tháng 2024-09 - Xã Hòa Phú - trạm Hòa Xuân"
    assert [p.name for p in written["docx"]] == [f"{stem}.docx"]
    assert written["csv"][0].name == f"{stem} - tổng hợp.csv"

    recipient = "Phòng Thông tin cơ sở, Sở Văn hóa, Thể thao và Du lịch tỉnh Đắk Lắk"
    paragraphs = [p.text for p in docx.Document(str(written["docx"][0])).paragraphs]
    title = next(p for p in paragraphs if p.startswith("Kết quả tuyên truyền"))
    assert title == (
        "Kết quả tuyên truyền các chiến dịch trên hệ thống loa truyền thanh xã "
        "(trạm Hòa Xuân) tháng 9 năm 2024"
    )
    assert f"Kính gửi: {recipient}." in paragraphs
    assert f"- {recipient} (để báo cáo);" in paragraphs

    exported = json.loads(written["json"][0].read_text("utf-8"))
    assert exported["commune"] == {
        "name": "Xã Hòa Phú",
        "province": "Đắk Lắk",
        "station": "Hòa Xuân",
    }
    assert exported["recipient"] == recipient

    summary = openpyxl.load_workbook(written["xlsx"][0])["Tổng hợp"]
    assert summary["A1"].value.endswith("— Xã Hòa Phú")
    identity = dict(r[:2] for r in _section(summary, "Thông tin chung")[1:])
    assert identity["Trạm truyền thanh"] == "Hòa Xuân"
    assert identity["Nơi nhận báo cáo"] == recipient
    csv_text = written["csv"][0].read_bytes().decode("utf-8-sig")
    assert "Trạm truyền thanh,Hòa Xuân" in csv_text


def test_the_default_recipient_is_the_provinces_culture_department():
    """Since 1 March 2025 the grassroots information (thông tin cơ sở) of a province is
    with its Sở Văn hóa, Thể thao và Du lịch; the province is written as it is named."""
    assert wording.default_recipient("Tỉnh Đắk Lắk") == (
        "Sở Văn hóa, Thể thao và Du lịch tỉnh Đắk Lắk"
    )
    assert wording.default_recipient("Gia Lai") == "Sở Văn hóa, Thể thao và Du lịch tỉnh Gia Lai"
    assert wording.default_recipient("Thành phố Huế") == (
        "Sở Văn hóa, Thể thao và Du lịch thành phố Huế"
    )
    assert wording.default_recipient("Cần Thơ") == (
        "Sở Văn hóa, Thể thao và Du lịch thành phố Cần Thơ"
    )
    assert wording.default_recipient("") == "Sở Văn hóa, Thể thao và Du lịch"


def test_refusals_are_bilingual_and_name_the_problem(box, report, tmp_path):
    with pytest.raises(LoaxaError) as caught:
        service.month_report(box, "09/2024")
    assert str(caught.value) == "'09/2024' không phải là tháng; hãy viết YYYY-MM, ví dụ 2024-09."
    with pytest.raises(LoaxaError) as caught:
        service.month_report(box, MONTH, "Tắt sóng 3G")
    assert "không có chiến dịch 'Tắt sóng 3G'" in str(caught.value)
    assert "“Tắt sóng 2G”" in str(caught.value) and "“Phát tay (không" in str(caught.value)
    with pytest.raises(LoaxaError) as caught:
        service.write_report(report, "pdf", tmp_path)
    messages.set_language("en")
    assert str(caught.value) == (
        "There is no report format 'pdf'. Choose one of: xlsx, docx, csv, json."
    )
    assert not list(tmp_path.iterdir())


def test_an_empty_month_is_an_honest_empty_report(box, tmp_path):
    empty = service.month_report(box, "2024-07", now=NOW)
    assert empty.totals["plays_completed"] == 0 and not empty.problems
    paths = [p for fmt in ("docx", "xlsx") for p in service.write_report(empty, fmt, tmp_path)]
    import docx

    text = "\n".join(p.text for p in docx.Document(str(paths[0])).paragraphs)
    assert "không có buổi phát nào bị gián đoạn" in text


def test_the_cli_starts_without_the_office_libraries():
    code = (
        "import sys, firmware_host.cli, firmware_host.report.service, "
        "firmware_host.report.merge, firmware_host.report.counts; "
        "print(sorted(m for m in ('docx', 'openpyxl', 'lxml') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_counting_rule_is_the_one_written_on_every_format(written, report):
    rule = wording.counting_rule(report.timezone, report.month)
    assert "Asia/Ho_Chi_Minh" in rule[4] and f"--month {MONTH}" in rule[-1]
    docx_text = _zip_text(written["docx"][0], "word/document.xml")
    assert all(line.split(";")[0] in docx_text for line in rule)


def _zip_text(path: Path, member: str) -> str:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        return archive.read(member).decode("utf-8")


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def test_libreoffice_renders_the_docx_to_pdf(written, tmp_path):
    soffice = _soffice()
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(written["docx"][0]),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    pdf = tmp_path / (written["docx"][0].stem + ".pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    assert pdf.stat().st_size > 10_000


def test_date_line_follows_the_leading_zero_rule():
    assert wording.official_date(date(2024, 10, 5)) == "ngày 05 tháng 10 năm 2024"
    assert wording.official_date(date(2025, 2, 15)) == "ngày 15 tháng 02 năm 2025"
    assert wording.official_date(date(2024, 9, 16)) == "ngày 16 tháng 9 năm 2024"
    assert wording.place_name("Xã Ea Tu") == "Ea Tu"
    assert wording.issuing_body("Phường Tân Lợi") == "UBND PHƯỜNG TÂN LỢI"


def test_report_messages_are_vietnamese_first_with_the_same_parameters():
    import string

    keys = [k for k in messages.CATALOG if k.startswith("report.")]
    assert len(keys) >= 12
    for key in keys:
        vi, en = messages.CATALOG[key]
        names = [{f[1] for f in string.Formatter().parse(text) if f[1]} for text in (vi, en)]
        assert names[0] == names[1], key
        assert vi != en and any(ord(c) > 127 for c in vi), key
        params = dict.fromkeys(names[0], "x")
        assert str(LoaxaError(key, **params)) == vi.format(**params)
