"""The ``loaxa`` command as an operator types it."""

from __future__ import annotations

import json
from datetime import date, timedelta

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
    code, _, err = run(capsys, "--data-dir", home, "log", "--month", "2026-13")
    assert code == 1 and "YYYY-MM" in err


def test_report_and_district_merge_from_the_command_line(box, tmp_path, capsys, capture_dir):
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
        capsys, "report", "merge", str(out), "--format", "csv", "--out", str(tmp_path / "huyen")
    )
    assert code == 0
    [table] = (tmp_path / "huyen").glob("*.csv")
    assert "Xã Thử Nghiệm" in table.read_text("utf-8-sig")


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
    from firmware_host.audiodevice import propose, with_device
    from firmware_host.config import default_text

    assert propose(APLAY_L_ON_A_PI) == "plughw:CARD=Device,DEV=0"
    assert propose("null\n    Discard\nplughw:CARD=Headphones,DEV=0\n") is None
    text = with_device(default_text(), "plughw:CARD=Device,DEV=0")
    assert 'device = "plughw:CARD=Device,DEV=0"' in text
    assert text.count("plughw") == 1
