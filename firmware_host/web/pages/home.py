"""Trang chủ: what the box is doing, from the daemon's own status.

The page is drawn on the server with the status of the moment; its live part is the
same fragment fetched again every few seconds by ``static/panel.js`` (without it the
page still shows the status as it was when loaded). When the daemon does not answer,
the page says so and everything else of the panel keeps working.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from firmware_host.web import auth
from firmware_host.web.state import daemon_status, panel

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
