"""The playback log on disk: atomic writes, month files in the box's zone, recovery."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from firmware_host.logbook.playlog import PlayLog
from firmware_host.store import (
    AtomicJSONStorage,
    open_db,
    remove_stale_temporaries,
    write_atomically,
)

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
CLIP = SimpleNamespace(
    id="thong-bao", title="Thông báo", sha256="ab" * 32, language="vi", duration=12.5, source="file"
)


def test_a_failed_write_leaves_the_previous_file_whole(tmp_path, monkeypatch):
    db = open_db(tmp_path / "log.json")
    db.insert({"n": 1})

    def power_cut(*_args):
        raise OSError("power cut before rename")

    monkeypatch.setattr(os, "replace", power_cut)
    with pytest.raises(OSError):
        db.insert({"n": 2})
    monkeypatch.undo()
    assert json.loads((tmp_path / "log.json").read_text())["_default"] == {"1": {"n": 1}}
    assert not list(tmp_path.glob(".*.tmp")), "the temp file is cleaned up"


def test_the_data_is_on_disk_before_the_rename_and_the_rename_after_it(tmp_path, monkeypatch):
    """fsync(temp file, holding all the data) → replace(temp, file) → fsync(folder).

    Without the first fsync a power cut can leave the *new name* on an empty or partial
    file; without the last, the rename itself may be lost. Neither shows in a test that
    only reads the file back, so the calls are recorded as they happen.
    """
    import stat

    calls: list[tuple] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        info = os.fstat(fd)
        target = os.readlink(f"/proc/self/fd/{fd}")
        if stat.S_ISDIR(info.st_mode):
            calls.append(("fsync folder", target))
        else:
            calls.append(("fsync file", target, info.st_size))
        real_fsync(fd)

    def replace(source, destination) -> None:
        calls.append(("replace", str(source), str(destination)))
        real_replace(source, destination)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    target = tmp_path / "log" / "2026-11.json"
    write_atomically(target, b'{"_default": {}}')
    monkeypatch.undo()

    assert [call[0] for call in calls] == ["fsync file", "replace", "fsync folder"], calls
    _, synced, size = calls[0]
    assert Path(synced).parent == target.parent and synced != str(target)
    assert size == len(b'{"_default": {}}'), "all the data was written before the fsync"
    assert calls[1] == ("replace", synced, str(target))
    assert calls[2] == ("fsync folder", str(target.parent))
    assert target.read_bytes() == b'{"_default": {}}'


def test_stale_temporaries_from_a_cut_are_removed(tmp_path):
    (tmp_path / ".2026-11.json.abc.tmp").write_text('{"_default": {"1": {"n"')
    (tmp_path / "2026-11.json").write_text('{"_default": {}}')
    assert [p.name for p in remove_stale_temporaries(tmp_path)] == [".2026-11.json.abc.tmp"]
    assert AtomicJSONStorage(tmp_path / "2026-11.json").read() == {"_default": {}}


def test_entries_are_filed_by_the_month_of_the_box_zone_not_utc(tmp_path):
    log = PlayLog(tmp_path, HCM)
    # 23:59 on 30/11 in Vietnam is 16:59 UTC; 00:00:05 on 01/12 is still 30/11 in UTC.
    late_evening = datetime(2026, 11, 30, 23, 59, tzinfo=HCM)
    after_midnight = datetime(2026, 12, 1, 0, 0, 5, tzinfo=HCM)
    for at in (late_evening, after_midnight):
        log.start_session(
            trigger="schedule",
            scheduled=at,
            started=at,
            campaign="2G",
            slot="tối",
            zones=["thon-1"],
            playlist=["thong-bao"],
        )
    assert log.months() == ["2026-11", "2026-12"]
    assert [r["scheduled"] for r in log.entries(["2026-12"])] == ["2026-12-01T00:00:05.000+07:00"]


def test_clips_of_a_session_stay_in_its_month_across_midnight(tmp_path):
    log = PlayLog(tmp_path, HCM)
    scheduled = datetime(2026, 11, 30, 23, 59, 50, tzinfo=HCM)
    session = log.start_session(
        trigger="schedule",
        scheduled=scheduled,
        started=scheduled,
        campaign="2G",
        slot="tối",
        zones=["thon-1"],
        playlist=["thong-bao"],
    )
    clip = log.start_clip(
        session, started=datetime(2026, 12, 1, 0, 0, 2, tzinfo=HCM), clip=CLIP, play_index=1
    )
    assert clip.month == "2026-11"
    assert log.months() == ["2026-11"]


def test_started_entries_become_interrupted_at_start_up(tmp_path):
    log = PlayLog(tmp_path, HCM)
    now = datetime(2026, 11, 23, 6, 30, tzinfo=HCM)
    done = log.start_session(
        trigger="manual",
        scheduled=None,
        started=now,
        campaign=None,
        slot=None,
        zones=["thon-1"],
        playlist=["thong-bao"],
    )
    log.finish(done, "completed", ended=now, seconds=14.0)
    cut = log.start_session(
        trigger="schedule",
        scheduled=now,
        started=now,
        campaign="2G",
        slot="sáng",
        zones=["thon-1"],
        playlist=["thong-bao"],
    )
    log.start_clip(cut, started=now, clip=CLIP, play_index=1)
    log.close()

    reopened = PlayLog(tmp_path, HCM)
    assert reopened.recover_interrupted(now=now, reason="mất điện") == 2
    statuses = [(r["kind"], r["status"], r["error"]) for r in reopened.entries()]
    assert statuses == [
        ("session", "completed", None),
        ("session", "interrupted", "mất điện"),
        ("clip", "interrupted", "mất điện"),
    ]
    assert reopened.recover_interrupted(now=now, reason="x") == 0


@pytest.mark.parametrize("note", ["kept", "torn", "none"])
def test_an_interrupted_clip_gets_the_seconds_of_the_progress_note(tmp_path, note):
    log = PlayLog(tmp_path, HCM)
    began = datetime(2026, 11, 23, 6, 30, tzinfo=HCM)
    first = log.start_session(
        trigger="schedule",
        scheduled=began,
        started=began,
        campaign="2G",
        slot="sáng",
        zones=["thon-1"],
        playlist=["thong-bao"],
    )
    earlier = log.start_clip(first, started=began, clip=CLIP, play_index=1)
    log.finish(earlier, "completed", ended=began, seconds=12.5)
    clip = log.start_clip(first, started=began, clip=CLIP, play_index=2)
    log.note_progress(first, earlier, seconds=12.0, at=began)  # an older note, replaced
    log.note_progress(first, clip, seconds=7.25, at=began.replace(second=20))
    if note == "torn":  # a power cut before the kernel wrote the page back
        (tmp_path / "on-air.json").write_bytes(b"\0" * 40)
    elif note == "none":
        (tmp_path / "on-air.json").unlink()
    log.close()

    reopened = PlayLog(tmp_path, HCM)
    assert reopened.recover_interrupted(now=began, reason="mất điện") == 2
    rows = {(r["kind"], r.get("play_index")): r for r in reopened.entries()}
    session, cut = rows[("session", None)], rows[("clip", 2)]
    assert rows[("clip", 1)]["seconds"] == 12.5 and "seconds_estimated" not in rows[("clip", 1)]
    if note == "kept":
        assert (cut["seconds"], cut["seconds_estimated"]) == (7.25, True)
        assert (session["seconds"], session["seconds_estimated"]) == (20.0, True)
    else:
        assert (cut["seconds"], session["seconds"]) == (0.0, 0.0)
        assert "seconds_estimated" not in cut and "seconds_estimated" not in session
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_clip_entry_reads_on_its_own(tmp_path):
    log = PlayLog(tmp_path, HCM)
    now = datetime(2026, 11, 23, 6, 30, tzinfo=HCM)
    session = log.start_session(
        trigger="schedule",
        scheduled=now,
        started=now,
        campaign="Tắt sóng 2G",
        slot="sáng",
        zones=["thon-1"],
        playlist=["thong-bao"],
        plan_key="a.toml#sáng@x",
    )
    ref = log.start_clip(session, started=now, clip=CLIP, play_index=1)
    log.finish(ref, "completed", ended=now, seconds=12.5)
    row = log.entries()[1]
    assert row["campaign"] == "Tắt sóng 2G" and row["slot"] == "sáng"
    assert row["clip_sha256"] == CLIP.sha256 and row["clip_language"] == "vi"
    assert row["scheduled"] == "2026-11-23T06:30:00.000+07:00"
    assert log.plan_keys(["2026-11"]) == {"a.toml#sáng@x"}
    with pytest.raises(ValueError):
        log.finish(ref, "started", ended=now, seconds=0)


def test_a_failed_write_does_not_leave_the_unsaved_entry_in_memory(tmp_path, monkeypatch):
    db = open_db(tmp_path / "log.json")
    db.insert({"n": 1})

    def disk_full(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(OSError):
        db.insert({"n": 2})
    monkeypatch.undo()
    assert [doc["n"] for doc in db.all()] == [1], "the unsaved entry must not be served"
    db.insert({"n": 3})
    on_disk = json.loads((tmp_path / "log.json").read_text())["_default"]
    assert sorted(doc["n"] for doc in on_disk.values()) == [1, 3]


def test_another_writer_is_seen(tmp_path):
    ours, theirs = open_db(tmp_path / "log.json"), open_db(tmp_path / "log.json")
    ours.insert({"n": 1})
    assert len(ours.all()) == 1
    theirs.insert({"n": 2})  # e.g. loaxa play while we hold the file open
    assert sorted(doc["n"] for doc in ours.all()) == [1, 2]
