"""Ask the broadcast daemon how it is, over its control socket.

The daemon serves one JSON request per connection on ``DATA_DIR/control.sock``: the
client sends one object and a newline, the daemon answers one object and a newline and
closes (the control API in ``firmware_host/control.py``). The panel only reads the
status here; playing, stopping and the emergency go through the daemon's own client
once it exists, which will replace this module.

Whatever the socket does — missing, refused, silent, cut short, not JSON — the answer
is None and the page says the daemon is not running: a status page must never fail
because of the thing it reports on, and must never hang a request thread waiting.
"""

from __future__ import annotations

import json
import logging
import socket
import time
from typing import Any

from firmware_host.config import Config
from firmware_host.messages import language

SOCKET_NAME = "control.sock"
TIMEOUT_SECONDS = 2.0
ANSWER_MAX = 1024 * 1024

logger = logging.getLogger("loaxa.web")


def daemon_status(config: Config) -> dict[str, Any] | None:
    """The daemon's ``status`` answer, or None when it does not give one in time."""
    request = {"op": "status", "lang": language()}
    deadline = time.monotonic() + TIMEOUT_SECONDS
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(TIMEOUT_SECONDS)
            connection.connect(str(config.data_dir / SOCKET_NAME))
            connection.sendall(json.dumps(request).encode("utf-8") + b"\n")
            answer = bytearray()
            while not answer.endswith(b"\n") and len(answer) <= ANSWER_MAX:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("no whole answer in time")
                connection.settimeout(left)
                chunk = connection.recv(65536)
                if not chunk:
                    break
                answer += chunk
    except OSError as exc:  # no socket, nobody listening, too slow
        logger.debug("control socket: %s", exc)
        return None
    try:
        status = json.loads(answer)
    except ValueError:
        logger.warning("control socket: an answer that is not JSON (%d bytes)", len(answer))
        return None
    if not isinstance(status, dict) or status.get("ok") is not True:
        logger.warning("control socket: status refused: %.200r", status)
        return None
    return status
