"""Two boxes and the province on one real broker: the log goes up, the status stays, wills fire.

What the province officer sees is the province's store (the boxes' logs as received, and
what each box last said) and ``loaxa province status``; what a box's technician sees is
the box's own log. Both are compared byte for byte: the province's copy of a month is the
box's month file and chain, not a summary of them.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from firmware_host.link import wire
from firmware_host.logbook.chain import verify
from tests.helpers import wait_until
from tests.link.fleet import HCM, STATUS_SECONDS, Box, Province, stop_all
from tests.mosquitto import Client, running_broker

pytestmark = pytest.mark.skipif(
    not (shutil.which("mosquitto") and shutil.which("mosquitto_passwd")),
    reason="mosquitto not installed (bash scripts/dev.sh setup installs it)",
)

MONTH = datetime.now(HCM).strftime("%Y-%m")


@pytest.fixture
def province(tmp_path: Path) -> Iterator[Province]:
    with running_broker(tmp_path / "broker") as broker:
        province = Province(tmp_path / "province", broker)
        province.add_box("19543", "tram-1")
        province.add_box("19543", "tram-2", tls=True)
        broker.restart()  # accounts are read at start (a province reloads the broker)
        try:
            yield province
        finally:
            stop_all(province.collector, *(box.link for box in province.boxes.values()))


def same_log(province: Province, box: Box, month: str = MONTH) -> bool:
    """The same chain, byte for byte, and the same entries in the same order (each entry's
    keys are in the chain's canonical order at the province, the writer's on the box)."""
    held = province.held(box, month)
    if held is None:
        return False
    chain, entries = box.files(month)
    ours = json.loads(entries)["_default"]
    theirs = json.loads(held[1])["_default"]
    return held[0] == chain and list(ours) == list(theirs) and ours == theirs


def sessions(box: Box, count: int, start: datetime) -> None:
    for n in range(count):
        box.broadcast(start + timedelta(minutes=n), status="failed" if n == 2 else "completed")


def test_entries_arrive_status_is_retained_and_a_killed_box_goes_offline(
    province: Province,
) -> None:
    one, two = province.boxes["19543/tram-1"], province.boxes["19543/tram-2"]
    start = datetime.now(HCM).replace(second=0, microsecond=0) - timedelta(hours=1)
    sessions(one, 4, start)
    sessions(two, 3, start)
    province.collector.start()
    one.link.start()
    two.link.start()  # over TLS, checking the province's certificate

    for box in (one, two):
        wait_until(lambda box=box: same_log(province, box), 60, lambda: province.collector.text)
    sessions(one, 2, start + timedelta(minutes=30))  # broadcast while linked
    wait_until(lambda: same_log(province, one), 30, lambda: one.link.text)

    store = province.store
    for box in (one, two):
        verdict = verify(store.log_dir(box.identity))
        assert verdict.status == "ok", verdict.message()
    # what the collector sees when it comes back: each box's retained status, then fresh
    # ones (its account is the only one that may read the boxes; its session is kept)
    province.collector.stop()
    watcher = Client(province.broker, "province").connect(persistent=True)
    watcher.subscribe("loaxa/+/+/up/status")
    retained: set[str] = set()
    latest: dict[str, dict] = {}
    events_held = len(one.files(MONTH)[0].splitlines())

    def fresh_status() -> bool:
        for message in _drain(watcher):
            if message.retain:
                retained.add(message.topic)
            latest[message.topic] = json.loads(message.payload)
        head = latest.get("loaxa/19543/tram-1/up/status", {}).get("heads", {}).get(MONTH, {})
        return len(retained) == 2 and head.get("seq") == events_held

    wait_until(fresh_status, 2 * STATUS_SECONDS + 5, lambda: (retained, latest))
    status = latest["loaxa/19543/tram-1/up/status"]
    assert status["online"] is True and status["box"] == "19543/tram-1"
    assert status["commune"]["name"] == "Xã Thử Nghiệm"
    assert status["daemon"] is False and status["relays"] is None  # no daemon on this box
    assert isinstance(status["clock"]["trusted"], bool) and status["disk"]["free_bytes"] > 0
    assert status["chain"]["status"] == "ok" and status["backlog"] == 0
    watcher.disconnect()
    province.collector.start()

    one.link.kill()  # kill -9: the broker publishes the box's last will
    wait_until(
        lambda: province.meta(one).get("status", {}).get("online") is False,
        30,
        lambda: province.meta(one),
    )
    province.collector.stop()
    rows = {row.station_id: row for row in _status(province)}
    assert rows["tram-1"].online is False and rows["tram-2"].online is True
    failed = 1 if start + timedelta(minutes=2) >= _monday() else 0
    assert (rows["tram-1"].failed_this_week, rows["tram-2"].failed_this_week) == (failed, failed)
    assert [(r.chain_verified, r.problem) for r in rows.values()] == [(True, None)] * 2


def _drain(client: Client) -> list:
    out = []
    while not client.messages.empty():
        out.append(client.messages.get())
    return out


def _monday() -> datetime:
    from firmware_host.link.province.store import week_start

    return week_start(datetime.now(HCM), HCM)


def _status(province: Province) -> list:
    from firmware_host.link.province.table import status_rows

    return status_rows(province.store, datetime.now(HCM))


def test_a_box_cannot_write_into_another_boxs_log_nor_send_a_bulletin(
    province: Province,
) -> None:
    """The box's own credentials, through the link's own client: the broker drops it."""
    one, two = province.boxes["19543/tram-1"], province.boxes["19543/tram-2"]
    province.collector.start()
    client = wire.make_client(one.config.link.broker, one.identity.name)
    acks: dict[int, int] = {}
    client.on_publish = lambda c, u, mid, reason, props: acks.__setitem__(mid, reason.value)
    client.connect("127.0.0.1", province.broker.port, properties=wire.connect_properties())
    client.loop_start()
    try:
        forged = wire.encode(wire.log_batch(two.identity, MONTH, [], {}))
        attempts = {
            wire.up(two.identity, "log"): forged,
            wire.down(two.identity, "bulletin"): b"{}",
            wire.BROADCAST: wire.encode(province.sign()),
        }
        mids = [client.publish(topic, payload, qos=1).mid for topic, payload in attempts.items()]
        wait_until(lambda: all(mid in acks for mid in mids), 10, lambda: acks)
        assert [acks[mid] for mid in mids] == [135, 135, 135]  # not authorized
    finally:
        client.disconnect()
        client.loop_stop()
    province.collector.stop()
    assert two.identity not in province.store.boxes()


def broker_saw(province: Province, after: int, pattern: str) -> bool:
    return pattern in province.broker.log[after:]


def test_partitions_kill_9_and_restarts_in_another_order_lose_and_repeat_nothing(
    province: Province, capture_dir: Path
) -> None:
    """The broker loses power while the boxes broadcast, a link is killed with batches
    the broker queued but the province never acknowledged, and everything comes back in
    another order: the province ends with each box's log, event for event, once."""
    from gpiozero.pins.mock import MockFactory

    from firmware_host.broadcast.manual import play_now
    from firmware_host.broadcast.orders import manual_request
    from firmware_host.clips import ClipLibrary
    from tests.helpers import make_tone

    one, two = province.boxes["19543/tram-1"], province.boxes["19543/tram-2"]
    clip = ClipLibrary(one.config).import_file(
        make_tone(capture_dir.parent / "tin.mp3", seconds=1.0), title="Tin sáng"
    )
    start = datetime.now(HCM).replace(second=0, microsecond=0) - timedelta(hours=3)
    province.collector.start()
    one.link.start()
    two.link.start()
    sessions(one, 3, start)
    sessions(two, 3, start)
    for box in (one, two):
        wait_until(lambda box=box: same_log(province, box), 60, lambda box=box: box.link.text)

    province.broker.kill()  # the province's machine loses power: no clean save
    request = manual_request(one.config, ClipLibrary(one.config), [clip.id], zones=["thon-1"])
    outcome = play_now(  # a real broadcast on box one: mock pins, aplay into a file
        one.config, request, pin_factory=MockFactory(), announce=str
    )
    assert outcome.status == "completed"
    sessions(one, 30, start + timedelta(minutes=10))
    sessions(two, 30, start + timedelta(minutes=10))
    province.collector.stop()  # the collector's machine is off as well

    mark = len(province.broker.log)
    province.broker.start()
    wait_until(  # the link reconnects and sends its backlog into the broker's queue
        lambda: broker_saw(province, mark, "Received PUBLISH from 19543/tram-1 (d0, q1, r0"),
        60,
        lambda: province.broker.log[mark:],
    )
    one.link.kill()  # kill -9 with batches sent, queued, and never acknowledged
    cursor = json.loads((one.config.data_dir / "link" / "cursor.json").read_text())
    assert cursor["months"][MONTH]["seq"] < len(one.files(MONTH)[0].splitlines())
    sessions(one, 5, start + timedelta(minutes=50))  # it keeps broadcasting meanwhile

    province.collector.start()  # back in another order: the collector first,
    wait_until(lambda: same_log(province, two), 90, lambda: two.link.text)
    one.link.start()  # box one's link last
    wait_until(lambda: same_log(province, one), 90, lambda: one.link.text)

    for box in (one, two):
        chain = province.held(box, MONTH)[0].splitlines()
        assert [json.loads(line)["seq"] for line in chain] == list(range(1, len(chain) + 1))
        verdict = verify(province.store.log_dir(box.identity))
        assert verdict.status == "ok", verdict.message()
    province.collector.stop()
    assert all(row.chain_verified for row in _status(province))
    played = [
        r for r in one.log.entries() if r["kind"] == "clip" and r.get("clip_id") == clip.id
    ]
    assert [r["status"] for r in played] == ["completed"]


# -- tampering, seen through the province ---------------------------------------------------


def forge_without(log_dir: Path, month: str, entry: int) -> None:
    """Rebuild a month without *entry*: every hash valid, every link right, the month file
    its exact replay. Only a head kept elsewhere (the province's) can tell."""
    from firmware_host.canonical import canonical
    from firmware_host.logbook.chain import chain_path, event_hash, month_path, replay

    events = [json.loads(line) for line in chain_path(log_dir, month).read_text().splitlines()]
    prev, forged = events[0]["prev"], []
    for number, event in enumerate((e for e in events if e["entry"] != entry), start=1):
        event = {k: v for k, v in event.items() if k != "hash"} | {"seq": number, "prev": prev}
        event["hash"] = prev = event_hash(event)
        forged.append(event)
    chain_path(log_dir, month).write_bytes(b"".join(canonical(e) + b"\n" for e in forged))
    table = {str(k): v for k, v in replay(forged).items()}
    text = json.dumps({"_default": table}, ensure_ascii=False, separators=(",", ":"))
    month_path(log_dir, month).write_text(text, "utf-8")


def province_status(province: Province, *args: str) -> tuple[int, list[dict]]:
    import subprocess
    import sys

    run = subprocess.run(
        [sys.executable, "-m", "firmware_host", "--data-dir", str(province.root), "province",
         "status", "--json", *args],
        capture_output=True, text=True, timeout=120,
    )
    return run.returncode, json.loads(run.stdout)


def test_a_box_log_edited_or_rolled_back_is_shown_unproven_at_the_province(
    province: Province, tmp_path: Path
) -> None:
    from firmware_host.logbook.chain import chain_path, month_path

    one, two = province.boxes["19543/tram-1"], province.boxes["19543/tram-2"]
    start = datetime.now(HCM).replace(second=0, microsecond=0) - timedelta(hours=2)
    sessions(one, 3, start)
    sessions(two, 3, start)
    older = {p.name: p.read_bytes() for p in (chain_path(two.config.log_dir, MONTH),
                                              month_path(two.config.log_dir, MONTH))}
    sessions(two, 2, start + timedelta(minutes=30))
    province.collector.start()
    one.link.start()
    two.link.start()
    for box in (one, two):
        wait_until(lambda box=box: same_log(province, box), 60, lambda box=box: box.link.text)

    # one changed byte in box one's month file; box two's two files back to older copies
    path = month_path(one.config.log_dir, MONTH)
    path.write_bytes(path.read_bytes().replace(b'"seconds":15.0', b'"seconds":45.0', 1))
    for name, data in older.items():
        (two.config.log_dir / name).write_bytes(data)

    def unproven() -> dict[str, str | None]:
        _code, rows = province_status(province)
        return {r["station_id"]: r["problem"] for r in rows if not r["chain_verified"]}

    wait_until(lambda: len(unproven()) == 2, 3 * STATUS_SECONDS + 10, unproven)
    problems = unproven()
    assert "trường 'seconds': tệp nhật ký tháng ghi 45.0, chuỗi ghi 15.0" in problems["tram-1"]
    assert "tỉnh hoặc lần xuất trước" in problems["tram-2"]  # the province's head proves it
    code, _rows = province_status(province)
    assert code == 1


def test_a_rewritten_log_is_refused_by_the_province_and_its_own_copy_is_checked(
    province: Province,
) -> None:
    from firmware_host.logbook.chain import chain_path, month_path

    one, two = province.boxes["19543/tram-1"], province.boxes["19543/tram-2"]
    start = datetime.now(HCM).replace(second=0, microsecond=0) - timedelta(hours=2)
    sessions(one, 3, start)
    sessions(two, 2, start)
    province.collector.start()
    one.link.start()
    two.link.start()
    for box in (one, two):
        wait_until(lambda box=box: same_log(province, box), 60, lambda box=box: box.link.text)
    held = province.held(one, MONTH)

    # whoever controls box one rebuilds its log without a session, forgets what the
    # province acknowledged, and broadcasts on
    one.link.stop()
    forge_without(one.config.log_dir, MONTH, 2)
    (one.config.data_dir / "link" / "cursor.json").unlink(missing_ok=True)
    sessions(one, 1, start + timedelta(minutes=40))
    one.link.start()
    wait_until(
        lambda: province.meta(one).get("problem", {}).get("key") == "chain.refused.conflict",
        60,
        lambda: (province.meta(one), one.link.text),
    )
    assert province.held(one, MONTH)[0] == held[0], "the province kept what it received"

    # and on the province's machine, someone edits its copy of box two's month
    store_month = month_path(province.store.log_dir(two.identity), MONTH)
    edited = store_month.read_bytes().replace(b'"seconds":15.0', b'"seconds":9.0', 1)
    store_month.write_bytes(edited)
    code, rows = province_status(province)
    by_station = {r["station_id"]: r for r in rows}
    assert not by_station["tram-1"]["chain_verified"]
    assert "khác với sự kiện cùng số đã lưu" in by_station["tram-1"]["problem"]
    assert by_station["tram-2"]["chain_verified"], "only --verify reads the copy from disk"
    code, rows = province_status(province, "--verify")
    by_station = {r["station_id"]: r for r in rows}
    assert code == 1 and not by_station["tram-2"]["chain_verified"]
    assert "bản lưu tại tỉnh không toàn vẹn" in by_station["tram-2"]["problem"]
    assert chain_path(province.store.log_dir(two.identity), MONTH).exists()
