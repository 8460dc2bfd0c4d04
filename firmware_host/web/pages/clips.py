"""Bài phát (officer): the clip library — listen, upload, read a text aloud, play now,
remove.

Everything goes through the library the command line uses (:class:`ClipLibrary`,
:func:`firmware_host.clips.tts.say`): the same checks, the same loudness, the same
refusals, in the reader's language. An upload is streamed to a folder of its own in
the data dir (never read whole into memory; ``[web] max_upload_mb`` is enforced before
the view by :mod:`~firmware_host.web.guard`), then imported by a background job
(:mod:`~firmware_host.web.jobs`) whose page shows each stage and how far it got, then
the verdict; the uploaded file is deleted either way. The browser sends the file as
the request's body with the ``X-CSRF-Token`` header (``static/panel.js``), so the
CSRF check never parses a large body and nothing is spooled by the server first.

"Nghe thử" reads a typed text into a WAV kept for its reader only (a token in their
session), through :func:`firmware_host.clips.tts.preview`: the words, voice and speed
the saved clip will have. Playing now asks the daemon (``play`` on the control
socket), which holds the relays.
"""

from __future__ import annotations

import secrets
import shutil
import time
import unicodedata
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from werkzeug.wrappers import Response

from firmware_host.clips import Clip, ClipLibrary
from firmware_host.clips.tts import MAX_TEXT_CHARACTERS, preview, say
from firmware_host.config import Config
from firmware_host.messages import LoaxaError, language, t
from firmware_host.schedules import schedule_files
from firmware_host.schedules.rules import BoxRules
from firmware_host.textout import format_seconds
from firmware_host.tiers import NORMAL, PRIORITY
from firmware_host.web import auth
from firmware_host.web.i18n import Figure, notice
from firmware_host.web.jobs import Job, Said
from firmware_host.web.state import daemon, panel

blueprint = Blueprint("clips", __name__, url_prefix="/bai-phat")
officer = auth.requires("can-bo")

UPLOADS = "uploads"  # under DATA_DIR/web: one folder per upload, removed after its import
PREVIEWS = "previews"  # under DATA_DIR/web: "nghe thử" WAVs, one per reader
PREVIEW_HOURS = 1
CHUNK = 64 * 1024
DISK_MARGIN = 50 * 1024 * 1024  # what an upload leaves free for the log and the import
NAME_MAX = 120
VOICES = ("vi", "vi-vn-x-central", "vi-vn-x-south", "vi+f3")  # espeak-ng's, named below
STAGES = {  # a stage of the import and the sentence for it
    "check": "web.clips.stage.check",
    "measure": "web.clips.stage.measure",
    "convert": "web.clips.stage.convert",
    "store": "web.clips.stage.store",
}


def _library() -> ClipLibrary:
    return ClipLibrary(panel().config)


def _clip(clip_id: str) -> Clip:
    """The clip whose id is exactly *clip_id* (never a title: an id travels in addresses)."""
    found = next((clip for clip in _library().clips() if clip.id == clip_id), None)
    if found is None:
        abort(404)
    return found


def work_folder(name: str) -> Path:
    return panel().config.data_dir / "web" / name


def clear_uploads(data_dir: Path) -> None:
    """Uploads a stopped panel left behind (their jobs died with it)."""
    shutil.rmtree(data_dir / "web" / UPLOADS, ignore_errors=True)


# -- the library -----------------------------------------------------------------------
@blueprint.route("")
@officer
def index() -> str:
    library = _library()
    clips = sorted(library.clips(), key=lambda clip: clip.imported_at, reverse=True)
    damaged = {
        clip.id: problem
        for clip in clips
        if clip.path.is_file() and (problem := library.check_stored(clip))
    }
    config = panel().config
    return render_template(
        "clips.html",
        clips=clips,
        damaged=damaged,
        target_lufs=config.audio.target_lufs,
        max_mb=config.web.max_upload_mb,
        jobs=panel().jobs.of(auth.who(), "import"),
    )


@blueprint.route("/<clip_id>/nghe")
@officer
def listen(clip_id: str) -> Response:
    clip = _clip(clip_id)
    if not clip.path.is_file():
        abort(404)
    return send_file(clip.path, mimetype="audio/wav", conditional=True, max_age=0)


@blueprint.route("/<clip_id>/xoa", methods=["GET", "POST"])
@officer
def remove(clip_id: str) -> Response | str:
    clip = _clip(clip_id)
    if request.method == "GET":
        return render_template("clip_remove.html", clip=clip, used_by=_used_by(clip))
    try:
        _library().remove(clip.id)
    except LoaxaError as refused:
        notice("web.refused", error=True, message=str(refused))
    else:
        auth.record("clip.remove", target=clip.title, id=clip.id)
        notice("web.clips.removed", title=clip.title)
    return redirect(url_for("clips.index"), code=303)


def _used_by(clip: Clip) -> list[str]:
    """The campaigns whose slots name *clip* (they are refused once it is gone)."""
    config = panel().config
    rules = BoxRules.of(config, _library().refs())
    schedules, _problems = rules.check(schedule_files(config.scheduler.schedules_dir))
    return sorted(
        {
            schedule.campaign
            for schedule in schedules
            for slot in schedule.slots
            if clip.id in slot.playlist or clip.title in slot.playlist
        }
    )


# -- playing now -------------------------------------------------------------------------
@blueprint.route("/<clip_id>/phat", methods=["GET", "POST"])
@officer
def play(clip_id: str) -> Response | str:
    clip = _clip(clip_id)
    zones = panel().config.relays.zones
    if request.method == "GET":
        return render_template("clip_play.html", clip=clip, zones=zones, tiers=(NORMAL, PRIORITY))
    chosen = request.form.getlist("zones") or "all"
    tier = request.form.get("tier", NORMAL)
    try:
        repeat = int(request.form.get("repeat", "1"))
    except ValueError:
        repeat = 0  # refused by the daemon's own check, in its own words
    try:
        answer = daemon(panel().config).call(
            "play", clips=[clip.id], zones=chosen, repeat=repeat, gap_seconds=5.0, tier=tier,
            by=auth.who(),
        )  # fmt: skip
    except LoaxaError as refused:
        notice("web.refused", error=True, message=str(refused))
        return redirect(url_for("clips.play", clip_id=clip.id), code=303)
    auth.record("broadcast.play", target=clip.title, zones=_zones_text(chosen))
    notice("web.clips.queued" if answer.get("queued") else "web.clips.on_air", title=clip.title)
    return redirect(url_for("home.index"), code=303)


def _zones_text(chosen: list[str] | str) -> str:
    return ", ".join(chosen) if isinstance(chosen, list) else chosen


# -- uploading ----------------------------------------------------------------------------
def upload_name(given: str) -> str:
    """The officer's file name, made safe to be a file name here: its last part only,
    no hidden characters, at most :data:`NAME_MAX` characters (the import shows it)."""
    name = unicodedata.normalize("NFC", given.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(ch for ch in name if ch.isprintable()).strip().lstrip(".")
    if len(name) > NAME_MAX:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[: NAME_MAX - 8] + dot + suffix[:7]) if dot else name[:NAME_MAX]
    return name or "bai-phat"


@blueprint.route("/tai-len", methods=["POST"])
@officer
def upload() -> tuple[Response, int]:
    """The file is the body (``panel.js`` sends it); name, title and language are in
    the address. Answers JSON: the job's page, or the refusal in the reader's words."""
    if request.mimetype.startswith(("multipart/", "application/x-www-form-urlencoded")):
        return jsonify(error=str(LoaxaError("web.clips.needs_script"))), 400
    config = panel().config
    needed = (request.content_length or 0) + DISK_MARGIN
    if shutil.disk_usage(config.data_dir).free < needed:
        refused = LoaxaError("web.clips.no_space", size=round(needed / 2**20))
        return jsonify(error=str(refused)), 507
    folder = work_folder(UPLOADS) / secrets.token_hex(8)
    folder.mkdir(mode=0o700, parents=True)
    path = folder / upload_name(request.args.get("tep", ""))
    try:
        with path.open("xb") as out:
            while chunk := request.stream.read(CHUNK):
                out.write(chunk)
    except BaseException:  # cut short, over the limit, disk full: nothing stays
        shutil.rmtree(folder, ignore_errors=True)
        raise
    title = request.args.get("ten", "").strip() or None
    clip_language = request.args.get("tieng", "vi").strip() or "vi"
    config, record = panel().config, auth.recorder()

    def work(job: Job) -> tuple[Said, dict[str, Any]]:
        try:
            clip = ClipLibrary(config).import_file(
                path,
                title=title,
                language=clip_language,
                progress=lambda stage, part: job.tell(STAGES[stage], part),
            )
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        record("clip.import", target=clip.title, id=clip.id)
        return stored(config, clip), {"clip": clip.id}

    job = panel().jobs.start(
        work, owner=auth.who(), kind="import", title=title or path.name, language=language()
    )
    return jsonify(job=url_for("jobs.show", job_id=job.id)), 202


def stored(config: Config, clip: Clip) -> Said:
    """The verdict of a clip stored: its title, length, and how loud it was before."""
    before = "?" if clip.input_lufs is None else Figure(clip.input_lufs)
    return Said(
        "web.clips.imported",
        {"title": clip.title, "id": clip.id, "duration": format_seconds(clip.duration),
         "before": before, "after": Figure(config.audio.target_lufs)},
    )  # fmt: skip


# -- reading a text aloud -------------------------------------------------------------------
SPEEDS = ("0.8", "0.9", "1.0", "1.1", "1.2", "1.3")


def _say_form() -> dict[str, Any]:
    form = request.form
    return {
        "text": form.get("text", "")[: MAX_TEXT_CHARACTERS + 1],
        "title": form.get("title", "").strip(),
        "voice": form.get("voice") or panel().config.tts.voice,
        "speed": form.get("speed") or f"{panel().config.tts.speed:.1f}",
    }


def _speed(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return -1.0  # refused by the library's own check, in its own words


@blueprint.route("/doc-van-ban", methods=["GET", "POST"])
@officer
def read_aloud() -> Response | str | tuple[str, int]:
    config = panel().config
    values = _say_form() if request.method == "POST" else {
        "text": "", "title": "", "voice": config.tts.voice, "speed": f"{config.tts.speed:.1f}",
    }  # fmt: skip
    voices = [(voice, t(f"web.say.voice.{voice}")) for voice in VOICES]
    if config.tts.voice not in VOICES:  # the commune's own choice in [tts]
        voices.insert(0, (config.tts.voice, config.tts.voice))
    page = {"values": values, "voices": voices, "speeds": SPEEDS, "most": MAX_TEXT_CHARACTERS}
    if request.method == "GET":
        return render_template("say.html", **page)
    if request.form.get("action") == "save":
        return _save(values, page)
    token = secrets.token_urlsafe(12)
    folder = work_folder(PREVIEWS)
    _forget_previews(folder)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        heard = preview(
            config, values["text"], folder / f"{token}.wav",
            voice=values["voice"], speed=_speed(values["speed"]),
        )  # fmt: skip
    except LoaxaError as refused:
        return render_template("say.html", **page, error=str(refused)), 400
    session["preview"] = token
    return render_template("say.html", **page, heard=heard, token=token)


def _save(values: dict[str, Any], page: dict[str, Any]) -> Response | tuple[str, int]:
    if not values["title"]:
        return render_template("say.html", **page, error=str(LoaxaError("web.clips.no_title"))), 400
    config, record = panel().config, auth.recorder()

    def work(job: Job) -> tuple[Said, dict[str, Any]]:
        job.tell("web.clips.stage.reading")
        result = say(
            config, values["text"], title=values["title"],
            voice=values["voice"], speed=_speed(values["speed"]),
        )  # fmt: skip
        for note in result.notes:
            job.note("web.refused", message=note)
        record("clip.say", target=result.clip.title, id=result.clip.id)
        return stored(config, result.clip), {"clip": result.clip.id}

    job = panel().jobs.start(
        work, owner=auth.who(), kind="import", title=values["title"], language=language()
    )
    return redirect(url_for("jobs.show", job_id=job.id), code=303)


def _forget_previews(folder: Path) -> None:
    """Delete the previews older than :data:`PREVIEW_HOURS`, and the reader's last one."""
    if not folder.is_dir():
        return
    mine = session.get("preview")
    oldest = time.time() - PREVIEW_HOURS * 3600
    for wav in folder.glob("*.wav"):
        if wav.stem == mine or wav.stat().st_mtime < oldest:
            wav.unlink(missing_ok=True)


@blueprint.route("/nghe-thu/<token>")
@officer
def preview_audio(token: str) -> Response:
    """The reader's own preview; anyone else's token, or an old one, is not found."""
    if token != session.get("preview"):
        abort(404)
    wav = work_folder(PREVIEWS) / f"{token}.wav"
    if not wav.is_file():
        abort(404)
    return send_file(wav, mimetype="audio/wav", conditional=True, max_age=0)
