"""The month report counts lượt per language and per tier (issue 12).

The month is made the way the box makes it: a campaign file with a daily language
rotation goes through the real checker and planner, each planned session is written
to the real PlayLog clip by clip as the broadcaster writes it, and the report is
built from that log and written as JSON, XLSX, CSV and DOCX, opened again to read the
figures a clerk would read.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from firmware_host.logbook.playlog import PlayLog
from firmware_host.report import service
from firmware_host.report.counts import build_report
from firmware_host.schedules import check_schedules
from firmware_host.schedules.plan import plan_sessions

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
MONTH = "2024-09"
CLIPS = {
    clip.id: clip
    for clip in (
        SimpleNamespace(
            id="tiem-chung", title="Tiêm chủng", language="vi", duration=60.0, source="file"
        ),
        SimpleNamespace(
            id="tiem-chung-ede", title="Tiêm chủng", language="ede", duration=70.0, source="file"
        ),
        SimpleNamespace(
            id="tiem-chung-jra", title="Tiêm chủng", language="jra", duration=65.0, source="file"
        ),
    )
}
for _clip in CLIPS.values():
    _clip.sha256 = _clip.id * 2
FAMILY = {clip.language: clip.id for clip in CLIPS.values()}
VERSIONS = {clip_id: FAMILY for clip_id in CLIPS} | {"Tiêm chủng": FAMILY}

CAMPAIGN = """\
[campaign]
name = "Tiêm chủng mở rộng"
start = 2024-09-02
end = 2024-09-08

[[slot]]
name = "sáng"
time = "06:30"
days = "hằng ngày"
playlist = ["Tiêm chủng"]
languages = ["vi", "ede", "jra"]
language_rotation = "daily"
repeat = 2
zones = ["thon-1"]
"""


def write_month(log: PlayLog, folder: Path) -> None:
    path = folder / "tiem-chung.toml"
    path.write_text(CAMPAIGN, "utf-8")
    refs = {clip_id: clip.duration for clip_id, clip in CLIPS.items()}
    schedules, problems = check_schedules(
        [path],
        zones=("thon-1",),
        clip_refs=refs | {"Tiêm chủng": 60.0},
        warmup=2.0,
        tail=0.5,
        tz=HCM,
        versions=VERSIONS,
    )
    assert problems == []
    sessions = plan_sessions(
        schedules,
        date(2024, 9, 1),
        date(2024, 9, 30),
        tz=HCM,
        clip_refs=refs,
        warmup=2.0,
        tail=0.5,
        versions=VERSIONS,
    )
    for planned in sessions:  # as the broadcaster logs a session: the session, then each clip
        started = planned.at + timedelta(seconds=1)
        ref = log.start_session(
            trigger="schedule",
            scheduled=planned.at,
            started=started,
            campaign=planned.campaign,
            slot=planned.slot,
            zones=planned.zones,
            playlist=planned.playlist,
            plan_key=planned.key,
        )
        moment = started + timedelta(seconds=2)
        for index in range(planned.repeat):
            for position, clip_id in enumerate(planned.playlist, start=1):
                clip = CLIPS[clip_id]
                entry = log.start_clip(
                    ref,
                    started=moment,
                    clip=clip,
                    play_index=index * len(planned.playlist) + position,
                )
                moment += timedelta(seconds=clip.duration)
                log.finish(entry, "completed", ended=moment, seconds=clip.duration)
        log.finish(ref, "completed", ended=moment, seconds=(moment - started).total_seconds())


@pytest.fixture
def report(tmp_path: Path):
    log = PlayLog(tmp_path / "log", HCM)
    write_month(log, tmp_path)
    rows = log.entries([MONTH])
    log.close()
    return build_report(
        rows,
        month=MONTH,
        tz=HCM,
        commune={"name": "Xã Ea Tu", "province": "Tỉnh Đắk Lắk", "station": ""},
        now=datetime(2024, 10, 1, 8, 0, tzinfo=HCM),
    )


# 7 days from Monday 2/9, rotating vi, ede, jra from the start: vi on 2, 5, 8; ede on 3, 6;
# jra on 4, 7; two lượt a session.
EXPECTED = [
    {"language": "vi", "plays": 6, "seconds": 360.0, "clips": 1},
    {"language": "ede", "plays": 4, "seconds": 280.0, "clips": 1},
    {"language": "jra", "plays": 4, "seconds": 260.0, "clips": 1},
]


def test_rotation_counts_per_language_in_the_json(report, tmp_path: Path) -> None:
    (path,) = service.write_report(report, "json", tmp_path / "out")
    document = json.loads(path.read_text("utf-8"))
    assert document["by_language"] == EXPECTED
    assert document["totals"]["plays_completed"] == 14
    # every lượt is in exactly one language
    assert sum(row["plays"] for row in document["by_language"]) == 14
    assert any("theo tiếng" in line for line in document["counting_rule"])


def test_rotation_counts_per_language_in_the_xlsx(report, tmp_path: Path) -> None:
    import openpyxl

    (path,) = service.write_report(report, "xlsx", tmp_path / "out")
    summary = openpyxl.load_workbook(path)["Tổng hợp"]
    rows = [list(r) for r in summary.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r[0] == "Theo tiếng")
    assert rows[start + 1][:5] == [
        "Tiếng",
        "Số lượt",
        "Số bài",
        "Thời lượng (phút)",
        "Thời lượng (giây)",
    ]
    assert [r[:5] for r in rows[start + 2 : start + 5]] == [
        ["Tiếng Việt", 6, 1, 6, 360],
        ["Tiếng Ê Đê", 4, 1, 4.7, 280],
        ["Tiếng Gia Rai", 4, 1, 4.3, 260],
    ]
    assert rows[start + 5][0] is None
    assert isinstance(rows[start + 2][1], int)


def test_per_language_and_tier_tables_in_the_csv_and_docx(report, tmp_path: Path) -> None:
    import docx

    summary, _entries = service.write_report(report, "csv", tmp_path / "out")
    rows = list(csv.reader(io.StringIO(summary.read_bytes().decode("utf-8-sig"), newline="")))
    start = rows.index(["Theo tiếng"])
    assert [(r[0], r[1]) for r in rows[start + 2 : start + 5]] == [
        ("Tiếng Việt", "6"),
        ("Tiếng Ê Đê", "4"),
        ("Tiếng Gia Rai", "4"),
    ]
    start = rows.index(["Theo mức độ"])
    assert [(r[0], r[1], r[2]) for r in rows[start + 2 : start + 5]] == [
        ("Khẩn cấp", "0", "0"),
        ("Ưu tiên", "0", "0"),
        ("Thông thường", "7", "14"),
    ]
    (path,) = service.write_report(report, "docx", tmp_path / "out")
    tables = docx.Document(str(path)).tables
    languages = next(t for t in tables if t.rows[0].cells[1].text == "Tiếng")
    assert [(r.cells[1].text, r.cells[2].text) for r in languages.rows[1:]] == [
        ("Tiếng Việt", "6"),
        ("Tiếng Ê Đê", "4"),
        ("Tiếng Gia Rai", "4"),
    ]
    tiers = next(t for t in tables if t.rows[0].cells[1].text == "Mức độ")
    assert [r.cells[1].text for r in tiers.rows[1:]] == ["Khẩn cấp", "Ưu tiên", "Thông thường"]


def test_sessions_and_plays_count_by_the_tier_their_log_entries_carry() -> None:
    """Rows as ``loaxa log --json`` prints them once sessions carry their tier; rows
    written before tiers existed are normal."""

    def row(kind: str, session: str, tier: str | None, status: str = "completed", **extra):
        base = {
            "kind": kind,
            "session_id": session,
            "status": status,
            "scheduled": "2024-09-05T06:30:00+07:00",
            "started": "2024-09-05T06:30:01+07:00",
            "campaign": "Bão số 3",
            "zones": ["thon-1"],
            **extra,
        }
        return base if tier is None else {**base, "tier": tier}

    clip = {"clip_id": "bao", "clip_language": "vi", "seconds": 30.0}
    rows = [
        row("session", "a", "khan-cap"),
        row("clip", "a", "khan-cap", **clip),
        row("clip", "a", "khan-cap", **clip),
        row("session", "b", "uu-tien"),
        row("clip", "b", "uu-tien", **clip),
        row("session", "c", None),  # an old entry
        row("clip", "c", None, **clip),
        row("session", "d", "thuong", status="failed"),
        row("clip", "d", "thuong", status="failed", **clip),
    ]
    report = build_report(rows, month=MONTH, tz=HCM, commune={})
    assert report.by_tier == [
        {"tier": "khan-cap", "sessions": 1, "plays": 2, "seconds": 60.0},
        {"tier": "uu-tien", "sessions": 1, "plays": 1, "seconds": 30.0},
        {"tier": "thuong", "sessions": 1, "plays": 1, "seconds": 30.0},
    ]
