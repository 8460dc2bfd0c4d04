"""``loaxa selftest``: the installer's check of a box, one line OK/FAIL each, with what to do.

It drives the real parts: the configured ALSA device opens, every relay clicks in turn
(the technician confirms each one, or ``--yes``), and a 1 kHz tone plays for 2 s through
the amplifier at a safe level (−20 dBFS) with the normal zones → amplifier → warm-up
order. Nothing here is simulated; on a machine without GPIO the mock pins say so. It
also reads the Pi firmware's config.txt: the relays must be held OFF from power-on
(``relays/bootpins.py``), or the board decides for the 20–40 s before the daemon runs.
"""

from __future__ import annotations

import math
import shutil
import sys
import tempfile
import time
import wave
from array import array
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

from firmware_host.config import Config
from firmware_host.messages import LoaxaError, t
from firmware_host.relays import bootpins

TONE_HZ = 1000
TONE_SECONDS = 2.0
TONE_DBFS = -20.0  # loud enough to hear on the horns, far from clipping a cold amplifier
MIN_FREE_MB = 200
CLICK_SECONDS = 0.6


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    advice: str = ""


def _check(name: str, fn: Callable[[], tuple[bool, str, str]]) -> Check:
    try:
        ok, detail, advice = fn()
    except LoaxaError as exc:
        ok, detail, advice = False, str(exc), ""
    except Exception as exc:  # a self-test reports, it never crashes
        ok, detail, advice = False, f"{type(exc).__name__}: {exc}", t("selftest.unexpected")
    return Check(name, ok, detail, advice)


def make_tone(path: Path) -> Path:
    """The test tone in the player's own PCM format (48 kHz mono s16), peaks at TONE_DBFS,
    with 20 ms fades so the horns do not click. The standard library makes it: pydub
    needs audioop-lts on Python 3.13, which has no armv7 wheel (a compiler on a 32-bit Pi)."""
    from firmware_host.clips import PCM_CHANNELS, PCM_RATE, PCM_SAMPLE_WIDTH

    peak = 32767 * 10 ** (TONE_DBFS / 20)
    count = int(TONE_SECONDS * PCM_RATE)
    fade = PCM_RATE // 50
    step = 2 * math.pi * TONE_HZ / PCM_RATE
    samples = array(
        "h",
        (
            round(peak * min(1, i / fade, (count - 1 - i) / fade) * math.sin(step * i))
            for i in range(count)
            for _channel in range(PCM_CHANNELS)
        ),
    )
    if sys.byteorder == "big":
        samples.byteswap()  # WAV is little-endian
    with wave.open(str(path), "wb") as out:
        out.setnchannels(PCM_CHANNELS)
        out.setsampwidth(PCM_SAMPLE_WIDTH)
        out.setframerate(PCM_RATE)
        out.writeframes(samples.tobytes())
    return path


def run_selftest(
    config: Config,
    *,
    confirm: Callable[[str], bool],
    pin_factory=None,
    announce: Callable[[str], None] = print,
    boot_root: Path = Path("/"),
) -> list[Check]:
    checks: list[Check] = []

    def add(check: Check) -> None:
        checks.append(check)
        mark = "OK  " if check.ok else "FAIL"
        announce(f"[{mark}] {t(f'selftest.{check.name}')}: {check.detail}")
        if not check.ok and check.advice:
            announce(f"       → {check.advice}")

    add(Check("config", True, str(config.source or t("selftest.defaults"))))
    add(_check("clock", lambda: _clock(config)))
    add(_check("disk", lambda: _disk(config)))
    add(_check("audio", lambda: _audio(config)))
    add(_check("schedules", lambda: _schedules(config)))
    add(_check("boot_pins", lambda: bootpins.check(config.relays, boot_root)))
    add(_check("relays", lambda: _relays_and_tone(config, confirm, pin_factory, announce)))
    return checks


def _clock(config: Config) -> tuple[bool, str, str]:
    from firmware_host.clock import ClockKeeper

    clock = ClockKeeper(config.data_dir, config.timezone)
    verdict = clock.verdict()
    now = clock.now()
    return (
        verdict.trusted,
        f"{now:%d/%m/%Y %H:%M:%S %Z} — {verdict.reason}",
        t("selftest.clock_advice"),
    )


def _disk(config: Config) -> tuple[bool, str, str]:
    config.data_dir.mkdir(parents=True, exist_ok=True)
    usage = shutil.disk_usage(config.data_dir)
    free_mb = usage.free // 2**20
    detail = t("selftest.disk_detail", free=free_mb, percent=round(100 * usage.free / usage.total))
    return free_mb >= MIN_FREE_MB, detail, t("selftest.disk_advice", minimum=MIN_FREE_MB)


def _audio(config: Config) -> tuple[bool, str, str]:
    """One second of silence to the configured device: proves it exists and opens."""
    from firmware_host.broadcast.player import play_pcm

    problem = play_pcm(config.audio.device, bytes(2 * 48000), rate=48000, timeout=15)
    if problem is not None:
        return False, f"'{config.audio.device}': {problem}", t("selftest.audio_advice")
    return True, f"'{config.audio.device}'", ""


def _schedules(config: Config) -> tuple[bool, str, str]:
    from firmware_host.clips import ClipLibrary
    from firmware_host.schedules import schedule_files
    from firmware_host.schedules.rules import BoxRules

    library = ClipLibrary(config)
    rules = BoxRules.of(config, library.refs(), library.versions())
    paths = schedule_files(config.scheduler.schedules_dir)
    installed = rules.installed(paths, None)  # what airs: files awaiting approval do not
    schedules, problems = installed.schedules, installed.problems
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        return False, "; ".join(str(p) for p in errors[:3]), t("selftest.schedule_advice")
    now = datetime.now(config.timezone)
    upcoming = rules.between(schedules, now, now + timedelta(days=31))
    if not upcoming:
        return False, t("selftest.nothing_planned", files=len(paths)), t("selftest.schedule_advice")
    first = upcoming[0]
    return (
        True,
        t(
            "selftest.next",
            files=len(paths),
            when=f"{first.at:%d/%m/%Y %H:%M}",
            campaign=first.campaign,
            slot=first.slot,
        ),
        "",
    )


def _relays_and_tone(
    config: Config, confirm: Callable[[str], bool], pin_factory, announce: Callable[[str], None]
) -> tuple[bool, str, str]:
    """Each relay alone, then the tone through the amplifier into every zone."""
    from firmware_host.broadcast.player import Player
    from firmware_host.relays import AMPLIFIER, claim_relays, open_relays

    claim = claim_relays(config.data_dir)
    relays, note = open_relays(config.relays, pin_factory=pin_factory)
    if note:
        announce(note)
    silent: list[str] = []
    try:
        for name in (*relays.zones, AMPLIFIER):  # amplifier alone: its zones are all off
            relays.set(name, True)
            time.sleep(CLICK_SECONDS)
            relays.set(name, False)
            if not confirm(t("selftest.did_it_click", name=name)):
                silent.append(name)
        for zone in relays.zones:
            relays.set(zone, True)
        relays.set(AMPLIFIER, True)
        time.sleep(config.amplifier.warmup_seconds)
        with tempfile.TemporaryDirectory() as work:
            result = Player(config.audio.device).play(make_tone(Path(work) / "tone.wav"))
        time.sleep(config.amplifier.tail_seconds)
    finally:
        relays.close()
        claim.close()
    if not result.completed:
        return False, t("selftest.tone_failed", error=result.error), t("selftest.audio_advice")
    heard = confirm(t("selftest.did_you_hear"))
    if silent or not heard:
        detail = t(
            "selftest.not_confirmed",
            relays=", ".join(silent) or "-",
            tone=t("selftest.yes") if heard else t("selftest.no"),
        )
        return False, detail, t("selftest.relay_advice")
    return True, t("selftest.relays_ok", count=len(relays.zones) + 1, seconds=TONE_SECONDS), ""


def as_json(checks: list[Check]) -> list[dict]:
    return [asdict(c) for c in checks]
