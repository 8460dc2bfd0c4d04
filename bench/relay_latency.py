"""Figure 10 — relay start: scheduled slot → first relayed sound, beside a stored clip's.

Why: a commune relays VOV1 at 06:00 and the province checks that it did; the relay must
start on time, like any announcement. We drive the real daemon (a real schedule file
with slots a few seconds apart, gpiozero MockFactory pins, the real session, player and
``broadcast/sources.py``) and alternate two kinds of slot, so both meet the same load:

* **relay**: ``source = "stream"`` from a local HTTP server (127.0.0.1, an Icecast-like
  chunked MP3, a one-second burst then real time); ffmpeg connects during the warm-up;
* **baseline**: a stored clip of the same tone, the box's own fastest path.

Instrument: the capture WAV of each aplay run, watched with inotify (figure 1's
watcher). *First sound* = the moment aplay opened the device + the position of the
first non-zero sample in the capture (the device plays its samples in real time from
when it opened: what a listener hears first). The alsa-lib ``file`` plugin's hold-back
of one buffer (figure 1's caveat) affects "first data in the file", which is printed
too, but not this position. Both are measured from slot + warm-up.

Target: relay p99 of first sound − (slot + warm-up) ≤ clip p99 + 100 ms (connecting
during the warm-up must hide the stream's start; 100 ms is ffmpeg's probe of a few MP3
frames on a slow CPU).
"""

from __future__ import annotations

import array
import http.server
import math
import os
import subprocess
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

from _common import (
    TempRoot,
    make_box,
    median,
    number,
    parse_args,
    percentile,
    print_summary,
    print_table,
    row,
    write_result,
)
from punctuality import CaptureWatcher, first_after

RATE = 48000
RELAY_SECONDS = 3.0
MARGIN_MS = 100.0
START_MARGIN = 6


def make_tone(path: Path, seconds: float, extension: str) -> Path:
    codec = ["-c:a", "libmp3lame", "-b:a", "64k", "-write_xing", "0"] if extension == "mp3" else []
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
         f"sine=frequency=440:sample_rate={RATE}", "-t", str(seconds), "-af", "volume=0.5",
         "-ac", "1", *codec, str(path)],
        check=True, timeout=120,
    )  # fmt: skip
    return path


class Station:
    """An Icecast-like server on 127.0.0.1: the MP3's bytes looped, chunked, paced."""

    def __init__(self, data: bytes, bytes_per_second: int = 8000) -> None:
        station = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "audio/mpeg")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                sent, position, started = 0, 0, time.monotonic()
                try:
                    while not station.stopping.is_set():
                        due = int(bytes_per_second * (1.0 + time.monotonic() - started)) - sent
                        if due <= 0:
                            time.sleep(0.05)
                            continue
                        piece = (data[position:] + data)[:due]
                        position = (position + len(piece)) % len(data)
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                        sent += len(piece)
                except OSError:
                    return

        self.stopping = threading.Event()
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/vov1.mp3"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def write_slots(path: Path, slots: list[tuple[datetime, str]], clip_id: str, url: str) -> None:
    lines = [
        "[campaign]",
        'name = "Đo tiếp sóng"',
        f"start = {slots[0][0].date().isoformat()}",
        f"end = {(slots[-1][0] + timedelta(days=1)).date().isoformat()}",
        "",
    ]
    for index, (at, kind) in enumerate(slots, start=1):
        lines += [
            "[[slot]]",
            f'name = "{kind}-{index:03d}"',
            f'time = "{at:%H:%M:%S}"',
            'days = "hằng ngày"',
            'zones = ["thon-1"]',
        ]
        if kind == "relay":
            lines += [
                'source = "stream"',
                f'url = "{url}"',
                f"duration_minutes = {RELAY_SECONDS / 60}",
            ]
        else:
            lines.append(f'playlist = ["{clip_id}"]')
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), "utf-8")


def first_sound_offset(path: Path) -> float | None:
    """Seconds from the start of a capture to its first non-zero sample."""
    try:
        pcm = array.array("h", path.read_bytes()[44:])
    except OSError:
        return None
    for index, value in enumerate(pcm):
        if value:
            return index / RATE
    return None


def measure(root: Path, count: int) -> dict:
    from gpiozero.pins.mock import MockFactory

    from firmware_host.clips import ClipLibrary
    from firmware_host.daemon import Daemon
    from firmware_host.logbook.playlog import PlayLog

    box = make_box(root / "box")
    config = box.config
    clip = ClipLibrary(config).import_file(
        make_tone(root / "Tiếng chuông.wav", RELAY_SECONDS, "wav")
    )
    station = Station(make_tone(root / "vov1.mp3", 4.0, "mp3").read_bytes())
    warmup, tail = config.amplifier.warmup_seconds, config.amplifier.tail_seconds
    spacing = math.ceil(warmup + RELAY_SECONDS + tail + 2.0)
    first = datetime.now(config.timezone).replace(microsecond=0) + timedelta(seconds=START_MARGIN)
    slots = [
        (first + timedelta(seconds=i * spacing), "relay" if i % 2 == 0 else "clip")
        for i in range(2 * count)
    ]
    write_slots(config.scheduler.schedules_dir / "tiep-song.toml", slots, clip.id, station.url)
    os.environ["ALSA_CONFIG_PATH"] = box.alsa_env["ALSA_CONFIG_PATH"]
    watcher = CaptureWatcher(box.capture_dir)
    watcher.start()
    daemon = Daemon(config, pin_factory=MockFactory(), announce=lambda _line: None)
    daemon.start()
    print(
        f"daemon: {2 * count} slots every {spacing} s (relay and clip in turn), warm-up {warmup} s"
    )
    log = PlayLog(config.log_dir, config.timezone)
    try:
        time.sleep(max(0.0, slots[-1][0].timestamp() + spacing - time.time()))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            sessions = [r for r in log.entries() if r["kind"] == "session"]
            if len(sessions) >= len(slots) and all(r["status"] != "started" for r in sessions):
                break
            time.sleep(0.5)
    finally:
        daemon.stop()
        watcher.stop()
        station.close()
        entries = log.entries()
        log.close()
    opened = {at: name for name, at in watcher.opened.items()}
    audio = list(watcher.first_audio.values())
    per_slot = []
    for at, kind in slots:
        start = at.timestamp() + warmup
        o = first_after(list(opened), start, spacing)
        name = opened.get(o) if o is not None else None
        offset = first_sound_offset(box.capture_dir / name) if name else None
        a = first_after(audio, start, spacing)
        per_slot.append(
            {
                "slot": at.isoformat(),
                "kind": kind,
                "opened": None if o is None else o - start,
                "first_sound": None if o is None or offset is None else o + offset - start,
                "first_data": None if a is None else a - start,
            }
        )
    statuses = [(r.get("slot"), r["status"]) for r in entries if r["kind"] == "session"]
    return {"per_slot": per_slot, "spacing": spacing, "warmup": warmup, "statuses": statuses}


def of(per_slot: list[dict], kind: str, key: str) -> list[float]:
    return [s[key] for s in per_slot if s["kind"] == kind and s.get(key) is not None]


def distribution(label: str, samples: list[float], expected: int) -> list[str]:
    if not samples:
        return [label, "0", *["—"] * 5]
    shown = [number(v * 1000, "ms") for v in (min(samples), median(samples))]
    shown += [number(percentile(samples, p) * 1000, "ms") for p in (90, 99)]
    return [label, f"{len(samples)}/{expected}", *shown, number(max(samples) * 1000, "ms")]


def main() -> None:
    args = parse_args(
        "Figure 10: slot → first relayed sound (local stream) vs a stored clip's first sound.",
        lambda p: p.add_argument("--slots", type=int, help="slots of each kind (default 30)"),
    )
    count = args.slots or (2 if args.smoke else 30)
    with TempRoot(args, "relay") as root:
        result = measure(root, count)
        work_dir = root
    per_slot = result["per_slot"]
    rows = [
        distribution(
            f"{kind}: {key.replace('_', ' ')} − (slot+warm-up)", of(per_slot, kind, key), count
        )
        for kind in ("relay", "clip")
        for key in ("opened", "first_sound", "first_data")
    ]
    print_table(
        f"Figure 10 — relay start over {count} relayed and {count} clip slots",
        ["measure", "n", "min", "median", "p90", "p99", "max"],
        rows,
    )
    bad = [s for s in result["statuses"] if s[1] != "completed"]
    if bad:
        print(f"  ! sessions not completed: {bad}")
    relay, clip = of(per_slot, "relay", "first_sound"), of(per_slot, "clip", "first_sound")

    def ms(samples: list[float], p: float) -> float | None:
        return percentile(samples, p) * 1000 if samples else None

    relay_p99, clip_p99 = ms(relay, 99), ms(clip, 99)
    met = (
        relay_p99 is not None
        and clip_p99 is not None
        and len(relay) == count
        and relay_p99 <= clip_p99 + MARGIN_MS
    )
    summary = [
        row("first sound late vs plan, median", ms(relay, 50), ms(clip, 50), "ms"),
        row(
            "first sound late vs plan, p99",
            relay_p99,
            clip_p99,
            "ms",
            target=f"≤ clip + {MARGIN_MS:.0f} ms",
            met=met,
            note="relay: ffmpeg connects during the warm-up; baseline: a stored clip",
        ),
        row(
            "device opened late vs plan, p99",
            ms(of(per_slot, "relay", "opened"), 99),
            ms(of(per_slot, "clip", "opened"), 99),
            "ms",
        ),
    ]
    print("  ('late vs plan' = time − (slot + warm-up); ratio = relay ÷ stored clip)")
    print_summary("Figure 10 — summary (ratio = relay ÷ stored clip)", summary)
    write_result(
        "relay_latency",
        figure=10,
        title="Relay start: slot → first relayed sound",
        args=args,
        summary=summary,
        details={"slots": count, **result},
        work_dir=work_dir,
    )


if __name__ == "__main__":
    main()
