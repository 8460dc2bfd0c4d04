"""The province's month table from its store: the boxes' own counting, the merge's writers.

Two communes' boxes write their logs with PlayLog; the province's store receives their
chains as the collector would (``ProvinceStore.ingest`` of the batches a link sends),
one of them only in part. The table must give, for the complete box, exactly what
``loaxa report merge`` gives from that box's own USB export, and mark the other.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from firmware_host.config import load_config
from firmware_host.link import wire
from firmware_host.link.bulletins import BoxIdentity
from firmware_host.link.province.store import ProvinceStore
from firmware_host.link.province.table import province_report
from firmware_host.logbook.chain import Head, chain_path
from firmware_host.logbook.playlog import PlayLog
from firmware_host.report import service

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
MONTH = "2026-10"
AFTER = datetime(2026, 11, 2, 8, 0, tzinfo=HCM)
CONFIG = """\
[commune]
name = "{name}"
province = "Tỉnh Thử"
"""


def make_box(root: Path, name: str, days: int) -> tuple[Path, list[dict]]:
    root.mkdir(parents=True)
    (root / "loaxa.toml").write_text(CONFIG.format(name=name), "utf-8")
    log = PlayLog(root / "log", HCM)
    for day in range(1, days + 1):
        at = datetime(2026, 10, day, 6, 30, tzinfo=HCM)
        session = log.start_session(
            trigger="schedule", scheduled=at, started=at, campaign="2G", slot="sáng",
            zones=["thon-1"], playlist=["tb"],
        )
        clip = log.add(MONTH, {"kind": "clip", "session_id": None, "status": "started",
                               "scheduled": at.isoformat(), "campaign": "2G", "clip_id": "tb",
                               "zones": ["thon-1"], "seconds": 0.0})
        status = "missed" if day == 2 else "completed"
        log.update(clip, status=status, seconds=0.0 if status == "missed" else 60.0)
        log.update(session, status=status, seconds=0.0 if status == "missed" else 62.0)
    log.close()
    events = [json.loads(x) for x in chain_path(root / "log", MONTH).read_text().splitlines()]
    return root, events


def deliver(store: ProvinceStore, box: BoxIdentity, events: list[dict], name: str,
            head: dict, month: str = MONTH) -> None:
    for start in range(0, len(events), 7):
        batch = wire.Batch(month, events[start : start + 7], head)
        ack = store.ingest(box, batch, AFTER)
        assert "refused" not in ack, ack
    store.record_status(
        box,
        {"v": 1, "at": AFTER.isoformat(), "online": True,
         "commune": {"name": name, "province": "Tỉnh Thử", "station": ""}},
        AFTER,
    )


def test_the_province_table_counts_as_the_box_does_and_marks_an_incomplete_commune(
    tmp_path: Path,
) -> None:
    a_root, a_events = make_box(tmp_path / "a", "Xã Ea Tu", 5)
    _b_root, b_events = make_box(tmp_path / "b", "Xã Hòa Phú", 4)
    store = ProvinceStore(tmp_path / "province", HCM)
    a, b = BoxIdentity("66101", "tram-1"), BoxIdentity("66102", "tram-1")
    a_head = Head(MONTH, len(a_events), a_events[-1]["hash"]).as_dict()
    b_head = Head(MONTH, len(b_events), b_events[-1]["hash"]).as_dict()
    deliver(store, a, a_events, "Xã Ea Tu", a_head)
    deliver(store, b, b_events[:10], "Xã Hòa Phú", b_head)  # six events still on the box
    store.flush()

    merged = province_report(store, MONTH, tz=HCM, recipient="Sở VHTTDL", now=AFTER)
    assert merged.level == "province"
    assert [r.name for r in merged.rows] == ["Xã Ea Tu", "Xã Hòa Phú"]
    ea_tu, hoa_phu = merged.rows
    assert hoa_phu.station == "tram-1 (*)" and ea_tu.station == "tram-1"
    [notice] = merged.warnings
    assert notice.key == "province.incomplete" and "(số sự kiện: 6)" in str(notice)

    # the complete box: the same figures as a merge of the box's own USB export
    own = service.month_report(load_config(a_root), MONTH, now=AFTER)
    exported = service.write_report(own, "json", tmp_path / "usb")
    from_usb = service.merge_reports(exported, now=AFTER).rows[0]
    for name in ("sessions_completed", "plays_completed", "seconds_on_air", "sessions_missed",
                 "days_with_broadcast"):
        assert getattr(ea_tu, name) == getattr(from_usb, name), name
    assert (ea_tu.sessions_completed, ea_tu.sessions_missed) == (4, 1)

    # written by the merge's writers: the note is under the province's table
    [xlsx] = service.write_merged(merged, "xlsx", tmp_path / "out")
    sheet = load_workbook(xlsx).worksheets[0]
    texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(t.startswith("Lưu ý: Xã Hòa Phú, trạm tram-1 (66102/tram-1) (*)") for t in texts)

    # the rest arrives: nothing is marked any more
    deliver(store, b, b_events[10:], "Xã Hòa Phú", b_head)
    merged = province_report(store, MONTH, tz=HCM, recipient="Sở VHTTDL",
                             now=AFTER + timedelta(hours=1))
    assert merged.warnings == [] and merged.rows[1].station == "tram-1"


def test_the_province_table_keeps_relays_live_sessions_tiers_and_languages(
    tmp_path: Path,
) -> None:
    """How, how many times, through what: a box's relayed programmes (by source), live
    microphone sessions, tiers and languages reach the province's table as the box's
    own report counts them, and its XLSX shows them."""
    from tests.report.test_merge import STATIONS, VOV1

    month = "2024-09"
    root = tmp_path / "box"
    root.mkdir()
    (root / "loaxa.toml").write_text(CONFIG.format(name="Xã Hòa Phú"), "utf-8")
    log = PlayLog(root / "log", HCM)
    STATIONS["hoa-xuan"][2](log)  # a relay, a failed relay, a live session, TTS, an emergency
    log.close()
    events = [json.loads(x) for x in chain_path(root / "log", month).read_text().splitlines()]
    store = ProvinceStore(tmp_path / "province", HCM)
    head = Head(month, len(events), events[-1]["hash"]).as_dict()
    deliver(store, BoxIdentity("66101", "tram-1"), events, "Xã Hòa Phú", head, month)
    store.flush()

    merged = province_report(store, month, tz=HCM, recipient="Sở VHTTDL", now=AFTER)
    own = service.month_report(load_config(root), month, now=AFTER)
    [row] = merged.rows
    names = {
        "by_tier": ("tier", "sessions", "plays", "seconds"),
        "by_language": ("language", "plays", "seconds"),
        "by_form": ("form", "source", "plays", "seconds", "incomplete", "dropouts"),
    }
    for key, fields in names.items():
        expected = [tuple(x[n] for n in fields) for x in getattr(own, key)]
        assert [tuple(x[n] for n in fields) for x in getattr(row, key)] == expected, key
        assert [tuple(x[n] for n in fields) for x in getattr(merged, key)] == expected, key
    assert [(x["form"], x["plays"]) for x in merged.by_form] == [("relay", 1), ("live", 1)]
    assert merged.by_tier[0] == {"tier": "khan-cap", "sessions": 1, "plays": 1, "seconds": 70.0}

    [xlsx] = service.write_merged(merged, "xlsx", tmp_path / "out")
    cells = [list(r) for r in load_workbook(xlsx).worksheets[0].iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(cells) if r[0] == "Tiếp sóng và phát trực tiếp")
    header = cells[start + 1]
    totals = [r for r in cells[start + 2 :] if r[1] == "Tổng cộng" and r[3]]
    plays = header.index("Số lượt")
    assert [(r[3], r[plays]) for r in totals][:2] == [
        (f"Tiếp sóng {VOV1}", 1),
        ("Phát trực tiếp qua micro trên hệ thống loa", 1),
    ]


def test_keys_are_made_once_and_the_report_command_writes_the_table(
    tmp_path: Path, capsys
) -> None:
    import os
    import stat

    from firmware_host.cli import main
    from firmware_host.link.bulletins import public_key_from_text

    home = tmp_path / "province-machine"
    home.mkdir()
    (home / "loaxa.toml").write_text(
        '[commune]\nname = "Sở VHTTDL"\nprovince = "Tỉnh Thử"\n\n[province]\n'
        'private_key_file = "secret/province-key"\n',
        "utf-8",
    )
    assert main(["--data-dir", str(home), "province", "keys"]) == 0
    made = capsys.readouterr()
    public = made.out.strip()
    public_key_from_text(public)  # what a box's loaxa.toml takes
    key = home / "secret" / "province-key"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600 and public not in key.read_text()
    assert "không chép đi đâu" in made.err
    before = key.read_bytes()
    assert main(["--data-dir", str(home), "province", "keys"]) == 1  # never overwritten
    assert "không ghi đè" in capsys.readouterr().err and key.read_bytes() == before
    assert main(["--data-dir", str(home), "province", "keys", "--show"]) == 0
    assert capsys.readouterr().out.strip() == public

    _root, events = make_box(tmp_path / "a", "Xã Ea Tu", 3)
    store = ProvinceStore(home / "province", HCM)
    deliver(store, BoxIdentity("66101", "tram-1"), events, "Xã Ea Tu",
            Head(MONTH, len(events), events[-1]["hash"]).as_dict())
    store.flush()
    out = tmp_path / "report"
    code = main(["--data-dir", str(home), "province", "report", "--month", MONTH,
                 "--format", "xlsx,csv", "--out", str(out)])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    # one commune has reported: the merge makes that commune's table, as `report merge`
    assert sorted(p.name for p in out.iterdir()) == [
        "Báo cáo tổng hợp tuyên truyền tháng 2026-10 - Xã Ea Tu - phân loại.csv",
        "Báo cáo tổng hợp tuyên truyền tháng 2026-10 - Xã Ea Tu.csv",
        "Báo cáo tổng hợp tuyên truyền tháng 2026-10 - Xã Ea Tu.xlsx",
    ]
    assert "(*)" not in printed.err  # heard from after the month ended, everything held
