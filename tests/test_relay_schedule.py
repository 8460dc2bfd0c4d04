"""A relayed slot from a schedule file, end to end: the real daemon plans it, the
session relays the local stream for the planned time, the log and the report say so."""

from __future__ import annotations

from datetime import datetime, timedelta

from firmware_host.daemon import Daemon
from firmware_host.logbook.playlog import PlayLog
from firmware_host.report.counts import build_report
from tests.broadcast.test_sources import RATE, samples, stream_reference, without_gaps
from tests.helpers import captured_files, check_relay_sequence, wait_until
from tests.streaming import StreamServer, make_mp3


def test_a_scheduled_relay_goes_out_and_is_reported(box, pins, capture_dir, tmp_path):
    server = StreamServer()
    mp3 = make_mp3(tmp_path / "vov.mp3", seconds=2.0)
    server.loop("/vov1.mp3", mp3.read_bytes())
    server.start()
    at = datetime.now(box.timezone).replace(microsecond=0) + timedelta(seconds=3)
    box.scheduler.schedules_dir.mkdir(parents=True, exist_ok=True)
    (box.scheduler.schedules_dir / "tiep-song.toml").write_text(
        f'[campaign]\nname = "Tiếp sóng"\nstart = {at.date()}\nend = {at.date() + timedelta(1)}\n\n'
        f'[[slot]]\nname = "thời sự"\ntime = "{at:%H:%M:%S}"\ndays = "hằng ngày"\n'
        f'zones = ["thon-3"]\nsource = "stream"\nurl = "{server.url("/vov1.mp3")}"\n'
        'duration_minutes = 0.05\nsource_name = "Đài TNVN – VOV1"\n',
        "utf-8",
    )
    daemon = Daemon(box, pin_factory=pins, announce=lambda _line: None)
    daemon.start()
    log = PlayLog(box.log_dir, box.timezone)
    try:
        wait_until(
            lambda: [r["status"] for r in log.entries() if r["kind"] == "session"] == ["completed"],
            20,
            what=log.entries,
        )
    finally:
        daemon.stop()
        server.stop()
    session, relay = log.entries()
    assert session["slot"] == "thời sự" and session["plan_key"].startswith("tiep-song.toml#")
    assert session["late_seconds"] < 1.0
    assert (relay["kind"], relay["status"], relay["seconds"]) == ("relay", "completed", 3.0)
    [capture] = captured_files(capture_dir)
    heard = without_gaps(samples(capture))
    assert heard == without_gaps(stream_reference(mp3, tmp_path, repeats=2))[: len(heard)]
    assert len(heard) >= 2.9 * RATE
    check_relay_sequence(
        pins,
        amplifier=17,
        zones={"thon-1": 27, "thon-2": 22, "thon-3": 23},
        audio_starts=[relay["started"]],
        warmup=box.amplifier.warmup_seconds,
    )
    report = build_report(log.entries(), month=session["month"], tz=box.timezone, commune={})
    [form] = report.by_form
    assert (form["source"], form["plays"], form["seconds"]) == ("Đài TNVN – VOV1", 1, 3.0)
