"""A clip imported as the translation of another (Ê Đê, Jrai, H'Mông… beside Vietnamese):
the index records its original, the library says which clip plays a bulletin in each
language, and an import that would make that a guess is refused with nothing stored.

Real clips made by ffmpeg, the real import, the real TinyDB index.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from firmware_host.cli import main
from firmware_host.clips import ClipLibrary
from firmware_host.config import load_config
from firmware_host.messages import LoaxaError
from tests.helpers import make_tone


@pytest.fixture
def library(tmp_path: Path) -> ClipLibrary:
    return ClipLibrary(load_config(tmp_path / "data"))


def tone(tmp_path: Path, name: str, frequency: int) -> Path:
    return make_tone(tmp_path / name, seconds=1.2, frequency=frequency)


def index_entries(library: ClipLibrary) -> list[dict]:
    data = json.loads(library.index_path.read_text("utf-8"))
    return sorted(data["_default"].values(), key=lambda doc: doc["id"])


def test_a_translation_names_its_original_and_every_version_is_found(library, tmp_path) -> None:
    original = library.import_file(tone(tmp_path, "Thông báo tiêm chủng.wav", 440))
    ede = library.import_file(
        tone(tmp_path, "Klei mblang.wav", 550), language="ede", translation_of=original.id
    )
    # a translation of the translation belongs to the same bulletin (by title too)
    jra = library.import_file(
        tone(tmp_path, "Jrai.wav", 660), language="JRA", translation_of="Klei mblang"
    )
    assert (ede.translation_of, jra.translation_of) == (original.id, original.id)
    assert jra.language == "jra"
    stored = {doc["id"]: doc.get("translation_of") for doc in index_entries(library)}
    assert stored == {original.id: None, ede.id: original.id, jra.id: original.id}
    family = {"vi": original.id, "ede": ede.id, "jra": jra.id}
    versions = library.versions()
    for ref in (original.id, ede.id, jra.id, "Thông báo tiêm chủng", "Jrai"):
        assert versions[ref] == family
    # a clip whose WAV is gone is not a version that can play
    jra.path.unlink()
    assert library.versions()[original.id] == {"vi": original.id, "ede": ede.id}
    assert jra.id not in library.versions()


@pytest.mark.parametrize(
    ("translation_of", "language", "sentence"),
    [
        (
            "khong-co-bai-nay",
            "ede",
            "Không có bài nào có mã hoặc tên 'khong-co-bai-nay' để làm bản gốc của bản dịch. "
            "Xem mã bài bằng lệnh loaxa clips list rồi nhập lại với --translation-of MÃ_BÀI.",
        ),
        (
            "thong-bao",
            "vi",
            "Bài này đã có bản tiếng 'vi': 'thong-bao' (\"Thông báo\"). Muốn thay bằng bản mới, "
            "hãy xoá bản cũ trước: loaxa clips remove thong-bao",
        ),
        (
            "thong-bao",
            "ede",
            "Bài này đã có bản tiếng 'ede': 'ban-e-de' (\"Bản Ê Đê\"). Muốn thay bằng bản mới, "
            "hãy xoá bản cũ trước: loaxa clips remove ban-e-de",
        ),
    ],
)
def test_an_import_that_would_make_the_version_a_guess_stores_nothing(
    library, tmp_path, translation_of: str, language: str, sentence: str
) -> None:
    original = library.import_file(tone(tmp_path, "Thông báo.wav", 440))
    library.import_file(
        tone(tmp_path, "Bản Ê Đê.wav", 550), language="ede", translation_of=original.id
    )
    before = index_entries(library)
    wavs = sorted(library.directory.glob("*.wav"))
    with pytest.raises(LoaxaError) as refused:
        library.import_file(
            tone(tmp_path, "Bản mới.wav", 660), language=language, translation_of=translation_of
        )
    assert str(refused.value) == sentence
    assert index_entries(library) == before
    assert sorted(library.directory.glob("*.wav")) == wavs


def test_clips_import_translation_of_from_the_command_line(tmp_path, capsys) -> None:
    home = str(tmp_path / "data")
    original = tone(tmp_path, "Thông báo.wav", 440)
    assert main(["--data-dir", home, "clips", "import", str(original)]) == 0
    capsys.readouterr()
    ede = tone(tmp_path, "Bản Ê Đê.wav", 550)
    argv = ["--data-dir", home, "clips", "import", str(ede), "--clip-lang", "ede"]
    assert main([*argv, "--translation-of", "thong-bao"]) == 0
    capsys.readouterr()
    assert main(["--data-dir", home, "clips", "list", "--json"]) == 0
    listed = {
        c["id"]: (c["language"], c["translation_of"]) for c in json.loads(capsys.readouterr().out)
    }
    assert listed == {"thong-bao": ("vi", None), "ban-e-de": ("ede", "thong-bao")}
    assert main(["--data-dir", home, "clips", "list"]) == 0
    assert "ede ← thong-bao" in capsys.readouterr().out
    # an unknown original: refused, said, nothing stored
    other = tone(tmp_path, "Bản Jrai.wav", 660)
    argv = ["--data-dir", home, "clips", "import", str(other), "--clip-lang", "jra"]
    assert main([*argv, "--translation-of", "thong-bao-2g"]) == 1
    assert "'thong-bao-2g' để làm bản gốc của bản dịch" in capsys.readouterr().err
    assert main(["--data-dir", home, "clips", "list", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2
