"""``loaxa verify``: the box's log checked against its own chain and the province's heads.

The log is written the way the box writes it (PlayLog); each tampering is what a person
with a text editor or a file manager could do on the SD card. What is checked is what the
technician sees: the exit code and the sentence naming the first break. The JSON report
export carries the month's head, which is what proves it later.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from firmware_host.cli import main
from firmware_host.config import Config
from firmware_host.logbook.chain import chain_path, month_path, verify
from firmware_host.logbook.playlog import PlayLog
from firmware_host.store import write_atomically
from tests.conftest import write_box_config

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
OCTOBER, NOVEMBER = "2026-10", "2026-11"


def broadcast(log: PlayLog, at: datetime, seconds: float = 15.0) -> None:
    session = log.start_session(
        trigger="schedule",
        scheduled=at,
        started=at,
        campaign="Tắt sóng 2G",
        slot=f"{at:%H:%M}",
        zones=["thon-1"],
        playlist=["thong-bao"],
    )
    log.finish(session, "completed", ended=at + timedelta(seconds=seconds), seconds=seconds)


@pytest.fixture
def box(tmp_path: Path) -> Config:
    config = write_box_config(tmp_path / "box")
    log = PlayLog(config.log_dir, HCM)
    for day in (3, 4, 5):
        broadcast(log, datetime(2026, 10, day, 6, 30, tzinfo=HCM))
        broadcast(log, datetime(2026, 11, day, 6, 30, tzinfo=HCM))
    log.close()
    return config


def verify_cli(capsys: pytest.CaptureFixture[str], config: Config, *args: str) -> tuple[int, str]:
    code = main(["--data-dir", str(config.data_dir), "verify", *args])
    out, err = capsys.readouterr()
    return code, out + err


def docs(config: Config, month: str) -> dict[str, dict]:
    return json.loads(month_path(config.log_dir, month).read_text())["_default"]


def rewrite(config: Config, month: str, table: dict[str, dict]) -> None:
    """Write the month file back in the box's own form, as a careful forger would."""
    text = json.dumps({"_default": table}, ensure_ascii=False, separators=(",", ":"))
    write_atomically(month_path(config.log_dir, month), text.encode())


def test_an_intact_log_verifies(box: Config, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = verify_cli(capsys, box)
    assert code == 0 and "✔ Nhật ký toàn vẹn" in out and "số sự kiện: 12" in out
    code, out = verify_cli(capsys, box, "--month", NOVEMBER, "--lang", "en")
    assert code == 0 and "events: 6" in out


def test_one_changed_byte_is_named(box: Config, capsys: pytest.CaptureFixture[str]) -> None:
    path = month_path(box.log_dir, NOVEMBER)
    path.write_bytes(path.read_bytes().replace(b'"seconds":15.0', b'"seconds":45.0', 1))
    code, out = verify_cli(capsys, box)
    assert code == 1
    assert "2026-11, mục 1, trường 'seconds': tệp nhật ký tháng ghi 45.0, chuỗi ghi 15.0" in out


def test_a_deleted_entry_is_named(box: Config, capsys: pytest.CaptureFixture[str]) -> None:
    table = docs(box, NOVEMBER)
    del table["2"]
    rewrite(box, NOVEMBER, table)
    code, out = verify_cli(capsys, box, "--lang", "en")
    assert code == 1 and "2026-11, entry 2: in the chain but not in the month file" in out


def test_a_reordered_entry_is_named(box: Config, capsys: pytest.CaptureFixture[str]) -> None:
    table = docs(box, NOVEMBER)
    rewrite(box, NOVEMBER, {"2": table["2"], "1": table["1"], "3": table["3"]})
    code, out = verify_cli(capsys, box)
    assert code == 1 and "mục 2 đứng ở chỗ của mục 1" in out


def test_a_month_file_swapped_for_an_older_copy_is_named(
    box: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    older = month_path(box.log_dir, NOVEMBER).read_bytes()
    log = PlayLog(box.log_dir, HCM)
    broadcast(log, datetime(2026, 11, 6, 6, 30, tzinfo=HCM))
    log.close()
    month_path(box.log_dir, NOVEMBER).write_bytes(older)
    code, out = verify_cli(capsys, box)
    assert code == 1 and "2026-11, mục 4: có trong chuỗi nhưng không có" in out


def test_both_newest_files_swapped_are_caught_by_the_provinces_head(
    box: Config, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Both files of the newest month replaced together leave no trace on the box itself;
    the head the province acknowledged (the link's cursor) still proves it."""
    saved = tmp_path / "older"
    saved.mkdir()
    for path in (month_path(box.log_dir, NOVEMBER), chain_path(box.log_dir, NOVEMBER)):
        shutil.copy2(path, saved / path.name)
    log = PlayLog(box.log_dir, HCM)
    broadcast(log, datetime(2026, 11, 6, 6, 30, tzinfo=HCM))
    log.close()
    head = verify(box.log_dir).heads[NOVEMBER]
    for path in saved.iterdir():
        shutil.copy2(path, box.log_dir / path.name)
    code, out = verify_cli(capsys, box)
    assert code == 0, "nothing on the box alone can tell"
    cursor = {"v": 1, "months": {NOVEMBER: {**head.as_dict(), "offset": 0}}}
    write_atomically(box.data_dir / "link" / "cursor.json", json.dumps(cursor).encode())
    code, out = verify_cli(capsys, box)
    assert code == 1 and "2026-11: nơi khác (tỉnh hoặc lần xuất trước) đã nhận đến sự kiện 8" in out


def test_the_json_report_carries_the_months_head(
    box: Config, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_dir = tmp_path / "out"
    code = main(
        ["--data-dir", str(box.data_dir), "report", "--month", NOVEMBER, "--format", "json",
         "--out", str(out_dir)]
    )
    capsys.readouterr()
    assert code == 0
    [export] = out_dir.glob("*.json")
    data = json.loads(export.read_text("utf-8"))
    assert data["chain_head"] == verify(box.log_dir).heads[NOVEMBER].as_dict()
    assert data["chain_head"]["seq"] == 6
