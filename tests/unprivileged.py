"""A real unprivileged user for the tests that prove root is dropped (uid 65534, nobody).

The tests run as root here; what they check is what a process of another user can and
cannot do, so that user must be able to reach everything the sync reads: pytest's
``tmp_path`` is 0700 (hence :func:`open_base` under /tmp), and the interpreter may live
in root's home (pyenv). :func:`python_for_nobody` then finds one nobody can start: the
test's own, or the system's ``/usr/bin/python3`` of the same version with this
checkout and its site-packages on ``PYTHONPATH``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

NOBODY = 65534
REPO = Path(__file__).resolve().parent.parent
AS_NOBODY = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]


@contextlib.contextmanager
def open_base(prefix: str) -> Iterator[Path]:
    """A folder under /tmp that uid 65534 can reach, removed afterwards."""
    base = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    base.chmod(0o755)
    try:
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


def give_to_nobody(*roots: Path) -> None:
    """chown -R nobody:nogroup, links included (never followed)."""
    for root in roots:
        for path in [root, *root.rglob("*")]:
            os.chown(path, NOBODY, NOBODY, follow_symlinks=False)


def python_for_nobody() -> tuple[str, dict[str, str]]:
    """(interpreter, environment) that root starts and that keeps working after the
    process became uid 65534: its standard library, this checkout and its
    site-packages must all be readable by that user."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv (util-linux) to act as another user")
    code = "import firmware_host.usb.sync, firmware_host.report.service, openpyxl, docx"
    path = f"{REPO}{os.pathsep}{sysconfig.get_paths()['purelib']}"
    for python, extra in ((sys.executable, {}), ("/usr/bin/python3", {"PYTHONPATH": path})):
        env = {**os.environ, **extra}
        where = subprocess.run(
            [python, "-c", "import os; print(os.__file__)"], env=env, capture_output=True, text=True
        )
        if where.returncode != 0:
            continue
        readable = [*AS_NOBODY, "test", "-r", where.stdout.strip()]
        imports = [*AS_NOBODY, python, "-c", code]
        if all(
            subprocess.run(run, env=env, cwd="/", capture_output=True, timeout=60).returncode == 0
            for run in (readable, imports)
        ):
            return python, env
    pytest.skip("no Python interpreter that uid 65534 may run can import this checkout")


__all__ = ["AS_NOBODY", "NOBODY", "REPO", "give_to_nobody", "open_base", "python_for_nobody"]
