"""Power cuts, many of them: SIGKILL a real ``loaxa run`` / ``loaxa clips import`` at
random moments, restart, and check that nothing was lost or left half-done.

    .venv/bin/python -m tests.powercut --cuts 300        # the long run (~15 minutes)

The CI runs a few cuts of each kind through ``tests/test_powercut_harness.py``.
SIGKILL is as close to pulling the plug as a process can get: no handler, no flush, no
``finally``. (The page cache still survives, which a real cut would not; the fsync and
rename discipline is what covers that, and is tested on its own in test_playlog.)

Checked after every cut:
* every month file of the log parses;
* no entry that was ``completed`` before is lost or changed;
* after the restart, no entry is left ``started`` (each cut one is ``interrupted``) and
  every relay is off before anything else happens (pins left ON by the cut are driven
  OFF when the daemon claims them);
* the clip library has no half-written clip: every index entry has its WAV, no WAV is
  without an entry, no temp file survives the repair at start-up.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from gpiozero.pins.mock import MockFactory

from firmware_host.clips import ClipLibrary
from firmware_host.daemon import Daemon
from firmware_host.demo import use_capture_device
from tests.conftest import write_box_config
from tests.helpers import make_tone

PINS = (17, 27, 22, 23)


@dataclass
class Figures:
    cuts: int = 0
    sessions_cut: int = 0
    imports_cut: int = 0
    entries_checked: int = 0
    losses: int = 0
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"cuts={self.cuts} sessions_cut={self.sessions_cut} "
            f"imports_cut={self.imports_cut} entries_checked={self.entries_checked} "
            f"losses={self.losses}"
        )


def write_busy_schedule(box, seconds: int, clip_id: str) -> None:
    """A slot every 2 s for the next *seconds*: there is always something to cut."""
    start = datetime.now(box.timezone).replace(microsecond=0) + timedelta(seconds=2)
    lines = [
        '[campaign]\nname = "Cắt điện"',
        f"start = {start.date()}",
        f"end = {(start + timedelta(days=1)).date()}\n",
    ]
    for index in range(seconds // 2):
        at = start + timedelta(seconds=2 * index)
        lines.append(
            f'[[slot]]\nname = "s{index}"\ntime = "{at:%H:%M:%S}"\n'
            f'days = "hằng ngày"\nplaylist = ["{clip_id}"]\nzones = ["thon-1"]\n'
        )
    box.scheduler.schedules_dir.mkdir(parents=True, exist_ok=True)
    (box.scheduler.schedules_dir / "cat-dien.toml").write_text("\n".join(lines), "utf-8")


def read_log(box) -> dict[tuple, dict]:
    """Every entry by a stable identity; raises if any month file does not parse."""
    found = {}
    for month_file in sorted(box.log_dir.glob("*.json")):
        tables = json.loads(month_file.read_text("utf-8"))
        for doc_id, row in tables.get("_default", {}).items():
            found[(month_file.name, doc_id)] = row
    return found


def check_library(box, figures: Figures) -> None:
    index = box.clips_dir / "index.json"
    entries = json.loads(index.read_text("utf-8"))["_default"].values() if index.exists() else []
    ids = {entry["id"] for entry in entries}
    wavs = {p.stem for p in box.clips_dir.glob("*.wav")}
    if ids != wavs:
        figures.losses += 1
        figures.problems.append(f"library: index {sorted(ids)} vs wavs {sorted(wavs)}")
    if list(box.clips_dir.glob(".*.tmp")) or list(box.clips_dir.glob("*.tmp")):
        figures.problems.append("library: a temp file survived the repair")
        figures.losses += 1


def restart_and_check(box, before: dict[tuple, dict], figures: Figures) -> dict[tuple, dict]:
    """What the next start of the box does, checked step by step."""
    cut = {k for k, r in read_log(box).items() if r["status"] == "started"}
    pins = MockFactory()
    for number in PINS:  # what a real Pi keeps after a cut: lines still driven ON
        pin = pins.pin(number)
        pin.function = "output"
        pin.state = True
    marks = {n: len(pins.pin(n).states) for n in PINS}
    daemon = Daemon(box, pin_factory=pins, announce=lambda _line: None)
    daemon.start()
    try:
        # The first thing each relay line does after the restart is to go OFF.
        firsts = [
            pins.pin(n).states[marks[n]].state if len(pins.pin(n).states) > marks[n] else None
            for n in PINS
        ]
        if any(first is not False and first != 0 for first in firsts):
            figures.losses += 1
            figures.problems.append(f"relays not switched off first at start-up: {firsts}")
        after = read_log(box)
    finally:
        daemon.stop()
    check_library(box, figures)
    for key, row in before.items():
        if row["status"] == "completed" and after.get(key, {}).get("status") != "completed":
            figures.losses += 1
            figures.problems.append(f"completed entry lost or changed: {key}")
    not_recovered = [k for k in cut if after[k]["status"] != "interrupted"]
    stuck = [k for k, r in read_log(box).items() if r["status"] == "started"]
    if not_recovered or stuck:
        figures.losses += 1
        figures.problems.append(
            f"cut entries not interrupted: {not_recovered}; "
            f"still started after a clean stop: {stuck}"
        )
    figures.entries_checked += len(after)
    return read_log(box)


def cut_daemon(box, rng: random.Random, figures: Figures) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "firmware_host", "--data-dir", str(box.data_dir), "run"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(rng.uniform(0.4, 3.0))  # start-up, relay switching, mid-clip, log writes
    process.send_signal(signal.SIGKILL)
    process.wait()
    figures.cuts += 1
    figures.sessions_cut += sum(
        1 for r in read_log(box).values() if r["kind"] == "session" and r["status"] == "started"
    )


def cut_import(box, source: Path, rng: random.Random, figures: Figures) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "firmware_host",
            "--data-dir",
            str(box.data_dir),
            "clips",
            "import",
            str(source),
            "--title",
            f"Cắt {figures.cuts}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(rng.uniform(0.05, 1.5))  # probe, pass 1, pass 2, rename, index write
    process.send_signal(signal.SIGKILL)
    process.wait()
    figures.cuts += 1
    figures.imports_cut += 1


def run(cuts: int, *, seed: int, work: Path) -> Figures:
    os.environ.setdefault("ALSA_CONFIG_PATH", "")
    use_capture_device(work / "alsa")
    box = write_box_config(work / "box", warmup=0.2, tail=0.1, grace=30)
    source = make_tone(work / "Nguồn.wav", seconds=1.0)
    clip = ClipLibrary(box).import_file(source)
    write_busy_schedule(box, seconds=max(60, cuts * 5), clip_id=clip.id)
    rng = random.Random(seed)
    figures = Figures()
    before = read_log(box)
    long_source = make_tone(work / "Dài.mp3", seconds=20.0)
    while figures.cuts < cuts:
        if rng.random() < 0.25:
            cut_import(box, long_source if rng.random() < 0.5 else source, rng, figures)
        else:
            cut_daemon(box, rng, figures)
        before = restart_and_check(box, before, figures)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cuts", type=int, default=300)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="loaxa-powercut-") as work:
        figures = run(args.cuts, seed=args.seed, work=Path(work))
    print(f"seed={args.seed} {figures.line()}")
    for problem in figures.problems:
        print("  ✘", problem)
    return 1 if figures.losses else 0


if __name__ == "__main__":
    sys.exit(main())
