"""Figure 5 — reports at scale: a monthly report and a 12-month summary over five years of
history (~20,000 broadcasts), in each format.

Why: the officer makes the month's report on the box itself at the end of the month,
and the province asks for the year; after five years the log is large, and a report
that takes a minute on a Pi Zero gets made on paper instead. We generate 60 month
files (``_common.month_log``: ~333 sessions a month, 1–2 clips played 1–2 times each,
~3 % missed or cut) and time what the report service does:

* monthly report = ``month_report(config, month)`` + ``write_report(report, fmt, dir)``;
* 12-month summary = the 12 monthly JSON exports merged with
  ``merge_reports(..., allow_mixed_months=True)`` and written with ``write_merged``
  (the service's multi-month table of one commune, one row per month) in each format.

Baseline, in the same run: the naive way, one TinyDB file (default storage) holding all
five years, loaded whole for each report and filtered by ``build_report`` (which walks
every row to find the month), then the very same writers. The writers cost the same in
both; the difference is what reading a month costs once the history is long.

If ``firmware_host.report.service`` cannot be imported (it is being written), only the
counting is measured (``build_report`` over our month file vs over the one big file)
and the formats are skipped with a note.

Target: ≤ 1 s per report and format.
"""

from __future__ import annotations

import time
from pathlib import Path

from _common import (
    BYTES_IN_MEMORY_PER_ENTRY,
    TZ,
    TempRoot,
    TinyDBDefaultWriter,
    available_bytes,
    make_box,
    median,
    month_log,
    month_range,
    number,
    parse_args,
    print_summary,
    print_table,
    row,
    times,
    write_month_file,
    write_result,
)

TARGET_S = 1.0


class Stages:
    """Wall time per stage (count, write, merge) of the last call, to say what costs."""

    def __init__(self) -> None:
        self.seconds: dict[str, list[float]] = {}

    def add(self, name: str, seconds: float) -> None:
        self.seconds.setdefault(name, []).append(seconds)

    def medians(self) -> dict[str, float]:
        return {name: median(values) for name, values in self.seconds.items()}


def stage(stages: Stages, name: str, function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    stages.add(name, time.perf_counter() - start)
    return result


def main() -> None:
    args = parse_args("Figure 5: monthly report and 12-month summary over 5 years, per format.")
    n_months, per_month = (3, 30) if args.smoke else (60, 333)
    repeat = 1 if args.smoke else 5
    try:
        from firmware_host.report import service
    except Exception as exc:  # the module is being written: measure the counting only
        service = None
        print(f"note: firmware_host.report.service not importable ({exc}); formats skipped")
    from tinydb import TinyDB

    from firmware_host.report.counts import build_report

    with TempRoot(args, "report") as root:
        box = make_box(root / "box")
        config = box.config
        this_month = time.strftime("%Y-%m")
        months = month_range(this_month, n_months + 1)[:-1]  # complete months only
        single = TinyDBDefaultWriter(root / "one-file-log.json")
        sessions = entries = 0
        for month in months:
            rows = month_log(month, sessions=per_month)
            write_month_file(config.log_dir / f"{month}.json", rows)
            single.add(rows)
            sessions += sum(1 for r in rows if r["kind"] == "session")
            entries += len(rows)
        single.close()
        print(f"history: {len(months)} months, {sessions} sessions, {entries} entries")
        commune = {
            "name": config.commune.name,
            "province": config.commune.province,
            "station": config.commune.station,
        }
        month = months[-1]
        year = months[-12:]
        need = entries * BYTES_IN_MEMORY_PER_ENTRY
        with_naive = need * 2 < available_bytes()
        if not with_naive:
            print(f"! naive baseline skipped: loading the one file needs ~{need >> 20} MB")

        def naive_rows() -> list[dict]:
            db = TinyDB(single.path)
            try:
                return db.all()
            finally:
                db.close()

        def naive_report(rows: list[dict], wanted: str):
            return build_report(rows, month=wanted, tz=TZ, commune=commune)

        def ours_report(wanted: str, stages: Stages):
            if service is not None:
                return stage(stages, "load + count", service.month_report, config, wanted)
            from firmware_host.logbook.playlog import PlayLog

            log = PlayLog(config.log_dir, config.timezone)
            rows = stage(stages, "load", log.entries, [wanted])
            log.close()
            return stage(stages, "count", naive_report, rows, wanted)

        ours_stages: dict[str, Stages] = {}
        naive_stages: dict[str, Stages] = {}
        monthly: dict[str, dict[str, list[float]]] = {}
        summary_times: dict[str, dict[str, list[float]]] = {}
        errors: dict[str, str] = {}
        first_call: dict[str, dict[str, float]] = {}
        formats = list(service.FORMATS) if service else []
        merge_formats = list(getattr(service, "MERGE_FORMATS", ())) if service else []

        def month_contenders(fmt: str | None):
            key = fmt or "counts only"
            ours_s, naive_s = (
                ours_stages.setdefault(key, Stages()),
                naive_stages.setdefault(key, Stages()),
            )
            out = root / "out" / key
            (out / "ours").mkdir(parents=True, exist_ok=True)
            (out / "naive").mkdir(parents=True, exist_ok=True)

            def ours() -> None:
                report = ours_report(month, ours_s)
                if fmt:
                    stage(ours_s, "write", service.write_report, report, fmt, out / "ours")

            def naive() -> None:
                rows = stage(naive_s, "load", naive_rows)
                report = stage(naive_s, "count", naive_report, rows, month)
                if fmt:
                    stage(naive_s, "write", service.write_report, report, fmt, out / "naive")

            return {"ours": ours, "naive": naive} if with_naive else {"ours": ours}

        def summary_contenders(fmt: str):
            key = f"{len(year)} months {fmt}"
            ours_s, naive_s = (
                ours_stages.setdefault(key, Stages()),
                naive_stages.setdefault(key, Stages()),
            )
            out = root / "out" / key.replace(" ", "-")

            def finish(reports, stages: Stages, where: Path) -> None:
                exports = [
                    stage(stages, "write json", service.write_report, r, "json", where)[0]
                    for r in reports
                ]
                table = stage(
                    stages, "merge", service.merge_reports, exports, allow_mixed_months=True
                )
                stage(stages, "write", service.write_merged, table, fmt, where / "table")

            def ours() -> None:
                where = out / "ours"
                (where / "table").mkdir(parents=True, exist_ok=True)
                finish([ours_report(m, ours_s) for m in year], ours_s, where)

            def naive() -> None:
                where = out / "naive"
                (where / "table").mkdir(parents=True, exist_ok=True)
                rows = stage(naive_s, "load", naive_rows)
                reports = [stage(naive_s, "count", naive_report, rows, m) for m in year]
                finish(reports, naive_s, where)

            return {"ours": ours, "naive": naive} if with_naive else {"ours": ours}

        def measure(label: str, contenders: dict, into: dict) -> None:
            samples: dict[str, list[float]] = {name: [] for name in contenders}
            try:
                for name, function in contenders.items():
                    # the first call imports the format's writer (openpyxl, python-docx):
                    # a CLI run pays it every time, equally for both; timed apart
                    start = time.perf_counter()
                    function()
                    first_call[label] = first_call.get(label, {})
                    first_call[label][name] = time.perf_counter() - start
                for _ in range(repeat):
                    for name, function in contenders.items():
                        start = time.perf_counter()
                        function()
                        samples[name].append(time.perf_counter() - start)
            except Exception as exc:  # the service is young: say what broke, go on
                errors[label] = f"{type(exc).__name__}: {exc}"
                print(f"! {label}: {errors[label]}")
                return
            into[label] = samples

        measure("counts only", month_contenders(None), monthly)
        for fmt in formats:
            measure(fmt, month_contenders(fmt), monthly)
        for fmt in merge_formats:
            measure(f"{len(year)} months {fmt}", summary_contenders(fmt), summary_times)
        work_dir = root

    def table(title: str, span: str, results: dict[str, dict[str, list[float]]]) -> list:
        """Print one table; return its summary rows. Keys are "xlsx" or "12 months xlsx"."""
        lines, rows = [], []
        for key, samples in results.items():
            fmt = key.rsplit(" ", 1)[-1] if key != "counts only" else key
            ours = median(samples["ours"])
            naive = median(samples["naive"]) if samples.get("naive") else None
            where = ours_stages[key].medians()
            parts = ", ".join(f"{k} {v:.3f}" for k, v in where.items())
            cold = first_call.get(key, {}).get("ours")
            lines.append(
                [
                    fmt,
                    number(ours, "s"),
                    number(naive, "s"),
                    times(ours / naive if naive else None),
                    number(cold, "s"),
                    parts or "",
                ]
            )
            met = ours <= TARGET_S if fmt != "counts only" else None
            note = "" if met in (None, True) else f"ours by stage (s): {parts}"
            rows.append(
                row(
                    f"{title}, {fmt}",
                    ours,
                    naive,
                    "s",
                    target="≤ 1 s" if met is not None else "",
                    met=met,
                    note=note,
                )
            )
        print_table(
            f"Figure 5 — {title} {span} (median of {repeat})",
            ["format", "ours", "naive one-file", "ratio", "ours 1st call", "ours by stage (s)"],
            lines,
        )
        return rows

    summary = table("monthly report", month, monthly)
    if summary_times:
        summary += table(f"{len(year)}-month summary", f"{year[0]}..{year[-1]}", summary_times)
    elif service is not None:
        print("  (no 12-month summary: the service has no MERGE_FORMATS/merge_reports)")
    for label, message in errors.items():
        summary.append(row(f"error: {label}", None, None, "", note=message))
    if service is None:
        summary.append(
            row("formats", "skipped", None, "", note="firmware_host.report.service missing")
        )
    print_summary("Figure 5 — summary (baseline = load one TinyDB file, filter)", summary)
    write_result(
        "report_scale",
        figure=5,
        title="Reports over five years of history",
        args=args,
        summary=summary,
        details={
            "months": len(months),
            "sessions": sessions,
            "entries": entries,
            "repeat": repeat,
            "monthly": monthly,
            "summary_12_months": summary_times,
            "ours_stages": {k: v.seconds for k, v in ours_stages.items()},
            "naive_stages": {k: v.seconds for k, v in naive_stages.items()},
            "errors": errors,
        },
        work_dir=work_dir,
    )


if __name__ == "__main__":
    main()
