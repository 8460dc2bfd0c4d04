"""Who goes first (issue 12): an emergency cuts the session on air, waits only for another
emergency; a priority session goes before normal ones that wait. Observed where a person
would: the audio that reached the capture device, the relays' timeline on the mock pins,
the log.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from firmware_host.broadcast.session import Broadcaster, BroadcastRequest
from firmware_host.clips import ClipLibrary
from firmware_host.control import ControlClient
from firmware_host.daemon import Daemon
from firmware_host.logbook.playlog import PlayLog
from firmware_host.messages import LoaxaError
from firmware_host.relays import AMPLIFIER, open_relays
from firmware_host.report.counts import build_report
from tests.conftest import write_box_config
from tests.helpers import (
    captured_files,
    check_relay_sequence,
    make_tone,
    pin_timeline,
    read_cut_capture,
    read_samples,
    wait_until,
)

PINS = {AMPLIFIER: 17, "thon-1": 27, "thon-2": 22, "thon-3": 23}
ZONES = {name: pin for name, pin in PINS.items() if name != AMPLIFIER}


def sessions(log: PlayLog) -> list[dict]:
    return [row for row in log.entries() if row["kind"] == "session"]


def clips_of(log: PlayLog, session: dict) -> list[dict]:
    return [
        row
        for row in log.entries()
        if row["kind"] == "clip" and row["session_id"] == session["session_id"]
    ]


@pytest.fixture
def clips(box, tmp_path):
    library = ClipLibrary(box)
    long = library.import_file(make_tone(tmp_path / "Thông báo dài.wav", seconds=6.0))
    alarm = library.import_file(
        make_tone(tmp_path / "Báo bão.wav", seconds=1.5, frequency=880), title="Báo bão"
    )
    short = library.import_file(make_tone(tmp_path / "Ngắn.wav", seconds=1.0, frequency=660))
    return library, long, alarm, short


@pytest.fixture
def station(box, pins, clips):
    library = clips[0]
    relays, _note = open_relays(box.relays, pin_factory=pins)
    log = PlayLog(box.log_dir, box.timezone)
    broadcaster = Broadcaster.for_box(box, relays=relays, library=library, log=log)
    yield broadcaster, log
    relays.close()


def in_thread(broadcaster: Broadcaster, request: BroadcastRequest, **kwargs) -> dict:
    """Run *request* in a thread; the dict gets its outcome."""
    box: dict = {}

    def run() -> None:
        box["outcome"] = broadcaster.broadcast(request, **kwargs)

    box["thread"] = threading.Thread(target=run)
    box["thread"].start()
    return box


def emergency(alarm, **fields) -> BroadcastRequest:
    fields.setdefault("reason", "Bão số 3")
    return BroadcastRequest(
        playlist=(alarm.id,), zones=("thon-1", "thon-2", "thon-3"), tier="khan-cap", **fields
    )


def test_an_emergency_cuts_the_session_on_air_through_the_control_socket(
    box, pins, clips, capture_dir
):
    """The normal clip's audio stops in the capture, the amplifier goes off before any
    zone changes, the warm-up is kept, the emergency's samples follow; the cut entry is
    ``preempted`` with the seconds that went out, and never counted."""
    _library, long, alarm, _short = clips
    daemon = Daemon(box, pin_factory=pins, announce=lambda _line: None)
    daemon.start()
    try:
        client = ControlClient(box.data_dir)
        client.call("play", clips=[long.id], zones=["thon-1"], by="cán bộ")
        log = daemon.log
        wait_until(lambda: any(r["kind"] == "clip" for r in log.entries()), 5)
        time.sleep(2.0)  # two seconds of the long clip go out
        cut_at = time.time()
        answer = client.call(
            "emergency", clips=[alarm.id], zones="all", reason="Bão số 3", by="Chủ tịch xã"
        )
        assert answer["session_id"] and not answer["queued"]
        wait_until(lambda: len(sessions(log)) == 2 and sessions(log)[1]["status"] != "started", 10)
    finally:
        daemon.stop()
    log = PlayLog(box.log_dir, box.timezone)
    normal, urgent = sessions(log)
    assert normal["status"] == "preempted" and normal["tier"] == "thuong"
    assert "Bão số 3" in normal["preempted_by"] and "Bão số 3" in normal["error"]
    [cut_clip] = clips_of(log, normal)
    assert cut_clip["status"] == "preempted" and 1.5 < cut_clip["seconds"] < 3.5
    assert urgent["status"] == "completed" and urgent["tier"] == "khan-cap"
    assert urgent["reason"] == "Bão số 3" and urgent["by"] == "Chủ tịch xã"
    assert urgent["zones"] == ["thon-1", "thon-2", "thon-3"]
    # what reached the loudspeakers: part of the long clip, then the whole alarm
    first, second = captured_files(capture_dir)
    heard = read_cut_capture(first)
    _rate, stored = read_samples(long.path)
    assert 1.5 * 48000 < len(heard) < 3.5 * 48000 and heard == stored[: len(heard)]
    _rate, alarm_heard = read_samples(second)
    _rate, alarm_stored = read_samples(alarm.path)
    # the file device pads its last period with silence
    assert alarm_heard[: len(alarm_stored)] == alarm_stored
    assert not any(alarm_heard[len(alarm_stored) :])
    # the relays: off before any zone moved, the warm-up kept, everything off at the end
    amp = pin_timeline(pins.pin(PINS[AMPLIFIER]))
    off_after_cut = next(at for at, on in amp if not on and at >= cut_at - 0.05)
    for zone, number in ZONES.items():
        moves = [at for at, _on in pin_timeline(pins.pin(number)) if at > cut_at - 0.05]
        assert all(at >= off_after_cut for at in moves), f"{zone} moved with the amplifier on"
    check_relay_sequence(
        pins,
        amplifier=PINS[AMPLIFIER],
        zones=ZONES,
        audio_starts=[r["started"] for r in log.entries() if r["kind"] == "clip"],
        warmup=box.policy.emergency_warmup_seconds,
    )
    report = build_report(log.entries(), month=normal["month"], tz=box.timezone, commune={})
    assert report.totals["plays_completed"] == 1  # the alarm; the cut clip never counts
    assert report.totals["sessions_preempted"] == 1 and report.totals["plays_preempted"] == 1
    assert [(p.status, p.campaign) for p in report.problems] == [("preempted", "")]


def test_an_emergency_while_idle_plays_at_once_and_says_who_and_why(station, clips):
    broadcaster, log = station
    _library, _long, alarm, _short = clips
    started = time.monotonic()
    outcome = broadcaster.broadcast(emergency(alarm, by="Chủ tịch xã"))
    assert outcome.status == "completed" and time.monotonic() - started < 5
    [urgent] = sessions(log)
    assert (urgent["tier"], urgent["reason"], urgent["by"]) == (
        "khan-cap",
        "Bão số 3",
        "Chủ tịch xã",
    )
    [clip] = clips_of(log, urgent)
    assert clip["tier"] == "khan-cap" and clip["status"] == "completed"


def test_an_emergency_during_an_emergency_waits_for_it_and_is_not_cut(station, clips):
    broadcaster, log = station
    _library, long, alarm, _short = clips
    first = in_thread(broadcaster, emergency(long, reason="Lũ quét"))
    wait_until(lambda: broadcaster.status()["on_air"] is not None, 5)
    second = in_thread(broadcaster, emergency(alarm))
    wait_until(lambda: len(broadcaster.status()["waiting"]) == 1, 5)
    first["thread"].join(20)
    second["thread"].join(20)
    assert first["outcome"].status == "completed" and second["outcome"].status == "completed"
    one, two = sessions(log)
    assert one["reason"] == "Lũ quét" and two["reason"] == "Bão số 3"
    assert one["ended"] <= two["started"]
    assert "Lũ quét" in (two["note"] or "")  # it says what it waited for


def test_the_stop_button_ends_an_emergency_too(station, clips, pins):
    broadcaster, log = station
    _library, long, _alarm, _short = clips
    running = in_thread(broadcaster, emergency(long))
    wait_until(lambda: any(r["kind"] == "clip" for r in log.entries()), 5)
    assert broadcaster.stop_current()
    running["thread"].join(10)
    assert running["outcome"].status == "interrupted"
    [urgent] = sessions(log)
    assert urgent["status"] == "interrupted" and "preempted_by" not in urgent
    assert not any(pins.pin(n).state for n in PINS.values())


def test_a_priority_session_goes_before_normal_ones_that_wait(station, clips, box):
    """Two normal slots and one priority slot wait behind a long session: the priority
    one goes first although it was planned last; the normal ones keep their order. The
    log says who waited for whom."""
    broadcaster, log = station
    _library, long, _alarm, short = clips
    now = broadcaster.now()
    running = in_thread(broadcaster, BroadcastRequest(playlist=(long.id,), zones=("thon-1",)))
    wait_until(lambda: broadcaster.status()["on_air"] is not None, 5)
    waiting = []
    for minute, (slot, tier) in enumerate((("a", "thuong"), ("b", "thuong"), ("c", "uu-tien"))):
        request = BroadcastRequest(
            playlist=(short.id,),
            zones=("thon-2",),
            trigger="schedule",
            scheduled=now + timedelta(seconds=minute),
            campaign="Lịch",
            slot=slot,
            plan_key=f"lich#{slot}",
            tier=tier,
        )
        waiting.append(in_thread(broadcaster, request))
        wait_until(lambda n=minute: len(broadcaster.status()["waiting"]) == n + 1, 5)
    for item in (running, *waiting):
        item["thread"].join(30)
    played = sorted(sessions(log), key=lambda row: row["started"])[1:]
    assert [row["slot"] for row in played] == ["c", "a", "b"]
    assert all(row["note"] for row in played)  # each says whom it waited for


def test_an_emergency_order_without_a_reason_or_with_a_wrong_clip_moves_nothing(box, pins, clips):
    _library, _long, alarm, _short = clips
    daemon = Daemon(box, pin_factory=pins, announce=lambda _line: None)
    daemon.start()
    try:
        client = ControlClient(box.data_dir)
        with pytest.raises(LoaxaError) as no_reason:
            client.call("emergency", clips=[alarm.id], reason=" ")
        with pytest.raises(LoaxaError) as no_clip:
            client.call("emergency", clips=["khong-co"], reason="Bão")
        with pytest.raises(LoaxaError) as no_zone:
            client.call("emergency", clips=[alarm.id], zones=["thon-9"], reason="Bão")
    finally:
        daemon.stop()
    assert no_reason.value.key == "emergency.no_reason" and "lý do" in str(no_reason.value)
    assert no_clip.value.key == "clips.not_found" and "khong-co" in str(no_clip.value)
    assert no_zone.value.key == "session.unknown_zone"
    assert sessions(PlayLog(box.log_dir, box.timezone)) == []
    assert not any(len(pins.pin(n).states) > 1 for n in PINS.values())


def test_the_emergency_warm_up_is_its_own(tmp_path, capture_dir, pins):
    """``[policy] emergency_warmup_seconds`` replaces the warm-up for an emergency only."""
    box = write_box_config(tmp_path / "box", warmup=0.3)
    config_file = box.data_dir / "loaxa.toml"
    text = config_file.read_text("utf-8") + "\n[policy]\nemergency_warmup_seconds = 1.2\n"
    config_file.write_text(text, "utf-8")
    from firmware_host.config import load_config

    box = load_config(box.data_dir)
    alarm = ClipLibrary(box).import_file(make_tone(tmp_path / "Còi.wav", seconds=1.0))
    relays, _note = open_relays(box.relays, pin_factory=pins)
    log = PlayLog(box.log_dir, box.timezone)
    try:
        broadcaster = Broadcaster.for_box(box, relays=relays, library=ClipLibrary(box), log=log)
        broadcaster.broadcast(emergency(alarm, warmup_seconds=box.policy.emergency_warmup_seconds))
    finally:
        relays.close()
    check_relay_sequence(
        pins,
        amplifier=PINS[AMPLIFIER],
        zones=ZONES,
        audio_starts=[r["started"] for r in log.entries() if r["kind"] == "clip"],
        warmup=1.2,
    )


@pytest.fixture(scope="module")
def quick_clips(tmp_path_factory):
    """Short clips and a box whose warm-up and tail are short, for many sessions."""
    from firmware_host.demo import use_capture_device

    base = tmp_path_factory.mktemp("quick")
    before = os.environ.get("ALSA_CONFIG_PATH")
    use_capture_device(base / "alsa")
    box = write_box_config(base / "box", warmup=0.05, tail=0.02)
    library = ClipLibrary(box)
    made = [
        library.import_file(make_tone(base / f"c{n}.wav", seconds=1.0, frequency=300 + 100 * n))
        for n in range(2)
    ]
    yield box, library, made
    if before is None:
        os.environ.pop("ALSA_CONFIG_PATH", None)
    else:
        os.environ["ALSA_CONFIG_PATH"] = before


arrivals = st.lists(
    st.tuples(
        st.floats(0.0, 1.5),  # seconds after the start
        st.sampled_from(["thuong", "uu-tien", "khan-cap"]),
        st.integers(0, 1),  # which clip
    ),
    min_size=2,
    max_size=4,
)


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(arrivals)
def test_never_two_on_air_never_a_cut_emergency_never_a_resumed_session(quick_clips, arrivals):
    """Random requests of every tier arriving at random moments: sessions never overlap,
    an emergency is never cut, a cut session is never played again, and every relay
    change happens with the amplifier off."""
    from gpiozero.pins.mock import MockFactory

    box, library, made = quick_clips
    pins = MockFactory()
    relays, _note = open_relays(box.relays, pin_factory=pins)
    log_dir = box.data_dir / f"log-{time.monotonic_ns()}"
    log = PlayLog(log_dir, box.timezone)
    broadcaster = Broadcaster.for_box(box, relays=relays, library=library, log=log)
    start = broadcaster.now()
    threads = []
    try:
        for index, (delay, tier, which) in enumerate(sorted(arrivals)):
            request = BroadcastRequest(
                playlist=(made[which].id,),
                zones=("thon-1", "thon-2") if index % 2 else ("thon-3",),
                trigger="schedule",
                scheduled=start + timedelta(seconds=delay),
                campaign="Thử",
                slot=f"s{index}",
                plan_key=f"k{index}",
                tier=tier,
                reason="Thử khẩn cấp" if tier == "khan-cap" else None,
            )
            at = time.monotonic() + delay
            thread = threading.Thread(
                target=lambda r=request, at=at: (
                    time.sleep(max(0.0, at - time.monotonic())),
                    broadcaster.broadcast(r),
                )
            )
            thread.start()
            threads.append(thread)
        for thread in threads:
            thread.join(60)
    finally:
        relays.close()
    rows = sessions(log)
    assert len(rows) == len(arrivals)
    spans = sorted((row["started"], row["ended"]) for row in rows)
    assert all(earlier[1] <= later[0] for earlier, later in itertools.pairwise(spans))
    assert not [row for row in rows if row["tier"] == "khan-cap" and row["status"] == "preempted"]
    keys = [row["plan_key"] for row in rows]
    assert len(keys) == len(set(keys))  # nothing played twice, a cut one included
    for row in rows:
        if row["status"] == "preempted":
            assert row["preempted_by"]
    check_relay_sequence(
        pins,
        amplifier=PINS[AMPLIFIER],
        zones=ZONES,
        audio_starts=[r["started"] for r in log.entries() if r["kind"] == "clip"],
        warmup=0.05,
    )
