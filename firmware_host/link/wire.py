"""What travels between a box and the province: topics, message shapes, the MQTT session.

One broker per province (``hardware/province/``). A box's account is ``<commune>/<station>``
and everything it says is under ``loaxa/<commune>/<station>/up/…``; the province answers
under ``…/down/…`` and speaks to every box on ``loaxa/broadcast/down/…``. The broker's
ACL makes that so; the messages are still parsed as untrusted input on both sides (a
box's password can be stolen, the province's keys are what a box trusts).

Up (box → province), all QoS 1:

* ``up/status`` (retained): what the box is doing (:func:`status_message`); the last
  will, retained too, says ``{"online": false}`` when the box vanishes.
* ``up/log``: a batch of hash-chain events of one month and the box's head of that
  month (:func:`log_batch`). The log is the outbox: the box resends from what the
  province acknowledged, the province keeps each event once (by month and ``seq``,
  i.e. each entry by its id).
* ``up/ack``: what became of a bulletin (:func:`bulletin_ack`).

Down (province → box), QoS 1, queued by the broker while the box is offline:

* ``down/bulletin`` and ``loaxa/broadcast/down/bulletin``: a signed bulletin
  (:mod:`firmware_host.link.bulletins`).
* ``down/log-ack``: what the province now holds of a month (:func:`log_ack`); only this
  moves the box's cursor, never the broker's PUBACK (a broker that loses power loses up
  to a minute of acknowledged messages).

Sessions are persistent (MQTT 5 session expiry :data:`SESSION_EXPIRY`, clean start off),
so the broker queues for whoever is offline.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from firmware_host.canonical import parse
from firmware_host.config import BrokerSettings
from firmware_host.link.bulletins import BoxIdentity
from firmware_host.messages import LoaxaError, error_text

VERSION = 1
ROOT = "loaxa"
BROADCAST = f"{ROOT}/broadcast/down/bulletin"
COLLECTOR_TOPICS = (f"{ROOT}/+/+/up/#",)
SESSION_EXPIRY = 100 * 24 * 3600  # seconds: longer than a bulletin can be valid (92 days)
MAX_BATCH_EVENTS = 200
MAX_BATCH_BYTES = 256 * 1024
MAX_MESSAGE_BYTES = 4 * 1024 * 1024  # the broker's max_packet_size
UP_KINDS = ("status", "log", "ack")
ACK_STATES = ("received", "scheduled", "aired", "failed", "refused")


class BadMessage(ValueError):
    """A message that does not have the shape its topic promises (stays that message's)."""


def up(box: BoxIdentity, kind: str) -> str:
    return f"{ROOT}/{box.name}/up/{kind}"


def down(box: BoxIdentity, kind: str) -> str:
    return f"{ROOT}/{box.name}/down/{kind}"


def box_topics(box: BoxIdentity) -> tuple[str, ...]:
    """What a box subscribes to: its own down topics and the province-wide bulletins."""
    return (f"{ROOT}/{box.name}/down/#", BROADCAST)


def parse_up_topic(topic: str) -> tuple[BoxIdentity, str] | None:
    """``loaxa/19543/tram-1/up/log`` → (the box, ``log``); None for anything else."""
    parts = topic.split("/")
    if len(parts) != 5 or parts[0] != ROOT or parts[3] != "up" or parts[4] not in UP_KINDS:
        return None
    try:
        return BoxIdentity(parts[1], parts[2]), parts[4]
    except ValueError:
        return None


# -- the MQTT session -------------------------------------------------------------------------


def read_password(path: Any) -> str:
    """The account's password from its file (first line); LoaxaError naming the file."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read(4096)
    except (OSError, UnicodeDecodeError) as exc:
        raise LoaxaError("link.password_unreadable", path=path, detail=error_text(exc)) from exc
    password = text.strip().splitlines()[0].strip() if text.strip() else ""
    if not password:
        raise LoaxaError("link.password_unreadable", path=path, detail="—")
    return password


def make_client(
    broker: BrokerSettings,
    account: str,
    *,
    will: tuple[str, bytes] | None = None,
) -> Any:
    """A paho MQTT 5 client for *account* (its client id too: the broker enforces that),
    with TLS against the province's CA when configured. Not yet connected."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=account, protocol=mqtt.MQTTv5)
    client.username_pw_set(account, read_password(broker.password_file))
    if broker.tls:
        if not broker.ca_file.is_file():
            raise LoaxaError("link.ca_missing", path=broker.ca_file)
        client.tls_set(ca_certs=str(broker.ca_file), tls_version=ssl.PROTOCOL_TLS_CLIENT)
    if will is not None:
        client.will_set(will[0], will[1], qos=1, retain=True)
    client.reconnect_delay_set(min_delay=1, max_delay=60)
    client.max_inflight_messages_set(20)
    return client


def connect_properties() -> Any:
    """CONNECT properties of a persistent session: the broker queues while we are away."""
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    properties = Properties(PacketTypes.CONNECT)
    properties.SessionExpiryInterval = SESSION_EXPIRY
    return properties


def expiry_properties(seconds: float) -> Any:
    """PUBLISH properties: the broker drops the message after *seconds* (an expired bulletin
    is never delivered to a box that comes back too late)."""
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    properties = Properties(PacketTypes.PUBLISH)
    properties.MessageExpiryInterval = max(1, int(seconds))
    return properties


# -- messages -----------------------------------------------------------------------------------


def encode(message: Mapping[str, Any]) -> bytes:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode(payload: bytes) -> dict[str, Any]:
    """A message object, or BadMessage."""
    if len(payload) > MAX_MESSAGE_BYTES:
        raise BadMessage(f"{len(payload)} bytes")
    try:
        data = parse(payload)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise BadMessage(str(exc)[:200]) from None
    if not isinstance(data, dict) or data.get("v") != VERSION:
        raise BadMessage("not a version 1 object")
    return data


def log_batch(
    box: BoxIdentity, month: str, events: Sequence[Mapping[str, Any]], head: Mapping[str, Any]
) -> dict[str, Any]:
    """Events of *month* in order, and the box's head of that month as far as it has read."""
    return {"v": VERSION, "box": box.name, "month": month, "events": list(events), "head": head}


@dataclass(frozen=True)
class Batch:
    month: str
    events: list[Any]  # each checked by the province's ChainWriter.ingest_many
    head: dict[str, Any] | None


def read_batch(data: Mapping[str, Any]) -> Batch:
    month, events, head = data.get("month"), data.get("events"), data.get("head")
    if not isinstance(month, str) or not isinstance(events, list):
        raise BadMessage("a log batch has a month and a list of events")
    return Batch(month, events, head if isinstance(head, dict) else None)


def log_ack(
    month: str, held: Mapping[str, Any] | None, refused: LoaxaError | None = None
) -> dict[str, Any]:
    """What the province holds of *month* after a batch; *refused* names a break in it."""
    message: dict[str, Any] = {"v": VERSION, "month": month, "held": held}
    if refused is not None:
        message["refused"] = {"key": refused.key, "message": str(refused)}
    return message


def bulletin_ack(
    box: BoxIdentity, bulletin_id: str, state: str, at: str, **details: Any
) -> dict[str, Any]:
    """``received`` | ``scheduled`` (a campaign file) | ``aired`` (with the log entry) |
    ``failed`` (it went on air and did not complete: the entry says why) | ``refused``
    (with ``reason`` and the box's ``message``)."""
    if state not in ACK_STATES:
        raise ValueError(state)
    return {
        "v": VERSION,
        "box": box.name,
        "bulletin": bulletin_id,
        "state": state,
        "at": at,
        **details,
    }


def offline_status(box: BoxIdentity) -> dict[str, Any]:
    """The last will: the broker publishes it (retained) when the box vanishes."""
    return {"v": VERSION, "box": box.name, "online": False}
