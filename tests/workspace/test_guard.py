"""The statement guard on its own: what it allows, what it runs, and what the monitor reads
from a statement (its shape, pseudonym filters, population)."""

from __future__ import annotations

import pytest

from fivesafes.workspace.guard import (
    ALLOWED,
    StatementNotUnderstood,
    StatementRefused,
    check,
)

DATASETS = ("magistrates", "prison")
PERSONS = {"magistrates": "person_id", "prison": "person_id"}


def _check(sql: str, scratch: tuple[str, ...] = ("young",)):
    return check(sql, datasets=DATASETS, scratch=scratch, pseudonyms=("person_id",),
                 person_columns=PERSONS)


@pytest.mark.parametrize("sql", [
    "SELECT outcome, count(*) FROM magistrates GROUP BY outcome",
    "FROM magistrates SELECT count(*)",
    "WITH a AS (SELECT * FROM magistrates) SELECT count(*) FROM a",
    "SELECT person_id FROM magistrates UNION SELECT person_id FROM prison",
    "SELECT * FROM magistrates m JOIN prison p USING (person_id)",
    "SELECT * FROM scratch.young",
    "SELECT * FROM range(10)",
    "DESCRIBE magistrates",
    "SUMMARIZE prison",
    "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 5) "
    "SELECT * FROM t",
])
def test_queries_over_the_extract_are_allowed(sql: str) -> None:
    assert _check(sql).kind == "query"


def test_scratch_tables_are_made_and_dropped_in_scratch_only() -> None:
    made = _check("CREATE OR REPLACE TABLE scratch.adults AS SELECT * FROM magistrates")
    assert (made.kind, made.target, made.tables) == ("create", "adults", ("magistrates",))
    assert _check("CREATE VIEW scratch.v AS SELECT * FROM scratch.young").tables == (
        "scratch.young",)
    assert _check("DROP TABLE scratch.young").target == "young"
    assert _check("DROP VIEW IF EXISTS scratch.never").kind == "drop"
    for sql, says in [("CREATE TABLE scratch.young AS SELECT * FROM scratch.young", "itself"),
                      ("DROP TABLE scratch.never", "does not exist"),
                      ("CREATE TABLE scratch.t (a INTEGER)", "without AS SELECT"),
                      ("SELECT * FROM scratch.never", "does not exist")]:
        with pytest.raises(StatementRefused, match=says):
            _check(sql)


def test_what_runs_is_what_was_checked() -> None:
    statement = _check("select   outcome from magistrates -- a note\nwhere outcome = 'x'")
    assert statement.sql == "SELECT outcome FROM magistrates WHERE outcome = 'x'"


def test_not_sql_is_not_understood_and_says_what_is_allowed() -> None:
    for sql in ("", "   ", "SELEC 1", "SELECT FROM WHERE ("):
        with pytest.raises(StatementNotUnderstood) as problem:
            _check(sql)
        assert ALLOWED in str(problem.value) and "\n" not in str(problem.value)


def test_the_shape_ignores_where_and_values() -> None:
    a = _check("SELECT outcome, count(*) FROM magistrates WHERE outcome = 'a' GROUP BY 1")
    b = _check("SELECT outcome, count(*) FROM magistrates WHERE age_at_hearing_band <> '18-20' "
               "GROUP BY 1")
    c = _check("SELECT outcome, count(*) FROM prison GROUP BY 1")
    assert a.shape == b.shape != c.shape


def test_pseudonym_filters_are_found() -> None:
    assert _check("SELECT * FROM magistrates WHERE person_id = 'PX1'").pseudonym_filters == (
        "person_id",)
    assert _check("SELECT * FROM magistrates m WHERE m.person_id IN ('a', 'b')"
                  ).pseudonym_filters == ("person_id",)
    assert _check("SELECT count(DISTINCT person_id) FROM magistrates WHERE outcome = 'x'"
                  ).pseudonym_filters == ()


def test_the_population_counts_persons_of_a_plain_query() -> None:
    assert _check("SELECT outcome, count(*) FROM magistrates WHERE outcome = 'x' GROUP BY 1"
                  ).population_sql == ("SELECT COUNT(DISTINCT magistrates.person_id) FROM "
                                       "magistrates WHERE outcome = 'x'")
    assert _check("WITH a AS (SELECT 1) SELECT * FROM a").population_sql is None


def test_refusals_name_their_rule() -> None:
    with pytest.raises(StatementRefused) as refused:
        _check("SELECT * FROM read_csv_auto('x.csv')")
    assert refused.value.rule == "files"
    with pytest.raises(StatementRefused) as refused:
        _check("SELECT * FROM magistrates, probation")
    assert refused.value.rule == "other_data" and "not a table of your extract" in str(
        refused.value)
