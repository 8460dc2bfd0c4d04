"""Approval of campaign files by the commune leadership before they go on air.

With ``[policy] require_approval = true`` a campaign file airs only while its text is
a text someone approved: ``loaxa schedule approve FILE --by "Chủ tịch UBND xã …"``
records who, when and the SHA-256 of the file's text. Any later edit, one byte is
enough, changes the hash: the approval is void and the file waits ("chờ duyệt") until
it is approved again. ``loaxa schedule refuse FILE --by … --reason …`` records a refusal
the same way: the file stays in the folder, not airing. A decision belongs to the text
it was made on: a text approved once stays approved (its last good copy may run, and
an edit undone is approved again) until that very text is refused. The box judges by
the hash alone, so a file copied from a stick is approved only if its bytes are the
approved ones, whatever its name on the stick said.

The decisions live in ``approvals.json`` beside the playback log (the log's folder is
the one the box backs up and the report reads), written whole through
:func:`~firmware_host.store.write_atomically` under an ``flock``, so a power cut or two
approvals at once never lose one. The playback log has one writer, the daemon: it
takes the decisions and voids it has not logged yet from here (:meth:`Approvals.take_events`)
and writes them as events, so an approval made while the box is off is logged when it
starts. The web panel calls the same :meth:`Approvals.approve`, :meth:`~Approvals.refuse`
and :meth:`~Approvals.status`.

The hash is of the text as the checker reads it (UTF-8, without the BOM Notepad adds),
so the approved text is exactly the checked one.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from firmware_host.messages import LoaxaError, t
from firmware_host.schedules.model import Problem
from firmware_host.schedules.reader import read_schedule_text
from firmware_host.store import write_atomically

APPROVALS_NAME = "approvals.json"
LOCK_NAME = ".approvals.lock"
FORMAT = "loaxa-approvals/1"

Verdict = Literal["approved", "refused"]
State = Literal["approved", "refused", "awaiting", "voided"]
"""``awaiting``: never decided, or edited after a refusal; ``voided``: edited after
its approval."""


@dataclass(frozen=True)
class Decision:
    """Who approved or refused which text of a file, and when."""

    file: str  # the file's name in the schedules folder
    sha256: str  # of the text decided on
    verdict: Verdict
    by: str
    at: str  # ISO 8601 with the commune's offset
    reason: str = ""


@dataclass(frozen=True)
class Status:
    """Where a file's text stands: does it air, and why not."""

    file: str
    state: State
    sha256: str  # of the text as it is now
    decision: Decision | None  # the last decision on this file

    @property
    def airs(self) -> bool:
        return self.state == "approved"

    def describe(self) -> str:
        """The operator's sentence, without the file name."""
        decision = self.decision
        if decision is None:
            return t("approval.awaiting")
        when = _shown_time(decision.at)
        if self.state == "approved":
            return t("approval.approved", by=decision.by, at=when)
        if self.state == "refused":
            return t("approval.refused", by=decision.by, at=when, reason=decision.reason)
        if self.state == "voided":
            return t("approval.voided", by=decision.by, at=when)
        return t("approval.edited_after_refusal", by=decision.by, at=when)

    def problem(self, path: Path) -> Problem:
        """A file that waits, as ``schedule check`` lists it (a warning: nothing is wrong
        with the file, it only may not air yet)."""
        return Problem(
            str(path), None, "approval.waits", {"status": self.describe()}, severity="warning"
        )


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def judge(file: str, text: str, decisions: Mapping[str, Decision]) -> Status:
    """The status of *text* given the *decisions* on its file (text hash -> the last
    decision on that text, oldest first; pure). A text decided on stands as decided,
    whatever came after (so a last good copy can be judged by its own text); another
    text of a file approved before is an edit that voided it."""
    digest = text_sha256(text)
    state: State = "awaiting"
    decision = decisions.get(digest)
    if decision is not None:
        state = decision.verdict
    elif approved := [d for d in decisions.values() if d.verdict == "approved"]:
        state, decision = "voided", approved[-1]
    elif decisions:
        decision = list(decisions.values())[-1]
    return Status(file=file, state=state, sha256=digest, decision=decision)


def _shown_time(iso: str) -> str:
    try:
        return f"{datetime.fromisoformat(iso):%H:%M %d/%m/%Y}"
    except ValueError:
        return iso


class Approvals:
    """The approvals file of a box (``DATA_DIR/log/approvals.json``)."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.path = self.directory / APPROVALS_NAME

    # -- reading -----------------------------------------------------------------------
    def _read(self) -> dict[str, Any]:
        """The whole document; a missing file is an empty one, a damaged one an error
        (never overwritten: it is the record of who approved what)."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {"format": FORMAT, "files": {}, "events": [], "decisions": {}}
        try:
            doc = json.loads(raw.decode("utf-8"))
            if not isinstance(doc.get("files"), dict) or not isinstance(doc.get("events"), list):
                raise ValueError(doc.get("format"))
            doc["decisions"] = {
                name: {digest: Decision(**record) for digest, record in texts.items()}
                for name, texts in doc["files"].items()
            }
            for event in doc["events"]:
                if event["event"] not in ("approved", "refused", "voided") or not all(
                    isinstance(event[key], str) for key in ("file", "sha256", "by", "at")
                ):
                    raise ValueError(event)
        except (ValueError, TypeError, AttributeError, KeyError) as exc:
            raise LoaxaError("approval.corrupt", path=self.path, detail=exc) from exc
        return doc

    def decisions(self) -> dict[str, dict[str, Decision]]:
        """File name -> {text hash -> the last decision on that text}, oldest first."""
        return self._read()["decisions"]

    def status(self, path: Path, text: str | None = None) -> Status:
        """Where *path* stands; *text* is its text as already read (else it is read)."""
        path = Path(path)
        text = _text_of(path) if text is None else text
        return judge(path.name, text, self.decisions().get(path.name, {}))

    # -- deciding ------------------------------------------------------------------------
    def approve(self, path: Path, by: str, now: datetime) -> Decision:
        """Record that *by* approved the file's text as it is now."""
        return self._decide(path, "approved", by, now, "")

    def refuse(self, path: Path, by: str, reason: str, now: datetime) -> Decision:
        """Record that *by* refused the file's text as it is now, and why: it stays in
        the folder and does not air (until edited and approved)."""
        reason = " ".join(reason.split())
        if not reason:
            raise LoaxaError("approval.no_reason")
        return self._decide(path, "refused", by, now, reason)

    def _decide(
        self, path: Path, verdict: Verdict, by: str, now: datetime, reason: str
    ) -> Decision:
        by = " ".join(by.split())
        if not by:
            raise LoaxaError("approval.no_name")
        if now.tzinfo is None:
            raise ValueError("an approval needs a timezone-aware time")
        path = Path(path)
        decision = Decision(
            file=path.name,
            sha256=text_sha256(_text_of(path)),
            verdict=verdict,
            by=by,
            at=now.isoformat(timespec="seconds"),
            reason=reason,
        )
        with self._locked():
            doc = self._read()
            record = _record(decision)
            texts = doc["files"].setdefault(decision.file, {})
            texts.pop(decision.sha256, None)  # the newest decision last
            texts[decision.sha256] = record
            doc["events"].append({"event": verdict, **record, "logged": False})
            self._write(doc)
        return decision

    def take_events(
        self, statuses: Iterable[Status], now: datetime, record: Callable[[str, str], None]
    ) -> int:
        """Hand the decisions not yet in the playback log, and the voids seen for the
        first time (in *statuses*), to *record* (event name, sentence); each is marked
        logged once *record* returned, so a failing log write is tried again next time.
        Returns how many were recorded. Only the daemon, the log's writer, calls this.
        """
        with self._locked():
            doc = self._read()
            before = len(doc["events"])
            known = {(e["file"], e["sha256"]) for e in doc["events"] if e["event"] == "voided"}
            for status in statuses:
                if status.state == "voided" and (status.file, status.sha256) not in known:
                    assert status.decision is not None
                    doc["events"].append(
                        {
                            "event": "voided",
                            "file": status.file,
                            "sha256": status.sha256,
                            "approved_sha256": status.decision.sha256,
                            "by": status.decision.by,
                            "at": now.isoformat(timespec="seconds"),
                            "logged": False,
                        }
                    )
            done = 0
            try:
                for event in doc["events"]:
                    if event.get("logged") is False:
                        record(f"schedule_{event['event']}", _event_sentence(event))
                        event["logged"] = True
                        done += 1
            finally:
                if done or len(doc["events"]) > before:
                    self._write(doc)
        return done

    # -- the file ----------------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.directory / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _write(self, doc: dict[str, Any]) -> None:
        stored = {"format": FORMAT, "files": doc["files"], "events": doc["events"]}
        text = json.dumps(stored, ensure_ascii=False, indent=1)
        write_atomically(self.path, (text + "\n").encode("utf-8"))


def _record(decision: Decision) -> dict[str, Any]:
    return {
        "file": decision.file,
        "sha256": decision.sha256,
        "verdict": decision.verdict,
        "by": decision.by,
        "at": decision.at,
        "reason": decision.reason,
    }


def _event_sentence(event: dict[str, Any]) -> str:
    when = _shown_time(event["at"])
    if event["event"] == "voided":
        return t("approval.event_voided", file=event["file"], by=event["by"])
    if event["event"] == "refused":
        return t(
            "approval.event_refused",
            file=event["file"],
            by=event["by"],
            at=when,
            reason=event.get("reason", ""),
        )
    return t("approval.event_approved", file=event["file"], by=event["by"], at=when)


def _text_of(path: Path) -> str:
    text = read_schedule_text(path)
    if isinstance(text, Problem):
        raise LoaxaError("approval.unreadable", problem=str(text))
    return text
