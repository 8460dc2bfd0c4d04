"""Duyệt (leadership): the campaign files waiting for approval, what changed in each
since the version last approved, and the two decisions, approve and refuse.

The decisions are the ones ``loaxa schedule approve|refuse`` records
(:class:`~firmware_host.schedules.approvals.Approvals`, by the text's hash), in the
leader's account name, and the daemon is asked to reload at once (it would also see
the approvals file change on its next look at the folder). The page adds the
four-eyes rule of issue 14, which the command line (``--by`` is just a name) cannot
enforce: whoever saved any version of the file through the panel since its last
approval, or created it, cannot approve it (:meth:`~firmware_host.web.authors.Authors.since`).
A file written by hand or brought on a stick has no panel author, and any leader may
approve it.

A decision is taken on the text the leader saw: the form carries that text's hash, and
a file changed meanwhile is not decided on (the page comes back showing the new text).
The text approved is kept (``Authors.keep_text``) so that the next edit can be shown
as a difference from it.
"""

from __future__ import annotations

import contextlib
import difflib
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from firmware_host.messages import LoaxaError, t
from firmware_host.schedules import ERROR, Problem, schedule_files
from firmware_host.schedules.approvals import Approvals, Decision, Status, judge
from firmware_host.schedules.reader import read_schedule_text
from firmware_host.web import auth
from firmware_host.web.authors import text_sha256
from firmware_host.web.i18n import notice
from firmware_host.web.pages import schedules
from firmware_host.web.state import daemon, panel

blueprint = Blueprint("approval", __name__, url_prefix="/duyet")
leader = auth.requires("lanh-dao")
DIFF_CONTEXT = 3  # unchanged lines shown around each change


def _approvals() -> Approvals:
    return Approvals(panel().config.log_dir)


@dataclass
class Waiting:
    """One campaign file as the queue shows it."""

    path: Path
    campaign: str
    status: Status | None  # None: the file cannot be read (problem says why)
    problem: Problem | None
    edited_by: str | None  # who saved it last through the panel (None: by hand, a stick)
    edited_at: str | None  # ISO time of that save, or the file's own time


def _campaign_name(path: Path, text: str | Problem) -> str:
    if isinstance(text, str):
        with contextlib.suppress(tomllib.TOMLDecodeError, AttributeError):
            name = tomllib.loads(text).get("campaign", {}).get("name")
            if isinstance(name, str) and name.strip():
                return name.strip()
    return path.stem


def _waiting(path: Path, decisions: dict[str, dict[str, Decision]]) -> Waiting:
    text = read_schedule_text(path)
    history = schedules.authors().history(path.name)
    last = history[-1] if history else None
    if last is not None and isinstance(text, str) and last["sha256"] != text_sha256(text):
        last = None  # saved through the panel, then changed by hand
    edited_at = last["at"] if last else _mtime(path)
    status = judge(path.name, text, decisions.get(path.name, {})) if isinstance(text, str) else None
    return Waiting(
        path=path,
        campaign=_campaign_name(path, text),
        status=status,
        problem=text if isinstance(text, Problem) else None,
        edited_by=last["by"] if last else None,
        edited_at=edited_at,
    )


def _mtime(path: Path) -> str | None:
    try:
        moment = datetime.fromtimestamp(path.stat().st_mtime, panel().config.timezone)
    except OSError:
        return None
    return moment.isoformat(timespec="seconds")


def queue() -> list[Waiting]:
    """Every campaign file that does not stand approved: never approved, edited since
    (the approval voided), refused, or unreadable."""
    decisions = _approvals().decisions()
    found = (_waiting(path, decisions) for path in schedule_files(schedules._folder()))
    return [entry for entry in found if entry.status is None or not entry.status.airs]


def waiting_count() -> int:
    """How many files the queue holds (the nav's badge), computed once per state of the
    folder and the approvals file."""
    return schedules._remembered(("waiting", schedules._fingerprint()), lambda: len(queue()))


@blueprint.route("")
@leader
def index() -> str:
    return render_template(
        "approval.html", entries=queue(), required=panel().config.policy.require_approval
    )


# -- one file ------------------------------------------------------------------------------
def _last_approved(name: str) -> Decision | None:
    texts = _approvals().decisions().get(name, {})
    approved = [decision for decision in texts.values() if decision.verdict == "approved"]
    return approved[-1] if approved else None


def diff_lines(old: str | None, new: str) -> list[tuple[str, str]]:
    """(kind, line) of a readable line diff: ``add``, ``del``, ``same``, ``gap`` (the
    unchanged lines left out); without *old*, the whole file as added."""
    if old is None:
        return [("add", f"+ {line}") for line in new.splitlines()]
    shown: list[tuple[str, str]] = []
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=DIFF_CONTEXT)
    for line in lines:
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            shown.append(("gap", "…"))
        elif line.startswith("+"):
            shown.append(("add", f"+ {line[1:]}"))
        elif line.startswith("-"):
            shown.append(("del", f"− {line[1:]}"))
        else:
            shown.append(("same", f"  {line[1:]}"))
    return shown


def _page(path: Path, status: int = 200, **extra: Any) -> tuple[str, int]:
    text = read_schedule_text(path)
    if isinstance(text, Problem):
        shown = render_template(
            "approval_file.html", path=path, campaign=path.stem, problem=text, **extra
        )
        return shown, status
    approvals = _approvals()
    state = approvals.status(path, text)
    approved = _last_approved(path.name)
    base = schedules.authors().text_of(approved.sha256) if approved is not None else None
    writers = schedules.authors().since(path.name, approved.sha256 if approved else None)
    _paths, _rules, installed = schedules._installed(schedules._library())
    problems = [p for p in installed.problems if Path(p.file).name == path.name]
    shown = render_template(
        "approval_file.html",
        path=path,
        campaign=_campaign_name(path, text),
        problem=None,
        text=text,
        state=state,
        approved=approved,
        base_kept=base is not None,
        diff=diff_lines(base, text) if base != text else [],
        writers=writers,
        own=auth.who() in writers,
        errors=[p for p in problems if p.severity == ERROR],
        required=panel().config.policy.require_approval,
        **{"reason": "", "reason_error": None, **extra},
    )
    return shown, status


@blueprint.route("/<name>")
@leader
def file(name: str) -> tuple[str, int]:
    return _page(schedules._file(name))


def _unchanged(path: Path) -> str | None:
    """The file's text, if it is still the one the leader saw (the form's hash)."""
    text = read_schedule_text(path)
    if not isinstance(text, str):
        return None
    current = _approvals().status(path, text).sha256
    return text if request.form.get("sha256") == current else None


@blueprint.route("/<name>/duyet", methods=["POST"])
@leader
def approve(name: str) -> Response | tuple[str, int]:
    path = schedules._file(name)
    text = _unchanged(path)
    if text is None:
        notice("web.approval.changed", error=True)
        return _page(path, 409)
    approved = _last_approved(path.name)
    writers = schedules.authors().since(path.name, approved.sha256 if approved else None)
    if auth.who() in writers:
        notice("web.approval.own_edit", error=True)
        return _page(path, 403)
    config = panel().config
    decision = _approvals().approve(path, auth.who(), datetime.now(config.timezone))
    schedules.authors().keep_text(text)  # the next edit is shown against it
    auth.record("schedule.approve", target=path.name)
    _reload()
    notice("web.approval.approved", campaign=_campaign_name(path, text), file=decision.file)
    if not config.policy.require_approval:
        notice("web.approval.not_required")
    return redirect(url_for("approval.index"), code=303)


@blueprint.route("/<name>/tu-choi", methods=["POST"])
@leader
def refuse(name: str) -> Response | tuple[str, int]:
    path = schedules._file(name)
    reason = " ".join(request.form.get("reason", "").split())
    text = _unchanged(path)
    if text is None:
        notice("web.approval.changed", error=True)
        return _page(path, 409, reason=reason)
    if not reason:
        return _page(path, 400, reason_error=t("web.approval.no_reason"))
    config = panel().config
    decision = _approvals().refuse(path, auth.who(), reason, datetime.now(config.timezone))
    auth.record("schedule.refuse", target=path.name, reason=decision.reason)
    _reload()
    notice("web.approval.refused", campaign=_campaign_name(path, text), file=decision.file)
    return redirect(url_for("approval.index"), code=303)


def _reload() -> None:
    """Tell the daemon now (it would see the approvals file change on its next look)."""
    with contextlib.suppress(LoaxaError):  # not running: it reads the decisions when it starts
        daemon(panel().config).call("reload", by=auth.who())
