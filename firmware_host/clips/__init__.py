"""The clip library: every announcement the box can play, checked and normalised once.

Data path: a file (phone, stick, panel upload) or a typed text (:mod:`.tts`) →
:mod:`.transcode` (the only module that runs ffmpeg/ffprobe on user media: probe, two
loudness passes, the player's WAV) → :mod:`.library` (index, locks, stored-clip checks).
:mod:`.names` and :mod:`.wavfile` are the pure helpers both use.
"""

from firmware_host.clips.library import Clip, ClipLibrary
from firmware_host.clips.names import display_name, slugify
from firmware_host.clips.transcode import PCM_CHANNELS, PCM_RATE, PCM_SAMPLE_WIDTH
from firmware_host.textout import nfc

__all__ = [
    "PCM_CHANNELS",
    "PCM_RATE",
    "PCM_SAMPLE_WIDTH",
    "Clip",
    "ClipLibrary",
    "display_name",
    "nfc",
    "slugify",
]
