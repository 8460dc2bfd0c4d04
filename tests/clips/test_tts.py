"""Text-to-speech: what the engine is told to say, what reaches the speakers, what is refused.

Real parts throughout: the espeak-ng program, the real clip import (ffmpeg loudnorm),
the TinyDB index on disk, ``aplay`` into the ALSA capture device. Piper is optional
on the box; its fallback is tested with broken voice files whether or not it is
installed, and its success path with a tiny generated ONNX voice when it is.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import wave
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_host import messages
from firmware_host.broadcast.player import Player
from firmware_host.clips import ClipLibrary
from firmware_host.clips.tts import (
    MAX_TEXT_CHARACTERS,
    engines,
    normalize,
    prepare,
    preview,
    say,
)
from firmware_host.clips.tts.engines import EspeakNg, load_piper_voice, piper_installed
from firmware_host.clips.tts.normalize import number_words
from firmware_host.config import ConfigError, load_config
from firmware_host.messages import LoaxaError
from tests.conftest import write_box_config
from tests.helpers import REPO, captured_files, read_samples

ROOT = REPO
HAVE_ESPEAK = shutil.which("espeak-ng") is not None
needs_espeak = pytest.mark.skipif(not HAVE_ESPEAK, reason="espeak-ng is not installed")

ANNOUNCEMENT = (
    "Thông báo của UBND xã: chiều nay 16/9/2024 cắt nước từ 14h-17h30 để sửa đường ống. "
    "Mọi thắc mắc xin gọi 0912 345 678."
)

# --------------------------------------------------------------------------- normalisation

# (written, spoken) — Northern standard, see firmware_host/tts/normalize.py
CASES = [
    # dates
    ("16/9/2024", "ngày mười sáu tháng chín năm hai nghìn không trăm hai mươi tư"),
    ("ngày 16/9/2024", "ngày mười sáu tháng chín năm hai nghìn không trăm hai mươi tư"),
    ("Ngày 2/9 là Quốc khánh", "Ngày hai tháng chín là Quốc khánh"),
    ("ngày 30/4", "ngày ba mươi tháng tư"),
    ("16.9.2024", "ngày mười sáu tháng chín năm hai nghìn không trăm hai mươi tư"),
    ("16-9-2024", "ngày mười sáu tháng chín năm hai nghìn không trăm hai mươi tư"),
    ("ngày 1/1/2025", "ngày một tháng một năm hai nghìn không trăm hai mươi lăm"),
    ("tháng 4/2024", "tháng tư năm hai nghìn không trăm hai mươi tư"),
    ("Tháng 12/2024", "Tháng mười hai năm hai nghìn không trăm hai mươi tư"),
    ("từ 16-18/9", "từ ngày mười sáu đến ngày mười tám tháng chín"),
    ("tháng 4", "tháng tư"),
    # times
    ("17h30", "mười bảy giờ ba mươi phút"),
    ("17:30", "mười bảy giờ ba mươi phút"),
    ("17g30", "mười bảy giờ ba mươi phút"),
    ("Họp lúc 7:05", "Họp lúc bảy giờ năm phút"),
    ("lúc 14h00", "lúc mười bốn giờ"),
    ("7h sáng", "bảy giờ sáng"),
    ("lúc 7 giờ", "lúc bảy giờ"),
    # ranges
    ("7-9 giờ", "bảy đến chín giờ"),
    ("7h-9h30", "bảy giờ đến chín giờ ba mươi phút"),
    ("tăng 2-3%", "tăng hai đến ba phần trăm"),
    ("thứ 2-6", "thứ hai đến thứ sáu"),
    ("T2-T6", "thứ hai đến thứ sáu"),
    # numbers: mốt/một, lăm/năm, linh, mươi/mười, nghìn, triệu, tỷ
    ("21 hộ", "hai mươi mốt hộ"),
    ("11 hộ", "mười một hộ"),
    ("15 người", "mười lăm người"),
    ("25 người", "hai mươi lăm người"),
    ("105 hộ", "một trăm linh năm hộ"),
    ("110 hộ", "một trăm mười hộ"),
    ("năm 2000", "năm hai nghìn"),
    ("năm 1975", "năm một nghìn chín trăm bảy mươi lăm"),
    ("1.000 người", "một nghìn người"),
    ("dân số 12.345 người", "dân số mười hai nghìn ba trăm bốn mươi lăm người"),
    ("3,14", "ba phẩy mười bốn"),
    ("0,05", "không phẩy không năm"),
    # money
    ("50.000đ", "năm mươi nghìn đồng"),
    ("50.000 đồng", "năm mươi nghìn đồng"),
    ("1,5 triệu", "một phẩy năm triệu"),
    ("nộp 200.000 VNĐ", "nộp hai trăm nghìn đồng"),
    ("50,000đ/người", "năm mươi nghìn đồng một người"),
    ("phụ cấp 1.490.000 đồng/tháng", "phụ cấp một triệu bốn trăm chín mươi nghìn đồng một tháng"),
    ("giá 25k/kg", "giá hai mươi lăm nghìn một ki lô gam"),
    ("vay 2,5 tỷ", "vay hai phẩy năm tỷ"),
    # phone numbers, digit by digit
    ("0912 345 678", "không chín một hai, ba bốn năm, sáu bảy tám"),
    ("0912345678", "không chín một hai, ba bốn năm, sáu bảy tám"),
    ("0912.345.678", "không chín một hai, ba bốn năm, sáu bảy tám"),
    ("+84 912 345 678", "cộng tám bốn, chín một hai, ba bốn năm, sáu bảy tám"),
    ("024 3825 1234", "không hai bốn, ba tám hai năm, một hai ba bốn"),
    ("gọi 113", "gọi một một ba"),
    ("đường dây nóng 1900 9095", "đường dây nóng một chín không không, chín không chín năm"),
    # percentages
    ("giảm 15%", "giảm mười lăm phần trăm"),
    ("tăng 2,5%", "tăng hai phẩy năm phần trăm"),
    # ordinals and weekdays
    ("thứ 2", "thứ hai"),
    ("Thứ 4 tuần sau", "Thứ tư tuần sau"),
    ("lần thứ 1", "lần thứ nhất"),
    ("T7 và CN", "thứ bảy và chủ nhật"),
    ("quý IV", "quý bốn"),
    ("Đại hội XIII", "Đại hội mười ba"),
    # abbreviations
    ("UBND xã", "ủy ban nhân dân xã"),
    ("CA xã", "công an xã"),
    ("HTX Thành Công", "hợp tác xã Thành Công"),
    ("MTTQ, HĐND", "mặt trận tổ quốc, hội đồng nhân dân"),
    ("học sinh THCS", "học sinh trung học cơ sở"),
    ("thẻ BHYT", "thẻ bảo hiểm y tế"),
    ("TP.HCM", "thành phố Hồ Chí Minh"),
    ("theo TT 39/2020", "theo thông tư ba mươi chín năm hai nghìn không trăm hai mươi"),
    ("PCTT&TKCN", "phòng chống thiên tai và tìm kiếm cứu nạn"),
    ("Đ/c Nguyễn Văn A", "đồng chí Nguyễn Văn A"),
    # units, temperatures, the 2G campaign
    ("mưa 100-200 mm", "mưa một trăm đến hai trăm mi li mét"),
    ("70 km/h", "bảy mươi ki lô mét một giờ"),
    ("nhiệt độ -5°C", "nhiệt độ âm năm độ xê"),
    ("tắt sóng 2G, chuyển sang 4G", "tắt sóng hai gờ, chuyển sang bốn gờ"),
]


@pytest.mark.parametrize(("written", "spoken"), CASES, ids=[c[0] for c in CASES])
def test_normalisation(written: str, spoken: str) -> None:
    assert normalize(written) == spoken + "."


def test_the_case_table_is_large_enough() -> None:
    assert len(CASES) >= 40


def test_a_whole_announcement_line_by_line() -> None:
    text = "Thông báo\nCắt điện 16/9 từ 7h30-11h\n\nLiên hệ CA xã: 0912345678"
    assert normalize(text) == (
        "Thông báo. Cắt điện ngày mười sáu tháng chín từ bảy giờ ba mươi phút đến mười một "
        "giờ. Liên hệ công an xã: không chín một hai, ba bốn năm, sáu bảy tám."
    )


def test_number_words_follow_the_reading_rules_everywhere() -> None:
    """In every number up to 100,000: "mốt"/"lăm"/"tư" only after "mươi", "linh" only
    after "trăm", never "mười một" written as "mươi một" or "mươi năm"."""
    for n in range(100_000):
        words = number_words(n)
        assert "mươi một" not in words and "mươi năm" not in words
        assert "mười năm" not in words and "mươi bốn" not in words
        for word, before in (("linh", "trăm"), ("mốt", "mươi"), ("lăm", ("mười", "mươi"))):
            parts = words.split()
            for i, part in enumerate(parts):
                if part == word:
                    assert i > 0 and parts[i - 1] in before, (n, words)
    assert number_words(10**12) == "một nghìn tỷ"
    assert number_words(1_005_000_000) == "một tỷ không trăm linh năm triệu"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789 ./-,:%hgđkT+&'\nUBNDthứángàyIVX", max_size=40))
def test_any_text_normalises_without_error_and_without_digits(text: str) -> None:
    spoken = normalize(text)
    assert not any(c.isdigit() for c in spoken), spoken


def test_the_commune_extends_and_overrides_the_abbreviations(tmp_path: Path) -> None:
    (tmp_path / "loaxa.toml").write_text(
        '[commune]\nname = "Xã Thử"\nprovince = "Tỉnh Thử"\n'
        '[tts.abbreviations]\n"TT" = "thị trấn"\n"HTX DV" = "hợp tác xã dịch vụ"\n',
        "utf-8",
    )
    config = load_config(tmp_path)
    assert prepare(config, "HTX DV TT Phong Điền") == "hợp tác xã dịch vụ thị trấn Phong Điền."
    assert prepare(config, "UBND") == "ủy ban nhân dân."  # the built-in table still applies


def test_digits_alone_are_words_to_say(tmp_path: Path) -> None:
    assert prepare(load_config(tmp_path), "113") == "một trăm mười ba."


@pytest.mark.parametrize(
    ("table", "fragment"),
    [
        ("[tts]\nspeed = 3.0\n", "tts.speed"),
        ('[tts]\nengine = "google"\n', "auto | espeak-ng | piper"),
        ('[tts]\nengine = "piper"\n', "piper_model"),
        ('[tts]\nvoice = "vi; rm -rf /"\n', "không phải tên giọng espeak-ng"),
        ('[tts.abbreviations]\n"UBND" = 5\n', "tts.abbreviations.UBND"),
        ('[tts.abbreviations]\n" X " = "ích"\n', "phải có chữ"),
    ],
)
def test_bad_tts_config_is_named_with_its_line(tmp_path: Path, table: str, fragment: str) -> None:
    (tmp_path / "loaxa.toml").write_text(
        '[commune]\nname = "Xã Thử"\nprovince = "Tỉnh Thử"\n' + table, "utf-8"
    )
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert "dòng" in str(caught.value) and fragment in str(caught.value)


def test_a_relative_piper_model_is_inside_the_data_dir(tmp_path: Path) -> None:
    (tmp_path / "loaxa.toml").write_text(
        '[commune]\nname = "Xã Thử"\nprovince = "Tỉnh Thử"\n'
        '[tts]\npiper_model = "voices/vi_VN-vais1000-medium.onnx"\n',
        "utf-8",
    )
    assert load_config(tmp_path).tts.piper_model == (
        tmp_path / "voices" / "vi_VN-vais1000-medium.onnx"
    )


# --------------------------------------------------------------------------- refusals


def nothing_stored(config) -> bool:
    return ClipLibrary(config).clips() == [] and not list(config.clips_dir.glob("*.wav"))


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"text": ""}, "tts.empty"),
        ({"text": "   \n\t "}, "tts.empty"),
        ({"text": "... !!! ??? -- // %"}, "tts.no_words"),
        ({"text": "x" * 100_000}, "tts.too_long"),
        ({"text": "Xin chào bà con", "language": "ede"}, "tts.bad_language"),
        ({"text": "Xin chào bà con", "speed": 3.0}, "tts.bad_speed"),
        ({"text": "Xin chào bà con", "speed": 0.1}, "tts.bad_speed"),
        ({"text": "Xin chào bà con", "voice": "en"}, "tts.bad_voice"),
        ({"text": "Xin chào bà con", "voice": "vi+nosuchvariant"}, "tts.bad_voice"),
        ({"text": "Xin chào bà con", "engine": "google"}, "tts.bad_engine"),
        ({"text": "Xin chào bà con", "title": "  "}, "clips.bad_title"),
        ({"text": "Loa"}, "tts.too_short"),
    ],
)
@needs_espeak
def test_refusals_are_clear_and_store_nothing(box, kwargs: dict, key: str) -> None:
    kwargs = {"title": "Thông báo", **kwargs}
    started = time.monotonic()
    with pytest.raises(LoaxaError) as caught:
        say(box, kwargs.pop("text"), **kwargs)
    assert caught.value.key == key
    vietnamese = str(caught.value)
    messages.set_language("en")
    assert str(caught.value) != vietnamese  # both languages render, with the same params
    assert nothing_stored(box)
    if key == "tts.too_long":
        assert f"{MAX_TEXT_CHARACTERS}" in vietnamese
        assert time.monotonic() - started < 1.0  # refused before any work


# --------------------------------------------------------------------------- espeak-ng


def index_entry(config, clip_id: str) -> dict:
    documents = json.loads((config.clips_dir / "index.json").read_text("utf-8"))["_default"]
    return next(doc for doc in documents.values() if doc["id"] == clip_id)


@needs_espeak
def test_espeak_renders_a_clip_that_imports_and_plays(box, capture_dir: Path) -> None:
    result = say(box, ANNOUNCEMENT, title="Cắt nước chiều nay")
    assert result.engine_used == "espeak-ng" and result.notes == ()
    assert "mười sáu tháng chín" in result.spoken_text and "UBND" not in result.spoken_text

    library = ClipLibrary(box)
    clip = library.find("Cắt nước chiều nay")
    assert clip == result.clip and clip.language == "vi"
    assert 5.0 < clip.duration < 60.0  # ~40 spoken words
    entry = index_entry(box, clip.id)
    assert entry["source"] == "tts" and entry["tts_engine"] == "espeak-ng"
    assert entry["tts_voice"] == "vi" and entry["tts_speed"] == 1.0
    assert entry["tts_text"] == ANNOUNCEMENT
    assert abs(entry["output_lufs"] - box.audio.target_lufs) < 1.5  # the normal import

    played = Player(box.audio.device).play(clip.path)
    assert played.completed
    (captured,) = captured_files(capture_dir)
    rate, heard = read_samples(captured)
    _, stored = read_samples(clip.path)
    assert rate == 48000 and heard[: len(stored)] == stored
    assert max(abs(s) for s in heard) > 3000  # speech, not silence

    with pytest.raises(LoaxaError) as again:  # the same text, voice and speed: same audio
        say(box, ANNOUNCEMENT, title="Cắt nước lần hai")
    assert again.value.key == "tts.duplicate" and again.value.params["id"] == clip.id
    assert len(library.clips()) == 1


@needs_espeak
def test_a_preview_reads_what_say_would_store_and_stores_nothing(box, tmp_path: Path) -> None:
    """The panel's "nghe thử": the same words, engine and voice as ``say``, into a WAV
    the officer listens to; the library stays as it was until the officer saves."""
    wav = tmp_path / "nghe-thu.wav"
    heard = preview(box, ANNOUNCEMENT, wav, voice="vi-vn-x-south", speed=1.2)
    assert heard.spoken_text == prepare(box, ANNOUNCEMENT) and heard.engine_used == "espeak-ng"
    with wave.open(str(wav), "rb") as rendered:
        assert rendered.getnframes() / rendered.getframerate() > 5.0
    assert nothing_stored(box)
    kept = say(box, ANNOUNCEMENT, title="Cắt nước", voice="vi-vn-x-south", speed=1.2)
    entry = index_entry(box, kept.clip.id)
    assert (entry["tts_voice"], entry["tts_speed"]) == ("vi-vn-x-south", 1.2)
    with pytest.raises(LoaxaError) as caught:
        preview(box, "Xin chào bà con", tmp_path / "x.wav", speed=3.0)
    assert caught.value.key == "tts.bad_speed"


@needs_espeak
def test_voice_and_speed_change_what_is_rendered(tmp_path: Path) -> None:
    engine = EspeakNg(max_output_bytes=200_000_000)
    text = normalize("Chiều nay 16/9 cắt nước từ 14h đến 17h, bà con chú ý.")

    def seconds(voice: str, speed: float) -> float:
        path = tmp_path / f"{voice}-{speed}.wav"
        engine.render(text, path, voice, speed)
        with wave.open(str(path), "rb") as wav:
            return wav.getnframes() / wav.getframerate()

    slow, normal, fast = seconds("vi", 0.6), seconds("vi", 1.0), seconds("vi", 1.8)
    assert slow > normal * 1.3 and normal > fast * 1.3
    south = tmp_path / "south.wav"
    engine.render(text, south, "vi-vn-x-south", 1.0)
    assert south.read_bytes() != (tmp_path / "vi-1.0.wav").read_bytes()


@needs_espeak
def test_text_never_reaches_a_command_line_or_a_shell(
    box, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wrapper in front of the real espeak-ng records its arguments."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    argv_log = tmp_path / "argv.txt"
    real = shutil.which("espeak-ng")
    wrapper = bin_dir / "espeak-ng"
    wrapper.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" >> "{argv_log}"\nexec "{real}" "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    engines.espeak_voices.cache_clear()
    marker = tmp_path / "PWNED"
    text = f'Bà con chú ý "; touch {marker}; " $(touch {marker}) `touch {marker}` hết.'
    say(box, text, title="Thử ký tự lạ")
    assert not marker.exists()
    arguments = argv_log.read_text("utf-8")
    assert "touch" not in arguments and "Bà con" not in arguments
    assert "--stdin" in arguments


@needs_espeak
@pytest.mark.parametrize("limit", ["memory", "output", "time"])
def test_a_limited_engine_fails_with_a_message_not_a_crash(
    box, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: str
) -> None:
    """espeak-ng out of memory prints 'mmap() failed' and exits 0: the WAV is checked.
    (A file limit of 2,000 bytes already stops espeak-ng's 64 MiB scratch file.)"""
    max_bytes = 200_000_000
    if limit == "memory":
        monkeypatch.setattr(engines, "ESPEAK_MEMORY", 8 * 1024 * 1024)
    elif limit == "output":
        max_bytes = 2000
    else:
        monkeypatch.setattr(engines, "ESPEAK_TIMEOUT", (0.001, 0.0))
    with pytest.raises(LoaxaError) as caught:
        EspeakNg(max_bytes).render(normalize(ANNOUNCEMENT * 5), tmp_path / "x.wav", "vi", 1.0)
    assert caught.value.key == ("tts.engine_timeout" if limit == "time" else "tts.engine_failed")
    assert "espeak-ng" in str(caught.value)


# --------------------------------------------------------------------------- Piper


def piper_config(language: str = "vi_VN") -> dict:
    from_piper = {"_": [0], "^": [1], "$": [2], " ": [3]}
    if piper_installed():
        from piper.phoneme_ids import DEFAULT_PHONEME_ID_MAP

        from_piper = DEFAULT_PHONEME_ID_MAP
    return {
        "audio": {"sample_rate": 22050},
        "espeak": {"voice": language.split("_")[0]},
        "language": {"code": language},
        "dataset": "vais1000",
        "num_symbols": 256,
        "num_speakers": 1,
        "phoneme_id_map": from_piper,
    }


def voice_box(tmp_path: Path, model: Path, attribution: str = "") -> object:
    config = write_box_config(tmp_path / "box")
    text = (
        config.source.read_text("utf-8")
        + "\n[tts]\n"
        + f'piper_model = "{model}"\n'
        + f'piper_attribution = "{attribution}"\n'
    )
    config.source.write_text(text, "utf-8")
    return load_config(config.data_dir)


@pytest.mark.parametrize(
    ("case", "key"),
    [
        ("missing", "tts.piper_missing"),
        ("garbage", "tts.piper_not_onnx"),
        ("html", "tts.piper_not_onnx"),
        ("no_json", "tts.piper_no_config"),
        ("bad_json", "tts.piper_bad_config"),
        ("incomplete_json", "tts.piper_bad_config"),
        ("english", "tts.piper_not_vietnamese"),
    ],
)
def test_a_broken_voice_file_is_named(tmp_path: Path, case: str, key: str) -> None:
    model = tmp_path / "vi_VN-vais1000-medium.onnx"
    sidecar = model.with_name(model.name + ".json")
    if case != "missing":
        model.write_bytes(
            b"<!DOCTYPE html><html>404</html>" if case == "html" else b"\xff" + os.urandom(4096)
        )
    if case in ("no_json", "bad_json", "incomplete_json", "english"):
        model.write_bytes(b"\x08\x07" + os.urandom(4096))  # looks like ONNX at first
    if case not in ("missing", "no_json"):
        config = piper_config("en_US" if case == "english" else "vi_VN")
        if case == "incomplete_json":
            del config["phoneme_id_map"]
        sidecar.write_text("{ not json" if case == "bad_json" else json.dumps(config), "utf-8")
    with pytest.raises(LoaxaError) as caught:
        load_piper_voice(model)
    assert caught.value.key == key


@needs_espeak
def test_a_broken_piper_voice_falls_back_to_espeak_and_says_so(tmp_path: Path) -> None:
    """The fake voice: random bytes with the .json a real voice has beside it."""
    model = tmp_path / "voices" / "vi_VN-vais1000-medium.onnx"
    model.parent.mkdir()
    model.write_bytes(b"\x00" + os.urandom(64 * 1024))
    model.with_name(model.name + ".json").write_text(json.dumps(piper_config()), "utf-8")
    config = voice_box(tmp_path, model)
    result = say(config, ANNOUNCEMENT, title="Cắt nước")
    assert result.engine_used == "espeak-ng"
    (note,) = result.notes
    assert str(model) in note and "không phải mô hình ONNX" in note and "espeak-ng" in note
    entry = index_entry(config, result.clip.id)
    assert entry["tts_engine"] == "espeak-ng" and "tts_attribution" not in entry
    messages.set_language("en")
    assert "is not an ONNX model" in load_piper_error(model)


def load_piper_error(model: Path) -> str:
    with pytest.raises(LoaxaError) as caught:
        load_piper_voice(model)
    return str(caught.value)


@needs_espeak
def test_a_voice_piper_cannot_load_falls_back_too(tmp_path: Path) -> None:
    """Garbage that passes the first-byte check reaches Piper itself (if installed)."""
    model = tmp_path / "vi_VN-broken.onnx"
    model.write_bytes(b"\x08\x07" + os.urandom(64 * 1024))
    model.with_name(model.name + ".json").write_text(json.dumps(piper_config()), "utf-8")
    config = voice_box(tmp_path, model)
    result = say(config, "Bà con chú ý, chiều nay cắt điện từ 14h đến 17h.", title="Cắt điện")
    assert result.engine_used == "espeak-ng"
    (note,) = result.notes
    if piper_installed():
        assert note.startswith("Piper không đọc được bằng giọng") and str(model) in note
    else:
        assert "Chưa cài Piper" in note


def tiny_onnx_voice(path: Path) -> None:
    """A 'voice' onnxruntime really runs: a 20 ms 440 Hz tone per phoneme id."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    tone = (0.5 * np.sin(2 * np.pi * 440 * np.arange(441) / 22050)).astype(np.float32)
    nodes = [
        helper.make_node("Shape", ["input"], ["shape"]),
        helper.make_node("Slice", ["shape", "one", "two"], ["count"]),
        helper.make_node("Concat", ["ones", "count"], ["repeats"], axis=0),
        helper.make_node("Tile", ["tone", "repeats"], ["output"]),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny",
        [
            helper.make_tensor_value_info("input", TensorProto.INT64, [1, None]),
            helper.make_tensor_value_info("input_lengths", TensorProto.INT64, [1]),
            helper.make_tensor_value_info("scales", TensorProto.FLOAT, [3]),
        ],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 1, None])],
        initializer=[
            numpy_helper.from_array(tone.reshape(1, 1, -1), "tone"),
            numpy_helper.from_array(np.array([1], dtype=np.int64), "one"),
            numpy_helper.from_array(np.array([2], dtype=np.int64), "two"),
            numpy_helper.from_array(np.array([1, 1], dtype=np.int64), "ones"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, str(path))


@needs_espeak
@pytest.mark.skipif(not piper_installed(), reason="piper-tts (optional extra) is not installed")
def test_a_working_piper_voice_is_used_and_credited(tmp_path: Path) -> None:
    pytest.importorskip("onnx")
    model = tmp_path / "vi_VN-tiny-x_low.onnx"
    tiny_onnx_voice(model)
    model.with_name(model.name + ".json").write_text(json.dumps(piper_config()), "utf-8")
    credit = "Giọng vi_VN-vais1000-medium, dữ liệu VAIS-1000, CC BY 4.0"
    config = voice_box(tmp_path, model, attribution=credit)
    result = say(config, ANNOUNCEMENT, title="Cắt nước", voice="vi+f3")
    assert result.engine_used == "piper"
    assert result.notes and "vi+f3" in result.notes[0]  # the espeak voice does not apply
    entry = index_entry(config, result.clip.id)
    assert entry["tts_engine"] == "piper" and entry["tts_voice"] == model.name
    assert entry["tts_attribution"] == credit
    assert result.clip.duration > 2.0


# --------------------------------------------------------------------------- benchmark


@needs_espeak
def test_the_tts_benchmark_runs_in_smoke_mode(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "tts_render.py"), "--smoke", "--dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "per 100 words" in done.stdout
