"""``loaxa selftest`` on mock pins and the ALSA capture device: what it really drives."""

from __future__ import annotations

import itertools
import math
import sys
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from firmware_host.clips import ClipLibrary
from firmware_host.selftest import TONE_DBFS, TONE_HZ, run_selftest
from tests.helpers import captured_files, make_tone, read_samples


def test_every_check_passes_on_a_working_box(box, pins, capture_dir, tmp_path):
    clip = ClipLibrary(box).import_file(make_tone(tmp_path / "Tin.wav", seconds=1.0))
    tomorrow = datetime.now(box.timezone).date() + timedelta(days=1)
    box.scheduler.schedules_dir.mkdir(parents=True)
    (box.scheduler.schedules_dir / "a.toml").write_text(
        f'[campaign]\nname = "Thử"\nstart = {tomorrow}\nend = {tomorrow}\n\n'
        f'[[slot]]\nname = "sáng"\ntime = "06:30"\ndays = "hằng ngày"\n'
        f'playlist = ["{clip.id}"]\nzones = "tất cả"\n',
        "utf-8",
    )
    questions: list[str] = []
    lines: list[str] = []
    checks = run_selftest(
        box,
        confirm=lambda q: questions.append(q) or True,
        pin_factory=pins,
        announce=lines.append,
        boot_root=tmp_path,
    )
    assert [(c.name, c.ok) for c in checks] == [
        ("config", True),
        ("clock", True),
        ("disk", True),
        ("audio", True),
        ("schedules", True),
        ("boot_pins", True),  # no config.txt: not a Raspberry Pi
        ("relays", True),
    ]
    assert f"{tomorrow:%d/%m/%Y} 06:30" in checks[4].detail
    assert len(questions) == 5  # three zones, the amplifier, the tone
    # each relay clicked alone, then zones before the amplifier for the tone
    for number in (27, 22, 23):
        assert [bool(s.state) for s in pins.pin(number).states[1:]] == [True, False] * 2
    assert [bool(s.state) for s in pins.pin(17).states[1:]] == [True, False] * 2
    # what reached the device: 1 s of silence (device check), then the 2 s tone
    silence, tone = captured_files(capture_dir)
    assert not any(read_samples(silence)[1])
    rate, samples = read_samples(tone)
    body = samples[rate // 10 : rate * 19 // 10]  # away from the fades
    rms = math.sqrt(sum(x * x for x in body) / len(body)) / 32768
    assert 20 * math.log10(rms * math.sqrt(2)) == pytest.approx(TONE_DBFS, abs=0.5)
    crossings = sum(1 for a, b in itertools.pairwise(body) if a < 0 <= b)
    assert crossings / (len(body) / rate) == pytest.approx(TONE_HZ, rel=0.01)


def test_a_relay_nobody_heard_fails_with_advice(box, pins, capture_dir):
    answers = iter([True, False, True, True, True])
    lines: list[str] = []
    checks = run_selftest(
        box, confirm=lambda _q: next(answers), pin_factory=pins, announce=lines.append
    )
    relays = checks[-1]
    assert not relays.ok and "thon-2" in relays.detail and "active_high" in relays.advice
    assert any(line.startswith("[FAIL] Rơ-le") for line in lines)


# -- the relay pins from power-on: config.txt against loaxa.toml (issue 10, item 18) --------

ACTIVE_LOW_LINE = "gpio=17,22,23,27=op,dh"


def boot_root(tmp_path, text: str | None, where: str = "boot/firmware/config.txt"):
    root = tmp_path / "pi"
    root.mkdir()
    if text is not None:
        (root / where).parent.mkdir(parents=True)
        (root / where).write_text(text)
    return root


def verdict(box, root, **relays):
    from firmware_host.relays.bootpins import check

    return check(replace(box.relays, **relays), root)


@pytest.mark.parametrize(
    ("active_high", "line"),
    [(False, ACTIVE_LOW_LINE), (True, "gpio=17,22,23,27=op,dl")],
    ids=["active-low", "active-high"],
)
def test_boot_pins_that_match_the_config_pass(box, tmp_path, active_high, line):
    root = boot_root(tmp_path, f"dtparam=audio=on\n[all]\n{line}\n")
    ok, detail, _advice = verdict(box, root, active_high=active_high)
    assert ok and line in detail


def test_boot_pins_missing_line_says_what_to_write(box, tmp_path):
    from firmware_host.messages import set_language

    root = boot_root(tmp_path, "dtparam=audio=on\n[pi4]\n" + ACTIVE_LOW_LINE + "\n")
    ok, detail, advice = verdict(box, root, active_high=False)
    assert not ok  # under [pi4] it holds nothing on a Pi Zero
    assert "GPIO17, GPIO22, GPIO23, GPIO27" in detail and "20–40" in detail
    assert ACTIVE_LOW_LINE in advice and "install.sh" in advice
    set_language("en")
    try:
        ok, detail, advice = verdict(box, root, active_high=False)
        assert "does not hold GPIO17, GPIO22, GPIO23, GPIO27 at OFF" in detail
        assert advice.endswith(f"(under [all]) and reboot: {ACTIVE_LOW_LINE}")
    finally:
        set_language("vi")


def test_boot_pins_at_the_on_level_fail(box, tmp_path):
    """The board was changed to active-low after the install: the firmware now switches
    every relay ON at boot."""
    root = boot_root(tmp_path, "[all]\ngpio=17,22,23,27=op,dl\n", where="boot/config.txt")
    ok, detail, advice = verdict(box, root, active_high=False)
    assert not ok and "GPIO17, GPIO22, GPIO23, GPIO27" in detail and "active_high" in detail
    assert ACTIVE_LOW_LINE in advice


def test_boot_pins_of_old_wiring_fail(box, tmp_path):
    """Zone thon-3 moved from GPIO23 to GPIO24, install.sh not run again: GPIO24 floats
    and GPIO23 (a button now, perhaps) is still driven."""
    from firmware_host.relays.bootpins import with_block

    root = boot_root(tmp_path, with_block("dtparam=audio=on\n", ACTIVE_LOW_LINE))
    zones = {**box.relays.zones, "thon-3": 24}
    ok, detail, advice = verdict(box, root, active_high=False, zones=zones)
    assert not ok and "GPIO24" in detail and "GPIO23" not in detail
    assert "gpio=17,22,24,27=op,dh" in advice

    fixed = with_block((root / "boot/firmware/config.txt").read_text(), "gpio=17,22,24,27=op,dh")
    (root / "boot/firmware/config.txt").write_text(fixed)
    assert verdict(box, root, active_high=False, zones=zones)[0]
    by_hand = "[all]\ngpio=17,22,23,24,27=op,dh\n"  # written by hand, no block: also fine
    (root / "boot/firmware/config.txt").write_text(by_hand)
    assert verdict(box, root, active_high=False, zones=zones)[0]

    (root / "boot/firmware/config.txt").write_text(with_block("", "gpio=17,22,23,24,27=op,dh"))
    ok, detail, _advice = verdict(box, root, active_high=False, zones=zones)
    assert not ok and "GPIO23" in detail and "không còn là rơ-le" in detail


def test_boot_pins_elsewhere(box, tmp_path):
    assert verdict(box, boot_root(tmp_path, None))[0]  # not a Raspberry Pi
    stub = tmp_path / "stub"
    (stub / "boot").mkdir(parents=True)
    (stub / "boot/config.txt").write_text(
        "The file you are looking for has moved to /boot/firmware/config.txt\n"
    )
    ok, detail, _ = verdict(box, stub)
    assert ok and "Raspberry Pi" in detail  # /boot/firmware not mounted: nothing to read
    root = tmp_path / "serial"
    root.mkdir()
    (root / "boot").mkdir()
    (root / "boot/config.txt").write_text("dtparam=audio=on\n")
    ok, detail, _ = verdict(box, root, backend="lcus", amplifier=1, zones={"thon-1": 2})
    assert ok and "lcus" in detail
    from firmware_host.relays.bootpins import with_block

    (root / "boot/config.txt").write_text(with_block("dtparam=audio=on\n", ACTIVE_LOW_LINE))
    ok, _detail, advice = verdict(box, root, backend="lcus", amplifier=1, zones={"thon-1": 2})
    assert not ok and "install.sh" in advice


def test_selftest_reports_the_boot_pins(box, pins, capture_dir, tmp_path):
    root = boot_root(tmp_path, "dtparam=audio=on\n")
    lines: list[str] = []
    checks = run_selftest(
        box, confirm=lambda _q: True, pin_factory=pins, announce=lines.append, boot_root=root
    )
    boot = next(c for c in checks if c.name == "boot_pins")
    assert not boot.ok and "gpio=17,22,23,27=op,dl" in boot.advice
    assert any(line.startswith("[FAIL] Rơ-le lúc khởi động") for line in lines)


def test_the_tone_needs_no_pydub(monkeypatch, tmp_path):
    """pydub needs audioop-lts on Python 3.13, which has no armv7 wheel: the installer would
    need a compiler on a 32-bit Pi. The tone is made with the standard library."""
    from firmware_host.selftest import TONE_SECONDS, make_tone

    for module in ("pydub", "pydub.generators", "audioop"):
        monkeypatch.setitem(sys.modules, module, None)
    rate, samples = read_samples(make_tone(tmp_path / "tone.wav"))
    assert rate == 48000 and len(samples) == TONE_SECONDS * rate
    assert max(map(abs, samples)) == pytest.approx(32767 * 10 ** (TONE_DBFS / 20), rel=0.01)
    assert samples[0] == 0 and abs(samples[-1]) < 200  # faded: no click on the horns
