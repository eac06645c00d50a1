"""Addresses: postcode extraction, tokens, abbreviations, and SQL agreeing with Python."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fivesafes.standardise import sql as q
from fivesafes.standardise.addresses import (
    ABBREVIATIONS,
    address_text,
    address_tokens,
    extract_postcode,
)

from .conftest import evaluate, text_strategy

EXTRACT_CASES = [
    ("12 Acacia Road, Leeds LS6 2AB", "LS6 2AB"),
    ("12 Acacia Road, Leeds, LS62AB", "LS6 2AB"),
    ("12 acacia road leeds ls6 2ab", "LS6 2AB"),
    ("Leeds LS6 2AB.", "LS6 2AB"),
    ("Flat 1, 2 High St, LS6 2AB (previously M1 1AA)", "M1 1AA"),  # the last one wins
    ("LS6 2AB M1 1AA", "M1 1AA"),
    ("Rue de Zoë, Leeds, LS6 2AB", "LS6 2AB"),
    ("12 Acacia Road LS6 2A", None),
    ("12 Acacia Road LS6 OAB", None),  # no corrections inside free text
    ("LS6 2ABC", None),
    ("XLS6 2AB", None),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "expected"), EXTRACT_CASES)
def test_extract_postcode(raw: str | None, expected: str | None) -> None:
    assert extract_postcode(raw) == expected


TOKEN_CASES = [
    ("12 Acacia Rd, Leeds LS6 2AB", ["12", "ACACIA", "ROAD", "LEEDS"]),
    ("Flat 2, 12 St Johns St, Leeds", ["FLAT", "2", "12", "SAINT", "JOHNS", "STREET", "LEEDS"]),
    ("St Albans Ave", ["SAINT", "ALBANS", "AVENUE"]),
    ("12-14 High St.", ["12", "14", "HIGH", "STREET"]),
    ("O'Neill's Ct", ["ONEILLS", "COURT"]),
    ("3 Park Cres, Gt Yarmouth", ["3", "PARK", "CRESCENT", "GREAT", "YARMOUTH"]),
    ("Two postcodes LS6 2AB and M1 1AA", ["TWO", "POSTCODES", "AND"]),
    ("Café Röad", ["CAFE", "ROAD"]),
    ("LS6 2AB", None),
    ("  ,  ", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "expected"), TOKEN_CASES)
def test_address_tokens(raw: str | None, expected: list[str] | None) -> None:
    assert address_tokens(raw) == expected


def test_address_text() -> None:
    assert address_text("  12, Acacia  Rd.\nLeeds ") == "12 ACACIA RD LEEDS"
    assert address_text(" , ") is None


def _sql_address(con: duckdb.DuckDBPyConnection, values: list[str | None]) -> list[tuple]:
    con.register("inputs", pa.table({"i": range(len(values)), "x": pa.array(values, pa.string())}))
    try:
        return con.sql(
            f"""SELECT t, {q.format_postcode_sql(q.address_postcode_sql("t"))},
                    {q.expand_tokens_sql("w")}
            FROM (SELECT i, t, {q.address_words_sql("t")} AS w
                  FROM (SELECT i, {q.address_text_sql("x")} AS t FROM inputs))
            ORDER BY i"""
        ).fetchall()
    finally:
        con.unregister("inputs")


def _python_address(value: str | None) -> tuple:
    return address_text(value), extract_postcode(value), address_tokens(value)


def test_sql_agrees_on_table_cases(con) -> None:
    values = [raw for raw, _ in EXTRACT_CASES + TOKEN_CASES]
    assert _sql_address(con, values) == [_python_address(value) for value in values]
    assert [row[0] for row in evaluate(con, [q.extract_postcode_sql("x")], values)] == [
        extract_postcode(value) for value in values
    ]


PIECES = st.one_of(
    text_strategy(8),
    st.sampled_from(["LS6 2AB", "ls62ab", "M1 1AA", "EC1A 1BB", "GIR 0AA", "LS6 2A", "ST", "12"]),
    st.sampled_from(sorted(ABBREVIATIONS)),
)
ADDRESSES = st.lists(
    st.tuples(PIECES, st.sampled_from([" ", ", ", "", "-", "\n"])), max_size=8
).map(lambda pieces: "".join(p + s for p, s in pieces))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(st.none(), ADDRESSES), max_size=30))
def test_sql_agrees_with_python(con, values: list[str | None]) -> None:
    assert _sql_address(con, values) == [_python_address(v) for v in values]
