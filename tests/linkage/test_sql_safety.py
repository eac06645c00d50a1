"""Identifiers and values from outside never change the SQL's structure."""

from __future__ import annotations

from datetime import date

import duckdb
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from fivesafes.standardise import StandardiseSpec, standardise, standardise_record
from fivesafes.standardise import sql as q

WEIRD = 'we"ird col'
AS_OF = date(2024, 6, 30)


def test_weird_column_names_and_quoted_values() -> None:
    con = duckdb.connect()
    columns = ['rec"key', WEIRD, "dob'", 'se"x', "addr'\""]
    values = [
        ("k'1", "O'Brien, Seán", "01'02'1990", "it's", "x'); DROP TABLE t; --"),
        ("k2", "Smith, Bob", "1990", "M", None),
    ]
    data = {c: pa.array([row[i] for row in values], pa.string()) for i, c in enumerate(columns)}
    con.register("arrow_rows", pa.table(data))
    con.execute('CREATE TABLE "we""ird col table" AS SELECT * FROM arrow_rows')
    spec = StandardiseSpec(
        source="it's",
        record_key='rec"key',
        full_name=WEIRD,
        date_of_birth="dob'",
        date_of_birth_format="%d'%m'%Y",
        sex='se"x',
        sex_codes={"it's": "female", "M": "male"},
        address="addr'\"",
    )
    standardise(con, f"{WEIRD} table", spec, 'out"put', as_of=AS_OF)
    rows = con.execute('SELECT * FROM "out""put" ORDER BY record_key').fetchall()
    assert len(rows) == 2
    names = [d[0] for d in con.execute('SELECT * FROM "out""put"').description]
    got = dict(zip(names, rows[0], strict=True))
    assert got["record_key"] == "k'1"
    assert got["source"] == "it's"
    assert (got["forename"], got["surname"]) == ("SEAN", "OBRIEN")
    assert got["dob"] == date(1990, 2, 1)
    assert got["sex"] == "female"
    assert got["address_tokens"] == ["X", "DROP", "TABLE", "T"]
    raw = dict(zip(columns, values[0], strict=True))
    assert standardise_record(raw, spec, AS_OF) == got


def test_qualified_table_names() -> None:
    con = duckdb.connect()
    con.execute('CREATE SCHEMA "my schema"')
    con.execute("CREATE TABLE \"my schema\".src AS SELECT '1' AS record_key, 'Smith' AS s")
    spec = StandardiseSpec(source="s", surname="s")
    standardise(con, ("my schema", "src"), spec, ("my schema", "out"), as_of=AS_OF)
    assert con.execute('SELECT surname FROM "my schema".out').fetchall() == [("SMITH",)]


@settings(max_examples=100, deadline=None)
@given(st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00")))
def test_literals_and_identifiers_round_trip(con, value: str) -> None:
    assert con.execute(f"SELECT {q.sql_literal(value)}").fetchall() == [(value,)]
    if value:
        select = f"SELECT 1 AS {q.quote_identifier(value)}"
        assert [d[0] for d in con.execute(select).description] == [value]
