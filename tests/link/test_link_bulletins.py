"""Bulletins from the province to a box, over the shipped broker, acted on and acknowledged.

The box's link is a real ``loaxa link`` process and the province's collector a real
``loaxa province serve``; bulletins are signed by ``loaxa province send`` or, for the
ones it would never make (unsigned, another key, a replay), put in the collector's
outbox by hand. What is checked is what people would see: the acks the province
stores, the box's log, the campaign file in the box's schedules folder, and what the
daemon was asked to do.

The emergency is played by the real daemon (mock pins, aplay into a capture file).
Where only the link's decisions matter (refusals, the province-wide topic, a box that
was offline) the daemon is a stand-in serving the documented control API
(docs/control-api.md) with the real ``ControlServer``: it records each request and logs
the emergency session the way the broadcaster does, so the ``aired`` ack is still
checked against a real log entry.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from firmware_host.control import ControlServer, socket_path
from firmware_host.link import wire
from firmware_host.link.bulletins import make_keypair, sign
from firmware_host.logbook.playlog import PlayLog
from tests.helpers import make_tone, wait_until
from tests.link.fleet import HCM, Box, Province, bulletin, spool, stop_all
from tests.mosquitto import Client, running_broker

pytestmark = pytest.mark.skipif(
    not (shutil.which("mosquitto") and shutil.which("mosquitto_passwd")),
    reason="mosquitto not installed (bash scripts/dev.sh setup installs it)",
)


class StandInDaemon:
    """The control socket as docs/control-api.md documents it; logs like the broadcaster."""

    def __init__(self, box: Box) -> None:
        self.box = box
        self.requests: list[dict[str, Any]] = []
        self.server = ControlServer(
            socket_path(box.config.data_dir),
            {"emergency": self.emergency, "reload": self.noted, "status": self.status},
        )
        self.server.start()

    def noted(self, request: Any) -> dict[str, Any]:
        self.requests.append(dict(request))
        return {}

    def status(self, request: Any) -> dict[str, Any]:
        return {"clock": {"trusted": True, "reason": "ntp"}, "on_air": None, "next": [],
                "relays": {"amplifier": False, "thon-1": False}, "disk": None}

    def emergency(self, request: Any) -> dict[str, Any]:
        self.requests.append(dict(request))
        now = datetime.now(HCM)
        log = PlayLog(self.box.config.log_dir, HCM)
        session = log.start_session(
            trigger="manual", scheduled=None, started=now, campaign=None,
            slot=request["reason"], zones=["thon-1"], playlist=request["clips"],
        )
        log.finish(session, "completed", ended=now + timedelta(seconds=3), seconds=3.0)
        session_id = log.entries([session.month])[-1]["session_id"]
        log.close()
        return {"session_id": session_id}

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def province(tmp_path: Path) -> Iterator[Province]:
    with running_broker(tmp_path / "broker") as broker:
        province = Province(tmp_path / "province", broker)
        province.add_box("19543", "tram-1")
        province.add_box("19544", "tram-1")
        broker.restart()
        province.collector.start()
        try:
            yield province
        finally:
            stop_all(province.collector, *(box.link for box in province.boxes.values()))


@pytest.fixture
def box(province: Province) -> Iterator[Box]:
    box = province.boxes["19543/tram-1"]
    box.link.start()
    wait_until(lambda: box.identity in province.store.boxes(), 30, lambda: box.link.text)
    yield box


@pytest.fixture
def daemon(box: Box) -> Iterator[StandInDaemon]:
    daemon = StandInDaemon(box)
    yield daemon
    daemon.close()


def acks(province: Province, box: Box, bulletin_id: str) -> list[dict[str, Any]]:
    return [a for a in province.store.acks(box.identity) if a.get("bulletin") == bulletin_id]


def states(province: Province, box: Box, bulletin_id: str) -> list[str]:
    return [a["state"] for a in acks(province, box, bulletin_id)]


def send(province: Province, *args: str) -> dict[str, Any]:
    """``loaxa province send … --json`` on the province's machine."""
    run = subprocess.run(
        [sys.executable, "-m", "firmware_host", "--data-dir", str(province.root),
         "province", "send", "--json", *args],
        capture_output=True, text=True, timeout=60,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def refusals(box: Box) -> list[str]:
    return [r["note"] for r in box.log.entries() if r.get("event") == "bulletin_refused"]


def test_a_signed_emergency_cuts_the_normal_session_and_is_acknowledged_aired(
    province: Province, box: Box, tmp_path: Path, capture_dir: Path
) -> None:
    """The real daemon (mock pins, aplay into a capture file) plays a normal clip; the
    province sends an emergency; the link imports its clip and hands it to the daemon's
    ``emergency`` operation: the normal session is cut (``preempted``), the emergency
    plays to its end, the amplifier was off before any zone moved, and the province is
    told ``received`` then ``aired`` with the log entry of the emergency session."""
    from gpiozero.pins.mock import MockFactory

    from firmware_host.clips import ClipLibrary
    from firmware_host.control import ControlClient
    from firmware_host.daemon import Daemon
    from tests.helpers import pin_timeline

    pins = MockFactory()
    long = ClipLibrary(box.config).import_file(make_tone(tmp_path / "Dài.wav", seconds=8.0))
    daemon = Daemon(box.config, pin_factory=pins, announce=lambda _line: None)
    daemon.start()
    try:
        ControlClient(box.config.data_dir).call("play", clips=[long.id], zones=["thon-1"])
        wait_until(lambda: any(r["kind"] == "clip" for r in box.log.entries()), 10)
        cut_at = time.time()
        clip = make_tone(tmp_path / "bao.mp3", seconds=1.2, frequency=880)
        sent = send(province, "--tier", "khan-cap", "--title", "Bão số 5", "--clip", str(clip),
                    "--targets", "19543", "--zones", "thon-1,thon-2")
        assert sent["topics"] == [wire.down(box.identity, "bulletin")] and sent["published"]
        bulletin_id = sent["id"]
        wait_until(lambda: "aired" in states(province, box, bulletin_id), 60,
                   lambda: (box.link.text, province.store.acks(box.identity)))
    finally:
        daemon.stop()

    assert states(province, box, bulletin_id) == ["received", "aired"]
    rows = [r for r in box.log.entries() if r["kind"] == "session"]
    normal, urgent = rows
    assert normal["status"] == "preempted" and "Bão số 5" in normal["preempted_by"]
    assert urgent["status"] == "completed" and urgent["tier"] == "khan-cap"
    assert urgent["reason"] == f"Bão số 5 [{bulletin_id}]" and urgent["by"] == "Sở VHTTDL tỉnh Thử"
    assert urgent["zones"] == ["thon-1", "thon-2"]
    aired = acks(province, box, bulletin_id)[-1]["entry"]
    assert (aired["month"], aired["entry"], aired["status"]) == (
        urgent["month"], urgent["entry"], "completed"
    )
    stored = ClipLibrary(box.config).find(urgent["playlist"][0])
    assert stored is not None and stored.title == "Bão số 5"
    amplifier = pin_timeline(pins.pin(17))
    off = next(at for at, on in amplifier if not on and at >= cut_at)
    zone_two = [at for at, on in pin_timeline(pins.pin(22)) if on]
    assert zone_two and zone_two[0] > off, "a zone switched while the amplifier was on"
    assert amplifier[-1][1] is False  # everything off at the end
    received = [r for r in box.log.entries() if r.get("event") == "bulletin_received"]
    assert len(received) == 1 and bulletin_id in received[0]["note"]
    # the same bulletin again (a replay, or MQTT redelivering it) never airs twice
    spool(province, province.sent_bulletin(bulletin_id), [wire.down(box.identity, "bulletin")],
          "replay")
    wait_until(lambda: "refused" in states(province, box, bulletin_id), 30)
    assert acks(province, box, bulletin_id)[-1]["reason"] == "replay"
    assert len([r for r in box.log.entries() if r["kind"] == "session"]) == 2


def test_every_bad_bulletin_is_refused_logged_and_acknowledged_with_its_reason(
    province: Province, box: Box, daemon: StandInDaemon
) -> None:
    own = [wire.down(box.identity, "bulletin")]
    stranger = make_keypair()
    now = datetime.now(HCM)
    cases = {
        "unsigned": bulletin(id="unsigned-1"),
        "unknown_key": sign(bulletin(id="other-key-1"), stranger.private),
        "bad_signature": {**province.sign(id="edited-1"), "title": "Đã sửa sau khi ký"},
        "expired": province.sign(
            id="expired-1",
            valid_from=(now - timedelta(hours=3)).isoformat(),
            valid_until=(now - timedelta(hours=1)).isoformat(),
        ),
        "not_for_this_box": province.sign(id="other-commune-1", targets=["19544"]),
    }
    # sent as someone holding the province's broker account would: raw, no expiry
    province.collector.stop()
    sender = Client(province.broker, "province").connect(persistent=True)
    for document in cases.values():
        assert sender.publish(own[0], wire.encode(document)) == 0
    sender.disconnect()
    province.collector.start()
    wait_until(
        lambda: all("refused" in states(province, box, d["id"]) for d in cases.values()),
        60,
        lambda: province.store.acks(box.identity),
    )
    for reason, document in cases.items():
        [ack] = acks(province, box, document["id"])
        assert (ack["state"], ack["reason"]) == ("refused", reason)
        assert ack["message"].startswith("Từ chối bản tin")
    notes = refusals(box)
    assert len(notes) == len(cases)
    assert any("hết hiệu lực" in note for note in notes)
    assert any("không gửi cho đài này (19543/tram-1)" in note for note in notes)
    assert daemon.requests == []


def test_another_communes_bulletin_on_the_province_topic_is_not_acknowledged(
    province: Province, box: Box, daemon: StandInDaemon
) -> None:
    """Decision: 3,500 boxes each refusing another commune's bulletin would flood the
    province; a box says nothing about one seen on the province-wide topic."""
    mine = province.sign(id="for-19543", targets=["19543"])
    theirs = province.sign(id="for-19544", targets=["19544"])
    spool(province, theirs, [wire.BROADCAST], "theirs")
    spool(province, mine, [wire.BROADCAST], "mine")  # after it: once this one is done,
    wait_until(lambda: "aired" in states(province, box, "for-19543"), 60)  # so is that one
    assert acks(province, box, "for-19544") == [] and refusals(box) == []
    assert [r["reason"] for r in daemon.requests] == ["Cảnh báo lũ [for-19543]"]


def test_an_offline_box_gets_a_bulletin_still_valid_on_reconnect_never_an_expired_one(
    province: Province, box: Box, daemon: StandInDaemon
) -> None:
    box.link.stop()  # the 4G link is down for a while
    now = datetime.now(HCM)
    short = province.sign(id="short-1", valid_until=(now + timedelta(seconds=4)).isoformat())
    long = province.sign(id="long-1")
    own = [wire.down(box.identity, "bulletin")]
    spool(province, short, own, "short")
    spool(province, long, own, "long")
    wait_until(lambda: not province.store.bulletins_waiting(), 20)
    time.sleep(max(0.0, (datetime.fromisoformat(short["valid_until"]) - datetime.now(HCM))
                   .total_seconds()) + 1)
    box.link.start()
    wait_until(lambda: "aired" in states(province, box, "long-1"), 60, lambda: box.link.text)
    assert [r["reason"] for r in daemon.requests] == ["Cảnh báo lũ [long-1]"]
    # the broker dropped the expired one (message expiry); had it come, it would be refused
    assert states(province, box, "short-1") in ([], ["refused"])


def test_a_priority_bulletin_becomes_a_campaign_for_the_days_its_window_holds(
    province: Province, box: Box, daemon: StandInDaemon, tmp_path: Path
) -> None:
    from datetime import time as clock

    from firmware_host.schedules import reader

    day = (datetime.now(HCM) + timedelta(days=1)).date()
    valid_from = datetime.combine(day, clock(6, 0), HCM)
    valid_until = datetime.combine(day + timedelta(days=2), clock(7, 0), HCM)  # 17:00 is out
    clip = make_tone(tmp_path / "tiem-chung.mp3", seconds=1.0)
    sent = send(province, "--tier", "uu-tien", "--title", "Tiêm chủng", "--clip", str(clip),
                "--times", "06:30,17:00", "--repeat", "2", "--zones", "thon-1",
                "--from", valid_from.isoformat(), "--until", valid_until.isoformat())
    bulletin_id = sent["id"]
    path = box.config.scheduler.schedules_dir / f"tinh-{bulletin_id}.toml"
    wait_until(lambda: len(states(province, box, bulletin_id)) >= 2, 60, lambda: box.link.text)
    first, second = acks(province, box, bulletin_id)[:2]
    assert first["state"] == "received"
    if "tier" not in reader.CAMPAIGN_KEYS:
        # the schedule reader does not know campaign tiers yet (issue 12): the check
        # refuses the file, which is removed, and the province is told why
        assert (second["state"], second["reason"]) == ("refused", "schedule_refused")
        assert "tier" in second["message"] and not path.exists()
        return
    assert second["state"] == "scheduled"
    assert (second["first_day"], second["last_day"]) == (
        day.isoformat(), (day + timedelta(days=1)).isoformat()
    )
    text = path.read_text("utf-8")
    assert 'tier = "uu-tien"' in text and f"start = {day.isoformat()}" in text
    assert daemon.requests[-1] == {**daemon.requests[-1], "op": "reload"}
    # the daemon plays it at 06:30: the province hears it was aired, with the entry
    at = datetime.combine(day, clock(6, 30), HCM)
    log = PlayLog(box.config.log_dir, HCM)
    session = log.start_session(
        trigger="schedule", scheduled=at, started=at, campaign="Tiêm chủng", slot="06:30",
        zones=["thon-1"], playlist=["x"], plan_key=f"{path.name}#06:30@{at.isoformat()}",
    )
    log.finish(session, "completed", ended=at, seconds=20.0)
    log.close()
    wait_until(lambda: "aired" in states(province, box, bulletin_id), 30)
    entry = acks(province, box, bulletin_id)[-1]["entry"]
    assert (entry["month"], entry["entry"]) == (session.month, session.doc_id)
