"""loaxa.toml: every mistake is named with its key and line, in Vietnamese or English."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from firmware_host import messages
from firmware_host.config import ConfigError, default_text, load_config
from firmware_host.messages import LoaxaError

HEADER = '[commune]\nname = "Xã Ea Tu"\nprovince = "Đắk Lắk"\n'


def problems(tmp_path, text: str) -> list[str]:
    (tmp_path / "loaxa.toml").write_text(text, "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    return [str(p) for p in caught.value.problems]


def test_defaults_are_explicit_and_safe(tmp_path):
    config = load_config(tmp_path)
    assert config.source is None
    assert config.timezone.key == "Asia/Ho_Chi_Minh"
    assert config.amplifier.warmup_seconds == 2.0 and config.amplifier.tail_seconds == 0.5
    assert config.audio.max_clip_minutes == 30 and config.audio.target_lufs == -16
    assert config.scheduler.schedules_dir == tmp_path / "schedules"
    assert config.scheduler.misfire_grace_seconds == 300


def test_a_valid_file_overrides_the_defaults(tmp_path):
    (tmp_path / "loaxa.toml").write_text(
        HEADER + '[relays]\nactive_high = false\namplifier = "GPIO5"\n'
        '[relays.zones]\n"Thôn Ea Khít" = 6\n',
        "utf-8",
    )
    config = load_config(tmp_path)
    assert config.commune.name == "Xã Ea Tu"
    assert config.relays.active_high is False
    assert dict(config.relays.zones) == {"Thôn Ea Khít": 6}  # replaces, not merged


def test_unknown_key_names_the_key_the_line_and_a_guess(tmp_path):
    found = problems(tmp_path, HEADER + "\n[amplifier]\nwarmup_second = 3\n")
    assert found == [
        "loaxa.toml, dòng 6: khoá 'amplifier.warmup_second' không có trong cấu "
        "hình. Xoá dòng này hoặc sửa lại tên khoá (có phải ý bạn là "
        "'warmup_seconds'?).".replace("loaxa.toml", str(tmp_path / "loaxa.toml"))
    ]


def test_wrong_type_and_bad_values_are_all_reported_with_lines(tmp_path):
    found = problems(
        tmp_path,
        HEADER + '[amplifier]\nwarmup_seconds = "hai"\n[clock]\ntimezone = "Asia/Hanoi_City"\n',
    )
    assert len(found) == 1 and "dòng 5" in found[0] and "'hai'" in found[0]
    found = problems(
        tmp_path, HEADER + '[clock]\ntimezone = "Asia/Hanoi_City"\n[amplifier]\ntail_seconds = 99\n'
    )
    assert any("dòng 5" in p and "Asia/Hanoi_City" in p for p in found)
    assert any("dòng 7" in p and "tail_seconds" in p for p in found)


def test_missing_required_key(tmp_path):
    found = problems(tmp_path, '[commune]\nname = "Xã Ea Tu"\n')
    assert len(found) == 1 and "dòng 1" in found[0] and "commune.province" in found[0]


def test_a_pin_used_twice(tmp_path):
    found = problems(tmp_path, HEADER + "[relays]\namplifier = 27\n")
    assert len(found) == 1 and "chân 27" in found[0] and "'thon-1'" in found[0]


def test_syntax_error_gives_the_line(tmp_path):
    found = problems(tmp_path, HEADER + "[audio]\ndevice = hw:1,0\n")
    assert len(found) == 1 and "dòng 5" in found[0] and "TOML" in found[0]


def test_messages_in_english_on_request(tmp_path):
    messages.set_language("en")
    found = problems(tmp_path, HEADER + "[relays]\nactive_high = 1\n")
    assert found == [
        f"{tmp_path / 'loaxa.toml'}, line 5: 'relays.active_high' must be true/false, not 1."
    ]


def test_a_named_config_that_does_not_exist(tmp_path):
    with pytest.raises(LoaxaError) as caught:
        load_config(tmp_path, tmp_path / "khong-co.toml")
    assert "loaxa init" in str(caught.value)


def test_a_config_saved_by_windows_notepad_with_a_bom_loads(tmp_path):
    (tmp_path / "loaxa.toml").write_bytes("\ufeff".encode() + HEADER.encode())
    assert load_config(tmp_path).commune.name == "Xã Ea Tu"


def test_a_config_not_saved_as_utf8_names_the_line_and_the_fix(tmp_path):
    (tmp_path / "loaxa.toml").write_bytes(b'[commune]\nname = "X\xe3 Ea Tu"\nprovince = "T"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    [problem] = caught.value.problems
    assert "dòng 2" in str(problem) and "UTF-8" in str(problem)


def test_syntax_and_system_errors_are_in_the_operators_language(tmp_path, monkeypatch):
    """tomllib and the kernel speak English; the box's messages do not mix it in."""
    [found] = problems(tmp_path, HEADER + "[audio]\ndevice = hw:1,0\n")
    assert "Invalid value" not in found
    assert "dòng 5" in found and "giá trị không hợp lệ" in found and "ngoặc kép" in found
    messages.set_language("en")
    [found] = problems(tmp_path, HEADER + "[audio]\ndevice = hw:1,0\n")
    assert "line 5" in found and "invalid value (text must be in double quotes)" in found
    messages.set_language("vi")

    def failing_card(_path):  # what a dying SD card answers
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(Path, "read_bytes", failing_card)
    with pytest.raises(LoaxaError) as caught:
        load_config(tmp_path)
    assert "Input/output" not in str(caught.value)
    assert str(caught.value).endswith(
        "lỗi đọc/ghi thiết bị (USB hoặc thẻ nhớ bị hỏng hoặc vừa bị rút ra)."
    )


def test_a_config_written_before_july_2025_still_loads_with_a_note(tmp_path):
    """Districts were abolished on 1 July 2025: the key is ignored, and said to be."""
    (tmp_path / "loaxa.toml").write_text(
        '[commune]\nname = "Xã Ea Tu"\ndistrict = "Thành phố Buôn Ma Thuột"\n'
        'province = "Tỉnh Đắk Lắk"\n',
        "utf-8",
    )
    config = load_config(tmp_path)
    assert config.commune.name == "Xã Ea Tu" and not hasattr(config.commune, "district")
    [note] = config.notes
    assert str(note).startswith(f"{tmp_path / 'loaxa.toml'}, dòng 3: khoá 'district'")
    assert "không còn dùng" in str(note) and "[commune] station" in str(note)
    messages.set_language("en")
    assert "is no longer used" in str(note)


def test_station_and_recipient_are_optional(tmp_path):
    config = load_config(tmp_path)
    assert config.commune.station == "" and config.report.recipient == ""
    assert config.notes == ()
    assert "district =" not in default_text()
    (tmp_path / "loaxa.toml").write_text(
        HEADER + 'station = "  Hòa  Xuân "\n[report]\nrecipient = "Sở VHTTDL tỉnh Đắk Lắk"\n',
        "utf-8",
    )
    config = load_config(tmp_path)
    assert config.commune.station == "Hòa Xuân", "spaces as typed do not make another station"
    assert config.report.recipient == "Sở VHTTDL tỉnh Đắk Lắk"
def test_a_deeply_nested_config_is_a_clear_error_not_a_traceback(tmp_path):
    import subprocess
    import sys

    text = HEADER + "[audio]\ndevice = " + "[" * 20_000 + "\n"
    expected = (
        f"{tmp_path / 'loaxa.toml'}, dòng 5: các dấu ngoặc trong tệp cấu hình lồng vào nhau"
        " quá sâu nên không đọc được; mỗi giá trị chỉ cần một cặp ngoặc. Sửa dòng này theo"
        " mẫu trong README."
    )
    assert problems(tmp_path, text) == [expected]
    done = subprocess.run(
        [sys.executable, "-m", "firmware_host", "--data-dir", str(tmp_path), "schedule", "check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout, done.stderr) == (1, "", f"LỖI: {expected}\n")
