"""The panel's sentences: every key a template or a module of the panel names is in the
catalogue, and every ``web.*`` key is named somewhere. Templates are text, not Python,
so they are read here with the two ways a key appears in them: ``t("web.x")`` and a
prefix completed at run time (``t("web.role." ~ role)``)."""

from __future__ import annotations

import re
from pathlib import Path

from firmware_host.messages import CATALOG

WEB = Path(__file__).resolve().parents[2] / "firmware_host" / "web"
LITERAL = re.compile(r"""["']((?:web|count|status)\.[a-z0-9_.-]*[a-z0-9_-])(?<!\.html)["']""")
PREFIX = re.compile(r"""["']((?:web|count|status)\.[a-z0-9_.-]*\.)["']\s*~""")
PY_PREFIX = re.compile(r"""f["']((?:web|count|status)\.[a-z0-9_.-]*\.)\{""")


def template_keys() -> tuple[set[str], set[str]]:
    """(keys named in the templates, prefixes completed in them at run time)."""
    literal: set[str] = set()
    prefixes: set[str] = set()
    for template in WEB.glob("templates/*.html"):
        text = template.read_text("utf-8")
        literal |= set(LITERAL.findall(text))
        prefixes |= set(PREFIX.findall(text))
    return literal, prefixes


def python_keys() -> tuple[set[str], set[str]]:
    literal: set[str] = set()
    prefixes: set[str] = set()
    for module in WEB.rglob("*.py"):
        text = module.read_text("utf-8")
        literal |= set(LITERAL.findall(text))
        prefixes |= set(PY_PREFIX.findall(text))
    config = (WEB.parent / "config.py").read_text("utf-8")
    literal |= {key for key in LITERAL.findall(config) if key.startswith("web.")}
    return literal, prefixes


def test_every_key_named_by_the_panel_exists() -> None:
    named = template_keys()[0] | python_keys()[0]
    assert sorted(key for key in named if key not in CATALOG) == []


def test_every_web_key_is_named_by_the_panel() -> None:
    literal = template_keys()[0] | python_keys()[0]
    prefixes = template_keys()[1] | python_keys()[1] | {"count."}  # plural(n, noun)
    unused = [
        key
        for key in CATALOG
        if key.startswith("web.")
        and key not in literal
        and not any(key.startswith(prefix) for prefix in prefixes)
    ]
    assert unused == []
