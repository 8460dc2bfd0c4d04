"""Trang chủ: what the box is doing, from the daemon's own status; the red "Dừng phát"
button, and the clock's confirmation when the box cannot trust its time.

The page is drawn on the server with the status of the moment; its live part is the
same fragment fetched again every few seconds by ``static/panel.js`` (without it the
page still shows the status as it was when loaded). When the daemon does not answer,
the page says so and everything else of the panel keeps working.

Stopping goes to the daemon (it holds the relays: ``stop`` on the control socket); the
clock's confirmation is the file ``loaxa clock confirm`` writes, which the daemon reads
before every session. Anyone logged in may do either: both make the box safer, and
the audit log says who did.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from werkzeug.wrappers import Response

from firmware_host.clock import ClockKeeper
from firmware_host.messages import LoaxaError
from firmware_host.web import auth
from firmware_host.web.i18n import notice
from firmware_host.web.state import daemon, daemon_status, panel

blueprint = Blueprint("home", __name__)
REFRESH_SECONDS = 5


@blueprint.route("/")
def index() -> str:
    status = daemon_status(panel().config)
    return render_template("home.html", status=status, refresh_seconds=REFRESH_SECONDS)


@blueprint.route("/trang-thai")
@auth.passive
def status() -> str:
    return render_template("status.html", status=daemon_status(panel().config))


@blueprint.route("/dung-phat", methods=["POST"])
def stop() -> Response:
    try:
        answer = daemon(panel().config).call("stop", by=auth.who())
    except LoaxaError as refused:
        notice("web.refused", error=True, message=str(refused))
    else:
        stopped = bool(answer.get("stopped"))
        auth.record("broadcast.stop", stopped=int(stopped))
        notice("web.home.stopped" if stopped else "web.home.nothing_to_stop")
    return redirect(url_for("home.index"), code=303)


@blueprint.route("/xac-nhan-gio", methods=["POST"])
def confirm_clock() -> Response:
    config = panel().config
    clock = ClockKeeper(config.data_dir, config.timezone)
    now = clock.now()
    clock.confirm()
    shown = now.strftime("%d/%m/%Y %H:%M")
    if not clock.confirmation.valid():  # the boot's id could not be read
        notice("web.home.clock_not_confirmed", error=True)
    else:
        auth.record("clock.confirm", time=shown)
        notice("web.home.clock_confirmed", time=shown)
    return redirect(url_for("home.index"), code=303)
