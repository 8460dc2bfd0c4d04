"""Facts about a file on disk, read without decoding it: its hash, and what a WAV header
promises against what the file holds (pure file reads, no ffmpeg)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

HASH_CHUNK = 1024 * 1024
TRUNCATION_SECONDS = 0.5  # encoder delay/padding is < 0.1 s; more missing = cut short
TRUNCATION_FRACTION = 0.05


def digest(path: Path) -> tuple[str, int]:
    """SHA-256 and size of a file, read in chunks (a clip may be 170 MB)."""
    sha = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            sha.update(chunk)
            size += len(chunk)
    return sha.hexdigest(), size


def cut_short(declared: float, decoded: float) -> bool:
    """Much less audio than promised: a cut-off copy, not encoder delay or padding."""
    return declared - decoded > max(TRUNCATION_SECONDS, TRUNCATION_FRACTION * declared)


def wav_promise(source: Path) -> tuple[float, float] | None:
    """(seconds the WAV header promises, seconds actually present), or None if not a WAV.

    ffmpeg quietly estimates a truncated WAV's duration from the file size, so the
    decoded length cannot reveal the cut; the header's data-chunk size can. Only the
    chunk headers are read. RF64 and "unknown size" headers (0 or 0xFFFFFFFF, written
    when recording to a pipe) promise nothing and are left to the decoder.
    """
    try:
        size = source.stat().st_size
        with source.open("rb") as handle:
            head = handle.read(12)
            if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                return None
            byte_rate = 0
            for _ in range(64):
                chunk = handle.read(8)
                if len(chunk) < 8:
                    return None
                kind, length = chunk[:4], int.from_bytes(chunk[4:], "little")
                if kind == b"fmt ":
                    fmt = handle.read(min(length, 16))
                    if len(fmt) >= 12:
                        byte_rate = int.from_bytes(fmt[8:12], "little")
                    handle.seek(length - len(fmt) + (length & 1), os.SEEK_CUR)
                elif kind == b"data":
                    if byte_rate <= 0 or length in (0, 0xFFFFFFFF):
                        return None
                    present = max(0, size - handle.tell())
                    return length / byte_rate, min(length, present) / byte_rate
                else:
                    handle.seek(length + (length & 1), os.SEEK_CUR)
    except OSError:
        return None
    return None
