"""The three tiers of Thông tư 39/2020/TT-BTTTT: who goes first on the one amplifier.

* ``thuong`` (thông thường, normal): what the commune schedules; waits its turn.
* ``uu-tien`` (ưu tiên, priority): never cuts a session on air, but when sessions wait it
  goes first (two priority sessions keep their planned order).
* ``khan-cap`` (khẩn cấp, emergency: disasters, fire, epidemics): played at once; the
  session on air is cut (logged ``preempted``, never resumed). An emergency never cuts
  another emergency: it waits for it, ahead of everything else.

Operators write the tier in Vietnamese with or without diacritics, or in English; the
stored form is always the ASCII slug.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal, get_args

Tier = Literal["thuong", "uu-tien", "khan-cap"]
TIERS: tuple[Tier, ...] = get_args(Tier)
NORMAL: Tier = "thuong"
PRIORITY: Tier = "uu-tien"
EMERGENCY: Tier = "khan-cap"

RANK: dict[Tier, int] = {EMERGENCY: 0, PRIORITY: 1, NORMAL: 2}
"""Lower goes first."""

_ALIASES: dict[str, Tier] = {
    "thuong": NORMAL,
    "thongthuong": NORMAL,
    "binhthuong": NORMAL,
    "normal": NORMAL,
    "uutien": PRIORITY,
    "priority": PRIORITY,
    "khancap": EMERGENCY,
    "emergency": EMERGENCY,
}


def parse_tier(text: object) -> Tier | None:
    """The tier *text* names ("khẩn cấp", "khan-cap", "Emergency", "ưu tiên"…), else None."""
    if not isinstance(text, str):
        return None
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _ALIASES.get(re.sub(r"[\s_\-]+", "", bare))


def outranks(tier: Tier, other: Tier) -> bool:
    """True when *tier* goes before *other* in the queue."""
    return RANK[tier] < RANK[other]
