"""The daemon's door for the other processes of the box: a JSON API on a Unix socket.

Only the daemon drives the relays. The web panel, the province link and the command line
(``loaxa emergency``, ``loaxa play`` while the daemon runs) ask it through this socket,
``DATA_DIR/control.sock``; everything else (clips, schedules, approvals, the log,
reports) they do themselves with the same library functions the CLI uses. The daemon
therefore never imports a web or MQTT stack, and one set of checks serves every door.

Wire format (docs/control-api.md): one request per connection, one JSON object of at
most :data:`MAX_REQUEST` bytes ending in a newline; one JSON answer ending in a newline.
Who may ask: root and the daemon's own user (``SO_PEERCRED``); the socket file is 0660
in the data folder. A request that cannot be read, an unknown operation, a wrong
argument or an exception inside a handler each get ``{"ok": false, "error": {...}}``
with a sentence in the asked language; the server and the daemon carry on.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import socketserver
import struct
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from firmware_host.messages import LANGUAGES, LoaxaError, language, set_language, t

logger = logging.getLogger("loaxa.control")

SOCKET_NAME = "control.sock"
MAX_REQUEST = 64 * 1024
READ_TIMEOUT = 5.0
CLIENT_TIMEOUT = 10.0

Handler = Callable[[Mapping[str, Any]], dict[str, Any]]
"""An operation: the request's arguments in, the answer's fields out (``ok`` is added).
Raise :class:`LoaxaError` to refuse with a sentence."""

_language_lock = threading.Lock()  # messages' language is process-wide


def socket_path(data_dir: Path) -> Path:
    return Path(data_dir) / SOCKET_NAME


def _error(key: str, **params: object) -> dict[str, Any]:
    return {"ok": False, "error": {"key": key, "message": t(key, **params)}}


class _Connection(socketserver.StreamRequestHandler):
    server: ControlServer

    def handle(self) -> None:
        self.connection.settimeout(READ_TIMEOUT)
        try:
            allowed = self.server.peer_allowed(self.connection)
            raw = self.rfile.readline(MAX_REQUEST + 1)
        except OSError:
            return
        answer = self.server.answer(raw) if allowed else _error("control.not_allowed")
        with contextlib.suppress(OSError):
            self.wfile.write(json.dumps(answer, ensure_ascii=False, default=str).encode() + b"\n")


class ControlServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    """Serves *handlers* (operation name → :data:`Handler`) on *path* in a thread."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, path: Path, handlers: Mapping[str, Handler]) -> None:
        self.path = Path(path)
        self.handlers = dict(handlers)
        self.allowed_uids = {0, os.geteuid()}
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # left by a daemon that died; no one listens on it
        super().__init__(str(self.path), _Connection)
        os.chmod(self.path, 0o660)
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self.serve_forever, name="control", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.shutdown()
        self.server_close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def peer_allowed(self, connection: socket.socket) -> bool:
        creds = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        _pid, uid, _gid = struct.unpack("3i", creds)
        return uid in self.allowed_uids

    def answer(self, raw: bytes) -> dict[str, Any]:
        """The answer to one request line; never raises."""
        if len(raw) > MAX_REQUEST:
            return _error("control.too_big", maximum=MAX_REQUEST)
        try:
            request = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return _error("control.bad_request")
        if not isinstance(request, dict) or not isinstance(request.get("op"), str):
            return _error("control.bad_request")
        wanted = request.get("lang")
        with _language_lock:
            before = language()
            if wanted in LANGUAGES:
                set_language(str(wanted))
            try:
                return self._run(request)
            finally:
                set_language(before)

    def _run(self, request: dict[str, Any]) -> dict[str, Any]:
        handler = self.handlers.get(request["op"])
        if handler is None:
            return _error("control.unknown_op", op=request["op"], known=", ".join(self.handlers))
        try:
            return {"ok": True, **handler(request)}
        except LoaxaError as exc:
            return {"ok": False, "error": {"key": exc.key, "message": str(exc)}}
        except Exception as exc:  # one request's bug stays that request's
            logger.exception("control request %s failed", request["op"])
            return _error("error.unexpected", detail=f"{type(exc).__name__}: {exc}")


class ControlClient:
    """Ask the running daemon. ``call`` raises ``LoaxaError("control.no_daemon")`` when
    none answers, and the daemon's own refusal as a LoaxaError with its key."""

    def __init__(self, data_dir: Path, *, timeout: float = CLIENT_TIMEOUT) -> None:
        self.path = socket_path(data_dir)
        self.timeout = timeout

    def running(self) -> bool:
        try:
            self.call("status")
        except LoaxaError as exc:
            return exc.key != "control.no_daemon"
        return True

    def call(self, op: str, **arguments: Any) -> dict[str, Any]:
        request = {"op": op, "lang": language(), **arguments}
        data = json.dumps(request, ensure_ascii=False, default=str).encode() + b"\n"
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
                connection.settimeout(self.timeout)
                connection.connect(str(self.path))
                connection.sendall(data)
                with connection.makefile("rb") as answer_file:
                    line = answer_file.readline(16 * 1024 * 1024)
        except (FileNotFoundError, ConnectionRefusedError):
            raise LoaxaError("control.no_daemon") from None
        except OSError as exc:
            raise LoaxaError("control.failed", detail=exc) from exc
        try:
            answer = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise LoaxaError("control.failed", detail=exc) from exc
        if not isinstance(answer, dict):
            raise LoaxaError("control.failed", detail=type(answer).__name__)
        if not answer.get("ok"):
            error = answer.get("error")
            error = error if isinstance(error, dict) else {}
            raise _Refused(str(error.get("key", "control.failed")), str(error.get("message", "")))
        return dict(answer)


class _Refused(LoaxaError):
    """The daemon's refusal, already rendered in the language the client asked for."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(key)
        self.message = message

    def __str__(self) -> str:
        return self.message
