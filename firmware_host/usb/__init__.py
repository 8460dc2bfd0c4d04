"""The USB stick exchange: reports out, clips and schedules in, a receipt on top.

:mod:`.watch` is the root part (mount, wait, unmount, signal), :mod:`.confine` the
permanent privilege drop, :mod:`.sync` the unprivileged exchange itself, :mod:`.signals`
the done light and sound.
"""

from firmware_host.usb.receipt import receipt_name, render_receipt
from firmware_host.usb.result import (
    CLIP_SUFFIXES,
    MAX_CLIP_BYTES,
    MAX_SCHEDULE_BYTES,
    Entry,
    SyncResult,
)
from firmware_host.usb.sync import sync_stick

__all__ = [
    "CLIP_SUFFIXES",
    "MAX_CLIP_BYTES",
    "MAX_SCHEDULE_BYTES",
    "Entry",
    "SyncResult",
    "receipt_name",
    "render_receipt",
    "sync_stick",
]
