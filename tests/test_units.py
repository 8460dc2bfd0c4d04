"""The systemd units' hardening, scored by systemd itself, and the USB unit's budget.

``systemd-analyze security --offline=yes`` reads a unit file and scores how much a
compromised service could do (0 = nothing, 10 = everything); it needs neither a running
systemd nor the unit's programs. Every service unit under ``hardware/systemd/`` (and the
province machine's, under ``hardware/province/``) is scored, the ones added later too
(globbed); each must stay at or below :data:`THRESHOLD`. Measured with systemd 252:
``loaxa.service`` 3.4 (it needs GPIO, ALSA, serial ports and adjtimex),
``loaxa-usb@.service`` 1.9 (9.6 "UNSAFE" before issue 10), ``loaxa-link.service`` 1.4,
``loaxa-province.service`` 1.3. Timers and paths carry no process to score; a unit of
any other kind would make the glob test fail, to be looked at.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from firmware_host.usb import confine
from firmware_host.usb import watch as usbwatch

REPO = Path(__file__).resolve().parent.parent
UNITS = REPO / "hardware" / "systemd"
THRESHOLD = 4.0
SERVICES = sorted(UNITS.glob("*.service")) + sorted((REPO / "hardware/province").glob("*.service"))

needs_analyze = pytest.mark.skipif(
    not shutil.which("systemd-analyze"), reason="systemd-analyze not installed (package systemd)"
)


def exposure(unit: Path) -> tuple[float, str]:
    run = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", "--no-pager", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    found = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", run.stdout)
    assert found, run.stdout + run.stderr
    return float(found.group(1)), run.stdout


def test_every_unit_is_a_service_or_a_trigger() -> None:
    kinds = {path.suffix for path in UNITS.iterdir()}
    assert kinds <= {".service", ".timer", ".path"}, kinds
    assert {p.name for p in SERVICES} >= {"loaxa.service", "loaxa-usb@.service"}


@needs_analyze
@pytest.mark.parametrize("unit", SERVICES, ids=lambda path: path.name)
def test_unit_exposure_is_below_the_threshold(unit: Path) -> None:
    score, report = exposure(unit)
    print(f"{unit.name}: exposure {score}")
    failing = [line for line in report.splitlines() if line.startswith("✗")]
    assert score <= THRESHOLD, "\n".join([f"{unit.name}: {score} > {THRESHOLD}", *failing])


def unit_settings(path: Path) -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            settings.setdefault(key, []).append(value)
    return settings


def seconds(value: str) -> float:
    units = {"min": 60, "s": 1, "h": 3600}
    number, unit = re.fullmatch(r"(\d+)(min|s|h)", value).groups()
    return float(number) * units[unit]


def test_usb_unit_budget_and_fences() -> None:
    """The sync's deadline, the time to write its receipt and to unmount fit in the
    unit's start timeout, so systemd never kills it with the stick mounted; memory and
    tasks are capped; root keeps only what mount, the drop and the child need."""
    unit = unit_settings(UNITS / "loaxa-usb@.service")
    unmount_and_signal = usbwatch.COMMAND_TIMEOUT + 25  # umount; light (20 s), beeps (5 s)
    budget = usbwatch.SYNC_DEADLINE + confine.GRACE_SECONDS + unmount_and_signal
    assert budget < seconds(unit["TimeoutStartSec"][0])
    assert seconds(unit["TimeoutStopSec"][0]) > confine.GRACE_SECONDS + usbwatch.COMMAND_TIMEOUT
    assert unit["MemoryMax"] and unit["TasksMax"]
    assert set(unit["CapabilityBoundingSet"][0].split()) == {
        "CAP_SYS_ADMIN",
        "CAP_SETUID",
        "CAP_SETGID",
        "CAP_KILL",
    }
    for key, value in {
        "PrivateNetwork": "yes",
        "ProtectSystem": "strict",
        "ReadWritePaths": "/var/lib/loaxa",
        "NoNewPrivileges": "yes",
        "DevicePolicy": "closed",
        "RuntimeDirectory": "loaxa-usb/%i",
    }.items():
        assert unit[key] == [value], key
    assert {"/dev/%I rw", "/dev/fuse rw"} <= set(unit["DeviceAllow"])
    assert "--config /etc/loaxa/loaxa.toml" in unit["ExecStart"][0]
    assert Path("/run") / unit["RuntimeDirectory"][0].split("/")[0] == usbwatch.MOUNT_ROOT
