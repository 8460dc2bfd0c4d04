"""``hardware/systemd/loaxa-web.service``: what it runs and what it is fenced in by.
(Its exposure score is checked with every unit's in tests/test_units.py.)"""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
UNIT = REPO / "hardware" / "systemd" / "loaxa-web.service"


def settings() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in UNIT.read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key, []).append(value)
    return found


def test_the_unit_runs_the_panel_as_loaxa_fenced_in() -> None:
    unit = settings()
    for key, value in {
        "User": "loaxa",
        "Group": "loaxa",
        "Type": "notify",
        "NoNewPrivileges": "yes",
        "CapabilityBoundingSet": "",
        "ProtectSystem": "strict",
        "ReadWritePaths": "/var/lib/loaxa",
        "PrivateDevices": "yes",
        "UMask": "0077",
        "IPAddressDeny": "any",
        "RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6",
        "Environment": "LOAXA_HOME=/var/lib/loaxa",
    }.items():
        assert value in unit[key], key
    assert unit["MemoryMax"] and unit["TasksMax"]
    assert "192.168.0.0/16" in unit["IPAddressAllow"][0]


def test_its_command_starts() -> None:
    """The unit's command, with the venv's python replaced by this one, knows its options."""
    (command,) = settings()["ExecStart"]
    program, *arguments = shlex.split(command)
    assert program == "/opt/loaxa/venv/bin/python"
    assert arguments[:2] == ["-m", "firmware_host.web"]
    assert arguments[2:] == ["--config", "/etc/loaxa/loaxa.toml"]
    shown = subprocess.run(
        [sys.executable, *arguments[:2], "--help"],
        capture_output=True, text=True, timeout=60, cwd=REPO,
    )  # fmt: skip
    assert shown.returncode == 0 and "--config" in shown.stdout and "--port" in shown.stdout
