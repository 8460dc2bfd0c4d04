"""The one byte form of a JSON value that a hash or a signature is computed over.

A hash chain written on a box and checked at the province, and a bulletin signed at the
province and checked on a box, only agree if both machines turn the same value into the
same bytes. JSON allows many spellings of one value (key order, spaces, ``1e2`` or
``100.0``, ``\\u00e9`` or ``é``), so every hash and signature in Loa Xã is computed over
this form and no other:

* the text Python's ``json.dumps(value, sort_keys=True, separators=(",", ":"),
  ensure_ascii=False, allow_nan=False)`` produces, encoded as UTF-8 (strict: a lone
  surrogate is refused);
* objects: members sorted by key, comparing keys code point by code point (Python
  ``str`` order; not the UTF-16 order of RFC 8785); no whitespace anywhere;
  ``"key":value`` members joined by ``,``; keys are strings;
* strings: ``"`` and ``\\`` escaped as ``\\"`` and ``\\\\``; U+0008, U+0009, U+000A,
  U+000C, U+000D as ``\\b \\t \\n \\f \\r``; every other code point below U+0020 as
  ``\\u00XX`` with lowercase hex; everything else, U+007F and all non-ASCII included,
  as raw UTF-8 (no Unicode normalisation: NFC is the writer's business);
* integers: plain decimal, ``-`` for negatives, no ``+``, no leading zeros;
* floats: Python's ``repr``: the shortest decimal that reads back as the same IEEE-754
  double, always with a ``.`` or an exponent (``1.0``, ``0.1``, ``-0.0``, ``1e-05``,
  ``1.5e+16``: exponent form below 1e-4 and from 1e16, sign and at least two exponent
  digits). An integer and a float are different values (``1`` is not ``1.0``); NaN and
  the infinities are refused;
* ``true``, ``false``, ``null``; arrays as ``[a,b]``.

A verifier in another language must reproduce exactly these bytes; the simplest check is
that it re-encodes the parsed document and compares, as ``logbook.chain`` does.
"""

from __future__ import annotations

import json
from typing import Any


def canonical(value: Any) -> bytes:
    """*value* in the canonical form (see module doc); ValueError if it has none."""
    try:
        text = json.dumps(
            value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
        return text.encode("utf-8")
    except (TypeError, ValueError, RecursionError) as exc:
        raise ValueError(f"not canonical JSON: {exc}") from exc


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse(data: bytes | str) -> Any:
    """Strict JSON reading: NaN/Infinity refused, bytes must be UTF-8."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    return json.loads(text, parse_constant=_refuse_constant)
