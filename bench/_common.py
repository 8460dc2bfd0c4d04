"""What every benchmark shares: timing, percentiles, tables, results files, temp boxes.

Why one module: each figure is measured side by side with its baseline in the same run
(the boxes are shared and noisy, so only a same-run ratio is comparable between runs),
and every figure must be printed and stored the same way so ``run_all.py`` can put them
in one table and a later run can be compared with this one.

Nothing here is imported by the box; it only drives the real ``firmware_host`` code.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import math
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results"
PYTHON = sys.executable

# --------------------------------------------------------------------------- arguments


def parse_args(
    description: str, extra: Callable[[argparse.ArgumentParser], None] | None = None
) -> argparse.Namespace:
    """The options every figure takes: ``--smoke`` (tiny sizes) and ``--dir`` (where the
    temp boxes go: on a Pi, point it at the SD card, since fsync on tmpfs is free)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: checks it runs")
    parser.add_argument("--dir", type=Path, default=None, help="parent of the temp boxes")
    parser.add_argument("--keep", action="store_true", help="keep the temp boxes")
    if extra:
        extra(parser)
    return parser.parse_args()


class TempRoot:
    """A temporary folder for one benchmark, removed at the end unless ``--keep``."""

    def __init__(self, args: argparse.Namespace, name: str) -> None:
        parent = args.dir
        if parent:
            parent.mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix=f"loaxa-bench-{name}-", dir=parent))
        self.keep = args.keep

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, *exc: object) -> None:
        if self.keep:
            print(f"(kept {self.path})")
        else:
            shutil.rmtree(self.path, ignore_errors=True)


# --------------------------------------------------------------------------- timing


def percentile(values: Iterable[float], p: float) -> float:
    """Linear-interpolated percentile (numpy's default); with 50 samples p99 sits
    between the two largest, i.e. it is nearly the worst case, which is what we want."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    k = (len(ordered) - 1) * p / 100.0
    low, high = math.floor(k), math.ceil(k)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def median(values: Iterable[float]) -> float:
    return percentile(values, 50)


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    """(wall seconds, result) of one call."""
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def alternate(contenders: dict[str, Callable[[], float | None]], repeat: int) -> dict[str, list]:
    """Run the contenders round-robin *repeat* times; each returns its own duration (or
    None to be timed here). Interleaving spreads the noise of a shared box over all."""
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeat):
        for name, function in contenders.items():
            seconds, result = timed(function)
            samples[name].append(result if isinstance(result, float) else seconds)
    return samples


def available_bytes() -> int:
    """MemAvailable: a baseline that would need more than half of it is skipped, not run
    into swap or the OOM killer (and the skip is itself the figure on a Pi Zero)."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    return 0


BYTES_IN_MEMORY_PER_ENTRY = 4000  # one loaded log entry as Python objects, with margin


def run_quiet(args: Sequence[str], **kwargs: Any) -> subprocess.CompletedProcess:
    """Run a command with its output captured; raise with its stderr if it failed."""
    proc = subprocess.run(list(args), capture_output=True, text=True, **kwargs)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} failed: {proc.stderr.strip()[-800:]}")
    return proc


# --------------------------------------------------------------------------- output


def ratio(ours: float | None, baseline: float | None) -> float | None:
    if ours is None or baseline is None or not baseline or math.isnan(ours + baseline):
        return None
    return ours / baseline


def verdict(met: bool | None) -> str:
    if met is None:
        return ""
    return "target met" if met else "TARGET MISSED"


def row(
    measure: str,
    ours: float | None,
    baseline: float | None,
    unit: str,
    *,
    target: str = "",
    met: bool | None = None,
    note: str = "",
) -> dict[str, Any]:
    """One line of a figure's summary, as ``run_all.py`` prints it (ratio = ours ÷ baseline)."""
    return {
        "measure": measure,
        "ours": ours,
        "baseline": baseline,
        "unit": unit,
        "ratio": ratio(ours, baseline),
        "target": target,
        "verdict": verdict(met),
        "note": note,
    }


def number(value: Any, unit: str = "") -> str:
    """A value with three significant digits (enough for noisy timings) and its unit."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, float) and math.isnan(value):
        return "n/a"
    magnitude = abs(value)
    if magnitude >= 100 or value == int(value):
        text = f"{value:.0f}"
    elif magnitude >= 10:
        text = f"{value:.1f}"
    elif magnitude >= 1:
        text = f"{value:.2f}"
    else:
        text = f"{value:.3f}"
    return f"{text} {unit}".strip()


def times(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×"


def print_table(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    rows = [[str(cell) for cell in r] for r in rows]
    widths = [len(h) for h in headers]
    for r in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, r, strict=True)]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())


def print_summary(title: str, summary: Sequence[dict[str, Any]]) -> None:
    print_table(
        title,
        ["measure", "ours", "baseline", "ratio", "target", "verdict"],
        [
            [
                s["measure"],
                number(s["ours"], s["unit"]),
                number(s["baseline"], s["unit"]),
                times(s["ratio"]),
                s["target"],
                s["verdict"],
            ]
            for s in summary
        ],
    )
    for s in summary:
        if s.get("note"):
            print(f"  · {s['measure']}: {s['note']}")


def filesystem_of(path: Path) -> str:
    """The mount and type holding *path*, since fsync costs differ by orders of magnitude."""
    best, kind = "", "?"
    target = str(Path(path).resolve())
    try:
        with open("/proc/mounts", encoding="utf-8") as mounts:
            for line in mounts:
                parts = line.split()
                mount = parts[1]
                inside = target == mount or target.startswith(mount.rstrip("/") + "/")
                if inside and len(mount) >= len(best):
                    best, kind = mount, parts[2]
    except OSError:
        pass
    return f"{kind} ({best or '?'})"


def host_info(work_dir: Path | None = None) -> dict[str, Any]:
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
    }
    with contextlib.suppress(OSError):  # a Raspberry Pi says which one it is here
        info["model"] = Path("/proc/device-tree/model").read_text(errors="replace").strip("\x00\n ")
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith(("MemTotal", "MemAvailable")):
                name, value = line.split(":")
                info[name] = value.strip()
    except OSError:
        pass
    if work_dir is not None:
        info["work_filesystem"] = filesystem_of(work_dir)
    return info


def write_result(
    name: str,
    *,
    figure: int,
    title: str,
    args: argparse.Namespace,
    summary: list[dict[str, Any]],
    details: dict[str, Any],
    work_dir: Path | None = None,
) -> Path:
    """Store the figure beside the printed table; a smoke run never overwrites a full one,
    and the previous file of the same kind is kept as ``*.previous.json`` to compare."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = f"{name}.smoke" if args.smoke else name
    path = RESULTS / f"{stem}.json"
    if path.exists():
        path.replace(RESULTS / f"{stem}.previous.json")
    data = {
        "name": name,
        "figure": figure,
        "title": title,
        "smoke": args.smoke,
        "finished": datetime.now().astimezone().isoformat(timespec="seconds"),
        "host": host_info(work_dir),
        "summary": summary,
        "details": details,
    }
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), "utf-8")
    print(f"\nresults → {path.relative_to(REPO)}")
    return path


# --------------------------------------------------------------------------- a box


BOX_CONFIG = """\
[commune]
name = "Xã Đo Thử"
province = "Tỉnh Đo"

[audio]
device = "{device}"

[amplifier]
warmup_seconds = {warmup}
tail_seconds = {tail}

[relays]
pin_factory = "mock"

[scheduler]
reload_seconds = {reload}
misfire_grace_seconds = {grace}
"""


@dataclass
class Box:
    """A data folder as ``loaxa init`` would leave it, with ALSA going to WAV files."""

    data_dir: Path
    capture_dir: Path
    alsa_env: dict[str, str]  # the environment that sends aplay to the capture files
    config: Any


def capture_env(directory: Path) -> tuple[Path, dict[str, str]]:
    """An ALSA ``file`` device writing one numbered WAV per aplay run into *directory*,
    as an environment for child processes (the demo's device, see firmware_host/demo.py)."""
    from firmware_host.demo import SYSTEM_ALSA_CONF, capture_alsa_config

    capture = directory / "capture"
    capture.mkdir(parents=True, exist_ok=True)
    conf = directory / "asound-capture.conf"
    conf.write_text(capture_alsa_config(capture / "play.wav"), encoding="utf-8")
    return capture, {**os.environ, "ALSA_CONFIG_PATH": f"{SYSTEM_ALSA_CONF}:{conf}"}


def make_box(
    data_dir: Path,
    *,
    warmup: float = 2.0,
    tail: float = 0.5,
    grace: int = 300,
    reload: float = 10.0,
) -> Box:
    """A box with the shipped defaults except mock pins and the capture device."""
    from firmware_host.config import load_config
    from firmware_host.demo import CAPTURE_DEVICE

    data_dir.mkdir(parents=True, exist_ok=True)
    capture, env = capture_env(data_dir / "alsa")
    text = BOX_CONFIG.format(
        device=CAPTURE_DEVICE, warmup=warmup, tail=tail, grace=grace, reload=reload
    )
    (data_dir / "loaxa.toml").write_text(text, "utf-8")
    return Box(data_dir, capture, env, load_config(data_dir))


def loaxa_command() -> list[str]:
    """The installed ``loaxa`` script of this interpreter (what a box runs), else -m."""
    script = Path(PYTHON).parent / "loaxa"
    return [str(script)] if script.is_file() else [PYTHON, "-m", "firmware_host"]


SPEECH_VI = (
    "Thông báo của Ủy ban nhân dân xã. Từ ngày mười sáu tháng chín, các nhà mạng tắt sóng "
    "hai gờ. Đề nghị bà con chuyển sang điện thoại bốn gờ để giữ liên lạc."
)


def speech_like(path: Path, seconds: float, *, channels: int = 2, rate: int = 44100) -> Path:
    """A clip that loudness-normalises like speech: espeak-ng Vietnamese looped to length
    (pink noise with a syllable-rate envelope if espeak-ng is missing); format by suffix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    voice = path.with_name(path.stem + ".voice.wav")
    if shutil.which("espeak-ng"):
        run_quiet(["espeak-ng", "-v", "vi", "-s", "150", "-w", str(voice), SPEECH_VI])
        source = ["-stream_loop", "-1", "-i", str(voice)]
    else:
        envelope = "volume=eval=frame:volume='0.15+0.85*abs(sin(2*PI*2.5*t))'"
        source = ["-f", "lavfi", "-i", f"anoisesrc=color=pink:sample_rate={rate}:amplitude=0.3"]
        source += ["-af", envelope]
    shape = ["-t", f"{seconds:.3f}", "-ac", str(channels), "-ar", str(rate)]
    run_quiet(["ffmpeg", "-v", "error", "-y", *source, *shape, str(path)])
    voice.unlink(missing_ok=True)
    return path


def import_clips(box: Box, work: Path, seconds: Sequence[float]) -> list[Any]:
    """Clips of the given lengths through the real import (ffmpeg, loudnorm, index)."""
    from firmware_host.clips import ClipLibrary

    library = ClipLibrary(box.config)
    clips = []
    for index, length in enumerate(seconds):
        # a different length per clip keeps the sha256 (duplicate check) apart
        source = speech_like(work / f"Thông báo số {index + 1}.mp3", length + index * 0.01)
        clips.append(library.import_file(source))
    return clips


def year_schedule(first: date, clip_ids: Sequence[str]) -> str:
    """A realistic year-long campaign: four daily slots, weekdays, a holiday, repeats."""
    a, b, c = (list(clip_ids) * 3)[:3]
    return "\n".join(
        [
            "[campaign]",
            'name = "Chuyển đổi số cả năm"',
            f"start = {first.isoformat()}",
            f"end = {(first + timedelta(days=364)).isoformat()}",
            f"except = [{(first + timedelta(days=40)).isoformat()}]",
            "",
            "[[slot]]",
            'name = "sáng"',
            'time = "06:30"',
            'days = "hằng ngày"',
            f'playlist = ["{a}", "{b}"]',
            "repeat = 2",
            "gap_seconds = 10",
            'zones = "tất cả"',
            "",
            "[[slot]]",
            'name = "trưa"',
            'time = "11:15"',
            'days = "T2-T6"',
            f'playlist = ["{c}"]',
            'zones = ["thon-1", "thon-2"]',
            "",
            "[[slot]]",
            'name = "chiều"',
            'time = "17:00"',
            'days = "hằng ngày"',
            f'playlist = ["{a}", "{c}"]',
            'zones = "tất cả"',
            "",
            "[[slot]]",
            'name = "tối cuối tuần"',
            'time = "19:30"',
            'days = "T7, CN"',
            f'playlist = ["{b}"]',
            "repeat = 3",
            'zones = ["thon-3"]',
            "",
        ]
    )


# --------------------------------------------------------------------------- log history

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CAMPAIGNS = ("Tắt sóng 2G", "Phòng chống lừa đảo", "Tiêm chủng", "Phòng cháy rừng")
CLIPS = [
    (f"thong-bao-{i}", f"Thông báo số {i}", "vi" if i % 4 else "ede", 60.0 + 7 * i)
    for i in range(1, 7)
]


def month_range(last: str, count: int) -> list[str]:
    """*count* months ending with *last* ("YYYY-MM"), oldest first."""
    year, month = map(int, last.split("-"))
    months = []
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def month_log(
    month: str,
    *,
    sessions: int | None = None,
    entries: int | None = None,
    until: datetime | None = None,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """A month of playback-log entries in ``playlog.py``'s schema, oldest first.

    Stops at *sessions* sessions, *entries* entries or the moment *until* (a real log
    holds nothing after now). Realistic mix: 1–2 clips played 1–2 times per session,
    ~3 % of sessions missed, interrupted or failed.
    """
    rng = random.Random(f"{month}-{seed}")
    year, number_ = map(int, month.split("-"))
    first = date(year, number_, 1)
    days = ((first.replace(day=28) + timedelta(days=4)).replace(day=1) - first).days
    wanted_sessions = sessions or math.ceil((entries or 0) / 2.0) + days
    per_day = max(1, math.ceil(wanted_sessions / days))
    step = timedelta(minutes=max(1, (17 * 60) // per_day))
    rows: list[dict[str, Any]] = []
    count = 0
    for day in range(days):
        for slot in range(per_day):
            if (sessions and count >= sessions) or (entries and len(rows) >= entries):
                return rows[:entries] if entries else rows
            count += 1
            at = datetime(year, number_, day + 1, 5, 0, tzinfo=TZ) + slot * step
            if until is not None and at > until:
                return rows[:entries] if entries else rows
            rows.extend(_session(rng, at, f"buổi {slot + 1}"))
    return rows[:entries] if entries else rows


def _session(rng: random.Random, at: datetime, slot: str) -> list[dict[str, Any]]:
    campaign = rng.choice(CAMPAIGNS)
    playlist = rng.sample(CLIPS, rng.choice((1, 1, 2)))
    repeat = rng.choice((1, 1, 2))
    zones = rng.choice((["thon-1", "thon-2", "thon-3"], ["thon-1"], ["thon-2", "thon-3"]))
    luck = rng.random()
    status = (
        "missed"
        if luck < 0.015
        else "interrupted"
        if luck < 0.025
        else "failed"
        if luck < 0.03
        else "completed"
    )
    session_id = uuid.UUID(int=rng.getrandbits(128)).hex[:12]
    started = at + timedelta(seconds=rng.uniform(0.005, 0.05))
    session = {
        "kind": "session",
        "session_id": session_id,
        "status": status,
        "trigger": "schedule",
        "plan_key": f"chien-dich.toml#{slot}@{at.isoformat()}",
        "scheduled": _iso(at),
        "started": None if status == "missed" else _iso(started),
        "ended": None,
        "seconds": 0.0,
        "late_seconds": round((started - at).total_seconds(), 3),
        "campaign": campaign,
        "slot": slot,
        "zones": zones,
        "playlist": [c[0] for c in playlist],
        "note": None,
        "error": "máy tắt lúc đến giờ phát" if status == "missed" else None,
    }
    rows = [session]
    if status == "missed":
        return rows
    moment = started + timedelta(seconds=2.0)
    index = 0
    for _ in range(repeat):
        for clip_id, title, language, duration in playlist:
            index += 1
            last = status != "completed"
            played = duration * rng.uniform(0.1, 0.9) if last else duration
            rows.append(
                {
                    "kind": "clip",
                    "session_id": session_id,
                    "status": status if last else "completed",
                    "trigger": "schedule",
                    "scheduled": session["scheduled"],
                    "session_started": session["started"],
                    "started": _iso(moment),
                    "ended": _iso(moment + timedelta(seconds=played)),
                    "seconds": round(played, 3),
                    "campaign": campaign,
                    "slot": slot,
                    "zones": zones,
                    "play_index": index,
                    "clip_id": clip_id,
                    "clip_title": title,
                    "clip_sha256": hashlib.sha256(clip_id.encode()).hexdigest(),
                    "clip_language": language,
                    "clip_duration": duration,
                    "error": None if not last else "dừng theo yêu cầu",
                }
            )
            moment += timedelta(seconds=played + 0.2)
            if last:
                break
        if status != "completed":
            break
    ended = moment + timedelta(seconds=0.5)
    session["ended"] = _iso(ended)
    session["seconds"] = round((ended - started).total_seconds(), 3)
    return rows


def write_month_file(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    """A month file exactly as ``store.AtomicJSONStorage`` writes it (TinyDB's layout)."""
    table = {str(i): doc for i, doc in enumerate(rows, start=1)}
    payload = json.dumps(
        {"_default": table}, ensure_ascii=False, separators=(",", ":"), sort_keys=True
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(payload, "utf-8")


class TinyDBDefaultWriter:
    """One file as TinyDB's default ``JSONStorage`` writes it (plain ``json.dumps``),
    streamed month by month so that generating 100k entries never holds them all."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.handle = open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed in close()
        self.handle.write('{"_default": {')
        self.count = 0

    def add(self, rows: Iterable[dict[str, Any]]) -> None:
        for doc in rows:
            self.count += 1
            separator = ", " if self.count > 1 else ""
            self.handle.write(f'{separator}"{self.count}": {json.dumps(doc)}')

    def close(self) -> None:
        self.handle.write("}}")
        self.handle.close()
