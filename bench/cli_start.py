"""Figure 3 — CLI start: wall time of ``loaxa log --month`` and ``loaxa schedule show``.

Why: the commune officer types these on the box itself (ssh from a phone, or a screen
and keyboard); on a Pi Zero every library imported at start costs tenths of a second
and megabytes. Each command runs as a subprocess, as the officer runs it, on a box with
a year-long campaign, three clips and a year of playback log, repeated and interleaved
with the baseline (``python -c pass``: the interpreter's own start, which no Python
tool can beat); we report the median.

Heavy libraries (pydub, openpyxl, python-docx, APScheduler) must be imported only by
the command that uses them: each command runs once more under ``python -X importtime``
and every module it loaded is checked against that list.

Target: ≤ 250 ms per command; none of the heavy libraries imported.
"""

from __future__ import annotations

import subprocess
from datetime import date, datetime

from _common import (
    PYTHON,
    TempRoot,
    alternate,
    import_clips,
    loaxa_command,
    make_box,
    median,
    month_log,
    month_range,
    number,
    parse_args,
    percentile,
    print_summary,
    print_table,
    row,
    write_month_file,
    write_result,
    year_schedule,
)

TARGET_MS = 250.0
FORBIDDEN = ("pydub", "openpyxl", "docx", "lxml", "apscheduler")
NOTABLE = ("gpiozero", "tinydb", "serial", "pyudev", "asyncio", "zoneinfo", "tomllib", "wave")


def imported_modules(command: list[str]) -> tuple[set[str], float]:
    """Modules *command* imports (via -X importtime) and the total import time in ms."""
    if command[0] == PYTHON:
        traced = [PYTHON, "-X", "importtime", *command[1:]]
    else:  # the console script is a Python file
        traced = [PYTHON, "-X", "importtime", *command]
    proc = subprocess.run(traced, capture_output=True, text=True)
    modules, total_us = set(), 0
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "imported package" not in line:
            self_us, _cumulative, name = line[len("import time:") :].split("|")
            modules.add(name.strip())
            total_us += int(self_us)
    return modules, total_us / 1000


def roots(modules: set[str], wanted: tuple[str, ...]) -> list[str]:
    return sorted({m.split(".")[0] for m in modules} & set(wanted))


def main() -> None:
    args = parse_args("Figure 3: wall time of `loaxa log --month` and `loaxa schedule show`.")
    repeat = 3 if args.smoke else 20
    with TempRoot(args, "cli") as root:
        box = make_box(root / "box")
        clips = import_clips(box, root / "sources", [1.5, 2.0, 2.5])
        box.config.scheduler.schedules_dir.mkdir(parents=True, exist_ok=True)
        (box.config.scheduler.schedules_dir / "ca-nam.toml").write_text(
            year_schedule(date.today(), [c.id for c in clips]), "utf-8"
        )
        now = datetime.now(box.config.timezone)
        months = month_range(now.strftime("%Y-%m"), 13)
        for month in months:
            rows = month_log(month, sessions=150, until=now)
            write_month_file(box.config.log_dir / f"{month}.json", rows)
        last_month = months[-2]  # a full month, what the officer reports on
        loaxa = [*loaxa_command(), "--data-dir", str(box.data_dir)]
        commands = {
            "loaxa log --month": [*loaxa, "log", "--month", last_month],  # a full month
            "loaxa schedule show": [*loaxa, "schedule", "show"],
        }
        baseline = [PYTHON, "-c", "pass"]
        lines = {}
        for name, command in commands.items():
            proc = subprocess.run(command, capture_output=True, text=True)
            if proc.returncode != 0:
                raise RuntimeError(f"{name} failed: {proc.stderr[-800:]}")
            lines[name] = len(proc.stdout.splitlines())
        print("output lines: " + ", ".join(f"{n}: {c}" for n, c in lines.items()))

        def runner(command: list[str]):
            return lambda: subprocess.run(command, stdout=subprocess.DEVNULL, check=True) and None

        contenders = {"python -c pass": runner(baseline)}
        contenders.update({name: runner(command) for name, command in commands.items()})
        samples = alternate(contenders, repeat)
        traces = {name: imported_modules(command) for name, command in commands.items()}
        traces["python -c pass"] = imported_modules(baseline)
        work_dir = root

    print_table(
        f"Figure 3 — CLI wall time, {repeat} runs each, interleaved",
        ["command", "median", "p90", "min", "imports", "heavy imported", "also loaded"],
        [
            [
                name,
                number(median(s) * 1000, "ms"),
                number(percentile(s, 90) * 1000, "ms"),
                number(min(s) * 1000, "ms"),
                number(traces[name][1], "ms"),
                ", ".join(roots(traces[name][0], FORBIDDEN)) or "none",
                ", ".join(roots(traces[name][0], NOTABLE)) or "none",
            ]
            for name, s in samples.items()
        ],
    )
    print("  (imports = time spent importing under -X importtime, which itself adds overhead)")
    floor = median(samples["python -c pass"]) * 1000
    summary = []
    for name in commands:
        wall = median(samples[name]) * 1000
        heavy = roots(traces[name][0], FORBIDDEN)
        note = ""
        if wall > TARGET_MS:
            note = f"imports take {traces[name][1]:.0f} ms of it; interpreter {floor:.0f} ms"
        summary.append(
            row(f"{name}, median", wall, floor, "ms", target="≤ 250 ms", met=wall <= TARGET_MS)
        )
        summary[-1]["note"] = note
        summary.append(
            row(
                f"{name}, heavy imports",
                ", ".join(heavy) or "none",
                None,
                "",
                target="none",
                met=not heavy,
            )
        )
    print_summary("Figure 3 — summary (baseline = python -c pass)", summary)
    write_result(
        "cli_start",
        figure=3,
        title="CLI start: loaxa log --month, loaxa schedule show",
        args=args,
        summary=summary,
        details={
            "repeat": repeat,
            "samples_seconds": samples,
            "output_lines": lines,
            "log_month": last_month,
            "imports": {name: sorted(mods) for name, (mods, _ms) in traces.items()},
            "import_ms": {name: ms for name, (_mods, ms) in traces.items()},
        },
        work_dir=work_dir,
    )


if __name__ == "__main__":
    main()
