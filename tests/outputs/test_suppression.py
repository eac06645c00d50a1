"""Suppression that holds: spec tables with the expected pattern and intervals, and hypothesis
tests that no protected primary cell's feasible interval is narrower than required, checked
against a plain linear programme over the whole table (not the attack's own code)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from fivesafes.outputs import Thresholds, checked, frequency, magnitude
from fivesafes.outputs.attack import bounds
from fivesafes.outputs.suppression import protect
from fivesafes.outputs.tables import Grid
from tests.outputs.spec import crosstab_rows, microdata


def grid_of(values: list[list[float]]) -> Grid:
    v = np.array(values, dtype=float)
    return Grid(list(range(v.shape[0])), list(range(v.shape[1])), v,
                np.ones(v.shape, dtype=bool), v.sum(1), v.sum(0),
                float(v.sum()))


def reference_interval(grid: Grid, suppressed: np.ndarray, i: int, j: int) -> tuple[float, float]:
    """Min and max of cell (i, j): every cell a variable, published ones fixed, margins exact."""
    n_r, n_c = grid.values.shape
    a, b = [], []
    for r in range(n_r):
        row = np.zeros((n_r, n_c))
        row[r, :] = 1
        a.append(row.ravel())
        b.append(grid.row_totals[r])
    if n_r > 1:
        for c in range(n_c):
            col = np.zeros((n_r, n_c))
            col[:, c] = 1
            a.append(col.ravel())
            b.append(grid.col_totals[c])
    box = [(0, None) if s else (v, v) for s, v in zip(suppressed.ravel(), grid.values.ravel(),
                                                      strict=True)]
    obj = np.zeros(n_r * n_c)
    obj[i * n_c + j] = 1
    lo = linprog(obj, A_eq=np.array(a), b_eq=np.array(b), bounds=box, method="highs")
    hi = linprog(-obj, A_eq=np.array(a), b_eq=np.array(b), bounds=box, method="highs")
    return lo.fun, -hi.fun if hi.status == 0 else float("inf")


def test_a_lone_small_cell_gets_three_partners_in_a_rectangle() -> None:
    grid = grid_of([[20, 3, 30], [25, 40, 35], [15, 22, 50]])
    pattern = protect(grid, grid.values < 10, ratio=0.5, width=10)
    assert pattern.protected and pattern.rounds == 1
    assert np.argwhere(pattern.suppressed).tolist() == [[0, 0], [0, 1], [2, 0], [2, 1]]
    small = pattern.intervals[(0, 1)]
    assert (small.low, small.high) == (0.0, 23.0)  # 3 could be anything from 0 to 23
    assert pattern.intervals[(2, 0)].low == 12.0 and pattern.intervals[(2, 0)].high == 35.0


def test_a_one_way_table_needs_a_second_suppression() -> None:
    grid = grid_of([[4, 30, 12, 50]])
    pattern = protect(grid, grid.values < 10, ratio=0.5, width=10)
    assert np.argwhere(pattern.suppressed).tolist() == [[0, 0], [0, 2]]  # 12: the cheapest
    assert (pattern.intervals[(0, 0)].low, pattern.intervals[(0, 0)].high) == (0.0, 16.0)


def test_a_cell_whose_margin_is_too_small_is_reported_not_hidden() -> None:
    grid = grid_of([[2, 1], [30, 40]])  # row 0 totals 3: no pattern can widen the cells
    pattern = protect(grid, grid.values < 10, ratio=0.5, width=10)
    assert not pattern.protected and sorted(pattern.unprotected) == [(0, 0), (0, 1)]


def test_checked_output_withholds_and_records_intervals() -> None:
    rows = crosstab_rows({("x", "u"): 20, ("x", "v"): 3, ("x", "w"): 30, ("y", "u"): 25,
                          ("y", "v"): 40, ("y", "w"): 35, ("z", "u"): 15, ("z", "v"): 22,
                          ("z", "w"): 50})
    out = checked(frequency(microdata(rows), ["a", "b"]))
    hidden = {(c["cell"]["a"], c["cell"]["b"]): c["reason"] for c in out.record.suppressed}
    assert hidden == {("x", "v"): "primary", ("x", "u"): "secondary", ("z", "u"): "secondary",
                      ("z", "v"): "secondary"}
    published = {(c["a"], c["b"]): c["n"] for c in out.published.to_pylist()}
    assert published[("x", "v")] is None and published[("y", "v")] == 40
    assert out.record.status == "review"
    assert all(iv["protected"] for iv in out.record.intervals)


def test_non_additive_margins_are_inequalities() -> None:
    grid = grid_of([[5, 20], [20, 20]])
    grid.additive = False
    grid.row_totals = np.array([22.0, 40.0])  # a person may be in both cells of a row
    grid.col_totals = np.array([25.0, 38.0])
    found = bounds(grid, np.array([[True, True], [True, True]]))
    assert found[(0, 0)][0] == 0.0 and found[(0, 0)][1] == 22.0


tables = st.integers(1, 5).flatmap(lambda r: st.integers(2, 6).flatmap(
    lambda c: st.lists(st.lists(st.integers(0, 60), min_size=c, max_size=c),
                       min_size=r, max_size=r)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables, st.sampled_from([0.25, 0.5]), st.sampled_from([0.0, 5.0, 10.0]))
def test_no_protected_cell_is_narrower_than_required(values: list[list[int]], ratio: float,
                                                     width: float) -> None:
    grid = grid_of(values)
    primary = (grid.values > 0) & (grid.values < 10)
    pattern = protect(grid, primary, ratio=ratio, width=width)
    assert (pattern.suppressed >= primary).all()
    for (i, j), iv in pattern.intervals.items():
        low, high = reference_interval(grid, pattern.suppressed, i, j)
        assert abs(iv.low - low) < 1e-6 and abs(iv.high - high) < 1e-6
        if primary[i, j] and (i, j) not in pattern.unprotected:
            v = grid.values[i, j]
            assert low <= v * (1 - ratio) + 1e-6 and high >= v * (1 + ratio) - 1e-6
            assert high - low >= width - 1e-6
    for i, j in pattern.unprotected:  # only what no suppression pattern could have saved
        low, high = reference_interval(grid, np.ones_like(primary), i, j)
        v = grid.values[i, j]
        assert (low > v * (1 - ratio) + 1e-6 or high < v * (1 + ratio) - 1e-6
                or high - low < width - 1e-6)


def test_thresholds_set_the_protection() -> None:
    assert Thresholds().count_width() == 10 and Thresholds(protection_min_width=4).count_width() == 4


def test_a_rectangle_protects_by_construction() -> None:
    from fivesafes.outputs.suppression import rectangle

    values = np.array([[9.0, 2, 30], [3, 40, 35], [20, 22, 50]])
    add = rectangle(values, np.zeros((3, 3), dtype=bool), 0, 0, ratio=0.5, width=10)
    # partners 30 and 20 (both >= 4.5 and cheapest that qualify), corner 50 >= 4.5
    assert np.argwhere(add).tolist() == [[0, 2], [2, 0], [2, 2]]


def test_what_may_be_published_has_no_person_id_no_contributor_figure_no_small_cell() -> None:
    rows = [{"a": a, "b": b, "v": float(k)} for a in "xyz" for b in "uvw"
            for k in range(3 if (a, b) == ("x", "u") else 12 + len(a + b))]
    out = checked(magnitude(microdata(rows), ["a", "b"], "v", "mean"))
    assert out.published.column_names == ["a", "b", "n", "value"]
    assert out.record.suppressed and out.record.status == "review"
    shown = [c["n"] for c in out.published.to_pylist() if c["n"] is not None]
    assert shown and min(shown) >= 10
    assert all(iv["protected"] for iv in out.record.intervals)
    assert {iv["figure"] for iv in out.record.intervals} == {"total", "n"}
    grand = [m for m in out.margins.to_pylist() if m["total_over"] == "a, b"]
    assert grand == [{"a": None, "b": None, "n": len(rows), "value": grand[0]["value"],
                      "total_over": "a, b"}]


def reference_inequality(grid: Grid, suppressed: np.ndarray, i: int, j: int
                         ) -> tuple[float, float]:
    """Distinct-person margins: each line's cells add up to at least its margin, no cell
    exceeds a margin of its own; every cell a variable, the published ones fixed."""
    n_r, n_c = grid.values.shape
    a, b, caps = [], [], np.minimum(grid.row_totals[:, None], grid.col_totals[None, :])
    for r in range(n_r):
        row = np.zeros((n_r, n_c))
        row[r, :] = -1
        a.append(row.ravel())
        b.append(-grid.row_totals[r])
    for c in range(n_c):
        col = np.zeros((n_r, n_c))
        col[:, c] = -1
        a.append(col.ravel())
        b.append(-grid.col_totals[c])
    box = [(0, cap) if s else (v, v) for s, v, cap in zip(
        suppressed.ravel(), grid.values.ravel(), caps.ravel(), strict=True)]
    obj = np.zeros(n_r * n_c)
    obj[i * n_c + j] = 1
    lo = linprog(obj, A_ub=np.array(a), b_ub=np.array(b), bounds=box, method="highs")
    hi = linprog(-obj, A_ub=np.array(a), b_ub=np.array(b), bounds=box, method="highs")
    return lo.fun, -hi.fun


people_in_cells = st.lists(st.tuples(st.integers(0, 59), st.sampled_from("xyz"),
                                     st.sampled_from("uvw")), min_size=20, max_size=200)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people_in_cells)
def test_persons_in_several_cells_are_attacked_with_what_the_margins_say(
        rows: list[tuple[int, str, str]]) -> None:
    data = microdata([{"person_id": f"p{p}", "a": a, "b": b} for p, a, b in rows])
    table = frequency(data, ["a", "b"])
    out = checked(table, Thresholds(min_cell=5))
    grid = table.grid()
    hidden = np.zeros(grid.values.shape, dtype=bool)
    for c in out.record.suppressed:
        hidden[grid.rows.index(c["cell"]["a"]), grid.cols.index(c["cell"]["b"])] = True
    for iv in out.record.intervals:
        i, j = grid.rows.index(iv["cell"]["a"]), grid.cols.index(iv["cell"]["b"])
        low, high = (reference_inequality(grid, hidden, i, j) if not grid.additive
                     else reference_interval(grid, hidden, i, j))
        assert abs(iv["low"] - low) < 1e-6 and abs(iv["high"] - high) < 1e-6


def test_a_cell_absent_from_the_table_is_never_withheld() -> None:
    grid = grid_of([[20, 3, 30], [25, 40, 35], [15, 22, 50]])
    grid.present[0, 0] = grid.present[2, 0] = False  # (say) no person: known to be empty
    pattern = protect(grid, grid.values < 10, ratio=0.5, width=10)
    assert pattern.protected and not pattern.suppressed[0, 0] and not pattern.suppressed[2, 0]
