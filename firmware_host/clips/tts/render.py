"""Text → spoken words → WAV → the normal clip import: ``say`` is the one entry point.

Why through the import: a synthesised announcement must be exactly as loud, as
checked and as logged as a recorded one, and the schedule, the player and the report
must not care where a clip came from. So the engine only writes a temporary WAV;
:meth:`ClipLibrary.import_file` then normalises, checks and stores it like any file
the officer brings, and nothing is stored unless that import succeeds.

The index entry is marked as synthesised (``source = "tts"``, the engine, voice,
speed, the first characters of the text and, for Piper, the voice's attribution) in
the same atomic index write that commits the clip, so a power cut can never leave a
synthesised clip that looks recorded. A clip rendered again from the same text, voice
and speed is byte-identical and refused as a duplicate, naming the existing clip.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from firmware_host.clips import Clip, ClipLibrary, slugify
from firmware_host.clips.tts.engines import (
    ESPEAK,
    PIPER,
    EspeakNg,
    Piper,
    check_voice,
    load_piper_voice,
    piper_installed,
)
from firmware_host.clips.tts.normalize import has_words, normalize
from firmware_host.config import TTS_ENGINES, TTS_SPEED_RANGE, Config
from firmware_host.messages import LoaxaError, t

__all__ = ["MAX_TEXT_CHARACTERS", "Preview", "SayResult", "prepare", "preview", "say"]

# ~5,000 characters is some 1,000 words, 6–7 minutes read at speed 1.0: longer than any
# announcement, short enough that a pasted document is refused before any work.
MAX_TEXT_CHARACTERS = 5000
INDEX_TEXT_CHARACTERS = 300  # of the original text, kept in the index entry
WORDS_PER_MINUTE = 150  # only to tell the officer how long a refused text would read
OUTPUT_RATE_BYTES = 48000 * 2 * 2  # a ceiling for any engine's WAV: 48 kHz, 16-bit, stereo
# espeak-ng ftruncates a 64 MiB scratch file when it starts, which the file-size limit
# also counts; no limit may be below that (traced with strace, espeak-ng 1.51).
MIN_FILE_BYTES = 128 * 1024 * 1024


@dataclass(frozen=True)
class SayResult:
    """What ``say`` stored and how: *notes* are operator sentences (current language),
    e.g. why Piper was not used; the caller logs or prints them."""

    clip: Clip
    engine_used: str  # "espeak-ng" or "piper"
    notes: tuple[str, ...]
    spoken_text: str  # what the engine was given, after normalisation


class _SynthesisedLibrary(ClipLibrary):
    """The clip library, adding the synthesis fields to the entry it commits."""

    def __init__(self, config: Config, fields: dict[str, Any]) -> None:
        super().__init__(config)
        self._fields = fields

    def _commit(self, tmp: Path, base: str, doc: dict[str, Any], name: str) -> Clip:
        return super()._commit(tmp, base, {**doc, **self._fields}, name)


def prepare(config: Config, text: str, *, language: str = "vi") -> str:
    """Check *text* and return the words the engine will speak (a preview shows these).

    Raises :class:`LoaxaError`: empty, only punctuation, too long, not Vietnamese.
    """
    if len(text) > MAX_TEXT_CHARACTERS:
        raise LoaxaError(
            "tts.too_long",
            length=len(text),
            maximum=MAX_TEXT_CHARACTERS,
            minutes=max(1, round(len(text.split()) / WORDS_PER_MINUTE)),
        )
    if not text.strip():
        raise LoaxaError("tts.empty")
    if (language or "").strip().lower() != "vi":
        raise LoaxaError("tts.bad_language", language=language)
    spoken = normalize(text, config.tts.abbreviations)
    if not has_words(spoken):  # after normalisation: "113" alone is speakable
        raise LoaxaError("tts.no_words")
    return spoken


def say(
    config: Config,
    text: str,
    *,
    title: str,
    language: str = "vi",
    voice: str | None = None,
    speed: float | None = None,
    engine: str | None = None,
) -> SayResult:
    """Read *text* aloud into a new clip titled *title*, through the normal import.

    *voice* (an espeak-ng voice: ``vi``, ``vi-vn-x-central``, ``vi-vn-x-south``,
    optionally ``+f3`` …), *speed* (0.6–1.8, 1.0 normal) and *engine* (``auto``,
    ``espeak-ng``, ``piper``) default to ``[tts]`` in loaxa.toml. With Piper
    configured but unusable, espeak-ng reads instead and a note says why.

    Raises :class:`LoaxaError` (``tts.*`` or ``clips.*``) when nothing was stored.
    """
    spoken = prepare(config, text, language=language)
    if not " ".join((title or "").split()):
        raise LoaxaError("clips.bad_title", name=" ".join(text.split())[:40])
    excerpt = " ".join(text.split())
    if len(excerpt) > INDEX_TEXT_CHARACTERS:
        excerpt = excerpt[: INDEX_TEXT_CHARACTERS - 1] + "…"
    with tempfile.TemporaryDirectory(prefix="loaxa-tts-") as work:
        wav = Path(work) / f"tts-{slugify(title) or 'bai'}.wav"
        used, fields, notes = _read_aloud(config, spoken, wav, voice, speed, engine)
        fields |= {"source": "tts", "tts_text": excerpt}
        library = _SynthesisedLibrary(config, fields)
        try:
            clip = library.import_file(wav, title=title, language="vi")
        except LoaxaError as exc:
            raise _in_text_terms(exc) from exc
    return SayResult(clip=clip, engine_used=used, notes=notes, spoken_text=spoken)


@dataclass(frozen=True)
class Preview:
    """What :func:`preview` read aloud, and how (the same as ``say`` would)."""

    engine_used: str
    notes: tuple[str, ...]
    spoken_text: str


def preview(
    config: Config,
    text: str,
    wav: Path,
    *,
    voice: str | None = None,
    speed: float | None = None,
    engine: str | None = None,
) -> Preview:
    """Read *text* into *wav* as ``say`` would, without storing a clip: the web panel's
    "nghe thử", so the officer hears the words, the voice and the speed before saving
    (saving then only evens out the loudness). Raises what ``say`` raises."""
    spoken = prepare(config, text)
    used, _fields, notes = _read_aloud(config, spoken, wav, voice, speed, engine)
    return Preview(engine_used=used, notes=notes, spoken_text=spoken)


def _read_aloud(
    config: Config,
    spoken: str,
    wav: Path,
    voice: str | None,
    speed: float | None,
    engine: str | None,
) -> tuple[str, dict[str, Any], tuple[str, ...]]:
    """Render *spoken* into *wav* with the engine the settings choose: (engine used,
    the index fields that say how, notes for the operator)."""
    settings = config.tts
    chosen_speed = settings.speed if speed is None else speed
    low, high = TTS_SPEED_RANGE
    if not low <= chosen_speed <= high:
        raise LoaxaError("tts.bad_speed", speed=chosen_speed, low=low, high=high)
    chosen_voice = settings.voice if voice is None else voice.strip()
    check_voice(chosen_voice)  # espeak-ng is the fallback, so its voice must exist
    requested = settings.engine if engine is None else engine
    if requested not in TTS_ENGINES:
        raise LoaxaError("tts.bad_engine", engine=requested, choices=", ".join(TTS_ENGINES))
    if requested == PIPER and settings.piper_model is None:
        raise LoaxaError("tts.piper_needs_model")
    model = settings.piper_model if requested in (PIPER, "auto") else None

    max_bytes = max(
        MIN_FILE_BYTES, int((config.audio.max_clip_minutes + 1) * 60 * OUTPUT_RATE_BYTES)
    )
    notes: list[str] = []
    fields: dict[str, Any] = {"tts_speed": chosen_speed}
    used = ESPEAK
    if model is not None:
        try:
            piper_voice = load_piper_voice(model)
            if not piper_installed():
                raise LoaxaError("tts.piper_not_installed")
            Piper(piper_voice, max_bytes).render(spoken, wav, chosen_voice, chosen_speed)
            used = PIPER
            fields |= {
                "tts_voice": piper_voice.model.name,
                "tts_attribution": settings.piper_attribution
                or f"Piper voice {piper_voice.model.stem}"
                + (f", dataset {piper_voice.dataset}" if piper_voice.dataset else ""),
            }
            if voice is not None:
                notes.append(t("tts.voice_ignored", voice=voice, path=piper_voice.model))
        except LoaxaError as exc:
            notes.append(_fallback_note(exc, model))
            wav.unlink(missing_ok=True)
    if used == ESPEAK:
        EspeakNg(max_bytes).render(spoken, wav, chosen_voice, chosen_speed)
        fields["tts_voice"] = chosen_voice
    fields["tts_engine"] = used
    return used, fields, tuple(notes)


def _fallback_note(exc: LoaxaError, model: Path) -> str:
    """The note saying why Piper was not used (its own message, or Piper's failure)."""
    if exc.key.startswith("tts.piper_"):
        return str(exc)
    return t("tts.piper_failed", path=model, detail=exc.params.get("detail", exc))


def _in_text_terms(exc: LoaxaError) -> LoaxaError:
    """Import refusals that name a file the officer never saw, said about the text."""
    if exc.key == "clips.duplicate":
        return LoaxaError("tts.duplicate", id=exc.params["id"], title=exc.params["title"])
    if exc.key == "clips.too_short":
        return LoaxaError(
            "tts.too_short", seconds=exc.params["seconds"], minimum=exc.params["minimum"]
        )
    return exc
