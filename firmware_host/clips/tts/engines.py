"""The speech engines, behind one seam: text in, a WAV file out.

Two engines, because they fail differently. **espeak-ng** (Debian package, formant
synthesis, a few MB, runs on every Pi including a 32-bit Zero) always works and is
the default. **Piper** (``piper-tts`` from PyPI, neural, far more natural) is optional:
onnxruntime has no armv7 wheels, and its voice is a ~60 MB file the installer copies
in (the box never downloads anything). When the configured voice file is missing,
damaged, not Vietnamese, or Piper is not installed or fails, the caller gets a
:class:`LoaxaError` whose message says so and reads with espeak-ng instead.

Both run as subprocesses, never through a shell, with the text on stdin from a temp
file (so no text is ever an argument and no pipe can fill up), a wall-clock timeout,
and resource limits set in the child before it executes the engine: address space
(RLIMIT_AS), CPU seconds, the size of any file it writes (RLIMIT_FSIZE: a runaway
cannot fill the SD card), and a lower priority (nice 10) so a broadcast playing at the
same time keeps the CPU it needs. The limit function only calls ``setrlimit`` and
``nice`` (no Python-level locks), which is what makes ``preexec_fn`` safe enough in a
threaded daemon. An engine's exit code is not trusted alone: espeak-ng out of memory
prints "mmap() failed" and exits 0, so the WAV it wrote is checked too.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from firmware_host.messages import LoaxaError

__all__ = [
    "ESPEAK",
    "PIPER",
    "Engine",
    "EspeakNg",
    "Piper",
    "PiperVoice",
    "check_voice",
    "espeak_voices",
    "load_piper_voice",
    "piper_installed",
]

ESPEAK = "espeak-ng"
PIPER = "piper"

ESPEAK_WPM = 150  # speed 1.0: a calm announcement pace over horns (espeak's own is 175)
ESPEAK_MEMORY = 256 * 1024 * 1024  # measured peak RSS ~8 MB on a 60-sentence text
# Piper loads onnxruntime and a ~60 MB model: ~50 MB RSS before the model (measured),
# far more address space (thread arenas). Not measured with a real voice on a Pi.
PIPER_MEMORY = 2 * 1024 * 1024 * 1024
# Timeouts: a base for start-up plus a time per character. espeak-ng renders ~5,000
# characters a second on the 2-core x86 development VM (bench/tts_render.py); a Pi
# Zero may be 20-50x slower (estimated, not measured). Piper was not measured on a
# Pi: 0.3 s per character is ~5x real time (speech is ~15 characters a second).
ESPEAK_TIMEOUT = (30.0, 0.05)
PIPER_TIMEOUT = (120.0, 0.3)
NICE = 10
VOICES_TIMEOUT = 10.0
SENTENCE_SILENCE = 0.25  # Piper: seconds of pause after a sentence, as espeak-ng makes
DETAIL_LIMIT = 200


class Engine(Protocol):
    """What :func:`firmware_host.clips.tts.say` needs of an engine."""

    name: str

    def render(self, text: str, wav_path: Path, voice: str, speed: float) -> None:
        """Write *text* spoken by *voice* at *speed* (1.0 = normal) to *wav_path*.

        Raises :class:`LoaxaError` (``tts.*``) when no valid WAV was written.
        """
        ...


# ---------------------------------------------------------------------- running


def _lower_limit(kind: int, value: int) -> None:
    """Set soft and hard limit to *value*, or keep a hard limit that is already lower."""
    _soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, value))


def _limits(memory: int, cpu_seconds: int, file_bytes: int) -> Callable[[], None]:
    def apply() -> None:  # runs in the child between fork and exec
        _lower_limit(resource.RLIMIT_AS, memory)
        _lower_limit(resource.RLIMIT_CPU, cpu_seconds)
        _lower_limit(resource.RLIMIT_FSIZE, file_bytes)
        os.nice(NICE)

    return apply


def _last_line(raw: bytes) -> str:
    lines = [line.strip() for line in raw.decode("utf-8", "replace").splitlines() if line.strip()]
    return lines[-1][:DETAIL_LIMIT] if lines else ""


def run_limited(
    args: list[str],
    text: str,
    *,
    engine: str,
    timeout: float,
    memory: int,
    file_bytes: int,
    cwd: Path,
) -> None:
    """Run an engine with *text* on stdin under the limits above; raise on failure."""
    with tempfile.TemporaryFile() as stdin, tempfile.TemporaryFile() as stderr:
        stdin.write(text.encode("utf-8"))
        stdin.seek(0)
        try:
            proc = subprocess.run(
                args,
                stdin=stdin,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                timeout=timeout,
                cwd=cwd,
                preexec_fn=_limits(memory, int(timeout) + 1, file_bytes),
            )
        except FileNotFoundError as exc:
            raise LoaxaError("tts.engine_failed", engine=engine, detail=exc) from exc
        except subprocess.TimeoutExpired as exc:
            raise LoaxaError("tts.engine_timeout", engine=engine, seconds=round(timeout)) from exc
        stderr.seek(0)
        detail = _last_line(stderr.read(64 * 1024))
    if proc.returncode < 0:
        raise LoaxaError("tts.engine_failed", engine=engine, detail=f"signal {-proc.returncode}")
    if proc.returncode != 0:
        raise LoaxaError(
            "tts.engine_failed", engine=engine, detail=detail or f"exit code {proc.returncode}"
        )


def check_wav(path: Path, engine: str) -> None:
    """The engine really wrote audio: a readable WAV with frames (see module doc)."""
    try:
        with wave.open(str(path), "rb") as wav:
            frames = wav.getnframes()
    except (OSError, EOFError, wave.Error) as exc:
        raise LoaxaError("tts.engine_failed", engine=engine, detail=exc) from exc
    if frames <= 0:
        raise LoaxaError("tts.engine_failed", engine=engine, detail="no audio written")


def _timeout(rule: tuple[float, float], text: str) -> float:
    base, per_character = rule
    return base + per_character * len(text)


# ---------------------------------------------------------------------- espeak-ng


@functools.lru_cache(maxsize=4)
def espeak_voices(program: str = ESPEAK) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(Vietnamese voices, variants) this espeak-ng has, e.g. (("vi", …), ("f3", …))."""
    executable = shutil.which(program)
    if executable is None:
        raise LoaxaError("tts.espeak_missing")
    found: list[tuple[str, ...]] = []
    for query in ("--voices=vi", "--voices=variant"):
        try:
            proc = subprocess.run(
                [executable, query],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=VOICES_TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise LoaxaError("tts.engine_failed", engine=ESPEAK, detail=exc) from exc
        rows = [line.split() for line in proc.stdout.decode("utf-8", "replace").splitlines()[1:]]
        if query == "--voices=vi":
            found.append(tuple(row[1] for row in rows if len(row) > 1 and row[1].startswith("vi")))
        else:
            found.append(tuple(cell[3:] for row in rows for cell in row if cell.startswith("!v/")))
    return found[0], found[1]


def check_voice(voice: str, program: str = ESPEAK) -> None:
    """Refuse a voice this espeak-ng does not have, naming the ones it has."""
    voices, variants = espeak_voices(program)
    base, plus, variant = voice.partition("+")
    if base not in voices or (plus and variant not in variants):
        raise LoaxaError("tts.bad_voice", voice=voice, choices=", ".join(voices) or "—")


@dataclass(frozen=True)
class EspeakNg:
    """espeak-ng: ``-v VOICE -s WPM -w OUT --stdin`` with UTF-8 input (``-b 1``)."""

    max_output_bytes: int
    program: str = ESPEAK
    name: str = ESPEAK

    def render(self, text: str, wav_path: Path, voice: str, speed: float) -> None:
        executable = shutil.which(self.program)
        if executable is None:
            raise LoaxaError("tts.espeak_missing")
        args = [executable, "-b", "1", "-v", voice, "-s", str(round(ESPEAK_WPM * speed))]
        run_limited(
            [*args, "-w", str(wav_path), "--stdin"],
            text,
            engine=self.name,
            timeout=_timeout(ESPEAK_TIMEOUT, text),
            memory=ESPEAK_MEMORY,
            file_bytes=self.max_output_bytes,
            cwd=wav_path.parent,
        )
        check_wav(wav_path, self.name)


# ---------------------------------------------------------------------- Piper

ONNX_FIRST_BYTE = 0x08  # a serialised ONNX ModelProto opens with field 1, ir_version
PIPER_CONFIG_KEYS = ("audio", "espeak", "phoneme_id_map", "num_symbols", "num_speakers")


@dataclass(frozen=True)
class PiperVoice:
    """A Piper voice file and what its ``.onnx.json`` says about it."""

    model: Path
    config: Path
    language: str  # e.g. "vi_VN"
    dataset: str  # e.g. "vais1000", for the attribution


def piper_installed() -> bool:
    """Piper is the optional extra ``loaxa[piper]``, run with this interpreter."""
    return importlib.util.find_spec("piper") is not None


def load_piper_voice(model: Path) -> PiperVoice:
    """Check the voice files without loading the model; raise ``tts.piper_*`` if unusable.

    Catches what goes wrong on a real box — the file not copied, an HTML error page or
    a half-finished copy saved as .onnx, the .onnx.json missing or damaged, a voice of
    another language — in milliseconds, before onnxruntime is even started.
    """
    config = model.with_name(model.name + ".json")
    try:
        with model.open("rb") as handle:
            head = handle.read(1)
    except FileNotFoundError as exc:
        raise LoaxaError("tts.piper_missing", path=model) from exc
    except OSError as exc:
        raise LoaxaError("tts.piper_bad_config", path=model, detail=exc.strerror or exc) from exc
    if not model.is_file() or head != bytes([ONNX_FIRST_BYTE]):
        raise LoaxaError("tts.piper_not_onnx", path=model)
    try:
        data: Any = json.loads(config.read_bytes())
    except FileNotFoundError as exc:
        raise LoaxaError("tts.piper_no_config", path=config) from exc
    except (OSError, ValueError) as exc:
        raise LoaxaError("tts.piper_bad_config", path=config, detail=exc) from exc
    missing = [key for key in PIPER_CONFIG_KEYS if not isinstance(data, dict) or key not in data]
    if missing:
        detail = "thiếu / missing: " + ", ".join(missing)
        raise LoaxaError("tts.piper_bad_config", path=config, detail=detail)
    language = data.get("language")
    code = language.get("code") if isinstance(language, dict) else None
    espeak_voice = data["espeak"].get("voice") if isinstance(data["espeak"], dict) else None
    spoken = str(code or espeak_voice or "?")
    if not spoken.lower().startswith("vi"):
        raise LoaxaError("tts.piper_not_vietnamese", path=model, language=spoken)
    return PiperVoice(model, config, spoken, str(data.get("dataset", "")))


@dataclass(frozen=True)
class Piper:
    """Piper through ``python -m piper`` of this interpreter (piper-tts 1.2 and 1.3+).

    The voice is the model file; *voice* (an espeak-ng name) does not apply. Speed is
    Piper's ``length_scale``, the inverse of a speed factor.
    """

    voice: PiperVoice
    max_output_bytes: int
    name: str = PIPER

    def render(self, text: str, wav_path: Path, voice: str, speed: float) -> None:
        args = [
            sys.executable,
            "-m",
            "piper",
            "--model",
            str(self.voice.model),
            "--config",
            str(self.voice.config),
            "--output_file",
            str(wav_path),
            "--length_scale",
            f"{1.0 / speed:.3f}",
            "--sentence_silence",
            str(SENTENCE_SILENCE),
        ]
        run_limited(
            args,
            text,
            engine=self.name,
            timeout=_timeout(PIPER_TIMEOUT, text),
            memory=PIPER_MEMORY,
            file_bytes=self.max_output_bytes,
            cwd=wav_path.parent,
        )
        check_wav(wav_path, self.name)
