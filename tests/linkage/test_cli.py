"""The progress shown while ``fivesafes link`` runs."""

from __future__ import annotations

import io

from rich.console import Console

from fivesafes.linkage.cli import PHASES, phase_progress


def test_each_finished_phase_is_printed_with_its_time() -> None:
    out = io.StringIO()
    with phase_progress(Console(file=out, width=100)) as phase:
        for name in PHASES:
            phase(name, 1.25)
        phase("evaluate", 0.5)  # not a counted phase: printed, never advances the bar
    lines = out.getvalue().splitlines()
    assert lines == [f"  {name:<12}     1.2 s" for name in PHASES] + ["  evaluate         0.5 s"]


def test_on_a_terminal_the_bar_names_the_phase_under_way() -> None:
    out = io.StringIO()
    console = Console(file=out, width=100, force_terminal=True)
    with phase_progress(console) as phase:
        phase("standardise", 2.0)
        console.print("[marker]")
    shown = out.getvalue()
    assert "linking: reading" in shown and "linking: train" in shown
    assert shown.index("linking: train") > shown.index("standardise")
