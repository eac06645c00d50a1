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


def test_the_result_names_shared_identifiers_kept_apart_pairs_and_b_cubed(tmp_path) -> None:
    from fivesafes.linkage.cli import _print_result
    from fivesafes.linkage.runs import LinkRunResult

    summary = {
        "records": 10, "clusters": 4, "records_per_source": {"prison": 10},
        "shared_identifiers": {"ni_number": {
            "linked_pairs_agreeing": 5, "linked_pairs_nearly_agreeing": 1,
            "linked_pairs_differing": 2, "pairs_agreeing_not_linked": 3}},
        "split": {"split_clusters": 1, "new_clusters": 1, "pairs_contradicting": 7,
                  "links_refused": 4, "bridged_clusters": 2, "records_left_alone": 3},
        "accuracy": {"clusters": {"precision": 0.9, "recall": 0.8, "f1": 0.85},
                     "true_pairs_unblocked": 0,
                     "bcubed": {"precision": 0.95, "recall": 0.9, "f1": 0.925}},
        "seconds": {"read": 0.1}, "threshold": 0.8, "engine": "duckdb", "notes": [],
    }
    out = io.StringIO()
    _print_result(Console(file=out, width=200), LinkRunResult(tmp_path, summary), False)
    text = out.getvalue()
    assert ("shared identifier ni_number: 5 linked pairs agree on it, 1 nearly, 2 linked "
            "although it differs; 3 pairs agree on it but were not linked") in text
    assert "pairs that cannot be one person, kept apart: 7 (4 scored above the threshold)" in text
    assert "B-cubed precision 0.9500, recall 0.9000, F1 0.9250" in text
    assert ("clusters joined only through records without a date of birth, cut: 2 (3 such "
            "records could be either of two people and joined neither)") in text
