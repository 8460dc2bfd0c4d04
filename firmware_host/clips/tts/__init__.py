"""Text-to-speech: an officer types an announcement, the box reads it into a clip.

``say(config, text, title=…)`` is the whole interface (``loaxa clips say``, the web
panel and the province link call it): the text is checked and rewritten as spoken
Vietnamese (:mod:`.normalize`), read by an engine (:mod:`.engines`: espeak-ng, or
Piper when a voice file is configured and usable) into a temporary WAV, and imported
through the normal clip import (:mod:`.render`), marked as synthesised.

    result = say(config, "Chiều nay 16/9 cắt nước từ 14h-17h", title="Cắt nước")
    result.clip          # the stored Clip, as from ClipLibrary.import_file
    result.engine_used   # "espeak-ng" or "piper"
    result.notes         # operator sentences to log/print (e.g. why Piper was not used)
    result.spoken_text   # the words the engine read

Every refusal is a :class:`~firmware_host.messages.LoaxaError` (``tts.*``, or
``clips.*`` from the import) and then nothing is stored. ``prepare(config, text)``
checks and normalises without reading aloud; ``preview(config, text, wav)`` reads it
into a WAV exactly as ``say`` would, without storing a clip (the panel's "nghe thử").
"""

from firmware_host.clips.tts.normalize import normalize
from firmware_host.clips.tts.render import (
    MAX_TEXT_CHARACTERS,
    Preview,
    SayResult,
    prepare,
    preview,
    say,
)

__all__ = ["MAX_TEXT_CHARACTERS", "Preview", "SayResult", "normalize", "prepare", "preview", "say"]
