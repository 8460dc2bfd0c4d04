"""Nhật ký / Báo cáo (officer): the playback log of a month, filtered, and the month's
report to download in each format.

The log is read as ``loaxa log`` reads it (:class:`~firmware_host.logbook.playlog.PlayLog`,
the daemon's own month files); the report is made by ``loaxa report`` itself, in a
child process: the XLSX and DOCX writers (openpyxl, python-docx) would add some 16 MiB
to the panel for good, and the panel stays under 60 MiB. A month or a format that is
not one is simply not found: no address reaches another file.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, render_template, request, send_file
from werkzeug.wrappers import Response

from firmware_host.logbook.playlog import PlayLog
from firmware_host.messages import language
from firmware_host.report.service import FORMATS
from firmware_host.web import auth
from firmware_host.web.state import panel

blueprint = Blueprint("log", __name__, url_prefix="/nhat-ky")
officer = auth.requires("can-bo")
MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
PROBLEMS = ("failed", "missed", "interrupted", "preempted")
SHOWN_AT_MOST = 500  # sessions of a month on one page, newest first
REPORT_SECONDS = 120
# What can be downloaded: the report's formats, CSV being two files.
DOWNLOADS = {
    "xlsx": ("xlsx", ".xlsx"),
    "docx": ("docx", ".docx"),
    "json": ("json", ".json"),
    "csv-tong-hop": ("csv", " - tổng hợp.csv"),
    "csv-nhat-ky": ("csv", " - nhật ký.csv"),
}


def _log() -> PlayLog:
    config = panel().config
    return PlayLog(config.log_dir, config.timezone)


@blueprint.route("")
@officer
def index() -> str:
    log = _log()
    months = sorted(log.months(), reverse=True)
    now = datetime.now(panel().config.timezone)
    month = request.args.get("thang", "")
    if not MONTH.fullmatch(month):
        month = months[0] if months else now.strftime("%Y-%m")
    try:
        rows = [row for row in log.entries([month]) if row.get("kind") == "session"]
    finally:
        log.close()
    campaigns = sorted({row.get("campaign") or "" for row in rows} - {""})
    wanted = request.args.get("ket-qua", "")
    campaign = request.args.get("chien-dich", "")
    shown = [row for row in rows if _wanted(row, wanted, campaign)]
    shown.reverse()
    return render_template(
        "log.html",
        months=months,
        month=month,
        rows=shown[:SHOWN_AT_MOST],
        more=max(0, len(shown) - SHOWN_AT_MOST),
        total=len(rows),
        campaigns=campaigns,
        wanted=wanted,
        campaign=campaign,
        downloads=DOWNLOADS,
    )


def _wanted(row: dict[str, Any], wanted: str, campaign: str) -> bool:
    status = row.get("status")
    if wanted == "completed" and status != "completed":
        return False
    if wanted == "problems" and status not in PROBLEMS:
        return False
    return not campaign or row.get("campaign") == campaign


@blueprint.route("/bao-cao/<month>/<kind>")
@officer
def report(month: str, kind: str) -> Response | tuple[str, int]:
    if not MONTH.fullmatch(month) or kind not in DOWNLOADS:
        abort(404)
    fmt, suffix = DOWNLOADS[kind]
    assert fmt in FORMATS
    config = panel().config
    with tempfile.TemporaryDirectory(prefix="loaxa-report-") as out:
        command = [sys.executable, "-m", "firmware_host", "--lang", language(),
                   "--data-dir", str(config.data_dir)]  # fmt: skip
        if config.source is not None:
            command += ["--config", str(config.source)]
        command += ["report", "--month", month, "--format", fmt, "--out", out]
        made = subprocess.run(
            command, capture_output=True, text=True, timeout=REPORT_SECONDS, check=False
        )
        if made.returncode != 0:
            refusal = made.stderr.strip().splitlines()[-1:] or ["?"]
            page = render_template("error.html", code=400, message=refusal[0])
            return page, 400
        (path,) = [p for p in Path(out).iterdir() if p.name.endswith(suffix)]
        data = path.read_bytes()
    auth.record("report.download", target=path.name)
    return send_file(BytesIO(data), download_name=path.name, as_attachment=True, max_age=0)
