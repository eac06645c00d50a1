"""standardise / standardise_many: whole tables in DuckDB agree with the Python reference."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fivesafes.errors import ContractError
from fivesafes.standardise import (
    OUTPUT_COLUMNS,
    StandardiseSpec,
    standardise,
    standardise_many,
    standardise_record,
)

from .conftest import optional_text

AS_OF = date(2024, 6, 30)
CODES = {"M": "male", "F": "female", "U": "unknown"}


@pytest.fixture
def fresh() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    yield connection
    connection.close()


def load(con: duckdb.DuckDBPyConnection, name: str, rows: list[dict]) -> None:
    columns = list(rows[0])
    data = {c: pa.array([row[c] for row in rows], pa.string()) for c in columns}
    con.register("_rows", pa.table(data))
    con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM _rows')
    con.unregister("_rows")


def output(con: duckdb.DuckDBPyConnection, table: str = "out") -> list[dict]:
    result = con.execute(f'SELECT * FROM "{table}"')
    names = [d[0] for d in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def reference(rows: list[dict], spec: StandardiseSpec) -> list[dict]:
    return [standardise_record(row, spec, AS_OF) for row in rows]


MAGISTRATES = StandardiseSpec(
    source="magistrates",
    full_name="defendant_name",
    full_name_order="surname_first",
    date_of_birth="dob",
    date_of_birth_format="%d/%m/%Y",
    sex="gender",
    sex_codes=CODES,
    postcode="pc",
    address="address",
    operational_ids=("case_no",),
)

ROWS = [
    {
        "record_key": "a1",
        "defendant_name": "SMITH, Mr John Paul",
        "dob": "01/02/1990",
        "gender": "M",
        "pc": "ls6 2ab",
        "address": "12 Acacia Rd, Leeds LS6 2AB",
        "case_no": "CN/001",
    },
    {
        "record_key": "a2",
        "defendant_name": "O'Brien-Jones,Zoë",
        "dob": "31/02/1990",
        "gender": "F",
        "pc": "LS6 2A",
        "address": "Flat 2, 12 St Johns St, Leeds, LS62AB",
        "case_no": None,
    },
    {
        "record_key": "a3",
        "defendant_name": "MC DONALD, Bill",
        "dob": "01/01/1890",
        "gender": "U",
        "pc": "0L9 1AB",
        "address": None,
        "case_no": "  ",
    },
    {
        "record_key": "a4",
        "defendant_name": "   ",
        "dob": "",
        "gender": "",
        "pc": "LS6 2A",
        "address": "nowhere",
        "case_no": None,
    },
    {k: None for k in ["record_key", "defendant_name", "dob", "gender", "pc", "address", "case_no"]}
    | {"record_key": "a5"},
]


def test_standardise_matches_reference(fresh) -> None:
    load(fresh, "magistrates_raw", ROWS)
    standardise(fresh, "magistrates_raw", MAGISTRATES, "out", as_of=AS_OF)
    got = output(fresh)
    assert got == reference(ROWS, MAGISTRATES)
    assert tuple(got[0]) == OUTPUT_COLUMNS
    first, second, third, fourth, _ = got
    assert (first["forename"], first["middle_names"], first["surname"]) == ("JOHN", "PAUL", "SMITH")
    assert first["postcode"] == "LS6 2AB" and first["postcode_flag"] == "ok"
    assert first["address_tokens"] == ["12", "ACACIA", "ROAD", "LEEDS"]
    assert first["operational_ids"] == ["CN001"]
    assert second["surname_tokens"] == ["OBRIEN", "JONES"]
    assert second["dob"] is None and second["dob_flag"] == "impossible"
    assert second["postcode_flag"] == "from_address"
    assert third["surname_joined"] == "MCDONALD"
    assert third["forename_variant_group"] == "WILLIAM"
    assert third["sex"] is None and third["sex_flag"] == "unknown"
    assert third["postcode"] == "OL9 1AB" and third["postcode_flag"] == "corrected"
    assert third["dob_flag"] == "before_1900"
    assert fourth["postcode"] is None and fourth["postcode_flag"] == "invalid"


def test_output_types(fresh) -> None:
    load(fresh, "raw", ROWS)
    standardise(fresh, "raw", MAGISTRATES, "out", as_of=AS_OF)
    types = dict(fresh.execute("SELECT column_name, column_type FROM (DESCRIBE out)").fetchall())
    assert types["dob"] == "DATE"
    for column in [
        "surname_tokens", "name_tokens", "forename_variant_groups", "address_tokens",
        "operational_ids",
    ]:  # fmt: skip
        assert types[column] == "VARCHAR[]", column
    assert types["forename"] == types["postcode"] == types["sex"] == "VARCHAR"


def test_separate_name_columns_and_forename_first(fresh) -> None:
    rows = [
        {"record_key": "1", "first": "John Paul", "middle": "George", "last": "Smith-Jones",
         "whole": "Ringo Starr"},
        {"record_key": "2", "first": None, "middle": "Lee", "last": None,
         "whole": "Mary-Jane Anne Watson"},
        {"record_key": "3", "first": "", "middle": None, "last": "", "whole": "Watson, Mary"},
    ]  # fmt: skip
    spec = StandardiseSpec(
        source="probation",
        forename="first",
        middle_names="middle",
        surname="last",
        full_name="whole",
        full_name_order="forename_first",
    )
    load(fresh, "raw", rows)
    standardise(fresh, "raw", spec, "out", as_of=AS_OF)
    got = output(fresh)
    assert got == reference(rows, spec)
    names = [(r["forename"], r["middle_names"], r["surname"]) for r in got]
    assert names == [
        ("JOHN", "PAUL GEORGE", "SMITH-JONES"),
        ("MARY-JANE", "ANNE LEE", "WATSON"),
        ("MARY", None, "WATSON"),
    ]
    assert got[1]["forename_variant_group"] == "MARY"


def test_typed_date_column(fresh) -> None:
    fresh.execute(
        "CREATE TABLE raw AS SELECT * FROM (VALUES ('1', DATE '1990-02-01', 'x'), "
        "('2', DATE '1850-01-01', 'x'), ('3', DATE '2030-01-01', 'x'), ('4', NULL, 'x')) "
        "AS t(record_key, born, surname)"
    )
    spec = StandardiseSpec(source="prisons", date_of_birth="born", surname="surname")
    standardise(fresh, "raw", spec, "out", as_of=AS_OF)
    got = [(r["dob"], r["dob_flag"]) for r in output(fresh)]
    assert got == [
        (date(1990, 2, 1), "ok"),
        (None, "before_1900"),
        (None, "future"),
        (None, "missing"),
    ]
    rows = fresh.execute("SELECT record_key, born, surname FROM raw ORDER BY record_key").fetchall()
    ref = [
        standardise_record(
            dict(zip(["record_key", "born", "surname"], row, strict=True)), spec, AS_OF
        )
        for row in rows
    ]
    assert [(r["dob"], r["dob_flag"]) for r in ref] == got
    fresh.execute(
        "CREATE TABLE raw_ts AS SELECT record_key, CAST(born AS TIMESTAMP) AS born, "
        "surname FROM raw"
    )
    standardise(fresh, "raw_ts", spec, "out_ts", as_of=AS_OF)
    assert [(r["dob"], r["dob_flag"]) for r in output(fresh, "out_ts")] == got
    assert standardise_record(
        {"record_key": "x", "born": datetime(1990, 2, 1, 12, 0)}, spec, AS_OF
    )["dob"] == date(1990, 2, 1)


def test_standardise_many_unions_sources(fresh) -> None:
    load(fresh, "mags", ROWS)
    prison_rows = [
        {"record_key": "p2", "forename": "Bill", "surname": "McDonald", "birth": "1990-02-01",
         "sex": "1", "postcode": "OL9 1AB"},
        {"record_key": "p1", "forename": "Zoe", "surname": "O'Brien Jones", "birth": "1990-02-31",
         "sex": "2", "postcode": None},
    ]  # fmt: skip
    prisons = StandardiseSpec(
        source="prisons",
        forename="forename",
        surname="surname",
        date_of_birth="birth",
        sex="sex",
        sex_codes={"1": "male", "2": "female"},
        postcode="postcode",
    )
    load(fresh, "prisons_raw", prison_rows)
    fresh.execute("CREATE TABLE out AS SELECT 1 AS stale")  # replaced
    standardise_many(fresh, [("mags", MAGISTRATES), ("prisons_raw", prisons)], "out", as_of=AS_OF)
    got = output(fresh)
    expected = reference(ROWS, MAGISTRATES) + sorted(
        reference(prison_rows, prisons), key=lambda r: r["record_key"]
    )
    assert got == expected
    assert [r["source"] for r in got] == ["magistrates"] * 5 + ["prisons"] * 2
    leftovers = fresh.execute(
        "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '_fivesafes%' "
        "UNION ALL SELECT view_name FROM duckdb_views() WHERE view_name LIKE '_fivesafes%'"
    ).fetchall()
    assert leftovers == []


def test_standardise_many_refuses_bad_input(fresh) -> None:
    load(fresh, "mags", ROWS)
    with pytest.raises(ValueError, match="at least one"):
        standardise_many(fresh, [], "out")
    with pytest.raises(ValueError, match="twice"):
        standardise_many(fresh, [("mags", MAGISTRATES), ("mags", MAGISTRATES)], "out")


def test_missing_columns_are_named(fresh) -> None:
    load(fresh, "mags", ROWS)
    spec = StandardiseSpec(source="mags", surname="no_such_column")
    with pytest.raises(ContractError, match="no_such_column"):
        standardise(fresh, "mags", spec, "out")
    with pytest.raises(ContractError, match="cannot read table"):
        standardise(fresh, "no_such_table", spec, "out")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"surname": "s", "date_of_birth": "d", "date_of_birth_format": "%d/%m/%y"}, "two-digit"),
        ({"sex": "g"}, "needs a code table"),
        ({"sex": "g", "sex_codes": {"M": "man"}}, "use one of"),
        ({"sex": "g", "sex_codes": {"M": "male", " M ": "female"}}, "two different"),
        ({"sex": "g", "sex_codes": {" ": "male"}}, "empty"),
        ({"full_name": "n", "full_name_order": "middle"}, "full name order"),
        ({}, "no identifier columns"),
    ],
)
def test_spec_errors(kwargs: dict, message: str) -> None:
    with pytest.raises(ContractError, match=message):
        StandardiseSpec(source="s", **kwargs)


def test_spec_is_hashable_and_normalised() -> None:
    spec = StandardiseSpec(
        source="s",
        sex="g",
        sex_codes={"F": "female", " M": "male"},
        address="addr",
        operational_ids="id",
    )
    assert spec.sex_codes == (("F", "female"), ("M", "male"))
    assert spec.address == ("addr",) and spec.operational_ids == ("id",)
    assert hash(spec) == hash(
        StandardiseSpec(
            source="s",
            sex="g",
            sex_codes=spec.sex_codes,
            address=("addr",),
            operational_ids=("id",),
        )
    )


ROW_VALUES = st.one_of(
    optional_text(25),
    st.sampled_from(["SMITH, John", "Jon Smith", "01/02/1990", "31/02/1990", "M", "F", "U",
                     "LS6 2AB", "ls6oab", "12 High St, Leeds LS6 2AB", "Mr", "Bill", "AB/12"]),
)  # fmt: skip
RAW_COLUMNS = ["fore", "mid", "sur", "whole", "dob", "sex", "pc", "addr1", "addr2", "id1", "id2"]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.fixed_dictionaries({c: ROW_VALUES for c in RAW_COLUMNS}), min_size=1, max_size=15),
    st.sampled_from(["surname_first", "forename_first"]),
)
def test_random_tables_agree_with_reference(fresh, rows: list[dict], order: str) -> None:
    rows = [row | {"record_key": f"{index:03d}"} for index, row in enumerate(rows)]
    spec = StandardiseSpec(
        source="random",
        forename="fore",
        middle_names="mid",
        surname="sur",
        full_name="whole",
        full_name_order=order,  # type: ignore[arg-type]
        date_of_birth="dob",
        date_of_birth_format="%d/%m/%Y",
        sex="sex",
        sex_codes=CODES,
        postcode="pc",
        address=("addr1", "addr2"),
        operational_ids=("id1", "id2"),
    )
    load(fresh, "raw", rows)
    standardise(fresh, "raw", spec, "out", as_of=AS_OF)
    assert output(fresh) == reference(rows, spec)


def test_all_null_and_non_text_columns(fresh) -> None:
    fresh.execute(
        "CREATE TABLE raw AS SELECT * FROM (VALUES (1, NULL, NULL, 1, NULL), (2, NULL, NULL, 2, NULL)"
        ", (3, NULL, NULL, NULL, NULL)) AS t(record_key, name, born, sex, pc)"
    )
    spec = StandardiseSpec(
        source="s",
        full_name="name",
        date_of_birth="born",
        sex="sex",
        sex_codes={"1": "male", "2": "female"},
        postcode="pc",
    )
    standardise(fresh, "raw", spec, "out", as_of=AS_OF)
    got = output(fresh)
    rows = fresh.execute("SELECT * FROM raw ORDER BY record_key").fetchall()
    names = ["record_key", "name", "born", "sex", "pc"]
    assert got == [standardise_record(dict(zip(names, r, strict=True)), spec, AS_OF) for r in rows]
    assert [(r["sex"], r["sex_flag"]) for r in got] == [
        ("male", "ok"),
        ("female", "ok"),
        (None, "missing"),
    ]
    assert {(r["surname"], r["dob_flag"], r["postcode_flag"]) for r in got} == {
        (None, "missing", "missing")
    }
