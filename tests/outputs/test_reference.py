"""The DuckDB tables and checks against a plain-Python reference, for random microdata (several
rows per person, persons in several cells, missing and negative values)."""

from __future__ import annotations

from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from fivesafes.outputs import Thresholds, check, frequency, magnitude
from tests.outputs.spec import microdata

rows_strategy = st.lists(
    st.fixed_dictionaries({
        "person_id": st.sampled_from([f"p{i}" for i in range(30)]),
        "a": st.sampled_from(["x", "y", "z"]), "b": st.sampled_from(["u", "v"]),
        "v": st.one_of(st.none(), st.integers(-5, 100).map(float))}),
    min_size=1, max_size=120)


@settings(max_examples=40, deadline=None)
@given(rows_strategy, st.integers(2, 12))
def test_counts_and_threshold_findings_match_the_reference(rows: list[dict], k: int) -> None:
    persons: dict[tuple, set] = defaultdict(set)
    for row in rows:
        persons[(row["a"], row["b"])].add(row["person_id"])
    table = frequency(microdata(rows), ["a", "b"])
    got = {(c["a"], c["b"]): c["n"] for c in table.cells.to_pylist() if c["n"]}
    assert got == {cell: len(p) for cell, p in persons.items()}
    record = check(table, Thresholds(min_cell=k))
    small = {(f.cell["a"], f.cell["b"]) for f in record.by_rule("threshold")
             if "_total" not in f.cell}
    assert small == {cell for cell, p in persons.items() if 0 < len(p) < k}


@settings(max_examples=40, deadline=None)
@given(rows_strategy)
def test_contributor_figures_and_dominance_match_the_reference(rows: list[dict]) -> None:
    contributions: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in rows:
        contributions[row["a"]][row["person_id"]] += row["v"] or 0.0
    th = Thresholds(min_cell=1)
    table = magnitude(microdata(rows), ["a"], "v", "sum")
    record = check(table, th)
    nk = {f.cell["a"] for f in record.by_rule("nk-rule") if "_total" not in f.cell}
    pp = {f.cell["a"] for f in record.by_rule("p-ratio") if "_total" not in f.cell}
    for cell in table.cells.to_pylist():
        sizes = sorted((abs(x) for x in contributions[cell["a"]].values()), reverse=True)
        total = sum(sizes)
        top = sizes + [0.0, 0.0]
        assert cell["n"] == len(sizes)
        assert abs(cell["largest"] - top[0]) < 1e-9 and abs(cell["second"] - top[1]) < 1e-9
        assert (cell["a"] in nk) == (total > 0 and top[0] + top[1] > th.nk_k * total)
        assert (cell["a"] in pp) == (top[0] > 0 and total - top[0] - top[1]
                                     < th.p_percent * top[0])
