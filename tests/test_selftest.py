"""``loaxa selftest`` on mock pins and the ALSA capture device: what it really drives."""

from __future__ import annotations

import itertools
import math
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
        box, confirm=lambda q: questions.append(q) or True, pin_factory=pins, announce=lines.append
    )
    assert [(c.name, c.ok) for c in checks] == [
        ("config", True),
        ("clock", True),
        ("disk", True),
        ("audio", True),
        ("schedules", True),
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
