"""What every answer and every request body goes through: size limit, security headers.

The size limit (``[web] max_upload_mb``) is checked before anything else, login
included, and without reading the body: a declared length over the limit is answered
413 at once; a body sent in chunks (no declared length) is counted as the view reads
it and cut at the limit. Either way nothing beyond the limit is read, so nothing beyond
it can reach the disk. (Werkzeug applies ``MAX_CONTENT_LENGTH`` to chunked bodies only
from version 2.3; Debian bookworm has 2.2, hence the counting here.)

The headers keep the pages from being framed, sniffed, cached on a shared phone or
made to run a script that is not a file served by the box (no inline script, no CDN:
``default-src 'self'``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class _CountedInput:
    """``wsgi.input`` of a chunked body: raises 413 once more than *limit* bytes came."""

    def __init__(self, stream: Any, limit: int) -> None:
        self._stream = stream
        self._left = limit

    def _count(self, data: bytes) -> bytes:
        self._left -= len(data)
        if self._left < 0:
            raise RequestEntityTooLarge()
        return data

    def read(self, size: int = -1) -> bytes:
        # Never more than one byte past the limit in one read, however much is asked.
        most = self._left + 1 if size is None or size < 0 else min(size, self._left + 1)
        return self._count(self._stream.read(most))

    def readline(self, size: int = -1) -> bytes:
        most = self._left + 1 if size is None or size < 0 else min(size, self._left + 1)
        return self._count(self._stream.readline(most))

    def __iter__(self) -> _CountedInput:
        return self

    def __next__(self) -> bytes:
        line = self.readline(65536)
        if not line:
            raise StopIteration
        return line


def count_chunked_bodies(app: Callable[..., Iterable[bytes]], limit: int) -> Callable[..., Any]:
    """WSGI middleware: wrap a body of undeclared length in :class:`_CountedInput`."""

    def middleware(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if not environ.get("CONTENT_LENGTH"):
            environ["wsgi.input"] = _CountedInput(environ["wsgi.input"], limit)
        return app(environ, start_response)

    return middleware


def refuse_declared_oversize(limit: int) -> Callable[[], None]:
    def check() -> None:
        if request.content_length is not None and request.content_length > limit:
            raise RequestEntityTooLarge()

    return check


def add_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if response.mimetype == "text/html":
        response.headers["Cache-Control"] = "no-store"  # a shared phone keeps no page
    return response
