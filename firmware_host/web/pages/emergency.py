"""Khẩn cấp (leadership): an emergency broadcast, with a confirmation step.

The one way an emergency goes on air is the daemon's (``emergency`` on the control
socket, the same function as ``loaxa emergency`` and the front panel's button): it cuts
the session on air, logs who ordered it and why, and refuses a missing reason or an
unknown zone in its own words. The page adds only what a phone needs: choose a clip
or type the text, the zones, the reason; then a page that says exactly what is about
to happen, and one big button. A typed text is read aloud first
(:func:`firmware_host.clips.tts.say`, a clip like any other, in the log and the
report) by a job of its own, never queued behind an import; the same text typed
twice is the clip already made.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from firmware_host.clips import ClipLibrary
from firmware_host.clips.tts import MAX_TEXT_CHARACTERS, say
from firmware_host.config import Config
from firmware_host.messages import LoaxaError, language
from firmware_host.web import auth
from firmware_host.web.i18n import notice
from firmware_host.web.jobs import ALONE, Job, Said
from firmware_host.web.state import daemon, daemon_status, panel

blueprint = Blueprint("emergency", __name__, url_prefix="/khan-cap")
leadership = auth.requires("lanh-dao")
REASON_MAX = 300  # broadcast.orders.MAX_REASON: the daemon refuses longer ones in its words


def _order() -> dict[str, Any]:
    form = request.form
    try:
        repeat = int(form.get("repeat", "1"))
    except ValueError:
        repeat = 0  # refused by the daemon's own check
    return {
        "clip": form.get("clip", "").strip(),
        "text": form.get("text", "")[:MAX_TEXT_CHARACTERS].strip(),
        "zones": form.getlist("zones"),
        "reason": " ".join(form.get("reason", "").split())[: REASON_MAX + 1],
        "repeat": repeat,
    }


def _form(order: dict[str, Any], error: str | None = None, status: int = 200) -> tuple[str, int]:
    clips = sorted(ClipLibrary(panel().config).clips(), key=lambda clip: clip.title.casefold())
    page = render_template(
        "emergency.html",
        order=order,
        clips=[clip for clip in clips if clip.path.is_file()],
        zones=list(panel().config.relays.zones),
        error=error,
        most=MAX_TEXT_CHARACTERS,
    )
    return page, status


@blueprint.route("", methods=["GET", "POST"])
@leadership
def index() -> tuple[str, int]:
    """The form; posted, the confirmation page (nothing has moved yet)."""
    if request.method == "GET":
        return _form({"clip": "", "text": "", "zones": [], "reason": "", "repeat": 1})
    order = _order()
    if not order["clip"] and not order["text"]:
        return _form(order, str(LoaxaError("web.emergency.nothing")), 400)
    if not order["reason"]:
        return _form(order, str(LoaxaError("emergency.no_reason")), 400)
    if daemon_status(panel().config) is None:  # said now, not after the text was read
        return _form(order, str(LoaxaError("control.no_daemon")), 409)
    clip = ClipLibrary(panel().config).find(order["clip"]) if order["clip"] else None
    if order["clip"] and clip is None:
        return _form(order, str(LoaxaError("clips.not_found", ref=order["clip"])), 400)
    zones = order["zones"] or list(panel().config.relays.zones)
    page = render_template("emergency_confirm.html", order=order, clip=clip, zones=zones)
    return page, 200


@blueprint.route("/phat", methods=["POST"])
@leadership
def start() -> Response | tuple[str, int]:
    order = _order()
    config, record, who = panel().config, auth.recorder(), auth.who()
    if daemon_status(config) is None:
        return _form(order, str(LoaxaError("control.no_daemon")), 409)
    if order["text"] and not order["clip"]:
        job = panel().jobs.start(
            lambda job: _read_then_air(job, config, order, who, record),
            owner=who, kind="emergency", title=order["reason"], lane=ALONE, language=language(),
        )  # fmt: skip
        return redirect(url_for("jobs.show", job_id=job.id), code=303)
    try:
        _air(config, order, order["clip"], who)
    except LoaxaError as refused:
        return _form(order, str(refused), 409)
    record("emergency", target=order["reason"], clip=order["clip"])
    notice("web.emergency.on_air", reason=order["reason"])
    return redirect(url_for("home.index"), code=303)


def _air(config: Config, order: dict[str, Any], clip: str, who: str) -> dict[str, Any]:
    zones: list[str] | str = order["zones"] or "all"
    return daemon(config).call(
        "emergency", clips=[clip], zones=zones, repeat=order["repeat"], reason=order["reason"],
        by=who,
    )  # fmt: skip


def _read_then_air(
    job: Job, config: Config, order: dict[str, Any], who: str, record: Any
) -> tuple[Said, dict[str, Any]]:
    job.tell("web.clips.stage.reading")
    now = datetime.now(config.timezone)
    title = f"Khẩn cấp {now:%d/%m/%Y %H:%M}"
    try:
        clip_id = say(config, order["text"], title=title).clip.id
    except LoaxaError as exc:
        if exc.key != "tts.duplicate":  # the same text, already read: that clip
            raise
        clip_id = str(exc.params["id"])
    job.tell("web.emergency.stage.starting")
    answer = _air(config, order, clip_id, who)
    record("emergency", target=order["reason"], clip=clip_id)
    key = "web.emergency.queued" if answer.get("queued") else "web.emergency.on_air"
    return Said(key, {"reason": order["reason"]}), {"clip": clip_id}
