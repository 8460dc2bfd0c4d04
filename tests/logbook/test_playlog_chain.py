"""The playback log writes its own proof: every change through PlayLog is a chain event first.

What a person checks is ``loaxa verify`` (here: ``chain.verify``) on the folder the box
wrote, and the chain file beside each month file; the power-cut cases edit the files the
way a cut leaves them.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from firmware_host import store
from firmware_host.logbook.chain import ChainWriter, chain_path, month_path, replay, verify
from firmware_host.logbook.playlog import PlayLog

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
CLIP = SimpleNamespace(
    id="thong-bao", title="Thông báo", sha256="ab" * 32, language="vi", duration=12.5, source="file"
)
NOW = datetime(2026, 11, 23, 6, 30, tzinfo=HCM)


def events(log_dir: Path, month: str = "2026-11") -> list[dict]:
    return [json.loads(line) for line in chain_path(log_dir, month).read_text().splitlines()]


def month_docs(log_dir: Path, month: str = "2026-11") -> dict[int, dict]:
    table = json.loads(month_path(log_dir, month).read_text())["_default"]
    return {int(key): doc for key, doc in table.items()}


def broadcast(log: PlayLog, at: datetime = NOW, status: str = "completed"):
    session = log.start_session(
        trigger="schedule",
        scheduled=at,
        started=at,
        campaign="Tắt sóng 2G",
        slot="sáng",
        zones=["thon-1"],
        playlist=["thong-bao"],
        plan_key=f"a.toml#sáng@{at.isoformat()}",
    )
    clip = log.start_clip(session, started=at, clip=CLIP, play_index=1)
    if status != "started":
        log.finish(clip, status, ended=at, seconds=12.5)
        log.finish(session, status, ended=at, seconds=15.0)
    return session, clip


def test_every_write_is_a_chain_event_and_the_replay_is_the_month_file(tmp_path: Path) -> None:
    log = PlayLog(tmp_path, HCM)
    session, clip = broadcast(log)
    log.record_event("clock_jump", at=NOW, seconds=3.0, note="nhảy giờ")
    log.close()

    chain = events(tmp_path)
    assert [(e["op"], e["entry"]) for e in chain] == [
        ("add", session.doc_id),
        ("add", clip.doc_id),
        ("update", clip.doc_id),
        ("update", session.doc_id),
        ("add", 3),
    ]
    assert chain[2]["fields"] == {
        "status": "completed",
        "ended": NOW.isoformat(timespec="milliseconds"),
        "seconds": 12.5,
        "error": None,
    }
    assert replay(chain) == month_docs(tmp_path)
    verdict = verify(tmp_path)
    assert verdict.status == "ok", verdict.message()
    assert verdict.heads["2026-11"].seq == 5


def test_a_missed_slot_and_a_power_cut_recovery_are_proven_too(tmp_path: Path) -> None:
    log = PlayLog(tmp_path, HCM)
    log.record_missed(
        scheduled=NOW,
        campaign="2G",
        slot="trưa",
        zones=["thon-1"],
        playlist=["thong-bao"],
        plan_key="a.toml#trưa@x",
        reason="hộp tắt",
        now=NOW,
    )
    broadcast(log, status="started")  # the power goes off while it plays
    log.close()

    reopened = PlayLog(tmp_path, HCM)
    reopened.prepare(now=NOW)
    assert reopened.recover_interrupted(now=NOW, reason="mất điện") == 2
    reopened.close()
    chain = events(tmp_path)
    # one event per document the recovery changed
    assert [(e["op"], e["fields"].get("status")) for e in chain[-2:]] == [
        ("update", "interrupted"),
        ("update", "interrupted"),
    ]
    assert verify(tmp_path).status == "ok"


def test_start_up_cuts_a_torn_line_and_writes_a_pending_event(tmp_path: Path) -> None:
    log = PlayLog(tmp_path, HCM)
    _session, clip = broadcast(log, status="started")
    log.close()
    before = month_docs(tmp_path)
    # a cut between the two writes of the next change: the chain has it, the month not
    ChainWriter(tmp_path).append("2026-11", "update", clip.doc_id, {"status": "failed"}, NOW)
    assert month_docs(tmp_path) == before
    with chain_path(tmp_path, "2026-11").open("ab") as chain:  # and a torn append after it
        chain.write(b'{"at":"2026-11-23T06:31')

    reopened = PlayLog(tmp_path, HCM)
    notes = reopened.prepare(now=NOW)
    assert any("mục 2" in note or "entry 2" in note for note in notes), notes
    assert any("byte" in note for note in notes), notes
    assert month_docs(tmp_path)[clip.doc_id]["status"] == "failed"
    assert verify(tmp_path).status == "ok"
    reopened.close()


def test_the_first_start_with_the_chain_adopts_the_month_files(tmp_path: Path) -> None:
    for month, doc in (("2026-10", {"kind": "event", "n": 1}), ("2026-11", {"kind": "event"})):
        store.write_atomically(
            month_path(tmp_path, month),
            json.dumps({"_default": {"1": doc}}, separators=(",", ":")).encode(),
        )
    log = PlayLog(tmp_path, HCM)
    notes = log.prepare(now=NOW)
    assert len(notes) == 2 and all("2026-1" in note for note in notes)
    broadcast(log)
    log.close()
    verdict = verify(tmp_path)
    assert verdict.status == "ok", verdict.message()
    assert [e["op"] for e in events(tmp_path)][:1] == ["add"]
    assert sorted(month_docs(tmp_path)) == [1, 2, 3]


def test_a_month_file_without_its_chain_is_never_adopted_later(tmp_path: Path) -> None:
    log = PlayLog(tmp_path, HCM)
    broadcast(log, at=datetime(2026, 10, 5, 6, 30, tzinfo=HCM))
    broadcast(log)
    log.close()
    chain_path(tmp_path, "2026-11").unlink()  # someone deletes the newest chain
    reopened = PlayLog(tmp_path, HCM)
    assert reopened.prepare(now=NOW) == []
    reopened.close()
    assert not chain_path(tmp_path, "2026-11").exists()
    verdict = verify(tmp_path)
    assert verdict.status == "broken" and verdict.problem.key == "chain.missing"


def test_a_month_write_that_failed_after_its_event_is_written_before_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = PlayLog(tmp_path, HCM)
    session, clip = broadcast(log, status="started")
    real_replace = os.replace

    def card_full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", card_full)
    with pytest.raises(OSError):
        log.finish(clip, "completed", ended=NOW, seconds=12.5)
    monkeypatch.setattr(os, "replace", real_replace)
    log.finish(session, "completed", ended=NOW, seconds=15.0)
    log.close()
    docs = month_docs(tmp_path)
    assert docs[clip.doc_id]["status"] == "completed", "the chain's change reached the month"
    assert verify(tmp_path).status == "ok", verify(tmp_path).message()


WRITER = """
import sys
from datetime import datetime
from zoneinfo import ZoneInfo
from firmware_host.logbook.playlog import PlayLog
tz = ZoneInfo("Asia/Ho_Chi_Minh")
log = PlayLog(sys.argv[1], tz)
for n in range(40):
    ref = log.record_event(sys.argv[2], at=datetime(2026, 11, 23, 6, 30, tzinfo=tz), note=str(n))
    log.update(ref, status="seen")
"""


def test_two_processes_writing_the_log_lose_nothing(tmp_path: Path) -> None:
    """The daemon and the province link both log: neither may lose the other's entry."""
    import subprocess
    import sys

    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), name])
        for name in ("daemon", "link")
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    rows = PlayLog(tmp_path, HCM).entries()
    assert sorted((r["event"], r["note"]) for r in rows) == sorted(
        (name, str(n)) for name in ("daemon", "link") for n in range(40)
    )
    assert all(r["status"] == "seen" for r in rows)
    verdict = verify(tmp_path)
    assert verdict.status == "ok", verdict.message()
    assert verdict.heads["2026-11"].seq == 160


def test_another_writer_that_died_between_its_two_writes_is_caught_up(tmp_path: Path) -> None:
    """The daemon dies after its chain append; the link then logs a bulletin: the daemon's
    change reaches the month file first, so nothing looks edited."""
    daemon = PlayLog(tmp_path, HCM)
    _session, clip = broadcast(daemon, status="started")
    daemon.close()
    link = PlayLog(tmp_path, HCM)
    link.record_event("bulletin_received", at=NOW, note="qt-1")
    ChainWriter(tmp_path).append("2026-11", "update", clip.doc_id, {"status": "failed"}, NOW)
    link.record_event("bulletin_refused", at=NOW, note="qt-2")
    link.close()
    assert month_docs(tmp_path)[clip.doc_id]["status"] == "failed"
    verdict = verify(tmp_path)
    assert verdict.status == "ok", verdict.message()
