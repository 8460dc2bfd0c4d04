"""Step 2 of a sync: clips and schedules from the stick, through the box's own checks."""

from __future__ import annotations

import contextlib
import errno
import logging
import math
import os
import stat
import tempfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from firmware_host.config import Config
from firmware_host.messages import LoaxaError, t
from firmware_host.store import write_atomically
from firmware_host.textout import nfc
from firmware_host.usb.result import (
    CLIP_SUFFIXES,
    MAX_CLIP_BYTES,
    MAX_SCHEDULE_BYTES,
    SCHEDULE_SUFFIX,
    Entry,
    StickGone,
    SyncResult,
)
from firmware_host.usb.writer import (
    StickWriter,
    error_detail,
    link_on_the_way,
    on_stick,
)

if TYPE_CHECKING:
    from firmware_host.clips import ClipLibrary

logger = logging.getLogger("loaxa.usb")

_SYSTEM_FILES = frozenset(
    {".DS_Store", ".Trashes", ".Spotlight-V100", ".fseventsd", ".TemporaryItems"}
)


def shown(raw: str) -> str:
    """A name from the stick as readable text (FAT names may not be valid UTF-8)."""
    return nfc(os.fsencode(raw).decode("utf-8", "replace"))


def about(name: str, key: str, /, **params: object) -> Entry:
    """A receipt line for a short reason that does not name the file itself."""
    return Entry(name, f"'{name}': {t(key, **params)}")


def safe_name(raw: str) -> bool:
    """A plain file name: nothing that could climb out of a folder or hide a control."""
    return not (
        raw in ("", ".", "..")
        or ".." in raw.split("\\")
        or any(ch in raw for ch in "/\\")
        or any(ord(ch) < 32 or ord(ch) == 127 for ch in raw)
        or len(os.fsencode(raw)) > 255
    )


# ---------------------------------------------------------------------- 2. import


def import_from_stick(
    config: Config, moment: datetime, writer: StickWriter, result: SyncResult
) -> None:
    from firmware_host.clips import ClipLibrary

    stick = writer.stick
    shown_folder = config.usb.import_folder
    folder = on_stick(stick, shown_folder)
    if link_on_the_way(stick, folder) is not None:
        result.refused.append(Entry(shown_folder, t("usb.folder_is_link", folder=shown_folder)))
        return
    if not folder.is_dir():
        writer.check_present(OSError(errno.ENODEV, os.strerror(errno.ENODEV)))
        result.notes.append(t("usb.no_import_folder", folder=shown_folder))
        export = on_stick(stick, config.usb.export_folder)
        if export in folder.parents and writer.can_write:
            # Show the officer where to put files next time (inside our own folder only).
            parts = writer.where(folder).relative_to(writer.root).parts
            writer.attempt(lambda: writer.folder(parts))
        return
    try:
        listing = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        writer.check_present(exc)
        result.notes.append(
            t("usb.unreadable_folder", folder=shown_folder, detail=error_detail(exc))
        )
        return

    clips: list[tuple[Path, str]] = []
    schedules: list[tuple[Path, str]] = []
    for item in listing:
        name = shown(item.name)
        try:
            kind, entry = _sort(item, name, shown_folder, writer)
        except StickGone:
            raise
        except Exception as exc:  # one odd entry must not stop the others
            logger.exception("usb import: %s", name)
            kind, entry = "refused", about(name, "usb.file_failed", detail=exc)
        if kind in ("clip", "schedule"):
            (clips if kind == "clip" else schedules).append((Path(item.path), name))
        elif kind != "skip":
            (result.refused if kind == "refused" else result.ignored).append(entry)

    library = ClipLibrary(config)
    for path, name in clips:
        _import_clip(library, path, name, writer, result)
    if schedules:
        _import_schedules(config, library, schedules, clips, writer, result)
    if not (clips or schedules or result.refused or result.ignored):
        result.notes.append(t("usb.nothing_to_import", folder=shown_folder))


def _sort(item: os.DirEntry[str], name: str, folder: str, writer: StickWriter) -> tuple[str, Entry]:
    """What one entry of the import folder is: ("clip"|"schedule", -) to read, or
    ("refused"|"ignored", its receipt line), or ("skip", -) for system litter."""
    none = Entry(name, "")
    if item.name.startswith("._") or item.name in _SYSTEM_FILES:
        return "skip", none  # left by macOS/Windows, never by the officer: not worth a line
    try:
        info = item.stat(follow_symlinks=False)
    except OSError as exc:
        writer.check_present(exc)
        return "refused", about(name, "usb.unreadable", detail=error_detail(exc))
    suffix = Path(name).suffix.lower()
    if stat.S_ISLNK(info.st_mode):
        return "refused", about(name, "usb.symlink", folder=folder)
    if not safe_name(item.name):
        return "refused", about(name, "usb.unsafe_name")
    if item.name.startswith("."):
        return "ignored", about(name, "usb.hidden")
    if stat.S_ISDIR(info.st_mode):
        return "ignored", about(name, "usb.subfolder", folder=folder)
    if not stat.S_ISREG(info.st_mode):
        return "refused", about(name, "usb.not_a_file")
    if suffix in CLIP_SUFFIXES:
        if info.st_size > MAX_CLIP_BYTES:
            megabytes, maximum = info.st_size // 2**20, MAX_CLIP_BYTES // 2**20
            return "refused", about(name, "usb.too_big", megabytes=megabytes, maximum=maximum)
        return "clip", none
    if suffix == SCHEDULE_SUFFIX:
        if info.st_size > MAX_SCHEDULE_BYTES:
            kilobytes = info.st_size // 1024
            return "refused", about(name, "usb.schedule_too_big", kilobytes=kilobytes)
        return "schedule", none
    return "ignored", about(name, "usb.ignored_type")


def _import_clip(
    library: ClipLibrary, path: Path, name: str, writer: StickWriter, result: SyncResult
) -> None:
    if result.dry_run:
        result.imported.append(Entry(name, t("usb.would_import", name=name)))
        return
    try:
        clip = library.import_file(path)
    except LoaxaError as exc:
        writer.check_present(exc)
        if exc.key == "clips.duplicate":
            result.already.append(Entry(name, str(exc), ref=str(exc.params.get("id"))))
        else:
            result.refused.append(Entry(name, str(exc)))
        return
    except Exception as exc:  # one odd file must not stop the others
        logger.exception("import of %s failed", name)
        result.refused.append(Entry(name, t("error.unexpected", detail=exc)))
        return
    from firmware_host.textout import format_seconds

    result.imported.append(
        Entry(
            name,
            t(
                "usb.clip_imported",
                name=name,
                id=clip.id,
                title=clip.title,
                duration=format_seconds(clip.duration),
            ),
            ref=clip.id,
        )
    )


def read_small(path: Path, limit: int) -> bytes:
    """Read at most *limit* bytes, never through a link (O_NOFOLLOW closes the gap
    between the listing and the read)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise OSError(errno.EFBIG, os.strerror(errno.EFBIG))
    return data


def _import_schedules(
    config: Config,
    library: ClipLibrary,
    candidates: list[tuple[Path, str]],
    clips: list[tuple[Path, str]],
    writer: StickWriter,
    result: SyncResult,
) -> None:
    """Check the stick's schedules together with the box's, install the good ones."""
    from firmware_host.clips import slugify
    from firmware_host.schedules import schedule_files
    from firmware_host.schedules.rules import BoxRules

    directory = config.scheduler.schedules_dir
    box_files = {nfc(p.name): p for p in schedule_files(directory)}
    staged: dict[str, tuple[str, bytes]] = {}  # box file name -> (stick name, bytes)
    for path, name in candidates:
        try:
            data = read_small(path, MAX_SCHEDULE_BYTES)
        except OSError as exc:
            writer.check_present(exc)
            result.refused.append(about(name, "usb.unreadable", detail=error_detail(exc)))
            continue
        except Exception as exc:  # one odd file must not stop the others
            logger.exception("usb import: %s", name)
            result.refused.append(about(name, "usb.file_failed", detail=exc))
            continue
        # The box's existing spelling wins, so an update replaces the file it updates.
        target = box_files.get(nfc(name), directory / nfc(name)).name
        if target in staged:
            result.refused.append(about(name, "usb.schedule_twice", other=staged[target][0]))
            continue
        staged[target] = (name, data)
    if not staged:
        return

    refs = dict(library.refs())
    versions = library.versions()
    if result.dry_run:  # the stick's clips are not imported on a dry run; see module doc
        for path, _name in clips:
            stem = nfc(path.stem)
            refs.setdefault(stem, 0.0)
            refs.setdefault(slugify(stem), 0.0)
    with tempfile.TemporaryDirectory(prefix="loaxa-usb-check-") as tmp:
        checked = {}
        for target, (_name, data) in staged.items():
            (Path(tmp) / target).write_bytes(data)
            checked[str(Path(tmp) / target)] = target
        others = [p for p in box_files.values() if p.name not in staged]
        problems, broken = _check_each(BoxRules.of(config, refs, versions), others, checked)
    for target, detail in broken.items():
        name = staged.pop(target)[0]
        result.refused.append(about(name, "usb.schedule_broken", detail=detail))
    errors: dict[str, list[str]] = {target: [] for target in staged}
    warnings: dict[str, list[str]] = {target: [] for target in staged}
    for problem in problems:
        mine = checked.get(problem.file)
        shown = staged[mine][0] if mine else Path(problem.file).name
        line = str(replace(problem, file=shown))  # a whole-file problem has no line
        if mine is not None:
            (errors if problem.severity == "error" else warnings)[mine].append(line)
        # A collision reported on a box file still blocks the stick file it names:
        # installing it would get the box's running file refused by the daemon.
        other = problem.params.get("other_file") if problem.key == "schedule.overlap" else None
        if other in staged and other != mine:
            errors[str(other)].append(line)

    for target, (name, data) in staged.items():
        if errors[target]:
            result.refused.append(
                Entry(name, t("usb.schedule_refused", name=name) + "\n" + "\n".join(errors[target]))
            )
            continue
        result.notes.extend(warnings[target])
        destination = directory / target
        with contextlib.suppress(OSError):
            if destination.read_bytes() == data:
                result.already.append(Entry(name, t("usb.schedule_same", name=name)))
                continue
        if result.dry_run:
            result.imported.append(Entry(name, t("usb.would_install", name=name)))
            continue
        try:
            write_atomically(destination, data)
        except Exception as exc:  # the box's disk, or a bug: this file only
            result.refused.append(
                Entry(name, t("usb.schedule_not_saved", name=name, detail=error_detail(exc)))
            )
            continue
        installed = t(
            "usb.schedule_installed", name=name, seconds=math.ceil(config.scheduler.reload_seconds)
        )
        if config.policy.require_approval:  # new bytes: no approval covers them yet
            installed += "\n" + _approval_note(config, destination)
        result.imported.append(Entry(name, installed, ref=str(destination)))


def _approval_note(config: Config, path: Path) -> str:
    """Whether a schedule just installed may air (the commune requires approval)."""
    from firmware_host.schedules.approvals import Approvals

    try:
        status = Approvals(config.log_dir).status(path)
    except LoaxaError as exc:
        return str(exc)
    if status.airs:
        return status.describe()
    return t("usb.schedule_awaits", status=status.describe())


def _check_each(
    rules: Any, others: list[Path], checked: dict[str, str]
) -> tuple[list[Any], dict[str, str]]:
    """The problems of the stick's schedules checked with the box's, and the ones that
    break the check itself ({target: what}), so that an exception in one file (a TOML
    nested 100,000 deep raises RecursionError) refuses that file alone."""

    def check(paths: list[str]) -> list[Any]:
        return list(rules.check([*others, *(Path(p) for p in paths)])[1])

    with contextlib.suppress(Exception):
        return check(list(checked)), {}
    broken: dict[str, str] = {}
    for path, target in checked.items():
        try:
            check([path])
        except Exception as exc:
            broken[target] = type(exc).__name__
    sound = [path for path, target in checked.items() if target not in broken]
    try:
        return check(sound), broken
    except Exception as exc:  # only together: refuse them all rather than guess
        return [], {**broken, **{checked[path]: type(exc).__name__ for path in sound}}
