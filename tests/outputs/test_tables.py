"""Tables count distinct persons, give their margins and the contributor figures of each cell."""

from __future__ import annotations

import pytest

from fivesafes.errors import StepFailed
from fivesafes.outputs import OutputError, frequency, histogram, magnitude
from tests.outputs.spec import microdata


def test_one_person_with_five_cases_is_one_contributor() -> None:
    rows = [{"person_id": "p1", "g": "a"}] * 5 + [{"person_id": "p2", "g": "a"}]
    table = frequency(microdata(rows), ["g"])
    assert table.cells.to_pylist() == [{"_level": 0, "g": "a", "n": 2}]


def test_a_crosstab_has_its_zeros_and_margins() -> None:
    rows = [{"a": "x", "b": "u"}, {"a": "x", "b": "v"}, {"a": "y", "b": "u"}]
    table = frequency(microdata(rows), ["a", "b"])
    grid = table.grid()
    assert grid.rows == ["x", "y"] and grid.cols == ["u", "v"]
    assert grid.values.tolist() == [[1, 1], [1, 0]]
    assert grid.row_totals.tolist() == [2, 1] and grid.col_totals.tolist() == [2, 1]
    assert grid.grand == 3 and table.additive


def test_a_person_in_two_cells_makes_the_table_not_additive() -> None:
    rows = [{"person_id": "p1", "g": "a"}, {"person_id": "p1", "g": "b"}]
    table = frequency(microdata(rows), ["g"])
    assert not table.additive and table.grid().grand == 1


def test_a_population_filter_is_bound_not_spliced() -> None:
    rows = [{"g": "a", "age": 17}, {"g": "a", "age": 30}, {"g": "x'; DROP TABLE t; --", "age": 40}]
    data = microdata(rows)
    adults = frequency(data, ["g"], population={"age": {">=": 18}})
    assert sorted(adults.cells["g"].to_pylist()) == ["a", "x'; DROP TABLE t; --"]
    assert frequency(data, ["g"], population={"g": ["a"]}).cells["n"].to_pylist() == [2]


def test_magnitude_contributions_are_per_person() -> None:
    rows = [{"person_id": "p1", "g": "a", "v": 50.0}, {"person_id": "p1", "g": "a", "v": 50.0},
            {"person_id": "p2", "g": "a", "v": 30.0}, {"person_id": "p3", "g": "a", "v": None},
            {"person_id": "p4", "g": "a", "v": -5.0}]
    cell = magnitude(microdata(rows), ["g"], "v", "mean").cells.to_pylist()[0]
    assert cell["n"] == 4 and cell["n_missing"] == 1 and cell["n_negative"] == 1
    assert cell["largest"] == 100.0 and cell["second"] == 30.0
    assert cell["total"] == 125.0 and cell["abs_total"] == 135.0
    assert cell["value"] == pytest.approx(125.0 / 4)


def test_percentiles_and_unknown_statistics() -> None:
    rows = [{"g": "a", "v": float(i)} for i in range(1, 101)]
    cell = magnitude(microdata(rows), ["g"], "v", "p25").cells.to_pylist()[0]
    assert cell["value"] == pytest.approx(25.75)
    with pytest.raises(OutputError, match="unknown statistic"):
        magnitude(microdata(rows), ["g"], "v", "mode")


def test_histogram_bins_and_values_outside() -> None:
    rows = [{"v": 1.0}, {"v": 5.0}, {"v": 10.0}, {"v": 11.0}]
    table = histogram(microdata(rows), "v", [0, 5, 10])
    assert table.cells["bin"].to_pylist() == ["[0, 5)", "[5, 10]"]
    assert table.cells["n"].to_pylist() == [1, 2]
    assert "1 persons" in table.notes[0]


def test_a_missing_field_is_named() -> None:
    with pytest.raises(OutputError, match="no field 'nope'"):
        frequency(microdata([{"g": "a"}]), ["nope"])


HOSTILE_GROUP, HOSTILE_VALUE = 'g"; DROP TABLE t; --', "v') --"


def test_hostile_field_names_are_quoted() -> None:
    rows = [{HOSTILE_GROUP: "a", HOSTILE_VALUE: 1.0}, {HOSTILE_GROUP: "a", HOSTILE_VALUE: 3.0},
            {HOSTILE_GROUP: "b'; --", HOSTILE_VALUE: 7.0}]
    data = microdata(rows)
    counts = frequency(data, [HOSTILE_GROUP], population={HOSTILE_VALUE: {"<": 5}})
    assert counts.cells.to_pylist() == [{"_level": 0, HOSTILE_GROUP: "a", "n": 2}]
    means = magnitude(data, [HOSTILE_GROUP], HOSTILE_VALUE, "p50")
    assert means.cells[HOSTILE_GROUP].to_pylist() == ["a", "b'; --"]
    assert means.cells["value"].to_pylist() == [2.0, 7.0]
    binned = histogram(data, HOSTILE_VALUE, [0, 5, 10], population={HOSTILE_GROUP: ["a"]})
    assert binned.cells["n"].to_pylist() == [2, 0]


def test_an_engine_error_names_the_output_step() -> None:
    data = microdata([{"g": "a", "v": "not a number"}])
    with pytest.raises(StepFailed, match="outputs: magnitude table failed"):
        magnitude(data, ["g"], "v", "sum")
