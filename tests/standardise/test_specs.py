"""Reading a source's dates of birth as ISO dates when its values are ISO dates."""

from __future__ import annotations

import duckdb
import pytest

from fivesafes.errors import StepFailed
from fivesafes.standardise import StandardiseSpec
from fivesafes.standardise.specs import ISO_DATE, iso_check_statement, reading_iso_dates

TABLE, COLUMN = "ident'ifiers", 'bo"rn'


def _con(values: list[str | None]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute('CREATE TABLE "ident\'ifiers" ("bo""rn" VARCHAR)')
    con.executemany('INSERT INTO "ident\'ifiers" VALUES ($1)', [[v] for v in values])
    return con


@pytest.mark.parametrize(("values", "iso"), [
    (["1990-03-07", " 1985-12-31 ", "", None], True),
    (["07/03/1990", "1985-12-31"], False),  # some fit the declared format
    (["", None], False),  # nothing to tell by
])
def test_iso_values_in_an_oddly_named_column_are_read_as_iso(values, iso: bool) -> None:
    spec = StandardiseSpec(source="s", date_of_birth=COLUMN, date_of_birth_format="%d/%m/%Y")
    read = reading_iso_dates(spec, (), _con(values), TABLE)
    assert (read.date_of_birth_format == ISO_DATE) is iso


def test_the_check_binds_its_patterns_and_names_its_step() -> None:
    statement = iso_check_statement(TABLE, COLUMN, "%d/%m/%Y")
    assert '"bo""rn"' in statement.sql and '"ident\'ifiers"' in statement.sql
    assert len(statement.params) == 3 and "$1" in statement.sql
    spec = StandardiseSpec(source="s", date_of_birth=COLUMN, date_of_birth_format="%d/%m/%Y")
    with pytest.raises(StepFailed, match="check dates of birth for ISO dates failed"):
        reading_iso_dates(spec, (), duckdb.connect(), TABLE)
