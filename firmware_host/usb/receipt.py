"""Step 3 of a sync: the receipt the officer reads in Notepad, and the journal lines."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from firmware_host.config import Config
from firmware_host.messages import t
from firmware_host.textout import dmy
from firmware_host.usb.result import PLAN_DAYS, RECEIPT_NAME, Entry, SyncResult
from firmware_host.usb.writer import error_detail

logger = logging.getLogger("loaxa.usb")


def receipt_name(moment: datetime) -> str:
    """The receipt's file name for a sync at *moment*."""
    from firmware_host.report.names import safe_file_name

    return safe_file_name(RECEIPT_NAME.format(moment=moment))


# ---------------------------------------------------------------------- 3. receipt


def plan_lines(config: Config, moment: datetime) -> list[str]:
    """The sessions still to come in the 7 days from *moment*, like ``loaxa schedule
    show``: not this morning's, already played; seconds shown when a slot has them.
    Files that wait for approval come first, saying so."""
    from firmware_host.clips import ClipLibrary
    from firmware_host.schedules import schedule_files
    from firmware_host.schedules.rules import BoxRules

    first = moment.date()
    try:
        library = ClipLibrary(config)
        rules = BoxRules.of(config, library.refs(), library.versions())
        installed = rules.installed(schedule_files(config.scheduler.schedules_dir), None)
        sessions = rules.plan(installed.schedules, first, first + timedelta(days=PLAN_DAYS - 1))
        titles = {clip.id: clip.title for clip in library.clips()}
    except Exception as exc:  # the box's own files, or a bug: the receipt still goes out
        return [t("usb.plan_failed", detail=error_detail(exc))]
    # Files waiting for the leadership's approval do not air: said first.
    lines = [
        t("usb.plan_waiting", file=name, status=status.describe())
        for name, status in installed.waiting.items()
    ]
    for session in sessions:
        if session.at < moment:
            continue
        clips = ", ".join(titles.get(ref, ref) for ref in session.playlist)
        if session.repeat > 1:
            clips += f" ×{session.repeat}"
        lines.append(
            t(
                "usb.plan_line",
                day=t(f"weekday.{session.at.weekday()}"),
                date=dmy(session.at.date()),
                time=session.at.strftime("%H:%M:%S" if session.at.second else "%H:%M"),
                campaign=session.campaign,
                slot=session.slot,
                clips=clips,
                zones=", ".join(session.zones),
            )
        )
    return lines


def render_receipt(config: Config, result: SyncResult) -> str:
    """The receipt as text (LF line ends; :func:`notepad_bytes` makes it Notepad's)."""
    moment = result.started
    out = [
        t("usb.receipt_title"),
        ", ".join(
            filter(
                None,
                (
                    config.commune.name,
                    config.commune.station and f"trạm {config.commune.station}",
                    config.commune.province,
                ),
            )
        ),
        t("usb.receipt_time", time=moment.strftime("%d/%m/%Y %H:%M:%S")),
    ]
    if result.dry_run:
        out.append(t("usb.dry_run"))
    rule = "=" * 60

    def section(title: str, lines: list[str], empty: str) -> None:
        out.extend(["", rule, title, rule])
        out.extend(lines or [empty])

    def entries(items: list[Entry]) -> list[str]:
        lines = []
        for item in items:
            first, *rest = item.message.split("\n")
            lines.append(f"  - {first}")
            lines.extend(f"      {line}" for line in rest)
        return lines

    exported = []
    export_root = result.export_dir or result.stick
    for path in result.exported:
        try:
            exported.append("  - " + path.relative_to(export_root).as_posix())
        except ValueError:
            exported.append(f"  - {path}")
    section(
        t("usb.section_exported", folder=config.usb.export_folder),
        exported,
        "  " + t("usb.nothing_exported"),
    )
    section(
        t("usb.section_imported", folder=config.usb.import_folder),
        entries(result.imported) + entries(result.already),
        "  " + t("usb.nothing_imported"),
    )
    section(
        t("usb.section_refused"),
        entries(result.refused) + entries(result.ignored),
        "  " + t("usb.nothing_refused"),
    )
    if result.notes or result.stick_problems:
        section(
            t("usb.section_notes"),
            [f"  - {line}" for line in [*result.stick_problems, *result.notes]],
            "",
        )
    last = moment.date() + timedelta(days=PLAN_DAYS - 1)
    section(
        t("usb.section_plan", first=dmy(moment.date()), last=dmy(last)),
        [f"  {line}" for line in result.plan],
        "  " + t("usb.plan_empty"),
    )
    out.extend(["", rule, t("usb.safe_to_remove")])
    if config.usb.status_led_pin is not None:
        out.append(t("usb.led_legend"))
    return "\n".join(out) + "\n"


def notepad_bytes(text: str) -> bytes:
    """UTF-8 with BOM and CRLF: how Windows Notepad (even before 2019) reads it right."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8-sig")


def log_result(result: SyncResult) -> None:
    """The system log gets the summary always, and every line when there is no receipt."""
    for problem in result.stick_problems:
        logger.error(problem)
    if result.receipt is None:
        level = logging.INFO if result.dry_run else logging.WARNING
        if not result.dry_run:
            logger.error(t("usb.receipt_failed", path=result.stick))
        for item in [*result.imported, *result.already, *result.refused, *result.ignored]:
            logger.log(level, "%s: %s", item.name, item.message)
    else:
        logger.info(t("usb.receipt_written", path=result.receipt))
    logger.info(
        t(
            "usb.summary",
            exported=len(result.exported),
            imported=len(result.imported),
            refused=len(result.refused),
        )
    )
