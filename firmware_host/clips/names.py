"""What a clip is called: titles, ids and file names as an operator reads them (pure).

Names arrive from phones (NFD), Windows PCs, FAT sticks (bytes that are not UTF-8) and
anyone who can reach the USB port (bidi overrides that reorder a receipt line). Every
name is normalised and checked here, so the library, the receipt and the log all see
the same text.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from firmware_host.messages import LoaxaError
from firmware_host.textout import nfc

ID_MAX_LENGTH = 60

# Format characters (Unicode category Cf) a title may hold. Khmer (khm: the Khmer Krom
# communes of the Mekong Delta) separates words with ZERO WIDTH SPACE and uses ZWNJ and
# ZWJ inside syllables; emoji sequences (a family, a flag with a sign) are joined by ZWJ.
# None of them reorders text. Every other Cf (bidi overrides and isolates, marks, soft
# hyphen, BOM, word joiner, tags...), every control and every lone surrogate is refused.
TITLE_FORMAT_CHARS = frozenset("\u200b\u200c\u200d")



def hidden_chars(text: str) -> list[str]:
    """The characters of *text* a title must not hold (see TITLE_FORMAT_CHARS)."""
    return [
        ch
        for ch in text
        if unicodedata.category(ch) in ("Cc", "Cs")
        or (unicodedata.category(ch) == "Cf" and ch not in TITLE_FORMAT_CHARS)
    ]


def visible(text: str) -> str:
    """*text* with every hidden character written out as ``<U+202E>``."""
    hidden = set(hidden_chars(text))
    return "".join(f"<U+{ord(ch):04X}>" if ch in hidden else ch for ch in text)


def display_name(path: Path) -> str:
    """The file name as an operator reads it, safe to print and to store in UTF-8 JSON.

    A name copied from a FAT-formatted USB stick may not be valid UTF-8; Python then
    carries surrogate escapes, which JSON could not encode: they become U+FFFD. A hidden
    character is written out as ``<U+202E>``, so that the name cannot reorder the
    message or receipt it appears in.
    """
    raw = os.fsencode(path.name)
    return visible(nfc(raw.decode("utf-8", "replace")))


def clip_title(given: str | None, source: Path) -> str:
    """The checked title of a clip imported from *source* (its file name when *given* is
    None): NFC, single spaces, no hidden characters. Raises ``clips.*`` refusals."""
    name = display_name(source)
    if given is None:
        given = source.stem
        try:
            given.encode("utf-8")  # surrogate escapes: the name's bytes were not UTF-8
        except UnicodeEncodeError:
            raise LoaxaError("clips.name_not_utf8", name=name) from None
    title = nfc(given)
    hidden = hidden_chars(title)
    if hidden:
        codes = ", ".join(dict.fromkeys(f"U+{ord(ch):04X}" for ch in hidden))
        raise LoaxaError("clips.title_hidden_chars", name=name, title=visible(title), chars=codes)
    title = " ".join(title.split())
    if not title:
        raise LoaxaError("clips.bad_title", name=name)
    return title


def slugify(text: str) -> str:
    """A readable ASCII id: 'Thông báo tắt sóng 2G' -> 'thong-bao-tat-song-2g'.

    'đ' is a letter of its own in Unicode (it does not decompose), so it is mapped
    explicitly; every other Vietnamese letter loses its marks by NFD decomposition.
    Returns '' when nothing Latin is left (e.g. a title in Khmer script).
    """
    text = nfc(text).replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(slug) > ID_MAX_LENGTH:
        cut = slug[:ID_MAX_LENGTH]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug
