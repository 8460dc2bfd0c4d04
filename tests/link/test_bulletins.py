"""Bulletins from the province: signed with real Ed25519 keys, refused for every reason there is.

Each refusal is checked through what the box would do with it: the reason that goes
back in the ack, and the sentence the log keeps, in Vietnamese and in English.
"""

from __future__ import annotations

import base64
import io
import json
import wave
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from firmware_host import messages
from firmware_host.canonical import canonical
from firmware_host.link.bulletins import (
    MAX_MESSAGE_BYTES,
    MAX_URL_BYTES,
    Accepted,
    BoxIdentity,
    BulletinError,
    ClipContent,
    Refused,
    TextContent,
    UrlContent,
    make_keypair,
    public_key_from_text,
    sign,
    verify,
)
from firmware_host.link.seen import SeenIds
from firmware_host.messages import LoaxaError

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 9, 5, 8, 0, tzinfo=TZ)
PROVINCE = make_keypair()
STRANGER = make_keypair()
BOX = BoxIdentity("19543", "tram-1")


def tiny_wav() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x10" * 400)
    return buffer.getvalue()


def bulletin(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "v": 1,
        "id": "qt-2026-0042",
        "issuer": "Sở Văn hoá, Thể thao và Du lịch tỉnh Quảng Trị",
        "title": "Cảnh báo bão số 5",
        "tier": "khan-cap",
        "targets": ["19543"],
        "zones": "all",
        "valid_from": "2026-09-05T06:00:00+07:00",
        "valid_until": "2026-09-06T06:00:00+07:00",
        "repeat": 2,
        "content": {"kind": "clip", "format": "wav", "data": base64.b64encode(tiny_wav()).decode()},
    }
    doc.update(changes)
    return doc


def force_sign(doc: dict[str, Any], private: str = PROVINCE.private) -> dict[str, Any]:
    """Sign without the format check: a province tool with a bug, holding the real key."""
    key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(private))
    doc = dict(doc)
    doc.pop("signature", None)
    doc["signer"] = base64.b64encode(key.public_key().public_bytes_raw()).decode()
    doc["signature"] = base64.b64encode(key.sign(canonical(doc))).decode()
    return doc


def check(
    signed: Any, *, now: datetime = NOW, seen=frozenset(), box: BoxIdentity = BOX, **kwargs: Any
) -> Accepted | Refused:
    return verify(signed, [PROVINCE.public], box_identity=box, now=now, seen_ids=seen, **kwargs)


def refused(result: Accepted | Refused, reason: str, **params: Any) -> Refused:
    assert isinstance(result, Refused), result
    assert result.reason == reason, result.message()
    for name, value in params.items():
        assert result.params[name] == value, result.params
    vi = result.message()
    messages.set_language("en")
    en = result.message()
    messages.set_language("vi")
    assert vi.startswith(("Từ chối bản tin", "Từ chối")) and en.startswith("Bulletin")
    assert "{" not in vi + en
    return result


# -- accepted ----------------------------------------------------------------------------------


def test_a_signed_bulletin_for_this_box_is_accepted_with_every_field_read() -> None:
    signed = sign(bulletin(), PROVINCE.private)
    assert signed["signer"] == PROVINCE.public
    result = check(json.dumps(signed, ensure_ascii=False).encode())
    assert isinstance(result, Accepted), result
    b = result.bulletin
    assert (b.id, b.tier, b.targets, b.zones, b.repeat) == (
        "qt-2026-0042",
        "khan-cap",
        ("19543",),
        "all",
        2,
    )
    assert b.valid_until - b.valid_from == timedelta(days=1)
    assert isinstance(b.content, ClipContent) and b.content.data == tiny_wav()
    assert b.content.data[:4] == b"RIFF"


def test_text_and_url_contents_and_daily_times() -> None:
    text = sign(
        bulletin(
            tier="thuong",
            times=["06:30", "17:00"],
            targets="all",
            content={"kind": "text", "text": "Mời bà con đi tiêm chủng.", "language": "vi"},
        ),
        PROVINCE.private,
    )
    result = check(text)
    assert isinstance(result, Accepted) and isinstance(result.bulletin.content, TextContent)
    assert [str(t) for t in result.bulletin.times] == ["06:30:00", "17:00:00"]
    url = sign(
        bulletin(
            tier="uu-tien",
            times=["11:00"],
            targets=["19543/tram-1"],
            content={
                "kind": "url",
                "url": "https://tinh.example.vn/ban-tin/42.mp3",
                "sha256": "ab" * 32,
                "bytes": 480_000,
                "format": "mp3",
            },
        ),
        PROVINCE.private,
    )
    result = check(url)
    assert isinstance(result, Accepted) and isinstance(result.bulletin.content, UrlContent)


# -- refused -----------------------------------------------------------------------------------


def test_unsigned_is_refused() -> None:
    refused(check(bulletin()), "unsigned")
    signed = sign(bulletin(), PROVINCE.private)
    del signed["signer"]
    refused(check(signed), "unsigned")


def test_a_changed_bulletin_has_a_bad_signature() -> None:
    signed = sign(bulletin(), PROVINCE.private)
    signed["zones"] = ["thon-1"]
    result = refused(check(signed), "bad_signature")
    assert "chữ ký số không khớp" in result.message()
    garbled = sign(bulletin(), PROVINCE.private)
    garbled["signature"] = garbled["signature"][:-4]
    refused(check(garbled), "bad_signature")


def test_a_key_not_in_loaxa_toml_is_unknown() -> None:
    result = refused(
        check(sign(bulletin(), STRANGER.private)), "unknown_key", signer=STRANGER.public
    )
    assert STRANGER.public in result.message()
    # the same signature presented as the province's key is simply wrong
    moved = sign(bulletin(), STRANGER.private)
    moved["signer"] = PROVINCE.public
    refused(check(moved), "bad_signature")


def test_expired_and_not_yet_valid_are_refused() -> None:
    signed = sign(bulletin(), PROVINCE.private)
    refused(check(signed, now=datetime(2026, 9, 6, 6, 0, tzinfo=TZ)), "expired")
    refused(check(signed, now=datetime(2026, 9, 5, 5, 59, tzinfo=TZ)), "not_yet_valid")
    assert isinstance(check(signed, now=datetime(2026, 9, 5, 6, 0, tzinfo=TZ)), Accepted)
    # a programmed bulletin may come ahead of its window: its campaign airs inside it
    ahead = sign(bulletin(tier="uu-tien", times=["06:30"]), PROVINCE.private)
    assert isinstance(check(ahead, now=datetime(2026, 9, 1, 8, 0, tzinfo=TZ)), Accepted)


@pytest.mark.parametrize(
    ("targets", "taken"),
    [
        ("all", True),
        (["19543"], True),
        (["19543/tram-1"], True),
        (["19543/tram-2"], False),
        (["19544", "19545/tram-1"], False),
    ],
)
def test_a_bulletin_for_another_box_is_refused(targets: Any, taken: bool) -> None:
    result = check(sign(bulletin(targets=targets), PROVINCE.private))
    if taken:
        assert isinstance(result, Accepted)
    else:
        refused(result, "not_for_this_box", box="19543/tram-1")


def test_a_replay_is_refused_even_after_a_restart(tmp_path: Path) -> None:
    signed = sign(bulletin(), PROVINCE.private)
    seen = SeenIds(tmp_path / "link" / "seen.json")
    result = check(signed, seen=seen)
    assert isinstance(result, Accepted)
    seen.add(result.bulletin.id, result.bulletin.valid_until, now=NOW)
    after_restart = SeenIds(tmp_path / "link" / "seen.json")
    refused(check(signed, seen=after_restart), "replay", id="qt-2026-0042")


BAD_FIELDS = [
    ({"v": 2}, "v"),
    ({"v": True}, "v"),
    ({"id": "qt 42"}, "id"),
    ({"id": ""}, "id"),
    ({"issuer": " "}, "issuer"),
    ({"title": "a\x07b"}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"tier": "emergency"}, "tier"),
    ({"targets": []}, "targets"),
    ({"targets": "everyone"}, "targets"),
    ({"targets": ["19543", "19543"]}, "targets"),
    ({"targets": ["Xã 1"]}, "targets"),
    ({"zones": ["thon-1", "thon-1"]}, "zones"),
    ({"zones": [""]}, "zones"),
    ({"valid_from": "2026-09-05T06:00:00"}, "valid_from"),
    ({"valid_until": "mai"}, "valid_until"),
    ({"valid_until": "2026-09-05T05:00:00+07:00"}, "window"),
    ({"valid_until": "2026-12-25T06:00:00+07:00"}, "window"),
    ({"times": ["06:30"]}, "times"),  # an emergency has no times: it airs at once
    ({"tier": "thuong", "times": ["17:00", "06:30"]}, "times"),
    ({"tier": "uu-tien"}, "times"),  # a normal or priority one is programmed: it says when
    ({"tier": "thuong", "times": ["25:00"]}, "times"),
    ({"repeat": 0}, "repeat"),
    ({"repeat": True}, "repeat"),
    ({"repeat": 11}, "repeat"),
    ({"content": {"kind": "video", "data": "AA=="}}, "content"),
    ({"content": {"kind": "clip", "format": "wav", "data": "AAAA", "extra": 1}}, "content"),
    ({"content": {"kind": "clip", "format": "exe", "data": "AAAA"}}, "format"),
    ({"content": {"kind": "clip", "format": "wav", "data": "not base64!"}}, "data"),
    ({"content": {"kind": "clip", "format": "wav", "data": ""}}, "data"),
    ({"content": {"kind": "text", "text": "", "language": "vi"}}, "text"),
    ({"content": {"kind": "text", "text": "Chào", "language": "Tiếng Việt"}}, "language"),
    (
        {
            "content": {
                "kind": "url",
                "url": "http://tinh.vn/a.mp3",
                "sha256": "ab" * 32,
                "bytes": 9,
                "format": "mp3",
            }
        },
        "url",
    ),
    (
        {
            "content": {
                "kind": "url",
                "url": "https://u:p@tinh.vn/a.mp3",
                "sha256": "ab" * 32,
                "bytes": 9,
                "format": "mp3",
            }
        },
        "url",
    ),
    (
        {
            "content": {
                "kind": "url",
                "url": "https://tinh.vn/a.mp3",
                "sha256": "AB" * 32,
                "bytes": 9,
                "format": "mp3",
            }
        },
        "sha256",
    ),
    (
        {
            "content": {
                "kind": "url",
                "url": "https://tinh.vn/a.mp3",
                "sha256": "ab" * 32,
                "bytes": "9",
                "format": "mp3",
            }
        },
        "bytes",
    ),
    ({"priority": 1}, "unknown"),
]


@pytest.mark.parametrize(("changes", "field"), BAD_FIELDS)
def test_every_field_is_checked_even_when_the_signature_holds(changes: dict, field: str) -> None:
    result = refused(check(force_sign(bulletin(**changes))), "malformed", field=field)
    assert f"'{field}'" in result.message()
    with pytest.raises(BulletinError) as error:
        sign(bulletin(**changes), PROVINCE.private)
    assert f"'{field}'" in str(error.value)


def test_a_missing_field_is_named() -> None:
    doc = bulletin()
    del doc["valid_until"]
    refused(check(force_sign(doc)), "malformed", field="valid_until")


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b"[1, 2]",
        b'{"v": NaN}',
        b"\xff\xfe{}",
        b"[" * 100_000,
        b'{"v": ' + b"1" * 5000 + b"}",
        b'"\\ud800"',
        b"",
    ],
)
def test_a_message_that_is_not_a_bulletin_is_refused_never_raised(raw: bytes) -> None:
    refused(check(raw), "malformed", field="json")


def test_a_lone_surrogate_inside_a_signed_bulletin_is_refused() -> None:
    signed = sign(bulletin(), PROVINCE.private)
    text = json.dumps(signed, ensure_ascii=False).replace("Quảng Trị", "\\ud800", 1)
    assert "\\ud800" in text
    refused(check(text), "malformed", field="json")


def test_oversized_messages_and_payloads_are_refused() -> None:
    refused(check(b" " * (MAX_MESSAGE_BYTES + 1)), "oversized", limit=MAX_MESSAGE_BYTES)
    signed = sign(bulletin(), PROVINCE.private)
    refused(check(signed, max_clip_bytes=100), "oversized", limit=100)
    big_url = {
        "kind": "url",
        "url": "https://tinh.vn/a.mp3",
        "sha256": "ab" * 32,
        "bytes": MAX_URL_BYTES + 1,
        "format": "mp3",
    }
    refused(check(force_sign(bulletin(content=big_url))), "oversized")
    long_text = {"kind": "text", "text": "chữ " * 2000, "language": "vi"}
    refused(check(force_sign(bulletin(content=long_text))), "oversized", limit=5000)


# -- keys --------------------------------------------------------------------------------------


def test_keys_are_44_base64_characters_and_a_bad_one_is_named() -> None:
    pair = make_keypair()
    for text in (pair.private, pair.public):
        assert len(text) == 44 and len(base64.b64decode(text, validate=True)) == 32
    public_key_from_text(pair.public)
    for bad in ("", "abc", pair.public[:-2], pair.public + "AA==", "é" * 44):
        with pytest.raises(LoaxaError) as error:
            public_key_from_text(bad)
        assert "loaxa province keys" in str(error.value)


def test_several_province_keys_can_be_trusted_at_once() -> None:
    signed = sign(bulletin(), STRANGER.private)
    result = verify(
        signed,
        [PROVINCE.public, STRANGER.public, "not a key"],
        box_identity=BOX,
        now=NOW,
        seen_ids=(),
    )
    assert isinstance(result, Accepted)


def test_a_box_identity_is_checked() -> None:
    assert BOX.name == "19543/tram-1"
    for commune, station in (("19543", "Tram 1"), ("", "x"), ("broadcast", "x"), ("a/b", "c")):
        with pytest.raises(ValueError):
            BoxIdentity(commune, station)


# -- the seen-ids store --------------------------------------------------------------------------


def test_seen_ids_are_pruned_a_week_after_expiry_and_bounded(tmp_path: Path) -> None:
    path = tmp_path / "seen.json"
    seen = SeenIds(path, limit=3)
    seen.add("a", NOW + timedelta(days=1), now=NOW)
    seen.add("b", NOW + timedelta(days=2), now=NOW)
    assert "a" in seen and len(SeenIds(path)) == 2
    assert seen.prune(NOW + timedelta(days=7, hours=23)) == 0
    assert seen.prune(NOW + timedelta(days=8, minutes=1)) == 1
    assert "a" not in SeenIds(path) and "b" in SeenIds(path)
    for name in ("c", "d", "e"):
        seen.add(name, NOW + timedelta(days=30), now=NOW)
    assert sorted(SeenIds(path).__dict__["_ids"]) == ["c", "d", "e"]  # b expired first: dropped


def test_an_unreadable_seen_file_is_moved_aside_and_the_link_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "seen.json"
    path.write_bytes(b'{"v": 1, "ids": {"x": "h\xf4m qua"}}')
    seen = SeenIds(path)
    assert seen.problem is not None and seen.problem.key == "seen.unreadable"
    assert "seen.json.unreadable" in str(seen.problem)
    assert (tmp_path / "seen.json.unreadable").exists() and len(seen) == 0
    seen.add("y", NOW + timedelta(days=1), now=NOW)
    assert "y" in SeenIds(path) and SeenIds(path).problem is None


# -- properties --------------------------------------------------------------------------------

SIGNED = sign(
    bulletin(
        content={
            "kind": "clip",
            "format": "wav",
            "data": base64.b64encode(tiny_wav()[:90]).decode(),
        }
    ),
    PROVINCE.private,
)
SIGNED_BYTES = json.dumps(SIGNED, ensure_ascii=False).encode()


@settings(max_examples=500, deadline=None)
@given(st.data())
def test_any_byte_changed_in_a_signed_bulletin_is_refused(data) -> None:
    assert isinstance(check(SIGNED_BYTES), Accepted)
    at = data.draw(st.integers(0, len(SIGNED_BYTES) - 1))
    byte = data.draw(st.integers(0, 255).filter(lambda b: b != SIGNED_BYTES[at]))
    mutated = SIGNED_BYTES[:at] + bytes([byte]) + SIGNED_BYTES[at + 1 :]
    try:
        same = json.loads(mutated) == SIGNED  # a space turned into a tab: the same bulletin
    except ValueError:
        same = False
    assume(not same)
    assert isinstance(check(mutated), Refused)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=5,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(key=st.sampled_from(sorted(SIGNED)), value=json_values, drop=st.booleans())
def test_any_field_replaced_or_removed_is_refused(key: str, value: Any, drop: bool) -> None:
    mutated = dict(SIGNED)
    if drop:
        del mutated[key]
    else:
        try:
            if canonical(value) == canonical(SIGNED[key]):
                return
        except ValueError:
            pass  # infinity: not JSON at all, which verify must refuse too
        mutated[key] = value
    assert isinstance(check(mutated), Refused)
