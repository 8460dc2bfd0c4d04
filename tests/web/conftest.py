"""Fixtures of the panel's tests: a real panel process, and a real browser.

The browser is Debian's ``chromium`` driven by Playwright for Python (nothing downloads
a browser: ``playwright install`` is never run), each test with a fresh profile.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from firmware_host.demo import use_capture_device
from tests.web.livebox import BOX_TABLES, LiveBox, start_daemon
from tests.web.panelserver import PanelServer, start_panel

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 800}


@pytest.fixture
def panel(tmp_path: Path) -> Iterator[PanelServer]:
    """A real panel; after the test, its log must hold no traceback: whatever a test
    sent, every request ended in a page."""
    server = start_panel(tmp_path / "box")
    yield server
    server.stop()
    log = "".join(server.output)
    assert "Traceback" not in log, log


@contextlib.contextmanager
def running_box(monkeypatch: pytest.MonkeyPatch, tables: str = BOX_TABLES) -> Iterator[LiveBox]:
    """A real ``loaxa web`` and a real ``loaxa run`` (mock pins, ALSA file capture) on
    one box configured with *tables*; neither may have logged a traceback by the end."""
    root = Path(tempfile.mkdtemp(prefix="lx", dir="/tmp"))  # the socket path stays short
    monkeypatch.setenv("ALSA_CONFIG_PATH", "")  # restored after the test
    capture = use_capture_device(root / "alsa")  # for this process and its children
    panel = start_panel(root / "box", max_upload_mb=20, tables=tables)
    try:
        daemon = start_daemon(root / "box")
    except BaseException:
        panel.stop()
        raise
    yield LiveBox(panel, daemon, capture)
    daemon.stop()
    panel.stop()
    for output in (panel.output, daemon.output):
        log = "".join(output)
        assert "Traceback" not in log, log
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def live(monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveBox]:
    with running_box(monkeypatch) as box:
        yield box


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("chromium is not installed (bash scripts/dev.sh setup installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as driver:
        yield driver


@pytest.fixture
def browser(playwright_driver, tmp_path: Path) -> Iterator[Callable[..., object]]:
    """``browser(viewport=PHONE)`` → a fresh Chromium profile (a BrowserContext)."""
    opened = []

    def open_browser(viewport: dict[str, int] = PHONE, locale: str = "vi-VN") -> object:
        profile = tmp_path / f"chromium-{len(opened)}"
        context = playwright_driver.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=viewport,
            locale=locale,
        )
        context.set_default_timeout(15_000)
        opened.append((context, profile))
        return context

    yield open_browser
    for context, profile in opened:
        context.close()
        shutil.rmtree(profile, ignore_errors=True)
