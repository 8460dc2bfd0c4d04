"""Relay boards on a serial port: LCUS over USB, Modbus RTU over RS-485.

Two real ends of a serial line, no fake serial classes: pyserial's ``loop://`` (what is
written comes back, so LCUS frames can be read back byte for byte, and for Modbus
function 05 the echo *is* the module's correct reply), and a pseudo-terminal whose
master side is driven by ``BoardPeer``, a thread that behaves like the board and can
be told to stay silent, answer garbage, refuse a coil, or vanish like an unplugged USB
cable. The port is named through a symlink, as udev's /dev/serial/by-id names are, so a
board "plugged in again" appears under the same name on a new pty.
"""

from __future__ import annotations

import os
import select
import struct
import threading
import time
import tty
from pathlib import Path
from types import MappingProxyType

import pytest

from firmware_host.broadcast.player import Player
from firmware_host.broadcast.session import Broadcaster, BroadcastRequest
from firmware_host.clips import ClipLibrary
from firmware_host.clock import system_clock
from firmware_host.config import ConfigError, RelaySettings, load_config
from firmware_host.logbook.playlog import PlayLog
from firmware_host.messages import LoaxaError
from firmware_host.relays import AMPLIFIER, open_relays
from firmware_host.relays.lcus import frame
from firmware_host.relays.modbus import crc16, crc_ok, read_coils, with_crc, write_coil
from firmware_host.report.counts import build_report
from tests.helpers import captured_files, make_tone

TIMEOUT = 0.1  # seconds per read; the default in loaxa.toml is 0.5


def relay_settings(port: str | Path, backend: str, **extra) -> RelaySettings:
    """Amplifier on channel 1, two zones on channels 2 and 3."""
    values = {"timeout_seconds": TIMEOUT, **extra}
    return RelaySettings(
        backend=backend,
        pin_factory="mock",
        active_high=True,
        amplifier=1,
        zones=MappingProxyType({"thon-1": 2, "thon-2": 3}),
        port=str(port),
        **values,
    )


class BoardPeer:
    """The board's end of a pseudo-terminal: decodes LCUS or Modbus frames and, for
    Modbus, answers like a module (echo for 05, coil bits for 01, correct CRC).

    ``mode``: "ok", "silent" (never answers), "garbage" (answers with a bad CRC),
    "exception" (Modbus exception 02). ``refuse``: (coil, on) writes it ignores, as a
    module with a broken output driver. ``stuck``: coils whose state never changes.
    """

    def __init__(self, link: Path, protocol: str, *, address: int = 1) -> None:
        self.link, self.protocol, self.address = link, protocol, address
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        link.unlink(missing_ok=True)
        link.symlink_to(os.ttyname(self.slave))
        self.mode = "ok"
        self.refuse: set[tuple[int, bool]] = set()
        self.stuck: set[int] = set()
        self.coils: dict[int, bool] = {}
        self.frames: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        size = 4 if self.protocol == "lcus" else 8
        buffer = b""
        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.02)
            if not ready:
                continue
            buffer += os.read(self.master, 256)
            while len(buffer) >= size:
                received, buffer = buffer[:size], buffer[size:]
                self.frames.append(received)
                reply = self._answer(received) if self.protocol == "modbus" else None
                if reply:
                    os.write(self.master, reply)

    def _answer(self, request: bytes) -> bytes | None:
        if self.mode == "silent" or not crc_ok(request) or request[0] != self.address:
            return None  # a real slave ignores what is not meant for it
        function, coil, value = request[1], *struct.unpack(">HH", request[2:6])
        if self.mode == "exception":
            return with_crc(bytes((self.address, function | 0x80, 0x02)))
        if function == 0x05:
            on = value == 0xFF00
            if (coil, on) in self.refuse:
                return None
            if coil not in self.stuck:
                self.coils[coil] = on
            reply = request
        elif function == 0x01:
            reply = with_crc(bytes((self.address, 0x01, 1, int(self.coils.get(coil, False)))))
        else:
            return None
        if self.mode == "garbage":
            reply = reply[:-1] + bytes((reply[-1] ^ 0x5A,))
        return reply

    def writes(self, count: int = 0) -> list[tuple[int, bool]]:
        """(channel, on) of every write received, LCUS frames or Modbus function 05,
        once at least *count* frames have arrived (LCUS boards never answer, so the
        test has to wait for the peer thread, not for a reply)."""
        deadline = time.monotonic() + 3
        while len(self.frames) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        if self.protocol == "lcus":
            return [(f[1], bool(f[2])) for f in self.frames]
        return [(f[3] + 1, f[4] == 0xFF) for f in self.frames if f[1] == 0x05]

    def vanish(self) -> None:
        """The USB cable is pulled: the port goes away under the program's feet."""
        if self._stop.is_set():
            return
        self._stop.set()
        self._thread.join()
        os.close(self.master)
        os.close(self.slave)
        self.link.unlink(missing_ok=True)


@pytest.fixture
def link(tmp_path):
    """Where the board appears, like /dev/serial/by-id/usb-1a86_USB_Serial-if00-port0."""
    return tmp_path / "ttyUSB-relays"


@pytest.fixture
def peers():
    made: list[BoardPeer] = []

    def plug(link: Path, protocol: str) -> BoardPeer:
        made.append(BoardPeer(link, protocol))
        return made[-1]

    yield plug
    for peer in made:
        peer.vanish()


OFF_SWEEP = [(1, False), (2, False), (3, False)]


# -- LCUS ------------------------------------------------------------------------------
def test_lcus_frames_are_the_documented_bytes():
    assert frame(1, True) == bytes.fromhex("A0 01 01 A2")
    assert frame(1, False) == bytes.fromhex("A0 01 00 A1")
    assert frame(4, True) == bytes.fromhex("A0 04 01 A5")
    assert frame(0x60, True) == bytes.fromhex("A0 60 01 01")  # the sum wraps at 0xFF
    with pytest.raises(ValueError):
        frame(0, True)


def test_lcus_on_loop_writes_off_at_start_then_exactly_each_change():
    changes: list[tuple[str, bool]] = []
    bank, note = open_relays(
        relay_settings("loop://", "lcus"), observer=lambda n, on: changes.append((n, on))
    )
    try:
        assert "LCUS" in note and "loop://" in note
        link = bank.link

        def written() -> bytes:
            return link.read(link.in_waiting)

        assert written() == b"".join(frame(c, False) for c in (1, 2, 3)), "OFF at start"
        assert bank.states() == {AMPLIFIER: False, "thon-1": False, "thon-2": False}
        bank.set("thon-2", True)
        bank.set(AMPLIFIER, True)
        bank.set(AMPLIFIER, True)  # already on: nothing is sent
        assert written() == frame(3, True) + frame(1, True)
        bank.all_off()
        assert written() == frame(1, False) + frame(3, False), "amplifier first"
        on_off = [("thon-2", True), (AMPLIFIER, True), (AMPLIFIER, False), ("thon-2", False)]
        assert changes == on_off
    finally:
        bank.close()
    assert bank.link is None


# -- Modbus frames ---------------------------------------------------------------------
def test_modbus_frames_and_crc():
    assert crc16(b"123456789") == (0x4B37).to_bytes(2, "little")  # CRC-16/MODBUS check
    assert write_coil(1, 0, True) == bytes.fromhex("01 05 00 00 FF 00 8C 3A")
    assert write_coil(1, 0, False) == bytes.fromhex("01 05 00 00 00 00 CD CA")
    assert read_coils(1, 0) == bytes.fromhex("01 01 00 00 00 01 FD CA")
    assert crc_ok(write_coil(17, 300, True))
    assert not crc_ok(bytes.fromhex("01 05 00 00 FF 00 8C 3B"))


def test_modbus_on_loop_the_echo_confirms_every_write():
    bank, _note = open_relays(relay_settings("loop://", "modbus"))
    try:
        assert bank.states() == dict.fromkeys((AMPLIFIER, "thon-1", "thon-2"), False)
        bank.set("thon-1", True)
        bank.set(AMPLIFIER, True)
        assert bank.states() == {AMPLIFIER: True, "thon-1": True, "thon-2": False}
        bank.all_off()
        assert not any(bank.states().values())
    finally:
        bank.close()


# -- Modbus against a module on a pty ---------------------------------------------------
def test_modbus_readback_reads_every_coil_after_writing_it(link, peers):
    peer = peers(link, "modbus")
    bank, _note = open_relays(relay_settings(link, "modbus", readback=True))
    try:
        bank.set("thon-2", True)
        assert peer.coils == {0: False, 1: False, 2: True}
        functions = [f[1] for f in peer.frames]
        assert functions == [0x05, 0x01] * 4, "each write is followed by its read-back"
        assert peer.frames[-1] == read_coils(1, 2)
    finally:
        bank.close()
    assert peer.coils == {0: False, 1: False, 2: False}


@pytest.mark.parametrize(
    "mode, readback, fragment",
    [
        ("silent", False, "không có trả lời sau 0.1 giây"),
        ("garbage", False, "sai mã kiểm tra CRC"),
        ("exception", False, "mã lỗi Modbus 2"),
        ("stuck", True, "đọc lại thấy kênh vẫn TẮT"),
    ],
)
def test_a_module_that_does_not_confirm_raises_quickly_then_recovers(
    link, peers, mode, readback, fragment
):
    peer = peers(link, "modbus")
    bank, _note = open_relays(relay_settings(link, "modbus", readback=readback))
    try:
        if mode == "stuck":
            peer.stuck.add(1)
        else:
            peer.mode = mode
        started = time.monotonic()
        with pytest.raises(LoaxaError) as caught:
            bank.set("thon-1", True)
        assert time.monotonic() - started < 1.0, "bounded by the timeouts"
        message = str(caught.value)
        assert caught.value.key == "relays.not_confirmed"
        assert fragment in message and "kênh 2 (thon-1)" in message
        assert "ls /dev/ttyUSB*" in message and "RS-485" in message
        assert bank.states() == dict.fromkeys((AMPLIFIER, "thon-1", "thon-2"))  # unknown
        if mode == "silent":
            started = time.monotonic()
            bank.all_off()  # never raises, and never hangs, whatever the module does
            assert time.monotonic() - started < 1.0
            assert set(bank.states().values()) == {None}
        peer.mode, peer.stuck = "ok", set()  # the technician fixed the line
        peer.frames.clear()
        bank.set("thon-1", True)  # reconnects: everything OFF first, then the change
        assert peer.writes() == [*OFF_SWEEP, (2, True)]
        assert bank.states() == {AMPLIFIER: False, "thon-1": True, "thon-2": False}
    finally:
        bank.close()


def test_a_board_missing_at_start_is_reported_and_picked_up_when_plugged_in(link, peers):
    bank, note = open_relays(relay_settings(link, "lcus"))
    try:
        assert "mất kết nối" in note and str(link) in note and "ls /dev/ttyUSB*" in note
        assert set(bank.states().values()) == {None}
        with pytest.raises(LoaxaError) as caught:
            bank.set("thon-1", True)
        assert caught.value.key == "relays.port_gone"
        bank.all_off()  # logs, never raises
        peer = peers(link, "lcus")
        bank.set("thon-1", True)
        assert peer.writes(4) == [*OFF_SWEEP, (2, True)]
    finally:
        bank.close()


def test_the_amplifier_is_not_switched_on_right_after_a_reconnect(link, peers):
    """A reconnect switches every zone OFF; the amplifier must not come on into none."""
    peer = peers(link, "lcus")
    bank, _note = open_relays(relay_settings(link, "lcus"))
    try:
        bank.set("thon-1", True)
        peer.vanish()
        with pytest.raises(LoaxaError):
            bank.set(AMPLIFIER, True)
        peer = peers(link, "lcus")
        with pytest.raises(LoaxaError) as caught:
            bank.set(AMPLIFIER, True)
        assert caught.value.key == "relays.reconnected_amp_refused"
        assert not any(bank.states().values())
    finally:
        bank.close()


# -- sessions --------------------------------------------------------------------------
@pytest.fixture
def station(box, tmp_path):
    """A broadcaster factory over any relay bank, the capture card and one 1.2 s clip."""
    library = ClipLibrary(box)
    clip = library.import_file(make_tone(tmp_path / "Thông báo.wav", seconds=1.2))
    log = PlayLog(box.log_dir, box.timezone)

    def make(relays) -> Broadcaster:
        return Broadcaster(
            relays=relays,
            player=Player("loaxa_capture"),
            library=library,
            log=log,
            now=system_clock(box.timezone),
            warmup_seconds=box.amplifier.warmup_seconds,
            tail_seconds=box.amplifier.tail_seconds,
            announce=lambda _line: None,
        )

    yield make, clip, log
    log.close()


def test_usb_unplugged_mid_session_fails_it_and_the_next_session_works(
    station, link, peers, capture_dir
):
    make, clip, log = station
    peer = peers(link, "lcus")
    amplifier_on = threading.Event()
    bank, _note = open_relays(
        relay_settings(link, "lcus"),
        observer=lambda n, on: amplifier_on.set() if (n, on) == (AMPLIFIER, True) else None,
    )
    try:
        broadcaster = make(bank)
        result = {}
        session = threading.Thread(
            target=lambda: result.update(
                outcome=broadcaster.broadcast(BroadcastRequest((clip.id,), ("thon-1",)))
            )
        )
        session.start()
        assert amplifier_on.wait(5)
        time.sleep(0.4 + 0.5)  # warm-up, then half-way through the clip
        peer.vanish()
        session.join(10)
        outcome = result["outcome"]
        assert outcome.status == "failed"
        assert "không biết rơ-le âm ly, thon-1, thon-2 đang bật hay tắt" in outcome.error
        assert "ls /dev/ttyUSB*" in outcome.error
        assert set(bank.states().values()) == {None}

        peer = peers(link, "lcus")  # plugged in again, same name, new device
        after = broadcaster.broadcast(BroadcastRequest((clip.id,), ("thon-2",)))
        assert after.status == "completed" and after.error is None
        on, repeated, off = [(3, True), (1, True)], [(1, True), (3, True)], [(1, False), (3, False)]
        assert peer.writes(9) == [*OFF_SWEEP, *on, *repeated, *off], "repeated at the clip's end"
        assert not any(bank.states().values())
    finally:
        bank.close()
    rows = log.entries()
    sessions = [r for r in rows if r["kind"] == "session"]
    assert [s["status"] for s in sessions] == ["failed", "completed"]
    assert "ls /dev/ttyUSB*" in sessions[0]["error"]
    assert len(captured_files(capture_dir)) == 2
    # The clip played to its end into a board that was gone: not a lượt.
    plays = [r for r in rows if r["kind"] == "clip"]
    assert [p["status"] for p in plays] == ["failed", "completed"]
    assert "mất kết nối với bo rơ-le USB LCUS" in plays[0]["error"]
    totals = build_report(rows, month=rows[0]["month"], tz=log.tz, commune={}).totals
    assert (totals["plays_completed"], totals["plays_failed"]) == (1, 1)
    assert (totals["sessions_completed"], totals["sessions_failed"]) == (1, 1)


def test_a_module_that_lost_power_mid_clip_is_caught_by_reading_its_coils_back(
    station, link, peers, capture_dir
):
    """The RS-485 adapter stays, the module's supply blinks: its coils fall OFF and come
    back OFF. Only the read-back at the clip's end can tell; the play is not counted."""
    make, clip, log = station
    peer = peers(link, "modbus")
    amplifier_on = threading.Event()
    bank, _note = open_relays(
        relay_settings(link, "modbus", readback=True),
        observer=lambda n, on: amplifier_on.set() if (n, on) == (AMPLIFIER, True) else None,
    )

    def supply_blinks() -> None:
        amplifier_on.wait(5)
        time.sleep(0.4 + 0.5)  # warm-up, then half-way through the clip
        peer.coils.clear()  # every coil back to OFF, as after a reset

    try:
        threading.Thread(target=supply_blinks, daemon=True).start()
        outcome = make(bank).broadcast(BroadcastRequest((clip.id,), ("thon-1",)))
        assert outcome.status == "failed" and outcome.clips_played == 0
        assert "đọc lại thấy kênh vẫn TẮT" in outcome.error and "kênh 1 (âm ly)" in outcome.error
        assert not any(peer.coils.values()), "and everything is switched off after it"
    finally:
        bank.close()
    session, play = log.entries()
    assert (session["status"], play["status"]) == ("failed", "failed")
    assert len(captured_files(capture_dir)) == 1


def test_a_relay_that_is_not_confirmed_on_air_fails_the_session_and_all_goes_off(
    station, link, peers, capture_dir
):
    make, clip, log = station
    peer = peers(link, "modbus")
    peer.refuse.add((0, True))  # the amplifier's coil never confirms ON
    bank, _note = open_relays(relay_settings(link, "modbus"))
    try:
        outcome = make(bank).broadcast(BroadcastRequest((clip.id,), ("thon-1", "thon-2")))
        assert outcome.status == "failed" and outcome.clips_played == 0
        assert outcome.error.startswith("không nhận được xác nhận từ mô-đun rơ-le Modbus RTU")
        assert "khi BẬT kênh 1 (âm ly)" in outcome.error
        # after the failure the port was reopened and every channel switched OFF
        assert peer.writes()[-3:] == OFF_SWEEP
        assert not any(peer.coils.values())
        assert bank.states() == dict.fromkeys((AMPLIFIER, "thon-1", "thon-2"), False)
    finally:
        bank.close()
    session = next(r for r in log.entries() if r["kind"] == "session")
    assert session["status"] == "failed" and "âm ly" in session["error"]
    assert captured_files(capture_dir) == []


# -- configuration ---------------------------------------------------------------------
HEADER = '[commune]\nname = "Xã Ea Tu"\nprovince = "Đắk Lắk"\n'


def test_config_selects_a_serial_board_with_the_same_channel_map(tmp_path):
    (tmp_path / "loaxa.toml").write_text(
        HEADER
        + '[relays]\nbackend = "modbus"\nport = "/dev/ttyUSB1"\nmodbus_address = 3\n'
        + "readback = true\namplifier = 1\ntimeout_seconds = 1\n"
        + '[relays.zones]\n"thôn 1" = 2\n"thôn 2" = 3\n',
        "utf-8",
    )
    relays = load_config(tmp_path).relays
    assert (relays.backend, relays.port, relays.modbus_address, relays.readback) == (
        "modbus",
        "/dev/ttyUSB1",
        3,
        True,
    )
    assert (relays.amplifier, relays.baud) == (1, 9600)
    assert dict(relays.zones) == {"thôn 1": 2, "thôn 2": 3}
    assert relays.timeout_seconds == 1.0 and relays.amplifier_sense_pin is None


def test_serial_channels_take_no_gpio_pin(tmp_path):
    """Channel 2 on the board and GPIO 2 for the status LED are different things."""
    (tmp_path / "loaxa.toml").write_text(
        HEADER + '[relays]\nbackend = "lcus"\namplifier = 1\n[relays.zones]\n"thon-1" = 2\n'
        '[usb]\nstatus_led_pin = "2"\n',
        "utf-8",
    )
    config = load_config(tmp_path)
    assert (config.relays.backend, config.usb.status_led_pin) == ("lcus", 2)


def test_switching_backend_but_keeping_gpio_pins_is_refused(tmp_path):
    (tmp_path / "loaxa.toml").write_text(HEADER + '[relays]\nbackend = "lcus"\n', "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert len(caught.value.problems) == 4  # amplifier 17 and the zones 27, 22, 23
    assert "không phải 17" in str(caught.value.problems[0])


def test_config_defaults_keep_gpio(tmp_path):
    relays = load_config(tmp_path).relays
    assert (relays.backend, relays.amplifier, relays.port, relays.baud) == (
        "gpio",
        17,
        "/dev/ttyUSB0",
        9600,
    )


def test_config_refuses_what_a_serial_board_cannot_do(tmp_path):
    (tmp_path / "loaxa.toml").write_text(
        HEADER
        + '[relays]\nbackend = "lcus"\nport = " "\namplifier = 0\nmodbus_address = 300\n'
        + '[relays.zones]\n"thon-1" = "GPIO5"\n"thon-2" = 2\n"thon-3" = 2\n',
        "utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    problems = "\n".join(str(p) for p in caught.value.problems)
    assert "dòng 7: giá trị của 'relays.amplifier' không hợp lệ" in problems
    assert "một số nguyên từ 1 đến 16, không phải 0" in problems
    assert "'relays.zones.thon-1'" in problems and "không phải 'GPIO5'" in problems
    assert "chân 2 được dùng cho cả 'thon-2' và 'thon-3'" in problems
    assert "'relays.port'" in problems and "ls /dev/ttyUSB*" in problems
    assert "'relays.modbus_address'" in problems and "300 ∉ [1, 247]" in problems
    assert len(caught.value.problems) == 5


def test_a_board_left_on_by_an_unplugged_adapter_is_switched_off_when_it_returns(
    station, link, peers
):
    """A Modbus module keeps its coils while the USB-RS485 adapter is out; the daemon's
    sweep (Broadcaster.switch_off_if_unknown, every 5 s) switches them off on its return."""
    make, _clip, _log = station
    peer = peers(link, "modbus")
    bank, _note = open_relays(relay_settings(link, "modbus"))
    try:
        broadcaster = make(bank)
        bank.set("thon-1", True)
        bank.set(AMPLIFIER, True)
        peer.vanish()
        bank.all_off()  # the session's finally: cannot reach the module
        assert set(bank.states().values()) == {None}
        assert broadcaster.switch_off_if_unknown()  # still gone: tried, logged, unknown
        peer = peers(link, "modbus")
        peer.coils = {0: True, 1: True}  # the module kept amplifier and thon-1 ON
        assert broadcaster.switch_off_if_unknown()
        assert peer.coils == dict.fromkeys(range(len(bank.states())), False)
        assert set(bank.states().values()) == {False}
        assert not broadcaster.switch_off_if_unknown()  # nothing unknown: nothing to do
    finally:
        bank.close()
