"""File names a commune's USB stick accepts, without losing the Vietnamese in them.

Reports are copied to FAT32/exFAT sticks and opened on office Windows PCs. Those file
systems refuse ``< > : " / \\ | ? *`` and control characters, Windows silently drops
trailing dots and spaces (so two names could collide) and refuses device names such as
``CON``; names are limited to 255 UTF-16 units. Diacritics are fine on all of them, and
staff recognise "Báo cáo … Xã Ea Tu" far better than an ASCII slug, so they are kept,
composed (NFC) so that the same name is the same bytes on every system.
"""

from __future__ import annotations

import re
import unicodedata

MAX_NAME = 200  # well under the 255 UTF-16 units of FAT32/exFAT, room for a folder prefix
_DASHED = str.maketrans({"/": "-", "\\": "-", ":": "-"})  # "16/9/2024" stays readable
_DROPPED = str.maketrans({c: None for c in '*?"<>|'})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SPACES = re.compile(r"\s+")
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,10}$")
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{n}" for p in ("COM", "LPT") for n in range(10)}


def _units(text: str) -> int:
    """Length in UTF-16 code units, what FAT32/exFAT actually limit."""
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str, units: int) -> str:
    while text and _units(text) > units:
        text = text[:-1]
    while text and unicodedata.combining(text[-1]):  # never leave a mark without its letter
        text = text[:-1]
    return text


def _trim(text: str) -> str:
    return text.strip(" ").rstrip(". ")


def safe_file_name(text: str, *, max_length: int = MAX_NAME, fallback: str = "bao-cao") -> str:
    """*text* made valid as a FAT32/exFAT/Windows file name, diacritics kept.

    ``/``, ``\\`` and ``:`` become ``-``; ``* ? " < > |`` and control characters go;
    runs of spaces become one; trailing dots and spaces go; the result is NFC and at most
    *max_length* UTF-16 units, cut in the stem so that the extension survives.
    """
    name = unicodedata.normalize("NFC", text)
    name = _CONTROL.sub(" ", name.translate(_DASHED).translate(_DROPPED))
    name = _trim(_SPACES.sub(" ", name))
    match = _EXTENSION.search(name)
    extension = match.group(0) if match and match.start() > 0 else ""
    stem = _trim(name[: len(name) - len(extension)])
    stem = _trim(_cut(stem, max(1, max_length - _units(extension))))
    if not stem:
        stem = fallback
    if stem.split(".")[0].strip().upper() in _RESERVED:
        stem = f"_{stem}"
    return stem + extension
