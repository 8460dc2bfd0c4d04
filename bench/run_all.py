"""Run every figure, then print one table of all of them.

    python bench/run_all.py [--smoke] [--only punctuality memory ...] [--dir DIR]

Why a runner that starts each figure in its own process: the figures must not disturb
each other (the punctuality figure points ALSA at a capture device, the memory figure
reads a daemon's RSS, the log figure patches ``os.fsync``), one figure that breaks must
not hide the others, and each script stays runnable on its own. The runner runs them
one after the other, never in parallel: they measure time on a shared box.

Benchmarks report; they do not pass or fail. The exit code is 1 only if a figure
crashed (so a smoke run can guard that the scripts still run), whatever the targets.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from _common import BENCH, PYTHON, RESULTS, number, print_table, times

FIGURES = (
    "punctuality",
    "memory",
    "cli_start",
    "log_append",
    "report_scale",
    "clip_import",
    "tts_render",
    "web_panel",
    "emergency",
    "relay_latency",
    "link_fleet",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: checks it all runs")
    parser.add_argument("--only", nargs="+", choices=FIGURES, help="run only these figures")
    parser.add_argument("--dir", help="parent of the temp boxes (e.g. on the SD card)")
    args = parser.parse_args()
    chosen = args.only or FIGURES
    passed = ["--smoke"] if args.smoke else []
    if args.dir:
        passed += ["--dir", args.dir]

    outcomes: dict[str, str] = {}
    lines = []
    for name in chosen:
        print(f"\n{'=' * 30} {name} {'=' * 30}", flush=True)
        started = time.time()
        code = subprocess.call([PYTHON, str(BENCH / f"{name}.py"), *passed])
        seconds = time.time() - started
        path = RESULTS / f"{name}{'.smoke' if args.smoke else ''}.json"
        fresh = code == 0 and path.exists() and path.stat().st_mtime >= started
        outcomes[name] = f"ok ({seconds:.0f} s)" if fresh else f"FAILED (exit {code})"
        if not fresh:
            lines.append([name, "(crashed: see its output above)", "", "", "", "", ""])
            continue
        data = json.loads(path.read_text("utf-8"))
        previous = RESULTS / f"{path.stem}.previous.json"
        before = {}
        if previous.exists():
            old = json.loads(previous.read_text("utf-8"))
            before = {s["measure"]: s["ours"] for s in old.get("summary", [])}
        for s in data["summary"]:
            lines.append(
                [
                    f"{data['figure']}. {name}",
                    s["measure"],
                    number(s["ours"], s["unit"]),
                    number(s["baseline"], s["unit"]),
                    times(s["ratio"]),
                    f"{s['target']} {s['verdict']}".strip(),
                    number(before.get(s["measure"]), s["unit"]),
                ]
            )

    mode = "smoke (tiny sizes: the numbers only show it runs)" if args.smoke else "full"
    print_table(
        f"All figures — {mode}; ratio = ours ÷ baseline, measured in the same run",
        ["figure", "measure", "ours", "baseline", "ratio", "target", "previous run"],
        lines,
    )
    print("\n" + ", ".join(f"{name}: {state}" for name, state in outcomes.items()))
    return 0 if all(state.startswith("ok") for state in outcomes.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
