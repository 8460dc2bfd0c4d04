"""A few power cuts in CI; ``python -m tests.powercut --cuts 300`` runs hundreds."""

from __future__ import annotations

import pytest

from tests.powercut import run


@pytest.mark.slow
def test_power_cuts_lose_nothing(tmp_path, capsys):
    figures = run(8, seed=20261123, work=tmp_path)
    print(figures.line())
    assert figures.cuts == 8
    assert figures.sessions_cut + figures.imports_cut > 0, "some cut must hit work in flight"
    assert figures.problems == [] and figures.losses == 0
    assert figures.entries_checked > 0
