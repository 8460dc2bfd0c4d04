"""A local stand-in for a station's stream server (Icecast-like), for the relay tests.

Real HTTP on 127.0.0.1, chunked, paced in real time after a one-second burst as an
Icecast server sends it; the test decides when it stops answering (``stop``) or
comes back (``start``). Nothing leaves the machine.
"""

from __future__ import annotations

import http.server
import socket
import subprocess
import threading
import time
from pathlib import Path

BURST_SECONDS = 1.0
PACE_SECONDS = 0.05


def make_mp3(path: Path, *, seconds: float, tone: str | None = "sine=frequency=440") -> Path:
    """A 48 kHz mono 64 kbit/s MP3 without a Xing/LAME header, so that its bytes
    repeated end to end are one valid stream (digital silence when *tone* is None)."""
    source = "anullsrc=r=48000:cl=mono" if tone is None else f"{tone}:sample_rate=48000"
    subprocess.run(
        [
            "ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", source, "-t", str(seconds),
            "-af", "volume=0.5", "-ac", "1", "-c:a", "libmp3lame", "-b:a", "64k",
            "-write_xing", "0", "-id3v2_version", "0", str(path),
        ],
        check=True,
        timeout=60,
    )  # fmt: skip
    return path


def decode(path: Path) -> bytes:
    """The PCM ffmpeg makes of an MP3 file with the relay's own output options."""
    return subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "mp3", "-i", str(path), "-vn", "-ac", "1",
         "-ar", "48000", "-f", "s16le", "-"],
        check=True, capture_output=True, timeout=120,
    ).stdout  # fmt: skip


class StreamServer:
    """Serves ``/name`` → the bytes given, looped for ever (``routes``), or a fixed body
    (``pages``, e.g. a playlist). ``served`` counts the bytes sent per path."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[bytes, int]] = {}  # path -> (bytes to loop, bytes/s)
        self.pages: dict[str, tuple[bytes, str]] = {}  # path -> (body, content type)
        self.served: dict[str, int] = {}
        self.requests: list[str] = []
        self.answer_after = 0.0  # seconds before a stream's first byte (a slow server)
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self._sock.close()
        self._httpd: http.server.ThreadingHTTPServer | None = None
        self._alive = threading.Event()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def loop(self, path: str, data: bytes, bytes_per_second: int = 8000) -> None:
        self.routes[path] = (data, bytes_per_second)

    def page(self, path: str, body: str, content_type: str) -> None:
        self.pages[path] = (body.encode("utf-8"), content_type)

    def start(self) -> None:
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server.requests.append(self.path)
                if self.path in server.pages:
                    body, kind = server.pages[self.path]
                    self.send_response(200)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                if self.path not in server.routes:
                    self.send_error(404)
                    return
                data, rate = server.routes[self.path]
                time.sleep(server.answer_after)
                self.send_response(200)
                self.send_header("Content-Type", "audio/mpeg")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                position, sent, started = 0, 0, time.monotonic()
                try:
                    while server._alive.is_set():
                        due = int(rate * (BURST_SECONDS + time.monotonic() - started)) - sent
                        if due <= 0:
                            time.sleep(PACE_SECONDS)
                            continue
                        piece = (data[position:] + data)[:due]
                        position = (position + len(piece)) % len(data)
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                        sent += len(piece)
                        server.served[self.path] = server.served.get(self.path, 0) + len(piece)
                except OSError:
                    return
                self.close_connection = True

        self._alive.set()
        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """The server goes away: open streams are cut, new connections refused."""
        self._alive.clear()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
