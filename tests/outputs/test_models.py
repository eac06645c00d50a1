"""Regressions and time-to-event counts with their checks."""

from __future__ import annotations

import pytest

from fivesafes.outputs import Thresholds
from fivesafes.outputs.models import regression, survival
from tests.outputs.spec import microdata


def linear_rows(n: int) -> list[dict]:
    return [{"y": 2.0 * i + (i % 3), "x": float(i), "g": "a" if i % 2 else "b"} for i in range(n)]


def test_a_linear_regression_with_enough_degrees_of_freedom_passes() -> None:
    out = regression(microdata(linear_rows(40)), "y", ["x", "g"])
    assert out.record.status == "pass"
    terms = dict(zip(out.published["term"].to_pylist(), out.published["coefficient"].to_pylist(),
                     strict=True))
    assert set(terms) == {"const", "x", "g_b"} and terms["x"] == pytest.approx(2.0, abs=0.05)


def test_too_few_residual_degrees_of_freedom_fail() -> None:
    out = regression(microdata(linear_rows(12)), "y", ["x", "g"])
    [dof] = out.record.by_rule("dof")
    assert dof.figures == {"residual_dof": 9.0, "min_dof": 10} and out.record.status == "fail"
    assert regression(microdata(linear_rows(12)), "y", ["x", "g"],
                      th=Thresholds(min_dof=5)).record.status == "pass"


def test_missing_rows_are_left_out_and_said() -> None:
    rows = linear_rows(40) + [{"y": None, "x": 1.0, "g": "a"}]
    [miss] = regression(microdata(rows), "y", ["x"]).record.by_rule("missing")
    assert miss.figures == {"rows": 1}


def test_a_logistic_regression_and_perfect_separation() -> None:
    rows = [{"y": int((i * 7) % 10 < 4), "x": float(i % 5), "g": "a" if i % 2 else "b"}
            for i in range(200)]
    assert regression(microdata(rows), "y", ["x", "g"], kind="logistic").record.status == "pass"
    separated = [{"y": int(i % 2), "g": "a" if i % 2 else "b", "x": float(i % 7)}
                 for i in range(100)]
    out = regression(microdata(separated), "y", ["g", "x"], kind="logistic")
    assert out.record.by_rule("class-disclosure")


def test_survival_counts_and_small_periods() -> None:
    rows = ([{"t": float(i % 10), "died": 1} for i in range(30)]
            + [{"t": 15.0, "died": 0} for _ in range(20)] + [{"t": 25.0, "died": 1}] * 3)
    out = survival(microdata(rows), "t", "died", [0, 10, 20, 30])
    cells = out.published.to_pylist()
    assert [(c["at_risk"], c["events"], c["censored"]) for c in cells] == [
        (53, 30, 0), (23, 0, 20), (3, 3, 0)]
    assert cells[0]["survival"] == pytest.approx(23 / 53)
    assert {f.cell["period"] for f in out.record.by_rule("threshold")} == {"[20, 30)"}


def test_survival_over_hostile_field_names() -> None:
    time, event = 'days"; DROP TABLE t; --', "died') --"
    rows = [{time: 5.0, event: True}, {time: 15.0, event: False}, {time: 25.0, event: True}]
    out = survival(microdata(rows), time, event, [0, 10, 30])
    assert out.table.cells["at_risk"].to_pylist() == [3, 2]
    assert out.table.cells["events"].to_pylist() == [1, 1]
