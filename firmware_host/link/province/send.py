"""``loaxa province keys`` and ``loaxa province send``: the province's signing key and bulletins.

The private key is made on the province's machine, written there once (mode 0600, never
overwritten) and read only to sign: it never leaves that machine. The boxes hold the
public key, which ``keys`` prints for their ``[link] province_keys``.

``send`` builds a bulletin (:mod:`firmware_host.link.bulletins`), signs it, and leaves it
in the store's ``outbox/`` for the running collector to publish (see
:mod:`.collector`: only that process may hold the ``province`` session). A bulletin for
every box goes on the province-wide topic; one for some communes or stations goes on the
topic of each box of theirs the province has heard from, so no other box sees it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from firmware_host.config import Config
from firmware_host.link import bulletins, wire
from firmware_host.link.bulletins import BoxIdentity
from firmware_host.link.province.store import ProvinceStore
from firmware_host.messages import LoaxaError, error_text
from firmware_host.store import write_atomically

DEFAULT_HOURS = 24


def make_keys(path: Path) -> str:
    """A new key pair: the private key written to *path* (0600), the public key returned."""
    pair = bulletins.make_keypair()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    except FileExistsError:
        raise LoaxaError("province.key_exists", path=path) from None
    except OSError as exc:
        raise LoaxaError("province.key_unwritable", path=path, detail=error_text(exc)) from exc
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(pair.private + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return pair.public


def public_key_of(path: Path) -> str:
    """The public key of the private key in *path* (to print it again for a new box)."""
    private = bulletins.private_key_from_text(_read_key(path))
    raw = private.public_key().public_bytes_raw()
    return base64.b64encode(raw).decode("ascii")


def _read_key(path: Path) -> str:
    try:
        return Path(path).read_text("ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise LoaxaError("province.key_unreadable", path=path, detail=error_text(exc)) from exc


@dataclass(frozen=True)
class Audio:
    """What a bulletin plays: a local clip (embedded, or published at *url*) or a text."""

    clip: Path | None = None
    url: str | None = None
    text: str | None = None
    language: str = "vi"

    def content(self) -> dict[str, Any]:
        if self.text is not None:
            return {"kind": "text", "text": self.text, "language": self.language}
        if self.clip is None:
            raise LoaxaError("province.no_audio")
        fmt = self.clip.suffix.lower().lstrip(".")
        if fmt not in bulletins.FORMATS:
            raise LoaxaError(
                "province.bad_format", file=self.clip, formats=", ".join(bulletins.FORMATS)
            )
        try:
            data = self.clip.read_bytes()
        except OSError as exc:
            raise LoaxaError("file.unreadable", path=self.clip, detail=error_text(exc)) from exc
        if self.url is None:
            return {"kind": "clip", "format": fmt, "data": base64.b64encode(data).decode("ascii")}
        return {
            "kind": "url",
            "url": self.url,
            "sha256": hashlib.sha256(data).hexdigest(),
            "bytes": len(data),
            "format": fmt,
        }


def build(
    config: Config,
    *,
    tier: str,
    title: str,
    audio: Audio,
    targets: str | Sequence[str] = "all",
    zones: str | Sequence[str] = "all",
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    times: Sequence[str] = (),
    repeat: int = 1,
    bulletin_id: str | None = None,
    issuer: str | None = None,
) -> dict[str, Any]:
    """An unsigned bulletin with the defaults the officer need not type."""
    now = datetime.now(config.timezone)
    start = valid_from or now
    return {
        "v": bulletins.VERSION,
        "id": bulletin_id or f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}",
        "issuer": issuer or config.province.issuer or config.commune.province,
        "title": title,
        "tier": tier,
        "targets": targets if targets == "all" else list(targets),
        "zones": zones if zones == "all" else list(zones),
        "valid_from": start.isoformat(timespec="seconds"),
        "valid_until": (valid_until or start + timedelta(hours=DEFAULT_HOURS)).isoformat(
            timespec="seconds"
        ),
        **({"times": list(times)} if times else {}),
        "repeat": repeat,
        "content": audio.content(),
    }


def topics_for(store: ProvinceStore, targets: str | Sequence[str]) -> tuple[list[str], list[str]]:
    """(topics, targets no known box answers to). The broker queues for a box with a
    session, so a box never heard from cannot receive a bulletin on its own topic yet."""
    if targets == "all":
        return [wire.BROADCAST], []
    known = store.boxes()
    topics: list[str] = []
    unknown: list[str] = []
    for target in targets:
        commune, _, station = target.partition("/")
        matched = [b for b in known if b.commune == commune and station in ("", b.station)]
        if not matched and station:
            matched = [BoxIdentity(commune, station)]  # its session may exist: try
            unknown.append(target)
        elif not matched:
            unknown.append(target)
        topics += [
            wire.down(b, "bulletin") for b in matched if wire.down(b, "bulletin") not in topics
        ]
    return topics, unknown


@dataclass(frozen=True)
class Sent:
    bulletin: dict[str, Any]
    topics: list[str]
    unknown: list[str]
    spooled: Path
    published: dict[str, Any] | None  # the collector's record once it published


def send(config: Config, bulletin: dict[str, Any], *, wait: float = 15.0) -> Sent:
    """Sign *bulletin* and leave it for the collector; wait up to *wait* s for it to go out."""
    signed = bulletins.sign(bulletin, _read_key(config.province.private_key_file))
    store = ProvinceStore(config.province.store, config.timezone)
    topics, unknown = topics_for(store, signed["targets"])
    if not topics:
        raise LoaxaError("province.no_box", targets=", ".join(unknown))
    name = f"{signed['id']}.json"
    if (store.sent / name).exists() or (store.outbox / name).exists():
        raise LoaxaError("province.id_used", id=signed["id"])
    spooled = store.outbox / name
    record = {
        "bulletin": signed,
        "topics": topics,
        "spooled_at": datetime.now(config.timezone).isoformat(timespec="seconds"),
    }
    write_atomically(spooled, json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8"))
    deadline = time.monotonic() + wait
    published = None
    while time.monotonic() < deadline:
        try:
            published = json.loads((store.sent / name).read_text("utf-8"))
            break
        except (FileNotFoundError, ValueError):
            time.sleep(0.2)
    return Sent(signed, topics, unknown, spooled, published)
