"""``loaxa demo`` from a wheel installed the way ``hardware/install.sh`` installs it.

The editable install of the development venv reads everything from the checkout, so
a file missing from the package (the sample clips once were) goes unnoticed there.
Here the package is built with ``pip wheel`` from a copy of the sources, installed
without ``-e`` into a fresh venv, and the demo runs from a folder with no checkout in
sight. The venv sees the development venv's dependencies through a ``.pth`` line,
the way the box's venv sees Debian's through ``--system-site-packages``: what is
tested is the wheel, not the network.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLES = {"Thông báo tắt sóng 2G.mp3", "Hướng dẫn chuyển 4G.ogg", "Cảnh báo lừa đảo đổi SIM.m4a"}

pytestmark = pytest.mark.slow  # ~40 s: a build, a venv and a demo day in real time


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    shutil.copytree(
        REPO,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache"
        ),
    )
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work), str(source)],
        check=True,
        timeout=600,
    )
    [built] = work.glob("loaxa-*.whl")
    return built


def test_the_wheel_carries_the_sample_clips(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = {Path(n).name for n in archive.namelist() if "/samples/" in n}
    assert names == SAMPLES


def test_demo_runs_from_the_installed_wheel(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        timeout=300,
    )
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(purelib) / "loaxa-test-deps.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n", "utf-8"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("LOAXA_HOME", "PYTHONPATH")}
    where = tmp_path / "elsewhere"  # no checkout in the working folder either
    where.mkdir()
    done = subprocess.run(
        [venv / "bin" / "loaxa", "demo", "--data-dir", str(tmp_path / "demo")],
        cwd=where,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    located = subprocess.run(
        [python, "-c", "import firmware_host; print(firmware_host.__file__)"],
        cwd=where,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert located.startswith(purelib), "the demo ran the installed package, not the checkout"
    assert "✔ Trình diễn xong" in done.stdout
    for title in ("Thông báo tắt sóng 2G", "Hướng dẫn chuyển 4G", "Cảnh báo lừa đảo đổi SIM"):
        assert f"đã nhập '{title}'" in done.stdout
    assert (tmp_path / "demo" / "demo-phat-thanh.wav").stat().st_size > 100_000
