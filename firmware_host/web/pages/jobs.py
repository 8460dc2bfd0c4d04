"""A job's page: what a background job (an import, a text read aloud, an emergency read
aloud, the self-test) is doing, refreshed every second until its verdict, and the
questions it asks its owner. Only the person who started a job sees it: anyone else,
whatever their role, gets "not found"."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from firmware_host.web import auth
from firmware_host.web.jobs import Job
from firmware_host.web.state import panel

blueprint = Blueprint("jobs", __name__, url_prefix="/viec")
REFRESH_SECONDS = 1
BACK = {"import": "clips.index", "emergency": "home.index", "selftest": "system.checks"}


def _job(job_id: str) -> Job:
    job = panel().jobs.get(job_id, auth.who())
    if job is None:
        abort(404)
    return job


@blueprint.route("/<job_id>")
def show(job_id: str) -> str:
    job = _job(job_id)
    back = url_for(BACK[job.kind])
    return render_template("job.html", job=job, back=back, refresh_seconds=REFRESH_SECONDS)


@blueprint.route("/<job_id>/tien-do")
@auth.passive
def progress(job_id: str) -> str:
    job = _job(job_id)
    return render_template("job_status.html", job=job, back=url_for(BACK[job.kind]))


@blueprint.route("/<job_id>/tra-loi", methods=["POST"])
def answer(job_id: str) -> Response:
    job = _job(job_id)
    job.answer(request.form.get("answer") == "yes")
    return redirect(url_for("jobs.show", job_id=job.id), code=303)
