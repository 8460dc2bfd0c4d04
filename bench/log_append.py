"""Figure 4 — log append at scale: one entry added when the log already holds 1k, 10k,
100k entries.

Why: every broadcast writes its log entries *before* anything plays (a session entry,
then one per clip, each updated afterwards), so a slow append delays the amplifier and
the first word. TinyDB rewrites its whole file on every write; the playback log
(``firmware_host.logbook.playlog.PlayLog``) therefore keeps one file per month, each written
atomically (temp file, fsync, rename, directory fsync), so an append rewrites one
month, never years. 100k entries is about five years at ~1,700 entries a month, the
density we generate; the month an append goes to is full (the worst day of a month).

Baseline, in the same run: TinyDB's default ``JSONStorage`` holding the same entries in
one file (what ``TinyDB("log.json")`` gives). It fsyncs too, so both columns are the
truth on an SD card. Each contender is kept open as the daemon keeps its log, one
untimed append warms it up, and the timed appends alternate between the contenders.
The fsync share is measured by repeating with ``os.fsync`` replaced by a no-op.

Since issue 15 every change is first appended (and fsynced) to the month's hash chain
(``logbook/chain.py``); its share is measured apart, appending to a chain that already
holds a full month. The month files of the box are adopted by ``PlayLog.prepare`` first,
as the daemon does at start.

Month files are written directly in TinyDB's JSON layout (``_common.month_log``); the
baseline file is streamed, so generating 100k entries stays light. The baseline at the
largest size needs a few hundred MB to load; it is skipped, with a note, when the
machine has less than twice that available (as a Pi Zero would).

Target: ≤ 5 ms per append at 100k entries, and flat (≤ 2× from the smallest size).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
from datetime import datetime
from pathlib import Path

from _common import (
    BYTES_IN_MEMORY_PER_ENTRY,
    TZ,
    TempRoot,
    TinyDBDefaultWriter,
    available_bytes,
    month_log,
    month_range,
    number,
    parse_args,
    percentile,
    print_summary,
    print_table,
    row,
    timed,
    times,
    write_month_file,
    write_result,
)

PER_MONTH = 1667  # entries a month: 100k ≈ 5 years
TARGET_MS = 5.0
FLAT = 2.0


@contextlib.contextmanager
def no_fsync():
    """Both storages call ``os.fsync`` by attribute, so this removes exactly the fsyncs."""
    real = os.fsync
    os.fsync = lambda _fd: None
    try:
        yield
    finally:
        os.fsync = real


def build(root: Path, size: int, current: str) -> tuple[Path, Path, int]:
    """Month files for ours and one default-TinyDB file, *size* entries each."""
    months = month_range(current, max(1, math.ceil(size / PER_MONTH)))
    counts = [PER_MONTH] * len(months)
    counts[0] = size - PER_MONTH * (len(months) - 1)
    log_dir = root / f"ours-{size}"
    baseline = TinyDBDefaultWriter(root / f"baseline-{size}.json")
    for month, count in zip(months, counts, strict=True):
        rows = month_log(month, entries=count)
        write_month_file(log_dir / f"{month}.json", rows)
        baseline.add(rows)
    baseline.close()
    return log_dir, baseline.path, len(months)


def measure(root: Path, size: int, repeat: int, with_baseline: bool) -> dict:
    from tinydb import TinyDB

    from firmware_host.logbook.playlog import PlayLog

    now = datetime.now(TZ)
    current = now.strftime("%Y-%m")
    log_dir, baseline_path, months = build(root, size, current)
    log = PlayLog(log_dir, TZ)
    log.prepare(now=now)  # as the daemon starts: the months are chained (adopted) first
    db = TinyDB(baseline_path) if with_baseline else None
    template = month_log(current, sessions=1)[0]

    def ours() -> None:
        log.start_session(
            trigger="schedule",
            scheduled=now,
            started=now,
            campaign=template["campaign"],
            slot=template["slot"],
            zones=template["zones"],
            playlist=template["playlist"],
            plan_key=template["plan_key"],
        )

    def baseline() -> None:
        db.insert(dict(template))

    contenders = {"ours": ours, "baseline": baseline} if db else {"ours": ours}
    result = {"size": size, "months": months}
    try:
        for function in contenders.values():
            function()  # open and warm up, as the daemon's log already is
        for mode, guard in (("fsync", contextlib.nullcontext), ("no_fsync", no_fsync)):
            samples = {name: [] for name in contenders}
            with guard():
                for _ in range(repeat):
                    for name, function in contenders.items():
                        samples[name].append(timed(function)[0] * 1000)
            for name, values in samples.items():
                result[f"{name}_{mode}"] = values
    finally:
        log.close()
        if db:
            db.close()
    month_file = log_dir / f"{current}.json"
    result["chain_append"] = chain_append(root / f"chain-{size}", current, template, repeat)
    result["ours_file_bytes"] = month_file.stat().st_size
    result["breakdown_ms"] = breakdown(month_file)
    result["baseline_file_bytes"] = baseline_path.stat().st_size
    return result


def chain_append(directory: Path, month: str, template: dict, repeat: int) -> list[float]:
    """The hash chain's share of an append (issue 15): one event appended and fsynced to a
    chain already holding a full month, as PlayLog does before it writes the month file."""
    from firmware_host.logbook.chain import ChainWriter

    writer = ChainWriter(directory)
    now = datetime.now(TZ)
    writer.adopt(month, {n: dict(template) for n in range(1, PER_MONTH + 1)}, now)
    samples = []
    for n in range(repeat):
        samples.append(
            timed(lambda n=n: writer.append(month, "add", PER_MONTH + 1 + n, template, now))[0]
            * 1000
        )
    return samples


def breakdown(month_file: Path) -> dict[str, float]:
    """Where one of our appends goes besides fsync: TinyDB reads and re-serialises the
    whole month on every write (and our storage sorts keys, for stable diffs)."""
    text = month_file.read_text("utf-8")
    parse, data = timed(lambda: json.loads(text))
    dump, _ = timed(
        lambda: json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    )
    unsorted, _ = timed(lambda: json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    return {"parse": parse * 1000, "serialise": dump * 1000, "serialise_unsorted": unsorted * 1000}


def main() -> None:
    args = parse_args(
        "Figure 4: append one log entry at 1k/10k/100k entries, ours vs one TinyDB file.",
        lambda p: p.add_argument("--sizes", type=int, nargs="+", help="entries already logged"),
    )
    sizes = args.sizes or ([100, 1000, 3000] if args.smoke else [1000, 10000, 100000])
    repeat = 3 if args.smoke else 15
    results = []
    with TempRoot(args, "log-append") as root:
        for size in sizes:
            need = size * BYTES_IN_MEMORY_PER_ENTRY
            with_baseline = need * 2 < available_bytes()
            if not with_baseline:
                print(f"! baseline skipped at {size}: loading it needs ~{need >> 20} MB")
            results.append(measure(root, size, repeat, with_baseline))
            print(f"measured {size} entries")
        work_dir = root

    def stat(result: dict, key: str, p: float = 50) -> float | None:
        values = result.get(key)
        return percentile(values, p) if values else None

    print_table(
        f"Figure 4 — one append (ms), {repeat} timed appends per contender and mode",
        [
            "entries",
            "months",
            "ours median",
            "ours p95",
            "ours no-fsync",
            "one-file median",
            "one-file p95",
            "one-file no-fsync",
            "ratio",
            "bytes rewritten ours / one-file",
        ],
        [
            [
                r["size"],
                r["months"],
                number(stat(r, "ours_fsync")),
                number(stat(r, "ours_fsync", 95)),
                number(stat(r, "ours_no_fsync")),
                number(stat(r, "baseline_fsync")),
                number(stat(r, "baseline_fsync", 95)),
                number(stat(r, "baseline_no_fsync")),
                times(
                    (stat(r, "ours_fsync") or 0) / stat(r, "baseline_fsync")
                    if stat(r, "baseline_fsync")
                    else None
                ),
                f"{r['ours_file_bytes'] >> 10} KiB / {r['baseline_file_bytes'] >> 10} KiB",
            ]
            for r in results
        ],
    )
    small, large = results[0], results[-1]
    ours_large = stat(large, "ours_fsync")
    growth = ours_large / stat(small, "ours_fsync")
    base_growth = (
        stat(large, "baseline_fsync") / stat(small, "baseline_fsync")
        if stat(large, "baseline_fsync")
        else None
    )
    fsync_ours = ours_large - stat(large, "ours_no_fsync")
    fsync_base = (
        stat(large, "baseline_fsync") - stat(large, "baseline_no_fsync")
        if stat(large, "baseline_fsync")
        else None
    )
    met = ours_large <= TARGET_MS
    note = ""
    if not met:
        parts = large["breakdown_ms"]
        note = (
            f"fsync {fsync_ours:.1f} ms (temp file + directory); TinyDB re-reads and rewrites "
            f"the whole month file ({large['ours_file_bytes'] >> 10} KiB) on each write: "
            f"parse {parts['parse']:.1f} ms, serialise {parts['serialise']:.1f} ms "
            f"({parts['serialise_unsorted']:.1f} ms without sort_keys)"
        )
    summary = [
        row(
            f"append at {large['size']} entries, median",
            ours_large,
            stat(large, "baseline_fsync"),
            "ms",
            target=f"≤ {TARGET_MS:g} ms",
            met=met,
            note=note,
        ),
        row(
            f"growth {small['size']} → {large['size']} entries",
            growth,
            base_growth,
            "×",
            target=f"≤ {FLAT:g}× (flat)",
            met=growth <= FLAT,
        ),
        row(f"fsync share at {large['size']}", fsync_ours, fsync_base, "ms"),
        row(
            "of which the hash chain's append (fsynced), median",
            stat(large, "chain_append"),
            None,
            "ms",
        ),
    ]
    print_summary("Figure 4 — summary (baseline = TinyDB default JSONStorage, one file)", summary)
    write_result(
        "log_append",
        figure=4,
        title="Playback log append at scale",
        args=args,
        summary=summary,
        details={"repeat": repeat, "per_month": PER_MONTH, "sizes": results},
        work_dir=work_dir,
    )


if __name__ == "__main__":
    main()
