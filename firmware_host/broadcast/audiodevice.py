"""Which ALSA device is the loudspeaker output? ``loaxa init`` proposes one.

A Raspberry Pi lists its own outputs (HDMI, the 3.5 mm jack) beside the USB sound card
that feeds the amplifier. Card *names* (``CARD=Device``) stay the same across reboots
while card numbers do not, so the proposal is the ``plughw:CARD=…,DEV=0`` name of the
first card that is not built into the Pi (``plughw`` converts rate and channels).
"""

from __future__ import annotations

import re

from firmware_host.broadcast.player import list_devices

BUILT_IN = ("vc4hdmi", "hdmi", "headphones", "bcm2835", "b1", "loopback", "dummy")
_PLUGHW = re.compile(r"^plughw:CARD=([^,\s]+),DEV=(\d+)$")


def propose(aplay_list: str) -> str | None:
    """The device name to use, from the text of ``aplay -L``; None if no USB card."""
    for line in aplay_list.splitlines():
        match = _PLUGHW.match(line.strip())
        if match and not match.group(1).lower().startswith(BUILT_IN):
            return match.group(0)
    return None


def propose_from_system() -> str | None:
    return propose(list_devices())


def with_device(config_text: str, device: str) -> str:
    """The default config text with ``[audio] device`` set to *device*."""
    return re.sub(
        r'^device = "default"', f'device = "{device}"', config_text, count=1, flags=re.MULTILINE
    )
