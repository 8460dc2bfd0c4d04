"""Bulletins from the province: a signed JSON document, checked field by field before anything airs.

A bulletin reaches the box over a broker that many parties can publish to by mistake
or on purpose, so the broker's ACL is not what the box trusts: it trusts only an Ed25519
signature by a key listed in ``loaxa.toml``, over the whole document. Everything else a
bulletin says (who it is for, when it is valid, what to play) counts only once the
signature holds, and every field is then checked, because a valid signature on a
malformed document is still a malformed document. A refusal is a value, never an
exception: a broken message must not stop the link, and the province is told why in
the refusal ack (``Refused.reason``).

The wire format (version 1), one JSON object::

    {"v": 1,
     "id": "qt-2026-0042",                     # 1-64 of A-Z a-z 0-9 . _ - ; unique
     "issuer": "Sở VHTTDL tỉnh Quảng Trị",      # who sends it, 1-200 characters
     "title": "Cảnh báo bão số 5",             # the campaign name / emergency reason
     "tier": "khan-cap",                       # "thuong" | "uu-tien" | "khan-cap"
     "targets": "all" | ["19543", "19543/tram-2"],   # communes, or commune/station
     "zones": "all" | ["thon-1", "thon-2"],
     "valid_from": "2026-09-05T06:00:00+07:00",      # ISO 8601 with offset
     "valid_until": "2026-09-06T06:00:00+07:00",     # after valid_from, within 92 days
     "times": ["06:30", "17:00"],              # daily times: thuong and uu-tien only
     "repeat": 2,                              # optional, 1-10 plays per airing
     "content": {"kind": "clip", "format": "mp3", "data": "<base64>"}     # <= 2 MiB
              | {"kind": "url", "url": "https://…", "sha256": "<hex>", "bytes": n,
                 "format": "mp3"}                                          # <= 50 MiB
              | {"kind": "text", "text": "…", "language": "vi"},          # for TTS
     "signer": "<base64 of the 32-byte Ed25519 public key>",
     "signature": "<base64 of the 64-byte Ed25519 signature>"}

The signature is over the canonical form (:mod:`firmware_host.canonical`: sorted keys,
no spaces, raw UTF-8, Python's float spelling) of the object without ``signature``;
``signer`` is inside what is signed, so a signature cannot be moved to another key.
Keys travel as text: standard base64 (with ``=`` padding) of the raw 32 bytes, which is
what ``loaxa province keys`` prints and ``loaxa.toml`` holds.

:func:`verify` is pure: it is given the keys, the box's identity, the time and the ids
already seen, and says ``Accepted`` or ``Refused``. On ``Accepted`` the caller records the
id in :class:`firmware_host.link.seen.SeenIds` *before* acting on it (at most once).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any, Literal
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from firmware_host.canonical import canonical, parse
from firmware_host.messages import LoaxaError, t

VERSION = 1
TIERS = ("thuong", "uu-tien", "khan-cap")
FORMATS = ("mp3", "wav", "ogg", "opus", "m4a", "flac")
MAX_MESSAGE_BYTES = 4 * 1024 * 1024  # refused before it is even parsed
MAX_CLIP_BYTES = 2 * 1024 * 1024  # a clip inside the message, decoded (~4 min of 64 kbit/s)
MAX_URL_BYTES = 50 * 1024 * 1024  # a clip the box downloads
MAX_TEXT_CHARS = 5000
MAX_VALIDITY = timedelta(days=92)
MAX_TARGETS = 4000  # every commune of the country fits
MAX_ZONES = 64
MAX_TIMES = 24
MAX_REPEAT = 10

REQUIRED = (
    "v",
    "id",
    "issuer",
    "title",
    "tier",
    "targets",
    "zones",
    "valid_from",
    "valid_until",
    "content",
    "signer",
)
OPTIONAL = ("times", "repeat")
CONTENT_FIELDS = {
    "clip": ("kind", "format", "data"),
    "url": ("kind", "url", "sha256", "bytes", "format"),
    "text": ("kind", "text", "language"),
}
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")  # a commune code or a station id
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

Reason = Literal[
    "oversized",
    "malformed",
    "unsigned",
    "unknown_key",
    "bad_signature",
    "not_for_this_box",
    "not_yet_valid",
    "expired",
    "replay",
]


@dataclass(frozen=True)
class BoxIdentity:
    """Who a box is on the link: its commune's code and its station id within the commune."""

    commune: str
    station: str

    def __post_init__(self) -> None:
        if not (_NAME.match(self.commune) and _NAME.match(self.station)):
            raise ValueError(f"commune and station must match {_NAME.pattern}")
        if self.commune == "broadcast":
            raise ValueError("'broadcast' is not a commune")

    @property
    def name(self) -> str:
        """``commune/station``: the MQTT username and the middle of every topic of the box."""
        return f"{self.commune}/{self.station}"

    def is_target(self, targets: str | tuple[str, ...]) -> bool:
        return targets == "all" or self.commune in targets or self.name in targets


@dataclass(frozen=True)
class ClipContent:
    format: str
    data: bytes
    kind: Literal["clip"] = "clip"


@dataclass(frozen=True)
class UrlContent:
    url: str
    sha256: str
    bytes: int
    format: str
    kind: Literal["url"] = "url"


@dataclass(frozen=True)
class TextContent:
    text: str
    language: str
    kind: Literal["text"] = "text"


@dataclass(frozen=True)
class Bulletin:
    id: str
    issuer: str
    title: str
    tier: str
    targets: str | tuple[str, ...]
    zones: str | tuple[str, ...]
    valid_from: datetime
    valid_until: datetime
    times: tuple[time, ...]
    repeat: int
    content: ClipContent | UrlContent | TextContent
    signer: str


@dataclass(frozen=True)
class Accepted:
    bulletin: Bulletin


@dataclass(frozen=True)
class Refused:
    """Why a bulletin was not taken: ``reason`` goes back in the ack, ``message()`` to the log."""

    reason: Reason
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"bulletin.refused.{self.reason}"

    def message(self) -> str:
        params = dict(self.params)
        if "field" in params:
            params["rule"] = t(f"bulletin.rule.{params['field']}", **params)
        return t(self.key, **params)


class BulletinError(LoaxaError):
    """A bulletin the province is about to sign does not follow the format."""


class _Bad(Exception):
    def __init__(self, reason: Reason, **params: Any) -> None:
        super().__init__(reason)
        self.refused = Refused(reason, params)


# -- keys --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyPair:
    private: str  # base64 of the 32-byte private key: never leaves the province's machine
    public: str  # base64 of the 32-byte public key: goes into every box's loaxa.toml


def make_keypair() -> KeyPair:
    private = Ed25519PrivateKey.generate()
    return KeyPair(_b64(private.private_bytes_raw()), _b64(private.public_key().public_bytes_raw()))


def public_key_from_text(text: str) -> Ed25519PublicKey:
    """A public key as ``loaxa.toml`` holds it; LoaxaError naming the problem otherwise."""
    return Ed25519PublicKey.from_public_bytes(_key_bytes(text, "bulletin.bad_public_key"))


def private_key_from_text(text: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_key_bytes(text, "bulletin.bad_private_key"))


def _key_bytes(text: str, key: str) -> bytes:
    raw = _unb64(text.strip()) if isinstance(text, str) else None
    if raw is None or len(raw) != 32:
        raise LoaxaError(key)
    return raw


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes | None:
    """Strict standard base64 (padding, no whitespace), or None."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return None
    return raw if _b64(raw) == text else None


# -- signing (the province) --------------------------------------------------------------------


def sign(bulletin: Mapping[str, Any], private_key: str) -> dict[str, Any]:
    """*bulletin* with ``signer`` and ``signature`` set; BulletinError if it is malformed."""
    key = private_key_from_text(private_key)
    document = {k: v for k, v in bulletin.items() if k not in ("signer", "signature")}
    document["signer"] = _b64(key.public_key().public_bytes_raw())
    try:
        _parse(document, max_clip_bytes=MAX_CLIP_BYTES)
        message = canonical(document)
    except _Bad as bad:
        raise BulletinError("bulletin.cannot_sign", problem=bad.refused.message()) from None
    except ValueError as exc:
        problem = Refused("malformed", {"field": "json", "detail": str(exc)[:200]}).message()
        raise BulletinError("bulletin.cannot_sign", problem=problem) from None
    document["signature"] = _b64(key.sign(message))
    return document


# -- verification (the box) --------------------------------------------------------------------


def verify(
    signed: bytes | str | Mapping[str, Any],
    public_keys: Iterable[str],
    *,
    box_identity: BoxIdentity,
    now: datetime,
    seen_ids: Container[str],
    max_clip_bytes: int = MAX_CLIP_BYTES,
) -> Accepted | Refused:
    """Accept *signed* (the message as received, or its parsed object) or say why not.

    Order: size, JSON, signature present, signer known, signature valid, every field,
    addressed to this box, valid now, not seen before. A normal or priority bulletin may
    come before its window opens (a campaign announced ahead): the box airs it only
    inside the window; an emergency must be valid now, it airs at once.
    """
    if now.tzinfo is None:
        raise ValueError("now must carry its offset")
    try:
        return Accepted(_verify(signed, public_keys, box_identity, now, seen_ids, max_clip_bytes))
    except _Bad as bad:
        return bad.refused
    except Exception as exc:  # whatever a message does, it never crashes the link
        return Refused("malformed", {"field": "json", "detail": repr(exc)[:200]})


def _verify(
    signed: Any,
    public_keys: Iterable[str],
    box: BoxIdentity,
    now: datetime,
    seen_ids: Container[str],
    max_clip_bytes: int,
) -> Bulletin:
    if isinstance(signed, bytes | str):
        size = len(signed.encode("utf-8")) if isinstance(signed, str) else len(signed)
        if size > MAX_MESSAGE_BYTES:
            raise _Bad("oversized", size=size, limit=MAX_MESSAGE_BYTES)
        try:
            signed = parse(signed)
        except (ValueError, RecursionError) as exc:
            raise _Bad("malformed", field="json", detail=str(exc)[:200]) from None
    if not isinstance(signed, Mapping):
        raise _Bad("malformed", field="json", detail="not an object")
    if "signature" not in signed or "signer" not in signed:
        raise _Bad("unsigned")
    signer, signature = signed["signer"], signed["signature"]
    if (
        not isinstance(signer, str)
        or (raw_signer := _unb64(signer)) is None
        or len(raw_signer) != 32
    ):
        raise _Bad("malformed", field="signer")
    known = set()
    for text in public_keys:
        raw = _unb64(text.strip())
        if raw is not None and len(raw) == 32:
            known.add(raw)
    if raw_signer not in known:
        raise _Bad("unknown_key", signer=signer)
    raw_signature = _unb64(signature) if isinstance(signature, str) else None
    if raw_signature is None or len(raw_signature) != 64:
        raise _Bad("bad_signature")
    document = {k: v for k, v in signed.items() if k != "signature"}
    try:
        message = canonical(document)
    except ValueError as exc:
        raise _Bad("malformed", field="json", detail=str(exc)[:200]) from None
    try:
        Ed25519PublicKey.from_public_bytes(raw_signer).verify(raw_signature, message)
    except InvalidSignature:
        raise _Bad("bad_signature") from None
    bulletin = _parse(document, max_clip_bytes=max_clip_bytes)
    if not box.is_target(bulletin.targets):
        raise _Bad("not_for_this_box", box=box.name)
    if now < bulletin.valid_from and bulletin.tier == "khan-cap":  # "at once", not later
        raise _Bad("not_yet_valid", valid_from=bulletin.valid_from.isoformat())
    if now >= bulletin.valid_until:
        raise _Bad("expired", valid_until=bulletin.valid_until.isoformat())
    if bulletin.id in seen_ids:
        raise _Bad("replay", id=bulletin.id)
    return bulletin


# -- the fields --------------------------------------------------------------------------------


def _parse(doc: Mapping[str, Any], *, max_clip_bytes: int) -> Bulletin:
    for name in REQUIRED:
        if name not in doc:
            raise _Bad("malformed", field=name)
    for name in doc:
        if name not in REQUIRED and name not in OPTIONAL and name != "signature":
            raise _Bad("malformed", field="unknown", name=str(name)[:40])
    if type(doc["v"]) is not int or doc["v"] != VERSION:
        raise _Bad("malformed", field="v")
    tier = doc["tier"]
    if tier not in TIERS:
        raise _Bad("malformed", field="tier")
    valid_from, valid_until = _moment(doc, "valid_from"), _moment(doc, "valid_until")
    if not valid_from < valid_until <= valid_from + MAX_VALIDITY:
        raise _Bad("malformed", field="window")
    times = _times(doc.get("times", []))
    if bool(times) == (tier == "khan-cap"):  # an emergency airs at once, the others say when
        raise _Bad("malformed", field="times")
    repeat = doc.get("repeat", 1)
    if type(repeat) is not int or not 1 <= repeat <= MAX_REPEAT:
        raise _Bad("malformed", field="repeat")
    return Bulletin(
        id=_match(doc, "id", _ID),
        issuer=_text(doc, "issuer", 200),
        title=_text(doc, "title", 200),
        tier=tier,
        targets=_names(doc, "targets", MAX_TARGETS, _target),
        zones=_names(doc, "zones", MAX_ZONES, _zone),
        valid_from=valid_from,
        valid_until=valid_until,
        times=times,
        repeat=repeat,
        content=_content(doc["content"], max_clip_bytes),
        signer=doc["signer"],
    )


def _match(doc: Mapping[str, Any], name: str, pattern: re.Pattern[str]) -> str:
    value = doc[name]
    if not isinstance(value, str) or not pattern.match(value):
        raise _Bad("malformed", field=name)
    return value


def _text(doc: Mapping[str, Any], name: str, limit: int) -> str:
    value = doc[name]
    if (
        not isinstance(value, str)
        or not value.strip()
        or len(value) > limit
        or _CONTROL.search(value)
    ):
        raise _Bad("malformed", field=name)
    return value


def _target(value: str) -> bool:
    commune, _, station = value.partition("/")
    return bool(_NAME.match(commune)) and (not station or bool(_NAME.match(station)))


def _zone(value: str) -> bool:
    return 0 < len(value) <= 64 and value.strip() == value and not _CONTROL.search(value)


def _names(
    doc: Mapping[str, Any], name: str, limit: int, valid: Callable[[str], bool]
) -> str | tuple[str, ...]:
    value = doc[name]
    if value == "all":
        return "all"
    if (
        not isinstance(value, list)
        or not 0 < len(value) <= limit
        or not all(isinstance(v, str) and valid(v) for v in value)
        or len(set(value)) != len(value)
    ):
        raise _Bad("malformed", field=name)
    return tuple(value)


def _moment(doc: Mapping[str, Any], name: str) -> datetime:
    value = doc[name]
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise _Bad("malformed", field=name)
    return moment


def _times(value: Any) -> tuple[time, ...]:
    if (
        not isinstance(value, list)
        or len(value) > MAX_TIMES
        or not all(isinstance(v, str) and _TIME.match(v) for v in value)
        or value != sorted(set(value))
    ):
        raise _Bad("malformed", field="times")
    return tuple(time.fromisoformat(v) for v in value)


def _content(value: Any, max_clip_bytes: int) -> ClipContent | UrlContent | TextContent:
    if not isinstance(value, Mapping) or value.get("kind") not in CONTENT_FIELDS:
        raise _Bad("malformed", field="content")
    kind = value["kind"]
    if set(value) != set(CONTENT_FIELDS[kind]):
        raise _Bad("malformed", field="content")
    if kind == "text":
        text, language = value["text"], value["language"]
        if not isinstance(text, str) or not text.strip() or "\x00" in text:
            raise _Bad("malformed", field="text")
        if len(text) > MAX_TEXT_CHARS:
            raise _Bad("oversized", size=len(text), limit=MAX_TEXT_CHARS)
        if not isinstance(language, str) or not _LANGUAGE.match(language):
            raise _Bad("malformed", field="language")
        return TextContent(text, language)
    if value["format"] not in FORMATS:
        raise _Bad("malformed", field="format")
    if kind == "clip":
        data = value["data"]
        if not isinstance(data, str):
            raise _Bad("malformed", field="data")
        if len(data) > (max_clip_bytes + 2) // 3 * 4:
            raise _Bad("oversized", size=len(data) // 4 * 3, limit=max_clip_bytes)
        raw = _unb64(data)
        if not raw:
            raise _Bad("malformed", field="data")
        if len(raw) > max_clip_bytes:
            raise _Bad("oversized", size=len(raw), limit=max_clip_bytes)
        return ClipContent(value["format"], raw)
    url, digest, size = value["url"], value["sha256"], value["bytes"]
    if not isinstance(url, str) or not _https(url):
        raise _Bad("malformed", field="url")
    if not isinstance(digest, str) or not _HEX64.match(digest):
        raise _Bad("malformed", field="sha256")
    if type(size) is not int or size < 1:
        raise _Bad("malformed", field="bytes")
    if size > MAX_URL_BYTES:
        raise _Bad("oversized", size=size, limit=MAX_URL_BYTES)
    return UrlContent(url, digest, size, value["format"])


def _https(url: str) -> bool:
    if len(url) > 2048 or _CONTROL.search(url) or " " in url:
        return False
    try:
        parts = urlsplit(url)
        port = parts.port  # ValueError on a bad port
    except ValueError:
        return False
    return (
        parts.scheme == "https"
        and bool(parts.hostname)
        and parts.username is None
        and parts.password is None
        and port != 0
    )
