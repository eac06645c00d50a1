"""Sex codes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fivesafes.linkage.standardise import sql as q
from fivesafes.linkage.standardise.sex import map_sex
from fivesafes.sql import Params

from .conftest import evaluate, optional_text

CODES = {"M": "male", "F": "female", "U": "unknown", "1": "male", "it's": "female", "m": "male"}

CASES = [
    ("M", ("male", "ok")),
    (" F ", ("female", "ok")),
    ("m", ("male", "ok")),
    ("1", ("male", "ok")),
    ("it's", ("female", "ok")),
    ("U", (None, "unknown")),
    ("f", (None, "unknown_code")),  # codes are case-sensitive; the contract lists every code
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
