"""The panel as one WSGI application: settings, the guards in order, the pages.

A request meets, in this order: the reader's language, the size limit (413 before
anything is read), the login and role gate with the CSRF check (``auth.gate``), the
page's view, then the security headers. An exception in a view stays in that request:
it is logged and answered with a page that says so, and the next request is served as
if nothing happened.

Each page is a blueprint in :mod:`firmware_host.web.pages`, registered here.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from flask import Flask, g, render_template, request, url_for
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.wrappers import Response

from firmware_host import __version__
from firmware_host.config import Config
from firmware_host.messages import LoaxaError, plural, set_thread_language, t
from firmware_host.store import fsync_directory
from firmware_host.textout import dmy, format_seconds, hm
from firmware_host.web import auth, guard, i18n
from firmware_host.web.jobs import Jobs
from firmware_host.web.nav import visible_pages
from firmware_host.web.pages import (
    approval,
    clips,
    emergency,
    home,
    jobs,
    log,
    login,
    schedules,
    system,
)
from firmware_host.web.state import Panel
from firmware_host.web.throttle import Backoff
from firmware_host.web.users import UserStore

logger = logging.getLogger("loaxa.web")
PACKAGE = resources.files("firmware_host.web")
STATIC_MAX_AGE = timedelta(days=7)  # asset URLs carry a hash of the files: always fresh


def secret_key(path: Path) -> bytes:
    """The key that signs session cookies: made once, 0600, never replaced (replacing it
    would log everyone out). Two processes starting at once agree: the key is linked
    into place, which fails if the other one was first, and then theirs is read."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, secrets.token_bytes(32))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    fsync_directory(path.parent)
    return path.read_bytes()


def _asset_version() -> str:
    digest = hashlib.sha256()
    for item in sorted(PACKAGE.joinpath("static").iterdir(), key=lambda i: i.name):
        digest.update(item.name.encode() + item.read_bytes())
    return digest.hexdigest()[:12]


def create_app(config: Config) -> Flask:
    web = config.web
    app = Flask(
        "firmware_host.web",
        static_folder=str(PACKAGE.joinpath("static")),
        template_folder=str(PACKAGE.joinpath("templates")),
    )
    app.config.update(
        SECRET_KEY=secret_key(config.data_dir / "web" / "secret"),
        SESSION_COOKIE_NAME="loaxa_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=web.tls,
        # The cookie outlives the idle limit, which the gate enforces: so the reader is
        # told the session ended instead of meeting a login page without a word.
        PERMANENT_SESSION_LIFETIME=timedelta(hours=auth.SESSION_MAX_HOURS),
        MAX_CONTENT_LENGTH=web.max_upload_bytes,
        SEND_FILE_MAX_AGE_DEFAULT=STATIC_MAX_AGE,
    )
    app.jinja_env.autoescape = True  # every template, whatever its name
    app.extensions["loaxa"] = Panel(
        config=config,
        users=UserStore.for_data_dir(config.data_dir, config.timezone),
        backoff=Backoff(),
        jobs=Jobs(),
    )
    clips.clear_uploads(config.data_dir)
    app.wsgi_app = guard.count_chunked_bodies(  # type: ignore[method-assign]
        app.wsgi_app, web.max_upload_bytes
    )
    app.before_request(_speak_the_readers_language)
    app.before_request(guard.refuse_declared_oversize(web.max_upload_bytes))
    app.before_request(auth.gate)
    app.after_request(guard.add_headers)
    app.teardown_request(lambda _exc: set_thread_language(None))
    for page in (login, home, clips, schedules, approval, emergency, log, jobs, system):
        app.register_blueprint(page.blueprint)
    app.register_error_handler(HTTPException, _error_page)
    app.register_error_handler(LoaxaError, _refused)
    app.register_error_handler(Exception, _unexpected)
    version = _asset_version()
    app.context_processor(lambda: _page_context(config, version))
    return app


def _speak_the_readers_language() -> None:
    g.lang = i18n.language_of(request)
    set_thread_language(g.lang)


def _page_context(config: Config, asset_version: str) -> dict[str, Any]:
    user = auth.current_user()
    zone = config.timezone
    return {
        "t": t,
        "lang": g.get("lang", "vi"),
        "user": user,
        "nav": visible_pages(user),
        "badge": _badge,
        "csrf_token": auth.csrf_token,
        "commune": config.commune,
        "version": __version__,
        "asset": lambda name: url_for("static", filename=name, v=asset_version),
        "clock_time": lambda iso: i18n.clock_time(iso, zone),
        "day_and_time": lambda iso, year=True: i18n.day_and_time(iso, zone, year=year),
        "day_or_time": lambda iso: i18n.day_or_time(iso, zone),
        "duration": lambda seconds: format_seconds(seconds or 0),
        "status_label": i18n.status_text,
        "tier_label": i18n.tier_text,
        "byte_size": i18n.byte_size,
        "decimal": i18n.decimal,
        "dmy": dmy,
        "hm": hm,
        "weekdays": i18n.weekdays_text,
        "plural": plural,
        "take_notices": i18n.take_notices,
    }


def _badge(endpoint: str) -> int:
    """The number beside a page's name in the nav: the files waiting for approval."""
    return approval.waiting_count() if endpoint == "approval.index" else 0


ERROR_PAGES = (400, 403, 404, 405, 413, 500)  # web.error.<code>; other codes say 400's


def _error_page(error: HTTPException) -> tuple[str, int] | Response:
    code = error.code or 500
    if code < 400:  # a redirect raised as an exception
        return error.get_response()
    key = getattr(error, "message_key", None)
    key = key or f"web.error.{code if code in ERROR_PAGES else 400}"
    return render_template("error.html", code=code, message=t(key)), code


def _refused(error: LoaxaError) -> tuple[str, int]:
    """A library refusal no page expected (the accounts file unreadable): its own
    sentence, which says what to do, instead of a generic error."""
    logger.error("%s %s: %s", request.method, request.path, error)
    return render_template("error.html", code=500, message=str(error)), 500


def _unexpected(error: Exception) -> tuple[str, int]:
    logger.exception("%s %s failed", request.method, request.path)
    try:
        return render_template("error.html", code=500, message=t("web.error.500")), 500
    except Exception:  # the error page itself failed: plain words, still no traceback
        logger.exception("the error page failed too")
        return InternalServerError.description, 500
