"""Work that outlasts a request: a clip's import, a text read aloud, the self-test.

A Pi Zero takes minutes to normalise a long clip; a browser request must not wait that
long, and a phone that loses the Wi-Fi must not lose the import. So the view starts a
:class:`Job` and answers at once with the job's page, which asks for the job's state
every second (``static/panel.js``) until it has a verdict. What a job says (its stage,
its verdict) is kept as message keys and parameters, or as the library's own
:class:`LoaxaError`, and rendered when the page is drawn: in the language of whoever
reads it, at that moment.

Media work (ffmpeg, espeak-ng) runs one job at a time, in order (:data:`MEDIA`): two
imports at once would only make both slower on a Pi and double the memory. Work that
must not wait behind an import (an emergency read aloud, the self-test) has a thread
of its own. A job belongs to the person who started it; nobody else sees it. The last
:data:`KEPT` jobs are remembered, in memory only: a restart of the panel forgets them
(an import cut by it leaves nothing behind, the library's own rule).

A job may ask its owner a question and wait for the answer (the self-test: "did the
relay click?"); unanswered after :data:`ANSWER_SECONDS`, the answer is no.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from firmware_host.messages import LoaxaError, set_thread_language, t

logger = logging.getLogger("loaxa.web")

KEPT = 50
ANSWER_SECONDS = 300.0
MEDIA = "media"
ALONE = "alone"


@dataclass(frozen=True)
class Said:
    """A sentence to render when shown: a catalogue key and its parameters."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return t(self.key, **self.params)


@dataclass
class Job:
    """One piece of work and what is known of it so far (read by the page's thread,
    written by the job's: each field is replaced whole, never changed in place)."""

    id: str
    owner: str
    kind: str  # what the job page says it is, and where its links lead
    title: str
    stage: Said | None = None
    part: float | None = None  # how far into the stage (0–1), None when unknown
    done: bool = False
    ok: bool = False
    verdict: Said | LoaxaError | None = None
    result: dict[str, Any] = field(default_factory=dict)
    question: Said | None = None
    notes: list[Said] = field(default_factory=list)
    _answer: bool | None = None
    _answered: threading.Event = field(default_factory=threading.Event)

    # -- called by the work -----------------------------------------------------------
    def tell(self, key: str, part: float | None = None, **params: Any) -> None:
        """The stage the work is in, and how far into it."""
        self.stage, self.part = Said(key, params), part

    def note(self, key: str, **params: Any) -> None:
        self.notes = [*self.notes, Said(key, params)]

    def ask(self, key: str, **params: Any) -> bool:
        """Ask the owner a yes/no question and wait for the answer (no, after
        :data:`ANSWER_SECONDS`)."""
        self._answered.clear()
        self._answer = None
        self.question = Said(key, params)
        answered = self._answered.wait(ANSWER_SECONDS)
        self.question = None
        return bool(answered and self._answer)

    # -- called by the owner's request ------------------------------------------------
    def answer(self, yes: bool) -> None:
        if self.question is not None:
            self._answer = yes
            self._answered.set()


Work = Callable[[Job], "tuple[Said, dict[str, Any]] | Said"]
"""What a job does: told its job (to report stages, ask questions), it returns its
verdict (and a result for the page's links), or raises LoaxaError as its refusal."""


class Jobs:
    """The jobs of one panel process."""

    def __init__(self) -> None:
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._media = ThreadPoolExecutor(max_workers=1, thread_name_prefix="media")

    def start(
        self, work: Work, *, owner: str, kind: str, title: str, lane: str = MEDIA,
        language: str = "vi",
    ) -> Job:  # fmt: skip
        """Run *work* in the background; the job is returned at once, waiting or running."""
        job = Job(id=secrets.token_urlsafe(9), owner=owner, kind=kind, title=title)
        job.tell("web.job.waiting")
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > KEPT:
                self._jobs.popitem(last=False)

        def run() -> None:
            set_thread_language(language)  # the owner's: a refusal from the daemon is theirs
            job.tell("web.job.started")
            try:
                outcome = work(job)
                verdict, result = outcome if isinstance(outcome, tuple) else (outcome, {})
                job.result, job.verdict, job.ok = result, verdict, True
            except LoaxaError as refused:
                job.verdict = refused
            except Exception:  # one job's fault stays that job's
                logger.exception("job %s (%s) failed", job.id, kind)
                job.verdict = Said("web.error.500")
            finally:
                job.stage, job.question, job.done = None, None, True
                set_thread_language(None)

        if lane == MEDIA:
            self._media.submit(run)
        else:
            threading.Thread(target=run, name=f"job-{kind}", daemon=True).start()
        return job

    def get(self, job_id: str, owner: str) -> Job | None:
        """The job *job_id* if *owner* started it (nobody else learns it exists)."""
        job = self._jobs.get(job_id)
        return job if job is not None and job.owner == owner else None

    def of(self, owner: str, kind: str) -> list[Job]:
        """*owner*'s jobs of *kind*, newest first."""
        with self._lock:
            jobs = list(self._jobs.values())
        return [job for job in reversed(jobs) if job.owner == owner and job.kind == kind]
