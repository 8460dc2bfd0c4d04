"""The panel's accounts: names, roles, argon2 password hashes, one-time passwords.

Roles follow who runs commune radio: ``can-bo`` (the officer: clips, campaigns, play,
log, reports), ``lanh-dao`` (the leadership: approval, emergency) and ``ky-thuat`` (the
technician: accounts, system). One person may hold several. Nobody chooses a first
password: ``add`` and ``reset`` hand out a one-time password, shown once, that must be
replaced at the first login, so the technician who created an account never knows the
password its owner uses.

Stored in ``DATA_DIR/web/users.json`` (0600, replaced atomically: a power cut leaves the
old file or the new one). The panel and the command line (``loaxa users …``, another
process) both change it, so every change is read-modify-write under an exclusive lock
on ``users.lock``; readers need no lock. Every change is written to the audit log
(:mod:`firmware_host.web.audit`) with who made it and from where.

Hashing is argon2id with 12 MiB and 3 passes (one of OWASP's equivalent settings): the
library's default of 64 MiB would make every login cost more memory than the whole
panel may use on a Pi Zero. Every hash is computed by one thread of its own, one at a
time: ten phones logging in together cost 12 MiB, not 120, and the 12 MiB stays in that
thread's malloc arena instead of one per server thread (glibc keeps a freed block of
that size in the arena that used it: measured, 8 server threads held 109 MiB after 20
logins, one hashing thread 47). The settings are stored in each hash, so they can be
raised later without locking anyone out.
"""

from __future__ import annotations

import fcntl
import functools
import json
import os
import secrets
import unicodedata
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher

# InvalidHash, not InvalidHashError: argon2-cffi 21.1 (Debian bookworm) has only this name.
from argon2.exceptions import InvalidHash, VerificationError

from firmware_host.messages import LoaxaError, error_text
from firmware_host.store import write_atomically
from firmware_host.web.audit import AuditLog

ROLES = ("can-bo", "lanh-dao", "ky-thuat")
TECHNICIAN = "ky-thuat"
NAME_MAX = 64
PASSWORD_MIN = 8
PASSWORD_MAX = 128
# One-time passwords: 12 letters and digits a phone keyboard types without shift and
# nobody misreads (no 0/o, 1/l/i), in groups of four: about 59 bits.
ONE_TIME_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
FILE_FORMAT = 1

_hasher = PasswordHasher(time_cost=3, memory_cost=12 * 1024, parallelism=1)
_hashing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="argon2")


def _hash(password: str) -> str:
    return _hashing.submit(_hasher.hash, password).result()


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHash):
        return False


def _matches(stored: str, password: str) -> bool:
    return _hashing.submit(_verify, stored, password).result()


@functools.cache
def _nobody() -> str:
    """Verified when a name is unknown, so a wrong name costs what a wrong password does
    (made on first use: ``loaxa users list`` need not pay for a hash)."""
    return _hash(secrets.token_hex(16))


def one_time_password() -> str:
    groups = ("".join(secrets.choice(ONE_TIME_ALPHABET) for _ in range(4)) for _ in range(3))
    return "-".join(groups)


def clean_name(name: str) -> str:
    """*name* as stored: NFC, outer spaces removed; refused when empty, too long or
    holding characters a reader cannot see (controls, bidi overrides, zero-widths,
    line breaks) — a name must look like what it is in every list it appears in."""
    name = unicodedata.normalize("NFC", name.strip())
    hidden = [ch for ch in name if ch != " " and unicodedata.category(ch)[0] in "CZ"]
    if not name or len(name) > NAME_MAX or hidden:
        raise LoaxaError("web.users.bad_name", name=name, most=NAME_MAX)
    return name


def clean_roles(roles: Iterable[str]) -> tuple[str, ...]:
    wanted = [role.strip() for role in roles]
    unknown = [role for role in wanted if role not in ROLES]
    if unknown or not wanted:
        raise LoaxaError("web.users.bad_role", role=", ".join(unknown), roles=", ".join(ROLES))
    return tuple(role for role in ROLES if role in wanted)


def check_new_password(name: str, password: str) -> None:
    if len(password) < PASSWORD_MIN:
        raise LoaxaError("web.password.too_short", least=PASSWORD_MIN)
    if len(password) > PASSWORD_MAX:
        raise LoaxaError("web.password.too_long", most=PASSWORD_MAX)
    if password.casefold() == name.casefold():
        raise LoaxaError("web.password.is_name")


@dataclass(frozen=True)
class User:
    name: str
    roles: tuple[str, ...]
    must_change: bool  # holds a one-time password
    created: str  # ISO time, box zone
    created_by: str
    epoch: int  # raised by a reset or a password change: sessions of older epochs end

    def has(self, role: str) -> bool:
        return role in self.roles


class UserStore:
    """The accounts of one box. *zone*: the box's time zone, for the audit log."""

    def __init__(self, folder: Path, zone: ZoneInfo) -> None:
        self.folder = Path(folder)
        self.zone = zone
        self.path = self.folder / "users.json"
        self.audit = AuditLog(self.folder, zone)
        self._cache: tuple[tuple[int, int, int], dict[str, dict[str, Any]]] | None = None

    @classmethod
    def for_data_dir(cls, data_dir: Path, zone: ZoneInfo) -> UserStore:
        return cls(Path(data_dir) / "web", zone)

    # -- reading ------------------------------------------------------------------------
    def _records(self) -> dict[str, dict[str, Any]]:
        """name -> stored record. Re-read only when the file changed (every request of
        the panel asks who is logged in)."""
        try:
            info = self.path.stat()
        except FileNotFoundError:
            return {}
        stamp = (info.st_ino, info.st_size, info.st_mtime_ns)
        if self._cache and self._cache[0] == stamp:
            return self._cache[1]
        try:
            document = json.loads(self.path.read_bytes())
            records = {entry["name"]: entry for entry in document["users"]}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise LoaxaError(
                "web.users.unreadable", path=self.path, detail=error_text(exc)
            ) from None
        self._cache = (stamp, records)
        return records

    @staticmethod
    def _user(record: dict[str, Any]) -> User:
        return User(
            name=record["name"],
            roles=tuple(record["roles"]),
            must_change=record["must_change"],
            created=record["created"],
            created_by=record["created_by"],
            epoch=record["epoch"],
        )

    def list(self) -> list[User]:
        return sorted(
            (self._user(r) for r in self._records().values()), key=lambda u: u.name.casefold()
        )

    def get(self, name: str) -> User | None:
        """The account called *name* (letter case does not matter)."""
        record = self._find(self._records(), name)
        return self._user(record) if record else None

    @staticmethod
    def _find(records: dict[str, dict[str, Any]], name: str) -> dict[str, Any] | None:
        folded = unicodedata.normalize("NFC", name.strip()).casefold()
        return next((r for n, r in records.items() if n.casefold() == folded), None)

    def verify(self, name: str, password: str) -> User | None:
        """The account if *password* is its password, else None (same cost either way)."""
        record = self._find(self._records(), name)
        if record is None:
            _matches(_nobody(), password)
            return None
        return self._user(record) if _matches(record["hash"], password) else None

    # -- changing -------------------------------------------------------------------------
    @contextmanager
    def _changing(self) -> Iterator[dict[str, dict[str, Any]]]:
        """The records, locked against the other process, written back at the end."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.folder / "users.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            records = {name: dict(record) for name, record in self._records().items()}
            yield records
            ordered = sorted(records.values(), key=lambda r: r["name"].casefold())
            document = {"format": FILE_FORMAT, "users": ordered}
            text = json.dumps(document, ensure_ascii=False, indent=1) + "\n"
            write_atomically(self.path, text.encode("utf-8"), mode=0o600)
        finally:
            os.close(fd)  # releases the lock

    def _now(self) -> str:
        return datetime.now(self.zone).isoformat(timespec="seconds")

    def add(self, name: str, roles: Iterable[str], *, by: str, origin: str) -> str:
        """Create an account; returns its one-time password (show it once, store it never)."""
        name, roles = clean_name(name), clean_roles(roles)
        password = one_time_password()
        with self._changing() as records:
            if self._find(records, name):
                raise LoaxaError("web.users.exists", name=name)
            user = User(name, roles, True, self._now(), by, epoch=1)
            records[name] = {**asdict(user), "roles": list(roles), "hash": _hash(password)}
        self.audit.record("user.add", who=by, origin=origin, target=name, detail={"roles": roles})
        return password

    def reset(self, name: str, *, by: str, origin: str) -> str:
        """A new one-time password for *name*; its sessions end."""
        password = one_time_password()
        with self._changing() as records:
            record = self._existing(records, name)
            record.update(hash=_hash(password), must_change=True, epoch=record["epoch"] + 1)
            name = record["name"]
        self.audit.record("user.reset", who=by, origin=origin, target=name)
        return password

    def remove(self, name: str, *, by: str, origin: str) -> None:
        """Delete *name*'s account; refused for the last technician (nobody could then
        manage accounts from the panel)."""
        with self._changing() as records:
            record = self._existing(records, name)
            technicians = [r for r in records.values() if TECHNICIAN in r["roles"]]
            if TECHNICIAN in record["roles"] and len(technicians) == 1:
                raise LoaxaError("web.users.last_technician", name=record["name"])
            del records[record["name"]]
            name = record["name"]
        self.audit.record("user.remove", who=by, origin=origin, target=name)

    def change_password(self, name: str, current: str, new: str, *, origin: str) -> User:
        """The owner's own change (the one-time password, or any later one); the other
        sessions of the account end, and the caller starts a new one."""
        with self._changing() as records:
            record = self._existing(records, name)
            if not _matches(record["hash"], current):
                raise LoaxaError("web.password.wrong_current")
            check_new_password(record["name"], new)
            if _matches(record["hash"], new):
                raise LoaxaError("web.password.same")
            record.update(hash=_hash(new), must_change=False, epoch=record["epoch"] + 1)
            user = self._user(record)
        self.audit.record("user.password", who=user.name, origin=origin, target=user.name)
        return user

    def _existing(self, records: dict[str, dict[str, Any]], name: str) -> dict[str, Any]:
        record = self._find(records, name)
        if record is None:
            raise LoaxaError("web.users.unknown", name=name)
        return record
