"""Lịch phát (officer): the campaigns as forms, their problems beside the fields, and
the plan of the next seven days.

One set of checks: every page judges the files with the box's own rules
(:class:`~firmware_host.schedules.rules.BoxRules`, what ``loaxa schedule check`` and
the daemon use), and the calendar is the plan ``loaxa schedule show`` prints — last
good versions of refused files included, as the daemon runs them. A form is written
into the file's TOML (:mod:`~firmware_host.web.campaigns`: tomlkit, comments kept) and
checked *before* it is saved: a file with an error is not saved, and the form comes
back with each problem beside its field, in the checker's words. A saved file is
replaced atomically in the schedules folder, which the daemon re-reads by itself (the
panel also asks it to reload at once); who saved it is recorded for the approval rule
(:mod:`~firmware_host.web.authors`). A file the form cannot show (a syntax error, a
shape of its own) is edited as text, with the same checks.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from firmware_host.clips import ClipLibrary, slugify
from firmware_host.messages import LoaxaError
from firmware_host.schedules import ERROR, Problem, Schedule, schedule_files
from firmware_host.schedules.approvals import Status
from firmware_host.schedules.reader import read_schedule_text
from firmware_host.schedules.rules import BoxRules, Installed, LastGood
from firmware_host.store import write_atomically
from firmware_host.tiers import TIERS
from firmware_host.web import auth, campaigns
from firmware_host.web.authors import Authors
from firmware_host.web.campaigns import CampaignForm, SlotForm
from firmware_host.web.i18n import notice
from firmware_host.web.state import daemon, panel

blueprint = Blueprint("schedules", __name__, url_prefix="/lich-phat")
officer = auth.requires("can-bo")
CALENDAR_DAYS = 7


def authors() -> Authors:
    return Authors(panel().config.data_dir / "web")


def _folder() -> Path:
    return panel().config.scheduler.schedules_dir


def _library() -> ClipLibrary:
    return ClipLibrary(panel().config)


def _rules(library: ClipLibrary) -> BoxRules:
    return BoxRules.of(panel().config, library.refs())


def _fingerprint() -> tuple:
    """What the judgement of the folder depends on: its files, their last good copies,
    the clip library's index (and the approvals, once they exist). Stat calls only."""
    config = panel().config
    last_good = LastGood(config.data_dir).directory
    found = []
    for folder in (_folder(), last_good):
        with contextlib.suppress(OSError):
            for path in sorted(folder.iterdir()):
                info = path.stat()
                found.append((str(path), info.st_ino, info.st_size, info.st_mtime_ns))
    for extra in (config.clips_dir / "index.json", config.log_dir / "approvals.json"):
        with contextlib.suppress(OSError):
            info = extra.stat()
            found.append((str(extra), info.st_ino, info.st_size, info.st_mtime_ns))
    return tuple(found)


_judged: dict[tuple, Any] = {}
_judging = threading.Lock()


def _remembered(key: tuple, work: Callable[[], Any]) -> Any:
    """*work*'s result for *key*, computed once: checking a year of campaigns plans every
    session of it, and twenty phones on the list would do it twenty times (memory and
    CPU the broadcast needs; bench figure 8). Only the newest results are kept."""
    with _judging:
        if key not in _judged:
            while len(_judged) >= 8:
                _judged.pop(next(iter(_judged)))
            _judged[key] = work()
        return _judged[key]


def _installed(library: ClipLibrary) -> tuple[list[Path], BoxRules, Installed]:
    """What the daemon runs, judged as it judges it (``loaxa schedule check``)."""

    def judge() -> tuple[list[Path], BoxRules, Installed]:
        paths = schedule_files(_folder())
        rules = _rules(library)
        return paths, rules, rules.installed(paths, LastGood(panel().config.data_dir))

    return _remembered(("installed", _fingerprint()), judge)


def _file(name: str) -> Path:
    """A campaign file of the schedules folder by its exact name; anything else
    (``..``, a hidden file, another folder) is not found."""
    found = next((path for path in schedule_files(_folder()) if path.name == name), None)
    if found is None:
        abort(404)
    return found


def _resolver(library: ClipLibrary) -> campaigns.Resolve:
    def resolve(ref: str) -> str:
        clip = library.find(ref)
        return clip.id if clip is not None else ref

    return resolve


# -- the list and the calendar -------------------------------------------------------------
@dataclass
class Entry:
    """One campaign file as the list shows it."""

    path: Path
    schedule: Schedule | None  # what runs from it (its last good version, if refused)
    form: CampaignForm | None  # its text as a form (None: edit it as text)
    problems: list[Problem]
    last_good: bool  # refused, its last good version runs
    waiting: Status | None = None  # why it does not air yet: awaiting approval, refused


@blueprint.route("")
@officer
def index() -> str:
    library = _library()
    paths, _, installed = _installed(library)
    running = {schedule.path.name: schedule for schedule in installed.schedules}
    waiting = {schedule.path.name: schedule for schedule in installed.awaiting}
    resolve = _resolver(library)
    entries = []
    for path in paths:
        text = read_schedule_text(path)
        entries.append(
            Entry(
                path=path,
                schedule=running.get(path.name) or waiting.get(path.name),
                form=campaigns.from_text(text, resolve) if isinstance(text, str) else None,
                problems=[p for p in installed.problems if Path(p.file).name == path.name],
                last_good=path.name in installed.from_last_good,
                waiting=installed.waiting.get(path.name),
            )
        )
    titles = {clip.id: clip.title for clip in library.clips()}
    return render_template("schedules.html", entries=entries, titles=titles, ERROR=ERROR)


@blueprint.route("/7-ngay")
@officer
def calendar() -> str:
    library = _library()
    _paths, rules, installed = _installed(library)
    config = panel().config
    now = datetime.now(config.timezone)
    first = now.date()
    last = first + timedelta(days=CALENDAR_DAYS - 1)
    sessions = _remembered(
        ("plan", first, _fingerprint()), lambda: rules.plan(installed.schedules, first, last)
    )
    days: dict[date, list[Any]] = {first + timedelta(days=n): [] for n in range(CALENDAR_DAYS)}
    for session in sessions:
        days.setdefault(session.at.date(), []).append(session)
    return render_template(
        "calendar.html",
        days=days,
        now=now,
        kept=installed.from_last_good,
        refused=[p for p in installed.problems if p.severity == ERROR],
    )


# -- the form --------------------------------------------------------------------------------
def _page(form: CampaignForm, path: Path | None, **extra: Any) -> str:
    library = _library()
    clips = library.clips()
    known = {clip.id for clip in clips}
    unknown = sorted({ref for slot in form.slots for ref in slot.playlist if ref not in known})
    return render_template(
        "campaign.html",
        form=form,
        path=path,
        clips=clips,
        unknown=unknown,
        zones=list(panel().config.relays.zones),
        tiers=TIERS if campaigns.HAS_TIER else (),
        **{"errors": {}, "general": [], "warnings": [], **extra},
    )


@blueprint.route("/moi", methods=["GET", "POST"])
@officer
def new() -> Response | str | tuple[str, int]:
    if request.method == "GET":
        return _page(CampaignForm(slots=[SlotForm()]), None)
    return _posted(None)


@blueprint.route("/<name>/sua", methods=["GET", "POST"])
@officer
def edit(name: str) -> Response | str | tuple[str, int]:
    path = _file(name)
    if request.method == "POST":
        return _posted(path)
    text = read_schedule_text(path)
    form = campaigns.from_text(text, _resolver(_library())) if isinstance(text, str) else None
    if form is None:  # not a shape the form can show: as text
        return redirect(url_for("schedules.edit_text", name=path.name), code=303)
    return _page(form, path)


def _posted(path: Path | None) -> Response | str | tuple[str, int]:
    form = campaigns.from_request(request.form)
    if request.form.get("action") == "add_slot":
        form.slots.append(SlotForm())
        return _page(form, path)
    library = _library()
    old = read_schedule_text(path) if path is not None else None
    if isinstance(old, Problem):
        old = None
    target = path or _new_path(form.name)
    zones = list(panel().config.relays.zones)
    text = campaigns.to_text(form, old, _resolver(library), zones)
    problems = _problems(library, target, text)
    errors: dict[str, list[str]] = {}
    general: list[str] = []
    for problem in problems:
        if problem.severity != ERROR:
            continue
        field = campaigns.field_of(problem, text)
        if field:
            errors.setdefault(field, []).append(problem.message)
        else:
            general.append(str(problem))
    if errors or general:
        return _page(form, path, errors=errors, general=general), 400
    _save(target, text, created=path is None)
    for problem in problems:  # warnings: saved, and said
        notice("web.refused", message=problem.message)
    notice("web.schedules.saved", campaign=form.name, file=target.name)
    return redirect(url_for("schedules.index") + f"#{target.stem}", code=303)


def _new_path(name: str) -> Path:
    stem = slugify(name) or "chien-dich"
    path, number = _folder() / f"{stem}.toml", 1
    while path.exists():
        number += 1
        path = _folder() / f"{stem}-{number}.toml"
    return path


def _problems(library: ClipLibrary, path: Path, text: str) -> list[Problem]:
    """The problems of *text* as the file *path*, beside every other file of the folder
    (a collision with another campaign is reported on the later file by name: when that
    is the other one, it is brought back here, at this file's line)."""
    paths = [*schedule_files(_folder()), path]
    _schedules, problems = _rules(library).check(paths, {path: text})
    mine = [p for p in problems if Path(p.file).name == path.name]
    for problem in problems:
        if problem.key == "schedule.overlap" and problem.params.get("other_file") == path.name:
            params = {
                **problem.params,
                "other": _slot_at(Path(problem.file), problem.line),
                "other_file": Path(problem.file).name,
                "other_line": problem.line,
            }
            line = problem.params.get("other_line")
            at = line if isinstance(line, int) else None
            mine.append(replace(problem, file=str(path), line=at, params=params))
    return mine


def _slot_at(path: Path, line: int | None) -> str:
    """The name of the slot of *path* whose ``time`` is on *line* (as the reader names it)."""
    text = read_schedule_text(path)
    if not isinstance(text, str):
        return "?"
    field = campaigns.field_of(Problem(str(path), line, "", {}), text)
    form = campaigns.from_text(text, str)
    index = field.split("-")[1] if field.startswith("slot-") else ""
    if form is None or not index.isdigit() or int(index) >= len(form.slots):
        return "?"
    return form.slots[int(index)].name or f"slot-{int(index) + 1}"


def _save(path: Path, text: str, *, created: bool) -> None:
    """Write the file atomically, remember who wrote it, and tell the daemon."""
    config = panel().config
    write_atomically(path, text.encode("utf-8"))
    authors().wrote(path.name, text, auth.who(), datetime.now(config.timezone))
    auth.record("schedule.create" if created else "schedule.edit", target=path.name)
    with contextlib.suppress(LoaxaError):  # not running: it reads the folder when it starts
        daemon(config).call("reload", by=auth.who())


# -- as text -----------------------------------------------------------------------------------
@blueprint.route("/<name>/van-ban", methods=["GET", "POST"])
@officer
def edit_text(name: str) -> Response | str | tuple[str, int]:
    path = _file(name)
    if request.method == "GET":
        text = read_schedule_text(path)
        problems = _problems(_library(), path, text) if isinstance(text, str) else [text]
        shown = text if isinstance(text, str) else ""
        return render_template("campaign_text.html", path=path, text=shown, problems=problems)
    text = request.form.get("text", "").replace("\r\n", "\n")
    problems = _problems(_library(), path, text)
    if any(problem.severity == ERROR for problem in problems):
        page = render_template("campaign_text.html", path=path, text=text, problems=problems)
        return page, 400
    _save(path, text, created=False)
    notice("web.schedules.saved", campaign=path.stem, file=path.name)
    return redirect(url_for("schedules.index") + f"#{path.stem}", code=303)


# -- removing ----------------------------------------------------------------------------------
@blueprint.route("/<name>/xoa", methods=["GET", "POST"])
@officer
def remove(name: str) -> Response | str:
    path = _file(name)
    if request.method == "GET":
        return render_template("campaign_remove.html", path=path)
    path.unlink(missing_ok=True)
    authors().forget(path.name)
    auth.record("schedule.remove", target=path.name)
    with contextlib.suppress(LoaxaError):
        daemon(panel().config).call("reload", by=auth.who())
    notice("web.schedules.removed", file=path.name)
    return redirect(url_for("schedules.index"), code=303)
