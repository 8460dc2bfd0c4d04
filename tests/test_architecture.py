"""The house rules a newcomer cannot see by reading one module: the message catalogue is
whole and consistent, and only the modules meant for it run audio programs.

The layers themselves are import-linter's (``lint-imports``, contracts in
pyproject.toml); these tests cover what an import graph cannot show.
"""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterator
from pathlib import Path

import pytest

from firmware_host.messages import CATALOG
from tests.helpers import REPO

PACKAGE = REPO / "firmware_host"
KEY = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+$")
NAMESPACES = {key.split(".", 1)[0] for key in CATALOG}
# Calls whose first string argument is a catalogue key.
KEY_TAKERS = {"t", "LoaxaError", "Phrase", "ConfigError", "report", "Problem", "_about", "about"}

# Programs that make or play sound, and the only modules allowed to start them: a
# stick's file is parsed only where the limits are (clips.transcode), audio reaches the
# loudspeakers only through the paced player, speech only through the TTS engines.
AUDIO_PROGRAMS = {"ffmpeg", "ffprobe", "aplay", "arecord", "espeak-ng", "piper", "sox"}
AUDIO_RUNNERS = {
    "firmware_host/clips/transcode.py",
    "firmware_host/clips/tts/engines.py",
    "firmware_host/broadcast/player.py",
    "firmware_host/broadcast/sources.py",
}


def sources() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, ast.parse(path.read_text("utf-8"), str(path))


def _fields(text: str) -> set[str]:
    return {
        name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(text) if name
    }


def test_every_message_has_the_same_placeholders_in_both_languages() -> None:
    wrong = {
        key: (sorted(_fields(vi)), sorted(_fields(en)))
        for key, (vi, en) in CATALOG.items()
        if _fields(vi) != _fields(en)
    }
    assert wrong == {}


def test_every_message_is_written_in_both_languages() -> None:
    assert [key for key, (vi, en) in CATALOG.items() if not vi.strip() or not en.strip()] == []


def _used_keys() -> tuple[set[str], set[str], list[tuple[str, int, str]]]:
    """(keys named literally, prefixes of keys built at run time, literal keys that are
    not in the catalogue with where they are)."""
    literal: set[str] = set()
    prefixes: set[str] = set()
    missing: list[tuple[str, int, str]] = []
    for path, tree in sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if (
                    path.name != "messages.py"
                    and KEY.match(node.value)
                    and node.value.split(".", 1)[0] in NAMESPACES
                ):
                    literal.add(node.value)
            elif isinstance(node, ast.JoinedStr) and node.values:
                first = node.values[0]
                if (
                    isinstance(first, ast.Constant)
                    and isinstance(first.value, str)
                    and first.value.split(".", 1)[0] in NAMESPACES
                    and "." in first.value
                ):
                    prefixes.add(first.value)
            if isinstance(node, ast.Call) and node.args and path.name != "messages.py":
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                args = node.args if name == "Problem" else node.args[:1]
                for arg in args:
                    if (
                        name in KEY_TAKERS
                        and isinstance(arg, ast.Constant)
                        and isinstance(arg.value, str)
                        and KEY.match(arg.value)
                        and arg.value not in CATALOG
                    ):
                        relative = str(path.relative_to(REPO))
                        missing.append((relative, node.lineno, arg.value))
    # messages.plural(n, "noun") names count.<noun>.one / .other
    prefixes.add("count.")
    # the web panel's templates name keys too
    from tests.web.test_catalogue import template_keys

    in_templates, template_prefixes = template_keys()
    return literal | in_templates, prefixes | template_prefixes, missing


def test_every_key_the_code_names_exists() -> None:
    _literal, _prefixes, missing = _used_keys()
    assert missing == []


def test_no_key_is_left_unused() -> None:
    literal, prefixes, _missing = _used_keys()
    messages_source = (PACKAGE / "messages.py").read_text("utf-8")
    unused = [
        key
        for key in CATALOG
        if key not in literal
        and not any(key.startswith(prefix) for prefix in prefixes)
        # used inside messages.py itself (error_text's tables)
        and f'"{key}"' not in messages_source.split("CATALOG: dict", 1)[1].split("\n}\n", 1)[1]
    ]
    assert unused == []


COUNTED = re.compile(
    r"\{(n|count|files|errors|sessions|clips|minutes|days|entries|times)\} ([a-z]+s)\b"
)


def test_english_counts_agree_with_their_number() -> None:
    """ "1 sessions" is wrong: a number written before a plural noun goes through
    ``messages.plural`` (``count.<noun>.one``/``.other``) or has a ``.one`` variant."""
    wrong = [
        (key, en)
        for key, (_vi, en) in CATALOG.items()
        if COUNTED.search(en) and not key.endswith(".other") and f"{key}.one" not in CATALOG
    ]
    assert wrong == []


@pytest.mark.parametrize("count, expected", [(1, "1 session"), (2, "2 sessions")])
def test_plural_reads_right(count: int, expected: str) -> None:
    from firmware_host import messages

    messages.set_language("en")
    try:
        assert messages.plural(count, "session") == expected
    finally:
        messages.set_language("vi")


def test_only_the_audio_modules_run_audio_programs() -> None:
    offenders = []
    for path, tree in sources():
        relative = str(path.relative_to(REPO))
        if relative in AUDIO_RUNNERS:
            continue
        imports_subprocess = any(
            (
                isinstance(node, ast.Import | ast.ImportFrom)
                and any(alias.name == "subprocess" for alias in node.names)
            )
            or (isinstance(node, ast.ImportFrom) and node.module == "subprocess")
            for node in ast.walk(tree)
        )
        named = {
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and node.value in AUDIO_PROGRAMS
        }
        if imports_subprocess and named:
            offenders.append((relative, sorted(named)))
    assert offenders == []
