"""``loaxa demo``: a commune's broadcast day, compressed into under a minute.

Nothing here is a stand-in: the shipped sample clips go through the real import, a
real schedule file goes through the real checker and the real APScheduler daemon, the
relays are gpiozero devices on its mock pin factory, and the audio goes through
``aplay`` into an ALSA ``file`` device, so the result is a WAV one can listen to.
Only the slot times are compressed: the morning, noon and evening slots are seconds
apart.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
import wave
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path

from firmware_host.config import CONFIG_NAME, load_config
from firmware_host.messages import LoaxaError, plural, t

SAMPLE_SUFFIXES = {".mp3", ".ogg", ".opus", ".m4a", ".wav", ".flac"}
SYSTEM_ALSA_CONF = Path("/usr/share/alsa/alsa.conf")
CAPTURE_DEVICE = "loaxa_capture"


@contextlib.contextmanager
def sample_files(folder: Path | None = None) -> Iterator[list[Path]]:
    """The clips to import: those in *folder*, else the samples shipped in the package.

    The samples are package data read through ``importlib.resources``, so the demo works
    however the package was installed (a wheel, ``pip install .``, the installer), not
    only from a checkout; ``as_file`` gives each one a real path for ffmpeg.
    """
    if folder is not None:
        yield sorted(p for p in Path(folder).glob("*") if p.suffix.lower() in SAMPLE_SUFFIXES)
        return
    shipped = resources.files("firmware_host").joinpath("samples")
    entries = sorted(
        (e for e in shipped.iterdir() if Path(e.name).suffix.lower() in SAMPLE_SUFFIXES),
        key=lambda e: e.name,
    )
    with contextlib.ExitStack() as stack:
        yield [stack.enter_context(resources.as_file(entry)) for entry in entries]


def capture_alsa_config(capture_file: Path) -> str:
    """An ALSA PCM that writes what is played to numbered WAV files (one per aplay run).

    ``truncate false`` makes alsa-lib pick ``name``, ``name.0001``, … instead of
    overwriting, which keeps every clip play separately for the checks.
    """
    return (
        f'pcm.{CAPTURE_DEVICE} {{\n  type file\n  slave.pcm "null"\n'
        f'  file "{capture_file}"\n  format "wav"\n  truncate false\n}}\n'
    )


def use_capture_device(data_dir: Path) -> Path:
    """Point this process's (and its aplay children's) ALSA at a capture device."""
    capture_dir = data_dir / "capture"
    capture_dir.mkdir(parents=True, exist_ok=True)
    conf = data_dir / "asound-capture.conf"
    conf.write_text(capture_alsa_config(capture_dir / "play.wav"), encoding="utf-8")
    os.environ["ALSA_CONFIG_PATH"] = f"{SYSTEM_ALSA_CONF}:{conf}"
    return capture_dir


def captured_files(capture_dir: Path) -> list[Path]:
    """Capture files in the order they were played."""

    def order(path: Path) -> int:
        suffix = path.name.rsplit(".", 1)[-1]
        return int(suffix) if suffix.isdigit() else 0

    return sorted(capture_dir.glob("play.wav*"), key=order)


def merge_wavs(parts: list[Path], target: Path) -> float:
    """Concatenate same-format WAVs; returns the seconds written."""
    frames = 0
    with wave.open(str(target), "wb") as out:
        for index, part in enumerate(parts):
            with wave.open(str(part), "rb") as source:
                if index == 0:
                    out.setparams(source.getparams())
                data = source.readframes(source.getnframes())
                out.writeframes(data)
                frames += source.getnframes()
                rate = source.getframerate()
    return frames / rate if parts else 0.0


DEMO_CONFIG = """\
[commune]
name = "Xã Mẫu (trình diễn)"
province = "Tỉnh Mẫu"

[audio]
device = "{device}"

[amplifier]
warmup_seconds = 1.0
tail_seconds = 0.5

[relays]
pin_factory = "mock"

[scheduler]
reload_seconds = 1.0
misfire_grace_seconds = 30
"""


PREFERRED_ORDER = ("thong-bao-tat-song-2g", "huong-dan-chuyen-4g", "canh-bao-lua-dao-doi-sim")
DEMO_SLOTS = (
    ("sáng", ("thon-1", "thon-2", "thon-3")),
    ("trưa", ("thon-1",)),
    ("chiều", ("thon-2", "thon-3")),
)


def demo_schedule(first: datetime, clips: list, *, warmup: float, tail: float) -> str:
    """Morning, noon and evening slots of one day, a few seconds apart from *first*.

    Slot times carry seconds; a real schedule would say "06:30".
    """
    ranked = sorted(
        clips, key=lambda c: (PREFERRED_ORDER.index(c.id) if c.id in PREFERRED_ORDER else 99, c.id)
    )
    last_day = first + timedelta(minutes=2)  # a demo started at 23:59 crosses midnight
    lines = [
        "# Lịch trình diễn: một ngày phát, nén lại trong vài chục giây.",
        "[campaign]",
        'name = "Tắt sóng 2G (trình diễn)"',
        f"start = {first.date().isoformat()}",
        f"end = {last_day.date().isoformat()}",
        "",
    ]
    at = first
    for index, (name, zones) in enumerate(DEMO_SLOTS):
        clip = ranked[index % len(ranked)]
        lines += [
            "[[slot]]",
            f'name = "{name}"',
            f'time = "{at.strftime("%H:%M:%S")}"',
            'days = "hằng ngày"',
            f'playlist = ["{clip.id}"]',
            "zones = [" + ", ".join(f'"{z}"' for z in zones) + "]",
            "",
        ]
        at += timedelta(seconds=warmup + clip.duration + tail + 2)
    return "\n".join(lines)


def run_demo(data_dir: Path | None = None, samples: Path | None = None) -> int:
    from firmware_host.clips import ClipLibrary
    from firmware_host.daemon import Daemon
    from firmware_host.logbook.playlog import PlayLog
    from firmware_host.textout import print_log

    data_dir = Path(data_dir) if data_dir else Path(tempfile.mkdtemp(prefix="loaxa-demo-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    capture_dir = use_capture_device(data_dir)
    (data_dir / CONFIG_NAME).write_text(DEMO_CONFIG.format(device=CAPTURE_DEVICE), "utf-8")
    config = load_config(data_dir)
    print(t("demo.header", data_dir=data_dir))

    library = ClipLibrary(config)
    with sample_files(samples) as files:
        if not files:
            raise LoaxaError("demo.no_samples", folder=samples or "firmware_host/samples")
        for path in files:
            try:
                clip = library.import_file(path)
            except LoaxaError as exc:
                if exc.key != "clips.duplicate":
                    raise
                continue
            print(
                t(
                    "cli.clip_imported",
                    id=clip.id,
                    title=clip.title,
                    duration=f"{clip.duration:.1f} s",
                    language=clip.language,
                )
            )
    clips = library.clips()

    first = datetime.now(config.timezone).replace(microsecond=0) + timedelta(seconds=3)
    schedule = demo_schedule(
        first, clips, warmup=config.amplifier.warmup_seconds, tail=config.amplifier.tail_seconds
    )
    config.scheduler.schedules_dir.mkdir(parents=True, exist_ok=True)
    (config.scheduler.schedules_dir / "trinh-dien.toml").write_text(schedule, "utf-8")
    print(t("demo.schedule_written", path=config.scheduler.schedules_dir / "trinh-dien.toml"))

    daemon = Daemon(config, announce=print)
    log = PlayLog(config.log_dir, config.timezone)
    try:
        daemon.start()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            sessions = [r for r in log.entries() if r["kind"] == "session"]
            if len(sessions) >= len(DEMO_SLOTS) and all(r["status"] != "started" for r in sessions):
                break
            time.sleep(0.2)
    finally:
        daemon.stop()

    rows = log.entries()
    print()
    print(t("demo.log_header"))
    print_log(rows)
    played = Counter(
        r["clip_title"] for r in rows if r["kind"] == "clip" and r["status"] == "completed"
    )
    print()
    print(t("demo.counts_header"))
    for title, count in sorted(played.items()):
        print(t("demo.count_line", title=title, count=plural(count, "play")))
    parts = captured_files(capture_dir)
    if parts:
        seconds = merge_wavs(parts, data_dir / "demo-phat-thanh.wav")
        print(
            t(
                "demo.audio_written",
                path=data_dir / "demo-phat-thanh.wav",
                seconds=round(seconds, 1),
            )
        )
    sessions = [r for r in rows if r["kind"] == "session"]
    ok = bool(sessions) and all(r["status"] == "completed" for r in sessions)
    print(t("demo.done_ok" if ok else "demo.done_problem", data_dir=data_dir))
    return 0 if ok else 1
