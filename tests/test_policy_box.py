"""Issue 12 on a whole box: what the operator types and reads (tiers, languages, one-off
events, quiet hours, approval), what the stick's receipt says, and what a real daemon
with mock pins airs after an approved file is edited by one byte.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from firmware_host.cli import main
from firmware_host.clips import ClipLibrary
from firmware_host.config import Config, load_config
from firmware_host.daemon import Daemon
from firmware_host.logbook.playlog import PlayLog
from firmware_host.schedules.approvals import Approvals
from tests.conftest import write_box_config
from tests.helpers import captured_files, make_tone, pin_timeline, wait_until

CHAIRMAN = "Y Thuê Niê, Chủ tịch UBND xã"


def policy_box(data_dir: Path, grace: int = 30, **policy: object) -> Config:
    """The test box of conftest with a ``[policy]`` table."""
    write_box_config(data_dir, grace=grace)
    lines = ["", "[policy]"]
    for key, value in policy.items():  # JSON writes these values as TOML does
        lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    with (data_dir / "loaxa.toml").open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    config = load_config(data_dir)
    config.scheduler.schedules_dir.mkdir(parents=True, exist_ok=True)
    return config


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def sessions(config: Config) -> list[dict]:
    return [r for r in PlayLog(config.log_dir, config.timezone).entries() if r["kind"] == "session"]


def events(config: Config) -> list[dict]:
    return [r for r in PlayLog(config.log_dir, config.timezone).entries() if r["kind"] == "event"]


# --------------------------------------------------------------------------- the daemon


@pytest.mark.slow
def test_an_approval_voided_by_a_one_byte_edit_stops_the_campaign_airing(
    tmp_path, capture_dir, pins
):
    # A short grace: a slot that fell while its file waited is not played late after.
    config = policy_box(tmp_path / "box", grace=3, require_approval=True)
    home = str(config.data_dir)
    clip = ClipLibrary(config).import_file(make_tone(tmp_path / "Thông báo.wav", seconds=1.0))
    now = datetime.now(config.timezone).replace(microsecond=0)
    times = [now + timedelta(seconds=s) for s in (6, 12, 22)]
    text = f'# bản 1\n[campaign]\nname = "Tắt sóng 2G"\nstart = {now.date()}\nend = {now.date()}\n'
    for name, at in zip(("sáng", "trưa", "chiều"), times, strict=True):
        text += (
            f'\n[[slot]]\nname = "{name}"\ntime = "{at:%H:%M:%S}"\n'
            f'playlist = ["{clip.id}"]\nzones = ["thon-1"]\n'
        )
    path = config.scheduler.schedules_dir / "2g.toml"
    path.write_text(text, "utf-8")
    assert run_quiet("--data-dir", home, "schedule", "approve", "2g.toml", "--by", CHAIRMAN) == 0
    said: list[str] = []
    daemon = Daemon(config, pin_factory=pins, announce=said.append)
    daemon.start()
    try:
        wait_until(lambda: [s["status"] for s in sessions(config)] == ["completed"], timeout=15)
        path.write_bytes(path.read_bytes().replace(b"# b\xe1\xba\xa3n 1", b"# b\xe1\xba\xa3n 2"))
        wait_until(lambda: any("chờ duyệt lại" in line for line in said), timeout=5)
        wait_until(lambda: datetime.now(config.timezone) > times[1] + timedelta(seconds=4), 20)
        assert len(sessions(config)) == 1, "the edited file did not air"
        assert (
            run_quiet("--data-dir", home, "schedule", "approve", str(path), "--by", CHAIRMAN) == 0
        )
        wait_until(lambda: len(sessions(config)) == 2 and sessions(config)[1]["ended"], timeout=15)
    finally:
        daemon.stop()
    assert [(s["slot"], s["status"]) for s in sessions(config)] == [
        ("sáng", "completed"),
        ("chiều", "completed"),
    ]
    # What reached the speakers: two sessions, the amplifier on twice, never at noon.
    assert len(captured_files(capture_dir)) == 2
    amplifier = [at for at, on in pin_timeline(pins.pin(17)) if on]
    assert len(amplifier) == 2
    assert not any(times[1].timestamp() - 1 < at < times[2].timestamp() - 1 for at in amplifier)
    assert [e["event"] for e in events(config)] == [
        "schedule_approved",
        "schedule_voided",
        "schedule_approved",
    ]
    assert events(config)[1]["note"] == (
        f"Lịch 2g.toml đã bị sửa sau khi {CHAIRMAN} duyệt: lần duyệt đó hết hiệu lực, tệp chờ "
        "duyệt lại và không được phát."
    )


def run_quiet(*argv: str) -> int:
    return main(list(argv))


@pytest.mark.slow
def test_a_slot_in_two_languages_plays_each_clip_in_each_language(tmp_path, capture_dir, pins):
    """The log entries carry the clips played and the campaign's tier; the report counts both."""
    from firmware_host.report import service

    config = policy_box(tmp_path / "box")
    library = ClipLibrary(config)
    vi = library.import_file(make_tone(tmp_path / "Thông báo.wav", seconds=1.0, frequency=440))
    ede = library.import_file(
        make_tone(tmp_path / "Klei mblang.wav", seconds=1.2, frequency=660),
        language="ede",
        translation_of=vi.id,
    )
    at = datetime.now(config.timezone).replace(microsecond=0) + timedelta(seconds=4)
    (config.scheduler.schedules_dir / "song-ngu.toml").write_text(
        f'[campaign]\nname = "Song ngữ"\ntier = "ưu tiên"\ndate = {at.date()}\n\n'
        '[[slot]]\nname = "sáng"\n'
        f'time = "{at:%H:%M:%S}"\nplaylist = ["{vi.id}"]\nlanguages = ["ede", "vi"]\n'
        'zones = ["thon-1"]\n',
        "utf-8",
    )
    daemon = Daemon(config, pin_factory=pins, announce=lambda _line: None)
    daemon.start()
    try:
        wait_until(lambda: [s["status"] for s in sessions(config)] == ["completed"], timeout=15)
    finally:
        daemon.stop()
    rows = PlayLog(config.log_dir, config.timezone).entries()
    played = [
        (r["clip_id"], r["clip_language"], r["status"], r["tier"])
        for r in rows
        if r["kind"] == "clip"
    ]
    assert played == [
        (ede.id, "ede", "completed", "uu-tien"),
        (vi.id, "vi", "completed", "uu-tien"),
    ]
    assert [s["tier"] for s in sessions(config)] == ["uu-tien"]
    assert len(captured_files(capture_dir)) == 2
    report = service.month_report(config, f"{at:%Y-%m}")
    assert [(x["tier"], x["sessions"], x["plays"]) for x in report.by_tier] == [
        ("khan-cap", 0, 0),
        ("uu-tien", 1, 2),
        ("thuong", 0, 0),
    ]
    assert [(x["language"], x["plays"]) for x in report.by_language] == [("ede", 1), ("vi", 1)]


# --------------------------------------------------------------------------- the command line


def campaigns(config: Config, first: date) -> tuple[Path, Path]:
    bao = config.scheduler.schedules_dir / "bao.toml"
    bao.write_text(
        '[campaign]\nname = "Bão số 3"\ntier = "Khẩn cấp"\n'
        f"start = {first}\nend = {first + timedelta(days=1)}\n\n"
        '[[slot]]\nname = "tối"\ntime = "22:15"\ndays = "hằng ngày"\n'
        'playlist = ["thong-bao"]\nlanguages = ["vi", "ede"]\nzones = "tất cả"\n',
        "utf-8",
    )
    hop = config.scheduler.schedules_dir / "hop.toml"
    hop.write_text(
        f'[campaign]\nname = "Họp dân"\ndate = {first + timedelta(days=1)}\n\n'
        '[[slot]]\nname = "nhắc"\ntime = "07:00"\nplaylist = ["thong-bao"]\nzones = ["thon-2"]\n',
        "utf-8",
    )
    return bao, hop


def test_show_and_check_say_tiers_languages_one_offs_and_what_waits(tmp_path, capsys):
    config = policy_box(tmp_path / "box", require_approval=True, quiet_hours=["22:00-05:00"])
    home = str(config.data_dir)
    library = ClipLibrary(config)
    original = library.import_file(make_tone(tmp_path / "Thông báo.wav", seconds=1.0))
    library.import_file(
        make_tone(tmp_path / "Ê Đê.wav", seconds=1.2, frequency=660),
        language="ede",
        translation_of=original.id,
    )
    first = date(2030, 5, 6)
    bao, hop = campaigns(config, first)
    Approvals(config.log_dir).approve(bao, CHAIRMAN, datetime.now(config.timezone))

    code, out, _ = run(capsys, "--data-dir", home, "schedule", "check")
    assert code == 0
    assert f"! {bao}: " not in out  # the emergency's warning has a line
    assert (
        f"! {bao}, dòng 9: chiến dịch khẩn cấp: khung giờ này không theo giờ im lặng ([policy] "
        "quiet_hours) vào ngày 06/05/2030 và 1 ngày khác, nhưng vẫn được phát vì tin khẩn cấp "
        "không bị giới hạn"
    ) in out
    assert (
        f"✋ {hop}: chờ duyệt: chưa có ai duyệt tệp này. Tệp này chưa được phát (xã yêu cầu "
        "lãnh đạo duyệt lịch: [policy] require_approval)"
    ) in out
    code, out, _ = run(capsys, "--data-dir", home, "schedule", "check", "--json")
    waiting = json.loads(out)["awaiting_approval"]
    assert waiting == {"hop.toml": {"state": "awaiting", "message": waiting["hop.toml"]["message"]}}

    code, out, _ = run(
        capsys,
        "--data-dir",
        home,
        "schedule",
        "show",
        "--from",
        str(first),
        "--days",
        "2",
        "--json",
    )
    shown = [
        (
            s["campaign"],
            s["at"][:16],
            s["tier"],
            s["languages"],
            s["playlist"],
            s["awaiting_approval"],
        )
        for s in json.loads(out)
    ]
    assert shown == [
        ("Bão số 3", "2030-05-06T22:15", "khan-cap", ["vi", "ede"], ["thong-bao", "e-de"], False),
        ("Họp dân", "2030-05-07T07:00", "thuong", [], ["thong-bao"], True),
        ("Bão số 3", "2030-05-07T22:15", "khan-cap", ["vi", "ede"], ["thong-bao", "e-de"], False),
    ]
    code, out, err = run(
        capsys, "--data-dir", home, "schedule", "show", "--from", str(first), "--days", "2"
    )
    rows = [line for line in out.splitlines() if "2030" in line]
    assert "Bão số 3" in rows[0] and "khẩn cấp" in rows[0]
    assert "Thông báo [vi], Ê Đê [ede]" in rows[0]
    assert "Họp dân (chờ duyệt, không phát)" in rows[1] and "thông thường" in rows[1]
    assert f"✋ {hop}: chờ duyệt" in err

    code, out, _ = run(
        capsys,
        "--data-dir",
        home,
        "schedule",
        "refuse",
        "hop.toml",
        "--by",
        CHAIRMAN,
        "--reason",
        "sai ngày họp",
    )
    assert code == 0
    assert out.startswith(f"✔ Đã ghi: lịch hop.toml bị {CHAIRMAN} từ chối (sai ngày họp).")
    code, out, _ = run(capsys, "--data-dir", home, "schedule", "check", "--lang", "en")
    assert f"✋ {hop}: refused by {CHAIRMAN} at " in out and ": sai ngày họp. This file" in out
    assert hop.exists(), "a refused file stays in the folder"


def test_a_quiet_hours_clash_is_refused_by_check_and_changes_nothing(tmp_path, capsys):
    config = policy_box(tmp_path / "box", quiet_hours=["21:30-05:30"])
    home = str(config.data_dir)
    clip = ClipLibrary(config).import_file(make_tone(tmp_path / "Thông báo.wav", seconds=1.0))
    head = '[campaign]\nname = "{name}"\nstart = 2030-05-06\nend = 2030-05-08\n\n'
    slot = (
        '[[slot]]\ntime = "{at}"\ndays = "hằng ngày"\nplaylist = ["{clip}"]\nzones = ["thon-1"]\n'
    )
    good = config.scheduler.schedules_dir / "a-sang.toml"
    good.write_text(head.format(name="Sáng") + slot.format(at="06:30", clip=clip.id), "utf-8")
    late = config.scheduler.schedules_dir / "b-toi.toml"
    late.write_text(head.format(name="Tối") + slot.format(at="21:45", clip=clip.id), "utf-8")
    code, out, _ = run(capsys, "--data-dir", home, "schedule", "check")
    assert code == 1
    assert out.splitlines()[0] == (
        f"✘ {late}, dòng 7: khung giờ này phát vào giờ im lặng 21:30–05:30 của xã ([policy] "
        "quiet_hours) vào ngày 06/05/2030 từ 21:45 đến 21:45:01 và 2 ngày khác; hãy dời giờ "
        "phát ra ngoài khoảng này"
    )
    code, out, _ = run(
        capsys,
        "--data-dir",
        home,
        "schedule",
        "show",
        "--from",
        "2030-05-06",
        "--days",
        "3",
        "--json",
    )
    assert {s["campaign"] for s in json.loads(out)} == {"Sáng"}


def test_the_stick_receipt_says_which_files_wait(tmp_path):
    from firmware_host import usb

    config = policy_box(tmp_path / "box", require_approval=True)
    clip = ClipLibrary(config).import_file(make_tone(tmp_path / "Thông báo.wav", seconds=1.0))
    bao, _hop = campaigns(config, date(2024, 9, 16))
    bao.write_text(bao.read_text("utf-8").replace("languages", "# languages"), "utf-8")
    Approvals(config.log_dir).approve(bao, CHAIRMAN, datetime.now(config.timezone))
    inbox = tmp_path / "stick" / "LoaXa" / "nhap"
    inbox.mkdir(parents=True)
    (inbox / "moi.toml").write_text(
        '[campaign]\nname = "Mới"\ndate = 2024-09-17\n\n[[slot]]\ntime = "09:00"\n'
        f'playlist = ["{clip.id}"]\nzones = ["thon-3"]\n',
        "utf-8",
    )
    moment = datetime(2024, 9, 16, 8, 0, tzinfo=config.timezone)
    result = usb.sync_stick(config, tmp_path / "stick", now=moment)
    (installed,) = result.imported[-1:]
    assert installed.message.splitlines()[1] == (
        "chờ duyệt: chưa có ai duyệt tệp này: lịch này chỉ được phát sau khi lãnh đạo xã duyệt "
        "(loaxa schedule approve)."
    )
    assert result.plan[:2] == [
        "✋ hop.toml: chờ duyệt: chưa có ai duyệt tệp này — chưa được phát.",
        "✋ moi.toml: chờ duyệt: chưa có ai duyệt tệp này — chưa được phát.",
    ]
    assert [line.split("  ")[1] for line in result.plan[2:]] == [
        "Bão số 3 / tối: Thông báo → vùng loa: thon-1, thon-2, thon-3",
        "Bão số 3 / tối: Thông báo → vùng loa: thon-1, thon-2, thon-3",
    ]
    assert "✋ moi.toml" in result.receipt.read_text("utf-8-sig")
