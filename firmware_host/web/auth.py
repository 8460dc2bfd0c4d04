"""Who is asking, and may they: sessions, the CSRF token, the login and role gate.

Closed by default: every view needs a logged-in user unless it is marked
:func:`public` (the login page, the language switch; static files are served before
this gate by Flask itself), and a view marked :func:`requires` needs that role too —
the nav is drawn from the same marks (:func:`allowed`), so it can never offer a page
the gate refuses. A user with a one-time password reaches nothing but the password
change and logout.

The session lives in Flask's signed cookie (HttpOnly, SameSite=Strict, Secure under
TLS; the key in ``DATA_DIR/web/secret``). It holds the user's name and the account's
*epoch*: a reset, a password change or a removal ends every older session on the next
request. It ends too after ``[web] session_minutes`` without a click, and after
:data:`SESSION_MAX_HOURS` whatever happens, so a phone left on a desk does not stay
logged in. The live parts of a page poll without counting as a click (:func:`passive`).

Every POST carries the session's CSRF token, in the form (``csrf``) or, for scripts,
the ``X-CSRF-Token`` header (an upload sends the header, so the gate never parses a
large body just to find the token); a POST without it is refused before its view runs.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, g, redirect, request, session, url_for
from werkzeug.exceptions import Forbidden
from werkzeug.wrappers import Response

from firmware_host.web.i18n import notice
from firmware_host.web.state import panel
from firmware_host.web.users import User, UserStore

SESSION_MAX_HOURS = 12
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# What a user holding a one-time password may still reach.
BEFORE_NEW_PASSWORD = frozenset({"login.password", "login.logout", "login.language"})

View = TypeVar("View", bound=Callable[..., Any])


class CsrfRefused(Forbidden):
    """A form that did not come from a page of this panel (or from an old session)."""

    message_key = "web.error.csrf"


def public(view: View) -> View:
    view.loaxa_public = True  # type: ignore[attr-defined]
    return view


def passive(view: View) -> View:
    """A request made by the page itself (a live status): it does not keep the
    session alive."""
    view.loaxa_passive = True  # type: ignore[attr-defined]
    return view


def requires(role: str) -> Callable[[View], View]:
    def mark(view: View) -> View:
        view.loaxa_role = role  # type: ignore[attr-defined]
        return view

    return mark


def allowed(user: User | None, endpoint: str) -> bool:
    """Whether *user* may open *endpoint* (False for endpoints that do not exist)."""
    view = current_app.view_functions.get(endpoint)
    if view is None:
        return False
    if getattr(view, "loaxa_public", False):
        return True
    role = getattr(view, "loaxa_role", None)
    return user is not None and (role is None or user.has(role))


def current_user() -> User | None:
    return g.get("user")


def who() -> str:
    """The logged-in user's name (the gate let only a logged-in user reach the view)."""
    user = current_user()
    assert user is not None
    return user.name


def recorder() -> Callable[..., None]:
    """``record(action, target=…, **detail)``: writes to the audit log in the name of the
    logged-in user and from their address, also later, from a job's thread."""
    audit, name, origin = panel().users.audit, who(), request.remote_addr or "?"

    def record_later(action: str, *, target: str | None = None, **detail: Any) -> None:
        audit.record(action, who=name, origin=origin, target=target, detail=detail)

    return record_later


def record(action: str, *, target: str | None = None, **detail: Any) -> None:
    """Write what the logged-in user just changed to the audit log (who, what, from where)."""
    recorder()(action, target=target, **detail)


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def start_session(user: User) -> None:
    """A fresh session for *user*: nothing of the anonymous one (its CSRF token
    included) survives the login."""
    session.clear()
    now = time.time()
    session.update(user=user.name, epoch=user.epoch, born=now, seen=now)
    session["csrf"] = secrets.token_urlsafe(32)
    session.permanent = True


def end_session() -> None:
    session.clear()


def _session_user(store: UserStore, idle_seconds: float) -> User | None:
    """The session's user, or None (and an emptied session) when it has ended."""
    name = session.get("user")
    if name is None:
        return None
    now = time.time()
    seen, born = session.get("seen", 0), session.get("born", 0)
    user = store.get(name)
    if now - seen > idle_seconds or now - born > SESSION_MAX_HOURS * 3600:
        end_session()
        notice("web.login.expired")
        return None
    if user is None or user.epoch != session.get("epoch"):
        end_session()
        notice("web.login.ended")
        return None
    return user


def _check_csrf() -> None:
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf", "")
    expected = session.get("csrf", "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRefused()


def gate() -> Response | None:
    """Run before every view (after the body limit): see the module doc."""
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None or request.endpoint == "static":  # Flask answers: file, 404 or 405
        return None
    store = panel().users
    g.user = _session_user(store, panel().config.web.session_minutes * 60)
    if getattr(view, "loaxa_public", False):
        if request.method in UNSAFE_METHODS:
            _check_csrf()
        return None
    user = current_user()
    if user is None:
        wanted = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("login.login", next=wanted), code=303)
    if not getattr(view, "loaxa_passive", False):
        session["seen"] = time.time()
    if user.must_change and request.endpoint not in BEFORE_NEW_PASSWORD:
        return redirect(url_for("login.password"), code=303)
    role = getattr(view, "loaxa_role", None)
    if role is not None and not user.has(role):
        raise Forbidden()
    if request.method in UNSAFE_METHODS:
        _check_csrf()
    return None
