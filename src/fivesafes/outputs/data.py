"""The microdata an output is computed from: an Arrow table or a DuckDB relation (or a table of a
DuckDB connection) with a ``person_id`` column, and an optional filter that defines the output's
population.

A filter is ``{field: value}`` or ``{field: [values]}`` (equality or membership) or
``{field: {">=": value}}`` (a comparison); values are always bound parameters.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from fivesafes.errors import FivesafesError
from fivesafes.sql import Fragment, Params, Statement, compose, quote, run, run_arrow

PERSON = "person_id"
OPERATORS = {"=", "!=", "<", "<=", ">", ">="}
_names = itertools.count()


class OutputError(FivesafesError):
    """An output request names a field the data does not have, or asks for something the checks
    cannot judge."""


Filter = Mapping[str, Any]


@dataclass(frozen=True)
class Microdata:
    """A view over the rows of one extract table inside one DuckDB connection."""

    con: duckdb.DuckDBPyConnection
    view: str
    columns: tuple[str, ...]
    person: str = PERSON

    @classmethod
    def of(cls, data: pa.Table | duckdb.DuckDBPyRelation | str,
           con: duckdb.DuckDBPyConnection | None = None, person: str = PERSON) -> Microdata:
        """``data``: an Arrow table, a relation of ``con`` (or of another connection: then read
        through Arrow), or the name of a table or view of ``con``."""
        if isinstance(data, str):
            if con is None:
                raise OutputError(f"table {data!r}: give the DuckDB connection that holds it")
            view = data
        else:
            con = con if con is not None else duckdb.connect()
            view = f"_fivesafes_output_{next(_names)}"
            try:
                con.register(view, data)
            except duckdb.InvalidInputException:
                con.register(view, data.fetch_arrow_reader())  # type: ignore[union-attr]
        columns = tuple(run_arrow(con, columns_statement(view)).column_names)
        if person not in columns:
            raise OutputError(f"table {view!r} has no {person!r} column: outputs count distinct "
                              "persons, so the data must say who each row belongs to")
        return cls(con, view, columns, person)

    def need(self, names: Sequence[str]) -> None:
        missing = [n for n in names if n not in self.columns]
        if missing:
            raise OutputError(f"no field {', '.join(map(repr, missing))} in the data; its fields "
                              f"are {', '.join(self.columns)}")

    def where(self, population: Filter | None, params: Params) -> str:
        """The SQL ``WHERE`` clause of a population filter (empty string for everyone)."""
        if not population:
            return ""
        return " WHERE " + self.condition(population, params)

    def condition(self, population: Filter | None, params: Params) -> str:
        """A population filter as an SQL condition (``TRUE`` for everyone)."""
        if not population:
            return "TRUE"
        self.need(list(population))
        terms = []
        for name, wanted in sorted(population.items()):
            column = quote(name)
            if isinstance(wanted, Mapping):
                for op, value in sorted(wanted.items()):
                    if op not in OPERATORS:
                        raise OutputError(f"filter on {name!r}: unknown comparison {op!r}; use "
                                          f"one of {', '.join(sorted(OPERATORS))}")
                    terms.append(f"{column} {op} {params(value)}")
            elif isinstance(wanted, list | tuple | set | frozenset):
                values = sorted(wanted, key=repr)
                terms.append(f"{column} IN ({params.many(values)})" if values else "FALSE")
            elif wanted is None:
                terms.append(f"{column} IS NULL")
            else:
                terms.append(f"{column} = {params(wanted)}")
        return "(" + " AND ".join(terms) + ")"

    def persons(self, population: Filter | None = None) -> set[Any]:
        """The distinct persons of a population (for differencing)."""
        params = Params()
        where = Fragment(self.where(population, params))
        statement = Statement("outputs: persons of a population", compose(
            "SELECT DISTINCT {person} FROM {view}{where}", person=self.person, view=self.view,
            where=where), params.values)
        return {r[0] for r in run(self.con, statement).fetchall()}


def columns_statement(view: str) -> Statement:
    """No row of ``view``: its columns."""
    return Statement("outputs: read columns",
                     compose("SELECT * FROM {view} LIMIT 0", view=view))
