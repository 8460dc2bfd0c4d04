"""``loaxa run``: turn schedule files into APScheduler jobs and broadcast them.

The concrete plan (``plan.py``) is the single source of truth: each planned session
becomes one DateTrigger job, so what ``loaxa schedule show`` prints is exactly what
runs. Jobs live in APScheduler's in-memory store and are rebuilt from the files at
every start; the playback log, not the job store, remembers what already played, so a
restart never plays a slot twice. A refused file runs its last good version, kept on
disk (``boxrules.LastGood``), so a bad edit followed by a restart silences nothing.

A slot is never silently dropped: one APScheduler could not start within the grace
time, one that fell while the box was off, one that waited for another session beyond
its own grace, one superseded by a later late slot, and one still waiting at shutdown
are all logged as ``missed`` with the reason. Late slots are never played back to back:
after an outage only the latest one within the grace plays.

The daemon only orchestrates: the plan is :mod:`firmware_host.schedules`', a session is
:mod:`firmware_host.broadcast`'s, clock trust and the heartbeat :mod:`firmware_host.clock`'s,
the buttons and light :mod:`firmware_host.frontpanel`'s. Time comes in through one clock
(``now=``), so a test can start a daemon at any moment of any day.
"""

from __future__ import annotations

import logging
import shutil
import signal
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from firmware_host import __version__
from firmware_host.broadcast.orders import emergency_request, live_request, manual_request
from firmware_host.broadcast.session import Broadcaster, BroadcastRequest
from firmware_host.clips import ClipLibrary
from firmware_host.clock import (
    Clock,
    ClockKeeper,
    ClockVerdict,
    JumpDetector,
    kernel_says_synchronised,
    system_clock,
)
from firmware_host.config import Config
from firmware_host.control import ControlServer, socket_path
from firmware_host.frontpanel import Panel, StickExport, open_panel
from firmware_host.logbook.playlog import PlayLog
from firmware_host.messages import LoaxaError, plural, t
from firmware_host.relays import RelayBank, claim_relays, describe_change, open_relays
from firmware_host.schedules import Schedule, schedule_files
from firmware_host.schedules.approvals import APPROVALS_NAME, Approvals
from firmware_host.schedules.plan import PlannedSession, sort_out_gap
from firmware_host.schedules.rules import BoxRules, Installed, LastGood
from firmware_host.sdnotify import notify, watchdog_interval
from firmware_host.textout import hm

logger = logging.getLogger("loaxa.daemon")

PLAN_HORIZON = timedelta(hours=26)
REPLAN_EVERY = timedelta(minutes=30)
HEARTBEAT_EVERY = timedelta(seconds=60)
MISSED_LOOKBACK = timedelta(days=31)
CLOCK_CHECK_EVERY = timedelta(seconds=2)
PANEL_EVERY = timedelta(seconds=2)
RELAY_SWEEP_EVERY = timedelta(seconds=5)
HOUSEKEEPING = "housekeeping"


class Daemon:
    def __init__(
        self,
        config: Config,
        *,
        pin_factory: Any = None,
        announce: Callable[[str], None] | None = None,
        synchronised: Callable[[], bool] = kernel_says_synchronised,
        now: Clock | None = None,
    ) -> None:
        self.config = config
        self.tz = config.timezone
        self.now = now or system_clock(self.tz)
        self.pin_factory = pin_factory
        self.announce = announce or logger.info
        self.grace = timedelta(seconds=config.scheduler.misfire_grace_seconds)
        self.scheduler: BackgroundScheduler | None = None
        self.relays: RelayBank | None = None
        self._claim: IO[str] | None = None
        self._schedules: dict[Path, Schedule] = {}
        self._last_good = LastGood(config.data_dir)
        self._told: dict[str, list[str]] = {}  # file name -> what was last said about it
        self._fingerprint: tuple = ()
        self._planned: dict[str, PlannedSession] = {}
        self._plan_lock = threading.Lock()
        self._exit = threading.Event()
        self.clock = ClockKeeper(config.data_dir, self.tz, now=self.now, synchronised=synchronised)
        self._jumps = JumpDetector()
        self._trusted: bool | None = None
        self._missed_lock = threading.Lock()
        self._watch_stop = threading.Event()
        self._housekeeping: dict[str, float] = {}
        self._last_failed = False
        self._export = StickExport(config, self.announce)
        self.panel: Panel | None = None
        self._control: ControlServer | None = None
        self._talking: tuple[BroadcastRequest, threading.Thread] | None = None
        self.started_at = self.now()

    # -- start and stop --------------------------------------------------------------
    def start(self) -> None:
        """Relays off first, then recover the log, then load schedules and plan."""
        self._claim = claim_relays(self.config.data_dir)
        self.relays, note = open_relays(
            self.config.relays, observer=self._relay_changed, pin_factory=self.pin_factory
        )
        if note:
            self.announce(note)
        self.announce(t("relays.all_off"))
        self.log = PlayLog(self.config.log_dir, self.tz)
        for note in self.log.prepare(now=self.now()):
            self.announce(note)
        recovered = self.log.recover_interrupted(now=self.now(), reason=t("log.power_cut"))
        if recovered:
            self.announce(t("log.recovered", count=recovered))
        self.library = ClipLibrary(self.config)
        for line in self.library.repair():
            self.announce(line)
        # Hashing every clip takes ~8 s per 170 MB on a Pi Zero: in the background, so
        # start-up (systemd's 90 s) never waits for it; the sessions check sizes meanwhile.
        threading.Thread(target=self._check_clips, name="clip-check", daemon=True).start()
        self.broadcaster = Broadcaster.for_box(
            self.config,
            relays=self.relays,
            library=self.library,
            log=self.log,
            now=self.now,
            announce=self.announce,
        )
        self.panel = open_panel(
            self.config,
            self.pin_factory,
            on_stop=self.broadcaster.stop_current,
            on_emergency=self.play_emergency,
            on_export=self.export_to_stick,
            announce=self.announce,
            on_talk=self.talk,
        )
        self._reload(force=True)
        self._open_control()

        self.scheduler = BackgroundScheduler(
            timezone=self.tz,
            # Sessions wait for each other in "default"; housekeeping (reload, watchdog)
            # has its own threads so a queue of waiting slots can never starve it.
            executors={
                "default": ThreadPoolExecutor(max_workers=6),
                HOUSEKEEPING: ThreadPoolExecutor(max_workers=2),
            },
            job_defaults={
                "misfire_grace_time": int(self.grace.total_seconds()),
                "coalesce": False,
                "max_instances": 1,
            },
        )
        self.scheduler.add_listener(self._job_missed, EVENT_JOB_MISSED)
        self.scheduler.start()
        verdict = self.clock_verdict()
        self._trusted = verdict.trusted
        self.announce(
            t("clock.trusted" if verdict.trusted else "clock.untrusted", reason=verdict.reason)
        )
        if verdict.trusted:
            self._account_for_gap()
        self._replan()
        housekeeping: tuple[tuple[str, Callable[[], object], float], ...] = (
            ("reload", self._reload, self.config.scheduler.reload_seconds),
            ("replan", self._replan, REPLAN_EVERY.total_seconds()),
            ("heartbeat", self._heartbeat, HEARTBEAT_EVERY.total_seconds()),
            ("relays", self.broadcaster.switch_off_if_unknown, RELAY_SWEEP_EVERY.total_seconds()),
        )
        if self.panel is not None:
            housekeeping += (("panel", self._refresh_panel, PANEL_EVERY.total_seconds()),)
        if (every := watchdog_interval()) is not None:
            # Petted from a scheduler job, so systemd restarts us if the loop stops.
            housekeeping += (("watchdog", lambda: notify("WATCHDOG=1"), every),)
        self._housekeeping = {job_id: every for job_id, _function, every in housekeeping}
        for job_id, function, every in housekeeping:
            self.scheduler.add_job(
                function,
                IntervalTrigger(seconds=every, timezone=self.tz),
                id=job_id,
                misfire_grace_time=None,
                coalesce=True,
                executor=HOUSEKEEPING,
            )
        # The clock is watched on monotonic time: after a backward jump, wall-clock
        # interval jobs would not fire again until the wall clock caught up.
        self._watcher = threading.Thread(
            target=self._watch_clock_forever, name="clock", daemon=True
        )
        self._watcher.start()
        self._heartbeat()
        sessions = plural(len(self._planned), "session")
        self.announce(t("daemon.started", sessions=sessions, next=self._describe_next()))
        notify(f"READY=1\nSTATUS={t('daemon.status', sessions=sessions)}")

    def stop(self) -> None:
        """End what plays, log what waits as missed, switch everything off."""
        notify("STOPPING=1")
        self._watch_stop.set()
        if self._control is not None:
            self._control.close()
            self._control = None
        if self.scheduler and self.scheduler.running:
            self.broadcaster.close()
            self.scheduler.shutdown(wait=True)
        if self.relays:
            self.relays.close()
            self.relays = None
            self.announce(t("relays.all_off"))
        if self.panel is not None:
            self.panel.close()
            self.panel = None
        if hasattr(self, "log"):
            self.log.close()
        if self._claim:
            self._claim.close()
            self._claim = None

    def run_forever(self) -> None:
        """Until SIGTERM/SIGINT; relays are off when this returns, whatever happened."""
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self._exit.set())
        try:
            self.start()
            while not self._exit.wait(1.0):
                pass
            self.announce(t("daemon.stopping"))
        finally:
            self.stop()

    def _check_clips(self) -> None:
        """Every stored clip against its index entry; a damaged one is refused from now on."""
        try:
            for message in self.library.verify_stored().values():
                self.announce(message)
        except Exception as exc:  # a broken index is repair()'s to report
            logger.error(t("clips.repair_failed", path=self.library.directory, detail=exc))

    # -- schedules ---------------------------------------------------------------------
    def _files_fingerprint(self) -> tuple:
        paths = schedule_files(self.config.scheduler.schedules_dir)
        parts = [(str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths if p.exists()]
        # the clip library, and the leadership's approvals
        for extra in (self.config.clips_dir / "index.json", self.config.log_dir / APPROVALS_NAME):
            if extra.exists():
                parts.append((str(extra), extra.stat().st_mtime_ns, extra.stat().st_size))
        return tuple(parts)

    def _reload(self, force: bool = False) -> None:
        """Re-read changed schedule files; a refused file runs its last good version.

        Whatever a file holds, the daemon carries on: the check turns every problem of
        a file into its refusal, and anything else keeps the schedules already running.
        """
        try:
            fingerprint = self._files_fingerprint()
        except OSError as exc:
            logger.error(t("daemon.schedules_unreadable", detail=exc))
            return
        if not force and fingerprint == self._fingerprint:
            return
        self._fingerprint = fingerprint
        directory = self.config.scheduler.schedules_dir
        try:
            paths = schedule_files(directory)
            rules = BoxRules.of(self.config, self.library.refs(), self.library.versions())
            installed = rules.installed(paths, self._last_good)
        except Exception as exc:
            logger.exception("schedule check failed")
            self.announce(t("daemon.reload_failed", detail=exc))
            return
        for path, text in installed.texts.items():
            try:
                self._last_good.keep(path.name, text)
            except OSError as exc:
                self.announce(t("daemon.last_good_not_saved", file=path.name, detail=exc))
        if directory.is_dir():  # a folder that vanished is not every file deleted
            self._last_good.forget_all_but(path.name for path in paths)
        self._tell(installed, paths)
        self._schedules = {schedule.path: schedule for schedule in installed.schedules}
        if not force:
            self._replan()
            self.announce(
                t(
                    "daemon.reloaded",
                    files=plural(len(paths), "schedule_file"),
                    sessions=plural(len(self._planned), "session"),
                )
            )

    def _tell(self, installed: Installed, paths: list[Path]) -> None:
        """Say what is wrong with each file and what runs instead, once per change: a
        reload caused by another file does not repeat it."""
        story: dict[str, list[str]] = {}
        for problem in installed.problems:
            story.setdefault(Path(problem.file).name, []).append(str(problem))
        refused = {Path(p.file).name for p in installed.problems if p.severity == "error"}
        for path in paths:
            name = path.name
            if name in installed.from_last_good:
                saved = installed.from_last_good[name]
                when = f"{saved:%d/%m/%Y %H:%M}" if saved else "?"
                story[name].append(t("daemon.kept_last_good", file=name, saved=when))
            elif name in installed.last_good_refused:
                reason = installed.last_good_refused[name].message
                story[name].append(t("daemon.last_good_refused", file=name, reason=reason))
            elif name in refused:
                story[name].append(t("daemon.refused", file=name))
            if name in installed.waiting:
                status = installed.waiting[name].describe()
                story.setdefault(name, []).append(t("daemon.awaiting", file=name, status=status))
        for name, lines in story.items():
            if self._told.get(name) == lines:
                continue
            for line in lines:
                self.announce(line)
            if name in installed.from_last_good:
                try:
                    self.log.record_event("schedule_last_good", at=self.now(), note=lines[-1])
                except OSError as exc:
                    logger.error(t("log.write_failed", detail=exc))
        self._told = story
        self._log_approvals(installed)

    def _log_approvals(self, installed: Installed) -> None:
        """Approvals, refusals and voids not yet in the playback log go there, once: the
        daemon is the log's only writer, so ``schedule approve`` leaves them to it."""
        approvals = Approvals(self.config.log_dir)
        if not approvals.path.exists():
            return

        def record(event: str, note: str) -> None:
            self.log.record_event(event, at=self.now(), note=note)
            self.announce(note)

        try:
            approvals.take_events(installed.approvals.values(), self.now(), record)
        except OSError as exc:
            logger.error(t("log.write_failed", detail=exc))
        except LoaxaError as exc:  # a damaged approvals file: said, never overwritten
            logger.error(str(exc))

    def schedules(self) -> list[Schedule]:
        return list(self._schedules.values())

    # -- planning ------------------------------------------------------------------------
    def _plan(self, start: datetime, end: datetime) -> list[PlannedSession]:
        rules = BoxRules.of(self.config, self.library.refs(), self.library.versions())
        return rules.between(self.schedules(), start, end)

    def _logged_keys(self, start: datetime, end: datetime) -> set[str]:
        months = {self.log.month_of(start), self.log.month_of(end)}
        return self.log.plan_keys(sorted(months))

    def _replan(self) -> None:
        """Make the job store hold exactly the sessions of the next hours not yet logged."""
        if not self.scheduler:
            return
        with self._plan_lock:
            now = self.now()
            sessions = self._plan(now - self.grace, now + PLAN_HORIZON)
            done = self._logged_keys(now - self.grace, now + PLAN_HORIZON)
            wanted = {s.key: s for s in sessions if s.key not in done}
            # Late sessions not yet handed to a worker (after a start or a clock jump):
            # only the latest plays, the others would follow it back to back.
            late = [s for s in wanted.values() if s.at <= now and s.key not in self._planned]
            for session in late[:-1]:
                reason = t("daemon.missed_superseded", slot=late[-1].slot, time=hm(late[-1].at))
                self._record_missed(session, reason)
                del wanted[session.key]
            for job in self.scheduler.get_jobs():
                if job.id in self._planned and job.id not in wanted:
                    job.remove()
                    self._planned.pop(job.id, None)
            existing = {job.id for job in self.scheduler.get_jobs()}
            for key, session in wanted.items():
                if key in existing or key in self._planned:
                    continue  # already queued, or handed to a worker and waiting its turn
                self._planned[key] = session
                self.scheduler.add_job(
                    self._play,
                    DateTrigger(run_date=session.at),
                    args=[key],
                    id=key,
                    name=session.slot,
                )

    def _play(self, key: str, catching_up: bool = False) -> None:
        """Play a planned session; it leaves ``_planned`` only once logged, so a replan
        meanwhile cannot queue it again. A session that has to wait for another starts
        only within the grace of its own time (a catch-up is late by definition)."""
        session = self._planned.get(key)
        if session is None:
            return
        try:
            verdict = self.clock_verdict()
            if not verdict.trusted and not self.config.clock.broadcast_when_untrusted:
                self._record_missed(session, t("clock.missed_untrusted", reason=verdict.reason))
                return
            start_by = None if catching_up else session.at + self.grace
            request = BroadcastRequest.from_plan(session)
            outcome = self.broadcaster.broadcast(request, start_by=start_by)
            if outcome.status == "missed":  # logged by the broadcaster
                self._announce_missed(session, outcome.error or "")
            self._note_outcome(outcome.status)
        finally:
            self._planned.pop(key, None)

    def _job_missed(self, event: JobExecutionEvent) -> None:
        session = self._planned.get(event.job_id)
        if session is None:
            return
        late = (self.now() - session.at).total_seconds()
        self._record_missed(
            session,
            t("daemon.missed_late", seconds=round(late), grace=int(self.grace.total_seconds())),
        )
        self._planned.pop(event.job_id, None)

    def _record_missed(self, session: PlannedSession, reason: str) -> None:
        """Log a slot as missed, once: a jump can make two paths notice the same slot."""
        with self._missed_lock:
            months = [self.log.month_of(session.at)]
            if session.key in self.log.plan_keys(months):
                return
            self._log_missed(session, reason)

    def _log_missed(self, session: PlannedSession, reason: str) -> None:
        self._announce_missed(session, reason)
        try:
            self.log.record_missed(
                scheduled=session.at,
                campaign=session.campaign,
                slot=session.slot,
                zones=session.zones,
                playlist=session.playlist,
                plan_key=session.key,
                reason=reason,
                now=self.now(),
            )
        except OSError as exc:
            logger.error(t("log.write_failed", detail=exc))

    def _announce_missed(self, session: PlannedSession, reason: str) -> None:
        self.announce(
            t(
                "daemon.missed",
                time=session.at.strftime("%d/%m %H:%M:%S"),
                slot=session.slot,
                campaign=session.campaign,
                reason=reason,
            )
        )

    # -- the box being off --------------------------------------------------------------
    def _heartbeat(self) -> None:
        try:
            self.clock.heartbeat()
        except OSError as exc:
            logger.error(t("log.write_failed", detail=exc))

    def _account_for_gap(self) -> None:
        """Slots that fell between the last trusted moment alive and now (box off, or clock
        untrusted) are logged missed; with a catch-up window the latest one plays now."""
        last = self.clock.last_alive()
        now = self.now()
        if last is None or last >= now:
            return
        start = max(last, now - MISSED_LOOKBACK)
        if now <= start:
            return
        done = self.log.plan_keys(sorted({self.log.month_of(start), self.log.month_of(now)}))
        fell = [
            s for s in self._plan(start, now) if s.key not in done and s.key not in self._planned
        ]
        catch_up = timedelta(minutes=self.config.clock.catch_up_minutes)
        missed, replay = sort_out_gap(fell, now=now, grace=self.grace, catch_up=catch_up)
        reason = t("daemon.missed_off", since=last.strftime("%d/%m/%Y %H:%M"))
        for session in missed:
            self._record_missed(session, reason)
        if replay is not None and self.scheduler:
            self.announce(t("clock.catching_up", slot=replay.slot, time=f"{replay.at:%H:%M}"))
            self._planned[replay.key] = replay
            self.scheduler.add_job(
                self._play,
                DateTrigger(run_date=now),
                args=[replay.key, True],
                # Its own id: replanning removes queued slot jobs outside its window, and
                # this one's time is (by definition) behind that window.
                id=f"catch-up:{replay.key}",
                misfire_grace_time=None,
            )

    # -- the clock ------------------------------------------------------------------------
    def clock_verdict(self) -> ClockVerdict:
        return self.clock.verdict()

    def _watch_clock_forever(self) -> None:
        while not self._watch_stop.wait(CLOCK_CHECK_EVERY.total_seconds()):
            try:
                self._watch_clock()
            except Exception:  # the watcher must outlive any one bad check
                logger.exception("clock check failed")

    def _restart_housekeeping(self) -> None:
        """Interval jobs computed their next run on the old wall clock: start them afresh."""
        if self.scheduler is None:
            return
        for job_id, every in self._housekeeping.items():
            self.scheduler.reschedule_job(
                job_id, trigger=IntervalTrigger(seconds=every, timezone=self.tz)
            )

    def _watch_clock(self) -> None:
        """Log every jump; when the clock becomes trustworthy or leaps ahead, account for
        the slots that fell meanwhile and plan again (a leap back replays nothing: the
        log knows what played)."""
        jump = self._jumps.check()
        if jump:
            line = t("clock.jumped", seconds=round(jump), now=f"{self.now():%d/%m/%Y %H:%M:%S}")
            self.announce(line)
            logger.warning(line)
            try:
                self.log.record_event("clock_jump", at=self.now(), seconds=jump, note=line)
            except OSError as exc:
                logger.error(t("log.write_failed", detail=exc))
        verdict = self.clock_verdict()
        became_trusted = verdict.trusted and not self._trusted
        if verdict.trusted != self._trusted:
            self._trusted = verdict.trusted
            self.announce(
                t("clock.trusted" if verdict.trusted else "clock.untrusted", reason=verdict.reason)
            )
        if verdict.trusted and (became_trusted or jump > 0):
            self._account_for_gap()
        if jump and self.scheduler:
            self._restart_housekeeping()
        if jump or became_trusted:
            self._replan()

    # -- front panel ---------------------------------------------------------------------
    def _note_outcome(self, status: str) -> None:
        if status in ("completed", "failed"):
            self._last_failed = status == "failed"

    def _refresh_panel(self) -> None:
        if self.panel is not None:
            self.panel.refresh(last_failed=self._last_failed, clock_trusted=bool(self._trusted))

    def play_emergency(self) -> None:
        """The emergency button: the emergency clip to every zone, at once."""
        clip = self.config.panel.emergency_clip
        if clip is None:
            self.announce(t("panel.no_emergency_clip"))
            return
        self.announce(t("panel.emergency", clip=clip))
        reason = t("emergency.button_reason")
        self.emergency([clip], reason=reason, by=reason)

    # -- broadcasts ordered now (panel, control socket: web panel, province, CLI) --------
    def emergency(
        self,
        clips: Sequence[str],
        *,
        reason: str,
        zones: str | Sequence[str] | None = None,
        repeat: int = 1,
        by: str | None = None,
    ) -> dict[str, Any]:
        """The one way an emergency goes on air (TT 39/2020 *khẩn cấp*): it cuts the
        session on air (logged ``preempted``), waits only for an emergency before it, and
        returns once it is on air (or queued). Refused before anything moves when a clip,
        a zone or the reason is wrong."""
        request = emergency_request(
            self.config, self.library, clips, reason=reason, zones=zones, repeat=repeat, by=by
        )
        answer = self._start(request)
        key = "emergency.queued" if answer.get("queued") else "emergency.started"
        self.announce(t(key, reason=request.reason, session_id=answer.get("session_id", "")))
        return answer

    def play(self, clips: Sequence[str], **options: Any) -> dict[str, Any]:
        """A broadcast by hand while the daemon holds the relays (normal or priority)."""
        return self._start(manual_request(self.config, self.library, clips, **options))

    def live(self, **options: Any) -> dict[str, Any]:
        """The microphone on air (``loaxa live`` while the daemon runs): at once, or not at
        all; it never waits for a session on air (an emergency one cuts it)."""
        request = live_request(self.config, **options)
        return self._start(request, start_by=self.now())

    def talk(self, held: bool) -> None:
        """The push-to-talk button: held, the microphone goes to every zone (if the air
        is free: it never waits, and never cuts a session); released, it ends."""
        if held:
            if self._talking is not None and self._talking[1].is_alive():
                return
            request = live_request(self.config, by=t("panel.talk_by"))
            thread = threading.Thread(
                target=self._talk_session, args=(request,), name="talk", daemon=True
            )
            self._talking = (request, thread)
            thread.start()
            return
        if self._talking is None:
            return
        request, thread = self._talking
        # Released maybe before the session is on air: stop it once it is, or wait until
        # the attempt is over (refused because another session holds the air).
        while thread.is_alive():
            if self.broadcaster.on_air is request:
                self.broadcaster.stop_current()
                thread.join()
                return
            thread.join(0.05)

    def _talk_session(self, request: BroadcastRequest) -> None:
        outcome = self.broadcaster.broadcast(request, start_by=self.now())
        if outcome.status == "missed":
            self.announce(t("panel.talk_busy", reason=outcome.error or ""))
        self._note_outcome(outcome.status)

    def _start(
        self, request: BroadcastRequest, wait: float = 5.0, start_by: datetime | None = None
    ) -> dict[str, Any]:
        """Run *request* in a thread of its own; return once it is on air, or queued
        behind another session after *wait* seconds, or over (refused past *start_by*)."""
        on_air = threading.Event()
        answer: dict[str, Any] = {}

        def started(session_id: str) -> None:
            answer["session_id"] = session_id
            on_air.set()

        def run() -> None:
            try:
                outcome = self.broadcaster.broadcast(
                    request, on_start=started, start_by=start_by
                )
                self._note_outcome(outcome.status)
                answer.setdefault("status", outcome.status)
                if outcome.status != "completed":
                    answer.setdefault("error", outcome.error)
            finally:
                on_air.set()

        threading.Thread(target=run, name=f"order-{request.tier}", daemon=True).start()
        on_air.wait(wait)
        return {**answer, "queued": not answer}

    # -- the control socket ----------------------------------------------------------------
    def _open_control(self) -> None:
        """Serve the control API (control.py); without it the box still broadcasts."""
        handlers: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
            "status": lambda _request: self.status(),
            "stop": self._control_stop,
            "reload": self._control_reload,
            "play": self._control_play,
            "emergency": self._control_emergency,
            "live": self._control_live,
        }
        try:
            self._control = ControlServer(socket_path(self.config.data_dir), handlers)
        except OSError as exc:
            logger.error(t("daemon.control_failed", detail=exc))
            self.announce(t("daemon.control_failed", detail=exc))
            return
        self._control.start()

    def _control_stop(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """Stop the session on air; with ``session_id``, only if it is still that one
        (``loaxa live``'s Ctrl-C must not stop the session that followed it)."""
        wanted = request.get("session_id")
        on_air = self.broadcaster.status()["on_air"] or {}
        if wanted and on_air.get("session_id") != wanted:
            return {"stopped": False}
        return {"stopped": self.broadcaster.stop_current()}

    def _control_live(self, request: Mapping[str, Any]) -> dict[str, Any]:
        device = request.get("device")
        return self.live(
            zones=request.get("zones"),
            tier=request.get("tier"),
            by=request.get("by"),
            device=None if device is None else str(device),
            reason=request.get("reason"),
        )

    def _control_reload(self, _request: Mapping[str, Any]) -> dict[str, Any]:
        self._reload(force=True)
        self._replan()
        return {"sessions": len(self._planned)}

    def _control_play(self, request: Mapping[str, Any]) -> dict[str, Any]:
        return self.play(
            _strings(request.get("clips")),
            zones=request.get("zones"),
            repeat=request.get("repeat", 1),
            gap_seconds=request.get("gap_seconds", 5.0),
            tier=request.get("tier"),
            by=request.get("by"),
        )

    def _control_emergency(self, request: Mapping[str, Any]) -> dict[str, Any]:
        return self.emergency(
            _strings(request.get("clips")),
            reason=str(request.get("reason") or ""),
            zones=request.get("zones"),
            repeat=request.get("repeat", 1),
            by=request.get("by"),
        )

    def status(self) -> dict[str, Any]:
        """What the box does now, for the web panel and the province (control-api.md)."""
        verdict = self.clock_verdict()
        now = self.now()
        upcoming = sorted(
            (s for s in self._planned.values() if s.at >= now - self.grace), key=lambda s: s.at
        )
        relays = self.relays.states() if self.relays is not None else {}
        try:
            disk = shutil.disk_usage(self.config.data_dir)
            space = {"free_bytes": disk.free, "total_bytes": disk.total}
        except OSError:
            space = {}
        refused = sorted({name for name, lines in self._told.items() if lines})
        return {
            "version": __version__,
            "now": now.isoformat(timespec="seconds"),
            "started_at": self.started_at.isoformat(timespec="seconds"),
            "clock": {"trusted": verdict.trusted, "reason": verdict.reason},
            **self.broadcaster.status(),
            "next": [
                {
                    "at": s.at.isoformat(timespec="seconds"),
                    "campaign": s.campaign,
                    "slot": s.slot,
                    "tier": s.tier,
                    "playlist": list(s.playlist),
                    "zones": list(s.zones),
                    "expected_seconds": s.expected_seconds,
                }
                for s in upcoming[:20]
            ],
            "relays": relays,
            "disk": space,
            "last_problems": self._last_problems(),
            "schedules": {"files": len(self._schedules), "told": refused},
        }

    def _last_problems(self, count: int = 5) -> list[dict[str, Any]]:
        months = self.log.months()[-2:]
        rows = [
            row
            for row in self.log.entries(months)
            if row.get("kind") == "session"
            and row.get("status") in ("failed", "missed", "interrupted", "preempted")
        ]
        return [
            {
                "at": row.get("scheduled") or row.get("started"),
                "status": row.get("status"),
                "campaign": row.get("campaign"),
                "slot": row.get("slot"),
                "error": row.get("error"),
            }
            for row in rows[-count:]
        ]

    def export_to_stick(self) -> Any:
        """The export button (see :class:`~firmware_host.frontpanel.StickExport`)."""
        return self._export.start()

    # -- output --------------------------------------------------------------------------
    def _relay_changed(self, name: str, on: bool) -> None:
        self.announce(describe_change(name, on, self.now()))

    def _describe_next(self) -> str:
        upcoming = sorted(self._planned.values(), key=lambda s: s.at)
        if not upcoming:
            return t("daemon.nothing_planned")
        first = upcoming[0]
        return f"{first.at.strftime('%d/%m/%Y %H:%M:%S')} — {first.campaign} / {first.slot}"


def _strings(value: object) -> list[str]:
    """A request's list of names (a lone string is a list of one)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return []

