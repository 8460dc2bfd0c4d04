"""Who wrote each campaign file through the panel, and the texts they wrote.

The approval rule of issue 14 is a four-eyes rule: the person who created or edited a
campaign cannot approve it. The approvals file (``schedules/approvals.py``) records
who *decided*, by the text's SHA-256; this records who *wrote*, also by hash: one
entry per version the panel saved (``DATA_DIR/web/authors.json``), and the text of
each version (``DATA_DIR/web/versions/<sha256>.toml``) so the approval page can show
what changed since the version last approved. Both are written atomically under a
lock (the panel's threads; the CLI never writes here).

A file written by hand or brought on a stick has no author here: the panel says so,
and whoever may approve can (the command line has only ``--by`` too). A version's
authors are everyone who saved it or any version after the last approved one, and the
file's creator: an approver who only fixed a typo in someone else's campaign still
wrote part of what is to be approved.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from firmware_host.messages import LoaxaError, error_text
from firmware_host.store import write_atomically

FILE_NAME = "authors.json"
VERSIONS = "versions"
HISTORY_KEPT = 20  # versions of one file remembered (and their texts kept)


def text_sha256(text: str) -> str:
    """The hash the approvals file keeps for a text (UTF-8, no BOM)."""
    return hashlib.sha256(text.removeprefix("\ufeff").encode("utf-8")).hexdigest()


class Authors:
    """The authors of one box's campaign files (kept in ``DATA_DIR/web``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / FILE_NAME
        self.versions = self.folder / VERSIONS

    def _read(self) -> dict[str, list[dict[str, Any]]]:
        try:
            document = json.loads(self.path.read_bytes())
            files = document["files"]
            if not isinstance(files, dict):
                raise TypeError(type(files).__name__)
            return files
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise LoaxaError(
                "web.authors.unreadable", path=self.path, detail=error_text(exc)
            ) from None

    @contextlib.contextmanager
    def _changing(self) -> Iterator[dict[str, list[dict[str, Any]]]]:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.folder / ".authors.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            files = self._read()
            yield files
            text = json.dumps({"files": files}, ensure_ascii=False, indent=1) + "\n"
            write_atomically(self.path, text.encode("utf-8"), mode=0o600)
        finally:
            os.close(fd)

    def wrote(self, file: str, text: str, who: str, now: datetime) -> None:
        """*who* saved *text* as the campaign file *file* (its name in the folder)."""
        digest = text_sha256(text)
        self.keep_text(text)
        with self._changing() as files:
            history = files.setdefault(file, [])
            history.append(
                {"sha256": digest, "by": who, "at": now.isoformat(timespec="seconds"),
                 "created": not history}
            )  # fmt: skip
            dropped, history[:] = history[:-HISTORY_KEPT], history[-HISTORY_KEPT:]
            self._drop_texts(files, dropped)

    def forget(self, file: str) -> None:
        """The file was deleted: its history goes (a new file of that name is new)."""
        with self._changing() as files:
            self._drop_texts(files, files.pop(file, []))

    def history(self, file: str) -> list[dict[str, Any]]:
        """The versions of *file* the panel saved, oldest first."""
        return list(self._read().get(file, []))

    def since(self, file: str, approved: str | None) -> list[str]:
        """Who wrote the text awaiting approval: the file's creator, and everyone who
        saved a version after the one whose hash is *approved* (all, if none was)."""
        history = self.history(file)
        start = 0
        for index, entry in enumerate(history):
            if entry["sha256"] == approved:
                start = index + 1
        names = [entry["by"] for entry in history if entry.get("created")]
        names += [entry["by"] for entry in history[start:]]
        return list(dict.fromkeys(names))

    # -- texts ------------------------------------------------------------------------
    def keep_text(self, text: str) -> None:
        """Keep *text* (a version saved, or a version approved) for later comparisons."""
        path = self.versions / f"{text_sha256(text)}.toml"
        if not path.exists():
            write_atomically(path, text.encode("utf-8"), mode=0o600)

    def text_of(self, digest: str) -> str | None:
        """The text whose hash is *digest*, if the panel kept it."""
        if not all(ch in "0123456789abcdef" for ch in digest) or len(digest) != 64:
            return None
        try:
            return (self.versions / f"{digest}.toml").read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def _drop_texts(
        self, files: dict[str, list[dict[str, Any]]], dropped: list[dict[str, Any]]
    ) -> None:
        """Delete the kept texts of *dropped* versions that no history names any more
        (texts kept because they were approved stay: they are what a diff starts from)."""
        named = {entry["sha256"] for history in files.values() for entry in history}
        for entry in dropped:
            if entry["sha256"] not in named:
                (self.versions / f"{entry['sha256']}.toml").unlink(missing_ok=True)
