"""``loaxa``: the command line. Thin on purpose: parse, call the library, print.

Exit codes: 0 done, 1 the input was refused (a clip, a schedule, a config), 2 wrong
usage, 141 the reader of the output went away (``loaxa log | head -1``, as coreutils).
Every read command takes ``--json`` for scripts; everything else prints sentences from
the message catalogue in the operator's language, chosen with ``--lang vi|en`` before
or after the command.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import signal
import sys
import time
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from firmware_host import __version__
from firmware_host.config import CONFIG_NAME, Config, default_text, load_config
from firmware_host.messages import LANGUAGES, LoaxaError, error_text, plural, set_language, t
from firmware_host.textout import format_seconds, print_log, print_table


def _common(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """Options every command takes before or after its name; a sub-command's value is
    set only when given there (SUPPRESS), so it never hides the one before the name."""
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--lang", choices=LANGUAGES, default=default, help=t("cli.help.lang"))
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=default,
        help="thư mục dữ liệu / data folder (default: $LOAXA_HOME)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=default,
        help="tệp cấu hình / config file (default: DATA_DIR/loaxa.toml)",
    )


def _json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="in JSON cho máy đọc / print JSON")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="loaxa", description=t("cli.description"))
    parser.add_argument("--version", action="version", version=f"loaxa {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true")
    _common(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_key: str, *, reads: bool = False, **kwargs: Any):
        sub = commands.add_parser(name, help=t(help_key), **kwargs)
        _common(sub, suppress=True)
        if reads:
            _json_flag(sub)
        return sub

    init = command("init", "cli.help.init")
    init.add_argument("--force", action="store_true")

    clips = command("clips", "cli.help.clips")
    clip_commands = clips.add_subparsers(dest="clips_command", required=True, metavar="ACTION")
    clip_import = clip_commands.add_parser("import", help=t("cli.help.clips_import"))
    _common(clip_import, suppress=True)
    clip_import.add_argument("files", nargs="+", type=Path)
    clip_import.add_argument("--title")
    clip_import.add_argument(
        "--clip-lang", dest="clip_language", default="vi", help=t("cli.help.clip_lang")
    )
    clip_import.add_argument("--translation-of", metavar="ID", help=t("cli.help.translation_of"))
    clip_say = clip_commands.add_parser("say", help=t("cli.help.clips_say"))
    _common(clip_say, suppress=True)
    clip_say.add_argument("text", nargs="?", help=t("cli.help.say_text"))
    clip_say.add_argument("--file", type=Path, help=t("cli.help.say_file"))
    clip_say.add_argument("--title", required=True)
    clip_say.add_argument(
        "--clip-lang", dest="clip_language", default="vi", help=t("cli.help.clip_lang")
    )
    clip_say.add_argument("--voice")
    clip_say.add_argument("--speed", type=float)
    clip_say.add_argument("--engine")
    clip_list = clip_commands.add_parser("list", help=t("cli.help.clips_list"))
    _common(clip_list, suppress=True)
    _json_flag(clip_list)
    clip_remove = clip_commands.add_parser("remove", help=t("cli.help.clips_remove"))
    _common(clip_remove, suppress=True)
    clip_remove.add_argument("clip_id")

    schedule = command("schedule", "cli.help.schedule")
    schedule_commands = schedule.add_subparsers(
        dest="schedule_command", required=True, metavar="ACTION"
    )
    check = schedule_commands.add_parser("check", help=t("cli.help.schedule_check"))
    _common(check, suppress=True)
    _json_flag(check)
    check.add_argument("files", nargs="*", type=Path)
    show = schedule_commands.add_parser("show", help=t("cli.help.schedule_show"))
    _common(show, suppress=True)
    _json_flag(show)
    show.add_argument("--days", type=int, default=7)
    show.add_argument("--from", dest="first_day", type=date.fromisoformat, default=None)
    approve = schedule_commands.add_parser("approve", help=t("cli.help.schedule_approve"))
    _common(approve, suppress=True)
    approve.add_argument("file", type=Path)
    approve.add_argument("--by", required=True, help=t("cli.help.approval_by"))
    refuse = schedule_commands.add_parser("refuse", help=t("cli.help.schedule_refuse"))
    _common(refuse, suppress=True)
    refuse.add_argument("file", type=Path)
    refuse.add_argument("--by", required=True, help=t("cli.help.approval_by"))
    refuse.add_argument("--reason", required=True)

    play = command("play", "cli.help.play")
    play.add_argument("clips", nargs="+")
    play.add_argument("--zones", default="all", help="thon-1,thon-2 | all")
    play.add_argument("--repeat", type=int, default=1)
    play.add_argument("--gap", type=float, default=5.0)
    play.add_argument("--tier", default=None, help="thuong | uu-tien")

    emergency = command("emergency", "cli.help.emergency")
    emergency.add_argument("clips", nargs="+")
    emergency.add_argument("--zones", default="all", help="thon-1,thon-2 | all")
    emergency.add_argument("--repeat", type=int, default=1)
    emergency.add_argument("--reason", help=t("cli.help.emergency_reason"))

    live = command("live", "cli.help.live")
    live.add_argument("--zones", default="all", help="thon-1,thon-2 | all")
    live.add_argument("--tier", default=None, help="thuong | uu-tien | khan-cap")
    live.add_argument("--reason", default=None, help=t("cli.help.emergency_reason"))
    live.add_argument("--by", default=None, help=t("cli.help.live_by"))
    live.add_argument("--device", default=None, help=t("cli.help.live_device"))

    command("run", "cli.help.run")

    clock = command("clock", "cli.help.clock", reads=True)
    clock.add_argument("action", choices=("status", "confirm"), nargs="?", default="status")

    log = command("log", "cli.help.log", reads=True)
    log.add_argument("--month", help="YYYY-MM")

    report = command("report", "cli.help.report")
    report.add_argument("--month", help="YYYY-MM")
    report.add_argument("--campaign", default=None)
    report.add_argument(
        "--format",
        dest="formats",
        default="docx",
        help="xlsx, docx, csv, json, a comma list, or all",
    )
    report.add_argument("--out", type=Path, default=Path("."))
    report_commands = report.add_subparsers(dest="report_command", metavar="merge")
    merge = report_commands.add_parser("merge", help=t("cli.help.report_merge"))
    _common(merge, suppress=True)
    merge.add_argument("paths", nargs="+", type=Path)
    merge.add_argument(
        "--format", dest="formats", default="xlsx", help="xlsx, docx, csv, a comma list, or all"
    )
    merge.add_argument("--out", type=Path, default=Path("."))
    merge.add_argument("--allow-mixed-months", action="store_true")

    usb = command("usb", "cli.help.usb")
    usb_commands = usb.add_subparsers(dest="usb_command", required=True, metavar="ACTION")
    sync = usb_commands.add_parser("sync", help=t("cli.help.usb_sync"))
    _common(sync, suppress=True)
    sync.add_argument("--path", type=Path, required=True)
    sync.add_argument(
        "--dry-run",
        action="store_true",
        help="chỉ xem sẽ làm gì, không ghi gì / show what would happen, write nothing",
    )

    selftest = command("selftest", "cli.help.selftest", reads=True)
    selftest.add_argument("--yes", action="store_true", help="không hỏi xác nhận / no prompts")

    demo = command("demo", "cli.help.demo")
    demo.add_argument("--samples", type=Path, default=None)
    _link_commands(command)
    _panel_commands(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv, notes = _old_clip_lang(list(sys.argv[1:] if argv is None else argv))
    for position, arg in enumerate(argv):  # early, so that --help is in that language too
        value = argv[position + 1] if arg == "--lang" and position + 1 < len(argv) else ""
        value = arg.removeprefix("--lang=") if arg.startswith("--lang=") else value
        if value in LANGUAGES:
            set_language(value)
    try:
        args = build_parser().parse_args(argv)
        if args.lang:
            set_language(args.lang)
        for note in notes:
            print(f"! {note}", file=sys.stderr)
        _setup_logging(args.verbose)
        return int(_dispatch(args) or 0)
    except BrokenPipeError:
        return _reader_gone()
    except LoaxaError as exc:
        print(f"{t('error.prefix')}: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # the disk, the card, a folder: said in the operator's words
        if exc.filename is None:
            text = t("cli.os_error_nopath", detail=error_text(exc))
        else:
            text = t("cli.os_error", path=exc.filename, detail=error_text(exc))
        print(f"{t('error.prefix')}: {text}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _old_clip_lang(argv: list[str]) -> tuple[list[str], list[LoaxaError]]:
    """``clips import F --lang ede`` meant the clip's language before ``--lang`` was
    accepted after every command. A value that is not a message language cannot mean
    anything else, so it still works (as ``--clip-lang``), with a note; ``vi``/``en``
    after a command are the message language, as everywhere else."""
    if "clips" not in argv or "import" not in argv[argv.index("clips") :]:
        return argv, []
    start = argv.index("import", argv.index("clips"))
    fixed, notes = list(argv), []
    for position in range(start + 1, len(argv)):
        arg = argv[position]
        if arg == "--lang" and position + 1 < len(argv):
            value = argv[position + 1]
        elif arg.startswith("--lang="):
            value = arg.removeprefix("--lang=")
        else:
            continue
        if value not in LANGUAGES and not value.startswith("-"):
            fixed[position] = arg.replace("--lang", "--clip-lang", 1)
            notes.append(LoaxaError("cli.clip_lang_old_spelling", value=value))
    return fixed, notes


def _reader_gone() -> int:
    """The reader of our output left (``loaxa log | head -1``): stop quietly, as coreutils
    do when SIGPIPE ends them. Python ignores SIGPIPE, so the write raised instead;
    what is still buffered goes to /dev/null, or the flush at exit would raise again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout is not a file descriptor (tests capture it)
        pass
    return 128 + signal.SIGPIPE


class _ZoneFormatter(logging.Formatter):
    """Log times in the box's time zone, never the machine's local one."""

    zone: ZoneInfo | None = None

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        moment = datetime.fromtimestamp(record.created, self.zone)
        return moment.strftime("%Y-%m-%d %H:%M:%S%z")


def _setup_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_ZoneFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.INFO if verbose else logging.ERROR)


def _config(args: argparse.Namespace) -> Config:
    config = load_config(args.data_dir, args.config)
    _ZoneFormatter.zone = config.timezone
    for note in config.notes:  # on stderr: --json output stays clean
        print(f"! {note}", file=sys.stderr)
    return config


def _dispatch(args: argparse.Namespace) -> int | None:
    return HANDLERS[args.command](args)


def _emit_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


# -- init ----------------------------------------------------------------------------
def cmd_init(args: argparse.Namespace) -> int:
    from firmware_host.config import default_data_dir

    data_dir = args.data_dir or default_data_dir()
    target = args.config or data_dir / CONFIG_NAME
    (data_dir / "schedules").mkdir(parents=True, exist_ok=True)
    (data_dir / "clips").mkdir(parents=True, exist_ok=True)
    from firmware_host.broadcast.audiodevice import propose_from_system, with_device

    device = propose_from_system()
    if target.exists() and not args.force:
        print(t("init.exists", path=target))
        if device:
            print(t("init.device_found", device=device))
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        text = with_device(default_text(), device) if device else default_text()
        target.write_text(text, encoding="utf-8")
        print(t("init.written", path=target))
        print(t("init.device_set", device=device) if device else t("init.no_device"))
    load_config(data_dir, target)  # prove what we wrote loads
    print(t("init.next_steps", data_dir=data_dir, config=target))
    return 0


# -- clips ---------------------------------------------------------------------------
def _library(config: Config):
    from firmware_host.clips import ClipLibrary

    return ClipLibrary(config)


def _say(config: Config, args: argparse.Namespace) -> int:
    """``loaxa clips say "…" --title T``: the text read into a clip through the normal
    import; the officer can ``loaxa play`` it to one zone before it goes in a schedule."""
    from firmware_host.clips.tts import say

    if (args.text is None) == (args.file is None):
        raise LoaxaError("cli.say_text_or_file")
    text = args.text
    if args.file is not None:
        try:
            text = args.file.read_bytes()[: 1024 * 1024].decode("utf-8-sig")
        except OSError as exc:
            raise LoaxaError("file.unreadable", path=args.file, detail=error_text(exc)) from exc
        except UnicodeDecodeError as exc:
            raise LoaxaError("file.unreadable", path=args.file, detail=error_text(exc)) from exc
    result = say(
        config,
        text,
        title=args.title,
        language=args.clip_language,
        voice=args.voice,
        speed=args.speed,
        engine=args.engine,
    )
    for note in result.notes:
        print(f"! {note}", file=sys.stderr)
    clip = result.clip
    print(
        t(
            "cli.clip_said",
            id=clip.id,
            title=clip.title,
            duration=format_seconds(clip.duration),
            engine=result.engine_used,
        )
    )
    return 0


def cmd_clips(args: argparse.Namespace) -> int:
    config = _config(args)
    library = _library(config)
    if args.clips_command == "import":
        return _import_clips(library, args)
    if args.clips_command == "say":
        return _say(config, args)
    if args.clips_command == "list":
        damaged = library.verify_stored()  # first: it may record old clips' WAV hashes
        clips = library.clips()
        if getattr(args, "json", False):
            _emit_json(
                [
                    {
                        **_clip_json(c),
                        "damaged": damaged.get(c.id),
                        "missing": not c.path.is_file(),
                    }
                    for c in clips
                ]
            )
            return 0
        if not clips:
            print(t("cli.clips_empty"))
            return 0

        def stored(clip: Any) -> str:
            if clip.id in damaged:
                return t("stored.damaged_mark")
            return t("stored.ok") if clip.path.is_file() else t("stored.missing_mark")

        print_table(
            [
                t("col.id"),
                t("col.title"),
                t("col.language"),
                t("col.duration"),
                t("col.imported"),
                t("col.file"),
            ],
            [
                [
                    c.id,
                    c.title,
                    c.language + (f" ← {c.translation_of}" if c.translation_of else ""),
                    format_seconds(c.duration),
                    c.imported_at[:16],
                    stored(c),
                ]
                for c in clips
            ],
        )
        for message in damaged.values():
            print(f"✘ {message}")
        return 0
    removed = library.remove(args.clip_id)
    print(t("cli.clip_removed", id=removed.id, title=removed.title))
    return 0


def _import_clips(library: Any, args: argparse.Namespace) -> int:
    """Each file imported or refused on its own; a batch ends with what became of it.
    A file already in the library is not a failure: importing a folder twice is fine."""
    imported = refused = present = 0
    for path in args.files:
        try:
            clip = library.import_file(
                path,
                title=args.title,
                language=args.clip_language,
                translation_of=args.translation_of,
            )
        except LoaxaError as exc:
            if exc.key == "clips.duplicate":
                present += 1
                print(f"• {exc}")
            else:
                refused += 1
                print(f"✘ {exc}", file=sys.stderr)
            continue
        imported += 1
        print(
            t(
                "cli.clip_imported",
                id=clip.id,
                title=clip.title,
                duration=format_seconds(clip.duration),
                language=clip.language,
            )
        )
    if len(args.files) > 1:
        print(
            t(
                "cli.import_summary",
                imported=plural(imported, "clip"),
                refused=plural(refused, "file"),
                present=plural(present, "clip"),
            )
        )
    return 1 if refused else 0


def _clip_json(clip: Any) -> dict[str, Any]:
    data = dataclasses.asdict(clip)
    data["path"] = str(data["path"])
    return data


# -- schedule ------------------------------------------------------------------------
def _installed(config: Config, files: Sequence[Path], library: Any):
    """(paths, rules, what runs). Checking the whole folder also says which refused
    files run their last good version, exactly as the daemon decides it."""
    from firmware_host.schedules import schedule_files
    from firmware_host.schedules.rules import BoxRules, LastGood

    rules = BoxRules.of(config, library.refs(), library.versions())
    paths = list(files) or schedule_files(config.scheduler.schedules_dir)
    last_good = None if files else LastGood(config.data_dir)
    return paths, rules, rules.installed(paths, last_good)


def _when(moment: datetime | None) -> str:
    return f"{moment:%d/%m/%Y %H:%M}" if moment else "?"


def _last_good_notes(installed: Any) -> list[str]:
    notes = [
        t("cli.runs_last_good", file=name, saved=_when(saved))
        for name, saved in installed.from_last_good.items()
    ]
    notes += [
        t("cli.last_good_refused", file=name, reason=problem.message)
        for name, problem in installed.last_good_refused.items()
    ]
    return notes


def _waiting_notes(installed: Any, paths: Sequence[Path]) -> list[str]:
    """One line per file that does not air for want of approval."""
    where = {path.name: path for path in paths}
    return [
        f"✋ {status.problem(where.get(name, Path(name)))}"
        for name, status in installed.waiting.items()
    ]


def _approval(args: argparse.Namespace, config: Config) -> int:
    """``schedule approve|refuse FILE --by …``: a file named without a folder is the one
    in the schedules folder. The daemon logs the decision (it writes the log)."""
    from firmware_host.schedules.approvals import Approvals

    path = args.file
    if not path.exists() and path.parent == Path():
        path = config.scheduler.schedules_dir / path.name
    approvals = Approvals(config.log_dir)
    now = datetime.now(config.timezone)
    if args.schedule_command == "approve":
        decision = approvals.approve(path, args.by, now)
        print(t("cli.approved", file=decision.file, by=decision.by, sha=decision.sha256[:12]))
    else:
        decision = approvals.refuse(path, args.by, args.reason, now)
        print(t("cli.refused", file=decision.file, by=decision.by, reason=decision.reason))
    if not config.policy.require_approval:
        print(t("cli.approval_not_required"))
    _paths, _rules, installed = _installed(config, [], _library(config))
    for problem in installed.problems:
        if problem.severity == "error" and Path(problem.file).name == decision.file:
            print(f"✘ {problem}", file=sys.stderr)
    return 0


def cmd_schedule(args: argparse.Namespace) -> int:
    config = _config(args)
    if args.schedule_command in ("approve", "refuse"):
        return _approval(args, config)
    library = _library(config)
    as_json = getattr(args, "json", False)
    if args.schedule_command == "check":
        paths, _rules, installed = _installed(config, args.files, library)
        problems = installed.problems + _stream_problems(installed)
        errors = [p for p in problems if p.severity == "error"]
        if as_json:
            _emit_json(
                {
                    "files": [str(p) for p in paths],
                    "ok": not errors,
                    "problems": [
                        {
                            "file": p.file,
                            "line": p.line,
                            "severity": p.severity,
                            "key": p.key,
                            "message": str(p),
                        }
                        for p in problems
                    ],
                    "last_good": {
                        name: saved.isoformat() if saved else None
                        for name, saved in installed.from_last_good.items()
                    },
                    "last_good_refused": {
                        name: problem.message
                        for name, problem in installed.last_good_refused.items()
                    },
                    "awaiting_approval": {
                        name: {"state": status.state, "message": status.describe()}
                        for name, status in installed.waiting.items()
                    },
                }
            )
        else:
            for problem in problems:
                prefix = "✘" if problem.severity == "error" else "!"
                print(f"{prefix} {problem}")
            for note in _last_good_notes(installed):
                print(note)
            for note in _waiting_notes(installed, paths):
                print(note)
            if not paths:
                print(t("cli.no_schedule_files", folder=config.scheduler.schedules_dir))
            elif errors:
                errors_text = plural(len(errors), "error")
                files_text = plural(len(paths), "schedule_file")
                print(t("cli.check_failed", errors=errors_text, files=files_text))
            else:
                print(t("cli.check_ok", files=plural(len(paths), "schedule_file")))
        return 1 if errors else 0
    return _show_plan(config, library, args.days, args.first_day, as_json)


def _stream_problems(installed: Any) -> list[Any]:
    """The playlists the accepted files' streams serve today (the daemon checks each URL
    offline when a file is read; only this command reaches the network for it)."""
    from firmware_host.broadcast.sources import stream_problems

    return stream_problems(
        (str(schedule.path), slot.source)
        for schedule in installed.schedules
        if schedule.path in installed.texts
        for slot in schedule.slots
        if slot.source is not None
    )


def _show_plan(
    config: Config, library: Any, days: int, first_day: date | None, as_json: bool
) -> int:
    """What the daemon runs (last good versions of refused files included, marked), from
    now on unless a first day is asked for: sessions already over are in ``loaxa log``.
    The sessions of files awaiting approval are shown too, marked: they do not air."""
    paths, rules, installed = _installed(config, [], library)
    now = datetime.now(config.timezone)
    first = first_day or now.date()
    last = first + timedelta(days=max(1, days) - 1)
    sessions = rules.plan([*installed.schedules, *installed.awaiting], first, last)
    waiting = installed.waiting
    over = 0
    if first_day is None:
        upcoming = [s for s in sessions if s.ends.timestamp() > now.timestamp()]
        over, sessions = len(sessions) - len(upcoming), upcoming
    kept = installed.from_last_good
    if as_json:
        _emit_json(
            [
                {
                    "at": s.at.isoformat(),
                    "campaign": s.campaign,
                    "slot": s.slot,
                    "file": s.schedule_file,
                    "playlist": list(s.playlist),
                    "repeat": s.repeat,
                    "zones": list(s.zones),
                    "expected_seconds": s.expected_seconds,
                    "source": dataclasses.asdict(s.source) if s.source else None,
                    "last_good": s.schedule_file in kept,
                    "tier": s.tier,
                    "languages": list(s.languages),
                    "awaiting_approval": s.schedule_file in waiting,
                }
                for s in sessions
            ]
        )
        return 0
    for problem in installed.problems:
        if problem.severity == "error":
            print(f"✘ {problem}", file=sys.stderr)
    for note in _last_good_notes(installed) + _waiting_notes(installed, paths):
        print(note, file=sys.stderr)
    if not sessions:
        print(t("cli.plan_empty", first=first.strftime("%d/%m/%Y"), last=last.strftime("%d/%m/%Y")))
    else:

        def titles(session: Any) -> str:
            names = []
            for ref in session.playlist:
                clip = library.find(ref)
                name = clip.title if clip else f"?{ref}"
                names.append(f"{name} [{clip.language}]" if clip and session.languages else name)
            return ", ".join(names)

        def campaign(session: Any) -> str:
            marks = [t("cli.plan_last_good")] if session.schedule_file in kept else []
            if session.schedule_file in waiting:
                marks.append(t("cli.plan_awaiting"))
            return session.campaign + "".join(f" ({mark})" for mark in marks)

        def relayed(session: Any) -> str:
            source = session.source
            if source is None:
                return ""
            name = source.name or source.url or source.device
            return (" + " if session.playlist else "") + t("cli.plan_relay", source=name)

        print_table(
            [
                t("col.date"),
                t("col.time"),
                t("col.campaign"),
                t("col.tier"),
                t("col.slot"),
                t("col.clips"),
                t("col.zones"),
                t("col.duration"),
            ],
            [
                [
                    t(f"weekday.{s.at.weekday()}") + " " + s.at.strftime("%d/%m/%Y"),
                    s.at.strftime("%H:%M:%S" if s.at.second else "%H:%M"),
                    campaign(s),
                    t(f"tier.{s.tier}"),
                    s.slot,
                    titles(s) + (f" ×{s.repeat}" if s.repeat > 1 else "") + relayed(s),
                    ", ".join(s.zones),
                    format_seconds(s.expected_seconds),
                ]
                for s in sessions
            ],
        )
    if over:
        print(t("cli.plan_past_hidden", sessions=plural(over, "session")))
    return 0


# -- play and run --------------------------------------------------------------------
def _order(args: argparse.Namespace, op: str, **params: Any) -> int:
    """``loaxa play`` and ``loaxa emergency``: through the daemon when it runs (it holds
    the relays), else in this process; the same checks either way (broadcast.orders)."""
    from firmware_host.broadcast import orders
    from firmware_host.broadcast.manual import play_now
    from firmware_host.control import ControlClient

    config = _config(args)
    try:
        answer = ControlClient(config.data_dir).call(op, by=_who(), **params)
    except LoaxaError as exc:
        if exc.key != "control.no_daemon":
            raise
    else:
        key = "cli.order_queued" if answer.get("queued") else "cli.order_on_air"
        print(t(key, session_id=answer.get("session_id", "")))
        return 0
    library = _library(config)
    if op == "emergency":
        request = orders.emergency_request(config, library, by=_who(), **params)
    else:
        request = orders.manual_request(config, library, by=_who(), **params)
    outcome = play_now(config, request, announce=print)
    return 0 if outcome.status == "completed" else 1


def _who() -> str:
    """Who ordered a broadcast from the command line, for the log: the login name."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "?"


def cmd_play(args: argparse.Namespace) -> int:
    return _order(
        args,
        "play",
        clips=list(args.clips),
        zones=args.zones,
        repeat=args.repeat,
        gap_seconds=args.gap,
        tier=args.tier,
    )


def cmd_emergency(args: argparse.Namespace) -> int:
    return _order(
        args,
        "emergency",
        clips=list(args.clips),
        zones=args.zones,
        repeat=args.repeat,
        reason=args.reason or "",
    )


def cmd_live(args: argparse.Namespace) -> int:
    """``loaxa live``: the microphone on air until Ctrl-C, the stop button or ``[live]
    max_minutes``. Through the daemon when it runs (it holds the relays and the stop
    button), else in this process like ``loaxa play``; the same checks either way."""
    from firmware_host.broadcast import orders
    from firmware_host.broadcast.manual import play_now
    from firmware_host.control import ControlClient
    from firmware_host.frontpanel import stop_button

    config = _config(args)
    by = args.by or _who()
    params = {"zones": args.zones, "tier": args.tier, "device": args.device, "reason": args.reason}
    client = ControlClient(config.data_dir)
    try:
        answer = client.call("live", by=by, **params)
    except LoaxaError as exc:
        if exc.key != "control.no_daemon":
            raise
    else:
        return _live_through_daemon(config, client, answer, by)
    request = orders.live_request(config, by=by, **params)
    print(t("live.on_air", minutes=config.live.max_minutes))
    # The stop button ends it as Ctrl-C does: one way out, through the signal handler.
    button = stop_button(config, lambda: os.kill(os.getpid(), signal.SIGINT))
    try:
        outcome = play_now(config, request, announce=print)
    finally:
        if button is not None:
            button.close()
    return 0 if outcome.status == "completed" else 1


def _live_through_daemon(config: Config, client: Any, answer: dict[str, Any], by: str) -> int:
    """The daemon put the microphone on air (or said why not): wait for Ctrl-C or for the
    session to end by itself, stop that session (and no other), say how it went."""
    import threading

    from firmware_host.logbook.playlog import PlayLog

    session_id = answer.get("session_id")
    if not session_id:
        print(f"✘ {t('live.not_on_air', error=answer.get('error') or '')}", file=sys.stderr)
        return 1
    print(t("live.on_air", minutes=config.live.max_minutes))
    ended = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: ended.set()) for sig in SIGNALS_TO_END}
    try:
        while not ended.wait(0.5):
            on_air = client.call("status").get("on_air") or {}
            if on_air.get("session_id") != session_id:
                break
        if ended.is_set():
            client.call("stop", session_id=session_id, by=by)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    for _ in range(60):
        log = PlayLog(config.log_dir, config.timezone)
        try:
            rows = [r for r in log.entries() if r.get("session_id") == session_id]
        finally:
            log.close()
        if rows and all(r["status"] != "started" for r in rows):
            live = next((r for r in rows if r["kind"] == "live"), rows[0])
            print(t("live.ended", seconds=round(float(live.get("seconds") or 0.0)),
                    status=t(f"status.{live['status']}")))  # fmt: skip
            return 0 if rows[0]["status"] == "completed" else 1
        time.sleep(0.5)
    return 1


SIGNALS_TO_END = (signal.SIGINT, signal.SIGTERM)


def cmd_run(args: argparse.Namespace) -> int:
    from firmware_host.daemon import Daemon

    config = _config(args)
    logging.getLogger("loaxa").setLevel(logging.INFO)
    Daemon(config, announce=logging.getLogger("loaxa").info).run_forever()
    return 0


# -- clock ----------------------------------------------------------------------------
def cmd_clock(args: argparse.Namespace) -> int:
    """``status`` says whether broadcasts may run; ``confirm`` is the operator vouching
    for the time shown (until the next reboot) when there is no network for NTP."""
    from firmware_host.clock import ClockKeeper, kernel_says_synchronised

    config = _config(args)
    clock = ClockKeeper(config.data_dir, config.timezone)
    now = clock.now()
    if args.action == "confirm":
        clock.confirm()
        print(t("clock.confirmed_now", now=f"{now:%d/%m/%Y %H:%M:%S}"))
        return 0
    verdict = clock.verdict()
    if getattr(args, "json", False):
        _emit_json(
            {
                "now": now.isoformat(),
                "trusted": verdict.trusted,
                "reason": verdict.reason,
                "synchronised": kernel_says_synchronised(),
            }
        )
    else:
        print(f"{now:%d/%m/%Y %H:%M:%S %Z}")
        print(t("clock.trusted" if verdict.trusted else "clock.untrusted", reason=verdict.reason))
    return 0 if verdict.trusted else 1


# -- log ------------------------------------------------------------------------------
def cmd_log(args: argparse.Namespace) -> int:
    from firmware_host.logbook.playlog import PlayLog

    config = _config(args)
    log = PlayLog(config.log_dir, config.timezone)
    months = [args.month] if args.month else None
    if args.month and not _valid_month(args.month):
        raise LoaxaError("cli.bad_month", month=args.month)
    rows = log.entries(months)
    if getattr(args, "json", False):
        _emit_json(rows)
        return 0
    if not rows:
        print(t("cli.log_empty"))
        return 0
    print_log(rows)
    return 0


def _valid_month(text: str) -> bool:
    try:
        datetime.strptime(text, "%Y-%m")
    except ValueError:
        return False
    return len(text) == 7


# -- report and usb -------------------------------------------------------------------
def _formats(text: str, allowed: Sequence[str]) -> list[str]:
    wanted = (
        list(allowed)
        if text.strip() == "all"
        else [f.strip().lower() for f in text.split(",") if f.strip()]
    )
    for fmt in wanted:
        if fmt not in allowed:
            raise LoaxaError("report.bad_format", fmt=fmt, formats=", ".join(allowed))
    return wanted


def cmd_report(args: argparse.Namespace) -> int:
    from firmware_host.report import service

    if args.report_command == "merge":
        merged = service.merge_reports(args.paths, allow_mixed_months=args.allow_mixed_months)
        for warning in merged.warnings:
            print(f"! {warning}", file=sys.stderr)
        for fmt in _formats(args.formats, service.MERGE_FORMATS):
            for path in service.write_merged(merged, fmt, args.out):
                print(t("cli.report_written", path=path))
        return 0
    config = _config(args)
    if not args.month or not _valid_month(args.month):
        raise LoaxaError("cli.bad_month", month=args.month or "")
    report = service.month_report(config, args.month, args.campaign)
    for fmt in _formats(args.formats, service.FORMATS):
        for path in service.write_report(report, fmt, args.out):
            print(t("cli.report_written", path=path))
    totals = report.totals
    print(
        t(
            "cli.report_summary",
            sessions=plural(totals["sessions_completed"], "session"),
            plays=plural(totals["plays_completed"], "play"),
            minutes=totals["minutes_on_air"],
            problems=plural(
                totals["sessions_interrupted"]
                + totals["sessions_failed"]
                + totals["sessions_missed"],
                "session",
            ),
        )
    )
    return 0


def cmd_usb(args: argparse.Namespace) -> int:
    """The stick exchange on a stick already mounted at ``--path``: the same confined
    process as the USB service's (as root, it drops to the data folder's owner)."""
    import functools

    from firmware_host.usb.sync import sync_stick
    from firmware_host.usb.watch import sync_mounted

    config = _config(args)
    result = sync_mounted(
        config, args.path, sync=functools.partial(sync_stick, dry_run=args.dry_run)
    )
    if result is None:
        return 1
    print(result.receipt_text)
    return 0 if result.ok else 1


def cmd_selftest(args: argparse.Namespace) -> int:
    from firmware_host.selftest import as_json, run_selftest

    config = _config(args)
    as_json_output = getattr(args, "json", False)

    def confirm(question: str) -> bool:
        if args.yes or as_json_output or not sys.stdin.isatty():
            return True
        answer = input(f"{question} [c/k, y/n] ").strip().lower()
        return answer in ("c", "có", "co", "y", "yes", "")

    checks = run_selftest(
        config, confirm=confirm, announce=(lambda _line: None) if as_json_output else print
    )
    failed = [c for c in checks if not c.ok]
    if as_json_output:
        _emit_json({"ok": not failed, "checks": as_json(checks)})
    else:
        summary = t("selftest.summary_fail", count=plural(len(failed), "check"))
        print(summary if failed else t("selftest.summary_ok"))
    return 1 if failed else 0


# -- demo ------------------------------------------------------------------------------
def cmd_demo(args: argparse.Namespace) -> int:
    from firmware_host.demo import run_demo

    # Only a folder named on the command line is used; $LOAXA_HOME (a real box's data)
    # never receives demo clips and schedules.
    return run_demo(data_dir=args.data_dir, samples=args.samples)


# -- the provable log and the province link (issue 15) ---------------------------------
def _link_commands(command: Any) -> None:
    verify = command("verify", "cli.help.verify", reads=True)
    verify.add_argument("--month", help="YYYY-MM")
    command("link", "cli.help.link")
    province = command("province", "cli.help.province")
    actions = province.add_subparsers(dest="province_command", required=True, metavar="ACTION")

    def action(name: str, help_key: str, *, reads: bool = False) -> argparse.ArgumentParser:
        sub = actions.add_parser(name, help=t(help_key))
        _common(sub, suppress=True)
        if reads:
            _json_flag(sub)
        return sub

    action("serve", "cli.help.province_serve")
    status = action("status", "cli.help.province_status", reads=True)
    status.add_argument("--verify", action="store_true", help=t("cli.help.province_verify"))
    report = action("report", "cli.help.province_report")
    report.add_argument("--month", required=True, help="YYYY-MM")
    report.add_argument("--format", dest="formats", default="xlsx", help="xlsx, docx, csv, all")
    report.add_argument("--out", type=Path, default=Path("."))
    send = action("send", "cli.help.province_send", reads=True)
    send.add_argument("--tier", required=True, choices=("khan-cap", "uu-tien", "thuong"))
    send.add_argument("--title", required=True)
    send.add_argument("--clip", type=Path, help=t("cli.help.send_clip"))
    send.add_argument("--url", help=t("cli.help.send_url"))
    send.add_argument("--text", help=t("cli.help.send_text"))
    send.add_argument("--text-lang", default="vi")
    send.add_argument("--targets", default="all", help="all | 19543,19543/tram-2")
    send.add_argument("--zones", default="all", help="all | thon-1,thon-2")
    send.add_argument("--times", default="", help="06:30,17:00")
    send.add_argument("--repeat", type=int, default=1)
    send.add_argument("--from", dest="valid_from", type=datetime.fromisoformat)
    send.add_argument("--until", dest="valid_until", type=datetime.fromisoformat)
    send.add_argument("--id", dest="bulletin_id")
    send.add_argument("--wait", type=float, default=15.0, help=t("cli.help.send_wait"))
    keys = action("keys", "cli.help.province_keys")
    keys.add_argument("--out", type=Path, help=t("cli.help.keys_out"))
    keys.add_argument("--show", action="store_true", help=t("cli.help.keys_show"))


def cmd_verify(args: argparse.Namespace) -> int:
    from firmware_host.link.box.outbox import read_cursor_heads
    from firmware_host.logbook.chain import verify

    config = _config(args)
    if args.month and not _valid_month(args.month):
        raise LoaxaError("cli.bad_month", month=args.month)
    verdict = verify(
        config.log_dir,
        [args.month] if args.month else None,
        anchors=read_cursor_heads(config.data_dir),
    )
    if getattr(args, "json", False):
        _emit_json(
            {
                "status": verdict.status,
                "problem": verdict.problem.message() if verdict.problem else None,
                "recoverable": [f.message() for f in verdict.recoverable],
                "heads": {m: h.as_dict() for m, h in verdict.heads.items()},
                "unchained": list(verdict.unchained),
            }
        )
    else:
        print(verdict.message())
    return 1 if verdict.status == "broken" else 0


def _until_signalled() -> Any:
    import threading

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    return stop


def cmd_link(args: argparse.Namespace) -> int:
    from firmware_host.link.box.client import LinkClient

    config = _config(args)
    logging.getLogger("loaxa").setLevel(logging.INFO)
    LinkClient(config).run(_until_signalled())
    return 0


def cmd_province(args: argparse.Namespace) -> int:
    config = _config(args)
    action = args.province_command
    if action == "serve":
        from firmware_host.link.province.collector import Collector

        logging.getLogger("loaxa").setLevel(logging.INFO)
        Collector(config).run(_until_signalled())
        return 0
    if action == "keys":
        from firmware_host.link.province import send as sending

        path = args.out or config.province.private_key_file
        public = sending.public_key_of(path) if args.show else sending.make_keys(path)
        if not args.show:
            print(t("province.keys_made", path=path), file=sys.stderr)
        print(public)
        return 0
    if action == "send":
        return _province_send(config, args)
    from firmware_host.link.province import table
    from firmware_host.link.province.store import ProvinceStore

    store = ProvinceStore(config.province.store, config.timezone)
    now = datetime.now(config.timezone)
    if action == "status":
        rows = table.status_rows(store, now, check_store=args.verify)
        if getattr(args, "json", False):
            _emit_json([row.as_dict() for row in rows])
        else:
            print_province_status(rows)
        return 1 if any(not row.chain_verified for row in rows) else 0
    from firmware_host.report import service, wording

    if not _valid_month(args.month):
        raise LoaxaError("cli.bad_month", month=args.month)
    recipient = config.report.recipient or wording.default_recipient(config.commune.province)
    merged = table.province_report(store, args.month, tz=config.timezone, recipient=recipient)
    for warning in merged.warnings:
        print(f"! {warning}", file=sys.stderr)
    for fmt in _formats(args.formats, service.MERGE_FORMATS):
        for path in service.write_merged(merged, fmt, args.out):
            print(t("cli.report_written", path=path))
    return 0


def print_province_status(rows: Sequence[Any]) -> None:
    if not rows:
        print(t("province.no_boxes_yet"))
        return

    def yes_no(value: bool | None) -> str:
        return "?" if value is None else t("word.yes" if value else "word.no")

    def when(text: str | None) -> str:
        return f"{datetime.fromisoformat(text):%d/%m %H:%M}" if text else "—"

    print_table(
        [
            t("col.commune"),
            t("col.station"),
            t("col.online"),
            t("col.last_seen"),
            t("col.last_broadcast"),
            t("col.missed_week"),
            t("col.failed_week"),
            t("col.clock_untrusted"),
            t("col.chain_verified"),
        ],
        [
            [
                f"{r.commune} ({r.commune_code})",
                r.station,
                yes_no(r.online),
                when(r.last_seen),
                when(r.last_broadcast),
                r.missed_this_week,
                r.failed_this_week,
                yes_no(r.clock_untrusted),
                yes_no(r.chain_verified),
            ]
            for r in rows
        ],
    )
    for r in rows:
        if r.problem:
            print(f"✘ {r.commune_code}/{r.station_id}: {r.problem}")


def _province_send(config: Config, args: argparse.Namespace) -> int:
    from firmware_host.link.province import send as sending

    def names(text: str) -> str | list[str]:
        return "all" if text.strip() == "all" else [n.strip() for n in text.split(",") if n.strip()]

    if sum(x is not None for x in (args.clip, args.text)) != 1:
        raise LoaxaError("province.clip_or_text")
    audio = sending.Audio(clip=args.clip, url=args.url, text=args.text, language=args.text_lang)
    zone = config.timezone
    bulletin = sending.build(
        config,
        tier=args.tier,
        title=args.title,
        audio=audio,
        targets=names(args.targets),
        zones=names(args.zones),
        valid_from=args.valid_from and _aware(args.valid_from, zone),
        valid_until=args.valid_until and _aware(args.valid_until, zone),
        times=[x.strip() for x in args.times.split(",") if x.strip()],
        repeat=args.repeat,
        bulletin_id=args.bulletin_id,
    )
    sent = sending.send(config, bulletin, wait=args.wait)
    if getattr(args, "json", False):
        _emit_json(
            {
                "id": sent.bulletin["id"],
                "topics": sent.topics,
                "unknown": sent.unknown,
                "published": sent.published,
            }
        )
        return 0
    for target in sent.unknown:
        print(f"! {t('province.target_unknown', target=target)}", file=sys.stderr)
    key = "province.sent" if sent.published else "province.spooled"
    print(t(key, id=sent.bulletin["id"], boxes=len(sent.topics)))
    return 0


def _aware(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


# -- the web panel: loaxa web, loaxa users ------------------------------------------------
def _panel_commands(command: Any) -> None:
    web = command("web", "cli.help.web")
    web.add_argument("--host", help=t("cli.help.web_host"))
    web.add_argument("--port", type=int, help=t("cli.help.web_port"))
    users = command("users", "cli.help.users")
    actions = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help=t("cli.help.users_add"))
    _common(add, suppress=True)
    add.add_argument("name")
    add.add_argument("--role", dest="roles", action="append", required=True,
                     help=t("cli.help.users_role"))  # fmt: skip
    listed = actions.add_parser("list", help=t("cli.help.users_list"))
    _common(listed, suppress=True)
    _json_flag(listed)
    for action in ("remove", "reset"):
        sub = actions.add_parser(action, help=t(f"cli.help.users_{action}"))
        _common(sub, suppress=True)
        sub.add_argument("name")


def cmd_web(args: argparse.Namespace) -> int:
    """The panel in this process until SIGTERM (the unit ``loaxa-web.service``)."""
    from firmware_host.web.server import serve

    config = _config(args)
    logging.getLogger("loaxa").setLevel(logging.INFO)  # "serving on …" for the journal
    logging.getLogger("cheroot").setLevel(logging.WARNING)
    serve(config, args.host, args.port)
    return 0


def cmd_users(args: argparse.Namespace) -> int:
    """The panel's accounts from the box's shell: the first technician's, and any
    account when nobody can log in. Written to the panel's audit log as ``cli``, by
    the person behind ``sudo`` (the wrapper runs loaxa as user loaxa)."""
    from firmware_host.web.users import UserStore

    config = _config(args)
    store = UserStore.for_data_dir(config.data_dir, config.timezone)
    actor = {"by": os.environ.get("SUDO_USER") or _who(), "origin": "cli"}
    if args.users_command == "add":
        password = store.add(args.name, args.roles, **actor)
        user = store.get(args.name)
        assert user is not None
        roles = ", ".join(t(f"web.role.{role}") for role in user.roles)
        print(t("cli.users.added", name=user.name, roles=roles))
        print(t("cli.users.one_time", password=password))
        print(t("web.users.one_time_once", name=user.name))
    elif args.users_command == "reset":
        password = store.reset(args.name, **actor)
        print(t("web.users.was_reset", name=args.name.strip()))
        print(t("cli.users.one_time", password=password))
        print(t("web.users.one_time_once", name=args.name.strip()))
    elif args.users_command == "remove":
        store.remove(args.name, **actor)
        print(t("web.users.removed", name=args.name.strip()))
    else:
        _list_users(store.list(), getattr(args, "json", False))
    return 0


def _list_users(users: Sequence[Any], as_json: bool) -> None:
    if as_json:
        _emit_json(
            [{"name": u.name, "roles": list(u.roles), "must_change": u.must_change,
              "created": u.created, "created_by": u.created_by} for u in users]
        )  # fmt: skip
        return
    if not users:
        print(t("cli.users.empty"))
        return
    print_table(
        [t("web.users.name"), t("cli.users.roles"), t("col.note")],
        [
            [
                u.name,
                ", ".join(t(f"web.role.{role}") for role in u.roles),
                t("web.users.one_time_pending") if u.must_change else "",
            ]
            for u in users
        ],
    )


HANDLERS = {
    "init": cmd_init,
    "clips": cmd_clips,
    "schedule": cmd_schedule,
    "play": cmd_play,
    "emergency": cmd_emergency,
    "live": cmd_live,
    "run": cmd_run,
    "clock": cmd_clock,
    "log": cmd_log,
    "report": cmd_report,
    "usb": cmd_usb,
    "selftest": cmd_selftest,
    "demo": cmd_demo,
    "verify": cmd_verify,
    "link": cmd_link,
    "province": cmd_province,
    "web": cmd_web,
    "users": cmd_users,
}


if __name__ == "__main__":
    sys.exit(main())
