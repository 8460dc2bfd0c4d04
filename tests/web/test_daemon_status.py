"""The panel's question to the daemon (the control API's own client, with a short
timeout) against a socket speaking its wire format, well or badly."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from firmware_host.config import Config, load_config
from firmware_host.messages import set_thread_language
from firmware_host.web import state
from firmware_host.web.state import daemon_status
from tests.web.fakedaemon import FakeDaemon, sample_status


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return load_config(tmp_path)


def socket_path(config: Config) -> Path:
    return config.data_dir / "control.sock"


def test_the_status_answer_is_returned_as_sent(config: Config) -> None:
    answer = sample_status()
    with FakeDaemon(socket_path(config), answer) as daemon:
        set_thread_language("en")
        try:
            assert daemon_status(config) == answer
        finally:
            set_thread_language(None)
    assert daemon.requests == [{"op": "status", "lang": "en"}]


def test_no_socket_means_no_daemon(config: Config) -> None:
    assert daemon_status(config) is None


@pytest.mark.parametrize(
    "answer",
    [
        b"",  # closed without a word
        b"{not json}\n",
        b'{"ok": true, "version": "0.1"',  # cut short
        b'["ok"]\n',
        b'{"ok": false, "error": {"key": "control.busy", "message": "..."}}\n',
        b'{"ok": false, "error": "busy"}\n',  # a refusal in a shape of its own
        b"x" * (3 * 1024 * 1024),  # far more than a status, never a newline
    ],
    ids=["closed", "garbage", "cut", "not-an-object", "refused", "odd-refusal", "flood"],
)
def test_a_broken_daemon_is_no_daemon(config: Config, answer: bytes) -> None:
    with FakeDaemon(socket_path(config), answer):
        assert daemon_status(config) is None


def test_a_silent_daemon_does_not_hold_the_page(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(state, "STATUS_SECONDS", 0.5)
    with FakeDaemon(socket_path(config), None):
        started = time.monotonic()
        assert daemon_status(config) is None
        assert time.monotonic() - started < 2


def test_a_stale_socket_file_is_no_daemon(config: Config) -> None:
    """The daemon was killed: its socket file is left, nobody listens."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as dead:
        dead.bind(str(socket_path(config)))
    assert socket_path(config).exists()
    assert daemon_status(config) is None
