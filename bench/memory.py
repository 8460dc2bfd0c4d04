"""Figure 2 — memory: resident size of ``loaxa run`` idle with a year of schedules, and
while it broadcasts.

Why: the box is often a Pi Zero 2 W with 512 MB shared with the OS, the GPU and a
desktop-less Raspberry Pi OS; a daemon that quietly grows past a few tens of MB is the
one the OOM killer picks at 6 a.m. We start the real ``loaxa run`` (subprocess, mock
pins, ALSA capture device) on a box holding a year-long campaign, three imported clips
and a year of playback log, sample its RSS, PSS and USS (psutil from the ``bench`` extra;
without it, the same numbers straight from /proc/PID/smaps_rollup)
while idle, then add a slot a few seconds ahead and sample again while it plays.

Baseline, in the same run: a bare interpreter (``python -c`` sleeping), i.e. the floor
any Python daemon pays; the ratio says how much our code and libraries add on top.
A C cron daemon would take ~2–3 MB but does none of the work (no checks, no log, no
relays, no warm-up); aplay itself is the same in both and is reported apart.

Also printed: ``python -X importtime -c "import firmware_host.daemon"`` top 10 by
cumulative time, each with the RSS it adds when imported alone, to show what to make
lazy if the target is missed.

Target: idle RSS ≤ 35 MiB.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from _common import (
    PYTHON,
    TempRoot,
    import_clips,
    loaxa_command,
    make_box,
    median,
    month_log,
    month_range,
    number,
    parse_args,
    print_summary,
    print_table,
    row,
    write_month_file,
    write_result,
    year_schedule,
)

TARGET_MIB = 35.0
MIB = 1024 * 1024


def sample(pid: int) -> dict[str, float]:
    """RSS, PSS, USS and swap of one process in MiB. PSS shares each library page among
    the processes mapping it; USS is what killing the process would give back."""
    try:
        import psutil
    except ImportError:  # the bench extra is not installed: read what psutil reads
        fields = {}
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
            name, value = line.split(":", 1)
            fields[name] = int(value.split()[0]) / 1024
        private = fields.get("Private_Clean", 0.0) + fields.get("Private_Dirty", 0.0)
        return {"rss": fields["Rss"], "pss": fields["Pss"], "uss": private, "swap": fields["Swap"]}
    info = psutil.Process(pid).memory_full_info()
    return {k: getattr(info, k, float("nan")) / MIB for k in ("rss", "pss", "uss", "swap")}


def children_rss(pid: int) -> list[float]:
    """RSS in MiB of *pid*'s children (aplay while a clip plays); [] when none."""
    sizes = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            for child in (task / "children").read_text().split():
                with contextlib.suppress(OSError, ValueError):  # it may just have ended
                    sizes.append(status_kib(int(child), "VmRSS") / 1024)
    return sizes


def status_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    raise ValueError(key)


def peak_rss(pid: int) -> float:
    """VmHWM: the largest RSS since the process started (start-up checks included)."""
    return status_kib(pid, "VmHWM") / 1024


def rss_after(code: str) -> float:
    """RSS in MiB of a fresh interpreter right after running *code*."""
    probe = (
        f"{code}\nfor _l in open('/proc/self/status'):\n"
        "    if _l.startswith('VmRSS:'): print(_l.split()[1])"
    )
    proc = subprocess.run([PYTHON, "-c", probe], capture_output=True, text=True, check=True)
    return int(proc.stdout.split()[-1]) / 1024


def import_costs(module: str, top: int = 10) -> list[dict]:
    """The *top* imports by cumulative time under ``-X importtime``, with RSS alone."""
    proc = subprocess.run(
        [PYTHON, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        check=True,
    )
    entries = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "imported package" in line:
            continue
        self_us, cumulative_us, name = line[len("import time:") :].split("|")
        entries.append(
            {
                "module": name.strip(),
                "depth": (len(name) - len(name.lstrip()) - 1) // 2,
                "self_ms": int(self_us) / 1000,
                "cumulative_ms": int(cumulative_us) / 1000,
            }
        )
    entries.sort(key=lambda e: -e["cumulative_ms"])
    bare = rss_after("pass")
    for entry in entries[:top]:
        entry["rss_alone_mib"] = rss_after(f"import {entry['module']}") - bare
    return entries[:top]


def broadcast_slot(path: Path, at: datetime, clip_id: str) -> None:
    path.write_text(
        "\n".join(
            [
                "[campaign]",
                'name = "Phát thử đo bộ nhớ"',
                f"start = {at.date().isoformat()}",
                f"end = {at.date().isoformat()}",
                "[[slot]]",
                'name = "ngay"',
                f'time = "{at:%H:%M:%S}"',
                'days = "hằng ngày"',
                f'playlist = ["{clip_id}"]',
                'zones = "tất cả"',
                "",
            ]
        ),
        "utf-8",
    )


def wait_ready(daemon: subprocess.Popen, state: Path, log: Path, timeout: float = 120) -> float:
    """Seconds until the daemon wrote its first heartbeat (the end of ``start()``)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if state.exists():
            return time.monotonic() - started
        if daemon.poll() is not None:
            raise RuntimeError(f"loaxa run exited: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.05)
    raise RuntimeError("loaxa run not ready in time")


def main() -> None:
    args = parse_args("Figure 2: RSS/PSS/USS of `loaxa run`, idle and broadcasting.")
    idle_seconds = 2.0 if args.smoke else 15.0
    clip_seconds = 2.0 if args.smoke else 8.0
    with TempRoot(args, "memory") as root:
        box = make_box(root / "box")
        clips = import_clips(box, root / "sources", [1.5, 2.0, clip_seconds])
        box.config.scheduler.schedules_dir.mkdir(parents=True, exist_ok=True)
        (box.config.scheduler.schedules_dir / "ca-nam.toml").write_text(
            year_schedule(date.today(), [c.id for c in clips]), "utf-8"
        )
        now = datetime.now(box.config.timezone)
        for month in month_range(now.strftime("%Y-%m"), 12):  # a year of log, ~5 sessions a day
            rows = month_log(month, sessions=150, until=now)
            write_month_file(box.config.log_dir / f"{month}.json", rows)

        log_path = root / "loaxa-run.log"
        with open(log_path, "wb") as out:
            daemon = subprocess.Popen(
                [*loaxa_command(), "--data-dir", str(box.data_dir), "run"],
                env=box.alsa_env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
            bare = subprocess.Popen([PYTHON, "-c", "import time; time.sleep(3600)"])
        try:
            ready = wait_ready(daemon, box.data_dir / "state.json", log_path)
            print(f"loaxa run ready after {ready:.2f} s; sampling idle for {idle_seconds:.0f} s")
            time.sleep(1.0)  # let the start-up garbage be collected
            idle, floor = [], []
            deadline = time.monotonic() + idle_seconds
            while time.monotonic() < deadline:
                idle.append(sample(daemon.pid))
                floor.append(sample(bare.pid))
                time.sleep(0.25)

            reload = box.config.scheduler.reload_seconds
            at = datetime.now(box.config.timezone).replace(microsecond=0)
            at += timedelta(seconds=int(reload) + 3)
            broadcast_slot(box.config.scheduler.schedules_dir / "ngay.toml", at, clips[2].id)
            warmup = box.config.amplifier.warmup_seconds
            end = at.timestamp() + warmup + clips[2].duration + box.config.amplifier.tail_seconds
            print(f"broadcast slot at {at:%H:%M:%S} (schedule reload every {reload:.0f} s)")
            during, aplay = [], []
            while time.time() < end + 1.0:
                children = children_rss(daemon.pid)
                if children:  # aplay is running: a clip is on air
                    during.append(sample(daemon.pid))
                    aplay.extend(children)
                time.sleep(0.1)
            high_water = peak_rss(daemon.pid)
        finally:
            daemon.send_signal(signal.SIGTERM)
            bare.kill()
            daemon.wait(timeout=30)
            bare.wait()
        played = len(list(box.capture_dir.glob("play.wav*")))
        work_dir = root

    costs = import_costs("firmware_host.daemon")

    def mid(samples: list[dict], key: str) -> float | None:
        return median(s[key] for s in samples) if samples else None

    def top(samples: list[dict], key: str) -> float | None:
        return max(s[key] for s in samples) if samples else None

    print_table(
        "Figure 2 — resident memory (MiB; median of samples, max while broadcasting)",
        ["process", "samples", "RSS", "PSS", "USS", "swap"],
        [
            ["loaxa run, idle", len(idle)]
            + [number(mid(idle, k)) for k in ("rss", "pss", "uss", "swap")],
            ["loaxa run, broadcasting (max)", len(during)]
            + [number(top(during, k)) for k in ("rss", "pss", "uss", "swap")],
            ["python -c (bare interpreter)", len(floor)]
            + [number(mid(floor, k)) for k in ("rss", "pss", "uss", "swap")],
            ["aplay child (max)", len(aplay), number(max(aplay, default=None)), "", "", ""],
        ],
    )
    print(f"  peak RSS of loaxa run since start (VmHWM): {high_water:.1f} MiB")
    if not during:
        print(f"  ! no sample caught aplay running (capture files: {played})")
    print_table(
        "What `import firmware_host.daemon` costs (-X importtime, top 10 cumulative)",
        ["module", "cumulative", "self", "RSS alone (+MiB)"],
        [
            [
                "  " * max(0, e["depth"]) + e["module"],
                number(e["cumulative_ms"], "ms"),
                number(e["self_ms"], "ms"),
                number(e.get("rss_alone_mib")),
            ]
            for e in costs
        ],
    )

    idle_rss = mid(idle, "rss")
    met = idle_rss is not None and idle_rss <= TARGET_MIB
    note = ""
    if not met:
        heavy = sorted(costs[1:], key=lambda e: -e.get("rss_alone_mib", 0))[:3]
        note = "largest imports alone: " + ", ".join(
            f"{e['module']} +{e['rss_alone_mib']:.1f} MiB" for e in heavy
        )
    summary = [
        row(
            "idle RSS, year of schedules",
            idle_rss,
            mid(floor, "rss"),
            "MiB",
            target="≤ 35 MiB",
            met=met,
            note=note,
        ),
        row("idle PSS", mid(idle, "pss"), mid(floor, "pss"), "MiB"),
        row("idle USS", mid(idle, "uss"), mid(floor, "uss"), "MiB"),
        row(
            "RSS while broadcasting, max",
            top(during, "rss"),
            mid(floor, "rss"),
            "MiB",
            note=f"aplay adds {max(aplay, default=0):.1f} MiB RSS in its own process",
        ),
        row("peak RSS since start (VmHWM)", high_water, None, "MiB"),
        row("start → ready (first heartbeat)", ready, None, "s"),
    ]
    print_summary("Figure 2 — summary (baseline = bare interpreter)", summary)
    write_result(
        "memory",
        figure=2,
        title="Memory of loaxa run, idle and broadcasting",
        args=args,
        summary=summary,
        details={
            "idle": idle,
            "broadcasting": during,
            "bare": floor,
            "aplay_rss": aplay,
            "vmhwm_mib": high_water,
            "ready_seconds": ready,
            "captured_plays": played,
            "imports": costs,
        },
        work_dir=work_dir,
    )


if __name__ == "__main__":
    main()
