"""Relaying a station (a stream, the line input): what reached the speakers, the relays
and the log, when the stream plays, stops, goes silent or asks for a local file.

The stream comes from a real HTTP server on 127.0.0.1 (tests/streaming.py), ffmpeg reads
it, aplay writes into the ALSA ``file`` capture device; the line input is arecord reading
an ALSA ``file`` PCM whose ``infile`` is a recording made here.
"""

from __future__ import annotations

import array
import os
import threading
import time
import wave
from pathlib import Path

import pytest

from firmware_host.broadcast.player import Player
from firmware_host.broadcast.session import Broadcaster, BroadcastRequest
from firmware_host.clips import ClipLibrary
from firmware_host.clock import system_clock
from firmware_host.config import LiveSettings, RebroadcastSettings
from firmware_host.logbook.playlog import PlayLog
from firmware_host.relays import AMPLIFIER, open_relays
from firmware_host.schedules.model import SourceSpec
from tests.helpers import captured_files, check_relay_sequence, make_tone
from tests.streaming import StreamServer, decode, make_mp3

PINS = {AMPLIFIER: 17, "thon-1": 27, "thon-2": 22, "thon-3": 23}
RATE = 48000
# The silence we add while a source has nothing is exact zeros, in chunks of 0.1 s;
# a tone at half scale never has this many zero samples in a row.
GAP_RUN = 100
MP3_FRAME = 1152  # samples
RULES = RebroadcastSettings(
    retry_seconds=1.5, silence_seconds=1.0, silence_db=-50.0, min_fraction=0.9
)


@pytest.fixture
def server():
    running = StreamServer()
    running.start()
    yield running
    running.stop()


@pytest.fixture
def station(box, pins, tmp_path):
    """A broadcaster on mock pins and the capture device, with the relay rules above
    and a one-second fallback clip in the library."""
    relays, _note = open_relays(box.relays, pin_factory=pins)
    library = ClipLibrary(box)
    fallback = library.import_file(make_tone(tmp_path / "Dự phòng.wav", seconds=1.0, frequency=880))
    log = PlayLog(box.log_dir, box.timezone)
    said: list[str] = []
    broadcaster = Broadcaster(
        relays=relays,
        player=Player("loaxa_capture"),
        library=library,
        log=log,
        now=system_clock(box.timezone),
        warmup_seconds=box.amplifier.warmup_seconds,
        tail_seconds=box.amplifier.tail_seconds,
        announce=said.append,
        rebroadcast=RULES,
        live=LiveSettings(device="default", max_minutes=1.0),
    )
    yield broadcaster, fallback, log, said
    relays.close()


def samples(path: Path) -> array.array:
    with wave.open(str(path), "rb") as source:
        return array.array("h", source.readframes(source.getnframes()))


def without_gaps(pcm: array.array) -> array.array:
    """*pcm* without runs of GAP_RUN or more exact zeros: the silence the relay fills in
    while it waits (and the decoder's first silent frames, removed the same way from
    the reference)."""
    kept = array.array("h")
    start = 0
    zeros = 0
    for index, value in enumerate(pcm):
        if value == 0:
            zeros += 1
            continue
        if zeros >= GAP_RUN:
            kept.extend(pcm[start : index - zeros])
            start = index
        zeros = 0
    end = len(pcm) - zeros if zeros >= GAP_RUN else len(pcm)
    kept.extend(pcm[start:end])
    return kept


def stream_reference(mp3: Path, tmp_path: Path, repeats: int) -> array.array:
    """What ffmpeg decodes of the looped stream's bytes, read from a file."""
    looped = tmp_path / "looped.mp3"
    looped.write_bytes(mp3.read_bytes() * repeats)
    return array.array("h", decode(looped))


def relay_request(url: str, seconds: float, *, fallback: str | None = None) -> BroadcastRequest:
    source = SourceSpec(kind="stream", url=url, seconds=seconds, fallback=fallback, name="VOV1")
    return BroadcastRequest(playlist=(), zones=("thon-1",), campaign="Tiếp sóng", source=source)


def check_pins(pins, log: PlayLog, warmup: float) -> None:
    check_relay_sequence(
        pins,
        amplifier=PINS[AMPLIFIER],
        zones={name: pin for name, pin in PINS.items() if name != AMPLIFIER},
        audio_starts=[r["started"] for r in log.entries() if r["kind"] != "session"],
        warmup=warmup,
    )


def test_a_relayed_stream_reaches_the_speakers_sample_for_sample(
    station, server, pins, box, capture_dir, tmp_path
):
    """Exact, not approximate: MP3 decoding is deterministic for one ffmpeg, the stream
    is 48 kHz mono (no resampling), and the relay starts reading at the stream's first
    byte; so what reached the device, gaps aside, is the decoded stream sample for
    sample. Gaps are allowed (a loaded test machine) but must be few."""
    broadcaster, _fallback, log, _said = station
    mp3 = make_mp3(tmp_path / "vov.mp3", seconds=2.0, tone="sine=frequency=440")
    server.loop("/vov1.mp3", mp3.read_bytes())
    outcome = broadcaster.broadcast(relay_request(server.url("/vov1.mp3"), 4.0))
    assert outcome.status == "completed", outcome.error

    [capture] = captured_files(capture_dir)
    heard = without_gaps(samples(capture))
    reference = without_gaps(stream_reference(mp3, tmp_path, repeats=4))
    assert len(heard) >= 3.9 * RATE
    assert heard == reference[: len(heard)]

    session, relay = log.entries()
    assert (session["status"], relay["kind"], relay["status"]) == (
        "completed",
        "relay",
        "completed",
    )
    assert relay["source_kind"] == "stream" and relay["source_name"] == "VOV1"
    assert relay["planned_seconds"] == 4.0 and relay["dropouts"] == 0
    assert relay["seconds"] == pytest.approx(len(heard) / RATE, abs=0.11)
    assert all(not pins.pin(pin).state for pin in PINS.values())
    check_pins(pins, log, box.amplifier.warmup_seconds)


def test_a_stream_slower_to_answer_than_the_warm_up_starts_late_but_without_a_gap(
    station, server, box, capture_dir, tmp_path
):
    """The device starts with the stream's first sample, not when the relay began
    waiting for it: no silence is put in to catch up with the clock."""
    broadcaster, _fallback, log, _said = station
    mp3 = make_mp3(tmp_path / "vov.mp3", seconds=2.0)
    server.loop("/vov1.mp3", mp3.read_bytes())
    server.answer_after = box.amplifier.warmup_seconds + 0.2
    outcome = broadcaster.broadcast(relay_request(server.url("/vov1.mp3"), 3.0))
    assert outcome.status == "completed", outcome.error
    [capture] = captured_files(capture_dir)
    heard = samples(capture)[: 3 * RATE]
    reference = stream_reference(mp3, tmp_path, repeats=3)
    assert heard == reference[: 3 * RATE], "the stream from its first sample, without a gap"
    _session, relay = log.entries()
    assert relay["seconds"] == 3.0 and relay["dropouts"] == 0


def test_the_server_stopping_mid_slot_means_retries_then_the_fallback_and_honest_seconds(
    station, server, pins, box, capture_dir, tmp_path
):
    broadcaster, fallback, log, _said = station
    mp3 = make_mp3(tmp_path / "vov.mp3", seconds=2.0)
    server.loop("/vov1.mp3", mp3.read_bytes())
    threading.Timer(box.amplifier.warmup_seconds + 1.5, server.stop).start()
    outcome = broadcaster.broadcast(
        relay_request(server.url("/vov1.mp3"), 7.0, fallback=fallback.id)
    )
    assert outcome.status == "failed"
    _session, relay, spare = log.entries()
    assert (relay["kind"], relay["status"]) == ("relay", "failed")
    assert (spare["kind"], spare["clip_id"], spare["status"]) == ("clip", fallback.id, "completed")
    assert relay["dropouts"] == 1 and relay["dropout_seconds"] >= RULES.retry_seconds - 0.05
    assert "90%" in relay["error"] and "VOV1" in relay["error"]

    relay_capture, fallback_capture = captured_files(capture_dir)
    heard = without_gaps(samples(relay_capture))
    # Honest seconds: what the log says went out is what the speakers got.
    assert relay["seconds"] == pytest.approx(len(heard) / RATE, abs=0.11)
    assert 1.0 < relay["seconds"] < 7.0 * 0.9
    # The last MP3 frames before the cut decode without their successors' bit reservoir.
    reference = without_gaps(stream_reference(mp3, tmp_path, repeats=4))
    whole = len(heard) - 2 * MP3_FRAME
    assert heard[:whole] == reference[:whole]
    # The relay held the device for the drop-out and the retries, then gave up.
    assert relay["played_seconds"] == pytest.approx(
        relay["seconds"] + relay["dropout_seconds"], abs=0.25
    )
    assert len(samples(fallback_capture)) >= fallback.duration * RATE
    assert all(not pins.pin(pin).state for pin in PINS.values())
    check_pins(pins, log, box.amplifier.warmup_seconds)


def test_a_stream_that_comes_back_within_the_retry_time_keeps_relaying(
    station, server, box, capture_dir, tmp_path
):
    broadcaster, _fallback, log, _said = station
    broadcaster.rebroadcast = RebroadcastSettings(
        retry_seconds=6.0, silence_seconds=1.0, silence_db=-50.0, min_fraction=0.5
    )
    mp3 = make_mp3(tmp_path / "vov.mp3", seconds=2.0)
    server.loop("/vov1.mp3", mp3.read_bytes())
    cut = box.amplifier.warmup_seconds + 1.5
    threading.Timer(cut, server.stop).start()
    threading.Timer(cut + 0.5, server.start).start()
    outcome = broadcaster.broadcast(relay_request(server.url("/vov1.mp3"), 8.0))
    assert outcome.status == "completed", outcome.error
    _session, relay = log.entries()
    assert relay["dropouts"] == 1
    assert relay["seconds"] + relay["dropout_seconds"] == pytest.approx(8.0, abs=0.25)
    assert server.requests.count("/vov1.mp3") >= 2


def test_a_stream_that_answers_and_then_sends_nothing_is_taken_as_gone(
    station, server, capture_dir, tmp_path
):
    """A stalled connection (the server answered, then nothing) is not waited on for
    ever: after STALL_SECONDS it is a drop-out, retried, then given up."""
    from firmware_host.broadcast.sources import STALL_SECONDS

    broadcaster, _fallback, log, _said = station
    broadcaster.rebroadcast = RebroadcastSettings(
        retry_seconds=1.5, silence_seconds=20.0, silence_db=-50.0, min_fraction=0.9
    )
    server.loop("/vov1.mp3", make_mp3(tmp_path / "vov.mp3", seconds=1.0).read_bytes(), 0)
    started = time.monotonic()
    outcome = broadcaster.broadcast(relay_request(server.url("/vov1.mp3"), 12.0))
    assert outcome.status == "failed"
    # Opened with the amplifier: stalled STALL_SECONDS later, then the retry time.
    assert time.monotonic() - started < STALL_SECONDS + RULES.retry_seconds + 2.0
    _session, relay = log.entries()
    assert relay["seconds"] == 0.0 and relay["dropouts"] == 1
    assert "không nhận được âm thanh trong 5 giây" in relay["error"]
    assert RULES.retry_seconds <= relay["played_seconds"] < STALL_SECONDS + RULES.retry_seconds


def test_a_stream_of_digital_silence_is_logged_as_drop_outs_not_as_broadcast(
    station, server, capture_dir, tmp_path
):
    """A dead transmitter still sends a stream: nothing of it counts as relayed."""
    broadcaster, _fallback, log, said = station
    mp3 = make_mp3(tmp_path / "quiet.mp3", seconds=2.0, tone=None)
    server.loop("/vov1.mp3", mp3.read_bytes())
    outcome = broadcaster.broadcast(relay_request(server.url("/vov1.mp3"), 6.0))
    assert outcome.status == "failed"
    _session, relay = log.entries()
    assert relay["status"] == "failed" and relay["seconds"] == 0.0
    assert relay["dropouts"] == 1
    # Silence noticed after silence_seconds, then the retry time, then it gave up.
    assert relay["dropout_seconds"] == pytest.approx(
        RULES.silence_seconds + RULES.retry_seconds, abs=0.25
    )
    assert "im lặng" in relay["error"]
    assert any("mất sóng 1 lần" in line for line in said)


def test_a_playlist_naming_a_local_file_is_refused_when_the_stream_opens(
    station, server, capture_dir, tmp_path
):
    """The schedule check can only see the playlist served that day; ffmpeg's protocol
    list refuses the local file whenever it is served, and the relay ends at once."""
    secret = make_mp3(tmp_path / "secret.mp3", seconds=2.0, tone="sine=frequency=1000")
    server.page(
        "/live.m3u8",
        f"#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nfile://{secret}\n#EXT-X-ENDLIST\n",
        "application/vnd.apple.mpegurl",
    )
    broadcaster, _fallback, log, _said = station
    started = time.monotonic()
    outcome = broadcaster.broadcast(relay_request(server.url("/live.m3u8"), 8.0))
    assert outcome.status == "failed"
    assert time.monotonic() - started < 5.0, "refused at once, not retried"
    _session, relay = log.entries()
    assert "not on whitelist" in relay["error"] and relay["seconds"] == 0.0
    assert server.requests == ["/live.m3u8"]
    for capture in captured_files(capture_dir):
        assert not any(samples(capture)), "nothing of the local file was played"


# ---------------------------------------------------------------------- the line input


def line_in_device(tmp_path: Path, monkeypatch, pcm: bytes, name: str = "loaxa_linein") -> str:
    """An ALSA capture PCM that reads *pcm* (raw S16_LE: alsa-lib reads ``infile`` as it
    is, a WAV header would be heard as a click) instead of a sound card's input."""
    recording = tmp_path / f"{name}.raw"
    recording.write_bytes(pcm)
    conf = tmp_path / f"{name}.conf"
    conf.write_text(
        f'pcm.{name} {{\n type file\n slave.pcm "null"\n file "/dev/null"\n'
        f' infile "{recording}"\n format "raw"\n}}\n'
    )
    monkeypatch.setenv("ALSA_CONFIG_PATH", f"{os.environ['ALSA_CONFIG_PATH']}:{conf}")
    return name


def tone_pcm(tmp_path: Path, seconds: float) -> bytes:
    wav = make_tone(tmp_path / "radio.wav", seconds=seconds, frequency=523, rate=RATE, channels=1)
    with wave.open(str(wav), "rb") as source:
        return source.readframes(source.getnframes())


def test_the_line_input_reaches_the_speakers_unchanged(
    station, pins, box, capture_dir, tmp_path, monkeypatch
):
    device = line_in_device(tmp_path, monkeypatch, tone_pcm(tmp_path, 8.0))
    broadcaster, _fallback, log, _said = station
    source = SourceSpec(kind="line-in", device=device, seconds=3.0, name="Đài tỉnh")
    outcome = broadcaster.broadcast(
        BroadcastRequest(playlist=(), zones=("thon-2",), campaign="Tiếp sóng", source=source)
    )
    assert outcome.status == "completed", outcome.error
    [capture] = captured_files(capture_dir)
    heard = samples(capture)[: 3 * RATE]
    recorded = array.array("h", tone_pcm(tmp_path, 8.0))
    assert heard == recorded[: 3 * RATE], "the input, sample for sample, for the planned time"
    _session, relay = log.entries()
    assert (relay["source_kind"], relay["source_device"]) == ("line-in", device)
    assert relay["seconds"] == 3.0 and relay["dropouts"] == 0
    check_pins(pins, log, box.amplifier.warmup_seconds)


def test_a_line_input_that_cannot_be_opened_is_retried_then_fails(
    station, pins, capture_dir, tmp_path
):
    """The USB sound card with the radio receiver was unplugged: arecord cannot open it."""
    broadcaster, fallback, log, _said = station
    source = SourceSpec(kind="line-in", device="plughw:CARD=Gone,DEV=0", seconds=5.0)
    source = SourceSpec(**{**source.__dict__, "fallback": fallback.id})
    outcome = broadcaster.broadcast(
        BroadcastRequest(playlist=(), zones=("thon-1",), campaign="Tiếp sóng", source=source)
    )
    assert outcome.status == "failed"
    _session, relay, spare = log.entries()
    assert relay["status"] == "failed" and relay["seconds"] == 0.0 and relay["dropouts"] == 1
    assert "Gone" in relay["error"]
    assert spare["clip_id"] == fallback.id and spare["status"] == "completed"
    assert all(not pins.pin(pin).state for pin in PINS.values())
