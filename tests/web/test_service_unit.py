"""``hardware/systemd/loaxa-web.service``: what it runs and what it is fenced in by.
(Its exposure score is checked with every unit's in tests/test_units.py.)"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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
    # The clock's confirmation (Trang chủ) holds this boot's id, read from
    # /proc/sys/kernel/random/boot_id: ProcSubset=pid would hide it, and a confirmation
    # with no boot id is never valid.
    assert "ProcSubset" not in unit
    assert "192.168.0.0/16" in unit["IPAddressAllow"][0]


def test_its_command_starts() -> None:
    """The unit's command, with the venv's loaxa replaced by this one, knows its options."""
    (command,) = settings()["ExecStart"]
    program, *arguments = shlex.split(command)
    assert program == "/opt/loaxa/venv/bin/loaxa"
    assert arguments == ["--config", "/etc/loaxa/loaxa.toml", "web"]
    shown = subprocess.run(
        [sys.executable, "-m", "firmware_host", *arguments, "--help"],
        capture_output=True, text=True, timeout=60, cwd=REPO,
    )  # fmt: skip
    assert shown.returncode == 0 and "--host" in shown.stdout and "--port" in shown.stdout


def denied_system_calls() -> set[str]:
    """The calls the unit's ``SystemCallFilter=~…`` lines refuse, by systemd's own lists."""
    denied: set[str] = set()
    for line in settings()["SystemCallFilter"]:
        if not line.startswith("~"):
            continue
        for group in line[1:].split():
            listed = subprocess.run(
                ["systemd-analyze", "syscall-filter", group],
                capture_output=True, text=True, timeout=60, check=True,
            ).stdout  # fmt: skip
            denied |= {
                word.strip() for word in listed.splitlines()
                if word.startswith("    ") and not word.strip().startswith(("#", "@"))
            }  # fmt: skip
    return denied


@pytest.mark.skipif(
    not (shutil.which("strace") and shutil.which("systemd-analyze")),
    reason="needs strace and systemd-analyze",
)
def test_the_panels_work_makes_no_call_the_unit_refuses(tmp_path: Path) -> None:
    """An upload's import (ffmpeg under prlimit) and a typed text read aloud (espeak-ng,
    niced and limited) run in the panel's process tree, under its unit's seccomp filter:
    a refused call would fail them on the box only (EPERM), never here. Traced here, each
    call is looked up in the lists of the groups the unit refuses."""
    from tests.helpers import make_tone

    source = make_tone(tmp_path / "bài.mp3", seconds=2)
    trace = tmp_path / "trace"
    base = [sys.executable, "-m", "firmware_host", "--data-dir", str(tmp_path / "box"), "clips"]
    for work in (["import", str(source)], ["say", "Xin chào bà con", "--title", "Chào"]):
        subprocess.run(
            ["strace", "-f", "-qq", "-o", str(trace), *base, *work],
            capture_output=True, timeout=120, check=True, cwd=REPO,
        )  # fmt: skip
        made = {
            match.group(1)
            for line in trace.read_text().splitlines()
            if (match := re.match(r"\d+\s+([a-z0-9_]+)\(", line))
        }
        assert made & denied_system_calls() == set(), work
