"""The common CH340 "LCUS" USB relay boards (LCUS-1/2/4/8), 9600 baud 8N1.

One 4-byte frame per command: ``A0 <channel> <00 off | 01 on> <sum>``, with
``sum = (0xA0 + channel + state) & 0xFF`` and channels numbered from 1. The boards send
no reply, so a command is "done" when its bytes have left the port; what can still be
detected is the port itself failing (cable pulled, board gone), and that is what the
shared serial plumbing turns into an operator message.
"""

from __future__ import annotations

import time

import serial

from firmware_host.messages import t
from firmware_host.relays.serialbank import SerialRelayBank

START = 0xA0
HIGHEST_CHANNEL = 0xFF  # the channel travels in one byte

# The board's microcontroller finds frames in a plain byte stream; cheap clones drop a
# frame that arrives right behind the previous one, so each command leaves a gap.
FRAME_GAP_SECONDS = 0.03


def frame(channel: int, on: bool) -> bytes:
    """The 4 bytes that switch *channel* (1-based) on or off."""
    if not 1 <= channel <= HIGHEST_CHANNEL:
        raise ValueError(f"LCUS channel {channel} is not in 1..{HIGHEST_CHANNEL}")
    state = 0x01 if on else 0x00
    return bytes((START, channel, state, (START + channel + state) & 0xFF))


class LcusRelayBank(SerialRelayBank):
    """Amplifier and zone relays on an LCUS board; see ``SerialRelayBank``."""

    def board(self) -> str:
        return t("relays.board_lcus")

    def _switch(self, link: serial.SerialBase, channel: int, on: bool) -> None:
        data = frame(channel, on)
        link.write(data)  # bounded by the port's write timeout
        # No reply to wait for: wait for the bytes to be on the wire (10 bits each at
        # 8N1) and the gap, so "set() returned" means the board has the command.
        time.sleep(len(data) * 10 / self.baud + FRAME_GAP_SECONDS)
