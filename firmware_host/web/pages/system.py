"""Hệ thống (technician): the accounts, the audit log, the self-test and the config.

The self-test is ``loaxa selftest`` (:func:`firmware_host.selftest.run_selftest`) run by
a job whose questions ("did thon-1 click?") the technician answers on the page. It
drives the relays, so it is offered only while the broadcast daemon does not run: the
daemon holds the relays, and the page says so instead of fighting it.

A new or reset account's one-time password is shown once, on the page that answers the
form, and stored nowhere but as its hash. Removing an account asks first, on a page of
its own (it works without JavaScript). The account's name travels in the form, never in
the address, since a name may hold any printable character.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from firmware_host.config import default_text
from firmware_host.messages import CATALOG, LoaxaError, language, plural, t
from firmware_host.selftest import run_selftest
from firmware_host.web import auth
from firmware_host.web.i18n import notice
from firmware_host.web.jobs import ALONE, Job, Said
from firmware_host.web.state import daemon_status, panel
from firmware_host.web.users import NAME_MAX, ROLES

blueprint = Blueprint("system", __name__, url_prefix="/he-thong")
technician = auth.requires("ky-thuat")


def _actor() -> dict[str, str]:
    user = auth.current_user()
    assert user is not None  # the gate let only a technician in
    return {"by": user.name, "origin": request.remote_addr or "?"}


def _users_page(error: str | None = None, status: int = 200) -> tuple[str, int]:
    users = panel().users.list()
    return render_template("users.html", users=users, roles=ROLES, error=error), status


@blueprint.route("")
@technician
def index() -> tuple[str, int]:
    return _users_page()


@blueprint.route("/nguoi-dung/them", methods=["POST"])
@technician
def add() -> tuple[str, int]:
    name = request.form.get("name", "")[: NAME_MAX * 4]
    roles = request.form.getlist("roles")
    try:
        password = panel().users.add(name, roles, **_actor())
    except LoaxaError as refused:
        return _users_page(str(refused), 400)
    user = panel().users.get(name)
    return render_template("one_time.html", account=user, password=password, new=True), 200


@blueprint.route("/nguoi-dung/dat-lai", methods=["POST"])
@technician
def reset() -> tuple[str, int]:
    name = request.form.get("name", "")
    try:
        password = panel().users.reset(name, **_actor())
    except LoaxaError as refused:
        return _users_page(str(refused), 400)
    panel().backoff.forget(("name", name.strip().casefold()))
    user = panel().users.get(name)
    return render_template("one_time.html", account=user, password=password, new=False), 200


@blueprint.route("/nguoi-dung/xoa", methods=["GET", "POST"])
@technician
def remove() -> Response | tuple[str, int] | str:
    name = request.values.get("name", "")
    account = panel().users.get(name)
    if account is None:
        abort(404)
    if request.method == "GET":
        return render_template("remove.html", account=account)
    try:
        panel().users.remove(account.name, **_actor())
    except LoaxaError as refused:
        return _users_page(str(refused), 400)
    notice("web.users.removed", name=account.name)
    return redirect(url_for("system.index"), code=303)


@blueprint.route("/nhat-ky")
@technician
def audit() -> str:
    log = panel().users.audit
    months = log.months()
    month = request.args.get("thang") or (months[0] if months else "")
    entries = log.read(month) if month else []
    return render_template(
        "audit.html", months=months, month=month, entries=entries, audit_text=audit_text
    )


def audit_text(entry: dict[str, Any]) -> str:
    """One audit entry as a sentence ("An đã tạo tài khoản Bình (cán bộ)")."""
    detail = entry.get("detail") or {}
    key = f"web.audit.{entry['action']}"
    params = {"who": entry["who"], "target": entry.get("target", "")}
    if key not in CATALOG:  # written by a later version of the panel
        return f"{entry['who']}: {entry['action']} {params['target']}".strip()
    roles = detail.get("roles") or []
    roles_text = ", ".join(t(f"web.role.{r}") for r in roles if f"web.role.{r}" in CATALOG)
    # What the entry's sentence names beyond who and what (a clip's title, a reason):
    # an entry written before a detail existed still reads, with the detail blank.
    extra = {name: value for name, value in detail.items() if isinstance(value, str | int | float)}
    try:
        return t(key, **{"seconds": "", **extra, **params, "roles": roles_text})
    except KeyError:
        return f"{entry['who']}: {entry['action']} {params['target']}".strip()


# -- the self-test and the config ---------------------------------------------------------
@blueprint.route("/kiem-tra", methods=["GET", "POST"])
@technician
def checks() -> Response | str:
    config = panel().config
    status = daemon_status(config)
    if request.method == "GET" or status is not None:
        jobs = panel().jobs.of(auth.who(), "selftest")
        return render_template("checks.html", status=status, jobs=jobs)

    def work(job: Job) -> tuple[Said, dict[str, Any]]:
        found = run_selftest(
            config,
            confirm=lambda question: job.ask("web.refused", message=question),
            announce=lambda line: job.tell("web.refused", message=line),
        )
        lines = [
            {"ok": check.ok,
             "text": f"{'✔' if check.ok else '✘'} {t(f'selftest.{check.name}')}: {check.detail}"
             + (f" → {check.advice}" if check.advice and not check.ok else "")}
            for check in found
        ]  # fmt: skip
        failed = [check for check in found if not check.ok]
        if failed:
            verdict = Said("selftest.summary_fail", {"count": plural(len(failed), "check")})
        else:
            verdict = Said("selftest.summary_ok")
        return verdict, {"lines": lines}

    auth.record("selftest")
    job = panel().jobs.start(
        work, owner=auth.who(), kind="selftest", title=t("web.checks.title"), lane=ALONE,
        language=language(),
    )  # fmt: skip
    return redirect(url_for("jobs.show", job_id=job.id), code=303)


@blueprint.route("/cau-hinh")
@technician
def settings() -> str:
    config = panel().config
    source = config.source
    try:
        text = source.read_text("utf-8") if source is not None else default_text()
    except OSError as exc:
        text = str(exc)
    return render_template("settings.html", config=config, source=source, text=text)
