"""What the box does with a bulletin from the province, and what it tells the province back.

Each bulletin is checked by :func:`firmware_host.link.bulletins.verify` (signature by a
key of ``[link] province_keys``, addressed to this box, valid now, not seen before). A
refusal is logged (an ``event`` entry of the log, so the province receives it with the
log too) and acknowledged ``refused`` with its reason, except one case: a bulletin on
the province-wide topic that names other communes. ``loaxa province send`` puts a
bulletin for some communes on those boxes' own topics and only a bulletin for every box
on the province-wide one, so such a message is someone else's mistake; 3,500 boxes each
logging and acknowledging it would flood the province with refusals of nothing, so it
is only noted in the link's own journal.

An accepted bulletin's id is recorded as seen *before* anything is done with it (a
restart mid-way never airs it twice), then it is logged and acknowledged ``received``:

* **khẩn cấp** (emergency): the clip is imported into the library (a clip in the
  message, a file downloaded over https and checked against its sha256, or a text read
  by text-to-speech) and handed to the daemon's ``emergency`` operation, which cuts what
  is on air. If the daemon is not running, the link tries again every few seconds until
  the bulletin expires, then acknowledges ``refused`` (``no_daemon``).
* **thông thường / ưu tiên** (normal, priority): a campaign file in the schedules folder,
  ``tinh-<id>.toml``, written atomically with its ``tier``, for the dates of the
  validity window on which every session of it fits inside the window; then checked
  exactly as ``loaxa schedule check`` checks it. A refused file is removed and the
  bulletin acknowledged ``refused`` with the check's sentences; otherwise ``scheduled``.

Then the log is watched: each session of the bulletin that ends is acknowledged ``aired``
(completed) or ``failed`` (anything else) with its log entry (month and id), which the
province also receives through the log itself. What is pending survives a restart
(``DATA_DIR/link/bulletins.json``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import ssl
import tempfile
import urllib.request
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from firmware_host.canonical import parse
from firmware_host.config import Config
from firmware_host.control import ControlClient
from firmware_host.link import bulletins, wire
from firmware_host.link.box.outbox import link_dir
from firmware_host.link.bulletins import BoxIdentity, Bulletin, Refused
from firmware_host.link.seen import SeenIds
from firmware_host.logbook.playlog import PlayLog
from firmware_host.messages import LoaxaError, error_text, t
from firmware_host.store import write_atomically

logger = logging.getLogger("loaxa.link")

STATE_NAME = "bulletins.json"
SEEN_NAME = "seen.json"
RETRY_SECONDS = 5.0
WATCH_AFTER_EXPIRY = timedelta(hours=6)  # a session started just before the end may end after
DOWNLOAD_TIMEOUT = 60.0
CAMPAIGN_PREFIX = "tinh-"
TOML_DAYS = "hằng ngày"

Ack = Callable[[dict[str, Any]], None]


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


class Desk:
    def __init__(
        self,
        config: Config,
        box: BoxIdentity,
        log: PlayLog,
        send_ack: Ack,
        *,
        control: ControlClient | None = None,
    ) -> None:
        self.config = config
        self.box = box
        self.log = log
        self.send_ack = send_ack
        self.control = control or ControlClient(config.data_dir)
        folder = link_dir(config.data_dir)
        self.seen = SeenIds(folder / SEEN_NAME)
        self.state_path = folder / STATE_NAME
        self.pending: dict[str, dict[str, Any]] = self._load()
        self._log_mark: tuple[Any, ...] = ()
        self._next_try = 0.0

    # -- what is kept between runs -----------------------------------------------------------
    def _load(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.state_path.read_text("utf-8"))
            return {str(k): dict(v) for k, v in data["bulletins"].items()}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
            logger.error(t("link.state_unreadable", path=self.state_path, detail=exc))
            return {}

    def _save(self) -> None:
        data = {"v": 1, "bulletins": self.pending}
        write_atomically(self.state_path, json.dumps(data, ensure_ascii=False).encode("utf-8"))

    def problems(self) -> list[str]:
        return [str(self.seen.problem)] if self.seen.problem else []

    # -- a message arrives -------------------------------------------------------------------
    def receive(self, topic: str, payload: bytes, now: datetime) -> None:
        """Check, record, log, acknowledge and act on one bulletin; never raises."""
        try:
            self._receive(topic, payload, now)
        except Exception:  # one bulletin's fault stays that bulletin's
            logger.exception("bulletin on %s", topic)

    def _receive(self, topic: str, payload: bytes, now: datetime) -> None:
        verdict = bulletins.verify(
            payload,
            self.config.link.province_keys,
            box_identity=self.box,
            now=now,
            seen_ids=self.seen,
        )
        if isinstance(verdict, Refused):
            self._refused(topic, payload, verdict, now)
            return
        bulletin = verdict.bulletin
        self.seen.add(bulletin.id, bulletin.valid_until, now=now)  # before anything else
        self.pending[bulletin.id] = {
            "tier": bulletin.tier,
            "title": bulletin.title,
            "valid_until": iso(bulletin.valid_until),
            "state": "received",
            "acked": [],
        }
        self._save()
        self._log_event(
            "bulletin_received",
            now,
            t(
                "link.bulletin_received",
                id=bulletin.id,
                title=bulletin.title,
                issuer=bulletin.issuer,
                tier=t(f"link.tier.{bulletin.tier}"),
            ),
        )
        self._ack(bulletin.id, "received", now)
        try:
            if bulletin.tier == "khan-cap":
                self._emergency(bulletin, now)
            else:
                self._campaign(bulletin, now)
        except LoaxaError as exc:
            self._give_up(bulletin.id, "not_usable", str(exc), now)
        except OSError as exc:  # a full card, an unwritable schedules folder
            self._give_up(bulletin.id, "not_usable", str(error_text(exc)), now)

    def _refused(self, topic: str, payload: bytes, refused: Refused, now: datetime) -> None:
        message = refused.message()
        if topic == wire.BROADCAST and refused.reason == "not_for_this_box":
            logger.info(message)
            return
        bulletin_id = _claimed_id(payload)
        self._log_event("bulletin_refused", now, f"{bulletin_id or '?'}: {message}")
        self._ack(bulletin_id, "refused", now, reason=refused.reason, message=message)

    def _give_up(self, bulletin_id: str, reason: str, message: str, now: datetime) -> None:
        self.pending.pop(bulletin_id, None)
        self._save()
        self._log_event("bulletin_refused", now, f"{bulletin_id}: {message}")
        self._ack(bulletin_id, "refused", now, reason=reason, message=message)

    def _ack(self, bulletin_id: str | None, state: str, now: datetime, **details: Any) -> None:
        self.send_ack(wire.bulletin_ack(self.box, bulletin_id or "", state, iso(now), **details))

    def _log_event(self, event: str, now: datetime, note: str) -> None:
        try:
            self.log.record_event(event, at=now, note=note)
        except OSError as exc:
            logger.error(t("log.write_failed", detail=exc))

    # -- emergency ----------------------------------------------------------------------------
    def _emergency(self, bulletin: Bulletin, now: datetime) -> None:
        clip = self._clip(bulletin)
        record = self.pending[bulletin.id]
        record |= {
            "action": "emergency",
            "clip": clip,
            "zones": "all" if bulletin.zones == "all" else list(bulletin.zones),
            "repeat": bulletin.repeat,
            "reason": f"{bulletin.title} [{bulletin.id}]",
            "by": bulletin.issuer,
            "state": "to_air",
        }
        self._save()
        self._try_emergency(bulletin.id, now)

    def _try_emergency(self, bulletin_id: str, now: datetime) -> None:
        record = self.pending[bulletin_id]
        try:
            answer = self.control.call(
                "emergency",
                clips=[record["clip"]],
                zones=record["zones"],
                repeat=record["repeat"],
                reason=record["reason"],
                by=record["by"],
            )
        except LoaxaError as exc:
            if exc.key == "control.no_daemon":
                if now >= datetime.fromisoformat(record["valid_until"]):
                    self._give_up(bulletin_id, "no_daemon", str(exc), now)
                return  # tried again at the next tick
            self._give_up(bulletin_id, "daemon_refused", str(exc), now)
            return
        record["state"] = "on_air"
        record["session_id"] = answer.get("session_id")
        record["asked_at"] = iso(now)
        self._save()

    # -- normal and priority: a campaign file ----------------------------------------------------
    def _campaign(self, bulletin: Bulletin, now: datetime) -> None:
        from firmware_host.clips import ClipLibrary
        from firmware_host.schedules import schedule_files
        from firmware_host.schedules.rules import BoxRules

        clip = self._clip(bulletin)
        library = ClipLibrary(self.config)
        duration = library.refs().get(clip, 0.0)
        days = airing_days(bulletin, self.config, duration)
        if not days:
            self._give_up(bulletin.id, "window", t("link.window_too_short"), now)
            return
        folder = self.config.scheduler.schedules_dir
        path = folder / f"{CAMPAIGN_PREFIX}{bulletin.id}.toml"
        write_atomically(path, campaign_text(bulletin, clip, days[0], days[-1]).encode("utf-8"))
        rules = BoxRules.of(self.config, library.refs())
        installed = rules.installed(schedule_files(folder), None)
        errors = [
            p
            for p in installed.problems
            if p.severity == "error" and Path(p.file).name == path.name
        ]
        if errors:
            path.unlink(missing_ok=True)
            self._give_up(bulletin.id, "schedule_refused", " ".join(str(p) for p in errors), now)
            return
        record = self.pending[bulletin.id]
        record |= {"action": "campaign", "file": path.name, "state": "scheduled"}
        self._save()
        self._log_event(
            "bulletin_scheduled",
            now,
            t(
                "link.bulletin_scheduled",
                id=bulletin.id,
                file=path.name,
                first=days[0].strftime("%d/%m/%Y"),
                last=days[-1].strftime("%d/%m/%Y"),
            ),
        )
        self._ack(
            bulletin.id,
            "scheduled",
            now,
            file=path.name,
            first_day=days[0].isoformat(),
            last_day=days[-1].isoformat(),
            times=[f"{moment:%H:%M}" for moment in bulletin.times],
        )
        with contextlib.suppress(LoaxaError):
            self.control.call("reload", by=bulletin.issuer)  # else the daemon finds it itself

    # -- the clip ------------------------------------------------------------------------------
    def _clip(self, bulletin: Bulletin) -> str:
        """The bulletin's audio as a clip of the library (its id); LoaxaError if refused."""
        from firmware_host.clips import ClipLibrary

        content = bulletin.content
        if isinstance(content, bulletins.TextContent):
            from firmware_host.clips.tts import say

            return say(
                self.config, content.text, title=bulletin.title, language=content.language
            ).clip.id
        library = ClipLibrary(self.config)
        with tempfile.TemporaryDirectory(
            prefix="loaxa-bulletin-", dir=link_dir(self.config.data_dir)
        ) as work:
            source = Path(work) / f"{bulletin.id}.{content.format}"
            if isinstance(content, bulletins.ClipContent):
                source.write_bytes(content.data)
            else:
                download(content, source)
            try:
                return library.import_file(source, title=bulletin.title).id
            except LoaxaError as exc:
                if exc.key == "clips.duplicate":
                    return str(exc.params["id"])
                raise

    # -- time passes ---------------------------------------------------------------------------
    def tick(self, now: datetime, monotonic: float) -> None:
        """Retry emergencies waiting for the daemon; acknowledge sessions that ended."""
        try:
            if monotonic >= self._next_try:
                self._next_try = monotonic + RETRY_SECONDS
                for bulletin_id, record in list(self.pending.items()):
                    if record.get("state") == "to_air":
                        self._try_emergency(bulletin_id, now)
            self._watch_log(now)
        except Exception:
            logger.exception("bulletin housekeeping")

    def _watch_log(self, now: datetime) -> None:
        watched = {
            k: v for k, v in self.pending.items() if v.get("state") in ("on_air", "scheduled")
        }
        if not watched:
            return
        months = sorted({self.log.month_of(now - timedelta(days=31)), self.log.month_of(now)})
        mark = tuple(
            (p.stat().st_mtime_ns, p.stat().st_size) if p.exists() else None
            for p in (self.log.log_dir / f"{m}.json" for m in months)
        )
        if mark == self._log_mark:
            return
        self._log_mark = mark
        changed = False
        for row in self.log.entries(months):
            if row.get("kind") != "session" or row.get("status") in (None, "started"):
                continue
            for bulletin_id, record in watched.items():
                if not _belongs(row, record):
                    continue
                key = f"{row['month']}/{row['entry']}"
                if key in record["acked"]:
                    continue
                record["acked"].append(key)
                changed = True
                state = "aired" if row["status"] == "completed" else "failed"
                self._ack(
                    bulletin_id,
                    state,
                    now,
                    entry={
                        "month": row["month"],
                        "entry": row["entry"],
                        "status": row["status"],
                        "session_id": row.get("session_id"),
                        "started": row.get("started"),
                        "seconds": row.get("seconds"),
                        "error": row.get("error"),
                    },
                )
                if record.get("action") == "emergency":
                    record["state"] = "done"
        for bulletin_id, record in list(self.pending.items()):
            until = datetime.fromisoformat(record["valid_until"])
            if record.get("state") == "done" or now > until + WATCH_AFTER_EXPIRY:
                del self.pending[bulletin_id]
                changed = True
        if changed:
            self._save()


def _belongs(row: Mapping[str, Any], record: Mapping[str, Any]) -> bool:
    """Whether a session entry is one of the bulletin's airings."""
    if record.get("action") == "campaign":
        return str(row.get("plan_key") or "").startswith(f"{record['file']}#")
    if record.get("session_id"):
        return row.get("session_id") == record["session_id"]
    # queued behind another emergency: the daemon gave no session id; its entry carries
    # the reason the link gave, which names the bulletin
    started = row.get("started") or ""
    return record["reason"] in json.dumps(row, ensure_ascii=False) and started >= record.get(
        "asked_at", ""
    )


def _claimed_id(payload: bytes) -> str | None:
    """The id a refused message says it has, for the refusal ack (never trusted further)."""
    try:
        value = parse(payload).get("id") if len(payload) <= bulletins.MAX_MESSAGE_BYTES else None
    except Exception:
        return None
    return value if isinstance(value, str) and 0 < len(value) <= 64 else None


def download(content: bulletins.UrlContent, target: Path) -> None:
    """Fetch an https clip, at most its announced size, and check its sha256."""
    digest = hashlib.sha256()
    size = 0
    context = ssl.create_default_context()
    try:
        with (
            urllib.request.urlopen(
                content.url, timeout=DOWNLOAD_TIMEOUT, context=context
            ) as response,
            target.open("wb") as out,
        ):
            while chunk := response.read(64 * 1024):
                size += len(chunk)
                if size > content.bytes:
                    raise LoaxaError("link.download_too_big", url=content.url, bytes=content.bytes)
                digest.update(chunk)
                out.write(chunk)
    except OSError as exc:
        raise LoaxaError("link.download_failed", url=content.url, detail=exc) from exc
    if size != content.bytes or digest.hexdigest() != content.sha256:
        raise LoaxaError("link.download_mismatch", url=content.url)


def airing_days(bulletin: Bulletin, config: Config, clip_seconds: float) -> list[date]:
    """The days on which every daily time of *bulletin* starts and ends inside its window."""
    tz = config.timezone
    session = timedelta(
        seconds=config.amplifier.warmup_seconds
        + bulletin.repeat * clip_seconds
        + (bulletin.repeat - 1) * 5.0
        + config.amplifier.tail_seconds
    )
    first, last = (
        bulletin.valid_from.astimezone(tz).date(),
        bulletin.valid_until.astimezone(tz).date(),
    )
    days = []
    day = first
    while day <= last:
        starts = [datetime.combine(day, moment, tz) for moment in bulletin.times]
        if starts and all(
            bulletin.valid_from <= start and start + session <= bulletin.valid_until
            for start in starts
        ):
            days.append(day)
        day += timedelta(days=1)
    return days


def campaign_text(bulletin: Bulletin, clip: str, first: date, last: date) -> str:
    """The campaign file of a normal or priority bulletin (TOML; strings JSON-escaped,
    which TOML basic strings read the same)."""

    def q(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)

    zones = (
        q("tất cả")
        if bulletin.zones == "all"
        else "[" + ", ".join(q(z) for z in bulletin.zones) + "]"
    )
    window = f"{bulletin.valid_from.isoformat()} → {bulletin.valid_until.isoformat()}"
    lines = [
        f"# Bản tin của tỉnh {bulletin.id}, do loaxa link ghi; không sửa tay.",
        f"# Province bulletin {bulletin.id}, written by loaxa link; do not edit.",
        f"# {bulletin.issuer}: {window}",
        "[campaign]",
        f"name = {q(bulletin.title)}",
        f"start = {first.isoformat()}",
        f"end = {last.isoformat()}",
        f"tier = {q(bulletin.tier)}",
    ]
    for moment in bulletin.times:
        lines += [
            "",
            "[[slot]]",
            f'name = "{moment:%H:%M}"',
            f'time = "{moment:%H:%M}"',
            f"days = {q(TOML_DAYS)}",
            f"playlist = [{q(clip)}]",
            f"repeat = {bulletin.repeat}",
            f"zones = {zones}",
        ]
    return "\n".join(lines) + "\n"
