"""Sex codes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fivesafes.sql import Params
from fivesafes.standardise import sql as q
from fivesafes.standardise.sex import map_sex

from .conftest import evaluate, optional_text

CODES = {"M": "male", "F": "female", "U": "unknown", "1": "male", "it's": "female", "m": "male"}

CASES = [
    ("M", ("male", "ok")),
    (" F ", ("female", "ok")),
    ("m", ("male", "ok")),
    ("1", ("male", "ok")),
    ("it's", ("female", "ok")),
    ("U", (None, "unknown")),
    ("f", (None, "unknown_code")),  # "M" and "m" are both codes: matching is exact
    ("X", (None, "unknown_code")),
    ("", (None, "missing")),
    ("   ", (None, "missing")),
    (None, (None, "missing")),
]


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_map_sex(raw: str | None, expected: tuple) -> None:
    assert map_sex(raw, CODES) == expected


def test_sql_agrees_on_table_cases(con) -> None:
    params = Params()
    expressions = list(q.map_sex_sql("x", CODES, params))
    rows = evaluate(con, expressions, [raw for raw, _ in CASES], params)
    assert rows == [expected for _, expected in CASES]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.sampled_from([*CODES, " M", "M\t", "\u00a0F"]), optional_text(5))))
def test_sql_agrees_with_python(con, values: list[str | None]) -> None:
    params = Params()
    rows = evaluate(con, list(q.map_sex_sql("x", CODES, params)), values, params)
    assert rows == [map_sex(value, CODES) for value in values]


# Codes that stay distinct once upper-cased: ingest accepts any case, so standardisation does too.
UNAMBIGUOUS = {"M": "male", "f": "female", "Not known": "unknown", "ß": "female", "9": "unknown"}

UNAMBIGUOUS_CASES = [
    ("M", ("male", "ok")),
    ("m", ("male", "ok")),
    (" F ", ("female", "ok")),
    ("f", ("female", "ok")),
    ("NOT KNOWN", (None, "unknown")),
    ("not known", (None, "unknown")),
    ("ẞ", ("female", "ok")),  # DuckDB upper-cases ß to ẞ (Python would give SS)
    ("SS", (None, "unknown_code")),
    ("9", (None, "unknown")),
    ("x", (None, "unknown_code")),
    (None, (None, "missing")),
]


@pytest.mark.parametrize(("raw", "expected"), UNAMBIGUOUS_CASES)
def test_map_sex_any_case_when_unambiguous(raw: str | None, expected: tuple) -> None:
    assert map_sex(raw, UNAMBIGUOUS) == expected


def test_sql_any_case_when_unambiguous(con) -> None:
    params = Params()
    expressions = list(q.map_sex_sql("x", UNAMBIGUOUS, params))
    rows = evaluate(con, expressions, [raw for raw, _ in UNAMBIGUOUS_CASES], params)
    assert rows == [expected for _, expected in UNAMBIGUOUS_CASES]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.sampled_from([*UNAMBIGUOUS, "m", "F", "NOT known", "ss"]),
                          optional_text(5))))
def test_sql_agrees_with_python_any_case(con, values: list[str | None]) -> None:
    params = Params()
    rows = evaluate(con, list(q.map_sex_sql("x", UNAMBIGUOUS, params)), values, params)
    assert rows == [map_sex(value, UNAMBIGUOUS) for value in values]


def test_standardise_maps_values_ingest_accepted_in_another_case(con) -> None:
    """Validation accepts ``m`` for code ``M``; standardisation must map it, not flag it."""
    import duckdb
    import pyarrow as pa

    from fivesafes.standardise import StandardiseSpec, standardise

    connection = duckdb.connect()
    connection.register("people", pa.table({
        "record_key": ["a", "b", "c"], "g": ["m", "F", "f"], "s": ["X", "Y", "Z"],
    }))
    spec = StandardiseSpec(source="s", surname="s", sex="g", sex_codes={"M": "male", "F": "female"})
    standardise(connection, "people", spec, "out")
    got = connection.execute("SELECT sex, sex_flag FROM out ORDER BY record_key").fetchall()
    assert got == [("male", "ok"), ("female", "ok"), ("female", "ok")]
