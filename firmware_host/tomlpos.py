"""Line numbers for keys of a TOML document.

``tomllib`` parses correctly but forgets where things were; an operator told
"slot 3 has a bad time" still has to hunt for it. This module re-reads the text and
maps every key path to the line it was written on, so messages can say "line 14".
It only needs to be right for documents tomllib has already accepted.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass

_BARE_OR_QUOTED = r'(?:"(?:[^"\\]|\\.)*"|\'[^\']*\'|[A-Za-z0-9_\-]+)'
_DOTTED = rf"{_BARE_OR_QUOTED}(?:\s*\.\s*{_BARE_OR_QUOTED})*"
_ARRAY_TABLE = re.compile(rf"^\s*\[\[\s*({_DOTTED})\s*\]\]")
_TABLE = re.compile(rf"^\s*\[\s*({_DOTTED})\s*\]")
_KEY = re.compile(rf"^\s*({_DOTTED})\s*=\s*(.*)$")
_PART = re.compile(_BARE_OR_QUOTED)

Path = tuple[str | int, ...]


def _split_dotted(dotted: str) -> tuple[str, ...]:
    parts = []
    for match in _PART.finditer(dotted):
        token = match.group(0)
        if token[0] in "\"'":
            token = token[1:-1]
        parts.append(token)
    return tuple(parts)


def _brackets(value: str) -> Iterator[int]:
    """+1 per opening and -1 per closing bracket of one line, outside strings and comments."""
    quote = ""
    for ch in value:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            return
        elif ch in "[{":
            yield 1
        elif ch in "]}":
            yield -1


def _bracket_balance(value: str) -> int:
    """Open-minus-close brackets of a value, ignoring brackets inside strings and comments."""
    return sum(_brackets(value))


@dataclass(frozen=True)
class LineMap:
    """Where each key path (tables, array-of-table items, keys) starts in the text."""

    lines: dict[Path, int]

    def line_of(self, path: Path) -> int:
        """Line of *path*, or of its nearest written ancestor (1 if none)."""
        probe = tuple(path)
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = probe[:-1]
        return 1


def decode_utf8(raw: bytes) -> str | int:
    """The text of a file saved as UTF-8, with or without the BOM Windows Notepad writes;
    for any other encoding, the line (from 1) of the first byte that is not UTF-8."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return raw[: exc.start].count(b"\n") + 1


def map_lines(text: str) -> LineMap:
    lines: dict[Path, int] = {}
    counts: dict[tuple[str, ...], int] = {}
    current: Path = ()
    depth = 0  # inside a multi-line array or inline table
    in_multiline_string = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        if in_multiline_string:
            if raw.count(in_multiline_string) % 2 == 1:
                in_multiline_string = ""
            continue
        if depth > 0:
            depth += _bracket_balance(raw)
            continue
        if match := _ARRAY_TABLE.match(raw):
            name = _split_dotted(match.group(1))
            index = counts.get(name, 0)
            counts[name] = index + 1
            current = (*name, index)
            lines.setdefault(name, number)
            lines[current] = number
            continue
        if match := _TABLE.match(raw):
            current = _split_dotted(match.group(1))
            lines[current] = number
            continue
        if match := _KEY.match(raw):
            path = (*current, *_split_dotted(match.group(1)))
            lines[path] = number
            value = match.group(2)
            for fence in ('"""', "'''"):
                if value.count(fence) % 2 == 1:
                    in_multiline_string = fence
            depth = max(0, _bracket_balance(value))
    return LineMap(lines)


def deepest_line(text: str, limit: int = 32) -> int:
    """The first line where brackets nest more than *limit* deep (else deepest), ignoring
    strings and comments.

    tomllib recurses once per nesting level, so a document nested a few thousand
    levels deep raises RecursionError without a position; this says where to look.
    No real schedule or config nests more than three levels.
    """
    depth = deepest = 0
    where = 1
    for number, raw in enumerate(text.splitlines(), start=1):
        for step in _brackets(raw):
            depth += step
            if depth > limit:
                return number
            if depth > deepest:
                deepest, where = depth, number
    return where


_DECODE_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def syntax_error_line(error: tomllib.TOMLDecodeError) -> tuple[int, str]:
    """(line, detail without the position) of a TOML syntax error."""
    text = str(error)
    match = _DECODE_POSITION.search(text)
    line = int(match.group(1)) if match else 1
    return line, _DECODE_POSITION.sub("", text).strip()
