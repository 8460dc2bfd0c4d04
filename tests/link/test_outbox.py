"""The outbox protocol without a network: batches lost, repeated or late, acks lost, a
restart from the cursor on disk. Whatever the network does, the province ends up with the
box's log once, and the cursor only ever says what the province really holds."""

from __future__ import annotations

import json
import random
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from firmware_host.link import wire
from firmware_host.link.box.outbox import FIRST_RESEND, Cursor, Outbox
from firmware_host.link.bulletins import BoxIdentity
from firmware_host.link.province.store import ProvinceStore
from firmware_host.logbook.chain import chain_path, month_path, verify
from firmware_host.logbook.playlog import PlayLog

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
BOX = BoxIdentity("19543", "tram-1")
NOW = datetime(2026, 11, 20, 8, 0, tzinfo=HCM)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def write_log(log_dir: Path, sessions: int, start: datetime) -> None:
    log = PlayLog(log_dir, HCM)
    for n in range(sessions):
        at = start + timedelta(hours=n)
        ref = log.start_session(trigger="schedule", scheduled=at, started=at, campaign="2G",
                                slot="x", zones=["thon-1"], playlist=["tb"])
        log.finish(ref, "completed", ended=at, seconds=10.0)
    log.close()


def same(box: Path, store: ProvinceStore, month: str) -> bool:
    held = store.log_dir(BOX)
    try:
        return chain_path(held, month).read_bytes() == chain_path(box, month).read_bytes() and (
            json.loads(month_path(held, month).read_text())
            == json.loads(month_path(box, month).read_text())
        )
    except FileNotFoundError:
        return False


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), lose=st.floats(0, 0.5), restart_at=st.integers(0, 30))
def test_a_lossy_network_and_a_restart_end_with_the_log_once(seed, lose, restart_at) -> None:
    chooser = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        log_dir = root / "box" / "log"
        write_log(log_dir, 24, datetime(2026, 10, 31, 12, 0, tzinfo=HCM))  # two months
        store = ProvinceStore(root / "province", HCM)
        clock = Clock()
        cursor_path = root / "box" / "link" / "cursor.json"
        outbox = Outbox(log_dir, Cursor(cursor_path), clock=clock)
        in_transit: list[bytes] = []
        for step in range(400):
            clock.now += 7.0
            if step == restart_at:  # the link dies: what it had in memory is gone
                outbox = Outbox(log_dir, Cursor(cursor_path), clock=clock)
            outbox.fill()
            while (batch := outbox.next_batch()) is not None:
                message = wire.log_batch(BOX, batch.month, batch.events, batch.head.as_dict())
                in_transit.append(wire.encode(message))
            chooser.shuffle(in_transit)  # late and out of order
            arrived, in_transit = in_transit[:2], in_transit[2:]
            for payload in arrived:
                if chooser.random() < lose:
                    continue  # lost (a broker that lost power)
                if chooser.random() < 0.2:
                    in_transit.append(payload)  # and delivered twice
                data = wire.decode(payload)
                ack = store.ingest(BOX, wire.read_batch(data), NOW)
                if chooser.random() >= lose:  # the ack may be lost too
                    assert outbox.acknowledged(json.loads(wire.encode(ack))) is None
            if all(same(log_dir, store, m) for m in ("2026-10", "2026-11")) and not in_transit:
                break
            if step > 200:
                clock.now += FIRST_RESEND  # a long silence: what is unacknowledged goes again
        for month in ("2026-10", "2026-11"):
            assert same(log_dir, store, month), month
        assert verify(store.log_dir(BOX)).status == "ok"
        # the cursor never says more than the province holds
        for head in Cursor(cursor_path).heads():
            assert head.seq <= (store.held(BOX, head.month).seq)
