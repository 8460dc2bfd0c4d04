"""The benchmarks at tiny sizes, so they never rot (figures are not judged here).

The real-time figures (punctuality, memory) wait for slots and take over a minute; they
run with ``python bench/run_all.py`` like the rest.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_fast_benchmarks_run_in_smoke_mode(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "run_all.py"),
            "--smoke",
            "--dir",
            str(tmp_path),
            "--only",
            "cli_start",
            "log_append",
            "report_scale",
            "clip_import",
            "link_fleet",  # ~20 s: a broker, a collector, a real link, 20 and 60 boxes
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    figures = ("3. cli_start", "4. log_append", "5. report_scale", "6. clip_import")
    for figure in (*figures, "11. link_fleet"):
        assert figure in done.stdout
