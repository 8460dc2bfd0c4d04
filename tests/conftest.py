"""Shared fixtures: a box in a temp folder with mock pins and an ALSA capture device.

Everything is the real component: gpiozero's MockFactory, aplay writing into ALSA's
``file`` PCM, ffmpeg-made clips through the real import, TinyDB files on disk.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from gpiozero import Device
from gpiozero.pins.mock import MockFactory

from firmware_host import messages
from firmware_host.config import Config, load_config
from firmware_host.demo import CAPTURE_DEVICE, use_capture_device

BOX_CONFIG = """\
[commune]
name = "Xã Thử Nghiệm"
province = "Tỉnh Thử"

[audio]
device = "{device}"

[amplifier]
warmup_seconds = {warmup}
tail_seconds = {tail}

[relays]
pin_factory = "mock"
amplifier = 17

[relays.zones]
"thon-1" = 27
"thon-2" = 22
"thon-3" = 23

[scheduler]
reload_seconds = 0.5
misfire_grace_seconds = {grace}
"""


@pytest.fixture(autouse=True)
def _vietnamese_and_clean_pins() -> Iterator[None]:
    """Each test starts in Vietnamese with a fresh mock pin factory."""
    messages.set_language("vi")
    yield
    messages.set_language("vi")
    if Device.pin_factory is not None:
        Device.pin_factory.close()
    Device.pin_factory = None


@pytest.fixture
def capture_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """ALSA output goes to numbered WAV files here, one per aplay run."""
    monkeypatch.setenv("ALSA_CONFIG_PATH", "")  # restored after the test
    directory = use_capture_device(tmp_path / "alsa")
    return directory


def write_box_config(
    data_dir: Path,
    *,
    warmup: float = 0.4,
    tail: float = 0.2,
    grace: int = 30,
    device: str = CAPTURE_DEVICE,
) -> Config:
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "loaxa.toml").write_text(
        BOX_CONFIG.format(device=device, warmup=warmup, tail=tail, grace=grace), "utf-8"
    )
    return load_config(data_dir)


@pytest.fixture
def box(tmp_path: Path, capture_dir: Path) -> Config:
    return write_box_config(tmp_path / "box")


@pytest.fixture
def pins() -> MockFactory:
    return MockFactory()


__all__ = ["write_box_config"]
