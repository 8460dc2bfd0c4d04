"""Stored clips the SD card damaged after import: found, said so, never played or counted.

The damage is done to real stored WAVs the way a failing card does it: the tail cut
off, one bit flipped with the size unchanged, a header rewritten.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import string

import pytest

from firmware_host.broadcast.session import BroadcastRequest
from firmware_host.cli import main
from firmware_host.clips import ClipLibrary
from firmware_host.daemon import Daemon
from firmware_host.messages import CATALOG, LoaxaError
from firmware_host.store import open_db
from tests.helpers import make_tone, wait_until


@pytest.fixture
def library(box):
    return ClipLibrary(box)


@pytest.fixture
def clip(library, tmp_path):
    return library.import_file(make_tone(tmp_path / "Thông báo.wav", seconds=2.0))


def flip_a_bit(path, offset: int = 10_000) -> None:
    with path.open("r+b") as handle:
        handle.seek(offset)
        byte = handle.read(1)
        handle.seek(offset)
        handle.write(bytes((byte[0] ^ 0x10,)))


def index_entry(box, clip_id: str) -> dict:
    with contextlib.closing(open_db(box.clips_dir / "index.json")) as db:
        return next(dict(doc) for doc in db.all() if doc["id"] == clip_id)


def forget_stored_fingerprint(box, clip_id: str) -> None:
    """What an index written by an older version holds: no wav_size_bytes/wav_sha256."""
    with contextlib.closing(open_db(box.clips_dir / "index.json")) as db:
        for doc in db.all():
            if doc["id"] == clip_id:
                db.remove(doc_ids=[doc.doc_id])
                kept = {k: v for k, v in doc.items() if not k.startswith("wav_")}
                db.insert(kept)


def test_the_index_keeps_the_stored_wav_size_and_hash(box, clip):
    entry = index_entry(box, clip.id)
    data = clip.path.read_bytes()
    assert entry["wav_size_bytes"] == len(data) == clip.stored_size
    assert entry["wav_sha256"] == hashlib.sha256(data).hexdigest() == clip.stored_sha256
    assert entry["sha256"] != entry["wav_sha256"], "the original's hash is kept apart"


def test_a_cut_clip_is_found_by_the_cheap_check(library, clip):
    assert library.check_stored(clip) is None
    with clip.path.open("r+b") as handle:
        handle.truncate(1024)
    message = library.check_stored(clip)
    assert message.startswith(f"Bài '{clip.id}' (\"Thông báo\") bị hỏng: tệp '{clip.id}.wav'")
    assert f"có 1024 byte nhưng lúc nhập có {clip.stored_size} byte" in message
    assert "nhập lại tệp gốc 'Thông báo.wav'" in message


def test_a_flipped_bit_is_found_by_the_full_check_and_then_remembered(library, clip):
    flip_a_bit(clip.path)
    assert library.check_stored(clip) is None, "size and header cannot see it"
    message = library.check_stored(clip, full=True)
    assert "mã SHA-256 không khớp" in message
    assert library.check_stored(clip) == message, "remembered for the same file"
    assert library.verify_stored() == {clip.id: message}


def test_a_clip_from_an_older_version_is_hashed_once_and_recorded(box, library, clip):
    forget_stored_fingerprint(box, clip.id)
    old = library.find(clip.id)
    assert (old.stored_size, old.stored_sha256) == (None, None)
    assert library.verify_stored() == {}
    entry = index_entry(box, clip.id)
    assert (entry["wav_size_bytes"], entry["wav_sha256"]) == (clip.stored_size, clip.stored_sha256)
    flip_a_bit(clip.path)  # from now on a change is seen
    assert "SHA-256" in library.verify_stored()[clip.id]


def test_importing_an_intact_older_clip_again_is_refused_as_a_duplicate(
    box, library, clip, tmp_path
):
    forget_stored_fingerprint(box, clip.id)
    with pytest.raises(LoaxaError) as refused:
        library.import_file(tmp_path / "Thông báo.wav")
    assert refused.value.key == "clips.duplicate"
    assert index_entry(box, clip.id)["wav_sha256"] == clip.stored_sha256


@pytest.mark.parametrize(
    "damage, fragment",
    [
        ("cut", "chỉ còn 0.0 giây âm thanh trong 2.0 giây"),
        ("header", "dài 1.0 giây nhưng lúc nhập dài 2.0 giây"),
        ("garbage", "không còn là tiêu đề WAV đọc được"),
    ],
)
def test_a_damaged_clip_from_an_older_version_is_found_by_its_header(
    box, library, clip, damage, fragment
):
    """No recorded size or hash: the header must agree with itself and the index, and a
    damaged file's hash is not recorded as if it were the truth."""
    forget_stored_fingerprint(box, clip.id)
    with clip.path.open("r+b") as handle:
        if damage == "cut":
            handle.truncate(1024)
        elif damage == "header":  # the data chunk claims half of what the index says
            handle.seek(40)
            handle.write((48000 * 2).to_bytes(4, "little"))
        else:
            handle.write(b"\0" * 64)
    old = library.find(clip.id)
    assert fragment in library.check_stored(old)
    assert fragment in library.verify_stored()[clip.id]
    assert "wav_sha256" not in index_entry(box, clip.id)


def test_importing_the_original_again_restores_a_damaged_clip_under_its_id(
    box, library, clip, tmp_path
):
    flip_a_bit(clip.path)
    restored = library.import_file(tmp_path / "Thông báo.wav")
    assert restored.id == clip.id
    assert library.verify_stored() == {}
    assert hashlib.sha256(clip.path.read_bytes()).hexdigest() == clip.stored_sha256


def test_clips_list_marks_a_damaged_clip(box, library, clip, tmp_path, capsys):
    other = library.import_file(make_tone(tmp_path / "Nhắc lại.wav", seconds=1.5, frequency=880))
    flip_a_bit(clip.path)
    assert main(["--data-dir", str(box.data_dir), "clips", "list"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert "Tệp âm thanh" in lines[0]
    assert "✘ HỎNG" in next(line for line in lines if line.startswith(clip.id))
    assert "nguyên vẹn" in next(line for line in lines if line.startswith(other.id))
    assert "✘ Bài 'thong-bao' (\"Thông báo\") bị hỏng" in out and "SHA-256" in out
    assert main(["--data-dir", str(box.data_dir), "clips", "list", "--json"]) == 0
    listed = {c["id"]: c for c in json.loads(capsys.readouterr().out)}
    assert "SHA-256" in listed[clip.id]["damaged"] and listed[other.id]["damaged"] is None


def test_the_daemon_finds_a_damaged_clip_at_start_up_and_refuses_to_play_it(box, pins, clip):
    flip_a_bit(clip.path)
    said: list[str] = []
    daemon = Daemon(box, pin_factory=pins, announce=said.append)
    daemon.start()
    try:
        wait_until(lambda: any("bị hỏng" in line for line in said), timeout=10, what=lambda: said)
        said.clear()
        outcome = daemon.broadcaster.broadcast(BroadcastRequest((clip.id,), ("thon-1",)))
        assert outcome.status == "failed" and "SHA-256 không khớp" in outcome.error
        assert not any(" BẬT" in line for line in said), said
        assert not any(pins.pin(n).state for n in (17, 27, 22, 23))
    finally:
        daemon.stop()


NEW_KEYS = [k for k in CATALOG if k.startswith("stored.")] + [
    "session.clip_short",
    "relays.gpio_readback_differs",
    "relays.amplifier_lost_power",
    "col.file",
]


@pytest.mark.parametrize("key", NEW_KEYS)
def test_the_new_messages_render_in_both_languages_with_the_same_placeholders(key):
    vi, en = CATALOG[key]
    fields = [
        {name for _, name, _, _ in string.Formatter().parse(text) if name} for text in (vi, en)
    ]
    assert fields[0] == fields[1]
    values = dict.fromkeys(fields[0], 1.5)
    assert vi.format(**values) != en.format(**values)
