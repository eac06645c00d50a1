"""Building SQL apart from running it: statements, their runner, names and literals."""

from __future__ import annotations

import duckdb
import pytest

from fivesafes.errors import FivesafesError, StepFailed
from fivesafes.sql import (
    Fragment,
    Params,
    Statement,
    compose,
    identifier,
    literal,
    names,
    quote,
    run,
    run_arrow,
)


@pytest.fixture
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


def test_parameters_are_bound(con) -> None:
    p = Params()
    sql = compose("SELECT {x} || {y} AS v", x=Fragment(p("it's")), y=Fragment(p("'); DROP")))
    statement = Statement("test: bind", sql, p.values)
    assert statement.params == ("it's", "'); DROP")
    assert run(con, statement).fetchall() == [("it's'); DROP",)]
    assert run_arrow(con, statement).to_pylist() == [{"v": "it's'); DROP"}]


def test_an_engine_error_names_the_step_and_the_statement(con) -> None:
    statement = Statement("split: count clusters",
                          "SELECT count(*)\n  FROM missing_table\n WHERE x = $1", ["a"])
    with pytest.raises(StepFailed) as caught:
        run(con, statement)
    error = caught.value
    assert isinstance(error, FivesafesError)
    assert error.step == "split: count clusters"
    assert "split: count clusters failed" in str(error)
    assert "SELECT count(*) FROM missing_table" in str(error)
    assert "missing_table" in error.reason
    assert error.__cause__ is None and error.__suppress_context__


def test_parameter_values_never_appear_in_the_error(con) -> None:
    secret = "salt-5ecret-value"
    for statement in (Statement("test: convert", "SELECT $1::INTEGER", [secret]),
                      Statement("test: list", "SELECT CAST($1 AS INTEGER[])", [[secret, "x"]])):
        with pytest.raises(StepFailed) as caught:
            run(con, statement)
        assert secret not in str(caught.value)
        assert "<$1>" in str(caught.value)
    with pytest.raises(StepFailed) as caught:
        run_arrow(con, Statement("test: arrow", "SELECT $1::INTEGER AS v", [secret]))
    assert secret not in str(caught.value)


def test_a_long_statement_is_cut_in_the_message(con) -> None:
    sql = "SELECT " + ", ".join(f"nope_{i}" for i in range(100))
    with pytest.raises(StepFailed) as caught:
        run(con, Statement("test: long", sql))
    assert len(caught.value.statement) <= 160
    assert caught.value.statement.endswith("…")


@pytest.mark.parametrize("path", ["/tmp/it's here/x.parquet", "C:\\data\\o''k.csv",
                                  "new\nline", "ünïcödé \"quoted\""])
def test_a_path_with_a_quote_round_trips_as_a_literal(con, path: str) -> None:
    assert con.execute(f"SELECT {literal(path)}").fetchall() == [(path,)]


def test_copy_to_a_path_with_a_quote(con, tmp_path) -> None:
    target = tmp_path / "o'brien's file.parquet"
    con.execute("CREATE TABLE t AS SELECT 1 AS a")
    run(con, Statement("test: copy", compose("COPY (SELECT * FROM {t}) TO {path} (FORMAT parquet)",
                                             t="t", path=Fragment(literal(str(target))))))
    assert con.execute("SELECT a FROM read_parquet($1)", [str(target)]).fetchall() == [(1,)]


def test_literal_and_identifier_refuse_nul() -> None:
    with pytest.raises(ValueError):
        literal("a\x00b")
    with pytest.raises(ValueError):
        identifier("a\x00b")


def test_identifiers_and_qualified_names(con) -> None:
    assert identifier('we"ird') == quote('we"ird') == '"we""ird"'
    assert identifier("my schema", 't"x') == '"my schema"."t""x"'
    con.execute('CREATE SCHEMA "my schema"')
    con.execute(f"CREATE TABLE {identifier('my schema', 't x')} AS SELECT 1 AS a")
    sql = compose("SELECT a FROM {t}", t=("my schema", "t x"))
    assert run(con, Statement("test: qualified", sql)).fetchall() == [(1,)]


def test_compose_quotes_names_and_keeps_fragments() -> None:
    sql = compose("SELECT {cols} FROM {t} WHERE regexp_matches(x, '[A-Z]{1,2}')",
                  cols=names(["a", 'b"c']), t='t"; DROP')
    assert sql == ('SELECT "a", "b""c" FROM "t""; DROP" '
                   "WHERE regexp_matches(x, '[A-Z]{1,2}')")
    with pytest.raises(KeyError):
        compose("SELECT {a}")
    with pytest.raises(KeyError):
        compose("SELECT 1", a="x")
    with pytest.raises(TypeError):
        compose("SELECT {a}", a=1)  # type: ignore[arg-type]


def test_a_short_value_is_taken_out_only_where_it_stands_alone(con) -> None:
    with pytest.raises(StepFailed) as caught:
        run(con, Statement("test: short", "SELECT $1::INTEGER FROM range(1)", ["ab"]))
    assert "'ab'" not in str(caught.value) and "<$1>" in str(caught.value)
    assert "Conversion Error" in caught.value.reason


def test_the_reason_is_the_engines_first_paragraph_on_one_line(con, tmp_path) -> None:
    path = tmp_path / "not utf-8.csv"
    path.write_bytes(b"\x00\xff\xfe")
    with pytest.raises(StepFailed) as caught:
        run(con, Statement("test: csv", "SELECT * FROM read_csv($1)", [str(path)]))
    reason = caught.value.reason
    assert "\n" not in reason and "utf-8" in reason and "LINE 1" not in reason
    assert str(path) not in str(caught.value)
