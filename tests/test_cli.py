"""The ``loaxa`` command as an operator types it."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime, timedelta

import pytest

from firmware_host.cli import main
from tests.helpers import captured_files, make_tone


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_init_writes_a_config_once(tmp_path, capsys):
    home = tmp_path / "home"
    code, out, _ = run(capsys, "--data-dir", str(home), "init")
    assert code == 0 and (home / "loaxa.toml").is_file() and (home / "schedules").is_dir()
    (home / "loaxa.toml").write_text(
        (home / "loaxa.toml").read_text().replace("Xã Mẫu", "Xã Ea Tu")
    )
    code, out, _ = run(capsys, "--data-dir", str(home), "init")
    assert code == 0 and "giữ nguyên" in out
    assert "Xã Ea Tu" in (home / "loaxa.toml").read_text()


def test_clip_import_list_remove(box, tmp_path, capsys):
    home = str(box.data_dir)
    good = make_tone(tmp_path / "Thông báo họp dân.mp3", seconds=1.5)
    bad = tmp_path / "bai-hat.mp3"
    bad.write_text("đây không phải là âm thanh")
    code, out, err = run(
        capsys, "--data-dir", home, "clips", "import", str(good), str(bad), "--lang", "ede"
    )
    assert code == 1, "one file was refused"
    assert "thong-bao-hop-dan" in out and "ede" in out
    assert "bai-hat.mp3" in err
    code, out, _ = run(capsys, "clips", "list", "--json", "--data-dir", home)
    listed = json.loads(out)
    assert [(c["id"], c["title"], c["language"]) for c in listed] == [
        ("thong-bao-hop-dan", "Thông báo họp dân", "ede")
    ]
    code, out, _ = run(capsys, "--data-dir", home, "clips", "list")
    assert "Thông báo họp dân" in out and "0:02" in out
    code, out, _ = run(capsys, "--data-dir", home, "clips", "remove", "thong-bao-hop-dan")
    assert code == 0
    code, out, _ = run(capsys, "--data-dir", home, "clips", "list", "--json")
    assert json.loads(out) == []


def write_schedule(box, clip_id: str, time_text: str = "06:30") -> None:
    today = date.today()
    box.scheduler.schedules_dir.mkdir(parents=True, exist_ok=True)
    (box.scheduler.schedules_dir / "2g.toml").write_text(
        '[campaign]\nname = "Tắt sóng 2G"\n'
        f"start = {today.isoformat()}\nend = {(today + timedelta(days=30)).isoformat()}\n\n"
        f'[[slot]]\nname = "sáng"\ntime = "{time_text}"\ndays = ["T2", "T4", "T6"]\n'
        f'playlist = ["{clip_id}"]\nzones = ["thon-1"]\nrepeat = 2\n',
        "utf-8",
    )


def test_schedule_check_and_show(box, tmp_path, capsys):
    home = str(box.data_dir)
    run(
        capsys,
        "--data-dir",
        home,
        "clips",
        "import",
        str(make_tone(tmp_path / "Thông báo.wav", seconds=2)),
    )
    write_schedule(box, "thong-bao")
    code, out, _ = run(capsys, "--data-dir", home, "schedule", "check")
    assert code == 0 and "hợp lệ" in out
    first = date.today().isoformat()  # --from: the sessions already over today are listed too
    code, out, _ = run(
        capsys, "--data-dir", home, "schedule", "show", "--days", "7", "--from", first, "--json"
    )
    plan = json.loads(out)
    assert len(plan) == 3  # Mon, Wed, Fri of any 7 days
    assert all(s["at"].endswith("+07:00") and s["at"][11:16] == "06:30" for s in plan)
    assert {s["playlist"][0] for s in plan} == {"thong-bao"}
    code, out, _ = run(capsys, "--data-dir", home, "schedule", "show", "--days", "7")
    assert "06:30" in out and "Thông báo ×2" in out and "thon-1" in out

    write_schedule(box, "thong-bao-2g", time_text="25:00")
    code, out, _ = run(capsys, "--data-dir", home, "schedule", "check")
    assert code == 1
    assert "2g.toml, dòng 8" in out and "25:00" in out
    assert "thong-bao-2g" in out and "loaxa clips import" in out
    code, out, _ = run(capsys, "--lang", "en", "--data-dir", home, "schedule", "check")
    assert "line 8" in out and "is not in the library" in out


def test_play_now_then_read_the_log(box, tmp_path, capsys, capture_dir):
    home = str(box.data_dir)
    run(
        capsys,
        "--data-dir",
        home,
        "clips",
        "import",
        str(make_tone(tmp_path / "Khẩn.flac", seconds=1.2)),
    )
    code, out, _ = run(capsys, "--data-dir", home, "play", "khan", "--zones", "thon-2")
    assert code == 0, out
    assert "thon-2" in out and "BẬT" in out and "Tất cả rơ-le đã TẮT." in out
    assert len(captured_files(capture_dir)) == 1
    code, out, _ = run(capsys, "--data-dir", home, "log", "--json")
    rows = json.loads(out)
    assert [(r["kind"], r["status"], r["trigger"]) for r in rows] == [
        ("session", "completed", "manual"),
        ("clip", "completed", "manual"),
    ]
    code, out, _ = run(capsys, "--data-dir", home, "log")
    assert "đã phát" in out and "Khẩn" in out
    session_line = next(line for line in out.splitlines() if "thon-2" in line)
    assert "Phát tay: Khẩn" in session_line, "a manual play says what was played"
    assert " / -" not in out and "phát tay /" not in out
    code, out, _ = run(capsys, "--data-dir", home, "log", "--lang", "en")
    assert "Manual: Khẩn" in out
    code, _, err = run(capsys, "--data-dir", home, "log", "--month", "2026-13")
    assert code == 1 and "YYYY-MM" in err


def test_report_and_merge_from_the_command_line(box, tmp_path, capsys, capture_dir):
    home = str(box.data_dir)
    run(
        capsys,
        "--data-dir",
        home,
        "clips",
        "import",
        str(make_tone(tmp_path / "Tin vắn.wav", seconds=1.2)),
    )
    assert run(capsys, "--data-dir", home, "play", "tin-van", "--repeat", "2", "--gap", "0")[0] == 0
    month = json.loads(run(capsys, "--data-dir", home, "log", "--json")[1])[0]["started"][:7]
    out = tmp_path / "out"
    code, printed, _ = run(
        capsys,
        "--data-dir",
        home,
        "report",
        "--month",
        month,
        "--format",
        "json,docx",
        "--out",
        str(out),
    )
    assert code == 0 and "1 buổi phát trọn vẹn, 2 lượt" in printed
    [exported] = out.glob("*.json")
    figures = json.loads(exported.read_text("utf-8"))
    assert figures["totals"]["plays_completed"] == 2
    assert figures["commune"]["name"] == "Xã Thử Nghiệm"
    assert len(list(out.glob("*.docx"))) == 1
    code, _, err = run(capsys, "--data-dir", home, "report", "--month", month, "--format", "pdf")
    assert code == 1 and "pdf" in err
    code, printed, _ = run(
        capsys, "report", "merge", str(out), "--format", "csv", "--out", str(tmp_path / "tinh")
    )
    assert code == 0
    breakdowns, table = sorted((tmp_path / "tinh").glob("*.csv"))
    assert "Xã Thử Nghiệm" in table.read_text("utf-8-sig")
    assert breakdowns.name.endswith(" - phân loại.csv")


APLAY_L_ON_A_PI = """null
    Discard all samples (playback) or generate zero samples (capture)
hw:CARD=vc4hdmi,DEV=0
    vc4-hdmi, MAI PCM i2s-hifi-0
plughw:CARD=vc4hdmi,DEV=0
    vc4-hdmi, MAI PCM i2s-hifi-0
plughw:CARD=Headphones,DEV=0
    bcm2835 Headphones, bcm2835 Headphones
hw:CARD=Device,DEV=0
    USB Audio Device, USB Audio
plughw:CARD=Device,DEV=0
    USB Audio Device, USB Audio
"""


def test_init_proposes_the_usb_sound_card_by_its_stable_name():
    from firmware_host.broadcast.audiodevice import propose, with_device
    from firmware_host.config import default_text

    assert propose(APLAY_L_ON_A_PI) == "plughw:CARD=Device,DEV=0"
    assert propose("null\n    Discard\nplughw:CARD=Headphones,DEV=0\n") is None
    text = with_device(default_text(), "plughw:CARD=Device,DEV=0")
    assert 'device = "plughw:CARD=Device,DEV=0"' in text
    assert text.count("plughw") == 1


@pytest.mark.parametrize(
    "argv",
    [["log"], ["log", "--json"], ["schedule", "show"], ["clips", "list"]],
    ids=" ".join,
)
def test_output_into_a_closed_pipe_ends_quietly(box, argv):
    """``loaxa log | head -1``: head has gone when loaxa writes. Exit like coreutils
    (killed by SIGPIPE: 141 in the shell), no traceback, nothing on stderr."""
    from firmware_host.logbook.playlog import PlayLog

    log = PlayLog(box.log_dir, box.timezone)
    log.record_event("test", at=datetime.now(box.timezone), note="một dòng nhật ký")
    log.close()
    child = subprocess.Popen(
        [sys.executable, "-m", "firmware_host", "--data-dir", str(box.data_dir), *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    child.stdout.close()  # the reader is gone before loaxa prints its first line
    err = child.stderr.read().decode()
    assert child.wait(timeout=60) == 141
    assert err == "", err


def test_lang_after_the_command_is_the_message_language(box, tmp_path, capsys):
    home = str(box.data_dir)
    code, out, _ = run(capsys, "clips", "list", "--lang", "en", "--data-dir", home)
    assert code == 0 and out.startswith("The library is empty")
    tone = make_tone(tmp_path / "Thông báo họp dân.mp3", seconds=1.2)
    code, out, err = run(capsys, "--data-dir", home, "clips", "import", str(tone), "--lang", "en")
    assert code == 0 and "imported 'Thông báo họp dân'" in out and "language vi" in out
    assert err == ""


def test_clip_lang_names_the_clip_language_and_the_old_spelling_still_works(box, tmp_path, capsys):
    home = str(box.data_dir)
    one = make_tone(tmp_path / "Một.mp3", seconds=1.2, frequency=500)
    two = make_tone(tmp_path / "Hai.mp3", seconds=1.2, frequency=600)
    code, out, err = run(
        capsys, "--data-dir", home, "clips", "import", str(one), "--clip-lang", "ede"
    )
    assert code == 0 and "tiếng ede" in out and err == ""
    code, out, err = run(capsys, "--data-dir", home, "clips", "import", str(two), "--lang", "jra")
    assert code == 0 and "tiếng jra" in out
    assert "--clip-lang jra" in err, "the old spelling works, and says how to write it now"
    code, out, _ = run(capsys, "--data-dir", home, "clips", "list", "--json")
    assert {c["id"]: c["language"] for c in json.loads(out)} == {"mot": "ede", "hai": "jra"}


def test_a_batch_import_ends_with_a_summary(box, tmp_path, capsys):
    home = str(box.data_dir)
    first = make_tone(tmp_path / "Tin sáng.mp3", seconds=1.2)
    second = make_tone(tmp_path / "Tin chiều.wav", seconds=1.3, frequency=660)
    bad = tmp_path / "hong.mp3"
    bad.write_text("không phải âm thanh")
    again = tmp_path / "Tin sáng (bản sao).mp3"
    again.write_bytes(first.read_bytes())
    code, out, err = run(
        capsys, "--data-dir", home, "clips", "import", str(first), str(second), str(bad), str(again)
    )
    assert code == 1, "a file was refused"
    assert out.splitlines()[-1] == "2 bài đã nhập, 1 tệp bị từ chối, 1 bài đã có trong thư viện."
    assert "hong.mp3" in err
    code, out, err = run(
        capsys, "--lang", "en", "--data-dir", home, "clips", "import", str(first), str(second)
    )
    assert code == 0, "already in the library is not a failure"
    assert (
        out.splitlines()[-1] == "0 clips imported, 0 files refused, 2 clips already in the library."
    )
    code, out, err = run(
        capsys, "--lang", "en", "--data-dir", home, "clips", "import", str(bad), str(again)
    )
    assert (
        out.splitlines()[-1] == "0 clips imported, 1 file refused, 1 clip already in the library."
    )
    code, out, _ = run(capsys, "--data-dir", home, "clips", "import", str(first))
    assert len(out.splitlines()) == 1, "one file: its own line is the summary"


def test_a_system_error_is_said_in_vietnamese_without_a_traceback(tmp_path, capsys):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    code, _, err = run(capsys, "--data-dir", str(blocker / "home"), "init")
    assert code == 1
    assert err.startswith("LỖI: ") and "một phần của đường dẫn không phải là thư mục" in err
    assert "Not a directory" not in err and "Traceback" not in err


def test_an_old_config_with_a_district_is_noted_by_every_command(tmp_path, capsys):
    home = tmp_path / "home"
    home.mkdir()
    (home / "loaxa.toml").write_text(
        '[commune]\nname = "Xã Ea Tu"\ndistrict = "Huyện Cũ"\nprovince = "Tỉnh Đắk Lắk"\n', "utf-8"
    )
    code, out, err = run(capsys, "--data-dir", str(home), "clips", "list")
    assert code == 0 and "Thư viện chưa có bài nào" in out
    assert err.startswith("! ") and "khoá 'district'" in err


def test_error_text_renders_system_errors_in_the_language_of_the_moment():
    import errno
    import os

    from firmware_host import messages
    from firmware_host.messages import LoaxaError, error_text

    gone = LoaxaError(
        "file.unreadable", path="/media/usb/a.mp3", detail=error_text(OSError(19, "x"))
    )
    assert str(gone).endswith("thiết bị không còn (USB đã bị rút ra?).")
    messages.set_language("en")
    assert str(gone).endswith("the device is gone (was the USB stick pulled out?).")
    assert str(error_text(errno.ENOSPC)) == "no space left on the device"
    unusual = error_text(OSError(errno.ECHILD, os.strerror(errno.ECHILD)))
    assert str(unusual) == "No child processes (error code ECHILD)", "unknown: the system's own"
    messages.set_language("vi")
    assert str(unusual) == "No child processes (mã lỗi ECHILD)"
    assert str(error_text(ValueError("khác"))) == "khác"
    table = [k.removeprefix("syserr.") for k in messages.CATALOG if k.startswith("syserr.E")]
    assert len(table) >= 15 and all(hasattr(errno, name) for name in table)


def test_clips_say_reads_a_text_into_a_clip_or_says_what_is_missing(box, tmp_path, capsys):
    """`loaxa clips say` is the officer's TTS: the clip lands in the library like an
    imported one; no text, or both a text and a file, is refused with a sentence."""
    home = str(box.data_dir)
    code, out, err = run(
        capsys,
        "--data-dir",
        home,
        "clips",
        "say",
        "Chiều nay 16/9 cắt nước từ 14h.",
        "--title",
        "Cắt nước",
    )
    assert code == 0, err
    assert "cat-nuoc" in out and "espeak-ng" in out
    code, out, _ = run(capsys, "--data-dir", home, "clips", "list", "--json")
    [clip] = json.loads(out)
    assert clip["id"] == "cat-nuoc" and clip["title"] == "Cắt nước"
    text_file = tmp_path / "thong-bao.txt"
    text_file.write_text("Họp dân lúc 19h30 tại nhà văn hoá thôn 2.", "utf-8")
    code, _out, err = run(
        capsys, "--data-dir", home, "clips", "say", "x", "--file", str(text_file), "--title", "y"
    )
    assert code == 1 and "không cả hai" in err
    code, out, err = run(
        capsys, "--data-dir", home, "clips", "say", "--file", str(text_file), "--title", "Họp"
    )
    assert code == 0, err
