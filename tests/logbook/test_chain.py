"""The provable log: real month files (store.open_db) and real chain files, then tampering.

Each month is built the way the box must write it: the event appended to the chain
first, then the same change to the TinyDB month file. Each tampering case edits the
files on disk as a person with a text editor or a file manager would, and the verdict
must name the break (month, event or entry, what is wrong) in Vietnamese and English.
"""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import sys
import tempfile
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tinydb.table import Document

from firmware_host import messages
from firmware_host.canonical import canonical
from firmware_host.logbook.chain import (
    GENESIS,
    ChainRefused,
    ChainWriter,
    Head,
    chain_path,
    event_hash,
    month_path,
    recover,
    replay,
    verify,
)
from firmware_host.store import open_db, write_atomically

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
T0 = datetime(2026, 11, 3, 6, 30, tzinfo=TZ)


class Box:
    """Writes a log folder the way the daemon must: chain first, then the month file."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.chain = ChainWriter(log_dir)
        self.clock = T0

    def tick(self) -> datetime:
        self.clock += timedelta(seconds=7)
        return self.clock

    def add(self, month: str, doc: dict[str, Any]) -> int:
        doc_id = self.chain.next_entry(month)
        self.chain.append(month, "add", doc_id, doc, self.tick())
        db = open_db(month_path(self.log_dir, month))
        db.insert(Document(doc, doc_id=doc_id))
        db.close()
        return doc_id

    def update(self, month: str, doc_id: int, **fields: Any) -> None:
        self.chain.append(month, "update", doc_id, fields, self.tick())
        db = open_db(month_path(self.log_dir, month))
        db.update(fields, doc_ids=[doc_id])
        db.close()

    def session(self, month: str, campaign: str, seconds: float) -> tuple[int, int]:
        """A broadcast as the log records it: session and clip started, then completed."""
        session = self.add(
            month,
            {
                "kind": "session",
                "status": "started",
                "campaign": campaign,
                "zones": ["thôn 1", "thôn 2"],
                "seconds": 0.0,
                "error": None,
            },
        )
        clip = self.add(
            month,
            {
                "kind": "clip",
                "status": "started",
                "campaign": campaign,
                "clip_title": "Phòng chống sốt xuất huyết",
                "seconds": 0.0,
            },
        )
        self.update(month, clip, status="completed", seconds=seconds)
        self.update(month, session, status="completed", seconds=seconds + 1.25)
        return session, clip


def month_docs(log_dir: Path, month: str) -> dict[int, dict[str, Any]]:
    db = open_db(month_path(log_dir, month))
    try:
        return {doc.doc_id: dict(doc) for doc in db.all()}
    finally:
        db.close()


@pytest.fixture
def box(tmp_path: Path) -> Box:
    box = Box(tmp_path / "log")
    box.session("2026-11", "Tiêm chủng mở rộng", 42.5)
    box.session("2026-11", "Chuyển đổi 2G sang 4G", 30.0)
    return box


def edit_byte(path: Path, old: bytes, new: bytes, occurrence: int = 0) -> None:
    """Change one byte, as someone with a hex editor would."""
    assert len(old) == len(new)
    data = path.read_bytes()
    at = -1
    for _ in range(occurrence + 1):
        at = data.index(old, at + 1)
    diff = [i for i in range(len(old)) if old[i] != new[i]]
    assert len(diff) == 1, "exactly one byte changes"
    path.write_bytes(data[:at] + new + data[at + len(old) :])


def lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def broken(verdict, key: str, month: str = "2026-11", **where: Any) -> None:
    assert verdict.status == "broken", verdict.message()
    assert verdict.problem.key == key, verdict.message()
    assert verdict.problem.month == month
    for name, value in where.items():
        assert getattr(verdict.problem, name) == value, verdict.message()


# -- what is written ---------------------------------------------------------------------------


def test_a_month_verifies_and_its_replay_is_the_month_file(box: Box) -> None:
    verdict = verify(box.log_dir)
    assert verdict.status == "ok", verdict.message()
    assert verdict.events == 8
    assert verdict.heads["2026-11"] == box.chain.head("2026-11")
    events = [json.loads(line) for line in lines(chain_path(box.log_dir, "2026-11"))]
    assert replay(events) == month_docs(box.log_dir, "2026-11")
    assert [e["seq"] for e in events] == list(range(1, 9))
    assert events[0]["prev"] == GENESIS
    assert all(b["prev"] == a["hash"] for a, b in itertools.pairwise(events))
    assert events[0]["at"] == "2026-11-03T06:30:07.000+07:00"
    # the line is the canonical form itself: no spaces, sorted keys, raw UTF-8
    first = lines(chain_path(box.log_dir, "2026-11"))[0]
    assert first.startswith(b'{"at":"2026-11-03T06:30:07.000+07:00","entry":1,"fields":{')
    assert "thôn 1".encode() in first
    assert "✔" in verdict.message() and "8" in verdict.message()


def test_the_first_event_of_a_month_links_to_the_month_before(box: Box) -> None:
    november = box.chain.head("2026-11")
    box.add("2026-12", {"kind": "event", "event": "clock_jump", "status": "noted"})
    december = json.loads(lines(chain_path(box.log_dir, "2026-12"))[0])
    assert december["seq"] == 1 and december["prev"] == november.hash
    # a session planned at 23:59 on the 30th finishes after December began
    session = box.add("2026-11", {"kind": "session", "status": "started", "seconds": 0.0})
    box.update("2026-11", session, status="completed", seconds=60.0)
    assert verify(box.log_dir).status == "ok"


def test_appends_from_threads_and_from_two_processes_keep_one_chain(box: Box) -> None:
    ids = [box.add("2026-11", {"kind": "clip", "status": "started", "n": n}) for n in range(4)]
    lock = threading.Lock()  # the caller's lock, held across both writes as PlayLog does

    def finish(doc_id: int) -> None:
        for k in range(10):
            with lock:
                box.update("2026-11", doc_id, n=k)

    threads = [threading.Thread(target=finish, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # two other processes (other ChainWriters) append to the same chain meanwhile; each
    # uses its own ids (one process writes a box's log: the flock keeps the chain file
    # whole, it does not hand out ids across processes)
    code = (
        "import sys; from datetime import datetime, timezone\n"
        "from firmware_host.logbook.chain import ChainWriter\n"
        "w, base = ChainWriter(sys.argv[1]), int(sys.argv[2])\n"
        "for k in range(15):\n"
        "    w.append('2026-12', 'add', base + k, {'k': k}, datetime.now(timezone.utc))\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(box.log_dir), str(base)])
        for base in (100, 200)
    ]
    for n in range(15):
        box.chain.append("2026-12", "add", 1 + n, {"mine": n}, box.tick())
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    assert box.chain.head("2026-12").seq == 45
    december = [json.loads(line) for line in lines(chain_path(box.log_dir, "2026-12"))]
    assert [e["seq"] for e in december] == list(range(1, 46))
    assert sorted(replay(december)) == [*range(1, 16), *range(100, 115), *range(200, 215)]
    # write December's month file from its chain, and everything verifies
    db = open_db(month_path(box.log_dir, "2026-12"))
    for doc_id, doc in replay(december).items():
        db.insert(Document(doc, doc_id=doc_id))
    db.close()
    assert verify(box.log_dir).status == "ok", verify(box.log_dir).message()


def test_an_append_the_chain_cannot_prove_is_refused_before_it_is_written(box: Box) -> None:
    before = chain_path(box.log_dir, "2026-11").read_bytes()
    with pytest.raises(ValueError, match="already added"):
        box.chain.append("2026-11", "add", 1, {"x": 1}, box.tick())
    with pytest.raises(ValueError, match="never added"):
        box.chain.append("2026-11", "update", 99, {"x": 1}, box.tick())
    with pytest.raises(ValueError, match="not canonical"):
        box.chain.append("2026-11", "update", 1, {"seconds": float("nan")}, box.tick())
    with pytest.raises(ValueError, match="offset"):
        box.chain.append("2026-11", "update", 1, {"x": 1}, datetime(2026, 11, 3))
    assert chain_path(box.log_dir, "2026-11").read_bytes() == before


def test_a_month_written_before_the_chain_is_listed_then_adopted(tmp_path: Path) -> None:
    log_dir = tmp_path / "log"
    db = open_db(month_path(log_dir, "2026-10"))
    db.insert({"kind": "session", "status": "completed", "seconds": 12.0})
    db.insert({"kind": "session", "status": "missed", "seconds": 0.0})
    db.close()
    verdict = verify(log_dir)
    assert verdict.status == "ok" and verdict.unchained == ("2026-10",)
    assert "2026-10" in verdict.message()
    box = Box(log_dir)
    box.chain.adopt("2026-10", month_docs(log_dir, "2026-10"), box.tick())
    box.update("2026-10", 2, note="đã bù")
    box.add("2026-10", {"kind": "event"})
    verdict = verify(log_dir)
    assert verdict.status == "ok" and verdict.unchained == () and verdict.events == 4


# -- tampering ---------------------------------------------------------------------------------


def test_one_changed_byte_in_the_month_file_is_named(box: Box) -> None:
    edit_byte(month_path(box.log_dir, "2026-11"), b'"seconds":30.0', b'"seconds":50.0')
    verdict = verify(box.log_dir)
    broken(verdict, "month.entry_differs", entry=4)
    assert verdict.problem.params["field"] == "seconds"
    assert "mục 4" in verdict.message() and "'seconds'" in verdict.message()
    messages.set_language("en")
    assert "entry 4, field 'seconds': the month file says 50.0, the chain says 30.0" in (
        verdict.message()
    )


def test_one_changed_byte_in_the_chain_is_named(box: Box) -> None:
    path = chain_path(box.log_dir, "2026-11")
    edit_byte(path, b'"seconds":42.5', b'"seconds":52.5')
    broken(verify(box.log_dir), "chain.bad_hash", seq=3)


def test_an_escape_that_keeps_the_value_is_still_an_edit(box: Box) -> None:
    """``\\u00f4`` reads as ``ô``: the replay agrees, the bytes are not what the box wrote."""
    path = month_path(box.log_dir, "2026-11")
    path.write_bytes(path.read_bytes().replace("thôn 1".encode(), b"th\\u00f4n 1", 1))
    broken(verify(box.log_dir), "month.not_box_form")


def test_a_chain_line_respelled_with_the_same_meaning_is_an_edit(box: Box) -> None:
    """``\\u001F`` reads as ``\\u001f``: the hash agrees, the line is not what the box wrote."""
    box.add("2026-11", {"kind": "event", "note": "ký tự điều khiển \x1f"})
    edit_byte(chain_path(box.log_dir, "2026-11"), b"\\u001f", b"\\u001F")
    broken(verify(box.log_dir), "chain.not_canonical", seq=9)


def test_a_deleted_entry_is_named(box: Box) -> None:
    path = month_path(box.log_dir, "2026-11")
    tables = json.loads(path.read_text("utf-8"))
    del tables["_default"]["2"]
    write_atomically(path, json.dumps(tables, ensure_ascii=False, separators=(",", ":")).encode())
    broken(verify(box.log_dir), "month.entry_missing", entry=2)


def test_swapped_entries_are_named(box: Box) -> None:
    path = month_path(box.log_dir, "2026-11")
    tables = json.loads(path.read_text("utf-8"))
    docs = tables["_default"]
    docs["1"], docs["3"] = docs["3"], docs["1"]
    write_atomically(path, json.dumps(tables, ensure_ascii=False, separators=(",", ":")).encode())
    verdict = verify(box.log_dir)
    broken(verdict, "month.entry_differs", entry=1)
    messages.set_language("en")
    assert "2026-11, entry 1, field 'campaign'" in verdict.message()


def test_entries_moved_with_their_ids_are_named(box: Box) -> None:
    path = month_path(box.log_dir, "2026-11")
    docs = json.loads(path.read_text("utf-8"))["_default"]
    order = ["2", "1", "3", "4"]
    moved = {"_default": {key: docs[key] for key in order}}
    write_atomically(path, json.dumps(moved, ensure_ascii=False, separators=(",", ":")).encode())
    verdict = verify(box.log_dir)
    broken(verdict, "month.out_of_order", entry=2)
    assert verdict.problem.params == {"expected": 1}


def test_a_month_file_swapped_for_an_older_copy_is_named(box: Box, tmp_path: Path) -> None:
    older = tmp_path / "older.json"
    shutil.copy(month_path(box.log_dir, "2026-11"), older)
    session, _ = box.session("2026-11", "Bầu cử", 20.0)
    shutil.copy(older, month_path(box.log_dir, "2026-11"))
    broken(verify(box.log_dir), "month.entry_missing", entry=session)


def test_both_files_swapped_for_older_copies_break_the_next_months_link(
    box: Box, tmp_path: Path
) -> None:
    old = tmp_path / "old"
    old.mkdir()
    for path in (month_path(box.log_dir, "2026-11"), chain_path(box.log_dir, "2026-11")):
        shutil.copy(path, old / path.name)
    box.session("2026-11", "Bầu cử", 20.0)
    box.session("2026-12", "Phòng cháy", 15.0)
    for path in old.iterdir():
        shutil.copy(path, box.log_dir / path.name)
    verdict = verify(box.log_dir)
    broken(verdict, "chain.bad_link", month="2026-12", seq=1)
    assert "2026-12, sự kiện 1" in verdict.message()


def test_both_files_of_the_newest_month_swapped_are_caught_by_a_kept_head(
    box: Box, tmp_path: Path
) -> None:
    old = tmp_path / "old"
    old.mkdir()
    for path in (month_path(box.log_dir, "2026-11"), chain_path(box.log_dir, "2026-11")):
        shutil.copy(path, old / path.name)
    box.session("2026-11", "Bầu cử", 20.0)
    # the link's cursor: the last event the province acknowledged, kept outside log/
    cursor = tmp_path / "link" / "cursor.json"
    write_atomically(cursor, json.dumps(box.chain.head("2026-11").as_dict()).encode())
    for path in old.iterdir():
        shutil.copy(path, box.log_dir / path.name)
    assert verify(box.log_dir).status == "ok"  # nothing inside log/ can tell
    anchor = Head.from_dict(json.loads(cursor.read_text()))
    verdict = verify(box.log_dir, anchors=[anchor])
    broken(verdict, "anchor.rolled_back", seq=12)
    assert verdict.problem.params["have"] == 8
    # a chain rebuilt to the same length is caught by the hash
    rebuilt = Box(tmp_path / "rebuilt")
    for n in range(3):
        rebuilt.session("2026-11", f"giả {n}", 1.0)
    verdict = verify(rebuilt.log_dir, anchors=[anchor])
    broken(verdict, "anchor.rewritten", seq=12)


def test_a_deleted_chain_line_is_named(box: Box) -> None:
    path = chain_path(box.log_dir, "2026-11")
    kept = lines(path)
    del kept[4]
    path.write_bytes(b"".join(kept))
    broken(verify(box.log_dir), "chain.bad_seq", seq=6)
    assert verify(box.log_dir).problem.params == {"line": 5, "expected": 5}


def test_a_deleted_chain_file_is_named(box: Box) -> None:
    box.add("2026-12", {"kind": "event"})
    chain_path(box.log_dir, "2026-12").unlink()
    broken(verify(box.log_dir), "chain.missing", month="2026-12")


def test_swapped_chain_lines_are_named(box: Box) -> None:
    path = chain_path(box.log_dir, "2026-11")
    kept = lines(path)
    kept[2], kept[3] = kept[3], kept[2]
    path.write_bytes(b"".join(kept))
    broken(verify(box.log_dir), "chain.bad_seq", seq=4)


def test_an_event_renumbered_after_a_deletion_breaks_the_link(box: Box) -> None:
    """Deleting a line and fixing up the seq numbers and hashes still shows at the gap."""
    path = chain_path(box.log_dir, "2026-11")
    events = [json.loads(line) for line in lines(path)]
    del events[4]
    for seq, event in enumerate(events, start=1):
        event["seq"] = seq
        event["hash"] = event_hash(event)
    path.write_bytes(b"".join(canonical(e) + b"\n" for e in events))
    broken(verify(box.log_dir), "chain.bad_prev", seq=5)


# -- power cuts --------------------------------------------------------------------------------


def test_a_torn_last_line_is_recoverable_not_tampering(box: Box) -> None:
    path = chain_path(box.log_dir, "2026-11")
    intact = path.read_bytes()
    # the power fails during the append: half a line, and the month file never written
    box.chain.append("2026-11", "update", 1, {"note": "mất điện"}, box.tick())
    path.write_bytes(path.read_bytes()[: len(intact) + 40])
    verdict = verify(box.log_dir)
    assert verdict.status == "recoverable", verdict.message()
    assert [f.key for f in verdict.recoverable] == ["chain.torn"]
    assert "40 byte" in verdict.message()
    done = recover(box.log_dir, "2026-11")
    assert done.torn_bytes == 40 and done.reapplied is None and done.problem is None
    assert path.read_bytes() == intact
    assert verify(box.log_dir).status == "ok"


def test_the_next_append_cuts_a_torn_line_instead_of_gluing_to_it(box: Box) -> None:
    path = chain_path(box.log_dir, "2026-11")
    intact = path.read_bytes()
    path.write_bytes(intact + b'{"at":"2026-11-0')
    writer = ChainWriter(box.log_dir)  # the daemon after the restart
    assert writer.head("2026-11").seq == 8
    box.chain = writer
    box.update("2026-11", 1, note="sau khi mất điện")
    assert verify(box.log_dir).status == "ok"
    assert path.read_bytes().startswith(intact) and writer.head("2026-11").seq == 9


def test_a_cut_between_the_two_writes_is_applied_at_start_up(box: Box) -> None:
    box.chain.append("2026-11", "update", 2, {"status": "interrupted"}, box.tick())
    doc_id = box.chain.next_entry("2026-11")
    assert doc_id == 5
    verdict = verify(box.log_dir)
    assert verdict.status == "recoverable"
    assert [(f.key, f.seq, f.entry) for f in verdict.recoverable] == [("chain.pending", 9, 2)]
    done = recover(box.log_dir, "2026-11")
    assert done.reapplied["seq"] == 9
    assert month_docs(box.log_dir, "2026-11")[2]["status"] == "interrupted"
    assert verify(box.log_dir).status == "ok"
    # the same for a new entry: the month file did not exist yet
    box.chain.append("2026-12", "add", 1, {"kind": "event", "status": "noted"}, box.tick())
    assert recover(box.log_dir, "2026-12").reapplied["entry"] == 1
    assert month_docs(box.log_dir, "2026-12") == {1: {"kind": "event", "status": "noted"}}
    assert verify(box.log_dir).status == "ok"


def test_recovery_never_repairs_an_edit(box: Box) -> None:
    edit_byte(month_path(box.log_dir, "2026-11"), b'"seconds":30.0', b'"seconds":50.0')
    before = month_path(box.log_dir, "2026-11").read_bytes()
    done = recover(box.log_dir, "2026-11")
    assert done.reapplied is None and done.problem.key == "month.entry_differs"
    assert month_path(box.log_dir, "2026-11").read_bytes() == before


# -- the province's side -----------------------------------------------------------------------


def test_the_province_ingests_each_event_once_and_refuses_what_does_not_follow(
    box: Box, tmp_path: Path
) -> None:
    events = [json.loads(line) for line in lines(chain_path(box.log_dir, "2026-11"))]
    store = ChainWriter(tmp_path / "province" / "19543" / "tram-1")
    assert [store.ingest("2026-11", e) for e in events[:5]] == [True] * 5
    assert store.ingest("2026-11", events[2]) is False  # a resend after a lost ack
    with pytest.raises(ChainRefused) as gap:
        store.ingest("2026-11", events[6])
    assert gap.value.key == "chain.refused.gap"
    forged = dict(events[5], fields={"status": "completed", "seconds": 999.0})
    with pytest.raises(ChainRefused) as bad:
        store.ingest("2026-11", forged)
    assert bad.value.key == "chain.bad_hash"
    rewritten = dict(events[3], at="2026-11-03T07:00:00.000+07:00")
    rewritten["hash"] = event_hash(rewritten)
    with pytest.raises(ChainRefused) as conflict:
        store.ingest("2026-11", rewritten)
    assert conflict.value.key == "chain.refused.conflict"
    assert "sự kiện 4" in str(conflict.value)
    assert all(store.ingest("2026-11", e) for e in events[5:])
    assert (
        chain_path(store.log_dir, "2026-11").read_bytes()
        == chain_path(box.log_dir, "2026-11").read_bytes()
    )


# -- properties --------------------------------------------------------------------------------

json_scalar = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
json_value = st.recursive(
    json_scalar,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
field_maps = st.dictionaries(st.text(min_size=1, max_size=8), json_value, max_size=4)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 50), field_maps), min_size=1, max_size=10))
def test_any_sequence_of_adds_and_updates_verifies(steps) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        box = Box(Path(tmp) / "log")
        ids: list[int] = []
        for is_add, pick, fields in steps:
            if is_add or not ids:
                ids.append(box.add("2026-11", fields))
            else:
                box.update("2026-11", ids[pick % len(ids)], **fields)
        verdict = verify(box.log_dir)
        assert verdict.status == "ok", verdict.message()
        events = [json.loads(line) for line in lines(chain_path(box.log_dir, "2026-11"))]
        assert replay(events) == month_docs(box.log_dir, "2026-11")


@pytest.fixture(scope="module")
def pristine() -> dict[str, bytes]:
    with tempfile.TemporaryDirectory() as tmp:
        box = Box(Path(tmp) / "log")
        box.session("2026-11", "Tiêm chủng mở rộng", 42.5)
        box.session("2026-11", "Chuyển đổi 2G sang 4G", 1e16)
        box.add("2026-11", {"kind": "event", "note": 'ký tự điều khiển \x1f và "ngoặc"'})
        return {p.name: p.read_bytes() for p in box.log_dir.iterdir()}


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_single_byte_change_anywhere_is_detected(pristine, data) -> None:
    name = data.draw(st.sampled_from(sorted(pristine)))
    original = pristine[name]
    at = data.draw(st.integers(0, len(original) - 1))
    byte = data.draw(st.integers(0, 255).filter(lambda b: b != original[at]))
    with tempfile.TemporaryDirectory() as tmp:
        log_dir = Path(tmp)
        for other, content in pristine.items():
            (log_dir / other).write_bytes(content)
        (log_dir / name).write_bytes(original[:at] + bytes([byte]) + original[at + 1 :])
        assert verify(log_dir).status != "ok"
