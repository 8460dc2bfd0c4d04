"""``loaxa web``: serve the panel with cheroot, over TLS when ``[web]`` names the files.

Why cheroot and not waitress (both are small, pure Python, threaded and in Debian):
waitress has no TLS, and it reads a whole request body into a temporary file before
the application sees a byte of it — an upload of the size limit is written to the SD
card once by the server and once more by the import, and a refusal can only be
waitress's own English text. cheroot hands the body to the application as it arrives,
so an upload streams once to its place and an oversize one gets the panel's own page;
its built-in TLS adapter is the standard library's ``ssl``. Both idle at the same
memory (README, bench/web_memory.py).

A slow client holds one of :data:`THREADS` threads for at most :data:`TIMEOUT_SECONDS`
per read; the panel serves one commune office, not the Internet.
"""

from __future__ import annotations

import logging
import signal
import ssl
from typing import Any

from cheroot import wsgi

from firmware_host import sdnotify
from firmware_host.config import Config
from firmware_host.messages import LoaxaError, error_text
from firmware_host.web.app import create_app

THREADS = 8
TIMEOUT_SECONDS = 10
HEADER_MAX_BYTES = 64 * 1024

logger = logging.getLogger("loaxa.web")


class _Gateway(wsgi.Gateway_10):
    """A body the panel did not read is not read by the server either: the connection
    closes instead. (To keep a connection open, cheroot reads what is left of a body
    in one piece: a declared 200 MB sent to a page that needs none would be 200 MB in
    memory.)"""

    def start_response(self, status: str, headers: Any, exc_info: Any = None) -> Any:
        if self.req.chunked_read or getattr(self.req.rfile, "remaining", 0):
            self.req.close_connection = True
        return super().start_response(status, headers, exc_info)


def build_server(config: Config, host: str | None = None, port: int | None = None) -> Any:
    """The server for *config*, not yet listening (``prepare()`` binds it)."""
    web = config.web
    address = (host or web.host, web.port if port is None else port)  # 0: any free port
    server = wsgi.Server(
        address,
        create_app(config),
        numthreads=THREADS,
        max=THREADS,
        timeout=TIMEOUT_SECONDS,
        server_name="loaxa",
    )
    server.gateway = _Gateway
    server.max_request_header_size = HEADER_MAX_BYTES
    if web.tls_cert is not None and web.tls_key is not None:
        server.ssl_adapter = _tls_adapter(web.tls_cert, web.tls_key)
    return server


def _tls_adapter(cert: Any, key: Any) -> Any:
    from cheroot.ssl.builtin import BuiltinSSLAdapter

    for path in (cert, key):
        if not path.is_file():
            raise LoaxaError("web.tls_missing", path=path)
    try:
        return BuiltinSSLAdapter(str(cert), str(key))
    except (OSError, ssl.SSLError) as exc:
        raise LoaxaError("web.tls_unusable", cert=cert, key=key, detail=error_text(exc)) from None


def serve(config: Config, host: str | None = None, port: int | None = None) -> None:
    """Serve the panel until SIGTERM or Ctrl-C; tells systemd when it listens."""
    server = build_server(config, host, port)

    def stop(_signum: int, _frame: Any) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    wanted_host, wanted_port = server.bind_addr[:2]
    try:
        server.prepare()
    except OSError as exc:
        detail = error_text(exc)
        raise LoaxaError(
            "web.cannot_listen", host=wanted_host, port=wanted_port, detail=detail
        ) from None
    scheme = "https" if server.ssl_adapter else "http"
    bound_host, bound_port = server.bind_addr[:2]
    logger.info("serving on %s://%s:%s", scheme, bound_host, bound_port)
    sdnotify.notify("READY=1")
    try:
        server.serve()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        sdnotify.notify("STOPPING=1")
        server.stop()
