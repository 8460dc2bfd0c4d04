"""One broadcast: zones on → amplifier on → warm-up → clips → tail → amplifier off → zones off.

The order protects the equipment: zone relays only ever switch while the amplifier is
off (no arcing on 100 V lines, no thump in the speakers), and the amplifier is never on
without a zone to drive. Whatever happens — a clip that fails, a stop request, an
exception, a log that cannot be written — every relay is off when ``broadcast`` returns.

Only one session plays at a time (:mod:`.policy` decides who goes next). A slot that
falls while another plays waits for it, and its log entry says how late it started and
which session it waited for; an emergency cuts the session on air, which is logged
``preempted`` with the seconds that went out and never resumed.

A clip counts (``completed``, one lượt in the report) only if it was verifiably heard:
its stored WAV matched the index before the session began (size and header: see
``ClipLibrary.check_stored``), all of its stored duration reached the device, and the
amplifier and zone relays read back as on at its end (``RelayBank.verify``, and the
amplifier's power input where one is wired). Anything less is ``failed``, and the
session stops there with every relay off.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from firmware_host.broadcast.player import Player, PlayResult
from firmware_host.broadcast.policy import Air, Ticket
from firmware_host.clock import Clock, system_clock
from firmware_host.logbook.playlog import EntryRef, FinalStatus, PlayLog, Trigger
from firmware_host.messages import LoaxaError, t
from firmware_host.relays import AMPLIFIER, RelayBank
from firmware_host.tiers import EMERGENCY, NORMAL, Tier

if TYPE_CHECKING:
    from firmware_host.clips import Clip, ClipLibrary
    from firmware_host.config import Config
    from firmware_host.schedules.plan import PlannedSession

logger = logging.getLogger("loaxa.session")

# The index keeps a clip's duration to the millisecond and the player counts frames:
# a whole clip handed to the device is never more than this short of it.
SHORT_TOLERANCE_SECONDS = 0.002


@dataclass(frozen=True)
class BroadcastRequest:
    playlist: tuple[str, ...]
    zones: tuple[str, ...]
    repeat: int = 1
    gap_seconds: float = 0.0
    trigger: Trigger = "manual"
    scheduled: datetime | None = None
    campaign: str | None = None
    slot: str | None = None
    plan_key: str | None = None
    tier: Tier = NORMAL
    reason: str | None = None  # why an emergency was ordered
    by: str | None = None  # who ordered a manual or emergency broadcast
    warmup_seconds: float | None = None  # None: the box's warm-up

    @property
    def label(self) -> str:
        """How the session is named in "waited for …" and "cut by …"."""
        if self.tier == EMERGENCY:
            return t("session.emergency_label", reason=self.reason or "—")
        return f"{self.campaign or t('session.manual')} / {self.slot or '—'}"

    @classmethod
    def from_plan(cls, planned: PlannedSession) -> BroadcastRequest:
        return cls(
            playlist=tuple(planned.playlist),
            zones=tuple(planned.zones),
            repeat=planned.repeat,
            gap_seconds=planned.gap_seconds,
            trigger="schedule",
            scheduled=planned.at,
            campaign=planned.campaign,
            slot=planned.slot,
            plan_key=planned.key,
            tier=planned.tier,
        )


@dataclass
class SessionOutcome:
    status: FinalStatus  # missed: a slot that waited past its grace, or the box stopping
    clips_played: int = 0
    late_seconds: float = 0.0
    error: str | None = None
    entries: list[EntryRef] = field(default_factory=list)
    note: str | None = None  # something the sense inputs noticed (a silent speaker line)


class Broadcaster:
    """Runs broadcast sessions one at a time on a relay bank and a player."""

    def __init__(
        self,
        *,
        relays: RelayBank,
        player: Player,
        library: ClipLibrary,
        log: PlayLog,
        now: Clock,
        warmup_seconds: float,
        tail_seconds: float,
        announce: Callable[[str], None] | None = None,
    ) -> None:
        self.relays = relays
        self.player = player
        self.library = library
        self.log = log
        self.now = now
        self.warmup_seconds = warmup_seconds
        self.tail_seconds = tail_seconds
        self.announce = announce or logger.info
        self._air = Air(on_cut=self._cut)
        self._ticket: Ticket | None = None  # the session on air
        self._snapshot: dict[str, Any] | None = None  # what status() says is on air

    @classmethod
    def for_box(
        cls,
        config: Config,
        *,
        relays: RelayBank,
        library: ClipLibrary,
        log: PlayLog,
        now: Clock | None = None,
        announce: Callable[[str], None] | None = None,
    ) -> Broadcaster:
        """The broadcaster of this box's config (its sound card, warm-up and tail): the
        daemon and ``loaxa play`` build it the same way."""
        return cls(
            relays=relays,
            player=Player(config.audio.device),
            library=library,
            log=log,
            now=now or system_clock(config.timezone),
            warmup_seconds=config.amplifier.warmup_seconds,
            tail_seconds=config.amplifier.tail_seconds,
            announce=announce,
        )

    def stop_current(self) -> bool:
        """End the session on air (stop button); relays go off as usual. False if the
        air was free."""
        return self._air.stop_holder()

    def _cut(self, holder: Ticket, emergency: Ticket) -> None:
        self.announce(t("session.cut", session=holder.label, emergency=emergency.label))

    def status(self) -> dict[str, Any]:
        """What is on air (None when nothing) and who waits, for the control socket."""
        waiting = [
            {"label": ticket.label, "tier": ticket.tier, "planned": ticket.planned.isoformat()}
            for ticket in self._air.waiting()
        ]
        snapshot = dict(self._snapshot) if self._snapshot is not None else None
        return {"on_air": snapshot, "waiting": waiting}

    def switch_off_if_unknown(self) -> bool:
        """Between sessions, switch everything off again when a relay's state is unknown.

        A Modbus module keeps its coils while its USB-RS485 adapter is unplugged, so an
        amplifier left on by a failed session must not wait for the next slot to be
        switched off: this runs every few seconds and acts as soon as the board answers.
        Returns True when a sweep was made; never while a session holds the air.
        """
        sweep = Ticket(NORMAL, self.now(), t("session.someone"))
        if not self._air.hold_if_idle(sweep):
            return False
        try:
            if not any(state is None for state in self.relays.states().values()):
                return False
            self.relays.all_off()
            return True
        finally:
            self._air.leave(sweep)

    def close(self) -> None:
        """Shutting down: end the session on air and refuse the ones still waiting."""
        self._air.close()

    # -- the session -----------------------------------------------------------------
    def broadcast(
        self,
        request: BroadcastRequest,
        *,
        start_by: datetime | None = None,
        on_start: Callable[[str], None] | None = None,
    ) -> SessionOutcome:
        """Play *request* once it is its turn (:mod:`.policy`); with *start_by*, only if
        that comes by then. *on_start* is told the session id once it is on air.

        A scheduled slot that waits (behind a late session, a catch-up, an emergency)
        must not go out long after its time and push the next ones later still: past
        *start_by* it is logged missed, naming what it waited for.
        """
        arrived = self.now()
        ticket = Ticket(request.tier, request.scheduled or arrived, request.label)
        holder = self._air.holder
        waited_for = holder.label if holder is not None else None
        if waited_for is not None or self._air.waiting():
            waited_for = waited_for or t("session.someone")
            self.announce(t("session.waiting", other=waited_for))
        timeout = None if start_by is None else max(0.0, (start_by - arrived).total_seconds())
        if not self._air.enter(ticket, timeout):
            if self._air.closed:
                return self._refuse(request, t("session.shutting_down"))
            planned = request.scheduled or arrived
            holder = self._air.holder
            reason = t(
                "session.waited_too_long",
                grace=round(((start_by or arrived) - planned).total_seconds()),
                other=holder.label if holder is not None else waited_for or t("session.someone"),
                seconds=round((self.now() - planned).total_seconds()),
            )
            return self._refuse(request, reason)
        self._ticket = ticket
        try:
            return self._run(request, arrived, waited_for, on_start)
        finally:
            self._ticket = None
            self._snapshot = None
            self._air.leave(ticket)

    def _run(
        self,
        request: BroadcastRequest,
        arrived: datetime,
        waited_for: str | None,
        on_start: Callable[[str], None] | None,
    ) -> SessionOutcome:
        started = self.now()
        late = (started - request.scheduled).total_seconds() if request.scheduled else 0.0
        note = None
        if waited_for is not None:
            note = t(
                "session.started_late",
                seconds=round((started - arrived).total_seconds()),
                other=waited_for,
            )
        outcome = SessionOutcome(status="failed", late_seconds=max(0.0, late))
        session = self._log_safely(
            self.log.start_session,
            trigger=request.trigger,
            scheduled=request.scheduled,
            started=started,
            campaign=request.campaign,
            slot=request.slot,
            zones=request.zones,
            playlist=request.playlist,
            plan_key=request.plan_key,
            late_seconds=max(0.0, late),
            note=note,
            tier=request.tier,
            reason=request.reason,
            by=request.by,
        )
        if session:
            outcome.entries.append(session)
        session_id = self.log.session_id(session) if session else ""
        self._snapshot = {
            "session_id": session_id,
            "campaign": request.campaign,
            "slot": request.slot,
            "tier": request.tier,
            "trigger": request.trigger,
            "reason": request.reason,
            "started": started.isoformat(),
            "zones": list(request.zones),
            "clip": None,
        }
        if on_start is not None:
            on_start(session_id)

        clips, problem = self._resolve(request)
        if problem is None:
            try:
                problem = self._on_air(request, clips, session, outcome)
            except LoaxaError as exc:  # a relay board that vanished or did not confirm
                logger.error(str(exc))
                problem = str(exc)
                outcome.status = "failed"
            except Exception as exc:  # the relays must go off whatever broke
                logger.exception("session crashed")
                problem = t("session.crashed", detail=exc)
                outcome.status = "failed"
            finally:
                self._all_off()
            # A session whose relays end up unknown did not end safely, so it did not
            # complete; and the operator must hear it, whatever failed first.
            problem = "; ".join(part for part in (problem, self._relays_unknown()) if part) or None
        outcome.error = problem
        if problem is None:
            outcome.status = "completed"
        if session:
            ended = self.now()
            self._log_safely(
                self.log.finish,
                session,
                outcome.status,
                ended=ended,
                seconds=(ended - started).total_seconds(),
                error=problem,
            )
            if outcome.status == "preempted":
                self._log_safely(self.log.update, session, preempted_by=self._cut_by())
            if outcome.note:
                joined = "; ".join(part for part in (note, outcome.note) if part)
                self._log_safely(self.log.update, session, note=joined)
        if outcome.note:
            self.announce(outcome.note)
        self.announce(
            t(f"session.{outcome.status}", played=outcome.clips_played, error=problem or "")
        )
        return outcome

    def _refuse(self, request: BroadcastRequest, reason: str) -> SessionOutcome:
        """A scheduled slot that will not play is logged as missed, never dropped."""
        outcome = SessionOutcome(status="missed", error=reason)
        if request.trigger == "schedule" and request.scheduled is not None:
            ref = self._log_safely(
                self.log.record_missed,
                scheduled=request.scheduled,
                campaign=request.campaign or "",
                slot=request.slot or "",
                zones=request.zones,
                playlist=request.playlist,
                plan_key=request.plan_key or "",
                reason=reason,
                now=self.now(),
            )
            if ref:
                outcome.entries.append(ref)
        return outcome

    def _resolve(self, request: BroadcastRequest) -> tuple[list[Any], str | None]:
        """Every clip and zone must exist before a single relay moves."""
        if not request.zones:
            return [], t("session.no_zone")
        unknown = [zone for zone in request.zones if zone not in self.relays.zones]
        if unknown:
            return [], t(
                "session.unknown_zone", zones=", ".join(unknown), known=", ".join(self.relays.zones)
            )
        clips = []
        for ref in request.playlist:
            clip = self.library.find(ref)
            if clip is None or not clip.path.is_file():
                return [], t("session.clip_missing", clip=ref)
            damage = self.library.check_stored(clip)
            if damage is not None:
                return [], damage
            clips.append(clip)
        if not clips:
            return [], t("session.empty_playlist")
        return clips, None

    def _on_air(
        self,
        request: BroadcastRequest,
        clips: Sequence[Any],
        session: EntryRef | None,
        outcome: SessionOutcome,
    ) -> str | None:
        stop = self._stop_signal()
        warmup = self.warmup_seconds if request.warmup_seconds is None else request.warmup_seconds
        for zone in request.zones:
            self.relays.set(zone, True)
        self.relays.set(AMPLIFIER, True)
        if stop.wait(warmup):
            return self._stopped(outcome)
        sense = getattr(self.relays, "sense", None)
        if sense is not None and sense.amplifier_on() is False:
            return t("relays.amplifier_no_power", seconds=warmup)
        if sense is not None:
            sense.watch_line()
        for round_index in range(request.repeat):
            if round_index and stop.wait(request.gap_seconds):
                return self._stopped(outcome)
            for position, clip in enumerate(clips, start=1):
                problem = self._play_clip(
                    clip, session, outcome, play_index=round_index * len(clips) + position
                )
                if problem:
                    return problem
        if sense is not None and sense.line_seen() is False:
            outcome.note = t("relays.line_silent")
            logger.warning(outcome.note)
        if stop.wait(self.tail_seconds):
            return self._stopped(outcome)
        return None

    def _stop_signal(self) -> threading.Event:
        return self._ticket.stop if self._ticket is not None else threading.Event()

    def _cut_by(self) -> str | None:
        return self._ticket.cut_by if self._ticket is not None else None

    def _stopped(self, outcome: SessionOutcome) -> str:
        """The status and reason of a session ended on request: cut by an emergency
        (``preempted``, never resumed) or stopped (button, shutdown)."""
        cut_by = self._cut_by()
        if cut_by is not None:
            outcome.status = "preempted"
            return t("session.cut_reason", emergency=cut_by)
        outcome.status = "interrupted"
        return t("session.stopped")

    def _all_off(self) -> None:
        """Backends promise ``all_off`` never raises; this guard keeps a backend that
        breaks the promise from leaving the session unlogged."""
        try:
            self.relays.all_off()
        except Exception:
            logger.exception("relays.all_off raised")

    def _relays_unknown(self) -> str | None:
        """The operator message if any relay's state is unknown after switching off."""
        unknown = [name for name, state in self.relays.states().items() if state is None]
        if not unknown:
            return None
        names = [t("relays.amplifier_name") if n == AMPLIFIER else n for n in unknown]
        return t("relays.state_unknown", relays=", ".join(names))

    def _play_clip(
        self, clip: Clip, session: EntryRef | None, outcome: SessionOutcome, *, play_index: int
    ) -> str | None:
        started = self.now()
        entry = (
            self._log_safely(
                self.log.start_clip, session, started=started, clip=clip, play_index=play_index
            )
            if session
            else None
        )
        if entry:
            outcome.entries.append(entry)
        self.announce(
            t("session.playing", title=clip.title, id=clip.id, seconds=round(clip.duration, 1))
        )
        if self._snapshot is not None:
            self._snapshot["clip"] = {"id": clip.id, "title": clip.title}
            self._snapshot["clip_started"] = started.isoformat()
        try:
            result = self.player.play(
                clip.path, stop=self._stop_signal(), progress=self._progress_note(session, entry)
            )
            status, problem = self._judge(clip, result)
        except BaseException as exc:  # the clip's entry must not stay "started"
            if entry:
                self._log_safely(
                    self.log.finish,
                    entry,
                    "failed",
                    ended=self.now(),
                    seconds=0.0,
                    error=t("session.crashed", detail=exc),
                )
            raise
        if status == "completed":
            outcome.clips_played += 1
        else:
            outcome.status = status
        if entry:
            self._log_safely(
                self.log.finish,
                entry,
                status,
                ended=self.now(),
                seconds=result.seconds,
                error=problem,
            )
        return problem

    def _judge(self, clip: Clip, result: PlayResult) -> tuple[FinalStatus, str | None]:
        """The clip's final status and what went wrong; see the module docstring."""
        if result.stopped:
            cut_by = self._cut_by()
            if cut_by is not None:
                return "preempted", t("session.cut_reason", emergency=cut_by)
            return "interrupted", t("session.stopped")
        if not result.completed:
            return "failed", t("session.player_failed", title=clip.title, detail=result.error)
        if result.seconds + SHORT_TOLERANCE_SECONDS < clip.duration:
            return "failed", t(
                "session.clip_short",
                title=clip.title,
                played=result.seconds,
                expected=clip.duration,
                original=clip.original_name,
            )
        problem = self._relays_not_verified()
        return ("failed", problem) if problem else ("completed", None)

    def _relays_not_verified(self) -> str | None:
        """Read the relays (and the amplifier's power input) back at a clip's end."""
        try:
            self.relays.verify()
        except LoaxaError as exc:
            return str(exc)
        sense = getattr(self.relays, "sense", None)
        if sense is not None and sense.amplifier_on() is False:
            return t("relays.amplifier_lost_power")
        return None

    def _progress_note(
        self, session: EntryRef | None, entry: EntryRef | None
    ) -> Callable[[float], None] | None:
        """What the player calls every second or so, so a crash leaves an estimate."""
        if session is None or entry is None:
            return None
        return lambda seconds: self.log.note_progress(
            session, entry, seconds=seconds, at=self.now()
        )

    def _log_safely(self, write: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """A log that cannot be written (full or failing SD card, or a month file the
        card garbled, which raises ValueError) must not keep the amplifier on or
        cancel a broadcast: say so loudly and carry on."""
        try:
            return write(*args, **kwargs)
        except Exception as exc:
            logger.error(t("log.write_failed", detail=exc), exc_info=not isinstance(exc, OSError))
            self.announce(t("log.write_failed", detail=exc))
            return None
