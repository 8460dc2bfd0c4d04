"""The relay pins from power-on to the daemon: driven OFF by the Raspberry Pi firmware.

A Pi Zero takes 20–40 s from power-on until ``loaxa run`` claims the relay pins. Until
then GPIO 9–27 float on their weak default pull-downs, and on an active-low relay board
(most cheap ones) a low input means ON: the amplifier and the zones may click on at every
power cut's return. The firmware reads ``config.txt`` before Linux starts and can drive
pins at once: ``gpio=17,22,23,27=op,dh`` (output, driven high: OFF for active-low boards)
or ``op,dl`` for active-high ones.

``hardware/install.sh`` writes that line, from the relay pins and ``active_high`` of
``loaxa.toml`` as this package's own loader reads them, into a marked block at the end of
``/boot/firmware/config.txt`` (Bookworm and Trixie; ``/boot/config.txt`` before) and
replaces the block where it stands when the pins change; ``uninstall.sh`` deletes it with
everything else the installer wrote. ``loaxa selftest`` reads the file the way the
firmware does and says whether every relay pin is driven to OFF from power-on.

Run as ``python -m firmware_host.relays.bootpins --config loaxa.toml CONFIG_TXT --out NEW``:
writes what CONFIG_TXT should hold to NEW and prints the line (or why there is none).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from firmware_host.config import RelaySettings, load_config
from firmware_host.messages import LoaxaError, t

# Newest first: Bookworm moved the file to /boot/firmware and left a stub in /boot.
CONFIG_TXT = ("boot/firmware/config.txt", "boot/config.txt")
BLOCK_START = "# loaxa: relay pins driven OFF at boot"
BLOCK_NOTE = "# (hardware/install.sh, from /etc/loaxa/loaxa.toml; hardware/uninstall.sh removes it)"
BLOCK_END = "# loaxa: end"
MOVED_STUB = "has moved to /boot/firmware/config.txt"
INPUT_OR_ALT = {"ip", "a0", "a1", "a2", "a3", "a4", "a5"}
SIMPLE_PIN = re.compile(r"(?:GPIO|BCM)?(\d+)", re.IGNORECASE)


def find_config_txt(root: Path = Path("/")) -> Path | None:
    """The firmware's config.txt under *root*, or None (not a Raspberry Pi). Bookworm
    leaves a stub in /boot saying the file has moved: the firmware never reads it."""
    for relative in CONFIG_TXT:
        path = root / relative
        if path.is_file() and MOVED_STUB not in path.read_text("utf-8", errors="replace"):
            return path
    return None


def _bcm(pin: int | str) -> int:
    """The BCM number of a relay pin as gpiozero accepts it: 17, "GPIO17", "BCM17", or a
    header name ("BOARD11", "J8:11"), which gpiozero's own 40-pin table resolves."""
    if isinstance(pin, int):
        return pin
    if match := SIMPLE_PIN.fullmatch(pin.strip()):
        return int(match.group(1))
    try:
        from gpiozero.pins.mock import MockFactory

        _header, info = next(MockFactory().board_info.find_pin(pin.strip()))
        return int(info.name.removeprefix("GPIO"))
    except (ImportError, StopIteration, ValueError):
        raise LoaxaError("bootpins.unknown_pin", pin=pin) from None


def relay_pins(relays: RelaySettings) -> list[int] | None:
    """The BCM pins of the amplifier and zone relays; None when they are not GPIO pins."""
    if relays.backend != "gpio":
        return None
    return sorted({_bcm(relays.amplifier), *(_bcm(pin) for pin in relays.zones.values())})


def off_level(relays: RelaySettings) -> str:
    """The firmware's word for a relay input at OFF: low for active-high boards."""
    return "dl" if relays.active_high else "dh"


def boot_line(relays: RelaySettings) -> str | None:
    pins = relay_pins(relays)
    if pins is None:
        return None
    return f"gpio={','.join(map(str, pins))}=op,{off_level(relays)}"


def _block_span(lines: list[str]) -> tuple[int, int] | None:
    """[start, end) of our block in *lines*, or None."""
    for start, line in enumerate(lines):
        if line.rstrip("\r\n") == BLOCK_START:
            for end in range(start + 1, len(lines)):
                if lines[end].rstrip("\r\n") == BLOCK_END:
                    return start, end + 1
            return start, len(lines)  # an unfinished block: all of it is ours
    return None


def with_block(text: str, line: str | None) -> str:
    """*text* (a config.txt) with our block holding *line*: replaced where it stands,
    else appended; None removes the block. Everything else stays byte for byte.

    ``[all]`` inside the block ends any model filter (``[pi4]``…) that the file's last
    lines may be under, so the line applies to every Pi."""
    lines = text.splitlines(keepends=True)
    block = [] if line is None else [f"{BLOCK_START}\n", f"{BLOCK_NOTE}\n", "[all]\n", f"{line}\n"]
    block += [f"{BLOCK_END}\n"] if block else []
    span = _block_span(lines)
    if span is not None:
        lines[span[0] : span[1]] = block
    elif block:
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        lines += block
    return "".join(lines)


def _pins_of(spec: str) -> set[int]:
    pins: set[int] = set()
    for part in spec.split(","):
        low, _, high = part.strip().partition("-")
        if low.isdigit() and (not high or high.isdigit()):
            pins.update(range(int(low), int(high or low) + 1))
    return pins


def boot_levels(text: str) -> dict[int, str]:
    """What the firmware drives each pin to from power-on ("dh"/"dl"; absent: not
    driven), reading ``gpio=`` lines as it does: later lines win, and only lines that
    apply to every model (before any filter, or under ``[all]``) count."""
    levels: dict[int, str] = {}
    everywhere = True
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("["):
            everywhere = line.lower() == "[all]"
            continue
        if not everywhere or not line.startswith("gpio="):
            continue
        spec, _, options = line.removeprefix("gpio=").partition("=")
        words = {word.strip().lower() for word in options.split(",")}
        for pin in _pins_of(spec):
            if words & INPUT_OR_ALT:  # no longer an output
                levels.pop(pin, None)
            elif "op" in words or pin in levels:
                level = "dh" if "dh" in words else "dl" if "dl" in words else levels.get(pin)
                if level:
                    levels[pin] = level
    return levels


def check(relays: RelaySettings, root: Path = Path("/")) -> tuple[bool, str, str]:
    """The selftest's verdict: (ok, what was found, what to do)."""
    path = find_config_txt(root)
    if path is None:
        return True, t("bootpins.not_a_pi"), ""
    text = path.read_text("utf-8", errors="replace")
    line = boot_line(relays)
    if line is None:
        if _block_span(text.splitlines()) is not None:
            return False, t("bootpins.stale", file=path), t("bootpins.rerun_install")
        return True, t("bootpins.not_needed", backend=relays.backend), ""
    pins = relay_pins(relays) or []
    level = off_level(relays)
    levels = boot_levels(text)
    advice = t("bootpins.advice", file=path, line=line)
    if wrong := [p for p in pins if levels.get(p) not in (None, level)]:
        return False, t("bootpins.wrong_level", file=path, pins=_list(wrong)), advice
    if missing := [p for p in pins if p not in levels]:
        return False, t("bootpins.missing", file=path, pins=_list(missing)), advice
    lines = text.splitlines()
    span = _block_span(lines)
    ours = [b for b in (lines[span[0] : span[1]] if span else []) if b.startswith("gpio=")]
    if extra := sorted({p for b in ours for p in _pins_of(b[5:].partition("=")[0])} - set(pins)):
        return False, t("bootpins.extra", file=path, pins=_list(extra)), advice
    return True, t("bootpins.ok", line=line), ""


def _list(pins: list[int]) -> str:
    return ", ".join(f"GPIO{p}" for p in pins)


def main(argv: list[str] | None = None) -> int:
    """For hardware/install.sh: the new config.txt in --out, the line on stdout."""
    parser = argparse.ArgumentParser(prog="python -m firmware_host.relays.bootpins")
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("config_txt", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        relays = load_config(args.config.parent, args.config).relays
        line = boot_line(relays)
    except LoaxaError as exc:  # ConfigError too: every problem with its line
        print(exc, file=sys.stderr)
        return 1
    old = args.config_txt.read_text("utf-8", errors="surrogateescape")
    args.out.write_text(with_block(old, line), "utf-8", errors="surrogateescape")
    print(line or t("bootpins.not_needed", backend=relays.backend))
    return 0


if __name__ == "__main__":
    sys.exit(main())
