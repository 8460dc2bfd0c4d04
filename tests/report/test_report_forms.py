"""The report's forms of broadcast beyond stored clips: tiếp sóng (a relayed station, by
its name) and phát trực tiếp (the microphone), counted in lượt and minutes apart from the
clips; and a clip read by text-to-speech, counted like any clip and marked as such.

The month is written through the real PlayLog with the calls the session makes, then
counted and written as DOCX/XLSX/CSV/JSON and read back.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from docx import Document

from firmware_host.logbook.playlog import PlayLog
from firmware_host.report import service, wording
from firmware_host.report.counts import build_report

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
MONTH = "2024-09"
VOV = "Đài TNVN – VOV1"
TTS_CLIP = SimpleNamespace(
    id="cat-nuoc", title="Thông báo cắt nước", language="vi", duration=30.0, sha256="cd" * 32,
    source="tts",
)  # fmt: skip
RECORDED = SimpleNamespace(
    id="hop-thon", title="Thông báo họp thôn", language="vi", duration=60.0, sha256="ef" * 32,
    source="file",
)  # fmt: skip


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 9, day, hour, minute, tzinfo=HCM)


def relay(log, day, *, relayed, planned, status, dropouts=0, zones=("thon-1", "thon-2")):
    start = at(day, 6)
    session = log.start_session(
        trigger="schedule", scheduled=start, started=start, campaign="Tiếp sóng thời sự",
        slot="sáng", zones=zones, playlist=(),
    )  # fmt: skip
    entry = log.start_source(
        session, started=start + timedelta(seconds=2), play_index=1, kind="relay",
        source={"source_kind": "stream", "source_name": VOV, "source_url": "https://x/vov1",
                "source_device": None, "planned_seconds": planned, "by": None},
    )  # fmt: skip
    end = start + timedelta(seconds=planned + 3)
    log.finish(
        entry, status, ended=end, seconds=relayed, dropouts=dropouts,
        dropout_seconds=planned - relayed, played_seconds=planned,
    )  # fmt: skip
    log.finish(session, status, ended=end, seconds=planned + 3)


def live(log, day, seconds, by):
    start = at(day, 14)
    session = log.start_session(
        trigger="manual", scheduled=None, started=start, campaign=None, slot="phát trực tiếp",
        zones=("thon-1",), playlist=(), by=by,
    )  # fmt: skip
    entry = log.start_source(
        session, started=start + timedelta(seconds=2), play_index=1, kind="live",
        source={"source_kind": "live", "source_name": None, "source_url": None,
                "source_device": "default", "planned_seconds": 1800.0, "by": by},
    )  # fmt: skip
    end = start + timedelta(seconds=seconds + 3)
    log.finish(entry, "completed", ended=end, seconds=seconds, dropouts=0, dropout_seconds=0.0)
    log.finish(session, "completed", ended=end, seconds=seconds + 3)


def clips(log, day, clip, times=1):
    start = at(day, 17)
    session = log.start_session(
        trigger="schedule", scheduled=start, started=start, campaign="Thông báo xã",
        slot="chiều", zones=("thon-1",), playlist=(clip.id,),
    )  # fmt: skip
    for index in range(times):
        entry = log.start_clip(session, started=start, clip=clip, play_index=index + 1)
        log.finish(entry, "completed", ended=start, seconds=clip.duration)
    log.finish(session, "completed", ended=start, seconds=clip.duration * times)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    log = PlayLog(tmp_path_factory.mktemp("log"), HCM)
    relay(log, 2, relayed=1800.0, planned=1800.0, status="completed")
    relay(log, 3, relayed=1700.0, planned=1800.0, status="completed", dropouts=1)
    relay(log, 4, relayed=600.0, planned=1800.0, status="failed", dropouts=2)
    live(log, 5, 95.0, "Chủ tịch UBND xã")
    clips(log, 6, TTS_CLIP, times=2)
    clips(log, 7, RECORDED)
    rows = log.entries()
    log.close()
    commune = {"name": "Xã Ea Tu", "province": "Tỉnh Đắk Lắk", "station": ""}
    return build_report(rows, month=MONTH, tz=HCM, commune=commune)


def test_relays_and_live_sessions_are_forms_of_their_own(report):
    relays, microphone = report.by_form
    assert (relays["form"], relays["source"], relays["plays"]) == ("relay", VOV, 2)
    assert relays["seconds"] == 3500.0 and relays["incomplete"] == 1
    assert relays["seconds_incomplete"] == 600.0 and relays["dropouts"] == 3
    assert (relays["days"], relays["zones"]) == (2, ["thon-1", "thon-2"])
    assert (microphone["form"], microphone["plays"], microphone["seconds"]) == ("live", 1, 95.0)
    totals = report.totals
    assert (totals["relay_completed"], totals["relay_minutes"]) == (2, 58.3)
    assert (totals["live_completed"], totals["live_minutes"]) == (1, 1.6)
    # Clip lượt stay clip lượt; a relay-only session is not a campaign row of 0 lượt.
    assert (totals["plays_completed"], totals["seconds_on_air"]) == (3, 120.0)
    assert [c["campaign"] for c in report.by_campaign] == ["Thông báo xã"]
    assert totals["sessions_completed"] == 5 and totals["sessions_failed"] == 1
    assert totals["days_with_broadcast"] == 5
    assert [p.status for p in report.problems] == ["failed"]


def test_a_synthesised_clip_counts_like_any_clip_and_is_marked(report):
    marks = {c["clip_id"]: (c["plays"], c["synthesised"]) for c in report.by_clip}
    assert marks == {"cat-nuoc": (2, True), "hop-thon": (1, False)}


def test_every_format_shows_the_forms_and_the_mark(report, tmp_path):
    files = {fmt: service.write_report(report, fmt, tmp_path) for fmt in service.FORMATS}
    document = Document(str(files["docx"][0]))
    main = document.tables[1]
    rows = [[cell.text for cell in row.cells] for row in main.rows]
    assert rows[2][1:3] == [f"Tiếp sóng {VOV}", "2"] and rows[2][4] == "58,3"
    assert rows[3][1:3] == [wording.FORM_LIVE, "1"]
    assert rows[-1][1:3] == ["Tổng cộng", "6"]  # 3 clip lượt, 2 relayed, 1 live
    text = "\n".join(p.text for p in document.paragraphs)
    assert "tiếp sóng 2 lượt (58,3 phút) và phát trực tiếp 1 lượt (1,6 phút)" in text
    clip_table = next(t for t in document.tables if t.rows[0].cells[1].text == "Tên bài")
    assert clip_table.rows[1].cells[1].text == f"Thông báo cắt nước ({wording.SYNTHESISED})"

    sheet = openpyxl.load_workbook(files["xlsx"][0])["Tổng hợp"]
    values = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    start = values.index(["Tiếp sóng và phát trực tiếp"])
    assert values[start + 2][:4] == [f"Tiếp sóng {VOV}", 2, 58.3, 3500]
    assert values[start + 3][:2] == [wording.FORM_LIVE, 1]
    assert ["Số lượt tiếp sóng trọn vẹn", 2, "lượt"] in values
    assert any(wording.SYNTHESISED in row for row in values)

    summary = list(csv.reader(io.StringIO(files["csv"][0].read_bytes().decode("utf-8-sig"))))
    start = summary.index(["Tiếp sóng và phát trực tiếp"])
    assert summary[start + 2][:3] == [f"Tiếp sóng {VOV}", "2", "58.3"]
    entries = list(csv.DictReader(io.StringIO(files["csv"][1].read_bytes().decode("utf-8-sig"))))
    kinds = [row["Loại"] for row in entries]
    assert kinds.count("tiếp sóng") == 3 and kinds.count("phát trực tiếp") == 1
    failed = next(r for r in entries if r["Loại"] == "tiếp sóng" and r["Kết quả"] == "bị lỗi")
    assert "mất sóng 2 lần" in failed["Tên bài"]

    exported = json.loads(files["json"][0].read_text("utf-8"))
    assert exported["totals"]["relay_completed"] == 2
    assert [f["source"] for f in exported["by_form"]] == [VOV, ""]


def test_a_live_session_and_a_manual_clip_play_are_told_apart(tmp_path):
    """Both are started by hand, neither has a campaign: the live microphone is "Phát
    trực tiếp qua micro", a stored clip played by hand is "phát tay", in the entries sheet,
    the campaign rows and the list of sessions that did not broadcast."""
    log = PlayLog(tmp_path / "log", HCM)
    live(log, 5, 95.0, "Chủ tịch UBND xã")
    start = at(6, 9)
    session = log.start_session(
        trigger="manual", scheduled=None, started=start, campaign=None, slot=None,
        zones=("thon-1",), playlist=(RECORDED.id,), by="Văn thư",
    )  # fmt: skip
    entry = log.start_clip(session, started=start, clip=RECORDED, play_index=1)
    log.finish(entry, "completed", ended=start, seconds=RECORDED.duration)
    log.finish(session, "completed", ended=start, seconds=RECORDED.duration)
    start = at(7, 14)
    session = log.start_session(
        trigger="manual", scheduled=None, started=start, campaign=None, slot="phát trực tiếp",
        zones=("thon-1",), playlist=(), by="Chủ tịch UBND xã",
    )  # fmt: skip
    entry = log.start_source(
        session, started=start, play_index=1, kind="live",
        source={"source_kind": "live", "source_name": None, "source_url": None,
                "source_device": "default", "planned_seconds": 1800.0, "by": None},
    )  # fmt: skip
    log.finish(entry, "failed", ended=start, seconds=0.0, dropouts=0, dropout_seconds=0.0)
    log.finish(session, "failed", ended=start, seconds=0.0, error="micro không có tiếng")
    rows = log.entries()
    log.close()
    commune = {"name": "Xã Ea Tu", "province": "Tỉnh Đắk Lắk", "station": ""}
    report = build_report(rows, month=MONTH, tz=HCM, commune=commune)
    [xlsx] = service.write_report(report, "xlsx", tmp_path)
    workbook = openpyxl.load_workbook(xlsx)

    sheet = [list(r) for r in workbook["Nhật ký phát"].iter_rows(values_only=True)]
    header, *entries = sheet
    kind, trigger, campaign = (header.index(h) for h in ("Loại", "Kích hoạt", "Chiến dịch"))
    shown = [(r[kind], r[trigger], r[campaign]) for r in entries]
    live_words = ("phát trực tiếp qua micro", "Phát trực tiếp qua micro")
    assert shown == [
        ("buổi phát", *live_words),
        ("phát trực tiếp", *live_words),
        ("buổi phát", "phát tay", "Phát tay (không theo lịch)"),
        ("bài", "phát tay", "Phát tay (không theo lịch)"),
        ("buổi phát", *live_words),
        ("phát trực tiếp", *live_words),
    ]

    summary = [
        [c for c in r if c is not None] for r in workbook["Tổng hợp"].iter_rows(values_only=True)
    ]
    start = summary.index(["Theo chiến dịch"])
    [manual] = summary[start + 2 : start + 3]
    assert manual[:4] == ["Phát tay (không theo lịch)", wording.FORM_MANUAL, 1, 1]
    assert "trực tiếp" not in wording.FORM_MANUAL
    start = summary.index(["Buổi phát không trọn vẹn (không tính)"])
    assert summary[start + 2][1:2] == ["Phát trực tiếp qua micro"]
