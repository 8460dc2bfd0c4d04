"""Modbus RTU relay modules on RS-485: one coil per relay, switched with function 05.

Write single coil (05): ``addr 05 coil_hi coil_lo FF|00 00 crc_lo crc_hi``; the module
confirms by echoing the request, so a missing, short, garbled or different reply means
the relay may not have switched, and the session must not go on as if it had. With
``readback = true`` the coil is also read back with function 01 (read coils), for
modules that support it: an echo only proves the module heard the command.

Coil addresses are the 1-based channel numbers of ``loaxa.toml`` minus one, as printed
on the modules' relay terminals (CH1 = coil 0). Each request is tried twice, since
RS-485 lines in a commune office pick up noise, and every read is bounded by the
port's timeout.
"""

from __future__ import annotations

import struct

import serial

from firmware_host.messages import t
from firmware_host.relays.serialbank import BoardError, SerialRelayBank

WRITE_COIL = 0x05
READ_COILS = 0x01
EXCEPTION_BIT = 0x80
ATTEMPTS = 2
HIGHEST_CHANNEL = 0x10000  # coil addresses are 16 bits


def crc16(data: bytes) -> bytes:
    """CRC-16/MODBUS (poly 0xA001 reflected, init 0xFFFF), low byte first as sent."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc.to_bytes(2, "little")


def with_crc(body: bytes) -> bytes:
    return body + crc16(body)


def crc_ok(frame: bytes) -> bool:
    return len(frame) >= 4 and crc16(frame[:-2]) == frame[-2:]


def write_coil(address: int, coil: int, on: bool) -> bytes:
    """Function 05 request; the module's correct reply is this same frame."""
    return with_crc(struct.pack(">BBHH", address, WRITE_COIL, coil, 0xFF00 if on else 0x0000))


def read_coils(address: int, coil: int, count: int = 1) -> bytes:
    """Function 01 request for *count* coils from *coil*."""
    return with_crc(struct.pack(">BBHH", address, READ_COILS, coil, count))


class ModbusRelayBank(SerialRelayBank):
    """Amplifier and zone relays as coils of one Modbus RTU slave; see ``SerialRelayBank``."""

    def __init__(self, settings, **kwargs) -> None:
        self.address = int(settings.modbus_address)
        self.readback = bool(settings.readback)
        super().__init__(settings, **kwargs)

    def board(self) -> str:
        return t("relays.board_modbus", address=self.address)

    def _switch(self, link: serial.SerialBase, channel: int, on: bool) -> None:
        coil = channel - 1
        request = write_coil(self.address, coil, on)
        reply = self._transact(link, request, len(request))
        if reply != request:
            raise BoardError(t("relays.wrong_reply", reply=reply.hex(" ")))
        if self.readback:
            self._read_back(link, coil, on)

    def _confirm(self, link: serial.SerialBase, channel: int, on: bool) -> None:
        """With ``readback`` the coil is read; without it the write is repeated and its
        echo confirms the module is there. Only a read notices a module that lost
        power mid-clip (its coils fall OFF); a repeated write switches it back on."""
        if self.readback:
            self._read_back(link, channel - 1, on)
        else:
            self._switch(link, channel, on)

    def _read_back(self, link: serial.SerialBase, coil: int, on: bool) -> None:
        reply = self._transact(link, read_coils(self.address, coil), 6)
        if reply[:3] != bytes((self.address, READ_COILS, 1)):
            raise BoardError(t("relays.wrong_reply", reply=reply.hex(" ")))
        if bool(reply[3] & 1) != on:
            still = t("relays.off") if on else t("relays.on")
            raise BoardError(t("relays.readback_differs", state=still))

    def _transact(self, link: serial.SerialBase, request: bytes, length: int) -> bytes:
        """Send *request* and return a reply of *length* bytes with a good CRC."""
        failure = BoardError(t("relays.no_reply", seconds=self.timeout))
        for _attempt in range(ATTEMPTS):
            link.reset_input_buffer()  # a late reply to an earlier try is not an answer
            link.write(request)
            try:
                return self._reply(link, request[1], length)
            except BoardError as exc:
                failure = exc
        raise failure

    def _reply(self, link: serial.SerialBase, function: int, length: int) -> bytes:
        reply = link.read(2)
        if len(reply) == 2 and reply[1] == function | EXCEPTION_BIT:
            reply += link.read(3)  # address, function, exception code, CRC
            if crc_ok(reply):
                raise BoardError(t("relays.modbus_exception", code=reply[2]))
            raise BoardError(t("relays.bad_crc", reply=reply.hex(" ")))
        if len(reply) == 2:
            reply += link.read(length - 2)
        if not reply:
            raise BoardError(t("relays.no_reply", seconds=self.timeout))
        if len(reply) < length:
            raise BoardError(t("relays.wrong_reply", reply=reply.hex(" ")))
        if not crc_ok(reply):
            raise BoardError(t("relays.bad_crc", reply=reply.hex(" ")))
        return reply
