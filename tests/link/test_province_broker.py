"""The province broker as shipped (hardware/province/): queues that survive, last wills, the ACL.

A real Mosquitto runs from the shipped configuration with accounts made by the shipped
script (see ``tests/mosquitto.py``); everything is on 127.0.0.1.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.mosquitto import CREDENTIALS, Client, Mosquitto, running_broker, will_process

pytestmark = pytest.mark.skipif(
    not (shutil.which("mosquitto") and shutil.which("mosquitto_passwd")),
    reason="mosquitto not installed (bash scripts/dev.sh setup installs it)",
)

UP = "loaxa/+/+/up/#"


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Mosquitto]:
    with running_broker(tmp_path / "broker") as broker:
        broker.add_account("box", "19543", "tram-1")
        broker.add_account("box", "19543", "tram-2")
        broker.restart()  # the accounts are read at start (on a province: systemctl reload)
        yield broker


def test_the_script_makes_nothing_on_a_dry_run(tmp_path: Path) -> None:
    target = tmp_path / "etc"
    for args in (["init", "--host", "mqtt.tinh.vn"], ["box", "19543", "tram-1"], ["collector"]):
        result = subprocess.run(
            ["bash", str(CREDENTIALS), "--dry-run", "--dir", str(target), *args],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode == 0, result.stderr
        assert "+ " in result.stderr and "dry run" in result.stderr
    assert not target.exists()
    assert result.stdout == "province ***\n"  # no password is printed that nobody keeps
    bad = subprocess.run(
        ["bash", str(CREDENTIALS), "--dir", str(target), "box", "Xã 1", "a"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert bad.returncode == 2 and "lowercase" in bad.stderr


def test_a_queued_message_survives_the_subscriber_offline_and_a_broker_restart(
    broker: Mosquitto,
) -> None:
    collector = Client(broker, "province").connect(persistent=True)
    collector.subscribe(UP)
    collector.disconnect()  # the province's machine goes offline; its session stays
    box = Client(broker, "19543/tram-1").connect()
    assert box.publish("loaxa/19543/tram-1/up/log", b'{"seq": 1}') == 0
    box.disconnect()
    broker.restart()  # a clean restart (systemctl restart): the queue is on disk
    assert (broker.root / "data" / "mosquitto.db").exists()
    collector = Client(broker, "province").connect(persistent=True)
    assert collector.session_present is True
    got = collector.expect(b'{"seq": 1}')
    assert [m.topic for m in got] == ["loaxa/19543/tram-1/up/log"]
    collector.disconnect()


def test_the_last_will_marks_a_killed_box_offline(broker: Mosquitto) -> None:
    collector = Client(broker, "province").connect()
    collector.subscribe("loaxa/+/+/up/status")
    link = will_process(broker, "19543/tram-1")
    try:
        assert link.stdout.readline().strip() == "ready"
        assert collector.expect(b"online")[-1].topic == "loaxa/19543/tram-1/up/status"
    finally:
        link.kill()  # kill -9: no DISCONNECT is sent, the broker sends the will
        link.wait(timeout=10)
    assert collector.expect(b"offline")[-1].topic == "loaxa/19543/tram-1/up/status"
    later = Client(broker, "province").connect()
    later.subscribe("loaxa/+/+/up/status")
    status = later.expect(b"offline")
    assert status[-1].retain and [m.payload for m in status] == [b"offline"]
    collector.disconnect()
    later.disconnect()


def test_a_box_cannot_write_as_another_box_nor_send_bulletins(broker: Mosquitto) -> None:
    collector = Client(broker, "province").connect()
    collector.subscribe(UP)
    other = Client(broker, "19543/tram-2").connect()
    other.subscribe("loaxa/19543/tram-2/down/#", "loaxa/broadcast/down/#")
    box = Client(broker, "19543/tram-1").connect()
    box.subscribe("loaxa/#")  # reading everything is asked; only its own share is given

    denied = 135  # MQTT 5 "not authorized", in the PUBACK: the broker dropped the message
    assert box.publish("loaxa/19543/tram-2/up/log", b"forged entry") == denied
    assert box.publish("loaxa/19543/tram-2/down/bulletin", b"forged bulletin") == denied
    assert box.publish("loaxa/broadcast/down/bulletin", b"forged broadcast") == denied
    assert box.publish("loaxa/19543/tram-1/down/bulletin", b"self-sent bulletin") == denied
    assert box.publish("loaxa/19543/tram-1/up/log", b"own entry") == 0

    # What was allowed arrives, after anything forged would have (same broker, same order).
    assert [m.payload for m in collector.expect(b"own entry")] == [b"own entry"]
    assert other.publish("loaxa/19543/tram-2/up/log", b"tram-2 entry") == 0
    assert collector.publish("loaxa/19543/tram-2/down/bulletin", b"signed bulletin") == 0
    assert collector.publish("loaxa/broadcast/down/bulletin", b"signed broadcast") == 0
    assert [m.payload for m in other.expect(b"signed broadcast")] == [
        b"signed bulletin",
        b"signed broadcast",
    ]
    assert [m.payload for m in collector.expect(b"tram-2 entry")] == [b"tram-2 entry"]
    # tram-1 read only the broadcast: not tram-2's entry, not tram-2's bulletin
    assert [m.payload for m in box.expect(b"signed broadcast")] == [b"signed broadcast"]
    assert box.messages.empty() and other.messages.empty() and collector.messages.empty()
    for client in (collector, other, box):
        client.disconnect()


def test_boxes_connect_over_tls_with_the_province_authority_only(
    broker: Mosquitto, tmp_path: Path
) -> None:
    collector = Client(broker, "province").connect()
    collector.subscribe(UP)
    box = Client(broker, "19543/tram-1", tls=True).connect(host="localhost")
    assert box.publish("loaxa/19543/tram-1/up/log", b"over tls") == 0
    assert collector.expect(b"over tls")[-1].topic == "loaxa/19543/tram-1/up/log"
    box.disconnect()
    # a broker presenting a certificate from another authority is not trusted
    subprocess.run(
        ["bash", str(CREDENTIALS), "--dir", str(tmp_path / "other"), "init", "--host", "localhost"],
        capture_output=True,
        check=True,
        timeout=60,
    )
    stranger = Client(broker, "19543/tram-1", tls=True, ca_file=tmp_path / "other" / "ca.crt")
    with pytest.raises(ssl.SSLCertVerificationError):
        stranger.connect(host="localhost")
    collector.disconnect()


def test_a_wrong_password_is_refused(broker: Mosquitto) -> None:
    broker.accounts["19543/tram-1"] = "not the password"
    with pytest.raises(PermissionError, match=r"Not authorized|Bad user name or password"):
        Client(broker, "19543/tram-1").connect()
