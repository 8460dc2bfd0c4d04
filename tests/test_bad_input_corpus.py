"""Every item of the corpus through the CLI: no traceback, a clear message in Vietnamese
(English with --lang en), exit code ≠ 0 where it failed, and nothing stored."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from firmware_host.cli import main
from firmware_host.clips import ClipLibrary
from tests.corpus import CLIPS, SCHEDULES, make_clip, many_slots
from tests.helpers import make_tone

VIETNAMESE_LETTERS = set("ăâđêôơưáàảãạếềểễệốồổỗộớờởỡợứừửữựíìỉĩịýỳỷỹỵ")


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    for name in CLIPS:
        make_clip(name, folder)
    return folder


@pytest.mark.parametrize("name", list(CLIPS))
def test_clip(name, corpus, box, capsys):
    should_import = CLIPS[name]
    before = snapshot(box.clips_dir) if box.clips_dir.exists() else {}
    code = main(["--data-dir", str(box.data_dir), "clips", "import", str(corpus / name)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    if should_import:
        assert code == 0, err
        assert "đã nhập" in out
        return
    assert code != 0
    assert name in err and VIETNAMESE_LETTERS & set(err.lower()), err
    after = snapshot(box.clips_dir) if box.clips_dir.exists() else {}
    assert {k: v for k, v in after.items() if k.endswith(".wav")} == {
        k: v for k, v in before.items() if k.endswith(".wav")
    }, "nothing stored"
    main(["--lang", "en", "--data-dir", str(box.data_dir), "clips", "import", str(corpus / name)])
    english = capsys.readouterr().err
    assert name in english and not VIETNAMESE_LETTERS & set(
        english.lower().replace(name.lower(), "")
    ), english


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (b"Th\xf4ng b\xe1o.mp3", "Th\ufffdng b\ufffdo.mp3"),  # Latin-1, not UTF-8
        ("Thông báo\u202egnp.mp3".encode(), "Thông báo<U+202E>gnp.mp3"),  # "...3pm.png"
    ],
)
def test_hostile_file_names(raw, shown, box, tmp_path, capsys):
    """Names a FAT stick or a prankster can bring: a clear message that names the file in
    a form that cannot reorder the terminal, no traceback, nothing stored."""
    path = Path(os.fsdecode(os.fsencode(tmp_path) + b"/" + raw))
    make_tone(path, seconds=1.5)
    for lang, words in (("vi", "tên"), ("en", "name")):
        code = main(["--lang", lang, "--data-dir", str(box.data_dir), "clips", "import", str(path)])
        out, err = capsys.readouterr()
        assert code == 1 and "Traceback" not in out + err
        assert shown in err and words in err.lower() and "\u202e" not in err
    assert not box.clips_dir.exists() or not list(box.clips_dir.glob("*.wav"))


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_schedule(name, box, tmp_path, capsys):
    """With clip "a" in the library, each file shows only its own mistake."""
    ClipLibrary(box).import_file(make_tone(tmp_path / "a.wav", seconds=1.0))
    text, vietnamese, english = SCHEDULES[name]
    path = tmp_path / name
    path.write_text(text, "utf-8")
    code = main(["--data-dir", str(box.data_dir), "schedule", "check", str(path)])
    out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in out + err
    assert vietnamese in out and VIETNAMESE_LETTERS & set(out.lower()), out
    main(["--lang", "en", "--data-dir", str(box.data_dir), "schedule", "check", str(path)])
    assert english in capsys.readouterr().out


def test_ten_thousand_slots_are_checked_without_a_traceback(box, tmp_path):
    """A subprocess, as the operator runs it; the only errors are the missing clip."""
    path = tmp_path / "10000-khung.toml"
    path.write_text(many_slots(), "utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "firmware_host",
            "--data-dir",
            str(box.data_dir),
            "schedule",
            "check",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr
    assert done.stdout.count("chưa có trong thư viện") == 10_000
    assert "trùng" not in done.stdout  # 8 s apart with no clip: nothing overlaps
