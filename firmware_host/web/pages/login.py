"""Logging in and out, the password change, the language switch.

The login answers a wrong name and a wrong password with the same sentence, status and
(argon2) time, so it does not say which names exist. Failures slow the next try
(:mod:`~firmware_host.web.throttle`); while a wait runs, a try is refused without its
password being looked at. The audit log gets every checked failure, the moment an
account or address is locked for a minute or more, each login and each logout.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, make_response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from firmware_host.messages import LANGUAGES, LoaxaError, plural, t
from firmware_host.web import auth
from firmware_host.web.i18n import COOKIE, COOKIE_DAYS, notice
from firmware_host.web.state import panel
from firmware_host.web.users import NAME_MAX, PASSWORD_MAX

blueprint = Blueprint("login", __name__)
LOCK_NOTICE_SECONDS = 60  # from this wait on, the audit log says "locked"


def safe_next(target: str | None) -> str:
    """Where to go after the login or the switch: a path of this panel, never
    another site (``//evil``, ``https:``, ``\\\\evil``, ``/<tab>/evil``: browsers drop
    tabs and line breaks from an address, so no space or control character passes)."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and all(ch.isprintable() and not ch.isspace() for ch in target)
    ):
        return target
    return url_for("home.index")


def shown_name(typed: str) -> str:
    """A typed login name as the audit log keeps it: what cannot be seen (controls,
    bidi overrides, zero-width characters) becomes U+FFFD, so a list of failed logins
    never reads differently from what was typed."""
    return "".join(ch if ch.isprintable() else "\ufffd" for ch in typed.strip())[:NAME_MAX]


def _wait_text(seconds: float) -> tuple[str, str]:
    """("15 phút", "10:42") for a wait: how long, and until when (box time)."""
    whole = max(1, round(seconds))
    amount = plural(whole, "second") if whole < 120 else plural(round(whole / 60), "minute")
    until = datetime.now(panel().config.timezone) + timedelta(seconds=whole)
    return amount, until.strftime("%H:%M:%S")


def _refused_for(seconds: float) -> str:
    amount, until = _wait_text(seconds)
    key = "web.login.locked" if seconds >= LOCK_NOTICE_SECONDS else "web.login.wait"
    return t(key, wait=amount, until=until)


def _count_failure(keys: tuple, name: str, origin: str, *, checked: bool) -> float:
    state = panel()
    before = state.backoff.wait(*keys)
    wait = state.backoff.failed(*keys)
    if checked:
        state.users.audit.record("login.failed", who=name, origin=origin)
    if before < LOCK_NOTICE_SECONDS <= wait:
        detail = {"seconds": round(wait)}
        state.users.audit.record("login.locked", who=name, origin=origin, detail=detail)
    return wait


@blueprint.route("/dang-nhap", methods=["GET", "POST"])
@auth.public
def login() -> Response | tuple[str, int] | str:
    target = safe_next(request.values.get("next"))
    if auth.current_user() is not None and request.method == "GET":
        return redirect(target, code=303)
    if request.method == "GET":
        return render_template("login.html", name="", error=None, target=target)

    name = shown_name(request.form.get("name", ""))
    password = request.form.get("password", "")[: PASSWORD_MAX + 1]
    origin = request.remote_addr or "?"
    keys = (("name", name.casefold()), ("from", origin))
    state = panel()
    if state.backoff.wait(*keys) > 0:
        wait = _count_failure(keys, name, origin, checked=False)
        return _refused(name, target, _refused_for(wait), 429, wait)
    user = state.users.verify(name, password)
    if user is None:
        wait = _count_failure(keys, name, origin, checked=True)
        error = t("web.login.wrong") + (" " + _refused_for(wait) if wait > 0 else "")
        return _refused(name, target, error, 401, wait)
    state.backoff.forget(*keys)
    state.users.audit.record("login", who=user.name, origin=origin)
    auth.start_session(user)
    if user.must_change:
        return redirect(url_for("login.password"), code=303)
    return redirect(target, code=303)


def _refused(name: str, target: str, error: str, status: int, wait: float) -> Response:
    page = render_template("login.html", name=name, error=error, target=target)
    response = make_response(page, status)
    if wait > 0:
        response.headers["Retry-After"] = str(max(1, round(wait)))
    return response


@blueprint.route("/doi-mat-khau", methods=["GET", "POST"])
def password() -> Response | tuple[str, int] | str:
    user = auth.current_user()
    assert user is not None  # the gate let only a logged-in user in
    if request.method == "GET":
        return render_template("password.html", error=None)
    current = request.form.get("current", "")
    new = request.form.get("new", "")
    if new != request.form.get("repeat", ""):
        return render_template("password.html", error=t("web.password.mismatch")), 400
    try:
        changed = panel().users.change_password(
            user.name, current, new, origin=request.remote_addr or "?"
        )
    except LoaxaError as refused:
        return render_template("password.html", error=str(refused)), 400
    auth.start_session(changed)
    notice("web.password.changed")
    return redirect(url_for("home.index"), code=303)


@blueprint.route("/dang-xuat", methods=["POST"])
def logout() -> Response:
    user = auth.current_user()
    if user is not None:
        panel().users.audit.record("logout", who=user.name, origin=request.remote_addr or "?")
    auth.end_session()
    notice("web.login.logged_out")
    return redirect(url_for("login.login"), code=303)


@blueprint.route("/ngon-ngu", methods=["POST"])
@auth.public
def language() -> Response:
    response = redirect(safe_next(request.form.get("next")), code=303)
    chosen = request.form.get("lang", "")
    if chosen in LANGUAGES:
        response.set_cookie(
            COOKIE,
            chosen,
            max_age=COOKIE_DAYS * 24 * 3600,
            httponly=True,
            samesite="Strict",
            secure=panel().config.web.tls,
        )
    return response
