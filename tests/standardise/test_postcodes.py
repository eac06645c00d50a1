"""Postcodes: normalisation, the correction policy, parts, and SQL agreeing with Python."""

from __future__ import annotations

import itertools

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fivesafes.standardise import sql as q
from fivesafes.standardise.postcodes import (
    PostcodeParts,
    compact_postcode,
    format_compact,
    is_valid_compact,
    normalise_postcode,
    postcode_parts,
)

from .conftest import evaluate, optional_text

CASES = [
    ("LS6 2AB", ("LS6 2AB", "ok")),
    ("ls62ab", ("LS6 2AB", "ok")),
    ("  ls6   2ab ", ("LS6 2AB", "ok")),
    ("LS6-2AB.", ("LS6 2AB", "ok")),
    ("M1 1AA", ("M1 1AA", "ok")),
    ("B33 8TH", ("B33 8TH", "ok")),
    ("CR2 6XH", ("CR2 6XH", "ok")),
    ("DN55 1PT", ("DN55 1PT", "ok")),
    ("W1A 0AX", ("W1A 0AX", "ok")),
    ("EC1A 1BB", ("EC1A 1BB", "ok")),
    ("SW1A 2AA", ("SW1A 2AA", "ok")),
    ("GIR 0AA", ("GIR 0AA", "ok")),
    ("PO1 1AB", ("PO1 1AB", "ok")),  # valid as written: never "corrected" to P01
    ("LS6 OAB", ("LS6 0AB", "corrected")),
    ("0L9 1AB", ("OL9 1AB", "corrected")),
    ("M1 IAA", ("M1 1AA", "corrected")),
    ("MI 1AA", ("M1 1AA", "corrected")),
    ("1P1 1AB", ("IP1 1AB", "corrected")),
    ("BO5 ODB", (None, "invalid")),  # B05 0DB or BO5 0DB: ambiguous, never guessed
    ("LS6 2A", (None, "invalid")),
    ("LS6", (None, "invalid")),
    ("LS62ABX", (None, "invalid")),
    ("QS6 2AB", (None, "invalid")),  # Q never first
    ("LS6 2CB", (None, "invalid")),  # C never in the inward letters
    ("LSG 2AB", (None, "invalid")),
    ("LS6 2ÀB", (None, "invalid")),
    ("", (None, "missing")),
    ("   ", (None, "missing")),
    ("--", (None, "missing")),
    (None, (None, "missing")),
]


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_normalise_postcode(raw: str | None, expected: tuple) -> None:
    assert normalise_postcode(raw) == expected


def test_sql_agrees_on_table_cases(con) -> None:
    rows = evaluate(con, list(q.normalise_postcode_sql("x")), [raw for raw, _ in CASES])
    assert rows == [expected for _, expected in CASES]


def _brute_force(value: str) -> tuple[str | None, str]:
    """Reference for the correction policy: try every combination of O/0 and I/1 swaps."""
    compact = compact_postcode(value)
    if not compact:
        return None, "missing"
    if is_valid_compact(compact):
        return format_compact(compact), "ok"
    swap = {"O": "0", "0": "O", "I": "1", "1": "I"}
    options = [(ch, swap[ch]) if ch in swap else (ch,) for ch in compact]
    valid = {"".join(c) for c in itertools.product(*options) if is_valid_compact("".join(c))}
    if len(valid) == 1:
        return format_compact(valid.pop()), "corrected"
    return None, "invalid"


POSTCODEISH = st.text(alphabet="OI01LSAB29MNWXQ ", min_size=4, max_size=9)


@settings(max_examples=300, deadline=None)
@given(POSTCODEISH)
def test_correction_equals_brute_force(value: str) -> None:
    assert normalise_postcode(value) == _brute_force(value)


def _staged_sql(con: duckdb.DuckDBPyConnection, values: list[str | None]) -> list[tuple]:
    """The postcode column rules staged as the engine stages them."""
    con.register("inputs", pa.table({"i": range(len(values)), "x": pa.array(values, pa.string())}))
    try:
        return con.sql(
            f"""SELECT {q.format_postcode_sql(q.column_postcode_sql("c", "v", "f"))},
                    {q.column_postcode_flag_sql("c", "v", "f")}
            FROM (SELECT *, CASE WHEN NOT v THEN {q.postcode_corrections_sql("c")} END AS f
                FROM (SELECT *, {q.is_valid_compact_sql("c")} AS v
                    FROM (SELECT i, {q.postcode_compact_sql("x")} AS c FROM inputs)))
            ORDER BY i"""
        ).fetchall()
    finally:
        con.unregister("inputs")


def test_staged_sql_agrees_on_table_cases(con) -> None:
    assert _staged_sql(con, [raw for raw, _ in CASES]) == [expected for _, expected in CASES]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(POSTCODEISH, optional_text(10)), max_size=50))
def test_sql_agrees_with_python(con, values: list[str | None]) -> None:
    assert _staged_sql(con, values) == [normalise_postcode(value) for value in values]


PARTS = [
    ("LS6 2AB", PostcodeParts("LS", "LS6", "LS6 2")),
    ("M1 1AA", PostcodeParts("M", "M1", "M1 1")),
    ("EC1A 1BB", PostcodeParts("EC", "EC1A", "EC1A 1")),
    ("GIR 0AA", PostcodeParts("GIR", "GIR", "GIR 0")),
]


@pytest.mark.parametrize(("postcode", "parts"), PARTS)
def test_postcode_parts(con, postcode: str, parts: PostcodeParts) -> None:
    assert postcode_parts(postcode) == parts
    expressions = [
        q.postcode_area_sql("x"),
        q.postcode_district_sql("x"),
        q.postcode_sector_sql("x"),
    ]
    assert evaluate(con, expressions, [postcode]) == [tuple(parts)]


def test_parts_of_nothing() -> None:
    assert postcode_parts(None) is None
